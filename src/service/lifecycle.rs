//! The lifecycle of what was shared: background expiry and revocation, deletion, and
//! the grants lost with a backup (rule 11).

use super::*;
use crate::db::Lock;

/// Rows of each kind the lifecycle moves per step; the rest wait for the next second.
const DUE_AT_ONCE: i64 = 500;

impl Backshare {
    /// All due background work in one step: the lifecycle, then the restores. The server
    /// runs the two in loops of their own, so a long restore never holds up an expiry.
    pub async fn run_due_work(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        Ok(self.run_lifecycle(now).await? + self.run_restores(now).await?)
    }

    /// The lifecycle's work: expire unanswered invitations, finish revocations whose delay
    /// has passed, take access to expired backups. Each row moves by a conditional update
    /// from the state the pure transition started from, so running this twice, or on two
    /// workers, does each transition once. Returns how many rows moved.
    #[tracing::instrument(skip(self), err)]
    pub async fn run_lifecycle(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        let mut moved = 0;
        // The feed only needs recent changes: a page that reconnects refetches anyway.
        store::activity::prune_changes(&self.db, millis(now - Duration::minutes(10))).await?;
        store::sign_ins::prune(&self.db, millis(now - self.settings.sign_in.window)).await?;
        for row in store::invitations::due(&self.db, millis(now), DUE_AT_ONCE).await? {
            let next = row.state.invitation().expire(now)?;
            let mut tx = self.writer.begin().await?;
            let expired = store::invitations::answer(
                &mut tx,
                &row.id,
                InvitationStatus::Pending,
                next,
                millis(now),
            )
            .await?;
            if expired {
                let line = Line {
                    actor: None,
                    action: ActivityAction::InvitationExpired,
                    owner: row.owner_account_id.as_str(),
                    recipient: Some(row.recipient_account_id.as_str()),
                    share_name: Some(&row.share_name),
                    detail: String::new(),
                    outcome: DONE,
                    reason: None,
                    note: Some(ActivityNote::NotAnsweredInTime),
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += u64::from(expired);
        }

        for row in store::grants::due_revocations(&self.db, millis(now), DUE_AT_ONCE).await? {
            let grant = row.state.grant();
            let revoked = grant.finish_revocation(now)?;
            let mut tx = self.writer.begin().await?;
            // A share change re-adding the recipient reads the grant under this lock.
            tx.lock(&[Lock::backup(&row.backup_id)]).await?;
            let finished =
                store::grants::advance(&mut tx, &row.id, grant.status, &revoked, millis(now))
                    .await?;
            if finished {
                let line = Line {
                    actor: None,
                    action: ActivityAction::RevocationFinished,
                    owner: row.owner_account_id.as_str(),
                    recipient: Some(row.recipient_account_id.as_str()),
                    share_name: Some(&row.share_name),
                    detail: row.backup_id.clone(),
                    outcome: DONE,
                    reason: None,
                    note: None,
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += u64::from(finished);
        }

        // Rule 11: a backup that expired takes its recipients' access (and invitations to
        // shares it leaves empty) with it.
        for backup in store::grants::expired_backups(&self.db, millis(now), DUE_AT_ONCE).await? {
            let mut tx = self.writer.begin().await?;
            tx.lock(&[Lock::backup(&backup)]).await?;
            moved += lose_grants(&mut tx, None, &backup, GoneWhy::Expired, now).await?;
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// The owner deletes a backup: it leaves every page, its bytes are removed, and every
    /// recipient's grant becomes Lost (rule 11). Recipients may never delete it (rule 10).
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn delete_backup(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.delete_backup_once(caller, backup_id, now)).await
    }

    async fn delete_backup_once(
        &self,
        caller: &Caller,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.writer.begin().await?;
        // The owner's counts of shared backups change, and the backup's grants go.
        tx.lock(&[
            Lock::account(caller.account_id.as_str()),
            Lock::backup(backup_id),
        ])
        .await?;
        let facts = match self.owned_backup(&mut tx, caller, backup_id, now).await {
            Err(ServiceError::User(UserError::Refused(Refusal::Received(id)))) => {
                return Err(UserError::Forbidden(Denied::ReceivedDelete(id.to_string())).into())
            }
            other => other?,
        };
        caller.require_change()?;
        rules::check_lock_for(&facts.id, facts.lock, rules::LockedAction::Delete)?;
        store::backups::mark_deleted(&mut *tx, facts.id.as_str(), millis(now)).await?;
        let lost = lose_grants(
            &mut tx,
            Some(caller),
            facts.id.as_str(),
            GoneWhy::Deleted,
            now,
        )
        .await?;
        let line = Line {
            actor: Some(caller),
            action: ActivityAction::DeletedBackup,
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: facts.id.to_string(),
            outcome: DONE,
            reason: None,
            note: None,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        self.objects.delete("backups", facts.id.as_str()).await?;
        tracing::info!(backup = %facts.id, lost, "backup deleted");
        Ok(())
    }
}

/// Rule 11: every live grant on `backup` becomes Lost, and pending invitations to shares
/// left without a live backup are cancelled, each by the pure transition and a
/// conditional update from the status it had. Returns how many moved.
pub(super) async fn lose_grants(
    conn: &mut crate::db::Conn,
    actor: Option<&Caller>,
    backup: &str,
    why: GoneWhy,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let mut moved = 0;
    for row in store::grants::live_of_backup(conn, backup).await? {
        let grant = row.state.grant();
        let lost = grant.lose()?;
        let updated =
            store::grants::advance(conn, &row.id, grant.status, &lost, millis(now)).await?;
        if updated {
            let line = Line {
                actor,
                action: ActivityAction::AccessLost,
                owner: row.owner_account_id.as_str(),
                recipient: Some(row.recipient_account_id.as_str()),
                share_name: Some(&row.share_name),
                detail: String::new(),
                outcome: DONE,
                reason: None,
                note: Some(ActivityNote::BackupGone {
                    backup: backup.to_owned(),
                    why,
                }),
            };
            activity::record(&mut *conn, line, now).await?;
        }
        moved += u64::from(updated);
    }
    // A pending invitation whose share has no live backup left offers nothing: cancelled.
    for row in store::invitations::pending_to_emptied_shares(conn, backup, millis(now)).await? {
        let next = row.state.invitation().cancel()?;
        let cancelled =
            store::invitations::answer(conn, &row.id, InvitationStatus::Pending, next, millis(now))
                .await?;
        if cancelled {
            let line = Line {
                actor,
                action: ActivityAction::InvitationCancelled,
                owner: row.owner_account_id.as_str(),
                recipient: Some(row.recipient_account_id.as_str()),
                share_name: Some(&row.share_name),
                detail: String::new(),
                outcome: DONE,
                reason: None,
                note: Some(ActivityNote::ShareEmptied {
                    backup: backup.to_owned(),
                    why,
                }),
            };
            activity::record(&mut *conn, line, now).await?;
        }
        moved += u64::from(cancelled);
    }
    Ok(moved)
}
