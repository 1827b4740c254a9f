//! Tenants and who acts for them: `accounts`, `users`, `projects`, the per-account
//! settings operators change (`account_limits`, `sharing_enabled`) and `account_keys`.

use sqlx::{Any, Executor, FromRow};

use crate::db::Conn;
use crate::ids::{AccountId, ProjectId};
use crate::model::{Role, Site};

/// A user's sign-in record.
#[derive(Debug, FromRow)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
}

pub async fn credentials<'c>(
    db: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await
}

/// A user with the account it acts for.
#[derive(Debug, FromRow)]
pub struct UserRow {
    pub email: String,
    pub role: Role,
    pub account_id: AccountId,
    pub name: String,
    pub site: Site,
}

pub async fn user<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(
        "SELECT u.email, u.role, a.id AS account_id, a.name, a.site
         FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Whether an account exists.
pub async fn exists<'c>(db: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<bool> {
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(known.is_some())
}

/// An account's site; `None` if there is no such account.
pub async fn site(conn: &mut Conn, id: &AccountId) -> sqlx::Result<Option<Site>> {
    sqlx::query_scalar("SELECT site FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A project of an account.
#[derive(Debug, FromRow)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub region: String,
}

/// The account's projects by region.
pub async fn projects<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
) -> sqlx::Result<Vec<ProjectRow>> {
    sqlx::query_as(
        "SELECT id, name, region FROM projects WHERE account_id = $1 ORDER BY region, id",
    )
    .bind(account)
    .fetch_all(db)
    .await
}

/// A project's region and owner.
#[derive(Debug, FromRow)]
pub struct ProjectPlace {
    pub account_id: AccountId,
    pub region: String,
}

pub async fn project(conn: &mut Conn, id: &ProjectId) -> sqlx::Result<Option<ProjectPlace>> {
    sqlx::query_as("SELECT account_id, region FROM projects WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The chosen project of the account in `region` (any project there when `chosen` is
/// `None`, the first by id).
pub async fn project_in_region(
    conn: &mut Conn,
    account: &AccountId,
    region: &str,
    chosen: Option<&str>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM projects WHERE account_id = $1 AND region = $2 AND ($3 IS NULL OR id = $4)
         ORDER BY id LIMIT 1",
    )
    .bind(account)
    .bind(region)
    .bind(chosen)
    .bind(chosen)
    .fetch_optional(conn)
    .await
}

/// An account as a share's recipient: the resource directory it belongs to (rule 8), its
/// site (rule 3) and the regions it has projects in (rule 2).
#[derive(Debug)]
pub struct AsRecipient {
    pub directory: Option<String>,
    pub site: Site,
    pub regions: Vec<String>,
}

/// [`AsRecipient`] in one statement; `None` if there is no such account.
pub async fn as_recipient(
    conn: &mut Conn,
    account: &AccountId,
) -> sqlx::Result<Option<AsRecipient>> {
    // An account is in one directory at most (`directory_members`' key): rows differ only
    // by region.
    let rows: Vec<(Option<String>, Site, Option<String>)> = sqlx::query_as(
        "SELECT DISTINCT m.directory_id, a.site, p.region FROM accounts a
         LEFT JOIN directory_members m ON m.account_id = a.id
         LEFT JOIN projects p ON p.account_id = a.id WHERE a.id = $1",
    )
    .bind(account)
    .fetch_all(conn)
    .await?;
    let Some((directory, site, _)) = rows.first() else {
        return Ok(None);
    };
    let (directory, site) = (directory.clone(), *site);
    Ok(Some(AsRecipient {
        directory,
        site,
        regions: rows
            .into_iter()
            .filter_map(|(_, _, region)| region)
            .collect(),
    }))
}

pub async fn set_cluster_share_limit(
    conn: &mut Conn,
    account: &AccountId,
    limit: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_limits (account_id, shared_cluster_backups) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET shared_cluster_backups = excluded.shared_cluster_backups",
    )
    .bind(account)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether an operator enabled sharing for the account (where sharing is opt-in).
pub async fn sharing_enabled(conn: &mut Conn, account: &AccountId) -> sqlx::Result<bool> {
    let enabled: Option<String> =
        sqlx::query_scalar("SELECT account_id FROM sharing_enabled WHERE account_id = $1")
            .bind(account)
            .fetch_optional(conn)
            .await?;
    Ok(enabled.is_some())
}

pub async fn set_sharing_enabled(
    conn: &mut Conn,
    account: &AccountId,
    on: bool,
    now: i64,
) -> sqlx::Result<()> {
    let change = if on {
        sqlx::query(
            "INSERT INTO sharing_enabled (account_id, enabled_at) VALUES ($1, $2)
             ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(account)
        .bind(now)
    } else {
        sqlx::query("DELETE FROM sharing_enabled WHERE account_id = $1").bind(account)
    };
    change.execute(conn).await?;
    Ok(())
}

/// An account's key, wrapped by the master key.
pub async fn wrapped_key(conn: &mut Conn, account: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT wrapped_key FROM account_keys WHERE account_id = $1")
        .bind(account)
        .fetch_optional(conn)
        .await
}

/// Stores an account's first key; a concurrent first use that won keeps its own.
pub async fn add_key(conn: &mut Conn, account: &str, wrapped: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO account_keys (account_id, wrapped_key, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account)
    .bind(wrapped)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
