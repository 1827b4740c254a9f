//! What a recipient sees and answers: "Shared With Me", accept and reject.

use super::copies::vault_choice;
use super::recipients::grant_share_backups;
use super::*;
use crate::views::CopyView;

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
             WHERE i.recipient_account_id = $1 AND i.status = 'pending' AND i.expires_at > $2
             ORDER BY i.created_at DESC, i.id",
        )
        .bind(caller.account_id.as_str())
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        let mut pending = Vec::with_capacity(invitations.len());
        let mut conn = self.db.acquire().await?;
        // The account's vaults, read once for every choice on the page.
        let my_vaults = self
            .vault_facts(&mut conn, caller.account_id.as_str(), now)
            .await?;
        for row in invitations {
            let id: String = row.get("id");
            let rows = sqlx::query(
                "SELECT b.id, b.name, b.kind FROM invitations i
                 JOIN share_backups sb ON sb.share_id = i.share_id
                 JOIN backups b ON b.id = sb.backup_id
                 WHERE i.id = $1 AND b.deleted_at IS NULL ORDER BY b.id",
            )
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
            let mut backups = Vec::with_capacity(rows.len());
            let mut vault_choices = Vec::new();
            for b in rows {
                let backup: String = b.get("id");
                let name: String = b.get("name");
                let kind: String = b.get("kind");
                if word(BackupKind::from_word(&kind), "backups.kind", &kind)?.is_copied() {
                    let (facts, _) = self.copy_facts(&mut conn, &backup).await?;
                    vault_choices.push(vault_choice(&my_vaults, &facts, name.clone()));
                }
                backups.push((BackupId::from_trusted(backup), name));
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

        let received_rows = sqlx::query(
            "SELECT g.id, g.status, b.id AS backup_id, b.name AS backup_name, b.kind, b.region,
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
               AND b.deleted_at IS NULL
             ORDER BY b.created_at DESC, g.id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&mut *conn)
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
                    let (facts, _) = self.copy_facts(&mut conn, &backup_id).await?;
                    Some(vault_choice(&my_vaults, &facts, backup_name.clone()))
                } else {
                    None
                };
            let restore_blocked = grant
                .check_restorable()
                .err()
                .map(|e| e.to_string())
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

        let answered = sqlx::query(
            "SELECT i.id, i.status, i.expires_at, COALESCE(i.answered_at, i.expires_at) AS at,
                    s.name AS share_name, s.owner_account_id, a.name AS owner_name
             FROM invitations i
             JOIN resource_shares s ON s.id = i.share_id
             JOIN accounts a ON a.id = s.owner_account_id
             WHERE i.recipient_account_id = $1
               AND (i.status IN ('rejected', 'expired', 'cancelled')
                    OR (i.status = 'pending' AND i.expires_at <= $2))
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
        let accept = accept_into.is_some();
        let mut tx = crate::db::begin_write(&self.db).await?;
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
