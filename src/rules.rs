//! The sharing rules of PRODUCT.md §3 as pure functions over facts the service gathers.
//! Each refusal is its own variant with its own sentence, so the page, the server function
//! and the tests all say the same thing.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, BackupId};
use crate::model::{BackupKind, LockReason, Site};

/// Why a sharing request is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    /// Rule 1.
    #[error("{0} is a file backup: file backups cannot be shared.")]
    FileBackup(BackupId),
    /// Server and disk backups are shared by copy into the recipient's vault, which this
    /// console does not offer yet (see the README's roadmap).
    #[error("{0} is a server or disk backup: sharing those by copy into the recipient's vault is not available yet. Cluster backups can be shared.")]
    CopySharingUnavailable(BackupId),
    /// Rule 2, account principal.
    #[error("Account {account} has no project in {region}, the region of {backup}: backups can only be shared within their region.")]
    AccountNotInRegion {
        account: AccountId,
        region: String,
        backup: BackupId,
    },
    /// Rule 2, project principal.
    #[error("Project {project} is in {project_region}, but {backup} is in {region}: backups can only be shared within their region.")]
    ProjectInOtherRegion {
        project: String,
        project_region: String,
        backup: BackupId,
        region: String,
    },
    /// Rule 3.
    #[error("Account {0} belongs to another site: nothing can be shared across sites.")]
    OtherSite(AccountId),
    /// Rule 4.
    #[error("{0} is a cross-region backup (its id starts with rp-): cross-region backups cannot be shared.")]
    CrossRegion(BackupId),
    /// Rule 5, clusters.
    #[error("{0} comes from a cluster with TDE or disk encryption: such cluster backups cannot be shared.")]
    EncryptedCluster(BackupId),
    /// Rule 6.
    #[error("{backup} is locked because {reason}: its sharing cannot be changed now. Please retry later.")]
    Locked { backup: BackupId, reason: String },
    /// Rule 7.
    #[error("{0} was shared with your account: backups you received cannot be shared onward.")]
    Received(BackupId),
    /// Rule 8, self.
    #[error("You cannot share with your own account.")]
    SelfShare,
}

/// What the rules need to know about a backup.
#[derive(Debug, Clone)]
pub struct BackupFacts {
    pub id: BackupId,
    pub kind: BackupKind,
    pub region: String,
    /// For cluster backups: the cluster uses TDE or disk encryption.
    pub cluster_encrypted: bool,
    pub lock: Option<LockReason>,
}

/// What the rules need to know about a recipient account.
#[derive(Debug, Clone)]
pub struct RecipientFacts {
    pub account: AccountId,
    pub site: Site,
    /// Regions where the account has at least one project.
    pub regions: Vec<String>,
}

/// Whether a backup can be put into a resource share at all (rules 1, 4, 5, 6).
pub fn check_shareable(backup: &BackupFacts) -> Result<(), Refusal> {
    // Rule 1: file backups are never shareable.
    if backup.kind == BackupKind::FileBackup {
        return Err(Refusal::FileBackup(backup.id.clone()));
    }
    // Rule 4: cross-region backups are recognised by their id.
    if backup.id.is_cross_region() {
        return Err(Refusal::CrossRegion(backup.id.clone()));
    }
    if matches!(
        backup.kind,
        BackupKind::ServerBackup | BackupKind::DiskBackup
    ) {
        return Err(Refusal::CopySharingUnavailable(backup.id.clone()));
    }
    // Rule 5: cluster backups of TDE or disk-encrypted clusters stay private.
    if backup.cluster_encrypted {
        return Err(Refusal::EncryptedCluster(backup.id.clone()));
    }
    check_unlocked(backup)
}

/// Rule 6: a locked backup's sharing cannot be added, modified or cancelled.
pub fn check_unlocked(backup: &BackupFacts) -> Result<(), Refusal> {
    match backup.lock {
        Some(reason) => Err(Refusal::Locked {
            backup: backup.id.clone(),
            reason: reason.describe().to_owned(),
        }),
        None => Ok(()),
    }
}

/// Whether `recipient` may receive `backup` from `owner` (rules 2, 3, 8).
pub fn check_recipient(
    owner: &AccountId,
    owner_site: Site,
    backup: &BackupFacts,
    recipient: &RecipientFacts,
) -> Result<(), Refusal> {
    // Rule 8: no sharing with oneself.
    if &recipient.account == owner {
        return Err(Refusal::SelfShare);
    }
    // Rule 3: same site only.
    if recipient.site != owner_site {
        return Err(Refusal::OtherSite(recipient.account.clone()));
    }
    // Rule 2: the recipient must be able to restore in the backup's region.
    if !recipient.regions.iter().any(|r| r == &backup.region) {
        return Err(Refusal::AccountNotInRegion {
            account: recipient.account.clone(),
            region: backup.region.clone(),
            backup: backup.id.clone(),
        });
    }
    Ok(())
}

/// Rule 2 for a project principal: the project must be in the backup's region.
pub fn check_project_region(
    project: &str,
    project_region: &str,
    backup: &BackupFacts,
) -> Result<(), Refusal> {
    if project_region == backup.region {
        Ok(())
    } else {
        Err(Refusal::ProjectInOtherRegion {
            project: project.to_owned(),
            project_region: project_region.to_owned(),
            backup: backup.id.clone(),
            region: backup.region.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster_backup(id: &str) -> BackupFacts {
        BackupFacts {
            id: BackupId::from_trusted(id),
            kind: BackupKind::ClusterBackup,
            region: "ap-southeast-1".into(),
            cluster_encrypted: false,
            lock: None,
        }
    }

    fn owner() -> AccountId {
        AccountId::from_trusted("1840000000000001")
    }

    fn bob() -> RecipientFacts {
        RecipientFacts {
            account: AccountId::from_trusted("1840000000000002"),
            site: Site::International,
            regions: vec!["ap-southeast-1".into()],
        }
    }

    #[test]
    fn a_plain_cluster_backup_can_be_shared_with_an_account_in_its_region() {
        let b = cluster_backup("cb-1");
        assert_eq!(check_shareable(&b), Ok(()));
        assert_eq!(
            check_recipient(&owner(), Site::International, &b, &bob()),
            Ok(())
        );
    }

    #[test]
    fn file_backups_cannot_be_shared() {
        let b = BackupFacts {
            kind: BackupKind::FileBackup,
            ..cluster_backup("fb-1")
        };
        assert!(matches!(check_shareable(&b), Err(Refusal::FileBackup(_))));
    }

    #[test]
    fn server_and_disk_backups_wait_for_copy_sharing() {
        for kind in [BackupKind::ServerBackup, BackupKind::DiskBackup] {
            let b = BackupFacts {
                kind,
                ..cluster_backup("sb-1")
            };
            assert!(matches!(
                check_shareable(&b),
                Err(Refusal::CopySharingUnavailable(_))
            ));
        }
    }

    #[test]
    fn cross_region_backups_cannot_be_shared() {
        assert!(matches!(
            check_shareable(&cluster_backup("rp-1")),
            Err(Refusal::CrossRegion(_))
        ));
    }

    #[test]
    fn backups_of_encrypted_clusters_cannot_be_shared() {
        let b = BackupFacts {
            cluster_encrypted: true,
            ..cluster_backup("cb-1")
        };
        assert!(matches!(
            check_shareable(&b),
            Err(Refusal::EncryptedCluster(_))
        ));
    }

    #[test]
    fn locked_backups_cannot_change_their_sharing_and_the_message_says_retry() {
        for reason in [LockReason::Restoring, LockReason::ConvertingToLevel2] {
            let b = BackupFacts {
                lock: Some(reason),
                ..cluster_backup("cb-1")
            };
            let refusal = check_shareable(&b).unwrap_err();
            assert!(refusal.to_string().contains("retry later"));
            assert!(refusal.to_string().contains(reason.describe()));
        }
    }

    #[test]
    fn nobody_shares_with_their_own_account() {
        let me = RecipientFacts {
            account: owner(),
            ..bob()
        };
        assert_eq!(
            check_recipient(&owner(), Site::International, &cluster_backup("cb-1"), &me),
            Err(Refusal::SelfShare)
        );
    }

    #[test]
    fn nothing_is_shared_across_sites() {
        let dan = RecipientFacts {
            site: Site::China,
            ..bob()
        };
        assert!(matches!(
            check_recipient(&owner(), Site::International, &cluster_backup("cb-1"), &dan),
            Err(Refusal::OtherSite(_))
        ));
    }

    #[test]
    fn an_account_without_a_project_in_the_backups_region_is_refused() {
        let far = RecipientFacts {
            regions: vec!["eu-west-1".into()],
            ..bob()
        };
        assert!(matches!(
            check_recipient(&owner(), Site::International, &cluster_backup("cb-1"), &far),
            Err(Refusal::AccountNotInRegion { .. })
        ));
    }

    #[test]
    fn a_project_principal_must_be_in_the_backups_region() {
        let b = cluster_backup("cb-1");
        assert!(check_project_region("proj-x", "ap-southeast-1", &b).is_ok());
        assert!(matches!(
            check_project_region("proj-x", "eu-west-1", &b),
            Err(Refusal::ProjectInOtherRegion { .. })
        ));
    }
}
