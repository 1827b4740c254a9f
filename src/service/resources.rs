//! The account's resources (servers, disks, clusters, restored ones included) and
//! releasing them. Releasing a cluster takes its backups with it, so recipients of those
//! backups lose access (rule 11); a server's or disk's backups live on in their vaults.

use super::lifecycle::lose_grants;
use super::*;
use crate::db::Lock;
use crate::model::ResourceKind;
use crate::views::{ResourceView, ResourcesPage};

/// Resources per page of "Resources".
pub const RESOURCES_PAGE: usize = 50;

impl Backshare {
    /// "Resources": what the account runs, a keyset page of [`RESOURCES_PAGE`], newest
    /// first.
    pub async fn resources(&self, caller: &Caller, at: &PageAt) -> ServiceResult<ResourcesPage> {
        let cursor = |row: &store::resources::ListedRow| crate::paging::Cursor {
            at: row.created_at,
            id: row.id.to_string(),
        };
        let (rows, links) = keyset_page(at, RESOURCES_PAGE, cursor, |at| async move {
            let limit = RESOURCES_PAGE as i64 + 1;
            Ok(store::resources::page(&self.db, &caller.account_id, &at, limit).await?)
        })
        .await?;
        let resources = rows.into_iter().map(|row| ResourceView {
            id: row.id,
            name: row.name,
            kind: row.kind,
            region: row.region,
            project_id: row.project_id,
            size_bytes: row.size_bytes,
            sha256: row.sha256,
            created_at: instant(row.created_at),
            restored: row.restored.0,
        });
        Ok(ResourcesPage {
            resources: resources.collect(),
            links,
        })
    }

    /// "Release" a resource. A cluster's backups go with it (recipients' grants become
    /// Lost); a locked backup (being restored, converting) holds the release back (rule 6).
    #[tracing::instrument(skip_all, fields(account = %caller.account_id), err(level = "info"))]
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
        let kind =
            store::resources::kind_of_owned(&mut tx, resource_id, &caller.account_id).await?;
        let Some(kind) = kind else {
            return Err(UserError::NotFound(Missing::Resource(resource_id.to_string())).into());
        };
        caller.require_change()?;
        let mut gone = Vec::new();
        if kind == ResourceKind::Cluster {
            // Rule 6's lock and the grants of each backup are read under its lock.
            let ids = store::backups::ids_of_resource(&mut tx, resource_id).await?;
            let locks = ids.iter().map(|id| Lock::backup(id)).collect::<Vec<_>>();
            tx.lock(&locks).await?;
            let backups = store::backups::locks_of_resource(&mut tx, resource_id).await?;
            for backup in &backups {
                let action = rules::LockedAction::ReleaseCluster;
                rules::check_lock_for(&backup.id, backup.lock_reason, action)?;
            }
            for backup in backups {
                let backup = backup.id.to_string();
                store::backups::mark_deleted(&mut *tx, &backup, millis(now)).await?;
                lose_grants(&mut tx, Some(caller), &backup, GoneWhy::Released, now).await?;
                gone.push(backup);
            }
        }
        store::resources::mark_released(&mut tx, resource_id, millis(now)).await?;
        let line = Line {
            actor: Some(caller),
            action: ActivityAction::ReleasedResource,
            owner: caller.account_id.as_str(),
            recipient: None,
            share_name: None,
            detail: if gone.is_empty() {
                resource_id.to_owned()
            } else {
                String::new()
            },
            outcome: DONE,
            reason: None,
            note: (!gone.is_empty()).then(|| ActivityNote::ReleasedWith {
                resource: resource_id.to_owned(),
                backups: gone.join(", "),
            }),
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
