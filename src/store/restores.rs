//! `restores`: durable jobs that write a backup's bytes into a new resource, claimed for
//! one attempt at a time under a lease.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use crate::db::Conn;
use crate::ids::{AccountId, BackupId, ProjectId, ResourceId, RestoreId};
use crate::model::{ResourceKind, RestoreStatus, TransferFailure};
use crate::paging::PageAt;

/// What starting a restore writes.
#[derive(Debug)]
pub struct Starting<'a> {
    pub id: &'a RestoreId,
    pub backup: &'a str,
    pub account: &'a AccountId,
    pub project: &'a str,
    pub resource: &'a ResourceId,
    pub resource_name: &'a str,
    pub requested_by: &'a str,
    pub kind: ResourceKind,
    /// The recipient's copy it reads instead of the original, if any.
    pub copy_grant: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, starting: Starting<'_>, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO restores (id, backup_id, account_id, project_id, resource_id, resource_name,
                               requested_by, status, created_at, kind, copy_grant_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $10)",
    )
    .bind(starting.id)
    .bind(starting.backup)
    .bind(starting.account)
    .bind(starting.project)
    .bind(starting.resource)
    .bind(starting.resource_name)
    .bind(starting.requested_by)
    .bind(now)
    .bind(starting.kind)
    .bind(starting.copy_grant)
    .execute(conn)
    .await?;
    Ok(())
}

/// Running restores no live worker holds, taken in turns across accounts (each
/// account's oldest first, then each one's second…), so one account's restores never
/// starve another's.
pub async fn waiting<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM (
             SELECT id, created_at,
                    ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY created_at, id) AS turn
             FROM restores
             WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1)) waiting
         ORDER BY turn, created_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Takes a restore no live worker holds for a new attempt, leased until `lease_until`;
/// whether this call got it.
pub async fn claim<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    lease_until: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "UPDATE restores SET attempt = attempt + 1, lease_until = $1
         WHERE id = $2 AND status = 'running' AND (lease_until IS NULL OR lease_until < $3)",
    )
    .bind(lease_until)
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// What a claimed restore's attempt needs: the restore, its backup, and the copy it reads
/// (a recipient's server or disk restore).
#[derive(Debug, FromRow)]
pub struct Claimed {
    pub id: String,
    pub attempt: i64,
    pub backup_id: String,
    pub account_id: String,
    pub project_id: String,
    pub resource_id: String,
    pub resource_name: String,
    pub kind: ResourceKind,
    pub copy_grant_id: Option<String>,
    pub sha256: String,
    pub size_bytes: i64,
    pub region: String,
    pub encrypted: Flag,
    pub copy_attempt: Option<i64>,
    pub wrapped_key: Option<String>,
}

pub async fn claimed<'c>(db: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<Claimed> {
    sqlx::query_as(
        "SELECT r.id, r.attempt, r.backup_id, r.account_id, r.project_id, r.resource_id,
                r.resource_name, r.kind, r.copy_grant_id, b.sha256, b.size_bytes, b.region,
                (b.encrypted IS TRUE) AS encrypted, c.attempt AS copy_attempt, c.wrapped_key
         FROM restores r JOIN backups b ON b.id = r.backup_id
         LEFT JOIN copies c ON c.grant_id = r.copy_grant_id
         WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
}

/// Records how an attempt ended, if it still holds the restore; whether it did.
pub async fn finish(
    conn: &mut Conn,
    id: &str,
    attempt: i64,
    status: RestoreStatus,
    failure: Option<TransferFailure>,
    now: i64,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE restores SET status = $1, detail = $2, finished_at = $3, lease_until = NULL
         WHERE id = $4 AND status = 'running' AND attempt = $5",
    )
    .bind(status)
    .bind(failure)
    .bind(now)
    .bind(id)
    .bind(attempt)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// A restore as "Restores" lists it, with the new resource's checksum once it exists.
#[derive(Debug, FromRow)]
pub struct ListedRow {
    pub id: RestoreId,
    pub backup_id: BackupId,
    pub project_id: ProjectId,
    pub resource_id: ResourceId,
    pub resource_name: String,
    pub status: RestoreStatus,
    #[sqlx(rename = "detail")]
    pub failure: Option<TransferFailure>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub requested_by: String,
    pub sha256: Option<String>,
}

/// One keyset page of the account's restores, newest first (`at`'s cursor binds `$3, $4`).
pub async fn page<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedRow>> {
    let (from, order) = at.sql("r.created_at", "r.id", 3);
    let sql = format!(
        "SELECT r.id, r.backup_id, r.project_id, r.resource_id, r.resource_name, r.status,
                r.detail, r.created_at, r.finished_at, r.requested_by, res.sha256
         FROM restores r LEFT JOIN resources res ON res.id = r.resource_id
         WHERE r.account_id = $1 {from}
         ORDER BY r.created_at {order}, r.id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(account).bind(limit), at)
        .fetch_all(db)
        .await
}

/// Renews a restore attempt's lease; whether the attempt still holds the restore.
pub async fn renew_lease<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    attempt: i64,
    until: i64,
) -> sqlx::Result<bool> {
    let renewed = sqlx::query(
        "UPDATE restores SET lease_until = $1 WHERE id = $2 AND attempt = $3 AND status = 'running'",
    )
    .bind(until)
    .bind(id)
    .bind(attempt)
    .execute(db)
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// How many restores of the account are running.
pub async fn running(conn: &mut Conn, account: &AccountId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM restores WHERE account_id = $1 AND status = 'running'")
        .bind(account)
        .fetch_one(conn)
        .await
}
