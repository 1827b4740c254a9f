//! Resource shares and what they hold: `resource_shares`, `share_backups` (the backups,
//! with rule 5's key grant), `share_principals` (as typed) and `share_recipients` (the
//! accounts the principals reached when last settled).

use std::collections::BTreeSet;

use sqlx::{Any, Executor, FromRow};

use super::{placeholders, Flag};
use crate::db::{Conn, Statement, Writes};
use crate::ids::{AccountId, BackupId, PrincipalRef, ShareId};
use crate::model::{BackupKind, PrincipalScope};
use crate::rules::BackupFacts;

/// A resource share.
#[derive(Debug, Clone, FromRow)]
pub struct ShareRow {
    pub id: String,
    pub name: String,
    #[sqlx(rename = "owner_account_id")]
    pub owner: AccountId,
    pub scope: PrincipalScope,
}

const SHARE: &str = "SELECT id, name, owner_account_id, scope FROM resource_shares";

/// A share by id; `None` if there is none.
pub async fn load<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<ShareRow>> {
    sqlx::query_as(&format!("{SHARE} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A share by id unless it was deleted; `None` if there is none.
pub async fn load_live<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
) -> sqlx::Result<Option<ShareRow>> {
    sqlx::query_as(&format!("{SHARE} WHERE id = $1 AND deleted_at IS NULL"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Marks a share deleted (DeleteResourceShare); `false` if it already was.
pub async fn mark_deleted(conn: &mut Conn, id: &str, now: i64) -> sqlx::Result<bool> {
    let marked = sqlx::query(
        "UPDATE resource_shares SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(marked.rows_affected() == 1)
}

/// A share by id if `owner` owns it and it was not deleted.
pub async fn load_owned<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    owner: &AccountId,
) -> sqlx::Result<Option<ShareRow>> {
    sqlx::query_as(&format!(
        "{SHARE} WHERE id = $1 AND owner_account_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

pub async fn insert(to: &mut impl Writes, share: &ShareRow, now: i64) -> sqlx::Result<()> {
    let statement = Statement::new(
        "INSERT INTO resource_shares (id, owner_account_id, name, scope, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(share.id.as_str())
    .bind(share.owner.as_str())
    .bind(share.name.as_str())
    .bind(share.scope)
    .bind(now);
    to.write(statement).await
}

/// A share's place in a page: its id and the time the page is ordered by.
#[derive(Debug, FromRow)]
pub struct PagedShare {
    pub id: String,
    pub created_at: i64,
}

/// One keyset page of the owner's share ids (`at`'s cursor binds `$3, $4`).
pub async fn page<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    at: &crate::paging::PageAt,
    limit: i64,
) -> sqlx::Result<Vec<PagedShare>> {
    let (from, order) = at.sql("created_at", "id", 3);
    let sql = format!(
        "SELECT id, created_at FROM resource_shares WHERE owner_account_id = $1 {from}
         ORDER BY created_at {order}, id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(owner).bind(limit), at)
        .fetch_all(db)
        .await
}

/// How many shares the owner has, counted up to `cap + 1` (a cheap bound, not a scan).
pub async fn count_capped<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    cap: u64,
) -> sqlx::Result<u64> {
    let counted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM resource_shares WHERE owner_account_id = $1 LIMIT $2) t",
    )
    .bind(owner)
    .bind(i64::try_from(cap).unwrap_or(i64::MAX - 1) + 1)
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(counted).unwrap_or(0))
}

/// A choice of the dialog's "Select an existing resource share".
#[derive(Debug, FromRow)]
pub struct ChoiceRow {
    pub id: ShareId,
    pub name: String,
}

/// The owner's shares whose names match `pattern` (a `LIKE` pattern with `\` escapes), by
/// name after `after`, walking the unique (owner, name) index.
pub async fn choices<'c>(
    db: impl Executor<'c, Database = Any>,
    owner: &AccountId,
    after: &str,
    pattern: &str,
    limit: i64,
) -> sqlx::Result<Vec<ChoiceRow>> {
    sqlx::query_as(
        "SELECT id, name FROM resource_shares
         WHERE owner_account_id = $1 AND deleted_at IS NULL
           AND name > $2 AND LOWER(name) LIKE LOWER($3) ESCAPE '\\'
         ORDER BY name LIMIT $4",
    )
    .bind(owner)
    .bind(after)
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Adds a backup to a share (once), with rule 5's key grant. The backup's first share
/// makes it one more shared backup of its owner (rule 9's usage, kept on the account):
/// `first_share` says whether no share held it when the limits were counted, under the
/// same locks (so it is not in this share either, and the insert needs no answer read
/// before counting); when one did, the account's counts are not even looked at.
pub async fn add_backup(
    to: &mut impl Writes,
    owner: &AccountId,
    share: &str,
    backup: &BackupFacts,
    key_granted: bool,
    first_share: bool,
    now: i64,
) -> sqlx::Result<()> {
    let adding = Statement::new(
        "INSERT INTO share_backups (share_id, backup_id, added_at, key_granted) VALUES ($1, $2, $3, $4)
         ON CONFLICT (share_id, backup_id) DO NOTHING",
    )
    .bind(share)
    .bind(backup.id.as_str())
    .bind(now)
    .bind(key_granted);
    to.write(adding).await?;
    if !first_share {
        return Ok(());
    }
    let cluster = i64::from(backup.kind == BackupKind::ClusterBackup);
    let counting = Statement::new(
        "UPDATE accounts SET shared_backups = shared_backups + 1,
                             shared_cluster_backups = shared_cluster_backups + $2
         WHERE id = $1 AND NOT EXISTS (
             SELECT 1 FROM share_backups WHERE backup_id = $3 AND share_id <> $4)",
    )
    .bind(owner.as_str())
    .bind(cluster)
    .bind(backup.id.as_str())
    .bind(share);
    to.write(counting).await
}

/// The ids of every backup a share holds, deleted ones too (to lock them before reading).
pub async fn backup_ids(conn: &mut Conn, share: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT backup_id FROM share_backups WHERE share_id = $1")
        .bind(share)
        .fetch_all(conn)
        .await
}

/// A share's live backups: id and name, by id.
#[derive(Debug, FromRow)]
pub struct NamedBackup {
    pub id: BackupId,
    pub name: String,
}

pub async fn live_backups<'c>(
    db: impl Executor<'c, Database = Any>,
    share: &str,
) -> sqlx::Result<Vec<NamedBackup>> {
    sqlx::query_as(
        "SELECT b.id, b.name FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
         WHERE sb.share_id = $1 AND b.deleted_at IS NULL ORDER BY b.id",
    )
    .bind(share)
    .fetch_all(db)
    .await
}

/// Rule 9's inputs for one owner, in one statement: the distinct backups it shares and
/// the cluster backups among them, its own limit of shared cluster backups where an
/// operator raised it (`account_limits`), whether it already has a share named as a new
/// one would be, and whether it is in a resource directory that auto-accepts.
#[derive(Debug, FromRow)]
pub struct UsageAndLimit {
    pub shared: i64,
    pub clusters: i64,
    pub cluster_limit: Option<i64>,
    pub name_taken: Flag,
    /// The owner is in a resource directory whose auto-accept is on: its recipients there
    /// accept at once.
    pub auto_accepting: Flag,
}

/// `new_name`: the name of a share about to be created (`None`: `name_taken` is false).
pub async fn usage_and_limit(
    conn: &mut Conn,
    owner: &AccountId,
    new_name: Option<&str>,
) -> sqlx::Result<UsageAndLimit> {
    sqlx::query_as(
        "SELECT a.shared_backups AS shared, a.shared_cluster_backups AS clusters,
                (SELECT l.shared_cluster_backups FROM account_limits l
                 WHERE l.account_id = a.id) AS cluster_limit,
                EXISTS (SELECT 1 FROM resource_shares s
                        WHERE s.owner_account_id = a.id AND s.name = $2) AS name_taken,
                EXISTS (SELECT 1 FROM directory_members m
                        JOIN directories d ON d.id = m.directory_id
                        WHERE m.account_id = a.id AND d.auto_accept) AS auto_accepting
         FROM accounts a WHERE a.id = $1",
    )
    .bind(owner)
    .bind(new_name)
    .fetch_one(conn)
    .await
}

/// A principal as stored.
#[derive(Debug, FromRow)]
struct PrincipalRow {
    kind: String,
    principal_id: String,
}

impl PrincipalRow {
    fn principal(self) -> sqlx::Result<PrincipalRef> {
        PrincipalRef::from_stored(&self.kind, &self.principal_id).ok_or_else(|| {
            sqlx::Error::Decode(format!("share_principals.kind = {:?}", self.kind).into())
        })
    }
}

/// A share's principals, in the order they were added.
pub async fn principals(conn: &mut Conn, share: &str) -> sqlx::Result<Vec<PrincipalRef>> {
    let rows: Vec<PrincipalRow> = sqlx::query_as(
        "SELECT kind, principal_id FROM share_principals WHERE share_id = $1 ORDER BY added_at, principal_id",
    )
    .bind(share)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(PrincipalRow::principal).collect()
}

pub async fn add_principal(
    to: &mut impl Writes,
    share: &str,
    principal: &PrincipalRef,
    now: i64,
) -> sqlx::Result<()> {
    let statement = Statement::new(
        "INSERT INTO share_principals (share_id, kind, principal_id, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (share_id, kind, principal_id) DO NOTHING",
    )
    .bind(share)
    .bind(principal.kind())
    .bind(principal.id())
    .bind(now);
    to.write(statement).await
}

pub async fn remove_principal(
    conn: &mut Conn,
    share: &str,
    principal: &PrincipalRef,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM share_principals WHERE share_id = $1 AND kind = $2 AND principal_id = $3",
    )
    .bind(share)
    .bind(principal.kind())
    .bind(principal.id())
    .execute(conn)
    .await?;
    Ok(())
}

/// A principal of one of several shares, with the account an account or project
/// principal stands for (folders resolve separately).
#[derive(Debug, FromRow)]
pub struct PrincipalOfShare {
    pub share_id: ShareId,
    kind: String,
    pub principal_id: String,
    pub account_id: Option<AccountId>,
}

impl PrincipalOfShare {
    pub fn principal(&self) -> sqlx::Result<PrincipalRef> {
        PrincipalRow {
            kind: self.kind.clone(),
            principal_id: self.principal_id.clone(),
        }
        .principal()
    }
}

/// Every principal of these shares, in each share's order.
pub async fn principals_of<'c>(
    db: impl Executor<'c, Database = Any>,
    shares: &[String],
) -> sqlx::Result<Vec<PrincipalOfShare>> {
    if shares.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sp.share_id, sp.kind, sp.principal_id, COALESCE(a.id, p.account_id) AS account_id
         FROM share_principals sp
         LEFT JOIN accounts a ON sp.kind = 'account' AND a.id = sp.principal_id
         LEFT JOIN projects p ON sp.kind = 'project' AND p.id = sp.principal_id
         WHERE sp.share_id IN ({})
         ORDER BY sp.share_id, sp.added_at, sp.principal_id",
        placeholders(1, shares.len())
    );
    let mut query = sqlx::query_as(&sql);
    for share in shares {
        query = query.bind(share.as_str());
    }
    query.fetch_all(db).await
}

/// The shares with a folder principal, and the backups they hold (the shares a change of
/// folder membership can reach).
pub async fn with_folders(conn: &mut Conn) -> sqlx::Result<(Vec<String>, Vec<String>)> {
    let shares = sqlx::query_scalar(
        "SELECT DISTINCT share_id FROM share_principals WHERE kind = 'folder' ORDER BY share_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let backups = sqlx::query_scalar(
        "SELECT DISTINCT sb.backup_id FROM share_backups sb
         JOIN share_principals sp ON sp.share_id = sb.share_id WHERE sp.kind = 'folder'",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((shares, backups))
}

/// The accounts a share reached when its recipients were last settled.
pub async fn recipients(conn: &mut Conn, share: &str) -> sqlx::Result<BTreeSet<AccountId>> {
    let ids: Vec<AccountId> =
        sqlx::query_scalar("SELECT recipient_account_id FROM share_recipients WHERE share_id = $1")
            .bind(share)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().collect())
}

pub async fn add_recipient(
    to: &mut impl Writes,
    share: &str,
    account: &AccountId,
) -> sqlx::Result<()> {
    let statement = Statement::new(
        "INSERT INTO share_recipients (share_id, recipient_account_id) VALUES ($1, $2)",
    )
    .bind(share)
    .bind(account.as_str());
    to.write(statement).await
}

pub async fn remove_recipient(
    conn: &mut Conn,
    share: &str,
    account: &AccountId,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM share_recipients WHERE share_id = $1 AND recipient_account_id = $2")
        .bind(share)
        .bind(account)
        .execute(conn)
        .await?;
    Ok(())
}

/// One row of "My Shares" or of a backup's "Share List": a backup of a share, one
/// recipient's invitation, its grant and the grant's copy.
#[derive(Debug, FromRow)]
pub struct RecipientRow {
    pub share_id: ShareId,
    pub share_name: String,
    pub backup_id: BackupId,
    pub backup_name: String,
    pub recipient_account_id: AccountId,
    pub recipient_name: String,
    #[sqlx(flatten)]
    pub invitation: super::invitations::StateRow,
    pub grant_status: Option<crate::grant::GrantStatus>,
    #[sqlx(flatten)]
    pub copy: super::vaults::JoinedCopy,
    /// The share's principals still reach the recipient.
    pub reached: Flag,
}

const RECIPIENT_ROWS: &str =
    "SELECT s.id AS share_id, s.name AS share_name, b.id AS backup_id, b.name AS backup_name,
            i.recipient_account_id, a.name AS recipient_name, i.status, i.expires_at,
            g.status AS grant_status, c.status AS copy_status, c.size_bytes AS copy_size,
            c.copied_bytes, c.failure,
            EXISTS (SELECT 1 FROM share_recipients sr
                    WHERE sr.share_id = s.id AND sr.recipient_account_id = i.recipient_account_id) AS reached
     FROM resource_shares s
     JOIN share_backups sb ON sb.share_id = s.id
     JOIN backups b ON b.id = sb.backup_id
     JOIN invitations i ON i.share_id = s.id
     JOIN accounts a ON a.id = i.recipient_account_id
     LEFT JOIN grants g ON g.invitation_id = i.id AND g.backup_id = b.id
     LEFT JOIN copies c ON c.grant_id = g.id AND c.status IN ('copying', 'available', 'failed')";

/// Every row of these shares (one page's, read by an index already, so looked up by
/// primary key alone: with the owner's condition too, SQLite walks the owner's index),
/// or only their rows of one backup.
pub async fn rows_of_shares<'c>(
    db: impl Executor<'c, Database = Any>,
    shares: &[String],
    backup: Option<&str>,
) -> sqlx::Result<Vec<RecipientRow>> {
    if shares.is_empty() {
        return Ok(Vec::new());
    }
    let only_backup = match backup {
        Some(_) => format!("AND b.id = ${}", shares.len() + 1),
        None => String::new(),
    };
    let sql = format!(
        "{RECIPIENT_ROWS} WHERE s.id IN ({}) {only_backup}
         ORDER BY s.created_at DESC, s.id DESC, b.id, a.name",
        placeholders(1, shares.len())
    );
    let mut query = sqlx::query_as(&sql);
    for share in shares {
        query = query.bind(share.as_str());
    }
    if let Some(backup) = backup {
        query = query.bind(backup);
    }
    query.fetch_all(db).await
}

/// One keyset page of the shares holding a backup, by when it was added to them, newest
/// first (`at`'s cursor binds `$3, $4`), on the index by backup and time.
pub async fn page_of_backup<'c>(
    db: impl Executor<'c, Database = Any>,
    backup: &str,
    at: &crate::paging::PageAt,
    limit: i64,
) -> sqlx::Result<Vec<PagedShare>> {
    let (from, order) = at.sql("added_at", "share_id", 3);
    let sql = format!(
        "SELECT share_id AS id, added_at AS created_at FROM share_backups WHERE backup_id = $1 {from}
         ORDER BY added_at {order}, share_id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(backup).bind(limit), at)
        .fetch_all(db)
        .await
}

/// The name of the account, project or folder a principal stands for, if it exists.
pub async fn principal_name(
    conn: &mut Conn,
    principal: &PrincipalRef,
) -> sqlx::Result<Option<String>> {
    let sql = match principal {
        PrincipalRef::Account(_) => "SELECT name FROM accounts WHERE id = $1",
        PrincipalRef::Project(_) => "SELECT name FROM projects WHERE id = $1",
        PrincipalRef::Folder(_) => "SELECT name FROM folders WHERE id = $1",
    };
    sqlx::query_scalar(sql)
        .bind(principal.id())
        .fetch_optional(conn)
        .await
}
