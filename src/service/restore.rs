//! "Restore Data to New Cluster": a durable job that copies a cluster backup's bytes into a
//! new cluster of the caller's project in the backup's region, verified by SHA-256. The
//! backup is locked ("restoring") while any restore from it runs, which is rule 6's lock.

use super::lease::{Job, LeaseKeeper};
use super::*;
use crate::crypto::Opener;
use crate::db::Lock;
use crate::ids::{ResourceId, RestoreId};
use crate::model::{ResourceKind, RestoreStatus, TransferFailure};
use crate::objects::TransferError;
use crate::views::{RestoreView, RestoresPage};

/// Restores per page of "Restores".
pub const RESTORES_PAGE: usize = 50;

impl Backshare {
    /// Starts a restore of a backup the caller owns or holds by an active grant, into the
    /// given project of the caller's in the backup's region (or its first there). The job
    /// worker finishes it; the returned id follows it on "Restores".
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
    pub async fn restore_backup(
        &self,
        caller: &Caller,
        backup_id: &str,
        project_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<RestoreId> {
        retrying(|| self.restore_backup_once(caller, backup_id, project_id, now)).await
    }

    async fn restore_backup_once(
        &self,
        caller: &Caller,
        backup_id: &str,
        project_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> ServiceResult<RestoreId> {
        let mut tx = self.writer.begin().await?;
        // The account's running restores are counted under its lock; rule 6's lock is set
        // on the backup, and its grant and copy are read: both are the backup's to guard.
        tx.lock(&[
            Lock::account(caller.account_id.as_str()),
            Lock::backup(backup_id),
        ])
        .await?;
        let row = store::backups::for_restore(&mut tx, backup_id, millis(now)).await?;
        let not_found = || UserError::NotFound(Missing::Backup(backup_id.to_owned()));
        let Some(row) = row else {
            return Err(not_found().into());
        };
        let (kind, lock) = (row.kind, row.lock_reason);
        // A recipient of a server or disk backup creates from its own copy, never from the
        // owner's original.
        let mut from_copy = None;
        if row.account_id != caller.account_id {
            // Rule 10: a recipient restores through its grant, and only while it is active.
            let grant = store::grants::for_restore(&mut tx, backup_id, &caller.account_id).await?;
            let Some(grant) = grant else {
                return Err(not_found().into());
            };
            grant.state.grant().check_restorable()?;
            if kind.is_copied() {
                // The copy's row is locked (PostgreSQL): discarding it waits for this
                // restore to be recorded, or this restore sees it going.
                let copy = store::vaults::for_restore(&mut tx, &grant.id).await?;
                crate::copy::check_copy_restorable(copy.as_ref())?;
                from_copy = Some(grant.id);
            }
        }
        // Only now, the backup being the caller's to use, may a rule say why not.
        let Some(resource_kind) = kind.resource_kind() else {
            return Err(Refusal::FileBackupRestore(BackupId::from_trusted(backup_id)).into());
        };
        caller.require_change()?;
        rules::check_restorable(&BackupId::from_trusted(backup_id), kind, lock)?;
        let cap = self.settings.restores_per_account;
        if store::restores::running(&mut tx, &caller.account_id).await? >= i64::from(cap) {
            return Err(UserError::Busy(AtCap::Restores(cap)).into());
        }
        let region = &row.region;
        // The project chosen, or else the account's first in the backup's region.
        let project =
            store::accounts::project_in_region(&mut tx, &caller.account_id, region, project_id)
                .await?;
        if let (None, Some(chosen)) = (&project, project_id) {
            return Err(UserError::Invalid(BadInput::NotYourProject {
                project: chosen.to_string(),
                region: region.to_string(),
                kind: resource_kind,
            })
            .into());
        }
        let Some(project) = project else {
            return Err(UserError::Invalid(BadInput::NoProjectInRegion {
                region: region.to_string(),
                kind: resource_kind,
            })
            .into());
        };

        let id = RestoreId::from_trusted(new_id("rst"));
        let resource = ResourceId::from_trusted(new_id(match resource_kind {
            ResourceKind::Server => "srv",
            ResourceKind::Disk => "disk",
            ResourceKind::Cluster => "cl",
        }));
        let resource_name = format!("{} (restored)", row.name);
        // Rule 6's lock holds while the original is read; a recipient's copy is its own.
        if from_copy.is_none() {
            store::backups::lock_for_restore(&mut tx, backup_id).await?;
        }
        let starting = store::restores::Starting {
            id: &id,
            backup: backup_id,
            account: &caller.account_id,
            project: &project,
            resource: &resource,
            resource_name: &resource_name,
            requested_by: &caller.email,
            kind: resource_kind,
            copy_grant: from_copy.as_deref(),
        };
        store::restores::insert(&mut tx, starting, millis(now)).await?;
        let note = ActivityNote::RestoreInto {
            backup: backup_id.to_owned(),
            resource: resource_name.clone(),
            project: project.to_string(),
        };
        self.log_restore(&mut tx, caller, backup_id, note, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The job: finishes every running restore no worker holds. Each is claimed for one
    /// attempt under a lease (on several instances it runs once at a time; a dead worker's
    /// is taken over when the lease lapses). Bytes are written under the new resource's id
    /// chosen up front and read back to verify them, so an interrupted restore is simply
    /// done again; only the attempt that holds the restore records its outcome.
    pub async fn run_restores(&self, now: DateTime<Utc>) -> ServiceResult<u64> {
        let waiting = store::restores::waiting(&self.db, millis(now), 20).await?;
        let mut finished = 0;
        for id in waiting {
            let Some(row) = self.claim_restore(&id, now).await? else {
                continue; // another worker took it first
            };
            let attempt = row.attempt;
            let keeper = LeaseKeeper::start(
                self.db.clone(),
                Job::Restore,
                id.clone(),
                attempt,
                self.settings.job_lease,
            );
            let backup = row.backup_id.clone();
            let resource = row.resource_id.clone();
            let expected = row.sha256.clone();
            // A fault with one restore fails that restore, never the whole job.
            let outcome = match self.restore_bytes(&row, &resource, &expected, now).await {
                Ok(outcome) => outcome,
                Err(fault) => {
                    tracing::error!(backup, resource, %fault, "restore failed");
                    Err(TransferFailure::Fault)
                }
            };
            drop(keeper);
            let mut tx = self.writer.begin().await?;
            // Whether a restore of the backup still runs is read under the backup's lock.
            tx.lock(&[Lock::backup(&backup)]).await?;
            let (status, failure) = match outcome {
                Ok(()) => (RestoreStatus::Done, None),
                Err(why) => (RestoreStatus::Failed, Some(why)),
            };
            let updated =
                store::restores::finish(&mut tx, &id, attempt, status, failure, millis(now))
                    .await?;
            if updated {
                if outcome.is_ok() {
                    let restored = store::resources::Restored {
                        id: &resource,
                        account: &row.account_id,
                        project: &row.project_id,
                        region: &row.region,
                        kind: row.kind,
                        name: &row.resource_name,
                        size_bytes: row.size_bytes,
                        sha256: &expected,
                    };
                    store::resources::insert_restored(&mut tx, restored, millis(now)).await?;
                } else {
                    tracing::warn!(backup, resource, ?failure, "restore failed");
                }
                // The lock holds while any restore from the backup still runs.
                store::backups::unlock_after_restores(&mut tx, &backup).await?;
                let account = &row.account_id;
                let owner = store::backups::owner(&mut *tx, &backup).await?;
                let line = Line {
                    actor: None,
                    action: ActivityAction::RestoreFinished,
                    owner: owner.as_str(),
                    recipient: (owner.as_str() != account).then_some(account.as_str()),
                    share_name: None,
                    detail: String::new(),
                    outcome: failure.map_or(outcome::DONE_VERIFIED, TransferFailure::sentence),
                    reason: failure.map(crate::error::Reason::Failed),
                    note: Some(ActivityNote::RestoredInto {
                        backup: backup.clone(),
                        resource: row.resource_name.clone(),
                    }),
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            // A failed restore's bytes go, but only by the attempt that recorded it: a
            // stale one must not delete what a newer attempt wrote.
            if updated && outcome.is_err() {
                if let Err(error) = self.objects.delete("resources", &resource).await {
                    tracing::warn!(resource, %error, "removing a failed restore's bytes failed");
                }
            }
            finished += u64::from(updated);
        }
        Ok(finished)
    }

    /// Takes a restore no live worker holds for a new attempt; what the work needs to know.
    async fn claim_restore(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<store::restores::Claimed>> {
        let lease = millis(Utc::now().max(now) + self.settings.job_lease);
        if !store::restores::claim(&self.db, id, lease, millis(now)).await? {
            return Ok(None);
        }
        Ok(Some(store::restores::claimed(&self.db, id).await?))
    }

    /// Writes one restore's bytes into its new resource, opening sealed bytes with the
    /// reader's key, and checks them; the outcome the restore records, or a fault.
    async fn restore_bytes(
        &self,
        row: &store::restores::Claimed,
        resource: &str,
        expected: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Result<(), TransferFailure>> {
        let backup = &row.backup_id;
        let copy_grant = &row.copy_grant_id;
        let source = match copy_grant {
            Some(grant) => (
                "copies",
                super::copies::copy_object(grant, row.copy_attempt.unwrap_or_default()),
            ),
            None => ("backups", backup.clone()),
        };
        // Encrypted bytes are opened on the way with the data key the reader holds:
        // the owner's own, or the one the owner granted with the copy.
        let opener = if row.encrypted.0 {
            let mut conn = self.db.acquire().await?;
            let key = match (copy_grant, &row.wrapped_key) {
                (Some(_), Some(wrapped)) => self
                    .account_key(&mut conn, &row.account_id, now)
                    .await?
                    .unwrap_key(wrapped)?,
                (Some(grant), None) => {
                    return Err(ServiceError::Corrupt(format!(
                        "encrypted copy {grant} has no key"
                    )))
                }
                (None, _) => self.backup_data_key(&mut conn, backup, now).await?,
            };
            Some(Opener::new(&key))
        } else {
            None
        };
        let transfer = self
            .objects
            .transfer(
                (source.0, &source.1),
                ("resources", resource),
                opener,
                0,
                |_| async { true },
            )
            .await;
        let outcome = match transfer {
            Ok(done) if done.written_sha256 == expected => {
                if self.objects.sha256("resources", resource).await? == expected {
                    Ok(())
                } else {
                    Err(TransferFailure::WrittenMismatch)
                }
            }
            Ok(_) => Err(TransferFailure::SourceChanged),
            Err(error) if error.is_not_found() => Err(TransferFailure::SourceGone),
            Err(TransferError::Crypto(error)) => {
                tracing::warn!(backup, resource, %error, "restore could not decrypt");
                Err(TransferFailure::Undecryptable)
            }
            Err(error) => {
                tracing::error!(backup, resource, %error, "restore transfer failed");
                Err(TransferFailure::Storage)
            }
        };
        Ok(outcome)
    }

    /// "Restore started", in the owner's log and (a recipient's restore) the caller's.
    async fn log_restore(
        &self,
        conn: &mut crate::db::Conn,
        caller: &Caller,
        backup: &str,
        note: ActivityNote,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let owner = store::backups::owner(&mut *conn, backup).await?;
        let account = caller.account_id.as_str();
        let line = Line {
            actor: Some(caller),
            action: ActivityAction::RestoreStarted,
            owner: owner.as_str(),
            recipient: Some(account).filter(|a| *a != owner.as_str()),
            share_name: None,
            detail: String::new(),
            outcome: DONE,
            reason: None,
            note: Some(note),
        };
        activity::record(conn, line, now).await
    }

    /// The account's restores, a keyset page of [`RESTORES_PAGE`], newest first: what was
    /// restored from which backup, and how it went.
    pub async fn restores(&self, caller: &Caller, at: &PageAt) -> ServiceResult<RestoresPage> {
        let cursor = |row: &store::restores::ListedRow| crate::paging::Cursor {
            at: row.created_at,
            id: row.id.to_string(),
        };
        let (rows, links) = keyset_page(at, RESTORES_PAGE, cursor, |at| async move {
            let limit = RESTORES_PAGE as i64 + 1;
            Ok(store::restores::page(&self.db, &caller.account_id, &at, limit).await?)
        })
        .await?;
        let restores = rows.into_iter().map(|row| RestoreView {
            id: row.id,
            backup_id: row.backup_id,
            project_id: row.project_id,
            resource_id: row.resource_id,
            resource_name: row.resource_name,
            status: row.status,
            failure: row.failure,
            requested_by: row.requested_by,
            sha256: row.sha256,
            started_at: instant(row.created_at),
            finished_at: row.finished_at.map(instant),
        });
        Ok(RestoresPage {
            restores: restores.collect(),
            links,
        })
    }
}
