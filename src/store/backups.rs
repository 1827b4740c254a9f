//! `backups` and the `resources` they were taken of: the facts the rules read, the rows
//! "Backups" and the vaults show, and the writes that lock, delete and account for them.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use crate::copy::CopyFacts;
use crate::db::Conn;
use crate::ids::{AccountId, BackupId, VaultId};
use crate::model::{BackupKind, LockReason};
use crate::rules::BackupFacts;

/// A backup is live until it is deleted or its retention ends (`$live` is now, in ms).
fn live(alias: &str, now: usize) -> String {
    format!(
        "{alias}.deleted_at IS NULL AND ({alias}.expires_at IS NULL OR {alias}.expires_at > ${now})"
    )
}

/// The columns of [`FactsRow`], from `backups b JOIN resources r` (a macro, so that
/// constant selects can include them).
macro_rules! facts_columns {
    () => {
        "b.id, b.kind, b.region, b.lock_reason, (r.encrypted IS TRUE) AS cluster_encrypted,
         (b.encrypted IS TRUE) AS backup_encrypted,
         EXISTS (SELECT 1 FROM share_backups held WHERE held.backup_id = b.id) AS shared"
    };
}
const FACTS: &str = facts_columns!();

/// What the sharing rules know of a backup.
#[derive(Debug, FromRow)]
pub struct FactsRow {
    pub id: BackupId,
    pub kind: BackupKind,
    pub region: String,
    pub lock_reason: Option<LockReason>,
    pub cluster_encrypted: Flag,
    pub backup_encrypted: Flag,
    pub shared: Flag,
}

impl From<FactsRow> for BackupFacts {
    fn from(row: FactsRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            region: row.region,
            cluster_encrypted: row.cluster_encrypted.0,
            encrypted: row.backup_encrypted.0,
            lock: row.lock_reason,
            shared: row.shared.0,
        }
    }
}

/// A live backup's facts with the account that owns it.
#[derive(Debug, FromRow)]
pub struct OwnedFactsRow {
    pub account_id: AccountId,
    #[sqlx(flatten)]
    pub facts: FactsRow,
}

/// A live backup's facts and owner; `None` when there is no such live backup.
pub async fn live_facts<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<Option<OwnedFactsRow>> {
    let sql = format!(
        "SELECT b.account_id, {FACTS} FROM backups b JOIN resources r ON r.id = b.resource_id
         WHERE b.id = $1 AND {}",
        live("b", 2)
    );
    sqlx::query_as(&sql)
        .bind(id)
        .bind(now)
        .fetch_optional(db)
        .await
}

/// The facts of a share's backups that are not deleted, by id.
pub async fn facts_of_share<'c>(
    db: impl Executor<'c, Database = Any>,
    share_id: &str,
) -> sqlx::Result<Vec<BackupFacts>> {
    let sql = format!(
        "SELECT {FACTS} FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
         JOIN resources r ON r.id = b.resource_id
         WHERE sb.share_id = $1 AND b.deleted_at IS NULL ORDER BY b.id"
    );
    let rows: Vec<FactsRow> = sqlx::query_as(&sql).bind(share_id).fetch_all(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A backup as "Backups" lists it.
#[derive(Debug, FromRow)]
pub struct SummaryRow {
    #[sqlx(flatten)]
    pub facts: FactsRow,
    pub name: String,
    pub size_bytes: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub resource_name: String,
    /// Some principal of some share holding it is set: "Sharing".
    pub sharing: Flag,
}

const SUMMARY: &str = concat!(
    "SELECT ",
    facts_columns!(),
    ", b.name, b.size_bytes, b.created_at, b.expires_at, r.name AS resource_name,
            EXISTS (SELECT 1 FROM share_backups sb
                    JOIN share_principals sp ON sp.share_id = sb.share_id
                    WHERE sb.backup_id = b.id) AS sharing
     FROM backups b JOIN resources r ON r.id = b.resource_id"
);

/// One keyset page of an account's live backups, newest first (`at`'s cursor binds
/// `$4, $5`), on the account's index by time; `limit` rows.
pub async fn summary_page<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
    now: i64,
    at: &crate::paging::PageAt,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    let (from, order) = at.sql("b.created_at", "b.id", 4);
    let sql = format!(
        "{SUMMARY} WHERE b.account_id = $1 AND {} {from}
         ORDER BY b.created_at {order}, b.id {order} LIMIT $3",
        live("b", 2)
    );
    super::after_cursor(sqlx::query_as(&sql).bind(account).bind(now).bind(limit), at)
        .fetch_all(db)
        .await
}

/// One live backup of the account as "Backups" lists it.
pub async fn summary<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
    id: &str,
    now: i64,
) -> sqlx::Result<Option<SummaryRow>> {
    let sql = format!(
        "{SUMMARY} WHERE b.id = $1 AND b.account_id = $2 AND {}",
        live("b", 3)
    );
    sqlx::query_as(&sql)
        .bind(id)
        .bind(account)
        .bind(now)
        .fetch_optional(db)
        .await
}

/// What copying a backup needs to know, and its name.
#[derive(Debug, FromRow)]
pub struct CopyRow {
    pub id: BackupId,
    pub name: String,
    pub kind: BackupKind,
    pub region: String,
    pub size_bytes: i64,
    pub encrypted: Flag,
}

impl CopyRow {
    pub fn facts(&self) -> CopyFacts {
        CopyFacts {
            backup: self.id.clone(),
            kind: self.kind,
            region: self.region.clone(),
            // A sealed backup is copied as it is stored, a little larger than its content.
            size_bytes: match self.encrypted.0 {
                true => crate::crypto::sealed_len(self.size_bytes),
                false => self.size_bytes,
            },
        }
    }
}

/// The columns of [`CopyRow`] from `backups b`.
pub const COPY_COLUMNS: &str =
    "b.id, b.name, b.kind, b.region, b.size_bytes, (b.encrypted IS TRUE) AS encrypted";

/// A backup's copy facts (deleted or not: the caller holds a grant of it).
pub async fn copy_row<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<CopyRow> {
    let sql = format!("SELECT {COPY_COLUMNS} FROM backups b WHERE b.id = $1");
    sqlx::query_as(&sql).bind(id).fetch_one(db).await
}

/// The account that owns a backup.
pub async fn owner<'c>(db: impl Executor<'c, Database = Any>, id: &str) -> sqlx::Result<AccountId> {
    sqlx::query_scalar("SELECT account_id FROM backups WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
}

/// A backup's owner and its data key wrapped by the owner's account key (encrypted ones).
#[derive(Debug, FromRow)]
pub struct KeyRow {
    pub account_id: AccountId,
    pub wrapped_key: Option<String>,
}

pub async fn wrapped_key<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<KeyRow> {
    sqlx::query_as("SELECT account_id, wrapped_key FROM backups WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
}

/// An account's own live backup kept in a vault, as the vault lists it.
#[derive(Debug, FromRow)]
pub struct InVaultRow {
    pub vault_id: VaultId,
    pub id: BackupId,
    pub name: String,
    pub size_bytes: i64,
}

/// Bytes of an account's live backups.
pub async fn owned_bytes<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(b.size_bytes), 0) AS BIGINT) FROM backups b
         WHERE b.account_id = $1 AND {}",
        live("b", 2)
    );
    sqlx::query_scalar(&sql)
        .bind(account)
        .bind(now)
        .fetch_one(db)
        .await
}

/// Marks a backup deleted unless it already is; whether this call did it.
pub async fn mark_deleted<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE backups SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A live backup as a restore of it needs it.
#[derive(Debug, FromRow)]
pub struct ForRestore {
    pub name: String,
    pub kind: BackupKind,
    pub region: String,
    pub account_id: AccountId,
    pub lock_reason: Option<LockReason>,
}

pub async fn for_restore(conn: &mut Conn, id: &str, now: i64) -> sqlx::Result<Option<ForRestore>> {
    let sql = format!(
        "SELECT b.name, b.kind, b.region, b.account_id, b.lock_reason FROM backups b
         WHERE b.id = $1 AND {}",
        live("b", 2)
    );
    sqlx::query_as(&sql)
        .bind(id)
        .bind(now)
        .fetch_optional(conn)
        .await
}

/// Rule 6: the backup is locked while restores read it (a lock it already has stays).
pub async fn lock_for_restore(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE backups SET lock_reason = 'restoring'
         WHERE id = $1 AND (lock_reason IS NULL OR lock_reason = 'restoring')",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rule 6's restoring lock goes once no restore of the original runs any more.
pub async fn unlock_after_restores(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE backups SET lock_reason = NULL
         WHERE id = $1 AND lock_reason = 'restoring'
           AND NOT EXISTS (SELECT 1 FROM restores
                           WHERE backup_id = $1 AND status = 'running' AND copy_grant_id IS NULL)",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A cluster's backups' ids, deleted ones too (to lock them before reading).
pub async fn ids_of_resource(conn: &mut Conn, resource: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT id FROM backups WHERE resource_id = $1")
        .bind(resource)
        .fetch_all(conn)
        .await
}

/// A live backup's id and rule 6's lock.
#[derive(Debug, FromRow)]
pub struct LockRow {
    pub id: BackupId,
    pub lock_reason: Option<LockReason>,
}

/// A resource's backups that are not deleted, by id.
pub async fn locks_of_resource(conn: &mut Conn, resource: &str) -> sqlx::Result<Vec<LockRow>> {
    sqlx::query_as(
        "SELECT id, lock_reason FROM backups WHERE resource_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(resource)
    .fetch_all(conn)
    .await
}
