//! "Restore Data to New Cluster": a durable job that copies a cluster backup's bytes into a
//! new cluster of the caller's project in the backup's region, verified by SHA-256. The
//! backup is locked ("restoring") while any restore from it runs, which is rule 6's lock.

use super::lease::{Job, LeaseKeeper};
use super::*;
use crate::crypto::Opener;
use crate::db::{Backend, Lock};
use crate::ids::{ResourceId, RestoreId};
use crate::model::{ResourceKind, RestoreStatus};
use crate::objects::TransferError;
use crate::views::RestoreView;

impl Backshare {
    /// Starts a restore of a backup the caller owns or holds by an active grant, into the
    /// given project of the caller's in the backup's region (or its first there). The job
    /// worker finishes it; the returned id follows it on "Restores".
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
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
        // Rule 6's lock is set on the backup, and its grant and copy are read: both are
        // the backup's to guard.
        tx.lock(&[Lock::backup(backup_id)]).await?;
        let row = sqlx::query(
            "SELECT b.id, b.name, b.kind, b.region, b.account_id, b.lock_reason, (b.encrypted IS TRUE) AS encrypted
             FROM backups b
             WHERE b.id = $1 AND b.deleted_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > $2)",
        )
        .bind(backup_id)
        .bind(millis(now))
        .fetch_optional(&mut *tx)
        .await?;
        let not_found = || UserError::NotFound(format!("Backup {backup_id}"));
        let Some(row) = row else {
            return Err(not_found().into());
        };
        let kind: String = row.get("kind");
        let kind = word(BackupKind::from_word(&kind), "backups.kind", &kind)?;
        let lock: Option<String> = row.get("lock_reason");
        let lock = lock
            .map(|l| word(LockReason::from_word(&l), "backups.lock_reason", &l))
            .transpose()?;
        let Some(resource_kind) = kind.resource_kind() else {
            return Err(Refusal::FileBackupRestore(BackupId::from_trusted(backup_id)).into());
        };
        // A recipient of a server or disk backup creates from its own copy, never from the
        // owner's original.
        let mut from_copy = None;
        if row.get::<String, _>("account_id") != caller.account_id.as_str() {
            // Rule 10: a recipient restores through its grant, and only while it is active.
            let grant = sqlx::query(
                "SELECT g.id, g.status, g.revoke_at FROM grants g
                 WHERE g.backup_id = $1 AND g.recipient_account_id = $2 AND g.status IN ('active', 'revoking')
                 ORDER BY CASE g.status WHEN 'active' THEN 0 ELSE 1 END LIMIT 1",
            )
            .bind(backup_id)
            .bind(caller.account_id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(grant) = grant else {
                return Err(not_found().into());
            };
            let status: String = grant.get("status");
            Grant {
                status: word(GrantStatus::from_word(&status), "grants.status", &status)?,
                revoke_at: grant.get::<Option<i64>, _>("revoke_at").map(instant),
            }
            .check_restorable()?;
            if kind.is_copied() {
                let grant_id: String = grant.get("id");
                // The copy's row is locked (PostgreSQL): discarding it waits for this
                // restore to be recorded, or this restore sees it going.
                let sql = format!(
                    "SELECT status, size_bytes, copied_bytes, failure FROM copies WHERE grant_id = $1{}",
                    crate::db::for_update(Backend::of(&self.db))
                );
                let copy_row = sqlx::query(&sql)
                    .bind(&grant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let copy = copy_row
                    .as_ref()
                    .map(super::copies::copy_from_row)
                    .transpose()?;
                crate::copy::check_copy_restorable(copy.as_ref())?;
                from_copy = Some(grant_id);
            }
        }
        caller.require_change()?;
        rules::check_restorable(&BackupId::from_trusted(backup_id), kind, lock)?;
        let region: String = row.get("region");
        // The project chosen, or else the account's first in the backup's region.
        let project: Option<String> = sqlx::query_scalar(
            "SELECT id FROM projects WHERE account_id = $1 AND region = $2 AND ($3 IS NULL OR id = $4)
             ORDER BY id LIMIT 1",
        )
        .bind(caller.account_id.as_str())
        .bind(&region)
        .bind(project_id)
        .bind(project_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let (None, Some(chosen)) = (&project, project_id) {
            return Err(UserError::Invalid(format!(
                "Project {chosen} is not one of your projects in {region}: a {} is created in the backup's region.",
                resource_kind.as_str()
            ))
            .into());
        }
        let Some(project) = project else {
            return Err(UserError::Invalid(format!(
                "Your account has no project in {region}: a {} is created in the backup's region.",
                resource_kind.as_str()
            ))
            .into());
        };

        let id = RestoreId::from_trusted(new_id("rst"));
        let resource = ResourceId::from_trusted(new_id(match resource_kind {
            ResourceKind::Server => "srv",
            ResourceKind::Disk => "disk",
            ResourceKind::Cluster => "cl",
        }));
        let resource_name = format!("{} (restored)", row.get::<String, _>("name"));
        // Rule 6's lock holds while the original is read; a recipient's copy is its own.
        if from_copy.is_none() {
            sqlx::query(
                "UPDATE backups SET lock_reason = 'restoring'
                 WHERE id = $1 AND (lock_reason IS NULL OR lock_reason = 'restoring')",
            )
            .bind(backup_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO restores (id, backup_id, account_id, project_id, resource_id, resource_name,
                                   requested_by, status, created_at, kind, copy_grant_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $10)",
        )
        .bind(id.as_str())
        .bind(backup_id)
        .bind(caller.account_id.as_str())
        .bind(&project)
        .bind(resource.as_str())
        .bind(&resource_name)
        .bind(&caller.email)
        .bind(millis(now))
        .bind(resource_kind.as_str())
        .bind(&from_copy)
        .execute(&mut *tx)
        .await?;
        self.log_restore(
            &mut tx,
            Some(caller),
            backup_id,
            "Restore started",
            format!("Into {resource_name} in {project}."),
            DONE,
            now,
        )
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
        let waiting: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM restores
             WHERE status = 'running' AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY created_at LIMIT 20",
        )
        .bind(millis(now))
        .fetch_all(&self.db)
        .await?;
        let mut finished = 0;
        for id in waiting {
            let Some(row) = self.claim_restore(&id, now).await? else {
                continue; // another worker took it first
            };
            let attempt: i64 = row.get("attempt");
            let keeper = LeaseKeeper::start(
                self.db.clone(),
                Job::Restore,
                id.clone(),
                attempt,
                self.settings.job_lease,
            );
            let backup: String = row.get("backup_id");
            let resource: String = row.get("resource_id");
            let expected: String = row.get("sha256");
            // A fault with one restore fails that restore, never the whole job.
            let outcome = match self.restore_bytes(&row, &resource, &expected, now).await {
                Ok(outcome) => outcome,
                Err(fault) => {
                    tracing::error!(backup, resource, %fault, "restore failed");
                    Err("the restore failed on our side (see the server log)".to_owned())
                }
            };
            drop(keeper);
            let mut tx = self.writer.begin().await?;
            // Whether a restore of the backup still runs is read under the backup's lock.
            tx.lock(&[Lock::backup(&backup)]).await?;
            let (status, detail) = match &outcome {
                Ok(()) => (RestoreStatus::Done, None),
                Err(why) => (RestoreStatus::Failed, Some(why.clone())),
            };
            let updated = sqlx::query(
                "UPDATE restores SET status = $1, detail = $2, finished_at = $3, lease_until = NULL
                 WHERE id = $4 AND status = 'running' AND attempt = $5",
            )
            .bind(status.as_str())
            .bind(&detail)
            .bind(millis(now))
            .bind(&id)
            .bind(attempt)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                if outcome.is_ok() {
                    sqlx::query(
                        "INSERT INTO resources (id, account_id, project_id, region, kind, name, encrypted,
                                                size_bytes, sha256, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8, $9)",
                    )
                    .bind(&resource)
                    .bind(row.get::<String, _>("account_id"))
                    .bind(row.get::<String, _>("project_id"))
                    .bind(row.get::<String, _>("region"))
                    .bind(row.get::<String, _>("kind"))
                    .bind(row.get::<String, _>("resource_name"))
                    .bind(row.get::<i64, _>("size_bytes"))
                    .bind(&expected)
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await?;
                } else {
                    tracing::warn!(backup, resource, ?detail, "restore failed");
                }
                // The lock holds while any restore from the backup still runs.
                sqlx::query(
                    "UPDATE backups SET lock_reason = NULL
                     WHERE id = $1 AND lock_reason = 'restoring'
                       AND NOT EXISTS (SELECT 1 FROM restores
                                       WHERE backup_id = $2 AND status = 'running' AND copy_grant_id IS NULL)",
                )
                .bind(&backup)
                .bind(&backup)
                .execute(&mut *tx)
                .await?;
                let account: String = row.get("account_id");
                let owner = store::backups::owner(&mut *tx, &backup).await?;
                let line = Line {
                    actor: None,
                    action: "Restore finished",
                    owner: owner.as_str(),
                    recipient: (owner.as_str() != account).then_some(account.as_str()),
                    share_name: None,
                    detail: format!("{backup} into {}", row.get::<String, _>("resource_name")),
                    outcome: detail.as_deref().unwrap_or("Done: checksum verified"),
                };
                activity::record(&mut tx, line, now).await?;
            }
            tx.commit().await?;
            // A failed restore's bytes go, but only by the attempt that recorded it: a
            // stale one must not delete what a newer attempt wrote.
            if updated == 1 && outcome.is_err() {
                if let Err(error) = self.objects.delete("resources", &resource).await {
                    tracing::warn!(resource, %error, "removing a failed restore's bytes failed");
                }
            }
            finished += updated;
        }
        Ok(finished)
    }

    /// Takes a restore no live worker holds for a new attempt; what the work needs to know.
    async fn claim_restore(
        &self,
        id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<sqlx::any::AnyRow>> {
        let claimed = sqlx::query(
            "UPDATE restores SET attempt = attempt + 1, lease_until = $1
             WHERE id = $2 AND status = 'running' AND (lease_until IS NULL OR lease_until < $3)",
        )
        .bind(millis(Utc::now().max(now) + self.settings.job_lease))
        .bind(id)
        .bind(millis(now))
        .execute(&self.db)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        Ok(Some(
            sqlx::query(
                "SELECT r.id, r.attempt, r.backup_id, r.account_id, r.project_id, r.resource_id,
                        r.resource_name, r.kind, r.copy_grant_id, b.sha256, b.size_bytes, b.region,
                        (b.encrypted IS TRUE) AS encrypted, c.attempt AS copy_attempt, c.wrapped_key
                 FROM restores r JOIN backups b ON b.id = r.backup_id
                 LEFT JOIN copies c ON c.grant_id = r.copy_grant_id
                 WHERE r.id = $1",
            )
            .bind(id)
            .fetch_one(&self.db)
            .await?,
        ))
    }

    /// Writes one restore's bytes into its new resource, opening sealed bytes with the
    /// reader's key, and checks them; the outcome the restore records, or a fault.
    async fn restore_bytes(
        &self,
        row: &sqlx::any::AnyRow,
        resource: &str,
        expected: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<Result<(), String>> {
        let backup: String = row.get("backup_id");
        let copy_grant: Option<String> = row.get("copy_grant_id");
        let source = match &copy_grant {
            Some(grant) => (
                "copies",
                super::copies::copy_object(grant, row.get("copy_attempt")),
            ),
            None => ("backups", backup.clone()),
        };
        // Encrypted bytes are opened on the way with the data key the reader holds:
        // the owner's own, or the one the owner granted with the copy.
        let opener = if row.flag("encrypted") {
            let mut conn = self.db.acquire().await?;
            let key = match (&copy_grant, row.get::<Option<String>, _>("wrapped_key")) {
                (Some(_), Some(wrapped)) => self
                    .account_key(&mut conn, row.get("account_id"), now)
                    .await?
                    .unwrap_key(&wrapped)?,
                (Some(grant), None) => {
                    return Err(ServiceError::Corrupt(format!(
                        "encrypted copy {grant} has no key"
                    )))
                }
                (None, _) => self.backup_data_key(&mut conn, &backup, now).await?,
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
                    Err("the restored bytes do not match the backup's checksum".to_owned())
                }
            }
            Ok(_) => Err("the backup's bytes do not match its checksum".to_owned()),
            Err(error) if error.is_not_found() => Err("the backup's bytes are gone".to_owned()),
            Err(TransferError::Crypto(error)) => {
                Err(format!("the backup could not be decrypted: {error}"))
            }
            Err(error) => {
                tracing::error!(backup, resource, %error, "restore transfer failed");
                Err(
                    "the bytes could not be copied (a storage error; see the server log)"
                        .to_owned(),
                )
            }
        };
        Ok(outcome)
    }

    #[allow(clippy::too_many_arguments)]
    async fn log_restore(
        &self,
        conn: &mut crate::db::Conn,
        actor: Option<&Caller>,
        backup: &str,
        action: &str,
        detail: String,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let owner = store::backups::owner(&mut *conn, backup).await?;
        let account = actor.map(|c| c.account_id.as_str().to_owned());
        let line = Line {
            actor,
            action,
            owner: owner.as_str(),
            recipient: account.as_deref().filter(|a| *a != owner.as_str()),
            share_name: None,
            detail: format!("{backup}: {detail}"),
            outcome,
        };
        activity::record(conn, line, now).await
    }

    /// The account's restores, newest first: what was restored from which backup, and how
    /// it went.
    pub async fn restores(&self, caller: &Caller) -> ServiceResult<Vec<RestoreView>> {
        let rows = sqlx::query(
            "SELECT r.id, r.backup_id, r.project_id, r.resource_id, r.resource_name, r.status,
                    r.detail, r.created_at, r.finished_at, r.requested_by, res.sha256
             FROM restores r LEFT JOIN resources res ON res.id = r.resource_id
             WHERE r.account_id = $1 ORDER BY r.created_at DESC, r.id LIMIT 100",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|row| {
                let status: String = row.get("status");
                Ok(RestoreView {
                    id: RestoreId::from_trusted(row.get::<String, _>("id")),
                    backup_id: BackupId::from_trusted(row.get::<String, _>("backup_id")),
                    project_id: ProjectId::from_trusted(row.get::<String, _>("project_id")),
                    resource_id: ResourceId::from_trusted(row.get::<String, _>("resource_id")),
                    resource_name: row.get("resource_name"),
                    status: word(
                        RestoreStatus::from_word(&status),
                        "restores.status",
                        &status,
                    )?,
                    detail: row.get("detail"),
                    requested_by: row.get("requested_by"),
                    sha256: row.get("sha256"),
                    started_at: instant(row.get("created_at")),
                    finished_at: row.get::<Option<i64>, _>("finished_at").map(instant),
                })
            })
            .collect()
    }
}
