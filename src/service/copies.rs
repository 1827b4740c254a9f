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
use crate::conflict::EndedFor;
use crate::copy::{check_vault, CopyFacts, VaultCopy, VaultFacts};
use crate::db::{Lock, WriteTx};
use crate::model::{CopyStatus, TransferFailure};
use crate::objects::TransferError;
use crate::paging::PageAt;
use crate::views::{VaultChoice, VaultContentsPage, VaultItem, VaultOption, VaultView, VaultsPage};

/// Items per page of a vault's contents.
pub const VAULT_PAGE: usize = 50;

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
            refusal: check_vault(vault, backup)
                .err()
                .map(|r| Problem::of(Conflict::Vault(r))),
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
        Ok(store::vaults::facts(conn, account, millis(now)).await?)
    }

    /// Refuses one more copy for `account` when it already has the cap's worth waiting or
    /// under way (429). Counted under the account's lock (see `lock_copy`).
    async fn check_copy_cap(&self, conn: &mut crate::db::Conn, account: &str) -> ServiceResult<()> {
        let cap = self.settings.copies_per_account;
        if store::vaults::under_way(conn, account).await? >= i64::from(cap) {
            return Err(UserError::Busy(AtCap::Copies(cap)).into());
        }
        Ok(())
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
        self.check_copy_cap(conn, recipient).await?;
        let terms = store::grants::copy_terms(conn, grant).await?;
        let backup = terms.backup_id;
        let facts = store::backups::copy_row(&mut *conn, &backup).await?.facts();
        let vaults = self.vault_facts(conn, recipient, now).await?;
        let Some(vault) = vaults.iter().find(|v| v.id == vault_id) else {
            return Err(UserError::NotFound(Missing::Vault(vault_id.to_string())).into());
        };
        check_vault(vault, &facts).map_err(Conflict::Vault)?;
        // Rule 5: an encrypted copy stays encrypted; the recipient gets the data key only
        // because the owner granted it.
        let wrapped_key = if terms.encrypted.0 {
            if !terms.key_granted.0 {
                return Err(Conflict::KeyNotGranted(BackupId::from_trusted(backup)).into());
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
        let placing = store::vaults::Placing {
            grant,
            vault: vault_id,
            recipient,
            backup: &backup,
            copy: &copy,
            wrapped_key,
        };
        let placed = store::vaults::place(conn, placing, millis(now)).await?;
        if !placed {
            return Err(Conflict::PreviousCopyRemoving.into());
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
        for awaiting in store::grants::awaiting_copy(conn, invitation).await? {
            let backup = &awaiting.backup_id;
            let Some(vault) = vaults.get(backup) else {
                return Err(UserError::Invalid(BadInput::NoVaultChosen {
                    name: awaiting.name.clone(),
                    backup: backup.to_string(),
                })
                .into());
            };
            self.start_copy(conn, &awaiting.id, recipient, vault, now)
                .await?;
        }
        Ok(())
    }

    /// A received server or disk backup without a copy yet (added after accepting, or
    /// accepted automatically) is copied into the vault the recipient picks now.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
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
        lock_copy(&mut tx, caller, grant_id, Some(vault_id)).await?;
        let status = store::grants::copyable_status(&mut tx, grant_id, &caller.account_id).await?;
        let Some(status) = status else {
            return Err(UserError::NotFound(Missing::ReceivedBackup).into());
        };
        caller.require_change()?;
        if status != GrantStatus::Active {
            return Err(Conflict::ShareEnded(EndedFor::Copy).into());
        }
        let existing = store::vaults::live_status(&mut tx, grant_id).await?;
        if existing.is_some() {
            return Err(Conflict::AlreadyCopied.into());
        }
        self.start_copy(&mut tx, grant_id, caller.account_id.as_str(), vault_id, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// "Retry" on a failed copy: the space is reserved again (if the vault still has it)
    /// and the copy starts over.
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
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
        lock_copy(&mut tx, caller, grant_id, None).await?;
        let row = store::vaults::for_retry(&mut tx, grant_id, &caller.account_id).await?;
        let Some(row) = row else {
            return Err(UserError::NotFound(Missing::Copy).into());
        };
        caller.require_change()?;
        if row.grant_status != GrantStatus::Active {
            return Err(Conflict::ShareEnded(EndedFor::RetryCopy).into());
        }
        let again = row.copy.retry()?;
        self.check_copy_cap(&mut tx, caller.account_id.as_str())
            .await?;
        let backup = row.backup_id;
        let facts = store::backups::copy_row(&mut *tx, &backup).await?.facts();
        let vault_id = row.vault_id;
        let vaults = self
            .vault_facts(&mut tx, caller.account_id.as_str(), now)
            .await?;
        let vault = vaults
            .iter()
            .find(|v| v.id == vault_id)
            .ok_or_else(|| ServiceError::Corrupt(format!("copy {grant_id} in missing vault")))?;
        check_vault(vault, &facts).map_err(Conflict::Vault)?;
        store::vaults::restart(&mut tx, grant_id, again.status, millis(now)).await?;
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
        store::vaults::discard_ended(&mut tx, millis(now)).await?;
        tx.commit().await?;
        let mut done = 0;
        // A restore still reading a copy keeps its bytes until it is done.
        for copy in store::vaults::deletable(&self.db, 100).await? {
            let object = copy_object(&copy.grant_id, copy.attempt);
            self.objects.delete("copies", &object).await?;
            let deleted = store::vaults::mark_deleted(&self.db, &copy.grant_id, millis(now));
            done += u64::from(deleted.await?);
        }
        Ok(done)
    }

    /// Copies waiting for a worker (never claimed, or their worker's lease lapsed), oldest
    /// first.
    async fn due_copies(&self, now: DateTime<Utc>, at_most: usize) -> ServiceResult<Vec<String>> {
        let limit = i64::try_from(at_most).unwrap_or(i64::MAX);
        Ok(store::vaults::due(&self.db, millis(now), limit).await?)
    }

    /// Takes a copy whose lease lapsed (or that never ran) for a new attempt.
    async fn claim_copy(&self, grant: &str, now: DateTime<Utc>) -> ServiceResult<Option<Claim>> {
        let lease = millis(Utc::now().max(now) + self.settings.job_lease);
        if !store::vaults::claim(&self.db, grant, lease, millis(now)).await? {
            return Ok(None);
        }
        let row = store::vaults::claimed(&self.db, grant).await?;
        let attempt = row.attempt;
        // A worker that died may have left an earlier attempt's object; it is never used.
        if attempt > 1 {
            self.objects
                .delete("copies", &copy_object(grant, attempt - 1))
                .await?;
        }
        Ok(Some(Claim {
            grant: grant.to_owned(),
            backup: row.backup_id,
            attempt,
            stored_sha256: row.stored_sha256.ok_or_else(|| {
                ServiceError::Corrupt(format!("backup of copy {grant} has no checksum"))
            })?,
            recipient: row.account_id,
            owner: row.owner,
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
        let row = store::vaults::held(&mut tx, &claim.grant, claim.attempt).await?;
        let Some(row) = row else {
            // Discarded or taken over meanwhile: this attempt's bytes are nobody's.
            drop(tx);
            self.objects.delete("copies", &object).await?;
            return Ok(false);
        };
        let next = row.finish(outcome)?;
        store::vaults::finish(&mut tx, &claim.grant, claim.attempt, &next, millis(now)).await?;
        let line = Line {
            actor: None,
            action: if next.status == CopyStatus::Available {
                ActivityAction::CopyFinished
            } else {
                ActivityAction::CopyFailed
            },
            owner: &claim.owner,
            recipient: Some(&claim.recipient),
            share_name: None,
            detail: claim.backup.clone(),
            outcome: next
                .failure
                .map_or(outcome::AVAILABLE_VERIFIED, TransferFailure::sentence),
            reason: next.failure.map(crate::error::Reason::Failed),
            note: None,
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
    async fn copy_and_verify(
        &self,
        claim: &Claim,
        object: &str,
    ) -> Option<Result<(), TransferFailure>> {
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
                        let copied = i64::try_from(copied).unwrap_or(i64::MAX);
                        let held =
                            store::vaults::progress(&db, &grant, attempt, copied, millis(now))
                                .await;
                        // A database hiccup stops this attempt; the lease lapses and it reruns.
                        let held = held.unwrap_or(false);
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
            Err(error) if error.is_not_found() => Err(TransferFailure::SourceGone),
            Err(error) => {
                tracing::error!(grant = claim.grant, %error, "copy failed");
                Err(TransferFailure::Storage)
            }
            Ok(done) if done.read_sha256 != claim.stored_sha256 => {
                Err(TransferFailure::SourceChanged)
            }
            Ok(_) => match self.objects.sha256("copies", object).await {
                Ok(written) if written == claim.stored_sha256 => Ok(()),
                Ok(_) => Err(TransferFailure::WrittenMismatch),
                Err(error) => {
                    tracing::error!(grant = claim.grant, %error, "reading a copy back failed");
                    Err(TransferFailure::Unreadable)
                }
            },
        })
    }

    /// The "Vaults" page: each vault's capacity and usage, and the account's totals. What
    /// each vault holds is paged on its own ([`Backshare::vault_contents`]).
    pub async fn vaults(&self, caller: &Caller, now: DateTime<Utc>) -> ServiceResult<VaultsPage> {
        let mut conn = self.db.acquire().await?;
        let account = caller.account_id.as_str();
        let vaults = self
            .vault_facts(&mut conn, account, now)
            .await?
            .into_iter()
            .map(|v| VaultView {
                id: v.id,
                name: v.name,
                kind: v.kind,
                region: v.region,
                capacity_bytes: v.capacity_bytes,
                used_bytes: v.used_bytes,
            })
            .collect();
        Ok(VaultsPage {
            vaults,
            owned_backup_bytes: store::backups::owned_bytes(&mut *conn, account, millis(now))
                .await?,
            received_copy_bytes: store::vaults::held_bytes(&mut *conn, account).await?,
        })
    }

    /// One keyset page of a vault's contents ([`VAULT_PAGE`] items, newest first): the
    /// account's own backups kept in it and the copies it holds of others'. Another
    /// account's vault is not found.
    pub async fn vault_contents(
        &self,
        caller: &Caller,
        vault_id: &str,
        at: &PageAt,
        now: DateTime<Utc>,
    ) -> ServiceResult<VaultContentsPage> {
        if !store::vaults::is_owned(&self.db, vault_id, &caller.account_id).await? {
            return Err(UserError::NotFound(Missing::Vault(vault_id.to_string())).into());
        }
        let cursor = |row: &store::vaults::ItemRow| crate::paging::Cursor {
            at: row.at,
            id: row.key.clone(),
        };
        let (rows, links) = keyset_page(at, VAULT_PAGE, cursor, |at| async move {
            let limit = VAULT_PAGE as i64 + 1;
            let page = store::vaults::contents_page(&self.db, vault_id, millis(now), &at, limit);
            Ok(page.await?)
        })
        .await?;
        let items = rows
            .into_iter()
            .map(|row| {
                let copy = row.copy.copy();
                let status = match (copy.as_ref(), row.grant_status) {
                    (Some(copy), Some(grant)) => ShareStatus::of_grant(grant, Some(copy)).label(),
                    _ => "Available".to_owned(),
                };
                VaultItem {
                    backup_id: row.backup_id,
                    name: row.name,
                    size_bytes: row.size_bytes,
                    received_from: row
                        .owner_name
                        .zip(row.owner_id)
                        .map(|(name, id)| format!("{name} ({id})")),
                    status,
                }
            })
            .collect();
        Ok(VaultContentsPage { items, links })
    }
}

/// Locks what starting a copy of a grant reads: the grant's backup (its grant and copy
/// rows) and the vault whose space is reserved (the copy's own when `vault` is `None`).
async fn lock_copy(
    tx: &mut WriteTx,
    caller: &Caller,
    grant_id: &str,
    vault: Option<&str>,
) -> ServiceResult<()> {
    let Some(place) = store::vaults::place_of_grant(tx, grant_id).await? else {
        return Ok(()); // nothing to guard: the command answers not found
    };
    let backup = place.backup_id;
    let vault = vault.map(str::to_owned).or(place.vault_id);
    // The caller's account: its copies under way are counted against the cap.
    let mut locks = vec![
        Lock::account(caller.account_id.as_str()),
        Lock::backup(&backup),
    ];
    locks.extend(vault.as_deref().map(Lock::vault));
    tx.lock(&locks).await?;
    Ok(())
}
