//! The account's resources (servers, disks, clusters, restored ones included) and
//! releasing them. Releasing a cluster takes its backups with it, so recipients of those
//! backups lose access (rule 11); a server's or disk's backups live on in their vaults.

use super::lifecycle::lose_grants;
use super::*;
use crate::db::Lock;
use crate::ids::ResourceId;
use crate::model::ResourceKind;
use crate::views::ResourceView;

impl Backshare {
    /// "Resources": what the account runs, newest first.
    pub async fn resources(&self, caller: &Caller) -> ServiceResult<Vec<ResourceView>> {
        let rows = sqlx::query(
            "SELECT r.id, r.name, r.kind, r.region, r.project_id, r.size_bytes, r.sha256, r.created_at,
                    EXISTS (SELECT 1 FROM restores x WHERE x.resource_id = r.id) AS restored
             FROM resources r WHERE r.account_id = $1 AND r.released_at IS NULL
             ORDER BY r.created_at DESC, r.id",
        )
        .bind(caller.account_id.as_str())
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|row| {
                let kind: String = row.get("kind");
                Ok(ResourceView {
                    id: ResourceId::from_trusted(row.get::<String, _>("id")),
                    name: row.get("name"),
                    kind: word(ResourceKind::from_word(&kind), "resources.kind", &kind)?,
                    region: row.get("region"),
                    project_id: ProjectId::from_trusted(row.get::<String, _>("project_id")),
                    size_bytes: row.get("size_bytes"),
                    sha256: row.get("sha256"),
                    created_at: instant(row.get("created_at")),
                    restored: row.flag("restored"),
                })
            })
            .collect()
    }

    /// "Release" a resource. A cluster's backups go with it (recipients' grants become
    /// Lost); a locked backup (being restored, converting) holds the release back (rule 6).
    #[tracing::instrument(skip(self, caller), fields(account = %caller.account_id), err(level = "info"))]
    pub async fn release_resource(
        &self,
        caller: &Caller,
        resource_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        retrying(|| self.release_resource_once(caller, resource_id, now)).await
    }

    async fn release_resource_once(
        &self,
        caller: &Caller,
        resource_id: &str,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let mut tx = self.writer.begin().await?;
        tx.lock(&[Lock::account(caller.account_id.as_str())])
            .await?;
        let kind: Option<String> = sqlx::query_scalar(
            "SELECT kind FROM resources WHERE id = $1 AND account_id = $2 AND released_at IS NULL",
        )
        .bind(resource_id)
        .bind(caller.account_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(kind) = kind else {
            return Err(UserError::NotFound(format!("Resource {resource_id}")).into());
        };
        caller.require_change()?;
        let kind = word(ResourceKind::from_word(&kind), "resources.kind", &kind)?;
        let mut gone = Vec::new();
        if kind == ResourceKind::Cluster {
            // Rule 6's lock and the grants of each backup are read under its lock.
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT id FROM backups WHERE resource_id = $1")
                    .bind(resource_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let locks = ids.iter().map(|id| Lock::backup(id)).collect::<Vec<_>>();
            tx.lock(&locks).await?;
            let backups = sqlx::query(
                "SELECT id, lock_reason FROM backups WHERE resource_id = $1 AND deleted_at IS NULL ORDER BY id",
            )
            .bind(resource_id)
            .fetch_all(&mut *tx)
            .await?;
            for row in &backups {
                let lock: Option<String> = row.get("lock_reason");
                let lock = lock
                    .map(|l| word(LockReason::from_word(&l), "backups.lock_reason", &l))
                    .transpose()?;
                let id = BackupId::from_trusted(row.get::<String, _>("id"));
                rules::check_lock_for(&id, lock, rules::LockedAction::ReleaseCluster)?;
            }
            for row in backups {
                let backup: String = row.get("id");
                sqlx::query(
                    "UPDATE backups SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
                )
                .bind(millis(now))
                .bind(&backup)
                .execute(&mut *tx)
                .await?;
                lose_grants(
                    &mut tx,
                    Some(caller),
                    &backup,
                    "the owner released the cluster",
                    now,
                )
                .await?;
                gone.push(backup);
            }
        }
        sqlx::query("UPDATE resources SET released_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(resource_id)
            .execute(&mut *tx)
            .await?;
        let line = Line {
            actor: Some(caller),
            action: "Released resource",
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: if gone.is_empty() {
                resource_id.to_owned()
            } else {
                format!("{resource_id} with its backups {}", gone.join(", "))
            },
            outcome: DONE,
        };
        activity::record(&mut tx, line, now).await?;
        tx.commit().await?;
        self.objects.delete("resources", resource_id).await?;
        for backup in gone {
            self.objects.delete("backups", &backup).await?;
        }
        Ok(())
    }
}
