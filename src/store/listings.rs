//! The API's listings (AWS RAM's words: resource shares, invitations, associations,
//! resources, principals): one statement per page, each a keyset over its driving table
//! (`resource_shares`, `invitations`, `share_backups`, `grants`, `share_principals`), newest
//! first, with the optional filters the API offers. `at`'s cursor binds after the filters.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow};

use super::invitations::StateRow;
use super::{Filters, Flag};
use crate::ids::{AccountId, BackupId, InvitationId, ShareId};
use crate::model::{BackupKind, PrincipalScope};
use crate::paging::PageAt;

/// Runs a listing's statement: `$1` the account, `$2` the limit, then the filters' values
/// and the cursor's.
async fn fetch<'c, R>(
    db: impl Executor<'c, Database = Any>,
    sql: &str,
    account: &AccountId,
    limit: i64,
    filters: &Filters,
    at: &PageAt,
) -> sqlx::Result<Vec<R>>
where
    R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let query = filters.bind(sqlx::query_as(sql).bind(account).bind(limit));
    super::after_cursor(query, at).fetch_all(db).await
}

/// A resource share as the API lists it.
#[derive(Debug, Clone, FromRow)]
pub struct ListedShare {
    pub id: ShareId,
    pub name: String,
    pub owner_account_id: AccountId,
    pub scope: PrincipalScope,
    pub created_at: i64,
    /// The page's order: the share's creation, or the invitation's for shares received.
    pub listed_at: i64,
}

/// The owner's shares (`$1` owner, `$2` limit), by creation.
pub async fn owned_shares<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    name: Option<&str>,
    ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedShare>> {
    let filters = Filters::starting_at(3)
        .equal("name", name)
        .one_of("id", ids);
    let (from, order) = at.sql("created_at", "id", filters.next);
    let sql = format!(
        "SELECT id, name, owner_account_id, scope, created_at, created_at AS listed_at
         FROM resource_shares WHERE owner_account_id = $1 AND deleted_at IS NULL {} {from}
         ORDER BY created_at {order}, id {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, owner, limit, &filters, at).await
}

/// The shares other accounts invited `recipient` to and it has not turned down (pending
/// or accepted), by invitation.
pub async fn received_shares<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    name: Option<&str>,
    ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedShare>> {
    let filters = Filters::starting_at(3)
        .equal("s.name", name)
        .one_of("s.id", ids);
    let (from, order) = at.sql("i.created_at", "s.id", filters.next);
    let sql = format!(
        "SELECT s.id, s.name, s.owner_account_id, s.scope, s.created_at, i.created_at AS listed_at
         FROM invitations i JOIN resource_shares s ON s.id = i.share_id
         WHERE i.recipient_account_id = $1 AND i.status IN ('pending', 'accepted') {} {from}
         ORDER BY i.created_at {order}, s.id {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, recipient, limit, &filters, at).await
}

/// An invitation with its share, from either side.
#[derive(Debug, Clone, FromRow)]
pub struct ListedInvitation {
    pub id: InvitationId,
    pub share_id: ShareId,
    pub share_name: String,
    pub owner_account_id: AccountId,
    pub recipient_account_id: AccountId,
    #[sqlx(flatten)]
    pub state: StateRow,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    /// Whether any backup is still held (a grant active), and any is being revoked.
    pub holding: Flag,
    pub revoking: Flag,
}

/// The grant flags are scalar subqueries, not `EXISTS`: PostgreSQL may run an `EXISTS`
/// once as a hash of every active grant (a seq scan: 115 ms at 100,000 grants, against
/// 1.2 ms probing `grants_by_invitation` for the page's rows).
const INVITATIONS: &str = "SELECT i.id, i.share_id, s.name AS share_name, s.owner_account_id,
        i.recipient_account_id, i.status, i.expires_at, i.created_at, i.answered_at,
        (SELECT 1 FROM grants g WHERE g.invitation_id = i.id AND g.status = 'active' LIMIT 1)
            IS NOT NULL AS holding,
        (SELECT 1 FROM grants g WHERE g.invitation_id = i.id AND g.status = 'revoking' LIMIT 1)
            IS NOT NULL AS revoking
     FROM invitations i JOIN resource_shares s ON s.id = i.share_id";

/// The invitations `recipient` received (withdrawn ones left out), newest first.
pub async fn invitations_received<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    ids: &[String],
    share_ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedInvitation>> {
    let filters = Filters::starting_at(3)
        .one_of("i.id", ids)
        .one_of("i.share_id", share_ids);
    let (from, order) = at.sql("i.created_at", "i.id", filters.next);
    let sql = format!(
        "{INVITATIONS} WHERE i.recipient_account_id = $1 AND i.status <> 'cancelled' {} {from}
         ORDER BY i.created_at {order}, i.id {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, recipient, limit, &filters, at).await
}

/// The invitations of the owner's shares: one per recipient account each reached.
pub async fn invitations_sent<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    share_ids: &[String],
    recipient: Option<&str>,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedInvitation>> {
    let filters = Filters::starting_at(3)
        .one_of("i.share_id", share_ids)
        .equal("i.recipient_account_id", recipient);
    let (from, order) = at.sql("i.created_at", "i.id", filters.next);
    let sql = format!(
        "{INVITATIONS} WHERE i.owner_account_id = $1 {} {from}
         ORDER BY i.created_at {order}, i.id {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, owner, limit, &filters, at).await
}

/// A backup in a resource share.
#[derive(Debug, Clone, FromRow)]
pub struct ListedBackup {
    pub share_id: ShareId,
    pub share_name: String,
    pub backup_id: BackupId,
    pub owner_account_id: AccountId,
    pub kind: BackupKind,
    pub region: String,
    pub added_at: i64,
    /// Deleted by its owner, or (received) lost: no longer usable.
    pub unavailable: Flag,
    /// The page's order key.
    pub listed_at: i64,
    pub listed_id: String,
}

/// The backups in the owner's shares, by when each was added.
pub async fn backups_shared<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    share_ids: &[String],
    backup_ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedBackup>> {
    let filters = Filters::starting_at(3)
        .one_of("sb.share_id", share_ids)
        .one_of("sb.backup_id", backup_ids);
    let key = "(sb.share_id || '/' || sb.backup_id)";
    let (from, order) = at.sql("sb.added_at", key, filters.next);
    let sql = format!(
        "SELECT sb.share_id, s.name AS share_name, b.id AS backup_id, b.account_id AS owner_account_id,
                b.kind, b.region, sb.added_at, (b.deleted_at IS NOT NULL) AS unavailable,
                sb.added_at AS listed_at, {key} AS listed_id
         FROM share_backups sb
         JOIN resource_shares s ON s.id = sb.share_id
         JOIN backups b ON b.id = sb.backup_id
         WHERE s.owner_account_id = $1 {} {from}
         ORDER BY sb.added_at {order}, {key} {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, owner, limit, &filters, at).await
}

/// The backups `recipient` holds or held (active, revoking, lost), by when granted.
pub async fn backups_received<'c>(
    db: impl Executor<'c, Database = Any>,
    recipient: &AccountId,
    share_ids: &[String],
    backup_ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedBackup>> {
    let filters = Filters::starting_at(3)
        .one_of("i.share_id", share_ids)
        .one_of("g.backup_id", backup_ids);
    let (from, order) = at.sql("g.granted_at", "g.id", filters.next);
    let sql = format!(
        "SELECT i.share_id, s.name AS share_name, b.id AS backup_id, b.account_id AS owner_account_id,
                b.kind, b.region, g.granted_at AS added_at,
                (g.status = 'lost' OR b.deleted_at IS NOT NULL) AS unavailable,
                g.granted_at AS listed_at, g.id AS listed_id
         FROM grants g
         JOIN invitations i ON i.id = g.invitation_id
         JOIN resource_shares s ON s.id = i.share_id
         JOIN backups b ON b.id = g.backup_id
         WHERE g.recipient_account_id = $1 AND g.status IN ('active', 'revoking', 'lost') {} {from}
         ORDER BY g.granted_at {order}, g.id {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, recipient, limit, &filters, at).await
}

/// A principal of one of the owner's shares, as typed.
#[derive(Debug, Clone, FromRow)]
pub struct ListedPrincipal {
    pub share_id: ShareId,
    pub principal_id: String,
    pub added_at: i64,
    pub listed_id: String,
}

/// The principals of the owner's shares, by when each was added.
pub async fn principals<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    share_ids: &[String],
    principal_ids: &[String],
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedPrincipal>> {
    let filters = Filters::starting_at(3)
        .one_of("sp.share_id", share_ids)
        .one_of("sp.principal_id", principal_ids);
    let key = "(sp.share_id || '/' || sp.principal_id)";
    let (from, order) = at.sql("sp.added_at", key, filters.next);
    let sql = format!(
        "SELECT sp.share_id, sp.principal_id, sp.added_at, {key} AS listed_id
         FROM share_principals sp JOIN resource_shares s ON s.id = sp.share_id
         WHERE s.owner_account_id = $1 {} {from}
         ORDER BY sp.added_at {order}, {key} {order} LIMIT $2",
        filters.sql
    );
    fetch(db, &sql, owner, limit, &filters, at).await
}
