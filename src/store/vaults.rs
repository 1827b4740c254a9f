//! `vaults` and the `copies` of received server and disk backups that fill them: the
//! space a vault has, the copy jobs' rows and leases, and what each vault holds.

use sqlx::{Any, Executor, FromRow};

use crate::copy::{VaultCopy, VaultFacts};
use crate::db::Conn;
use crate::grant::GrantStatus;
use crate::ids::{AccountId, BackupId};
use crate::model::{CopyStatus, TransferFailure};
use crate::paging::PageAt;

/// The copy joined onto a grant's row, if one is shown: columns `copy_status`,
/// `copy_size`, `copied_bytes`, `failure` of a LEFT JOIN on `copies`.
#[derive(Debug, Clone, FromRow)]
pub struct JoinedCopy {
    pub copy_status: Option<CopyStatus>,
    pub copy_size: Option<i64>,
    pub copied_bytes: Option<i64>,
    pub failure: Option<TransferFailure>,
}

impl JoinedCopy {
    pub fn copy(&self) -> Option<VaultCopy> {
        Some(VaultCopy {
            status: self.copy_status?,
            copied_bytes: self.copied_bytes.unwrap_or(0),
            size_bytes: self.copy_size.unwrap_or(0),
            failure: self.failure,
        })
    }
}

/// The account's vaults with the space they use: own backups that are still there plus
/// copies that hold space (copying or available).
pub async fn facts(conn: &mut Conn, account: &str, now: i64) -> sqlx::Result<Vec<VaultFacts>> {
    sqlx::query_as(
        "SELECT v.id, v.name, v.kind, v.region, v.capacity_bytes,
                CAST(COALESCE((SELECT SUM(b.size_bytes) FROM backups b
                          WHERE b.vault_id = v.id AND b.deleted_at IS NULL
                            AND (b.expires_at IS NULL OR b.expires_at > $1)), 0)
              + COALESCE((SELECT SUM(c.size_bytes) FROM copies c
                          WHERE c.vault_id = v.id AND c.status IN ('copying', 'available')), 0)
                AS BIGINT) AS used_bytes
         FROM vaults v WHERE v.account_id = $2 ORDER BY v.name, v.id",
    )
    .bind(now)
    .bind(account)
    .fetch_all(conn)
    .await
}

/// What placing a copy writes.
#[derive(Debug)]
pub struct Placing<'a> {
    pub grant: &'a str,
    pub vault: &'a str,
    pub recipient: &'a str,
    pub backup: &'a str,
    pub copy: &'a VaultCopy,
    /// The data key wrapped for the recipient (encrypted backups, rule 5).
    pub wrapped_key: Option<String>,
}

/// Queues a copy. A grant accepted again after its copy was deleted starts over in the
/// same row, keeping its attempt count so that new attempts write new objects. `false`
/// while the previous copy is still being removed.
pub async fn place(conn: &mut Conn, placing: Placing<'_>, now: i64) -> sqlx::Result<bool> {
    let placed = sqlx::query(
        "INSERT INTO copies (grant_id, vault_id, account_id, backup_id, status, size_bytes,
                             copied_bytes, wrapped_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)
         ON CONFLICT (grant_id) DO UPDATE SET
             vault_id = excluded.vault_id, status = excluded.status,
             size_bytes = excluded.size_bytes, copied_bytes = 0, failure = NULL,
             lease_until = NULL, wrapped_key = excluded.wrapped_key,
             updated_at = excluded.updated_at
         WHERE copies.status = 'deleted'",
    )
    .bind(placing.grant)
    .bind(placing.vault)
    .bind(placing.recipient)
    .bind(placing.backup)
    .bind(placing.copy.status)
    .bind(placing.copy.size_bytes)
    .bind(placing.wrapped_key)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(placed.rows_affected() == 1)
}

/// The copies an account has waiting or under way (on an index by account and status, so
/// the count reads at most the cap's worth of rows).
pub async fn under_way(conn: &mut Conn, account: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM copies WHERE account_id = $1 AND status = 'copying'")
        .bind(account)
        .fetch_one(conn)
        .await
}

/// The status of a grant's copy unless it was deleted.
pub async fn live_status(conn: &mut Conn, grant: &str) -> sqlx::Result<Option<CopyStatus>> {
    sqlx::query_scalar("SELECT status FROM copies WHERE grant_id = $1 AND status <> 'deleted'")
        .bind(grant)
        .fetch_optional(conn)
        .await
}

/// A copy of the account's, with its vault, backup and grant, for "Retry".
#[derive(Debug, FromRow)]
pub struct ForRetry {
    #[sqlx(flatten)]
    pub copy: VaultCopy,
    pub vault_id: String,
    pub backup_id: String,
    pub grant_status: GrantStatus,
}

pub async fn for_retry(
    conn: &mut Conn,
    grant: &str,
    account: &AccountId,
) -> sqlx::Result<Option<ForRetry>> {
    sqlx::query_as(
        "SELECT c.status, c.size_bytes, c.copied_bytes, c.failure, c.vault_id, c.backup_id,
                g.status AS grant_status
         FROM copies c JOIN grants g ON g.id = c.grant_id
         WHERE c.grant_id = $1 AND c.account_id = $2",
    )
    .bind(grant)
    .bind(account)
    .fetch_optional(conn)
    .await
}

/// A failed copy starts over (in `status`, copying).
pub async fn restart(
    conn: &mut Conn,
    grant: &str,
    status: CopyStatus,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE copies SET status = $1, copied_bytes = 0, failure = NULL, lease_until = NULL, updated_at = $2
         WHERE grant_id = $3 AND status = 'failed'",
    )
    .bind(status)
    .bind(now)
    .bind(grant)
    .execute(conn)
    .await?;
    Ok(())
}

/// Copies whose grant ended (revoked, lost) start being deleted: their space is free.
pub async fn discard_ended(conn: &mut Conn, now: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE copies SET status = 'deleting', lease_until = NULL, updated_at = $1
         WHERE status IN ('copying', 'available', 'failed')
           AND grant_id IN (SELECT id FROM grants WHERE status IN ('revoked', 'lost'))",
    )
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A copy being deleted whose bytes may go: no running restore still reads it.
#[derive(Debug, FromRow)]
pub struct Deleting {
    pub grant_id: String,
    pub attempt: i64,
}

pub async fn deletable<'c>(
    db: impl Executor<'c, Database = Any>,
    limit: i64,
) -> sqlx::Result<Vec<Deleting>> {
    sqlx::query_as(
        "SELECT grant_id, attempt FROM copies c WHERE status = 'deleting'
           AND NOT EXISTS (SELECT 1 FROM restores r
                           WHERE r.copy_grant_id = c.grant_id AND r.status = 'running')
         LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A copy whose bytes were removed; whether this call recorded it.
pub async fn mark_deleted<'c>(
    db: impl Executor<'c, Database = Any>,
    grant: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE copies SET status = 'deleted', updated_at = $1 WHERE grant_id = $2 AND status = 'deleting'",
    )
    .bind(now)
    .bind(grant)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Copies waiting for a worker (never claimed, or their worker's lease lapsed), taken in
/// turns across accounts (each account's oldest first, then each one's second…), so one
/// account's queue never starves another's.
pub async fn due<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT grant_id FROM (
             SELECT grant_id, updated_at,
                    ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY updated_at, grant_id) AS turn
             FROM copies
             WHERE status = 'copying' AND (lease_until IS NULL OR lease_until < $1)
               AND grant_id IN (SELECT id FROM grants WHERE status = 'active')) due
         ORDER BY turn, updated_at, grant_id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Takes a copy whose lease lapsed (or that never ran) for a new attempt, leased until
/// `lease_until`; whether this call got it.
pub async fn claim<'c>(
    db: impl Executor<'c, Database = Any>,
    grant: &str,
    lease_until: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "UPDATE copies SET attempt = attempt + 1, lease_until = $1, copied_bytes = 0, updated_at = $2
         WHERE grant_id = $3 AND status = 'copying' AND (lease_until IS NULL OR lease_until < $2)
           AND grant_id IN (SELECT id FROM grants WHERE status = 'active')",
    )
    .bind(lease_until)
    .bind(now)
    .bind(grant)
    .execute(db)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// What a claimed copy's attempt needs.
#[derive(Debug, FromRow)]
pub struct Claimed {
    pub attempt: i64,
    pub backup_id: String,
    /// The recipient.
    pub account_id: String,
    pub stored_sha256: Option<String>,
    pub owner: String,
}

pub async fn claimed<'c>(
    db: impl Executor<'c, Database = Any>,
    grant: &str,
) -> sqlx::Result<Claimed> {
    sqlx::query_as(
        "SELECT c.attempt, c.backup_id, c.account_id, b.stored_sha256, b.account_id AS owner
         FROM copies c JOIN backups b ON b.id = c.backup_id WHERE c.grant_id = $1",
    )
    .bind(grant)
    .fetch_one(db)
    .await
}

/// The copy as this attempt left it, if the attempt still holds it.
pub async fn held(conn: &mut Conn, grant: &str, attempt: i64) -> sqlx::Result<Option<VaultCopy>> {
    sqlx::query_as(
        "SELECT status, size_bytes, copied_bytes, failure FROM copies
         WHERE grant_id = $1 AND attempt = $2 AND status = 'copying'",
    )
    .bind(grant)
    .bind(attempt)
    .fetch_optional(conn)
    .await
}

/// Records how an attempt ended, if it still holds the copy.
pub async fn finish(
    conn: &mut Conn,
    grant: &str,
    attempt: i64,
    next: &VaultCopy,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE copies SET status = $1, copied_bytes = $2, failure = $3, lease_until = NULL, updated_at = $4
         WHERE grant_id = $5 AND attempt = $6 AND status = 'copying'",
    )
    .bind(next.status)
    .bind(next.copied_bytes)
    .bind(next.failure)
    .bind(now)
    .bind(grant)
    .bind(attempt)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an attempt's progress; whether the attempt still holds the copy.
pub async fn progress<'c>(
    db: impl Executor<'c, Database = Any>,
    grant: &str,
    attempt: i64,
    copied: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let held = sqlx::query(
        "UPDATE copies SET copied_bytes = $1, updated_at = $2
         WHERE grant_id = $3 AND attempt = $4 AND status = 'copying'",
    )
    .bind(copied)
    .bind(now)
    .bind(grant)
    .bind(attempt)
    .execute(db)
    .await?;
    Ok(held.rows_affected() == 1)
}

/// The backup a grant is of and the vault its copy is in (if any), for locking.
#[derive(Debug, FromRow)]
pub struct GrantPlace {
    pub backup_id: String,
    pub vault_id: Option<String>,
}

pub async fn place_of_grant(conn: &mut Conn, grant: &str) -> sqlx::Result<Option<GrantPlace>> {
    sqlx::query_as(
        "SELECT g.backup_id, c.vault_id FROM grants g
         LEFT JOIN copies c ON c.grant_id = g.id WHERE g.id = $1",
    )
    .bind(grant)
    .fetch_optional(conn)
    .await
}

/// Bytes of the copies the account holds (copying or available).
pub async fn held_bytes<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM copies
         WHERE account_id = $1 AND status IN ('copying', 'available')",
    )
    .bind(account)
    .fetch_one(db)
    .await
}

/// One item of a vault: an own backup (no copy columns) or a received copy.
#[derive(Debug, FromRow)]
pub struct ItemRow {
    pub at: i64,
    pub key: String,
    pub backup_id: BackupId,
    pub name: String,
    pub size_bytes: i64,
    pub owner_name: Option<String>,
    pub owner_id: Option<AccountId>,
    #[sqlx(flatten)]
    pub copy: JoinedCopy,
    pub grant_status: Option<GrantStatus>,
}

/// One keyset page of a vault's contents, newest first (`at`'s cursor binds `$4, $5`):
/// the account's own live backups kept in it and the copies it holds for others' backups.
/// Each side walks its index by vault and time; the page merges the two.
pub async fn contents_page<'c>(
    db: impl Executor<'c, Database = Any>,
    vault: &str,
    now: i64,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    let (own_from, order) = at.sql("b.created_at", "b.id", 4);
    let (copy_from, _) = at.sql("c.created_at", "c.grant_id", 4);
    let sql = format!(
        "SELECT * FROM (
             SELECT * FROM (
                 SELECT b.created_at AS at, b.id AS key, b.id AS backup_id, b.name, b.size_bytes,
                        CAST(NULL AS TEXT) AS owner_name, CAST(NULL AS TEXT) AS owner_id,
                        CAST(NULL AS TEXT) AS copy_status, CAST(NULL AS BIGINT) AS copy_size,
                        CAST(NULL AS BIGINT) AS copied_bytes, CAST(NULL AS TEXT) AS failure,
                        CAST(NULL AS TEXT) AS grant_status
                 FROM backups b
                 WHERE b.vault_id = $1 AND b.deleted_at IS NULL
                   AND (b.expires_at IS NULL OR b.expires_at > $2) {own_from}
                 ORDER BY b.created_at {order}, b.id {order} LIMIT $3) own
             UNION ALL
             SELECT * FROM (
                 SELECT c.created_at AS at, c.grant_id AS key, c.backup_id, b.name, c.size_bytes,
                        a.name AS owner_name, a.id AS owner_id, c.status AS copy_status,
                        c.size_bytes AS copy_size, c.copied_bytes, c.failure,
                        g.status AS grant_status
                 FROM copies c JOIN backups b ON b.id = c.backup_id
                 JOIN accounts a ON a.id = b.account_id
                 JOIN grants g ON g.id = c.grant_id
                 WHERE c.vault_id = $1 AND c.status IN ('copying', 'available', 'failed') {copy_from}
                 ORDER BY c.created_at {order}, c.grant_id {order} LIMIT $3) received
         ) items
         ORDER BY at {order}, key {order} LIMIT $3"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(vault).bind(now).bind(limit), at)
        .fetch_all(db)
        .await
}

/// Whether the vault is the account's.
pub async fn is_owned<'c>(
    db: impl Executor<'c, Database = Any>,
    vault: &str,
    account: &AccountId,
) -> sqlx::Result<bool> {
    let one: Option<String> =
        sqlx::query_scalar("SELECT id FROM vaults WHERE id = $1 AND account_id = $2")
            .bind(vault)
            .bind(account)
            .fetch_optional(db)
            .await?;
    Ok(one.is_some())
}

/// A grant's copy, its row locked on PostgreSQL: discarding the copy waits for the
/// restore reading it to be recorded, or the restore sees it going.
pub async fn for_restore(conn: &mut Conn, grant: &str) -> sqlx::Result<Option<VaultCopy>> {
    let sql = format!(
        "SELECT status, size_bytes, copied_bytes, failure FROM copies WHERE grant_id = $1{}",
        crate::db::for_update(crate::db::Backend::of_conn(conn))
    );
    sqlx::query_as(&sql).bind(grant).fetch_optional(conn).await
}

/// Renews a copy attempt's lease; whether the attempt still holds the copy.
pub async fn renew_lease<'c>(
    db: impl Executor<'c, Database = Any>,
    grant: &str,
    attempt: i64,
    until: i64,
) -> sqlx::Result<bool> {
    let renewed = sqlx::query(
        "UPDATE copies SET lease_until = $1 WHERE grant_id = $2 AND attempt = $3 AND status = 'copying'",
    )
    .bind(until)
    .bind(grant)
    .bind(attempt)
    .execute(db)
    .await?;
    Ok(renewed.rows_affected() == 1)
}
