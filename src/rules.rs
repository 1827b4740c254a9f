//! The sharing rules of PRODUCT.md §3 as pure functions over facts the service gathers.
//! Each refusal is its own variant with its own sentence, so the page, the server function
//! and the tests all say the same thing.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, BackupId, PrincipalRef};
use crate::model::{BackupKind, LockReason, PrincipalScope, Site};

/// Why a sharing request is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Refusal {
    /// Rule 1.
    #[error("{0} is a file backup: file backups cannot be shared.")]
    FileBackup(BackupId),
    /// File backups are restored by the file service.
    #[error("{0} is a file backup: file backups are restored with the file service, not here.")]
    FileBackupRestore(BackupId),
    /// Rule 5, server and disk backups.
    #[error("{0} is encrypted: tick \"Grant the decryption key to recipients\" to share it; the copies stay encrypted.")]
    EncryptedWithoutKey(BackupId),
    /// Rule 2, account principal.
    #[error("Account {account} has no project in {region}, the region of {backup}: backups can only be shared within their region.")]
    AccountNotInRegion {
        account: AccountId,
        region: String,
        backup: BackupId,
    },
    /// Rule 2, project principal.
    #[error("Project {project} is not in {region}, the region of {backup}: backups can only be shared within their region.")]
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
    /// Rule 8, scope: the owner belongs to no resource directory.
    #[error(
        "Your account is not in a resource directory: choose the principal scope \"All accounts\"."
    )]
    NoDirectory,
    /// Rule 8, scope: an account outside the owner's directory.
    #[error("Account {account} is not in your resource directory \"{directory}\": the scope \"Objects within resource directory\" admits only its accounts and folders.")]
    OutsideDirectory {
        account: AccountId,
        directory: String,
    },
    /// Rule 8, scope: projects are not objects of a directory.
    #[error("{0} is a project: the scope \"Objects within resource directory\" admits only accounts and folders of your resource directory.")]
    ProjectInDirectoryScope(String),
    /// Rule 8: a folder principal must be a folder of the owner's own directory.
    #[error("Folder {0} is not in your resource directory: only folders of your own resource directory can be principals.")]
    ForeignFolder(String),
    /// Rule 9: recipient accounts per cluster backup.
    #[error("{backup} would be shared with {would_be} accounts; a cluster backup can be shared with at most {limit}.")]
    TooManyAccounts {
        backup: BackupId,
        would_be: u64,
        limit: u64,
    },
    /// Rule 9: recipient projects per server or disk backup.
    #[error("{backup} would be shared with {would_be} projects; a server or disk backup can be shared with at most {limit}.")]
    TooManyProjects {
        backup: BackupId,
        would_be: u64,
        limit: u64,
    },
    /// Rule 6: a locked backup holds back deleting it, releasing its cluster, restoring it.
    #[error("{}", .action.sentence(.backup, .reason))]
    LockedAgainst {
        backup: BackupId,
        reason: String,
        action: LockedAction,
    },
    /// The deployment makes sharing opt-in and no operator enabled it for this account.
    #[error("Sharing backups is in beta here and not enabled for your account. To enable it, submit a ticket to your operator.")]
    SharingNotEnabled,
    /// Rule 9: backups in resource shares per account.
    #[error(
        "Your account would have {would_be} backups in resource shares; the limit is {limit}."
    )]
    TooManySharedBackups { would_be: u64, limit: u64 },
    /// Rule 9: shared cluster backups per account (raisable by an operator).
    #[error("Your account would share {would_be} cluster backups; its limit is {limit}. An operator can raise it.")]
    TooManySharedClusterBackups { would_be: u64, limit: u64 },
}

/// The limits of rule 9, deployment settings (and, for the last, per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub projects_per_copy_backup: u64,
    pub accounts_per_cluster_backup: u64,
    pub shared_backups_per_account: u64,
    pub shared_cluster_backups_per_account: u64,
}

impl Default for Limits {
    /// The figures of the source documents.
    fn default() -> Self {
        Self {
            projects_per_copy_backup: 10,
            accounts_per_cluster_backup: 64,
            shared_backups_per_account: 1_000,
            shared_cluster_backups_per_account: 1_024,
        }
    }
}

/// What an account's sharing would amount to if a request went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountUsage {
    /// Distinct backups of the account in any of its resource shares.
    pub shared_backups: u64,
    /// Of those, cluster backups.
    pub shared_cluster_backups: u64,
}

/// Rule 9 for one backup: how many recipients it would have.
pub fn check_recipient_count(
    backup: &BackupFacts,
    recipients_after: u64,
    limits: &Limits,
) -> Result<(), Refusal> {
    match backup.kind {
        BackupKind::ClusterBackup if recipients_after > limits.accounts_per_cluster_backup => {
            Err(Refusal::TooManyAccounts {
                backup: backup.id.clone(),
                would_be: recipients_after,
                limit: limits.accounts_per_cluster_backup,
            })
        }
        BackupKind::ServerBackup | BackupKind::DiskBackup
            if recipients_after > limits.projects_per_copy_backup =>
        {
            Err(Refusal::TooManyProjects {
                backup: backup.id.clone(),
                would_be: recipients_after,
                limit: limits.projects_per_copy_backup,
            })
        }
        _ => Ok(()),
    }
}

/// Who a backup reaches, as rule 9 counts it: each recipient account with the project
/// principals of it that reach the backup (empty when it is reached as a whole account or
/// through a folder).
pub type Reach = std::collections::BTreeMap<AccountId, std::collections::BTreeSet<String>>;

/// Rule 9's count for one backup, in the unit of its kind's limit: recipient accounts for a
/// cluster backup; recipient projects for a server or disk backup, where each project
/// principal counts as one project and an account reached only as a whole counts as one
/// (its copy goes into one of its vaults). So 11 projects of one account are 11.
pub fn recipient_count(kind: BackupKind, reach: &Reach) -> u64 {
    match RecipientUnit::of(kind) {
        RecipientUnit::Projects => reach
            .values()
            .map(|projects| projects.len().max(1) as u64)
            .sum(),
        RecipientUnit::Accounts => reach.len() as u64,
    }
}

/// What rule 9 counts the recipients of a backup in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecipientUnit {
    /// Cluster backups: recipient accounts.
    Accounts,
    /// Server and disk backups: recipient projects.
    Projects,
}

impl RecipientUnit {
    /// The unit of a backup kind's limit.
    pub fn of(kind: BackupKind) -> Self {
        match kind {
            BackupKind::ServerBackup | BackupKind::DiskBackup => Self::Projects,
            _ => Self::Accounts,
        }
    }

    /// The unit's word in a sentence.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Accounts => "accounts",
            Self::Projects => "projects",
        }
    }
}

/// How many more recipients (accounts or projects, by the backup's kind) rule 9 leaves.
pub fn recipients_left(backup: &BackupFacts, count: u64, limits: &Limits) -> u64 {
    match RecipientUnit::of(backup.kind) {
        RecipientUnit::Projects => limits.projects_per_copy_backup.saturating_sub(count),
        RecipientUnit::Accounts => limits.accounts_per_cluster_backup.saturating_sub(count),
    }
}

/// Sharing while it is opt-in (the database source's beta: "To enable it, submit a
/// ticket"): only an enabled account may share.
pub fn check_sharing_enabled(enabled: bool) -> Result<(), Refusal> {
    if enabled {
        Ok(())
    } else {
        Err(Refusal::SharingNotEnabled)
    }
}

/// Rule 9 for the owner's account as a whole.
pub fn check_account_usage(after: AccountUsage, limits: &Limits) -> Result<(), Refusal> {
    if after.shared_backups > limits.shared_backups_per_account {
        return Err(Refusal::TooManySharedBackups {
            would_be: after.shared_backups,
            limit: limits.shared_backups_per_account,
        });
    }
    if after.shared_cluster_backups > limits.shared_cluster_backups_per_account {
        return Err(Refusal::TooManySharedClusterBackups {
            would_be: after.shared_cluster_backups,
            limit: limits.shared_cluster_backups_per_account,
        });
    }
    Ok(())
}

/// What the rules need to know about a backup.
#[derive(Debug, Clone)]
pub struct BackupFacts {
    pub id: BackupId,
    pub kind: BackupKind,
    pub region: String,
    /// For cluster backups: the cluster uses TDE or disk encryption.
    pub cluster_encrypted: bool,
    /// For server and disk backups: the backup is encrypted at rest.
    pub encrypted: bool,
    pub lock: Option<LockReason>,
    /// A resource share holds it already: rule 9 counts it among the owner's shared
    /// backups.
    pub shared: bool,
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
    // Rule 5: cluster backups of TDE or disk-encrypted clusters stay private.
    if backup.cluster_encrypted {
        return Err(Refusal::EncryptedCluster(backup.id.clone()));
    }
    check_unlocked(backup)
}

/// Rule 5 for server and disk backups: an encrypted one is shared only with its key.
pub fn check_key_grant(backup: &BackupFacts, key_granted: bool) -> Result<(), Refusal> {
    if backup.encrypted && backup.kind.is_copied() && !key_granted {
        return Err(Refusal::EncryptedWithoutKey(backup.id.clone()));
    }
    Ok(())
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

/// What rule 6's lock holds back besides changing a backup's sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LockedAction {
    Delete,
    /// Releasing the cluster the backup was taken of.
    ReleaseCluster,
    Restore,
}

impl LockedAction {
    fn sentence(self, backup: &BackupId, reason: &str) -> String {
        match self {
            Self::Delete => format!(
                "{backup} is locked because {reason}: it cannot be deleted now. Please retry later."
            ),
            Self::ReleaseCluster => format!(
                "Backup {backup} of this cluster is locked because {reason}: the cluster cannot be released now. Please retry later."
            ),
            Self::Restore => format!(
                "{backup} is locked because {reason}: it cannot be restored now. Please retry later."
            ),
        }
    }
}

/// Rule 6 for deleting, releasing and restoring: the one check the commands and the pages'
/// verdicts share. Restores run side by side, so a restoring backup may be restored again;
/// everything else waits for the lock to go.
pub fn check_lock_for(
    backup: &BackupId,
    lock: Option<LockReason>,
    action: LockedAction,
) -> Result<(), Refusal> {
    match (lock, action) {
        (None, _) | (Some(LockReason::Restoring), LockedAction::Restore) => Ok(()),
        (Some(reason), action) => Err(Refusal::LockedAgainst {
            backup: backup.clone(),
            reason: reason.describe().to_owned(),
            action,
        }),
    }
}

/// Whether a backup can be restored here: a file backup never (the file service restores
/// it), a locked one not while its lock holds restores back.
pub fn check_restorable(
    backup: &BackupId,
    kind: BackupKind,
    lock: Option<LockReason>,
) -> Result<(), Refusal> {
    if kind.resource_kind().is_none() {
        return Err(Refusal::FileBackupRestore(backup.clone()));
    }
    check_lock_for(backup, lock, LockedAction::Restore)
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

/// The owner's resource directory, as rule 8 needs it.
#[cfg_attr(feature = "server", derive(sqlx::FromRow))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerDirectory {
    pub id: String,
    pub name: String,
}

/// Whether [`check_principal_scope`] needs the owner's resource directory: only for the
/// directory scope or a folder principal; "all accounts" with account and project
/// principals passes whatever the directory.
pub fn scope_reads_directories(scope: PrincipalScope, principals: &[PrincipalRef]) -> bool {
    scope != PrincipalScope::AllAccounts
        || principals
            .iter()
            .any(|p| matches!(p, PrincipalRef::Folder(_)))
}

/// Rule 8 for one principal under a share's scope. `principal_directory` is the directory
/// the principal belongs to: the account's, or the folder's (projects have none here).
pub fn check_principal_scope(
    scope: PrincipalScope,
    owner_directory: Option<&OwnerDirectory>,
    principal: &PrincipalRef,
    principal_directory: Option<&str>,
) -> Result<(), Refusal> {
    let inside = owner_directory.is_some_and(|d| Some(d.id.as_str()) == principal_directory);
    if let PrincipalRef::Folder(folder) = principal {
        if !inside {
            return Err(Refusal::ForeignFolder(folder.to_string()));
        }
    }
    if scope == PrincipalScope::AllAccounts {
        return Ok(());
    }
    let Some(directory) = owner_directory else {
        return Err(Refusal::NoDirectory);
    };
    match principal {
        PrincipalRef::Project(project) => {
            Err(Refusal::ProjectInDirectoryScope(project.to_string()))
        }
        PrincipalRef::Account(account) if !inside => Err(Refusal::OutsideDirectory {
            account: account.clone(),
            directory: directory.name.clone(),
        }),
        PrincipalRef::Account(_) | PrincipalRef::Folder(_) => Ok(()),
    }
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
            encrypted: false,
            lock: None,
            shared: false,
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
    fn server_and_disk_backups_can_be_shared_and_encrypted_ones_only_with_their_key() {
        for kind in [BackupKind::ServerBackup, BackupKind::DiskBackup] {
            let plain = BackupFacts {
                kind,
                ..cluster_backup("sb-1")
            };
            assert_eq!(check_shareable(&plain), Ok(()));
            assert_eq!(check_key_grant(&plain, false), Ok(()));
            let encrypted = BackupFacts {
                encrypted: true,
                ..plain
            };
            assert_eq!(check_shareable(&encrypted), Ok(()));
            assert!(matches!(
                check_key_grant(&encrypted, false),
                Err(Refusal::EncryptedWithoutKey(_))
            ));
            assert_eq!(check_key_grant(&encrypted, true), Ok(()));
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
    fn a_cluster_backup_reaches_its_64th_account_and_not_a_65th() {
        let limits = Limits::default();
        let b = cluster_backup("cb-1");
        assert_eq!(check_recipient_count(&b, 64, &limits), Ok(()));
        assert!(matches!(
            check_recipient_count(&b, 65, &limits),
            Err(Refusal::TooManyAccounts {
                would_be: 65,
                limit: 64,
                ..
            })
        ));
    }

    #[test]
    fn a_server_or_disk_backup_reaches_its_10th_project_and_not_an_11th() {
        let limits = Limits::default();
        for kind in [BackupKind::ServerBackup, BackupKind::DiskBackup] {
            let b = BackupFacts {
                kind,
                ..cluster_backup("sb-1")
            };
            assert_eq!(check_recipient_count(&b, 10, &limits), Ok(()));
            assert!(matches!(
                check_recipient_count(&b, 11, &limits),
                Err(Refusal::TooManyProjects { limit: 10, .. })
            ));
        }
    }

    #[test]
    fn a_restoring_backup_can_be_restored_again_but_not_deleted_or_released() {
        let id = BackupId::from_trusted("cb-1");
        let restoring = Some(LockReason::Restoring);
        assert_eq!(
            check_lock_for(&id, restoring, LockedAction::Restore),
            Ok(())
        );
        for action in [LockedAction::Delete, LockedAction::ReleaseCluster] {
            let refusal = check_lock_for(&id, restoring, action).unwrap_err();
            assert!(refusal.to_string().contains("retry later"), "{refusal}");
        }
        let converting = Some(LockReason::ConvertingToLevel2);
        assert!(check_restorable(&id, BackupKind::ClusterBackup, converting).is_err());
        assert_eq!(
            check_restorable(&id, BackupKind::ClusterBackup, None),
            Ok(())
        );
        assert_eq!(
            check_restorable(&id, BackupKind::FileBackup, None),
            Err(Refusal::FileBackupRestore(id.clone()))
        );
    }

    #[test]
    fn eleven_projects_of_one_account_count_as_eleven_for_a_server_backup_and_one_for_a_cluster_backup(
    ) {
        let account = AccountId::from_trusted("1840000000000002");
        let projects = (0..11).map(|i| format!("proj-{i}")).collect();
        let reach = Reach::from([(account, projects)]);
        assert_eq!(recipient_count(BackupKind::ServerBackup, &reach), 11);
        assert_eq!(recipient_count(BackupKind::DiskBackup, &reach), 11);
        assert_eq!(recipient_count(BackupKind::ClusterBackup, &reach), 1);
    }

    #[test]
    fn an_account_reached_as_a_whole_counts_as_one_project() {
        let reach = Reach::from([
            (
                AccountId::from_trusted("1840000000000002"),
                Default::default(),
            ),
            (
                AccountId::from_trusted("1840000000000003"),
                ["proj-a".to_owned(), "proj-b".to_owned()].into(),
            ),
        ]);
        assert_eq!(recipient_count(BackupKind::ServerBackup, &reach), 3);
    }

    #[test]
    fn the_quota_left_is_counted_against_the_backups_own_kind() {
        let limits = Limits::default();
        let backup = |kind| BackupFacts {
            id: BackupId::from_trusted("b"),
            kind,
            region: "ap-southeast-1".into(),
            cluster_encrypted: false,
            encrypted: false,
            lock: None,
            shared: false,
        };
        assert_eq!(
            recipients_left(&backup(BackupKind::ServerBackup), 3, &limits),
            7
        );
        assert_eq!(
            recipients_left(&backup(BackupKind::ClusterBackup), 3, &limits),
            61
        );
    }

    #[test]
    fn an_account_reaches_its_1000th_shared_backup_and_not_a_1001st() {
        let limits = Limits::default();
        let usage = |n| AccountUsage {
            shared_backups: n,
            shared_cluster_backups: 0,
        };
        assert_eq!(check_account_usage(usage(1_000), &limits), Ok(()));
        assert!(matches!(
            check_account_usage(usage(1_001), &limits),
            Err(Refusal::TooManySharedBackups { limit: 1_000, .. })
        ));
    }

    #[test]
    fn an_account_reaches_its_1024th_shared_cluster_backup_and_not_a_1025th() {
        // The resource-share limit is raised here so that only the cluster limit applies.
        let limits = Limits {
            shared_backups_per_account: 5_000,
            ..Limits::default()
        };
        let usage = |n| AccountUsage {
            shared_backups: n,
            shared_cluster_backups: n,
        };
        assert_eq!(check_account_usage(usage(1_024), &limits), Ok(()));
        let refusal = check_account_usage(usage(1_025), &limits).unwrap_err();
        assert!(matches!(
            refusal,
            Refusal::TooManySharedClusterBackups { limit: 1_024, .. }
        ));
        assert!(refusal.to_string().contains("An operator can raise it"));
    }

    fn acme() -> OwnerDirectory {
        OwnerDirectory {
            id: "rd-acme".into(),
            name: "Acme Group".into(),
        }
    }

    #[test]
    fn directory_scope_admits_accounts_and_folders_of_the_owners_directory() {
        let d = acme();
        let east = PrincipalRef::parse("1840000000000002").unwrap();
        let folder = PrincipalRef::parse("fd-acme-east").unwrap();
        let scope = PrincipalScope::ResourceDirectory;
        assert_eq!(
            check_principal_scope(scope, Some(&d), &east, Some("rd-acme")),
            Ok(())
        );
        assert_eq!(
            check_principal_scope(scope, Some(&d), &folder, Some("rd-acme")),
            Ok(())
        );
    }

    #[test]
    fn directory_scope_refuses_an_account_outside_the_directory() {
        let partner = PrincipalRef::parse("1840000000000003").unwrap();
        let refusal = check_principal_scope(
            PrincipalScope::ResourceDirectory,
            Some(&acme()),
            &partner,
            None,
        )
        .unwrap_err();
        assert!(matches!(refusal, Refusal::OutsideDirectory { .. }));
        assert!(refusal.to_string().contains("\"Acme Group\""));
        // The same account is fine under "All accounts".
        assert_eq!(
            check_principal_scope(PrincipalScope::AllAccounts, Some(&acme()), &partner, None),
            Ok(())
        );
    }

    #[test]
    fn directory_scope_refuses_projects_and_owners_without_a_directory() {
        let project = PrincipalRef::parse("proj-acmeeast-sg").unwrap();
        let scope = PrincipalScope::ResourceDirectory;
        assert!(matches!(
            check_principal_scope(scope, Some(&acme()), &project, None),
            Err(Refusal::ProjectInDirectoryScope(_))
        ));
        let east = PrincipalRef::parse("1840000000000002").unwrap();
        assert_eq!(
            check_principal_scope(scope, None, &east, Some("rd-acme")),
            Err(Refusal::NoDirectory)
        );
    }

    #[test]
    fn a_folder_principal_must_belong_to_the_owners_directory_under_any_scope() {
        let folder = PrincipalRef::parse("fd-other").unwrap();
        for scope in [
            PrincipalScope::AllAccounts,
            PrincipalScope::ResourceDirectory,
        ] {
            assert!(matches!(
                check_principal_scope(scope, Some(&acme()), &folder, Some("rd-other")),
                Err(Refusal::ForeignFolder(_))
            ));
            assert!(matches!(
                check_principal_scope(scope, None, &folder, None),
                Err(Refusal::ForeignFolder(_))
            ));
        }
    }

    #[test]
    fn the_owners_directory_is_read_only_where_a_verdict_depends_on_it() {
        let principals = [
            PrincipalRef::parse("1840000000000002").unwrap(),
            PrincipalRef::parse("proj-acmeeast-sg").unwrap(),
            PrincipalRef::parse("fd-acme-east").unwrap(),
        ];
        for scope in [
            PrincipalScope::AllAccounts,
            PrincipalScope::ResourceDirectory,
        ] {
            for principal in &principals {
                let one = std::slice::from_ref(principal);
                if scope_reads_directories(scope, one) {
                    continue;
                }
                for theirs in [None, Some("rd-acme"), Some("rd-other")] {
                    assert_eq!(
                        check_principal_scope(scope, Some(&acme()), principal, theirs),
                        check_principal_scope(scope, None, principal, theirs),
                        "{scope:?} {principal:?} {theirs:?}"
                    );
                }
            }
        }
        assert!(scope_reads_directories(
            PrincipalScope::AllAccounts,
            &principals
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
