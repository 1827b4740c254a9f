//! `client_tokens`: the answers of API requests that named a `clientToken`, so a retried
//! request gets the first one's answer instead of doing it twice.

use sqlx::{Any, Executor, FromRow};

/// A token's request and, once it finished, its answer.
#[derive(Debug, FromRow)]
pub struct TokenRow {
    pub operation: String,
    pub request_hash: String,
    pub response: Option<String>,
}

pub async fn load<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    token: &str,
) -> sqlx::Result<Option<TokenRow>> {
    sqlx::query_as(
        "SELECT operation, request_hash, response FROM client_tokens
         WHERE account_id = $1 AND token = $2",
    )
    .bind(account)
    .bind(token)
    .fetch_optional(db)
    .await
}

/// Claims a token for a request about to run; `false` if another claimed it first.
pub async fn claim<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    token: &str,
    operation: &str,
    request_hash: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO client_tokens (account_id, token, operation, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, token) DO NOTHING",
    )
    .bind(account)
    .bind(token)
    .bind(operation)
    .bind(request_hash)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Keeps a finished request's answer.
pub async fn answer<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    token: &str,
    response: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE client_tokens SET response = $3 WHERE account_id = $1 AND token = $2")
        .bind(account)
        .bind(token)
        .bind(response)
        .execute(db)
        .await?;
    Ok(())
}

/// Lets a token go (its request failed: a retry may run it again), or forgets the
/// account's tokens older than `before`.
pub async fn release<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    token: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_tokens WHERE account_id = $1 AND token = $2")
        .bind(account)
        .bind(token)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn forget_older<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    before: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_tokens WHERE account_id = $1 AND created_at < $2")
        .bind(account)
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}
