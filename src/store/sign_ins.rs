//! `sign_in_failures`: failed sign-ins counted per key (an email, a client address) in a
//! window that starts with the first failure.

use sqlx::{Any, Executor, FromRow};

/// A key's failures in its current window.
#[derive(Debug, FromRow)]
pub struct Failures {
    pub failures: i64,
    pub window_start: i64,
}

/// The failures of these keys whose window started after `since`.
pub async fn recent<'c>(
    db: impl Executor<'c, Database = Any>,
    key: &str,
    since: i64,
) -> sqlx::Result<Option<Failures>> {
    sqlx::query_as(
        "SELECT failures, window_start FROM sign_in_failures WHERE key = $1 AND window_start > $2",
    )
    .bind(key)
    .bind(since)
    .fetch_optional(db)
    .await
}

/// Counts a failure: one more in the key's window, or the first of a new one when its
/// window started at `since` or before.
pub async fn count_failure<'c>(
    db: impl Executor<'c, Database = Any>,
    key: &str,
    now: i64,
    since: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, failures, window_start) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN sign_in_failures.window_start <= $3 THEN 1
                             ELSE sign_in_failures.failures + 1 END,
             window_start = CASE WHEN sign_in_failures.window_start <= $3 THEN $2
                                 ELSE sign_in_failures.window_start END",
    )
    .bind(key)
    .bind(now)
    .bind(since)
    .execute(db)
    .await?;
    Ok(())
}

/// Forgets a key's failures (its owner signed in).
pub async fn clear<'c>(db: impl Executor<'c, Database = Any>, key: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets windows that ended.
pub async fn prune<'c>(db: impl Executor<'c, Database = Any>, since: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE window_start <= $1")
        .bind(since)
        .execute(db)
        .await?;
    Ok(())
}
