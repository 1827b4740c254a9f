//! What a recipient sees and answers: "Shared With Me", accept and reject.

use super::copies::vault_choice;
use super::recipients::{grant_share_backups, share_backup_ids};
use super::*;
use crate::db::Lock;
use crate::paging::PageAt;
use crate::views::CopyView;

/// Rows per page of each table of "Shared With Me".
pub const SWM_PAGE: usize = 50;

/// Where each table of "Shared With Me" is paged to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedWithMeAt {
    pub pending: PageAt,
    pub received: PageAt,
    pub answered: PageAt,
}

impl Backshare {
    /// "Shared With Me": pending invitations, what the account received and holds, and the
    /// invitations that ended unaccepted, each a keyset page of its own
    /// ([`SWM_PAGE`] rows) at its own position. A fixed number of queries whatever the
    /// account holds: a page of each, the pending page's backups, the account's vaults.
    pub async fn shared_with_me(
        &self,
        caller: &Caller,
        at: &SharedWithMeAt,
        now: DateTime<Utc>,
    ) -> ServiceResult<SharedWithMe> {
        let (invitations, pending_links) =
            keyset_page(&at.pending, SWM_PAGE, columns_cursor("created_at", "id"), |at| async move {
            let (from, order) = at.sql("i.created_at", "i.id", 4);
            let sql = format!(
                "SELECT i.id, i.created_at, i.expires_at, s.name AS share_name,
                        s.owner_account_id, a.name AS owner_name
                 FROM invitations i
                 JOIN resource_shares s ON s.id = i.share_id
                 JOIN accounts a ON a.id = s.owner_account_id
                 WHERE i.recipient_account_id = $1 AND i.status = 'pending' AND i.expires_at + 0 > $2 {from}
                 ORDER BY i.created_at {order}, i.id {order} LIMIT $3"
            );
            // `+ 0` keeps SQLite's planner (which has no statistics) off the index by deadline:
            // with it, it sorted every pending invitation of the account for one page (76 ms
            // at 100,000 against 0.5 ms on `invitations_by_recipient_time`).
            let mut query = sqlx::query(&sql)
                .bind(caller.account_id.as_str())
                .bind(millis(now))
                .bind(SWM_PAGE as i64 + 1);
            if let Some(cursor) = at.cursor() {
                query = query.bind(cursor.at).bind(cursor.id.as_str());
            }
            Ok(query.fetch_all(&self.db).await?)
        })
        .await?;
        let mut conn = self.db.acquire().await?;
        // The account's vaults, read once for every choice on the page.
        let my_vaults = self
            .vault_facts(&mut conn, caller.account_id.as_str(), now)
            .await?;
        // The backups of the page's invitations, in one query.
        let mut backups_of: BTreeMap<String, Vec<sqlx::any::AnyRow>> = BTreeMap::new();
        if !invitations.is_empty() {
            let sql = format!(
                "SELECT i.id AS invitation_id, b.id, b.name, b.kind, b.region, b.size_bytes,
                        (b.encrypted IS TRUE) AS encrypted
                 FROM invitations i
                 JOIN share_backups sb ON sb.share_id = i.share_id
                 JOIN backups b ON b.id = sb.backup_id
                 WHERE i.id IN ({}) AND b.deleted_at IS NULL
                 ORDER BY b.id",
                placeholders(1, invitations.len())
            );
            let mut query = sqlx::query(&sql);
            for row in &invitations {
                query = query.bind(row.get::<String, _>("id"));
            }
            for row in query.fetch_all(&mut *conn).await? {
                backups_of
                    .entry(row.get("invitation_id"))
                    .or_default()
                    .push(row);
            }
        }
        let mut pending = Vec::with_capacity(invitations.len());
        for row in invitations {
            let id: String = row.get("id");
            let rows = backups_of.remove(&id).unwrap_or_default();
            let mut backups = Vec::with_capacity(rows.len());
            let mut vault_choices = Vec::new();
            for b in rows {
                let name: String = b.get("name");
                let facts = super::copies::copy_facts_of(&b, "id")?;
                if facts.kind.is_copied() {
                    vault_choices.push(vault_choice(&my_vaults, &facts, name.clone()));
                }
                backups.push((facts.backup, name));
            }
            pending.push(InvitationView {
                id: InvitationId::from_trusted(id),
                share_name: row.get("share_name"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                backups,
                vault_choices,
                invited_at: instant(row.get("created_at")),
                expires_at: instant(row.get("expires_at")),
            });
        }

        let (received_rows, received_links) =
            keyset_page(&at.received, SWM_PAGE, columns_cursor("backup_created_at", "id"), |at| async move {
            let (from, order) = at.sql("b.created_at", "g.id", 3);
            let sql = format!(
                "SELECT g.id, g.status, b.id AS backup_id, b.name AS backup_name, b.kind, b.region,
                        b.created_at AS backup_created_at, b.lock_reason,
                        b.size_bytes, (b.encrypted IS TRUE) AS encrypted, b.expires_at, s.name AS share_name, s.owner_account_id,
                        a.name AS owner_name, c.status AS copy_status, c.size_bytes AS copy_size,
                        c.copied_bytes, c.failure, v.name AS vault_name
                 FROM grants g
                 LEFT JOIN copies c ON c.grant_id = g.id AND c.status IN ('copying', 'available', 'failed')
                 LEFT JOIN vaults v ON v.id = c.vault_id
                 JOIN backups b ON b.id = g.backup_id
                 JOIN invitations i ON i.id = g.invitation_id
                 JOIN resource_shares s ON s.id = i.share_id
                 JOIN accounts a ON a.id = s.owner_account_id
                 WHERE g.recipient_account_id = $1 AND g.status IN ('active', 'revoking')
                   AND b.deleted_at IS NULL {from}
                 ORDER BY b.created_at {order}, g.id {order} LIMIT $2"
            );
            let mut query = sqlx::query(&sql)
                .bind(caller.account_id.as_str())
                .bind(SWM_PAGE as i64 + 1);
            if let Some(cursor) = at.cursor() {
                query = query.bind(cursor.at).bind(cursor.id.as_str());
            }
            Ok(query.fetch_all(&self.db).await?)
        })
        .await?;
        let mut received = Vec::with_capacity(received_rows.len());
        for row in received_rows {
            let status: String = row.get("status");
            let kind: String = row.get("kind");
            let kind = word(BackupKind::from_word(&kind), "backups.kind", &kind)?;
            let grant = Grant {
                status: word(GrantStatus::from_word(&status), "grants.status", &status)?,
                revoke_at: None,
            };
            let copy = super::copies::joined_copy(&row)?;
            let backup_id: String = row.get("backup_id");
            let backup_name: String = row.get("backup_name");
            let vault_choice =
                if kind.is_copied() && copy.is_none() && grant.status == GrantStatus::Active {
                    let facts = super::copies::copy_facts_of(&row, "backup_id")?;
                    Some(vault_choice(&my_vaults, &facts, backup_name.clone()))
                } else {
                    None
                };
            let lock: Option<String> = row.get("lock_reason");
            let lock = lock
                .map(|l| word(LockReason::from_word(&l), "backups.lock_reason", &l))
                .transpose()?;
            let restore_blocked = grant
                .check_restorable()
                .err()
                .map(|e| e.to_string())
                .or_else(|| {
                    rules::check_restorable(&BackupId::from_trusted(backup_id.as_str()), kind, lock)
                        .err()
                        .map(|e| e.to_string())
                })
                .or_else(|| {
                    if kind.is_copied() {
                        crate::copy::check_copy_restorable(copy.as_ref())
                            .err()
                            .map(|e| e.to_string())
                    } else {
                        None
                    }
                });
            received.push(ReceivedBackup {
                grant_id: GrantId::from_trusted(row.get::<String, _>("id")),
                backup_id: BackupId::from_trusted(backup_id),
                backup_name,
                kind,
                region: row.get("region"),
                size_bytes: row.get("size_bytes"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                share_name: row.get("share_name"),
                status: ShareStatus::of_grant(grant.status, copy.as_ref()),
                restore_blocked,
                expires_at: row.get::<Option<i64>, _>("expires_at").map(instant),
                copy: copy.map(|copy| CopyView {
                    vault_name: row
                        .get::<Option<String>, _>("vault_name")
                        .unwrap_or_default(),
                    copy,
                    encrypted: row.flag("encrypted"),
                }),
                vault_choice,
            });
        }

        // Ended invitations, by when they ended (every move out of pending writes
        // `answered_at`), on the index by recipient and that time. One left unanswered past
        // its deadline is listed once the lifecycle job (every second) wrote it Expired;
        // until then it is in neither table.
        let (answered_rows, answered_links) = keyset_page(
            &at.answered,
            SWM_PAGE,
            columns_cursor("at", "id"),
            |at| async move {
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
                let mut query = sqlx::query(&sql)
                    .bind(caller.account_id.as_str())
                    .bind(SWM_PAGE as i64 + 1);
                if let Some(cursor) = at.cursor() {
                    query = query.bind(cursor.at).bind(cursor.id.as_str());
                }
                Ok(query.fetch_all(&self.db).await?)
            },
        )
        .await?;
        let answered = answered_rows
            .into_iter()
            .map(|row| {
                Ok(AnsweredInvitation {
                    id: InvitationId::from_trusted(row.get::<String, _>("id")),
                    status: ShareStatus::of(invitation_status(&row, now)?, None),
                    share_name: row.get("share_name"),
                    owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                    owner_name: row.get("owner_name"),
                    at: instant(row.get("at")),
                })
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        Ok(SharedWithMe {
            pending,
            pending_links,
            received,
            received_links,
            answered,
            answered_links,
        })
    }

    /// The recipient accepts: the invitation is answered and a grant is created for every
    /// backup in the share, in one transaction; server and disk backups are copied into
    /// the vaults chosen for them (`vaults`: backup id → vault id), whose space is reserved
    /// in the same transaction.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        vaults: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, Some(vaults)).await
    }

    /// The recipient rejects: the invitation is answered; nothing is granted.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn reject_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, None).await
    }

    async fn answer(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
        accept_into: Option<&BTreeMap<String, String>>,
    ) -> ServiceResult<()> {
        retrying(|| self.answer_once(caller, invitation_id, now, accept_into)).await
    }

    async fn answer_once(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
        accept_into: Option<&BTreeMap<String, String>>,
    ) -> ServiceResult<()> {
        let accept = accept_into.is_some();
        let mut tx = self.writer.begin().await?;
        // An answer reads its share's backups (it grants them) and reserves vault space:
        // it locks the share and backups for reading, the invitation and the vaults.
        let share: Option<String> =
            sqlx::query_scalar("SELECT share_id FROM invitations WHERE id = $1")
                .bind(invitation_id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(share) = &share {
            tx.lock(&[Lock::membership_read(), Lock::share_read(share)])
                .await?;
            let mut locks = share_backup_ids(&mut tx, share)
                .await?
                .iter()
                .map(|b| Lock::backup_read(b))
                .collect::<Vec<_>>();
            locks.push(Lock::invitation(invitation_id));
            locks.extend(
                accept_into
                    .into_iter()
                    .flatten()
                    .map(|(_, v)| Lock::vault(v)),
            );
            tx.lock(&locks).await?;
        }
        let row = sqlx::query(
            "SELECT i.status, i.expires_at, i.recipient_account_id, i.share_id, s.owner_account_id,
                    s.name AS share_name
             FROM invitations i JOIN resource_shares s ON s.id = i.share_id WHERE i.id = $1",
        )
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let not_found = || UserError::NotFound("This invitation".into());
        let Some(row) = row else {
            return Err(not_found().into());
        };
        let recipient: String = row.get("recipient_account_id");
        let owner: String = row.get("owner_account_id");
        if recipient != caller.account_id.as_str() {
            return Err(if owner == caller.account_id.as_str() {
                UserError::Forbidden("Only the invited account can answer this invitation.".into())
            } else {
                not_found()
            }
            .into());
        }
        caller.require_change()?;
        let invitation = invitation_from_row(&row)?;
        let next = if accept {
            invitation.accept(now)?
        } else {
            invitation.reject(now)?
        };
        if !move_invitation(&mut tx, invitation_id, invitation.status, next, now).await? {
            return Err(UserError::Conflict(
                "This invitation was answered meanwhile. Reload the page to see its status.".into(),
            )
            .into());
        }
        if next == InvitationStatus::Accepted {
            let share_id: String = row.get("share_id");
            let recipient = AccountId::from_trusted(recipient.as_str());
            grant_share_backups(&mut tx, invitation_id, &share_id, &recipient, now).await?;
            let vaults = accept_into.expect("accepting");
            self.start_copies_on_accept(&mut tx, invitation_id, recipient.as_str(), vaults, now)
                .await?;
        }
        let line = Line {
            actor: Some(caller),
            action: if accept {
                "Accepted invitation"
            } else {
                "Rejected invitation"
            },
            owner: &owner,
            recipient: Some(&recipient),
            share_name: Some(row.get("share_name")),
            detail: String::new(),
            outcome: DONE,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
