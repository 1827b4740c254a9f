//! Copy grants (PRODUCT.md §2): server and disk backups are copied into a vault the
//! recipient owns. Choosing the vault reserves the space in the same write transaction
//! that checks it; a durable job copies the bytes (streamed, hashed, verified) under a
//! lease, so a worker that dies is replaced and a stale one cannot finish a newer attempt;
//! copies of ended grants are deleted and free their space.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use tokio::sync::Semaphore;

use super::lease::{Job, LeaseKeeper};
use super::*;
use crate::copy::{check_vault, CopyFacts, VaultCopy, VaultFacts};
use crate::db::{Lock, WriteTx};
use crate::model::{CopyStatus, ResourceKind};
use crate::objects::TransferError;
use crate::views::{VaultChoice, VaultItem, VaultOption, VaultView, VaultsPage};

/// The object key of one attempt of a copy: a retried or taken-over copy writes a new
/// object, so an older attempt can never overwrite or delete a newer one's bytes.
pub(super) fn copy_object(grant: &str, attempt: i64) -> String {
    format!("{grant}.{attempt}")
}

/// How often a running copy tells the pages of both accounts that it moved.
const ANNOUNCE_EVERY: Duration = Duration::from_secs(1);

/// Where a backup could be copied among `vaults` (the account's), each with its verdict.
pub(super) fn vault_choice(
    vaults: &[VaultFacts],
    backup: &CopyFacts,
    backup_name: String,
) -> VaultChoice {
    let options = vaults
        .iter()
        .map(|vault| VaultOption {
            refusal: check_vault(vault, backup).err().map(|r| r.to_string()),
            free_bytes: vault.free_bytes(),
            vault_id: vault.id.clone(),
            name: vault.name.clone(),
        })
        .collect();
    VaultChoice {
        backup_id: backup.backup.clone(),
        backup_name,
        kind: backup.kind,
        size_bytes: backup.size_bytes,
        options,
    }
}

/// A copy the job claimed: what it needs to run one attempt.
struct Claim {
    grant: String,
    backup: String,
    attempt: i64,
    stored_sha256: String,
    recipient: String,
    owner: String,
}

impl Backshare {
    /// The account's vaults with the space they use: own backups that are still there plus
    /// copies that hold space (copying or available).
    pub(super) async fn vault_facts(
        &self,
        conn: &mut crate::db::Conn,
        account: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<VaultFacts>> {
        let rows = sqlx::query(
            "SELECT v.id, v.name, v.kind, v.region, v.capacity_bytes,
                    CAST(COALESCE((SELECT SUM(b.size_bytes) FROM backups b
                              WHERE b.vault_id = v.id AND b.deleted_at IS NULL
                                AND (b.expires_at IS NULL OR b.expires_at > $1)), 0)
                  + COALESCE((SELECT SUM(c.size_bytes) FROM copies c
                              WHERE c.vault_id = v.id AND c.status IN ('copying', 'available')), 0)
                    AS BIGINT) AS used_bytes
             FROM vaults v WHERE v.account_id = $2 ORDER BY v.name, v.id",
        )
        .bind(millis(now))
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|row| {
                let kind: String = row.get("kind");
                Ok(VaultFacts {
                    id: row.get("id"),
                    name: row.get("name"),
                    kind: word(ResourceKind::from_word(&kind), "vaults.kind", &kind)?,
                    region: row.get("region"),
                    capacity_bytes: row.get("capacity_bytes"),
                    used_bytes: row.get("used_bytes"),
                })
            })
            .collect()
    }

    /// Reserves `vault` for the copy of a grant's backup and queues the copy. Runs inside
    /// the caller's write transaction, so the check and the reservation are one step.
    pub(super) async fn start_copy(
        &self,
        conn: &mut crate::db::Conn,
        grant: &str,
        recipient: &str,
        vault_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let row = sqlx::query(
            "SELECT g.backup_id, (b.encrypted IS TRUE) AS encrypted, (sb.key_granted IS TRUE) AS key_granted
             FROM grants g
             JOIN backups b ON b.id = g.backup_id
             JOIN invitations i ON i.id = g.invitation_id
             LEFT JOIN share_backups sb ON sb.share_id = i.share_id AND sb.backup_id = g.backup_id
             WHERE g.id = $1",
        )
        .bind(grant)
        .fetch_one(&mut *conn)
        .await?;
        let backup: String = row.get("backup_id");
        let facts = store::backups::copy_row(&mut *conn, &backup).await?.facts();
        let vaults = self.vault_facts(conn, recipient, now).await?;
        let Some(vault) = vaults.iter().find(|v| v.id == vault_id) else {
            return Err(UserError::NotFound(format!("Vault {vault_id}")).into());
        };
        check_vault(vault, &facts).map_err(|r| UserError::Conflict(r.to_string()))?;
        // Rule 5: an encrypted copy stays encrypted; the recipient gets the data key only
        // because the owner granted it.
        let wrapped_key = if row.flag("encrypted") {
            if !row.flag("key_granted") {
                return Err(UserError::Conflict(format!(
                    "{backup} is encrypted and its owner did not grant the decryption key."
                ))
                .into());
            }
            let data_key = self.backup_data_key(conn, &backup, now).await?;
            Some(
                self.account_key(conn, recipient, now)
                    .await?
                    .wrap(&data_key),
            )
        } else {
            None
        };
        let owner = store::backups::owner(&mut *conn, &backup).await?;
        activity::touch(conn, [recipient, owner.as_str()], now).await?;
        let copy = VaultCopy::start(facts.size_bytes);
        // A grant accepted again after its copy was deleted starts over in the same row,
        // keeping its attempt count so that the new attempts write new objects.
        let placed = sqlx::query(
            "INSERT INTO copies (grant_id, vault_id, account_id, backup_id, status, size_bytes,
                                 copied_bytes, wrapped_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)
             ON CONFLICT (grant_id) DO UPDATE SET
                 vault_id = excluded.vault_id, status = excluded.status,
                 size_bytes = excluded.size_bytes, copied_bytes = 0, failure = NULL,
                 lease_until = NULL, wrapped_key = excluded.wrapped_key,
                 updated_at = excluded.updated_at
             WHERE copies.status = 'deleted'",
        )
        .bind(grant)
        .bind(vault_id)
        .bind(recipient)
        .bind(&backup)
        .bind(copy.status.as_str())
        .bind(copy.size_bytes)
        .bind(wrapped_key)
        .bind(millis(now))
        .bind(millis(now))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if placed == 0 {
            return Err(UserError::Conflict(
                "The previous copy of this backup is still being removed: retry in a moment."
                    .into(),
            )
            .into());
        }
        Ok(())
    }

    /// Starts the copies an accept chose vaults for: every server and disk backup of the
    /// invitation must have one (`vaults`: backup id → vault id).
    pub(super) async fn start_copies_on_accept(
        &self,
        conn: &mut crate::db::Conn,
        invitation: &str,
        recipient: &str,
        vaults: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let grants = sqlx::query(
            "SELECT g.id, g.backup_id, b.name FROM grants g JOIN backups b ON b.id = g.backup_id
             WHERE g.invitation_id = $1 AND g.status = 'active'
               AND b.kind IN ('server_backup', 'disk_backup')
               AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.grant_id = g.id AND c.status <> 'deleted')
             ORDER BY g.backup_id",
        )
        .bind(invitation)
        .fetch_all(&mut *conn)
        .await?;
        for row in grants {
            let backup: String = row.get("backup_id");
            let Some(vault) = vaults.get(&backup) else {
                return Err(UserError::Invalid(format!(
                    "Choose a vault for {} ({backup}): server and disk backups are copied into one of your vaults.",
                    row.get::<String, _>("name")
                ))
                .into());
            };
            self.start_copy(conn, row.get("id"), recipient, vault, now)
                .await?;
        }
        Ok(())
    }

    /// A received server or disk backup without a copy yet (added after accepting, or
    /// accepted automatically) is copied into the vault the recipient picks now.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn copy_into_vault(
        &self,
        caller: &Caller,
        grant_id: &str,
        vault_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.copy_into_vault_once(caller, grant_id, vault_id, now)).await
    }

    async fn copy_into_vault_once(
        &self,
        caller: &Caller,
        grant_id: &str,
        vault_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_copy(&mut tx, grant_id, Some(vault_id)).await?;
        let status: Option<String> = sqlx::query_scalar(
            "SELECT g.status FROM grants g JOIN backups b ON b.id = g.backup_id
             WHERE g.id = $1 AND g.recipient_account_id = $2 AND b.kind IN ('server_backup', 'disk_backup')",
        )
        .bind(grant_id)
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(status) = status else {
            return Err(UserError::NotFound("This received backup".into()).into());
        };
        caller.require_change()?;
        if status != GrantStatus::Active.as_str() {
            return Err(UserError::Conflict(
                "This share is no longer active, so nothing can be copied from it.".into(),
            )
            .into());
        }
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT status FROM copies WHERE grant_id = $1 AND status <> 'deleted'",
        )
        .bind(grant_id)
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            return Err(
                UserError::Conflict("This backup is already copied into a vault.".into()).into(),
            );
        }
        self.start_copy(&mut tx, grant_id, caller.account_id.as_str(), vault_id, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Retry" on a failed copy: the space is reserved again (if the vault still has it)
    /// and the copy starts over.
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn retry_copy(
        &self,
        caller: &Caller,
        grant_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.retry_copy_once(caller, grant_id, now)).await
    }

    async fn retry_copy_once(
        &self,
        caller: &Caller,
        grant_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_copy(&mut tx, grant_id, None).await?;
        let row = sqlx::query(
            "SELECT c.status, c.size_bytes, c.copied_bytes, c.failure, c.vault_id, c.backup_id, g.status AS grant_status
             FROM copies c JOIN grants g ON g.id = c.grant_id
             WHERE c.grant_id = $1 AND c.account_id = $2",
        )
        .bind(grant_id)
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(UserError::NotFound("This copy".into()).into());
        };
        caller.require_change()?;
        if row.get::<String, _>("grant_status") != GrantStatus::Active.as_str() {
            return Err(UserError::Conflict(
                "This share is no longer active, so the copy cannot be retried.".into(),
            )
            .into());
        }
        let copy = copy_from_row(&row)?;
        let again = copy.retry()?;
        let backup: String = row.get("backup_id");
        let facts = store::backups::copy_row(&mut *tx, &backup).await?.facts();
        let vault_id: String = row.get("vault_id");
        let vaults = self
            .vault_facts(&mut tx, caller.account_id.as_str(), now)
            .await?;
        let vault = vaults
            .iter()
            .find(|v| v.id == vault_id)
            .ok_or_else(|| ServiceError::Corrupt(format!("copy {grant_id} in missing vault")))?;
        check_vault(vault, &facts).map_err(|r| UserError::Conflict(r.to_string()))?;
        sqlx::query(
            "UPDATE copies SET status = $1, copied_bytes = 0, failure = NULL, lease_until = NULL, updated_at = $2
             WHERE grant_id = $3 AND status = 'failed'",
        )
        .bind(again.status.as_str())
        .bind(millis(now))
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
        let owner = store::backups::owner(&mut *tx, &backup).await?;
        activity::touch(&mut tx, [caller.account_id.as_str(), owner.as_str()], now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The copy job, all in the caller's task: discards copies whose grant ended, deletes
    /// their bytes, and runs the copies no live worker holds side by side until they
    /// finish. Returns how many copies finished (available or failed) or were deleted.
    #[tracing::instrument(skip(self), err)]
    pub async fn run_copies(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        let mut done = self.discard_ended_copies(now).await?;
        let mut claims = Vec::new();
        for grant in self.due_copies(now, 8).await? {
            if let Some(claim) = self.claim_copy(&grant, now).await? {
                claims.push(claim);
            }
        }
        let finished = join_all(claims.into_iter().map(|claim| self.copy_once(claim))).await;
        for outcome in finished {
            done += u64::from(outcome?);
        }
        Ok(done)
    }

    /// The copy job as the server runs it: the same clean-up, then each due copy in a task
    /// of its own, at most `slots` at a time, so a long copy never holds up a short one
    /// and the loop can come back at once. Returns how many copies it started.
    pub async fn start_due_copies(
        &self,
        now: DateTime<Utc>,
        slots: &Arc<Semaphore>,
    ) -> ServiceResult<usize> {
        self.discard_ended_copies(now).await?;
        let mut started = 0;
        for grant in self.due_copies(now, slots.available_permits()).await? {
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                break;
            };
            if let Some(claim) = self.claim_copy(&grant, now).await? {
                let svc = self.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    let grant = claim.grant.clone();
                    if let Err(error) = svc.copy_once(claim).await {
                        // The lease lapses and the copy is taken over again.
                        tracing::error!(grant, %error, "copy attempt failed");
                    }
                });
                started += 1;
            }
        }
        Ok(started)
    }

    /// Copies whose grant ended (revoked, lost) go: their space is free at once, their
    /// bytes are deleted here. Returns how many were deleted.
    async fn discard_ended_copies(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        // Under the write lock: a restore from the copy is either recorded before (and
        // keeps the bytes below) or sees the copy going and is refused.
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE copies SET status = 'deleting', lease_until = NULL, updated_at = $1
             WHERE status IN ('copying', 'available', 'failed')
               AND grant_id IN (SELECT id FROM grants WHERE status IN ('revoked', 'lost'))",
        )
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut done = 0;
        let deleting =
            // A restore still reading a copy keeps its bytes until it is done.
            sqlx::query(
                "SELECT grant_id, attempt FROM copies c WHERE status = 'deleting'
                   AND NOT EXISTS (SELECT 1 FROM restores r
                                   WHERE r.copy_grant_id = c.grant_id AND r.status = 'running')
                 LIMIT 100",
            )
                .fetch_all(&self.db)
                .await?;
        for row in deleting {
            let grant: String = row.get("grant_id");
            self.objects
                .delete("copies", &copy_object(&grant, row.get("attempt")))
                .await?;
            done += sqlx::query("UPDATE copies SET status = 'deleted', updated_at = $1 WHERE grant_id = $2 AND status = 'deleting'")
                .bind(millis(now))
                .bind(&grant)
                .execute(&self.db)
                .await?
                .rows_affected();
        }
        Ok(done)
    }

    /// Copies waiting for a worker (never claimed, or their worker's lease lapsed), oldest
    /// first.
    async fn due_copies(&self, now: DateTime<Utc>, at_most: usize) -> ServiceResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT grant_id FROM copies
             WHERE status = 'copying' AND (lease_until IS NULL OR lease_until < $1)
               AND grant_id IN (SELECT id FROM grants WHERE status = 'active')
             ORDER BY updated_at LIMIT $2",
        )
        .bind(millis(now))
        .bind(i64::try_from(at_most).unwrap_or(i64::MAX))
        .fetch_all(&self.db)
        .await?)
    }

    /// Takes a copy whose lease lapsed (or that never ran) for a new attempt.
    async fn claim_copy(&self, grant: &str, now: DateTime<Utc>) -> ServiceResult<Option<Claim>> {
        let lease = millis(Utc::now().max(now) + self.settings.job_lease);
        let claimed = sqlx::query(
            "UPDATE copies SET attempt = attempt + 1, lease_until = $1, copied_bytes = 0, updated_at = $2
             WHERE grant_id = $3 AND status = 'copying' AND (lease_until IS NULL OR lease_until < $4)
               AND grant_id IN (SELECT id FROM grants WHERE status = 'active')",
        )
        .bind(lease)
        .bind(millis(now))
        .bind(grant)
        .bind(millis(now))
        .execute(&self.db)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT c.attempt, c.backup_id, c.account_id, b.stored_sha256, b.account_id AS owner
             FROM copies c JOIN backups b ON b.id = c.backup_id WHERE c.grant_id = $1",
        )
        .bind(grant)
        .fetch_one(&self.db)
        .await?;
        let attempt: i64 = row.get("attempt");
        // A worker that died may have left an earlier attempt's object; it is never used.
        if attempt > 1 {
            self.objects
                .delete("copies", &copy_object(grant, attempt - 1))
                .await?;
        }
        Ok(Some(Claim {
            grant: grant.to_owned(),
            backup: row.get("backup_id"),
            attempt,
            stored_sha256: row
                .get::<Option<String>, _>("stored_sha256")
                .ok_or_else(|| {
                    ServiceError::Corrupt(format!("backup of copy {grant} has no checksum"))
                })?,
            recipient: row.get("account_id"),
            owner: row.get("owner"),
        }))
    }

    /// One attempt: stream the original into the copy's object, reporting progress (which
    /// also renews the lease), then verify the written bytes against the checksum taken
    /// with the backup. Only the attempt that still holds the copy may finish it.
    async fn copy_once(&self, claim: Claim) -> ServiceResult<bool> {
        let object = copy_object(&claim.grant, claim.attempt);
        // The lease is renewed on its own clock while this attempt lives (streaming, the
        // final upload, the read-back), so a long step never lets another worker take over.
        let keeper = LeaseKeeper::start(
            self.db.clone(),
            Job::Copy,
            claim.grant.clone(),
            claim.attempt,
            self.settings.job_lease,
        );
        let outcome = self.copy_and_verify(&claim, &object).await;
        drop(keeper);
        let Some(outcome) = outcome else {
            return Ok(false);
        };
        let now = Utc::now();
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT status, size_bytes, copied_bytes, failure FROM copies WHERE grant_id = $1 AND attempt = $2 AND status = 'copying'",
        )
        .bind(&claim.grant)
        .bind(claim.attempt)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            // Discarded or taken over meanwhile: this attempt's bytes are nobody's.
            drop(tx);
            self.objects.delete("copies", &object).await?;
            return Ok(false);
        };
        let next = copy_from_row(&row)?.finish(outcome)?;
        sqlx::query(
            "UPDATE copies SET status = $1, copied_bytes = $2, failure = $3, lease_until = NULL, updated_at = $4
             WHERE grant_id = $5 AND attempt = $6 AND status = 'copying'",
        )
        .bind(next.status.as_str())
        .bind(next.copied_bytes)
        .bind(&next.failure)
        .bind(millis(now))
        .bind(&claim.grant)
        .bind(claim.attempt)
        .execute(&mut *tx)
        .await?;
        let line = Line {
            actor: None,
            action: if next.status == CopyStatus::Available {
                "Copy finished"
            } else {
                "Copy failed"
            },
            owner: &claim.owner,
            recipient: Some(&claim.recipient),
            share_name: None,
            detail: claim.backup.clone(),
            outcome: next
                .failure
                .as_deref()
                .unwrap_or("Available: checksum verified"),
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        if next.status == CopyStatus::Failed {
            self.objects.delete("copies", &object).await?;
        }
        Ok(true)
    }

    /// Streams the original into `object` (progress shown to both accounts about once a
    /// second) and verifies it. `None` when the attempt was stopped (discarded or taken
    /// over); otherwise the outcome the copy records.
    async fn copy_and_verify(&self, claim: &Claim, object: &str) -> Option<Result<(), String>> {
        let mut announced = Instant::now() - ANNOUNCE_EVERY;
        let transfer = self
            .objects
            .transfer(
                ("backups", &claim.backup),
                ("copies", object),
                None,
                self.settings.copy_rate_limit,
                |copied| {
                    let announce = announced.elapsed() >= ANNOUNCE_EVERY;
                    if announce {
                        announced = Instant::now();
                    }
                    let (db, grant, attempt) =
                        (self.db.clone(), claim.grant.clone(), claim.attempt);
                    let watchers = [claim.recipient.clone(), claim.owner.clone()];
                    async move {
                        let now = Utc::now();
                        let held = sqlx::query(
                            "UPDATE copies SET copied_bytes = $1, updated_at = $2
                             WHERE grant_id = $3 AND attempt = $4 AND status = 'copying'",
                        )
                        .bind(i64::try_from(copied).unwrap_or(i64::MAX))
                        .bind(millis(now))
                        .bind(&grant)
                        .bind(attempt)
                        .execute(&db)
                        .await;
                        // A database hiccup stops this attempt; the lease lapses and it reruns.
                        let held = matches!(held, Ok(done) if done.rows_affected() == 1);
                        if held && announce {
                            if let Ok(mut conn) = db.acquire().await {
                                let accounts = watchers.iter().map(String::as_str);
                                if let Err(error) = activity::touch(&mut conn, accounts, now).await
                                {
                                    tracing::warn!(%error, "could not announce copy progress");
                                }
                            }
                        }
                        held
                    }
                },
            )
            .await;
        Some(match transfer {
            Err(TransferError::Stopped) => return None,
            Err(error) if error.is_not_found() => Err("the original backup's bytes are gone".into()),
            Err(error) => {
                tracing::error!(grant = claim.grant, %error, "copy failed");
                Err("the bytes could not be copied (a storage error; see the server log)".into())
            }
            Ok(done) if done.read_sha256 != claim.stored_sha256 => Err(
                "verification failed: the original's bytes do not match the checksum taken with the backup (they changed or were damaged since)".into(),
            ),
            Ok(_) => match self.objects.sha256("copies", object).await {
                Ok(written) if written == claim.stored_sha256 => Ok(()),
                Ok(_) => Err("verification failed: the copy's bytes do not match the original's checksum".into()),
                Err(error) => {
                    tracing::error!(grant = claim.grant, %error, "reading a copy back failed");
                    Err("the copy could not be read back to verify it".into())
                }
            },
        })
    }

    /// The "Vaults" page: each vault's capacity and what fills it, and the account's totals.
    pub async fn vaults(&self, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<VaultsPage> {
        let mut conn = self.db.acquire().await?;
        let account = caller.account_id.as_str();
        let facts = self.vault_facts(&mut conn, account, now).await?;
        let own = sqlx::query(
            "SELECT vault_id, id, name, size_bytes FROM backups
             WHERE account_id = $1 AND vault_id IS NOT NULL AND deleted_at IS NULL
               AND (expires_at IS NULL OR expires_at > $2)
             ORDER BY created_at DESC, id",
        )
        .bind(account)
        .bind(millis(now))
        .fetch_all(&mut *conn)
        .await?;
        let received = sqlx::query(
            "SELECT c.vault_id, c.backup_id, c.status, c.size_bytes, c.copied_bytes, c.failure,
                    b.name, a.name AS owner_name, a.id AS owner_id, g.status AS grant_status
             FROM copies c JOIN backups b ON b.id = c.backup_id JOIN accounts a ON a.id = b.account_id
             JOIN grants g ON g.id = c.grant_id
             WHERE c.account_id = $1 AND c.status IN ('copying', 'available', 'failed')
             ORDER BY c.created_at DESC, c.grant_id",
        )
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
        let mut vaults: Vec<VaultView> = facts
            .into_iter()
            .map(|v| VaultView {
                id: v.id,
                name: v.name,
                kind: v.kind,
                region: v.region,
                capacity_bytes: v.capacity_bytes,
                used_bytes: v.used_bytes,
                items: Vec::new(),
            })
            .collect();
        for row in &own {
            let vault: String = row.get("vault_id");
            if let Some(v) = vaults.iter_mut().find(|v| v.id == vault) {
                v.items.push(VaultItem {
                    backup_id: BackupId::from_trusted(row.get::<String, _>("id")),
                    name: row.get("name"),
                    size_bytes: row.get("size_bytes"),
                    received_from: None,
                    status: "Available".into(),
                });
            }
        }
        let mut received_copy_bytes = 0;
        for row in &received {
            let copy = copy_from_row(row)?;
            let grant_status: String = row.get("grant_status");
            let grant_status = word(
                GrantStatus::from_word(&grant_status),
                "grants.status",
                &grant_status,
            )?;
            if copy.status.holds_space() {
                received_copy_bytes += copy.size_bytes;
            }
            let vault: String = row.get("vault_id");
            if let Some(v) = vaults.iter_mut().find(|v| v.id == vault) {
                v.items.push(VaultItem {
                    backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                    name: row.get("name"),
                    size_bytes: copy.size_bytes,
                    received_from: Some(format!(
                        "{} ({})",
                        row.get::<String, _>("owner_name"),
                        row.get::<String, _>("owner_id")
                    )),
                    status: ShareStatus::of_grant(grant_status, Some(&copy)).label(),
                });
            }
        }
        let owned_backup_bytes: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM backups
             WHERE account_id = $1 AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(account)
        .bind(millis(now))
        .fetch_one(&mut *conn)
        .await?;
        Ok(VaultsPage {
            vaults,
            owned_backup_bytes,
            received_copy_bytes,
        })
    }
}

/// A copy row (status, size_bytes, copied_bytes, failure) as the pure type.
pub(super) fn copy_from_row(row: &sqlx::any::AnyRow) -> ServiceResult<VaultCopy> {
    let status: String = row.get("status");
    Ok(VaultCopy {
        status: word(CopyStatus::from_word(&status), "copies.status", &status)?,
        copied_bytes: row.get("copied_bytes"),
        size_bytes: row.get("size_bytes"),
        failure: row.get("failure"),
    })
}

/// Locks what starting a copy of a grant reads: the grant's backup (its grant and copy
/// rows) and the vault whose space is reserved (the copy's own when `vault` is `None`).
async fn lock_copy(tx: &mut WriteTx, grant_id: &str, vault: Option<&str>) -> ServiceResult<()> {
    let row = sqlx::query(
        "SELECT g.backup_id, c.vault_id FROM grants g
         LEFT JOIN copies c ON c.grant_id = g.id WHERE g.id = $1",
    )
    .bind(grant_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(()); // nothing to guard: the command answers not found
    };
    let backup: String = row.get("backup_id");
    let vault = vault.map(str::to_owned).or(row.get("vault_id"));
    let mut locks = vec![Lock::backup(&backup)];
    locks.extend(vault.as_deref().map(Lock::vault));
    tx.lock(&locks).await?;
    Ok(())
}
