//! What a recipient sees and answers: "Shared With Me", accept and reject.

use super::recipients::grant_share_backups;
use super::*;

impl Backshare {
    /// "Shared With Me": pending invitations, then what the account received and holds.
    pub async fn shared_with_me(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
    ) -> ServiceResult<SharedWithMe> {
        let invitations = sqlx::query(
            "SELECT i.id, i.created_at, i.expires_at, s.name AS share_name,
                    s.owner_account_id, a.name AS owner_name
             FROM invitations i
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE i.recipient_account_id = ? AND i.status = 'pending' AND i.expires_at > ?
             ORDER BY i.created_at DESC, i.id",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        let mut pending = Vec::with_capacity(invitations.len());
        for row in invitations {
            let id: String = row.get("id");
            let backups = sqlx::query(
                "SELECT b.id, b.name FROM invitations i
                 JOIN share_backups sb ON sb.share_id = i.share_id
                 JOIN backups b ON b.id = sb.backup_id
                 WHERE i.id = ? AND b.deleted_at IS NULL ORDER BY b.id",
            )
            .bind(&id)
            .fetch_all(&self.db)
            .await?
            .into_iter()
            .map(|b| {
                (
                    BackupId::from_trusted(b.get::<String, _>("id")),
                    b.get("name"),
                )
            })
            .collect();
            pending.push(InvitationView {
                id: InvitationId::from_trusted(id),
                share_name: row.get("share_name"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                backups,
                invited_at: instant(row.get("created_at")),
                expires_at: instant(row.get("expires_at")),
            });
        }

        let received = sqlx::query(
            "SELECT g.id, g.status, b.id AS backup_id, b.name AS backup_name, b.kind, b.region,
                    b.size_bytes, s.name AS share_name, s.owner_account_id, a.name AS owner_name
             FROM grants g
             JOIN backups b ON b.id = g.backup_id
             JOIN invitations i ON i.id = g.invitation_id
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE g.recipient_account_id = ? AND g.status IN ('active', 'revoking')
               AND b.deleted_at IS NULL
             ORDER BY b.created_at DESC, g.id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .map(|row| {
            let status: String = row.get("status");
            let kind: String = row.get("kind");
            let kind = word(BackupKind::from_word(&kind), "backups.kind", &kind)?;
            let grant = Grant {
                status: word(GrantStatus::from_word(&status), "grants.status", &status)?,
                revoke_at: None,
            };
            Ok(ReceivedBackup {
                grant_id: GrantId::from_trusted(row.get::<String, _>("id")),
                backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                backup_name: row.get("backup_name"),
                kind,
                region: row.get("region"),
                size_bytes: row.get("size_bytes"),
                owner: AccountId::from_trusted(row.get::<String, _>("owner_account_id")),
                owner_name: row.get("owner_name"),
                share_name: row.get("share_name"),
                status: ShareStatus::of(InvitationStatus::Accepted, Some(grant.status)),
                restore_blocked: if kind == BackupKind::ClusterBackup {
                    grant.check_restorable().err().map(|e| e.to_string())
                } else {
                    Some("Only cluster backups are restored here.".to_owned())
                },
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;

        let answered = sqlx::query(
            "SELECT i.id, i.status, i.expires_at, COALESCE(i.answered_at, i.expires_at) AS at,
                    s.name AS share_name, s.owner_account_id, a.name AS owner_name
             FROM invitations i
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE i.recipient_account_id = ?
               AND (i.status IN ('rejected', 'expired', 'cancelled')
                    OR (i.status = 'pending' AND i.expires_at <= ?))
             ORDER BY at DESC, i.id LIMIT 50",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?
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
            received,
            answered,
        })
    }

    /// The recipient accepts: the invitation is answered and a reference grant is created
    /// for every backup in the share, in one transaction.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, true).await
    }

    /// The recipient rejects: the invitation is answered; nothing is granted.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn reject_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.answer(caller, invitation_id, now, false).await
    }

    async fn answer(
        &self,
        caller: &Caller,
        invitation_id: &str,
        now: DateTime<Utc>,
        accept: bool,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(
            "SELECT i.status, i.expires_at, i.recipient_account_id, i.share_id, s.owner_account_id,
                    s.name AS share_name
             FROM invitations i JOIN resource_shares s ON s.id = i.share_id WHERE i.id = ?",
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
