//! What a recipient sees and answers: "Shared With Me", accept and reject.

use super::copies::vault_choice;
use super::recipients::grant_backups;
use super::*;
use crate::copy::VaultFacts;
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
        let limit = SWM_PAGE as i64 + 1;
        let account = &caller.account_id;
        let cursor = |row: &store::invitations::PendingRow| crate::paging::Cursor {
            at: row.created_at,
            id: row.id.to_string(),
        };
        let (invitations, pending_links) =
            keyset_page(&at.pending, SWM_PAGE, cursor, |at| async move {
                let page =
                    store::invitations::pending_page(&self.db, account, millis(now), &at, limit);
                Ok(page.await?)
            })
            .await?;
        let mut conn = self.db.acquire().await?;
        // The account's vaults, read once for every choice on the page.
        let my_vaults = self.vault_facts(&mut conn, account.as_str(), now).await?;
        // The backups of the page's invitations, in one query.
        let ids = invitations.iter().map(|i| &i.id).collect::<Vec<_>>();
        let mut backups_of: BTreeMap<InvitationId, Vec<store::backups::CopyRow>> = BTreeMap::new();
        for offered in store::invitations::offered_backups(&mut conn, &ids).await? {
            backups_of
                .entry(offered.invitation_id)
                .or_default()
                .push(offered.backup);
        }
        let pending = invitations
            .into_iter()
            .map(|row| {
                let rows = backups_of.remove(&row.id).unwrap_or_default();
                let vault_choices = rows
                    .iter()
                    .filter(|b| b.kind.is_copied())
                    .map(|b| vault_choice(&my_vaults, &b.facts(), b.name.clone()))
                    .collect();
                InvitationView {
                    id: row.id,
                    share_name: row.share_name,
                    owner: row.owner_account_id,
                    owner_name: row.owner_name,
                    backups: rows.into_iter().map(|b| (b.id, b.name)).collect(),
                    vault_choices,
                    invited_at: instant(row.created_at),
                    expires_at: instant(row.expires_at),
                }
            })
            .collect();

        let cursor = |row: &store::grants::ReceivedRow| crate::paging::Cursor {
            at: row.granted_at,
            id: row.id.to_string(),
        };
        let (received_rows, received_links) =
            keyset_page(&at.received, SWM_PAGE, cursor, |at| async move {
                let page = store::grants::received_page(&self.db, account, &at, limit);
                Ok(page.await?)
            })
            .await?;
        let received = received_rows
            .into_iter()
            .map(|row| received_backup(row, &my_vaults))
            .collect();

        // Ended invitations, by when they ended. One left unanswered past its deadline is
        // listed once the lifecycle job (every second) wrote it Expired; until then it is
        // in neither table.
        let cursor = |row: &store::invitations::AnsweredRow| crate::paging::Cursor {
            at: row.at,
            id: row.id.to_string(),
        };
        let (answered_rows, answered_links) =
            keyset_page(&at.answered, SWM_PAGE, cursor, |at| async move {
                let page = store::invitations::answered_page(&self.db, account, &at, limit);
                Ok(page.await?)
            })
            .await?;
        let answered = answered_rows
            .into_iter()
            .map(|row| AnsweredInvitation {
                status: ShareStatus::of(row.state.status_at(now), None),
                id: row.id,
                share_name: row.share_name,
                owner: row.owner_account_id,
                owner_name: row.owner_name,
                at: instant(row.at),
            })
            .collect();
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
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        vaults: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, Some(Vaults::Chosen(vaults)))
            .await
    }

    /// Accepts without choosing vaults (the RAM API has no words for them): the server and
    /// disk backups wait for one, as auto-accepted invitations' do, and are copied once the
    /// recipient picks it ("Copy into vault" on Shared With Me, or the native API).
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn accept_invitation_vaults_later(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, Some(Vaults::Later))
            .await
    }

    /// The recipient rejects: the invitation is answered; nothing is granted.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
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
        accept_into: Option<Vaults<'_>>,
    ) -> ServiceResult<()> {
        retrying(|| self.answer_once(caller, invitation_id, now, accept_into)).await
    }

    async fn answer_once(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
        accept_into: Option<Vaults<'_>>,
    ) -> ServiceResult<()> {
        let accept = accept_into.is_some();
        let mut tx = self.writer.begin().await?;
        // An answer reads its share's backups (it grants them) and reserves vault space:
        // it locks the share and backups for reading, the invitation and the vaults. The
        // share is read only to name those locks: SQLite's transaction holds everything.
        let share = if tx.takes_locks() {
            store::invitations::share_of(&mut tx, invitation_id).await?
        } else {
            None
        };
        if let Some(share) = &share {
            // Accepting into vaults starts copies, counted under the recipient's lock.
            let mut first = vec![Lock::membership_read(), Lock::share_read(share)];
            if let Some(Vaults::Chosen(_)) = &accept_into {
                first.push(Lock::account(caller.account_id.as_str()));
            }
            tx.lock(&first).await?;
            let held = store::shares::backup_ids(&mut tx, share).await?;
            let mut locks = held
                .iter()
                .map(|b| Lock::backup_read(b))
                .collect::<Vec<_>>();
            locks.push(Lock::invitation(invitation_id));
            locks.extend(
                match accept_into {
                    Some(Vaults::Chosen(vaults)) => vaults.values().collect(),
                    _ => Vec::new(),
                }
                .into_iter()
                .map(|v| Lock::vault(v)),
            );
            tx.lock(&locks).await?;
        }
        let row = store::invitations::parties(&mut tx, invitation_id).await?;
        let not_found = || UserError::NotFound(Missing::Invitation);
        let Some(row) = row else {
            return Err(not_found().into());
        };
        if row.recipient_account_id != caller.account_id {
            return Err(if row.owner_account_id == caller.account_id {
                UserError::Forbidden(Denied::NotInvitee)
            } else {
                not_found()
            }
            .into());
        }
        caller.require_change()?;
        let invitation = row.state.invitation();
        let next = if accept {
            invitation.accept(now)?
        } else {
            invitation.reject(now)?
        };
        // What an acceptance grants, read before the writes (which SQLite then sends with
        // the commit).
        let granted = match next {
            InvitationStatus::Accepted => {
                store::grants::of_share_backups(&mut tx, invitation_id, &row.share_id).await?
            }
            _ => Vec::new(),
        };
        tx.queue_writes();
        let moved = store::invitations::answer(
            &mut tx,
            invitation_id,
            invitation.status,
            next,
            millis(now),
        );
        if !moved.await? {
            return Err(Conflict::AnsweredMeanwhile.into());
        }
        if next == InvitationStatus::Accepted {
            let recipient = &row.recipient_account_id;
            let copied = grant_backups(&mut tx, invitation_id, recipient, granted, now).await?;
            // Only server and disk backups are copied: a share of clusters has none to start.
            if let (true, Some(Vaults::Chosen(vaults))) = (copied, accept_into) {
                tx.flush().await?;
                self.start_copies_on_accept(
                    &mut tx,
                    invitation_id,
                    recipient.as_str(),
                    vaults,
                    now,
                )
                .await?;
            }
        }
        let line = Line {
            actor: Some(caller),
            action: if accept {
                ActivityAction::AcceptedInvitation
            } else {
                ActivityAction::RejectedInvitation
            },
            owner: row.owner_account_id.as_str(),
            recipient: Some(row.recipient_account_id.as_str()),
            share_name: Some(&row.share_name),
            detail: String::new(),
            outcome: DONE,
            reason: None,
            note: None,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Where an accepted invitation's server and disk backups are copied.
#[derive(Debug, Clone, Copy)]
enum Vaults<'a> {
    /// Backup id → vault id, one for each (the console's "Accept").
    Chosen(&'a BTreeMap<String, String>),
    /// None yet: each waits for a vault chosen later.
    Later,
}

/// A received backup as "Shared With Me" shows it, with what it may do next.
fn received_backup(row: store::grants::ReceivedRow, my_vaults: &[VaultFacts]) -> ReceivedBackup {
    let grant = Grant {
        status: row.status,
        revoke_at: None,
    };
    let copy = row.copy.copy();
    let vault_choice =
        (row.kind.is_copied() && copy.is_none() && grant.status == GrantStatus::Active)
            .then(|| vault_choice(my_vaults, &row.copy_facts(), row.backup_name.clone()));
    let restore_blocked = grant
        .check_restorable()
        .err()
        .map(Problem::of)
        .or_else(|| {
            rules::check_restorable(&row.backup_id, row.kind, row.lock_reason)
                .err()
                .map(Problem::of)
        })
        .or_else(|| {
            row.kind
                .is_copied()
                .then(|| crate::copy::check_copy_restorable(copy.as_ref()).err())
                .flatten()
                .map(Problem::of)
        });
    ReceivedBackup {
        grant_id: row.id,
        backup_id: row.backup_id,
        backup_name: row.backup_name,
        kind: row.kind,
        region: row.region,
        size_bytes: row.size_bytes,
        owner: row.owner_account_id,
        owner_name: row.owner_name,
        share_name: row.share_name,
        status: ShareStatus::of_grant(grant.status, copy.as_ref()),
        restore_blocked,
        expires_at: row.expires_at.map(instant),
        copy: copy.map(|copy| CopyView {
            vault_name: row.vault_name.unwrap_or_default(),
            copy,
            encrypted: row.encrypted.0,
        }),
        vault_choice,
    }
}
