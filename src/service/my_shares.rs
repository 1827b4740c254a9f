//! What the owner sees of its resource shares: "My Shares", a backup's "Share List", and
//! the shares and folders the share dialog offers.

use super::recipients::{directory_of, resolve_principal, stored_principals};
use super::*;
use crate::ids::FolderId;
use crate::model::PrincipalScope;
use crate::views::{DirectoryView, MySharesPage, PrincipalView, ShareOptions, ShareSummary};

/// Resource shares per page of "My Shares".
pub const MY_SHARES_PAGE: u32 = 50;

/// Which rows of "My Shares" to read.
enum ShareRows<'a> {
    /// The rows of one page of the account's resource shares.
    Page(u32),
    /// Every row of one backup.
    Backup(&'a str),
}

impl Backshare {
    /// "My Shares", one page of resource shares (newest first): every backup each shares,
    /// per recipient, with its status. The work is that of one page however many shares
    /// the account has (an index walk to the page, then the page's rows).
    pub async fn my_shares(
        &self,
        caller: &Caller,
        page: u32,
        now: DateTime<Utc>,
    ) -> ServiceResult<MySharesPage> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM resource_shares WHERE owner_account_id = $1")
                .bind(caller.account_id.as_str())
                .fetch_one(&self.db)
                .await?;
        let rows = self.share_rows(caller, ShareRows::Page(page), now).await?;
        Ok(MySharesPage {
            rows,
            page,
            page_size: MY_SHARES_PAGE,
            total_shares: u64::try_from(total).unwrap_or(0),
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
        let backup = self
            .list_backups(caller, now)
            .await?
            .into_iter()
            .find(|b| b.id.as_str() == backup_id);
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
        let only = match which {
            ShareRows::Page(_) => {
                "AND s.id IN (SELECT id FROM resource_shares WHERE owner_account_id = $1
                              ORDER BY created_at DESC, id LIMIT $2 OFFSET $3)"
            }
            ShareRows::Backup(_) => "AND b.id = $2",
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
             WHERE s.owner_account_id = $1 {only}
             ORDER BY s.created_at DESC, s.id, b.id, a.name"
        );
        let query = sqlx::query(&sql).bind(caller.account_id.as_str());
        let query = match which {
            ShareRows::Page(page) => query
                .bind(i64::from(MY_SHARES_PAGE))
                .bind(i64::from(page) * i64::from(MY_SHARES_PAGE)),
            ShareRows::Backup(id) => query.bind(id),
        };
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

    /// For each (share, recipient) of these shares (the caller's), the principals reaching it.
    async fn principals_by_recipient(
        &self,
        shares: &[String],
    ) -> ServiceResult<BTreeMap<(ShareId, AccountId), Vec<String>>> {
        let mut conn = self.db.acquire().await?;
        let mut map: BTreeMap<_, Vec<String>> = BTreeMap::new();
        for share in shares {
            for principal in stored_principals(&mut conn, share).await? {
                let Some((accounts, _)) = resolve_principal(&mut conn, &principal).await? else {
                    continue;
                };
                for account in accounts {
                    map.entry((ShareId::from_trusted(share.as_str()), account))
                        .or_default()
                        .push(principal.id().to_owned());
                }
            }
        }
        Ok(map)
    }

    /// What "Share Backups" offers: the account's resource shares with their backups and
    /// principals (for "Select an existing resource share"), and its directory's folders.
    pub async fn share_options(&self, caller: &Caller) -> ServiceResult<ShareOptions> {
        let mut conn = self.db.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, name, scope FROM resource_shares WHERE owner_account_id = $1 ORDER BY name",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let mut shares = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.get("id");
            let scope: String = row.get("scope");
            let backups = sqlx::query(
                "SELECT b.id, b.name FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
                 WHERE sb.share_id = $1 AND b.deleted_at IS NULL ORDER BY b.id",
            )
            .bind(&id)
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
            for principal in stored_principals(&mut conn, &id).await? {
                principals.push(PrincipalView {
                    label: principal_label(&mut conn, &principal).await?,
                    id: principal.id().to_owned(),
                });
            }
            shares.push(ShareSummary {
                id: ShareId::from_trusted(id),
                name: row.get("name"),
                scope: word(
                    PrincipalScope::from_word(&scope),
                    "resource_shares.scope",
                    &scope,
                )?,
                backups,
                principals,
            });
        }
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
        Ok(ShareOptions { shares, directory })
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
