//! `grants`: what a recipient holds of one backup after accepting, moved through the
//! grant state machine by conditional updates.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use crate::db::{Conn, Statement, Writes};
use crate::grant::{Grant, GrantStatus};
use crate::ids::{AccountId, BackupId, GrantId};
use crate::model::{BackupKind, LockReason};
use crate::paging::PageAt;
use crate::service::instant;

/// A grant's state-machine part: columns `status` and `revoke_at`.
#[derive(Debug, Clone, FromRow)]
pub struct StateRow {
    pub status: GrantStatus,
    pub revoke_at: Option<i64>,
}

impl StateRow {
    pub fn grant(&self) -> Grant {
        Grant {
            status: self.status,
            revoke_at: self.revoke_at.map(instant),
        }
    }
}

/// Moves a grant from `from` to `to` (its status and revoke time) only if it is still in
/// `from`; whether it moved. A grant active again counts as received anew.
pub async fn advance(
    to_db: &mut impl Writes,
    id: &str,
    from: GrantStatus,
    to: &Grant,
    now: i64,
) -> sqlx::Result<bool> {
    let statement = Statement::new(
        "UPDATE grants SET status = $1, revoke_at = $2, updated_at = $3,
             granted_at = CASE WHEN $1 = 'active' THEN $3 ELSE granted_at END
         WHERE id = $4 AND status = $5",
    )
    .bind(to.status)
    .bind(to.revoke_at.map(|at| at.timestamp_millis()))
    .bind(now)
    .bind(id)
    .bind(from);
    to_db.move_one(statement).await
}

/// Every active grant of an invitation starts revoking.
pub async fn revoke_invitation(
    conn: &mut Conn,
    invitation: &str,
    revoking: &Grant,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE grants SET status = $1, revoke_at = $2, updated_at = $3
         WHERE invitation_id = $4 AND status = 'active'",
    )
    .bind(revoking.status)
    .bind(revoking.revoke_at.map(|at| at.timestamp_millis()))
    .bind(now)
    .bind(invitation)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert(
    to: &mut impl Writes,
    id: &str,
    invitation: &str,
    backup: &str,
    recipient: &AccountId,
    grant: &Grant,
    now: i64,
) -> sqlx::Result<()> {
    let statement = Statement::new(
        "INSERT INTO grants (id, invitation_id, backup_id, recipient_account_id, status, revoke_at,
                             updated_at, granted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(invitation)
    .bind(backup)
    .bind(recipient.as_str())
    .bind(grant.status)
    .bind(grant.revoke_at.map(|at| at.timestamp_millis()))
    .bind(now);
    to.write(statement).await
}

/// A live backup of an invitation's share, with the invitation's grant of it if any.
#[derive(Debug, FromRow)]
pub struct OfShareBackup {
    pub backup_id: String,
    pub kind: BackupKind,
    pub grant_id: Option<String>,
    pub status: Option<GrantStatus>,
    pub revoke_at: Option<i64>,
}

pub async fn of_share_backups(
    conn: &mut Conn,
    invitation: &str,
    share: &str,
) -> sqlx::Result<Vec<OfShareBackup>> {
    sqlx::query_as(
        "SELECT sb.backup_id, b.kind, g.id AS grant_id, g.status, g.revoke_at
         FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
         LEFT JOIN grants g ON g.invitation_id = $1 AND g.backup_id = sb.backup_id
         WHERE sb.share_id = $2 AND b.deleted_at IS NULL",
    )
    .bind(invitation)
    .bind(share)
    .fetch_all(conn)
    .await
}

/// Whether the account holds the backup by a live (active or revoking) grant.
pub async fn is_received(conn: &mut Conn, backup: &str, account: &AccountId) -> sqlx::Result<bool> {
    let id: Option<String> = sqlx::query_scalar(
        "SELECT id FROM grants WHERE backup_id = $1 AND recipient_account_id = $2
         AND status IN ('active', 'revoking')",
    )
    .bind(backup)
    .bind(account)
    .fetch_optional(conn)
    .await?;
    Ok(id.is_some())
}

/// The account's best grant of a backup for restoring: an active one before a revoking.
#[derive(Debug, FromRow)]
pub struct ForRestore {
    pub id: String,
    #[sqlx(flatten)]
    pub state: StateRow,
}

pub async fn for_restore(
    conn: &mut Conn,
    backup: &str,
    account: &AccountId,
) -> sqlx::Result<Option<ForRestore>> {
    sqlx::query_as(
        "SELECT g.id, g.status, g.revoke_at FROM grants g
         WHERE g.backup_id = $1 AND g.recipient_account_id = $2 AND g.status IN ('active', 'revoking')
         ORDER BY CASE g.status WHEN 'active' THEN 0 ELSE 1 END LIMIT 1",
    )
    .bind(backup)
    .bind(account)
    .fetch_optional(conn)
    .await
}

/// A grant with who it is between and the share it came through.
#[derive(Debug, FromRow)]
pub struct PartiesRow {
    pub id: String,
    pub backup_id: String,
    pub recipient_account_id: AccountId,
    pub owner_account_id: AccountId,
    pub share_name: String,
    #[sqlx(flatten)]
    pub state: StateRow,
}

const PARTIES: &str = "SELECT g.id, g.backup_id, g.recipient_account_id, s.owner_account_id,
            s.name AS share_name, g.status, g.revoke_at
     FROM grants g
     JOIN invitations i ON i.id = g.invitation_id
     JOIN resource_shares s ON s.id = i.share_id";

/// Revoking grants whose delay has passed.
pub async fn due_revocations<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<PartiesRow>> {
    sqlx::query_as(&format!(
        "{PARTIES} WHERE g.status = 'revoking' AND g.revoke_at <= $1 LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The live (active or revoking) grants of a backup.
pub async fn live_of_backup(conn: &mut Conn, backup: &str) -> sqlx::Result<Vec<PartiesRow>> {
    sqlx::query_as(&format!(
        "{PARTIES} WHERE g.backup_id = $1 AND g.status IN ('active', 'revoking')"
    ))
    .bind(backup)
    .fetch_all(conn)
    .await
}

/// Expired backups something still reaches: a live grant, or a pending invitation.
pub async fn expired_backups<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT g.backup_id FROM grants g JOIN backups b ON b.id = g.backup_id
         WHERE g.status IN ('active', 'revoking') AND b.expires_at <= $1
         UNION
         SELECT sb.backup_id FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
         JOIN invitations i ON i.share_id = sb.share_id
         WHERE i.status = 'pending' AND b.expires_at <= $1
         LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// A received backup as "Shared With Me" lists it: the grant, the backup, the share it
/// came through and the copy in the recipient's vault.
#[derive(Debug, FromRow)]
pub struct ReceivedRow {
    pub id: GrantId,
    pub status: GrantStatus,
    pub backup_id: BackupId,
    pub backup_name: String,
    pub kind: BackupKind,
    pub region: String,
    pub lock_reason: Option<LockReason>,
    pub size_bytes: i64,
    pub encrypted: Flag,
    pub granted_at: i64,
    pub expires_at: Option<i64>,
    pub share_name: String,
    pub owner_account_id: AccountId,
    pub owner_name: String,
    #[sqlx(flatten)]
    pub copy: super::vaults::JoinedCopy,
    pub vault_name: Option<String>,
}

impl ReceivedRow {
    /// The backup as a vault choice sees it.
    pub fn copy_facts(&self) -> crate::copy::CopyFacts {
        super::backups::CopyRow {
            id: self.backup_id.clone(),
            name: self.backup_name.clone(),
            kind: self.kind,
            region: self.region.clone(),
            size_bytes: self.size_bytes,
            encrypted: self.encrypted,
        }
        .facts()
    }
}

/// One keyset page of the account's live grants by when they were granted, newest first
/// (`at`'s cursor binds `$3, $4`), on the index by recipient and that time.
pub async fn received_page<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ReceivedRow>> {
    let (from, order) = at.sql("g.granted_at", "g.id", 3);
    let sql = format!(
        "SELECT g.id, g.status, b.id AS backup_id, b.name AS backup_name, b.kind, b.region,
                b.lock_reason, b.size_bytes, (b.encrypted IS TRUE) AS encrypted, g.granted_at, b.expires_at, s.name AS share_name,
                s.owner_account_id, a.name AS owner_name, c.status AS copy_status,
                c.size_bytes AS copy_size, c.copied_bytes, c.failure, v.name AS vault_name
         FROM grants g
         LEFT JOIN copies c ON c.grant_id = g.id AND c.status IN ('copying', 'available', 'failed')
         LEFT JOIN vaults v ON v.id = c.vault_id
         JOIN backups b ON b.id = g.backup_id
         JOIN invitations i ON i.id = g.invitation_id
         JOIN resource_shares s ON s.id = i.share_id
         JOIN accounts a ON a.id = s.owner_account_id
         WHERE g.recipient_account_id = $1 AND g.status IN ('active', 'revoking')
           AND b.deleted_at IS NULL {from}
         ORDER BY g.granted_at {order}, g.id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(recipient).bind(limit), at)
        .fetch_all(db)
        .await
}

/// What starting a copy of a grant's backup needs: whether the backup is encrypted and
/// whether its owner granted the key with the share it came through (rule 5).
#[derive(Debug, FromRow)]
pub struct CopyTerms {
    pub backup_id: String,
    pub encrypted: Flag,
    pub key_granted: Flag,
}

pub async fn copy_terms(conn: &mut Conn, grant: &str) -> sqlx::Result<CopyTerms> {
    sqlx::query_as(
        "SELECT g.backup_id, (b.encrypted IS TRUE) AS encrypted, (sb.key_granted IS TRUE) AS key_granted
         FROM grants g
         JOIN backups b ON b.id = g.backup_id
         JOIN invitations i ON i.id = g.invitation_id
         LEFT JOIN share_backups sb ON sb.share_id = i.share_id AND sb.backup_id = g.backup_id
         WHERE g.id = $1",
    )
    .bind(grant)
    .fetch_one(conn)
    .await
}

/// An invitation's active grant of a server or disk backup that has no copy yet.
#[derive(Debug, FromRow)]
pub struct AwaitingCopy {
    pub id: String,
    pub backup_id: String,
    pub name: String,
}

pub async fn awaiting_copy(conn: &mut Conn, invitation: &str) -> sqlx::Result<Vec<AwaitingCopy>> {
    sqlx::query_as(
        "SELECT g.id, g.backup_id, b.name FROM grants g JOIN backups b ON b.id = g.backup_id
         WHERE g.invitation_id = $1 AND g.status = 'active'
           AND b.kind IN ('server_backup', 'disk_backup')
           AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.grant_id = g.id AND c.status <> 'deleted')
         ORDER BY g.backup_id",
    )
    .bind(invitation)
    .fetch_all(conn)
    .await
}

/// The status of the account's grant of a server or disk backup (what can be copied).
pub async fn copyable_status(
    conn: &mut Conn,
    grant: &str,
    account: &AccountId,
) -> sqlx::Result<Option<GrantStatus>> {
    sqlx::query_scalar(
        "SELECT g.status FROM grants g JOIN backups b ON b.id = g.backup_id
         WHERE g.id = $1 AND g.recipient_account_id = $2 AND b.kind IN ('server_backup', 'disk_backup')",
    )
    .bind(grant)
    .bind(account)
    .fetch_optional(conn)
    .await
}
