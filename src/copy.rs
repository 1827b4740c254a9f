//! Copy grants for server and disk backups (PRODUCT.md §2): on accept the recipient picks,
//! per backup, one of its vaults of the same kind, in the same region, with free capacity
//! greater than the backup's size, and the space is reserved at once. The copy then runs
//! `copying` (progress in %) → `available`, or `failed` with the reason (retry possible).
//! When the grant ends (the owner deletes or cancels the original, or it expires) the copy
//! is discarded and its space freed; resources made from it stay.

use serde::{Deserialize, Serialize};

use crate::conflict::{Conflict, CopyMove};
use crate::ids::BackupId;
use crate::model::{BackupKind, CopyStatus, ResourceKind, TransferFailure};
use crate::units::human_bytes;

/// A copy as its transitions see it.
#[cfg_attr(feature = "server", derive(sqlx::FromRow))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultCopy {
    pub status: CopyStatus,
    pub copied_bytes: i64,
    pub size_bytes: i64,
    /// Why the last attempt failed.
    pub failure: Option<TransferFailure>,
}

impl VaultCopy {
    /// A copy as created when the recipient accepts into a vault.
    pub fn start(size_bytes: i64) -> Self {
        Self {
            status: CopyStatus::Copying,
            copied_bytes: 0,
            size_bytes,
            failure: None,
        }
    }

    /// Whole percent done, as "Copying N%" shows it; 100 only once the copy is available.
    pub fn percent(&self) -> u8 {
        match self.status {
            CopyStatus::Available => 100,
            _ if self.size_bytes <= 0 => 0,
            _ => {
                (self.copied_bytes.clamp(0, self.size_bytes) * 100 / self.size_bytes).min(99) as u8
            }
        }
    }

    /// The copy job finished its attempt: verified bytes make the copy available, anything
    /// else fails it with the reason.
    pub fn finish(self, outcome: Result<(), TransferFailure>) -> Result<VaultCopy, Conflict> {
        if self.status != CopyStatus::Copying {
            return Err(Conflict::Copy {
                from: self.status,
                to: CopyMove::Finish,
            });
        }
        Ok(match outcome {
            Ok(()) => VaultCopy {
                status: CopyStatus::Available,
                copied_bytes: self.size_bytes,
                failure: None,
                ..self
            },
            Err(reason) => VaultCopy {
                status: CopyStatus::Failed,
                copied_bytes: 0,
                failure: Some(reason),
                ..self
            },
        })
    }

    /// "Retry" on a failed copy starts it again from the beginning.
    pub fn retry(self) -> Result<VaultCopy, Conflict> {
        match self.status {
            CopyStatus::Failed => Ok(VaultCopy::start(self.size_bytes)),
            from => Err(Conflict::Copy {
                from,
                to: CopyMove::Retry,
            }),
        }
    }

    /// The grant ended: whatever was copied goes.
    pub fn discard(self) -> Result<VaultCopy, Conflict> {
        match self.status {
            CopyStatus::Copying | CopyStatus::Available | CopyStatus::Failed => Ok(VaultCopy {
                status: CopyStatus::Deleting,
                ..self
            }),
            from => Err(Conflict::Copy {
                from,
                to: CopyMove::Discard,
            }),
        }
    }

    /// Creating a disk or server needs the whole, verified copy.
    pub fn check_restorable(&self) -> Result<(), Conflict> {
        match self.status {
            CopyStatus::Available => Ok(()),
            CopyStatus::Copying => Err(Conflict::CopyInProgress {
                percent: self.percent(),
            }),
            CopyStatus::Failed => Err(Conflict::CopyFailed),
            CopyStatus::Deleting | CopyStatus::Deleted => Err(Conflict::CopyDeleted),
        }
    }
}

/// Creating from a received server or disk backup needs its copy, whole and verified; one
/// without a copy yet waits for the recipient to choose a vault.
pub fn check_copy_restorable(copy: Option<&VaultCopy>) -> Result<(), Conflict> {
    match copy {
        Some(copy) => copy.check_restorable(),
        None => Err(Conflict::NoCopyYet),
    }
}

/// What the vault rule needs to know about a vault.
#[cfg_attr(feature = "server", derive(sqlx::FromRow))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultFacts {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
    pub region: String,
    pub capacity_bytes: i64,
    /// Owned backups plus copies that hold space.
    pub used_bytes: i64,
}

impl VaultFacts {
    pub fn free_bytes(&self) -> i64 {
        (self.capacity_bytes - self.used_bytes).max(0)
    }
}

/// What the vault rule needs to know about the backup to be copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFacts {
    pub backup: BackupId,
    pub kind: BackupKind,
    pub region: String,
    pub size_bytes: i64,
}

/// Why a vault cannot take a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VaultRefusal {
    #[error("{backup} is a cluster or file backup: only server and disk backups are copied into a vault.")]
    NotCopied { backup: BackupId },
    #[error("Vault {vault} holds {vault_kind} backups, but {backup} is a {backup_kind}.")]
    OtherKind {
        vault: String,
        vault_kind: String,
        backup: BackupId,
        backup_kind: String,
    },
    #[error("Vault {vault} is in {vault_region}, but {backup} is in {region}: the copy must stay in the backup's region.")]
    OtherRegion {
        vault: String,
        vault_region: String,
        backup: BackupId,
        region: String,
    },
    #[error("Vault {vault} has {free} free, but {backup} needs more than {needed}.")]
    NotEnoughSpace {
        vault: String,
        free: String,
        backup: BackupId,
        needed: String,
    },
}

/// The vault a backup is copied into: same kind, same region, free capacity greater than
/// the backup's size (PRODUCT.md §2, copy grants).
pub fn check_vault(vault: &VaultFacts, backup: &CopyFacts) -> Result<(), VaultRefusal> {
    let Some(needed_kind) = backup.kind.vault_kind() else {
        return Err(VaultRefusal::NotCopied {
            backup: backup.backup.clone(),
        });
    };
    if vault.kind != needed_kind {
        return Err(VaultRefusal::OtherKind {
            vault: vault.name.clone(),
            vault_kind: vault.kind.as_str().to_owned(),
            backup: backup.backup.clone(),
            backup_kind: backup.kind.label().to_lowercase(),
        });
    }
    if vault.region != backup.region {
        return Err(VaultRefusal::OtherRegion {
            vault: vault.name.clone(),
            vault_region: vault.region.clone(),
            backup: backup.backup.clone(),
            region: backup.region.clone(),
        });
    }
    if vault.free_bytes() <= backup.size_bytes {
        return Err(VaultRefusal::NotEnoughSpace {
            vault: vault.name.clone(),
            free: human_bytes(vault.free_bytes()),
            backup: backup.backup.clone(),
            needed: human_bytes(backup.size_bytes),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(kind: ResourceKind, region: &str, capacity: i64, used: i64) -> VaultFacts {
        VaultFacts {
            id: "v-1".into(),
            name: "Primary".into(),
            kind,
            region: region.into(),
            capacity_bytes: capacity,
            used_bytes: used,
        }
    }

    fn disk_backup(size: i64) -> CopyFacts {
        CopyFacts {
            backup: BackupId::from_trusted("bk-disk"),
            kind: BackupKind::DiskBackup,
            region: "ap-southeast-1".into(),
            size_bytes: size,
        }
    }

    #[test]
    fn a_vault_of_the_same_kind_and_region_with_more_free_space_than_the_backup_qualifies() {
        let v = vault(ResourceKind::Disk, "ap-southeast-1", 1_000, 899);
        assert_eq!(check_vault(&v, &disk_backup(100)), Ok(()));
    }

    #[test]
    fn free_space_equal_to_the_backup_size_is_not_enough() {
        let v = vault(ResourceKind::Disk, "ap-southeast-1", 1_000, 900);
        assert!(matches!(
            check_vault(&v, &disk_backup(100)),
            Err(VaultRefusal::NotEnoughSpace { .. })
        ));
    }

    #[test]
    fn a_vault_of_another_kind_or_region_is_refused_with_its_reason() {
        let server_vault = vault(ResourceKind::Server, "ap-southeast-1", 1_000, 0);
        assert!(matches!(
            check_vault(&server_vault, &disk_backup(1)),
            Err(VaultRefusal::OtherKind { .. })
        ));
        let elsewhere = vault(ResourceKind::Disk, "eu-central-1", 1_000, 0);
        let refusal = check_vault(&elsewhere, &disk_backup(1)).unwrap_err();
        assert!(refusal.to_string().contains("eu-central-1"));
    }

    #[test]
    fn cluster_backups_are_never_copied_into_a_vault() {
        let mut backup = disk_backup(1);
        backup.kind = BackupKind::ClusterBackup;
        let v = vault(ResourceKind::Disk, "ap-southeast-1", 1_000, 0);
        assert!(matches!(
            check_vault(&v, &backup),
            Err(VaultRefusal::NotCopied { .. })
        ));
    }

    #[test]
    fn progress_reads_in_whole_percent_and_reaches_100_only_when_available() {
        let mut copy = VaultCopy::start(200);
        copy.copied_bytes = 199;
        assert_eq!(copy.percent(), 99);
        copy.copied_bytes = 51;
        assert_eq!(copy.percent(), 25);
        let done = copy.finish(Ok(())).unwrap();
        assert_eq!((done.status, done.percent()), (CopyStatus::Available, 100));
    }

    #[test]
    fn a_failed_copy_keeps_its_reason_holds_no_space_and_can_be_retried() {
        let failed = VaultCopy::start(10)
            .finish(Err(TransferFailure::SourceChanged))
            .unwrap();
        assert_eq!(failed.status, CopyStatus::Failed);
        assert_eq!(failed.failure, Some(TransferFailure::SourceChanged));
        assert!(!failed.status.holds_space());
        assert!(failed.check_restorable().is_err());
        let again = failed.retry().unwrap();
        assert_eq!(again, VaultCopy::start(10));
        assert!(again.status.holds_space());
    }

    #[test]
    fn only_a_failed_copy_can_be_retried_and_only_a_running_one_finished() {
        assert!(VaultCopy::start(1).retry().is_err());
        let available = VaultCopy::start(1).finish(Ok(())).unwrap();
        assert!(available.clone().retry().is_err());
        assert!(available.finish(Ok(())).is_err());
    }

    #[test]
    fn an_ended_grant_discards_its_copy_once() {
        for copy in [
            VaultCopy::start(5),
            VaultCopy::start(5).finish(Ok(())).unwrap(),
            VaultCopy::start(5)
                .finish(Err(TransferFailure::Storage))
                .unwrap(),
        ] {
            let gone = copy.discard().unwrap();
            assert_eq!(gone.status, CopyStatus::Deleting);
            assert!(!gone.status.holds_space());
            assert!(gone.discard().is_err());
        }
    }

    #[test]
    fn only_an_available_copy_can_be_restored_and_a_running_one_says_how_far_it_is() {
        let mut copy = VaultCopy::start(4);
        copy.copied_bytes = 2;
        let err = copy.check_restorable().unwrap_err();
        assert!(err.to_string().contains("50%"), "{err}");
        assert!(copy.finish(Ok(())).unwrap().check_restorable().is_ok());
    }
}
