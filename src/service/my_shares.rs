//! What the owner sees of its resource shares: "My Shares", a backup's "Share List", and
//! the shares and folders the share dialog offers.

use super::recipients::{directory_of, resolve_principal};
use super::*;

use crate::paging::{PageAt, Total, COUNT_CAP};
use crate::views::{
    DirectoryView, MySharesPage, PrincipalView, ShareChoice, ShareChoices, ShareListPage,
    ShareOptions, ShareSummary,
};

/// Resource shares per page of the share dialog's "Select an existing resource share".
pub const SHARE_CHOICES_PAGE: u32 = 50;

/// Resource shares per page of "My Shares".
pub const MY_SHARES_PAGE: u32 = 50;

/// Resource shares per page of a backup's "Share List" tab.
pub const SHARE_LIST_PAGE: usize = 50;

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
        let counted = store::shares::count_capped(&self.db, &caller.account_id, COUNT_CAP).await?;
        let page = MY_SHARES_PAGE as usize;
        let cursor = |row: &store::shares::PagedShare| crate::paging::Cursor {
            at: row.created_at,
            id: row.id.clone(),
        };
        let (shares, links) = keyset_page(at, page, cursor, |at| async move {
            let limit = page as i64 + 1;
            Ok(store::shares::page(&self.db, &caller.account_id, &at, limit).await?)
        })
        .await?;
        let ids: Vec<String> = shares.into_iter().map(|row| row.id).collect();
        let rows = store::shares::rows_of_shares(&self.db, &ids, None).await?;
        let rows = self.share_rows(rows, now).await?;
        Ok(MySharesPage {
            rows,
            links,
            shares_on_page: u32::try_from(ids.len()).unwrap_or(u32::MAX),
            total_shares: Total::of_capped(counted),
        })
    }

    /// A backup's "Share List" tab: each recipient and its status, for a keyset page of
    /// [`SHARE_LIST_PAGE`] of the resource shares holding it (newest first). Only the owner's account sees it; a
    /// recipient may see the backup but not who else received it.
    pub async fn share_list(
        &self,
        caller: &Caller,
        backup_id: &str,
        at: &PageAt,
        now: DateTime<Utc>,
    ) -> ServiceResult<ShareListPage> {
        let backup = self.backup_summary(caller, backup_id, now).await?;
        let Some(backup) = backup else {
            let mut conn = self.db.acquire().await?;
            return Err(
                match self.owned_backup(&mut conn, caller, backup_id, now).await {
                    Err(ServiceError::User(UserError::Refused(Refusal::Received(id)))) => {
                        UserError::Forbidden(Denied::ReceivedSharing(id.to_string())).into()
                    }
                    Err(other) => other,
                    Ok(_) => UserError::NotFound(Missing::Backup(backup_id.to_owned())).into(),
                },
            );
        };
        let cursor = |row: &store::shares::PagedShare| crate::paging::Cursor {
            at: row.created_at,
            id: row.id.clone(),
        };
        let (shares, links) = keyset_page(at, SHARE_LIST_PAGE, cursor, |at| async move {
            let limit = SHARE_LIST_PAGE as i64 + 1;
            Ok(store::shares::page_of_backup(&self.db, backup_id, &at, limit).await?)
        })
        .await?;
        let ids: Vec<String> = shares.into_iter().map(|share| share.id).collect();
        let rows = store::shares::rows_of_shares(&self.db, &ids, Some(backup_id)).await?;
        let rows = self.share_rows(rows, now).await?;
        Ok(ShareListPage {
            backup,
            rows,
            links,
        })
    }

    /// Rows as "My Shares" and the "Share List" show them, with the principals reaching
    /// each recipient (read once for the page's shares).
    async fn share_rows(
        &self,
        rows: Vec<store::shares::RecipientRow>,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<MyShareRow>> {
        let mut shares: Vec<String> = rows.iter().map(|r| r.share_id.to_string()).collect();
        shares.sort();
        shares.dedup();
        let principals = self.principals_by_recipient(&shares).await?;
        let shown = rows.into_iter().map(|row| {
            let status = displayed_status(&row, now);
            let reaching = principals
                .get(&(row.share_id.clone(), row.recipient_account_id.clone()))
                .cloned()
                .unwrap_or_default();
            let folder = reaching.iter().find(|p| p.starts_with("fd-"));
            let live = row.reached.0
                && matches!(
                    status,
                    ShareStatus::Pending
                        | ShareStatus::Accepted
                        | ShareStatus::Copying(_)
                        | ShareStatus::Available
                        | ShareStatus::Failed
                );
            MyShareRow {
                cancellable: live && folder.is_none(),
                cancel_blocked: folder.filter(|_| live).map(|folder| {
                    Problem::of(Conflict::CoveredByFolder {
                        recipient: row.recipient_account_id.clone(),
                        folder: crate::ids::FolderId::from_trusted(folder),
                    })
                }),
                principals: reaching,
                share_name: row.share_name,
                backup_id: row.backup_id,
                backup_name: row.backup_name,
                recipient_name: row.recipient_name,
                share_id: row.share_id,
                recipient: row.recipient_account_id,
                status,
            }
        });
        Ok(shown.collect())
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
        let rows = store::shares::principals_of(&self.db, shares).await?;
        let mut conn = self.db.acquire().await?;
        let mut folders: BTreeMap<String, Vec<AccountId>> = BTreeMap::new();
        for row in rows {
            let id = row.principal_id.clone();
            let accounts = match row.principal()? {
                folder @ PrincipalRef::Folder(_) => {
                    if !folders.contains_key(&id) {
                        let reached = resolve_principal(&mut conn, &folder)
                            .await?
                            .map(|resolved| resolved.accounts)
                            .unwrap_or_default();
                        folders.insert(id.clone(), reached);
                    }
                    folders[&id].clone()
                }
                _ => row.account_id.into_iter().collect(),
            };
            let share = row.share_id;
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
        if search.chars().count() > crate::input::MAX_NAME {
            return Err(UserError::Invalid(BadInput::SearchTooLong(crate::input::MAX_NAME)).into());
        }
        let pattern = format!(
            "%{}%",
            search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let limit = i64::from(SHARE_CHOICES_PAGE) + 1;
        let after = after.unwrap_or_default();
        let rows =
            store::shares::choices(&self.db, &caller.account_id, after, &pattern, limit).await?;
        let mut shares: Vec<ShareChoice> = rows
            .into_iter()
            .map(|row| ShareChoice {
                id: row.id,
                name: row.name,
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
        let share = store::shares::load_owned(&mut *conn, share_id, &caller.account_id).await?;
        let Some(share) = share else {
            return Err(UserError::NotFound(Missing::ResourceShare).into());
        };
        let backups = store::shares::live_backups(&mut *conn, share_id)
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let mut principals = Vec::new();
        for principal in store::shares::principals(&mut conn, share_id).await? {
            principals.push(PrincipalView {
                label: principal_label(&mut conn, &principal).await?,
                id: principal.id().to_owned(),
            });
        }
        Ok(ShareSummary {
            id: ShareId::from_trusted(share.id),
            name: share.name,
            scope: share.scope,
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
                let auto_accept = store::directories::auto_accept(&mut conn, &d.id).await?;
                let folders = store::directories::folders(&mut conn, &d.id)
                    .await?
                    .into_iter()
                    .map(|f| (f.id, f.path))
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
    let kind = match principal {
        PrincipalRef::Account(_) => "Account",
        PrincipalRef::Project(_) => "Project",
        PrincipalRef::Folder(_) => "Folder",
    };
    let name = store::shares::principal_name(conn, principal).await?;
    Ok(match name {
        Some(name) => format!("{kind} {name} ({})", principal.id()),
        None => format!("{kind} {}", principal.id()),
    })
}

/// The status a row of "My Shares" shows.
fn displayed_status(row: &store::shares::RecipientRow, now: DateTime<Utc>) -> ShareStatus {
    let invitation = row.invitation.status_at(now);
    match (invitation, row.grant_status) {
        // The owner follows a copy into the recipient's vault too.
        (InvitationStatus::Accepted, Some(grant)) => {
            ShareStatus::of_grant(grant, row.copy.copy().as_ref())
        }
        (invitation, grant) => ShareStatus::of(invitation, grant),
    }
}
