//! `invitations`: one per (resource share, recipient account), moved through its state
//! machine by conditional updates so a racing change is noticed, never applied twice.

use sqlx::{Any, Executor, FromRow};

use super::placeholders;
use crate::db::{Conn, Statement, Writes};
use crate::ids::{AccountId, InvitationId};
use crate::invitation::{Invitation, InvitationStatus};
use crate::paging::PageAt;

/// An invitation's state-machine part: columns `status` and `expires_at`.
#[derive(Debug, Clone, FromRow)]
pub struct StateRow {
    pub status: InvitationStatus,
    pub expires_at: i64,
}

impl StateRow {
    pub fn invitation(&self) -> Invitation {
        Invitation {
            status: self.status,
            expires_at: crate::service::instant(self.expires_at),
        }
    }

    /// The status as of `now`: one left unanswered past its deadline reads Expired even
    /// before the lifecycle job has written it.
    pub fn status_at(&self, now: chrono::DateTime<chrono::Utc>) -> InvitationStatus {
        let invitation = self.invitation();
        invitation.expire(now).unwrap_or(invitation.status)
    }
}

/// An invitation with who it is between and the share it is for.
#[derive(Debug, FromRow)]
pub struct PartiesRow {
    pub id: String,
    pub share_id: String,
    pub recipient_account_id: AccountId,
    pub owner_account_id: AccountId,
    pub share_name: String,
    #[sqlx(flatten)]
    pub state: StateRow,
}

const PARTIES: &str = "SELECT i.id, i.share_id, i.recipient_account_id, s.owner_account_id,
            s.name AS share_name, i.status, i.expires_at
     FROM invitations i JOIN resource_shares s ON s.id = i.share_id";

/// One invitation with its parties.
pub async fn parties(conn: &mut Conn, id: &str) -> sqlx::Result<Option<PartiesRow>> {
    sqlx::query_as(&format!("{PARTIES} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Pending invitations whose deadline passed, for the lifecycle job to expire.
pub async fn due<'c>(
    db: impl Executor<'c, Database = Any>,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<PartiesRow>> {
    sqlx::query_as(&format!(
        "{PARTIES} WHERE i.status = 'pending' AND i.expires_at <= $1 LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Pending invitations to shares holding `backup` that have no live backup left.
pub async fn pending_to_emptied_shares(
    conn: &mut Conn,
    backup: &str,
    now: i64,
) -> sqlx::Result<Vec<PartiesRow>> {
    sqlx::query_as(&format!(
        "{PARTIES} JOIN share_backups sb ON sb.share_id = s.id
         WHERE sb.backup_id = $1 AND i.status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM share_backups other JOIN backups b ON b.id = other.backup_id
                           WHERE other.share_id = s.id AND b.deleted_at IS NULL
                             AND (b.expires_at IS NULL OR b.expires_at > $2))"
    ))
    .bind(backup)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// The share an invitation is for.
pub async fn share_of(conn: &mut Conn, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT share_id FROM invitations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// An invitation's id and state.
#[derive(Debug, FromRow)]
pub struct IdState {
    pub id: String,
    #[sqlx(flatten)]
    pub state: StateRow,
}

/// The invitation of a share to a recipient, if one was ever sent.
pub async fn of_recipient(
    conn: &mut Conn,
    share: &str,
    recipient: &AccountId,
) -> sqlx::Result<Option<IdState>> {
    sqlx::query_as(
        "SELECT id, status, expires_at FROM invitations WHERE share_id = $1 AND recipient_account_id = $2",
    )
    .bind(share)
    .bind(recipient)
    .fetch_optional(conn)
    .await
}

/// Moves an invitation from `from` to `to`, answered at `now`, only if it is still in
/// `from`: a racing change is noticed (returns `false`) and nothing is done twice.
pub async fn answer(
    to_db: &mut impl Writes,
    id: &str,
    from: InvitationStatus,
    to: InvitationStatus,
    now: i64,
) -> sqlx::Result<bool> {
    let statement = Statement::new(
        "UPDATE invitations SET status = $1, answered_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from);
    to_db.move_one(statement).await
}

/// What sending an invitation writes: its status (pending, or accepted at once where the
/// directory auto-accepts), when it was sent, its deadline and when it was answered.
#[derive(Debug)]
pub struct Sending {
    pub status: InvitationStatus,
    pub sent_at: i64,
    pub expires_at: i64,
    pub answered_at: Option<i64>,
}

/// Sends an ended invitation again, if it is still in `from`.
pub async fn send_again(
    conn: &mut Conn,
    id: &str,
    from: InvitationStatus,
    sending: &Sending,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE invitations SET status = $1, created_at = $2, expires_at = $3, answered_at = $4
         WHERE id = $5 AND status = $6",
    )
    .bind(sending.status)
    .bind(sending.sent_at)
    .bind(sending.expires_at)
    .bind(sending.answered_at)
    .bind(id)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert(
    to: &mut impl Writes,
    id: &str,
    share: &str,
    recipient: &AccountId,
    sending: &Sending,
) -> sqlx::Result<()> {
    let statement = Statement::new(
        "INSERT INTO invitations (id, share_id, recipient_account_id, status, created_at, expires_at,
                                  answered_at, owner_account_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
                 (SELECT owner_account_id FROM resource_shares WHERE id = $2))",
    )
    .bind(id)
    .bind(share)
    .bind(recipient.as_str())
    .bind(sending.status)
    .bind(sending.sent_at)
    .bind(sending.expires_at)
    .bind(sending.answered_at);
    to.write(statement).await
}

/// How many invitations wait for the account's answer.
pub async fn pending_count<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations
         WHERE recipient_account_id = $1 AND status = 'pending' AND expires_at > $2",
    )
    .bind(recipient)
    .bind(now)
    .fetch_one(db)
    .await
}

/// A pending invitation as "Shared With Me" lists it.
#[derive(Debug, FromRow)]
pub struct PendingRow {
    pub id: InvitationId,
    pub created_at: i64,
    pub expires_at: i64,
    pub share_name: String,
    pub owner_account_id: AccountId,
    pub owner_name: String,
}

/// One keyset page of the account's pending invitations, newest first (`at`'s cursor
/// binds `$4, $5`), on the index by recipient, status and time.
pub async fn pending_page<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    now: i64,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<PendingRow>> {
    let (from, order) = at.sql("i.created_at", "i.id", 4);
    // `+ 0` keeps SQLite's planner (which has no statistics) off the index by deadline:
    // with it, it sorted every pending invitation of the account for one page (76 ms at
    // 100,000 against 0.5 ms on `invitations_by_recipient_time`).
    let sql = format!(
        "SELECT i.id, i.created_at, i.expires_at, s.name AS share_name,
                s.owner_account_id, a.name AS owner_name
         FROM invitations i
         JOIN resource_shares s ON s.id = i.share_id
         JOIN accounts a ON a.id = s.owner_account_id
         WHERE i.recipient_account_id = $1 AND i.status = 'pending' AND i.expires_at + 0 > $2 {from}
         ORDER BY i.created_at {order}, i.id {order} LIMIT $3"
    );
    super::after_cursor(
        sqlx::query_as(&sql).bind(recipient).bind(now).bind(limit),
        at,
    )
    .fetch_all(db)
    .await
}

/// A live backup of a pending invitation, with what choosing a vault for it needs.
#[derive(Debug, FromRow)]
pub struct OfferedBackup {
    pub invitation_id: InvitationId,
    #[sqlx(flatten)]
    pub backup: super::backups::CopyRow,
}

/// The live backups of these invitations' shares, by backup id.
pub async fn offered_backups(
    conn: &mut Conn,
    invitations: &[&InvitationId],
) -> sqlx::Result<Vec<OfferedBackup>> {
    if invitations.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT i.id AS invitation_id, {}
         FROM invitations i
         JOIN share_backups sb ON sb.share_id = i.share_id
         JOIN backups b ON b.id = sb.backup_id
         WHERE i.id IN ({}) AND b.deleted_at IS NULL
         ORDER BY b.id",
        super::backups::COPY_COLUMNS,
        placeholders(1, invitations.len())
    );
    let mut query = sqlx::query_as(&sql);
    for id in invitations {
        query = query.bind(*id);
    }
    query.fetch_all(conn).await
}

/// An invitation that ended unaccepted, as "Shared With Me" lists it.
#[derive(Debug, FromRow)]
pub struct AnsweredRow {
    pub id: InvitationId,
    #[sqlx(flatten)]
    pub state: StateRow,
    /// When it ended.
    pub at: i64,
    pub share_name: String,
    pub owner_account_id: AccountId,
    pub owner_name: String,
}

/// One keyset page of the account's ended invitations by when they ended (every move out
/// of pending writes `answered_at`), on the index by recipient and that time (`at`'s
/// cursor binds `$3, $4`).
pub async fn answered_page<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<AnsweredRow>> {
    let (from, order) = at.sql("i.answered_at", "i.id", 3);
    let sql = format!(
        "SELECT i.id, i.status, i.expires_at, i.answered_at AS at,
                s.name AS share_name, s.owner_account_id, a.name AS owner_name
         FROM invitations i
         JOIN resource_shares s ON s.id = i.share_id
         JOIN accounts a ON a.id = s.owner_account_id
         WHERE i.recipient_account_id = $1 AND i.answered_at IS NOT NULL
           AND i.status IN ('rejected', 'expired', 'cancelled') {from}
         ORDER BY i.answered_at {order}, i.id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(recipient).bind(limit), at)
        .fetch_all(db)
        .await
}
