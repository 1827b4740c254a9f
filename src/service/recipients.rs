//! Who a resource share reaches. Principals (accounts, projects, folders) resolve to
//! recipient accounts; whenever that set changes (principals edited, an account moved into
//! or out of a folder) the difference becomes invitations sent, cancelled or revoked.

use super::*;

pub(super) use crate::store::shares::ShareRow;

/// The resource directory an account belongs to, if any.
pub(super) async fn directory_of(
    conn: &mut crate::db::Conn,
    account: &AccountId,
) -> ServiceResult<Option<rules::OwnerDirectory>> {
    Ok(store::directories::of_account(conn, account).await?)
}

/// What a principal stands for right now.
pub(super) struct Resolved {
    /// The recipient accounts: an account principal's own, a project's owner, or every
    /// account in a folder or in any folder below it.
    pub accounts: Vec<AccountId>,
    /// The resource directory the principal belongs to (rule 8).
    pub directory: Option<String>,
    /// An account principal's facts as a recipient, read with it (rules 2 and 3).
    pub facts: Option<RecipientFacts>,
    /// A project principal's region, read with it (rule 2).
    pub region: Option<String>,
}

/// Resolves a principal (see [`Resolved`]); `None` when an account or project principal
/// does not exist.
pub(super) async fn resolve_principal(
    conn: &mut crate::db::Conn,
    principal: &PrincipalRef,
) -> ServiceResult<Option<Resolved>> {
    let resolved = match principal {
        PrincipalRef::Account(account) => {
            let Some(row) = store::accounts::as_recipient(conn, account).await? else {
                return Ok(None);
            };
            Resolved {
                accounts: vec![account.clone()],
                directory: row.directory,
                facts: Some(RecipientFacts {
                    account: account.clone(),
                    site: row.site,
                    regions: row.regions,
                }),
                region: None,
            }
        }
        PrincipalRef::Project(project) => {
            let Some(project) = store::accounts::project(conn, project).await? else {
                return Ok(None);
            };
            Resolved {
                accounts: vec![project.account_id],
                directory: None,
                facts: None,
                region: Some(project.region),
            }
        }
        PrincipalRef::Folder(folder) => Resolved {
            directory: store::directories::of_folder(conn, folder.as_str()).await?,
            accounts: store::directories::accounts_under(conn, folder.as_str()).await?,
            facts: None,
            region: None,
        },
    };
    Ok(Some(resolved))
}

/// A share created in this transaction, as [`Backshare::settle_recipients`] writes it: it
/// has no recipients or invitations yet, so none are read; its backups and the recipients
/// that accept at once were read before its writes were queued.
#[derive(Debug, Clone, Copy)]
pub(super) struct Created<'a> {
    pub backups: &'a [BackupId],
    /// The recipients in one resource directory with the owner whose auto-accept is on.
    pub automatic: &'a BTreeSet<AccountId>,
}

impl Backshare {
    /// Turns a change of the accounts a share reaches into invitations: accounts no longer
    /// reached have a pending invitation cancelled or their grants start revoking; accounts
    /// newly reached are invited (again); accounts still reached that had accepted get the
    /// share's new backups at once.
    pub(super) async fn settle_recipients(
        &self,
        conn: &mut crate::db::WriteTx,
        actor: Option<&Caller>,
        share: &ShareRow,
        after: &BTreeSet<AccountId>,
        new_share: Option<Created<'_>>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let before = match new_share {
            Some(_) => BTreeSet::new(),
            None => store::shares::recipients(conn, &share.id).await?,
        };
        for removed in before.difference(after) {
            store::shares::remove_recipient(conn, &share.id, removed).await?;
            self.end_invitation(conn, actor, share, removed, now)
                .await?;
        }
        for added in after.difference(&before) {
            store::shares::add_recipient(conn, &share.id, added).await?;
            self.invite(conn, actor, share, added, new_share, now)
                .await?;
        }
        for kept in after.intersection(&before) {
            let invitation = store::invitations::of_recipient(conn, &share.id, kept).await?;
            if let Some(accepted) =
                invitation.filter(|i| i.state.status == InvitationStatus::Accepted)
            {
                grant_share_backups(conn, &accepted.id, &share.id, kept, now).await?;
            }
        }
        Ok(())
    }

    /// A recipient the share no longer reaches: a pending invitation is cancelled, an
    /// accepted one's active grants start revoking.
    async fn end_invitation(
        &self,
        conn: &mut crate::db::WriteTx,
        actor: Option<&Caller>,
        share: &ShareRow,
        recipient: &AccountId,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let Some(row) = store::invitations::of_recipient(conn, &share.id, recipient).await? else {
            return Ok(());
        };
        let invitation = row.state.invitation();
        match invitation.status {
            InvitationStatus::Pending => {
                let next = invitation.cancel()?;
                let moved = store::invitations::answer(
                    conn,
                    &row.id,
                    InvitationStatus::Pending,
                    next,
                    millis(now),
                );
                if !moved.await? {
                    return Ok(()); // it expired meanwhile: nothing was cancelled
                }
            }
            InvitationStatus::Accepted => {
                let revoking = Grant::active().revoke(now, self.settings.revocation_delay)?;
                store::grants::revoke_invitation(conn, &row.id, &revoking, millis(now)).await?;
            }
            InvitationStatus::Rejected
            | InvitationStatus::Expired
            | InvitationStatus::Cancelled => return Ok(()),
        }
        let line = Line {
            actor,
            action: ActivityAction::CancelledSharing,
            owner: share.owner.as_str(),
            recipient: Some(recipient.as_str()),
            share_name: Some(&share.name),
            detail: String::new(),
            outcome: DONE,
            reason: None,
            note: actor.is_none().then_some(ActivityNote::LeftFolder),
        };
        activity::record(&mut *conn, line, now).await
    }

    /// A recipient the share newly reaches: a new invitation, or the old one sent again.
    /// Inside a resource directory with auto-accept on, it is accepted at once.
    async fn invite(
        &self,
        conn: &mut crate::db::WriteTx,
        actor: Option<&Caller>,
        share: &ShareRow,
        recipient: &AccountId,
        new_share: Option<Created<'_>>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        // Inside one resource directory with auto-accept on, accepted at once.
        let automatic = match new_share {
            Some(created) => created.automatic.contains(recipient),
            None => {
                let one = std::iter::once(recipient);
                !store::directories::auto_accepts(conn, &share.owner, one)
                    .await?
                    .is_empty()
            }
        };
        let status = if automatic {
            InvitationStatus::Accepted
        } else {
            InvitationStatus::Pending
        };
        let sending = store::invitations::Sending {
            status,
            sent_at: millis(now),
            expires_at: millis(now + self.settings.invitation_ttl),
            answered_at: automatic.then(|| millis(now)),
        };
        let old = match new_share {
            Some(_) => None,
            None => store::invitations::of_recipient(conn, &share.id, recipient).await?,
        };
        let id = match old {
            Some(old) => {
                if old.state.status == InvitationStatus::Pending {
                    return Ok(());
                }
                old.state.invitation().invite_again()?;
                store::invitations::send_again(conn, &old.id, old.state.status, &sending).await?;
                old.id
            }
            None => {
                let id = new_id("inv");
                store::invitations::insert(conn, &id, &share.id, recipient, &sending).await?;
                id
            }
        };
        let mut backups = match new_share {
            Some(created) => created.backups.iter().map(ToString::to_string).collect(),
            None => store::shares::live_backups(&mut **conn, &share.id)
                .await?
                .into_iter()
                .map(|b| b.id.to_string())
                .collect::<Vec<_>>(),
        };
        backups.sort();
        let line = Line {
            actor,
            action: ActivityAction::SharedBackups,
            owner: share.owner.as_str(),
            recipient: Some(recipient.as_str()),
            share_name: Some(&share.name),
            detail: backups.join(", "),
            outcome: DONE,
            reason: None,
            note: None,
        };
        activity::record(&mut *conn, line, now).await?;
        if automatic {
            grant_share_backups(conn, &id, &share.id, recipient, now).await?;
            let line = Line {
                actor: None,
                action: ActivityAction::AcceptedInvitation,
                owner: share.owner.as_str(),
                recipient: Some(recipient.as_str()),
                share_name: Some(&share.name),
                detail: String::new(),
                outcome: DONE,
                reason: None,
                note: Some(ActivityNote::AutoAccepted),
            };
            activity::record(&mut *conn, line, now).await?;
        }
        Ok(())
    }

    /// Operator command: puts an account into a resource directory, at its root or in a
    /// folder (or takes it out with `directory = None`). Shares whose folder principals now
    /// reach the account invite it; shares that no longer reach it end its access. An
    /// account a rule keeps out (another site, no project in the region) is not invited,
    /// and the owner's activity log says why.
    pub async fn place_account(
        &self,
        account: &AccountId,
        directory: Option<&str>,
        folder: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.place_account_once(account, directory, folder, now)).await
    }

    async fn place_account_once(
        &self,
        account: &AccountId,
        directory: Option<&str>,
        folder: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.writer.begin().await?;
        // Every share change reads membership under its shared lock: they wait for this.
        tx.lock(&[crate::db::Lock::membership_change()]).await?;
        if !store::accounts::exists(&mut *tx, account.as_str()).await? {
            return Err(UserError::NotFound(Missing::Account(account.to_string())).into());
        }
        if let Some(folder) = folder {
            let in_directory = store::directories::of_folder(&mut tx, folder).await?;
            if in_directory.as_deref() != directory || directory.is_none() {
                return Err(UserError::Invalid(BadInput::FolderNotInDirectory {
                    folder: folder.to_string(),
                    directory: directory.unwrap_or("(none)").to_owned(),
                })
                .into());
            }
        }
        store::directories::remove_member(&mut tx, account).await?;
        if let Some(directory) = directory {
            if !store::directories::exists(&mut tx, directory).await? {
                return Err(UserError::NotFound(Missing::Directory(directory.to_string())).into());
            }
            store::directories::add_member(&mut tx, account, directory, folder).await?;
        }
        // Settling grants and revokes on the backups of the shares with folder principals:
        // deletes, restores and expiry of them wait (share changes already wait on the
        // membership lock).
        let (shares, backups) = store::shares::with_folders(&mut tx).await?;
        let locks = backups
            .iter()
            .map(|b| crate::db::Lock::backup(b))
            .collect::<Vec<_>>();
        tx.lock(&locks).await?;
        for share_id in shares {
            let Some(share) = store::shares::load(&mut *tx, &share_id).await? else {
                continue;
            };
            let after = self.reachable_recipients(&mut tx, &share, now).await?;
            store::reach::retract(&mut tx, &share_id).await?;
            self.settle_recipients(&mut tx, None, &share, &after, None, now)
                .await?;
            store::reach::extend(&mut tx, &share_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Operator command: turns a resource directory's auto-accept on or off.
    pub async fn set_auto_accept(&self, directory: &str, on: bool) -> ServiceResult<()> {
        if !store::directories::set_auto_accept(&self.db, directory, on).await? {
            return Err(UserError::NotFound(Missing::Directory(directory.to_string())).into());
        }
        Ok(())
    }

    /// The accounts a stored share reaches now that every rule admits; those a rule keeps
    /// out are logged for the owner and left out.
    async fn reachable_recipients(
        &self,
        conn: &mut crate::db::Conn,
        share: &ShareRow,
        now: DateTime<Utc>,
    ) -> ServiceResult<BTreeSet<AccountId>> {
        let owner_site = store::accounts::site(conn, &share.owner)
            .await?
            .ok_or_else(|| ServiceError::Corrupt(format!("share {} has no owner", share.id)))?;
        let backups = store::backups::facts_of_share(&mut *conn, &share.id).await?;
        let settled = store::shares::recipients(conn, &share.id).await?;
        let mut reached = BTreeSet::new();
        for principal in store::shares::principals(conn, &share.id).await? {
            let Some(resolved) = resolve_principal(conn, &principal).await? else {
                continue;
            };
            let mut known = resolved.facts;
            for account in resolved.accounts {
                if account == share.owner || reached.contains(&account) {
                    continue;
                }
                let facts = match known.take() {
                    Some(facts) => Some(facts),
                    None => recipient_facts(conn, &account).await?,
                };
                let Some(facts) = facts else {
                    continue;
                };
                let refusal = backups.iter().find_map(|backup| {
                    rules::check_recipient(&share.owner, owner_site, backup, &facts).err()
                });
                match refusal {
                    // Already reached: whatever changed, its access is not taken silently.
                    Some(_) if settled.contains(&account) => {
                        reached.insert(account);
                    }
                    Some(refusal) => {
                        let line = Line {
                            actor: None,
                            action: ActivityAction::NotInvited,
                            owner: share.owner.as_str(),
                            recipient: Some(account.as_str()),
                            share_name: Some(&share.name),
                            detail: String::new(),
                            outcome: &refusal.to_string(),
                            reason: Some(crate::error::Reason::Refused(refusal.clone())),
                            note: Some(ActivityNote::ReachedThrough(principal.id().to_owned())),
                        };
                        activity::record(&mut *conn, line, now).await?;
                    }
                    None => {
                        reached.insert(account);
                    }
                }
            }
        }
        Ok(reached)
    }
}

/// An accepted invitation holds an active grant for every live backup of its share:
/// missing grants are created, and revoking or revoked ones (the recipient was removed,
/// then added again and accepted) become active again. Says whether any of them is a
/// server or disk backup (one that is copied into a vault).
pub(super) async fn grant_share_backups(
    conn: &mut crate::db::WriteTx,
    invitation_id: &str,
    share_id: &str,
    recipient: &AccountId,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    conn.flush().await?;
    let backups = store::grants::of_share_backups(conn, invitation_id, share_id).await?;
    grant_backups(conn, invitation_id, recipient, backups, now).await
}

/// [`grant_share_backups`] for the share's backups read already (`of_share_backups`).
pub(super) async fn grant_backups(
    conn: &mut crate::db::WriteTx,
    invitation_id: &str,
    recipient: &AccountId,
    backups: Vec<store::grants::OfShareBackup>,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let mut copied = false;
    for row in backups {
        copied |= row.kind.vault_kind().is_some();
        let (Some(grant_id), Some(status)) = (row.grant_id, row.status) else {
            let id = new_id("gr");
            let grant = Grant::active();
            store::grants::insert(
                conn,
                &id,
                invitation_id,
                &row.backup_id,
                recipient,
                &grant,
                millis(now),
            )
            .await?;
            continue;
        };
        let grant = Grant {
            status,
            revoke_at: row.revoke_at.map(instant),
        };
        if let Ok(active) = grant.reactivate() {
            store::grants::advance(conn, &grant_id, grant.status, &active, millis(now)).await?;
        }
    }
    Ok(copied)
}
