//! The lifecycle of what was shared: background expiry and revocation, deletion, and
//! the grants lost with a backup (rule 11).

use super::*;
use crate::db::Lock;

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
        sqlx::query("DELETE FROM changes WHERE at < $1")
            .bind(millis(now - Duration::minutes(10)))
            .execute(&self.db)
            .await?;
        let due_invitations = sqlx::query(
            "SELECT i.id, i.status, i.expires_at, i.recipient_account_id, s.owner_account_id,
                    s.name AS share_name
             FROM invitations i JOIN resource_shares s ON s.id = i.share_id
             WHERE i.status = 'pending' AND i.expires_at <= $1 LIMIT 500",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for row in due_invitations {
            let next = invitation_from_row(&row)?.expire(now)?;
            let mut tx = self.writer.begin().await?;
            let id: String = row.get("id");
            let expired =
                move_invitation(&mut tx, &id, InvitationStatus::Pending, next, now).await?;
            if expired {
                let line = Line {
                    actor: None,
                    action: "Invitation expired",
                    owner: row.get("owner_account_id"),
                    recipient: Some(row.get("recipient_account_id")),
                    share_name: Some(row.get("share_name")),
                    detail: "It was not answered in time.".into(),
                    outcome: DONE,
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += u64::from(expired);
        }

        let due_grants = sqlx::query(
            "SELECT g.id, g.revoke_at, g.backup_id, g.recipient_account_id, s.owner_account_id,
                    s.name AS share_name
             FROM grants g
             JOIN invitations i ON i.id = g.invitation_id
             JOIN resource_shares s ON s.id = i.share_id
             WHERE g.status = 'revoking' AND g.revoke_at <= $1 LIMIT 500",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for row in due_grants {
            let revoked = Grant {
                status: GrantStatus::Revoking,
                revoke_at: row.get::<Option<i64>, _>("revoke_at").map(instant),
            }
            .finish_revocation(now)?;
            let mut tx = self.writer.begin().await?;
            // A share change re-adding the recipient reads the grant under this lock.
            tx.lock(&[Lock::backup(row.get::<String, _>("backup_id").as_str())])
                .await?;
            let updated = sqlx::query(
                "UPDATE grants SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'revoking'",
            )
            .bind(revoked.status.as_str())
            .bind(millis(now))
            .bind(row.get::<String, _>("id"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                let line = Line {
                    actor: None,
                    action: "Revocation finished",
                    owner: row.get("owner_account_id"),
                    recipient: Some(row.get("recipient_account_id")),
                    share_name: Some(row.get("share_name")),
                    detail: row.get("backup_id"),
                    outcome: DONE,
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            moved += updated;
        }

        // Rule 11: a backup that expired takes its recipients' access (and invitations to
        // shares it leaves empty) with it.
        let expired: Vec<String> = sqlx::query_scalar(
            "SELECT g.backup_id FROM grants g JOIN backups b ON b.id = g.backup_id
             WHERE g.status IN ('active', 'revoking') AND b.expires_at <= $1
             UNION
             SELECT sb.backup_id FROM share_backups sb JOIN backups b ON b.id = sb.backup_id
             JOIN invitations i ON i.share_id = sb.share_id
             WHERE i.status = 'pending' AND b.expires_at <= $2
             LIMIT 500",
        )
        .bind(millis(now))
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        for backup in expired {
            let mut tx = self.writer.begin().await?;
            tx.lock(&[Lock::backup(&backup)]).await?;
            moved += lose_grants(&mut tx, None, &backup, "the backup expired", now).await?;
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// The owner deletes a backup: it leaves every page, its bytes are removed, and every
    /// recipient's grant becomes Lost (rule 11). Recipients may never delete it (rule 10).
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
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
                return Err(UserError::Forbidden(format!(
                    "{id} belongs to the account that shared it: recipients can restore from a shared backup but never delete it."
                ))
                .into())
            }
            other => other?,
        };
        caller.require_change()?;
        rules::check_lock_for(&facts.id, facts.lock, rules::LockedAction::Delete)?;
        sqlx::query("UPDATE backups SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(millis(now))
            .bind(facts.id.as_str())
            .execute(&mut *tx)
            .await?;
        let lost = lose_grants(
            &mut tx,
            Some(caller),
            facts.id.as_str(),
            "the owner deleted the backup",
            now,
        )
        .await?;
        let line = Line {
            actor: Some(caller),
            action: "Deleted backup",
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: facts.id.to_string(),
            outcome: DONE,
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
    why: &str,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let live = sqlx::query(
        "SELECT g.id, g.status, g.revoke_at, g.recipient_account_id, s.owner_account_id,
                s.name AS share_name
         FROM grants g
         JOIN invitations i ON i.id = g.invitation_id
         JOIN resource_shares s ON s.id = i.share_id
         WHERE g.backup_id = $1 AND g.status IN ('active', 'revoking')",
    )
    .bind(backup)
    .fetch_all(&mut *conn)
    .await?;
    let mut moved = 0;
    for row in live {
        let status: String = row.get("status");
        let grant = Grant {
            status: word(GrantStatus::from_word(&status), "grants.status", &status)?,
            revoke_at: row.get::<Option<i64>, _>("revoke_at").map(instant),
        };
        let lost = grant.lose()?;
        let updated = sqlx::query(
            "UPDATE grants SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(lost.status.as_str())
        .bind(millis(now))
        .bind(row.get::<String, _>("id"))
        .bind(grant.status.as_str())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if updated == 1 {
            let line = Line {
                actor,
                action: "Access lost",
                owner: row.get("owner_account_id"),
                recipient: Some(row.get("recipient_account_id")),
                share_name: Some(row.get("share_name")),
                detail: format!("{backup}: {why}"),
                outcome: DONE,
            };
            activity::record(&mut *conn, line, now).await?;
        }
        moved += updated;
    }
    // A pending invitation whose share has no live backup left offers nothing: cancelled.
    let empty = sqlx::query(
        "SELECT i.id, i.status, i.expires_at, i.recipient_account_id, s.owner_account_id,
                s.name AS share_name
         FROM invitations i
         JOIN resource_shares s ON s.id = i.share_id
         JOIN share_backups sb ON sb.share_id = s.id
         WHERE sb.backup_id = $1 AND i.status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM share_backups other JOIN backups b ON b.id = other.backup_id
                           WHERE other.share_id = s.id AND b.deleted_at IS NULL
                             AND (b.expires_at IS NULL OR b.expires_at > $2))",
    )
    .bind(backup)
    .bind(millis(now))
    .fetch_all(&mut *conn)
    .await?;
    for row in empty {
        let next = invitation_from_row(&row)?.cancel()?;
        let id: String = row.get("id");
        let cancelled = move_invitation(conn, &id, InvitationStatus::Pending, next, now).await?;
        if cancelled {
            let line = Line {
                actor,
                action: "Invitation cancelled",
                owner: row.get("owner_account_id"),
                recipient: Some(row.get("recipient_account_id")),
                share_name: Some(row.get("share_name")),
                detail: format!("{backup}: {why}; the share holds no backup any more."),
                outcome: DONE,
            };
            activity::record(&mut *conn, line, now).await?;
        }
        moved += u64::from(cancelled);
    }
    Ok(moved)
}
