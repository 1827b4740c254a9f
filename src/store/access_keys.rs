//! `access_keys`: API keys that sign requests (SigV4) as their user; secrets sealed.

use sqlx::{Any, Executor, FromRow};

use super::Flag;

/// A key as its owner's list shows it.
#[derive(Debug, FromRow)]
pub struct KeyRow {
    pub id: String,
    pub active: Flag,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What verifying a signature needs: whose key it is and its sealed secret.
#[derive(Debug, FromRow)]
pub struct SigningKey {
    pub user_id: String,
    pub secret_sealed: String,
    pub active: Flag,
    pub last_used_at: Option<i64>,
}

pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    user_id: &str,
    secret_sealed: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO access_keys (id, user_id, secret_sealed, active, created_at)
         VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(secret_sealed)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A user's keys, oldest first (a user holds at most a few).
pub async fn of_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> sqlx::Result<Vec<KeyRow>> {
    sqlx::query_as(
        "SELECT id, active, created_at, last_used_at FROM access_keys
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

pub async fn signing_key<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<SigningKey>> {
    sqlx::query_as(
        "SELECT user_id, secret_sealed, active, last_used_at FROM access_keys WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Deactivates one of the user's keys; whether it was theirs.
pub async fn deactivate<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    user_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE access_keys SET active = 0 WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes one of the user's keys; whether it was theirs.
pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    user_id: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM access_keys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn touch<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE access_keys SET last_used_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}
