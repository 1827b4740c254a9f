//! What the owner sees of its resource shares: "My Shares", a backup's "Share List", and
//! the shares and folders the share dialog offers.

use super::recipients::{directory_of, resolve_principal, stored_principals};
use super::*;
use crate::ids::FolderId;
use crate::model::PrincipalScope;
use crate::paging::{PageAt, Total, COUNT_CAP};
use crate::views::{
    DirectoryView, MySharesPage, PrincipalView, ShareChoice, ShareChoices, ShareOptions,
    ShareSummary,
};

/// Resource shares per page of the share dialog's "Select an existing resource share".
pub const SHARE_CHOICES_PAGE: u32 = 50;

/// Resource shares per page of "My Shares".
pub const MY_SHARES_PAGE: u32 = 50;

/// Which rows of "My Shares" to read.
enum ShareRows<'a> {
    /// Every row of these resource shares (one page's).
    Shares(&'a [String]),
    /// Every row of one backup.
    Backup(&'a str),
}

impl Backshare {
    /// "My Shares", one keyset page of resource shares (newest first): every backup each
    /// shares, per recipient, with its status. A fixed number of queries whatever the
    /// account holds: a capped count, the page's shares by the owner's index from the
    /// cursor, their rows, and their principals.
    pub async fn my_shares(
        &self,
        caller: &Caller,
        at: &PageAt,
        now: DateTime<Utc>,
    ) -> ServiceResult<MySharesPage> {
        let counted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM resource_shares WHERE owner_account_id = $1 LIMIT $2) t",
        )
        .bind(caller.account_id.as_str())
        .bind(COUNT_CAP as i64 + 1)
        .fetch_one(&self.db)
        .await?;
        let page = MY_SHARES_PAGE as usize;
        let (shares, links) = keyset_page(
            at,
            page,
            columns_cursor("created_at", "id"),
            |at| async move {
                let (from, order) = at.sql("created_at", "id", 3);
                let sql = format!(
                    "SELECT id, created_at FROM resource_shares WHERE owner_account_id = $1 {from}
                 ORDER BY created_at {order}, id {order} LIMIT $2"
                );
                let mut query = sqlx::query(&sql)
                    .bind(caller.account_id.as_str())
                    .bind(page as i64 + 1);
                if let Some(cursor) = at.cursor() {
                    query = query.bind(cursor.at).bind(cursor.id.as_str());
                }
                Ok(query.fetch_all(&self.db).await?)
            },
        )
        .await?;
        let ids: Vec<String> = shares.iter().map(|row| row.get("id")).collect();
        let rows = self
            .share_rows(caller, ShareRows::Shares(&ids), now)
            .await?;
        Ok(MySharesPage {
            rows,
            links,
            shares_on_page: u32::try_from(ids.len()).unwrap_or(u32::MAX),
            total_shares: Total::of_capped(u64::try_from(counted).unwrap_or(0)),
        })
    }

    /// A backup's "Share List" tab: each recipient and its status. Only the owner's account
    /// sees it; a recipient may see the backup but not who else received it.
    pub async fn share_list(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<(BackupSummary, Vec<MyShareRow>)> {
        let backup = self.backup_summary(caller, backup_id, now).await?;
        let Some(backup) = backup else {
            let mut conn = self.db.acquire().await?;
            return Err(match self.owned_backup(&mut conn, caller, backup_id, now).await {
                Err(ServiceError::User(UserError::Refused(Refusal::Received(id)))) => {
                    UserError::Forbidden(format!(
                        "{id} was shared with your account: only its owner sees whom it is shared with."
                    ))
                    .into()
                }
                Err(other) => other,
                Ok(_) => UserError::NotFound(format!("Backup {backup_id}")).into(),
            });
        };
        let rows = self
            .share_rows(caller, ShareRows::Backup(backup_id), now)
            .await?;
        Ok((backup, rows))
    }

    /// Rows of "My Shares", for one resource share or for one backup.
    async fn share_rows(
        &self,
        caller: &Caller,
        which: ShareRows<'_>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<MyShareRow>> {
        // A page's ids were read by the owner's index already, so they are looked up by
        // primary key alone: with the owner's condition too, SQLite walks the owner's
        // index (every share of the account) and filters it by the list.
        let only = match which {
            ShareRows::Shares([]) => return Ok(Vec::new()),
            ShareRows::Shares(ids) => format!("s.id IN ({})", placeholders(1, ids.len())),
            ShareRows::Backup(_) => "s.owner_account_id = $1 AND b.id = $2".to_owned(),
        };
        let sql = format!(
            "SELECT s.id AS share_id, s.name AS share_name, b.id AS backup_id, b.name AS backup_name,
                    i.recipient_account_id, a.name AS recipient_name, i.status,
                    i.expires_at, g.status AS grant_status, c.status AS copy_status,
                    c.size_bytes AS copy_size, c.copied_bytes, c.failure,
                    EXISTS (SELECT 1 FROM share_recipients sr
                            WHERE sr.share_id = s.id AND sr.recipient_account_id = i.recipient_account_id) AS reached
             FROM resource_shares s
             JOIN share_backups sb ON sb.share_id = s.id
             JOIN backups b ON b.id = sb.backup_id
             JOIN invitations i ON i.share_id = s.id
             JOIN accounts a ON a.id = i.recipient_account_id
             LEFT JOIN grants g ON g.invitation_id = i.id AND g.backup_id = b.id
             LEFT JOIN copies c ON c.grant_id = g.id AND c.status IN ('copying', 'available', 'failed')
             WHERE {only}
             ORDER BY s.created_at DESC, s.id DESC, b.id, a.name"
        );
        let mut query = sqlx::query(&sql);
        match which {
            ShareRows::Shares(ids) => {
                for id in ids {
                    query = query.bind(id.as_str());
                }
            }
            ShareRows::Backup(id) => query = query.bind(caller.account_id.as_str()).bind(id),
        }
        let rows = query.fetch_all(&self.db).await?;
        let mut shares: Vec<String> = rows.iter().map(|r| r.get("share_id")).collect();
        shares.dedup();
        let principals = self.principals_by_recipient(&shares).await?;
        rows.into_iter()
            .map(|row| {
                let share_id = ShareId::from_trusted(row.get::<String, _>("share_id"));
                let recipient =
                    AccountId::from_trusted(row.get::<String, _>("recipient_account_id"));
                let status = displayed_status(&row, now)?;
                let reaching = principals
                    .get(&(share_id.clone(), recipient.clone()))
                    .cloned()
                    .unwrap_or_default();
                let folder = reaching.iter().find(|p| p.starts_with("fd-"));
                let live = row.flag("reached")
                    && matches!(
                        status,
                        ShareStatus::Pending
                            | ShareStatus::Accepted
                            | ShareStatus::Copying(_)
                            | ShareStatus::Available
                            | ShareStatus::Failed
                    );
                Ok(MyShareRow {
                    cancellable: live && folder.is_none(),
                    cancel_blocked: folder.filter(|_| live).map(|folder| {
                        format!("Reached through folder {folder}: remove the folder under \"Manage Sharing Relationship\".")
                    }),
                    principals: reaching,
                    share_name: row.get("share_name"),
                    backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                    backup_name: row.get("backup_name"),
                    recipient_name: row.get("recipient_name"),
                    share_id,
                    recipient,
                    status,
                })
            })
            .collect()
    }

    /// For each (share, recipient) of these shares (the caller's), the principals reaching
    /// it: one query for every account and project principal of the shares, and one per
    /// distinct folder among them.
    async fn principals_by_recipient(
        &self,
        shares: &[String],
    ) -> ServiceResult<BTreeMap<(ShareId, AccountId), Vec<String>>> {
        let mut map: BTreeMap<_, Vec<String>> = BTreeMap::new();
        if shares.is_empty() {
            return Ok(map);
        }
        let sql = format!(
            "SELECT sp.share_id, sp.kind, sp.principal_id,
                    COALESCE(a.id, p.account_id) AS account_id
             FROM share_principals sp
             LEFT JOIN accounts a ON sp.kind = 'account' AND a.id = sp.principal_id
             LEFT JOIN projects p ON sp.kind = 'project' AND p.id = sp.principal_id
             WHERE sp.share_id IN ({})
             ORDER BY sp.share_id, sp.added_at, sp.principal_id",
            placeholders(1, shares.len())
        );
        let mut query = sqlx::query(&sql);
        for share in shares {
            query = query.bind(share.as_str());
        }
        let rows = query.fetch_all(&self.db).await?;
        let mut conn = self.db.acquire().await?;
        let mut folders: BTreeMap<String, Vec<AccountId>> = BTreeMap::new();
        for row in rows {
            let (kind, id): (String, String) = (row.get("kind"), row.get("principal_id"));
            let share = ShareId::from_trusted(row.get::<String, _>("share_id"));
            let accounts = match PrincipalRef::from_stored(&kind, &id) {
                Some(folder @ PrincipalRef::Folder(_)) => {
                    if !folders.contains_key(&id) {
                        let reached = resolve_principal(&mut conn, &folder)
                            .await?
                            .map(|(accounts, _)| accounts)
                            .unwrap_or_default();
                        folders.insert(id.clone(), reached);
                    }
                    folders[&id].clone()
                }
                Some(_) => row
                    .get::<Option<String>, _>("account_id")
                    .map(AccountId::from_trusted)
                    .into_iter()
                    .collect(),
                None => {
                    return Err(ServiceError::Corrupt(format!(
                        "share_principals.kind = {kind:?}"
                    )))
                }
            };
            for account in accounts {
                map.entry((share.clone(), account))
                    .or_default()
                    .push(id.clone());
            }
        }
        Ok(map)
    }

    /// "Select an existing resource share": the caller's shares whose names contain
    /// `search` (ignoring case as the database's `LOWER` does: ASCII on SQLite), by name, [`SHARE_CHOICES_PAGE`] at a time after
    /// `after` (the last name of the page before). One query, walking the owner's unique
    /// (account, name) index from `after` until the page is full.
    pub async fn share_choices(
        &self,
        caller: &Caller,
        search: &str,
        after: Option<&str>,
    ) -> ServiceResult<ShareChoices> {
        let search = search.trim();
        if search.chars().count() > 64 {
            return Err(UserError::Invalid(
                "Search for at most 64 characters: a resource share name is no longer.".into(),
            )
            .into());
        }
        let pattern = format!(
            "%{}%",
            search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(
            "SELECT id, name FROM resource_shares
             WHERE owner_account_id = $1 AND name > $2 AND LOWER(name) LIKE LOWER($3) ESCAPE '\\'
             ORDER BY name LIMIT $4",
        )
        .bind(caller.account_id.as_str())
        .bind(after.unwrap_or_default())
        .bind(pattern)
        .bind(i64::from(SHARE_CHOICES_PAGE) + 1)
        .fetch_all(&self.db)
        .await?;
        let mut shares: Vec<ShareChoice> = rows
            .into_iter()
            .map(|row| ShareChoice {
                id: ShareId::from_trusted(row.get::<String, _>("id")),
                name: row.get("name"),
            })
            .collect();
        let more = shares.len() > SHARE_CHOICES_PAGE as usize;
        shares.truncate(SHARE_CHOICES_PAGE as usize);
        Ok(ShareChoices {
            next: shares.last().filter(|_| more).map(|s| s.name.clone()),
            shares,
        })
    }

    /// One of the caller's resource shares with its backups and principals, for the dialog
    /// once it is chosen. Another account's share is not found.
    pub async fn share_summary(
        &self,
        caller: &Caller,
        share_id: &str,
    ) -> ServiceResult<ShareSummary> {
        let mut conn = self.db.acquire().await?;
        let row = sqlx::query(
            "SELECT id, name, scope FROM resource_shares WHERE id = $1 AND owner_account_id = $2",
        )
        .bind(share_id)
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Err(UserError::NotFound("This resource share".into()).into());
        };
        let scope: String = row.get("scope");
        let backups = sqlx::query(
            "SELECT b.id, b.name FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
             WHERE sb.share_id = $1 AND b.deleted_at IS NULL ORDER BY b.id",
        )
        .bind(share_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|b| {
            (
                BackupId::from_trusted(b.get::<String, _>("id")),
                b.get("name"),
            )
        })
        .collect();
        let mut principals = Vec::new();
        for principal in stored_principals(&mut conn, share_id).await? {
            principals.push(PrincipalView {
                label: principal_label(&mut conn, &principal).await?,
                id: principal.id().to_owned(),
            });
        }
        Ok(ShareSummary {
            id: ShareId::from_trusted(row.get::<String, _>("id")),
            name: row.get("name"),
            scope: word(
                PrincipalScope::from_word(&scope),
                "resource_shares.scope",
                &scope,
            )?,
            backups,
            principals,
        })
    }

    /// What "Share Backups" offers besides the shares: the directory's folders.
    pub async fn share_options(&self, caller: &Caller) -> ServiceResult<ShareOptions> {
        let mut conn = self.db.acquire().await?;
        let directory = match directory_of(&mut conn, &caller.account_id).await? {
            None => None,
            Some(d) => {
                let auto_accept = sqlx::query(
                    "SELECT (auto_accept IS TRUE) AS auto_accept FROM directories WHERE id = $1",
                )
                .bind(&d.id)
                .fetch_one(&mut *conn)
                .await?
                .flag("auto_accept");
                let folders = sqlx::query(
                    "WITH RECURSIVE tree (id, path) AS (
                         SELECT id, name FROM folders WHERE directory_id = $1 AND parent_id IS NULL
                         UNION ALL
                         SELECT f.id, t.path || ' / ' || f.name FROM folders f JOIN tree t ON f.parent_id = t.id)
                     SELECT id, path FROM tree ORDER BY path",
                )
                .bind(&d.id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|f| (FolderId::from_trusted(f.get::<String, _>("id")), f.get("path")))
                .collect();
                Some(DirectoryView {
                    id: d.id,
                    name: d.name,
                    auto_accept,
                    folders,
                })
            }
        };
        Ok(ShareOptions { directory })
    }
}

/// How a principal reads in the dialog: its kind and name.
async fn principal_label(
    conn: &mut crate::db::Conn,
    principal: &PrincipalRef,
) -> ServiceResult<String> {
    let (kind, sql) = match principal {
        PrincipalRef::Account(_) => ("Account", "SELECT name FROM accounts WHERE id = $1"),
        PrincipalRef::Project(_) => ("Project", "SELECT name FROM projects WHERE id = $1"),
        PrincipalRef::Folder(_) => ("Folder", "SELECT name FROM folders WHERE id = $1"),
    };
    let name: Option<String> = sqlx::query_scalar(sql)
        .bind(principal.id())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match name {
        Some(name) => format!("{kind} {name} ({})", principal.id()),
        None => format!("{kind} {}", principal.id()),
    })
}

/// The status a row of "My Shares" shows.
fn displayed_status(row: &sqlx::any::AnyRow, now: DateTime<Utc>) -> ServiceResult<ShareStatus> {
    let invitation = invitation_status(row, now)?;
    let grant = row
        .get::<Option<String>, _>("grant_status")
        .map(|g| word(GrantStatus::from_word(&g), "grants.status", &g))
        .transpose()?;
    Ok(match (invitation, grant) {
        // The owner follows a copy into the recipient's vault too.
        (InvitationStatus::Accepted, Some(grant)) => {
            ShareStatus::of_grant(grant, super::copies::joined_copy(row)?.as_ref())
        }
        _ => ShareStatus::of(invitation, grant),
    })
}
