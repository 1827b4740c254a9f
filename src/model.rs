//! The domain's closed vocabularies (PRODUCT.md §1), stored as the lowercase words shown
//! in each `as_str`.

use serde::{Deserialize, Serialize};

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// The word as stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }

            /// Reads a stored word; `None` for anything else.
            pub fn from_word(word: &str) -> Option<Self> {
                match word { $($word => Some(Self::$variant),)+ _ => None }
            }
        }

        #[cfg(feature = "server")]
        crate::store::text_column!($name, $name::from_word);
    };
}

word_enum!(
    /// A separate population of accounts; nothing is shared across sites (rule 3).
    Site { International => "international", China => "china" }
);

word_enum!(
    /// What a signed-in user may do.
    Role {
        /// Everything.
        Admin => "admin",
        /// Everything but account administration.
        Operator => "operator",
        /// Read-only.
        Viewer => "viewer",
    }
);

impl Role {
    /// Viewers may look, never change.
    pub fn may_change(self) -> bool {
        !matches!(self, Role::Viewer)
    }
}

word_enum!(
    /// The kind of a backup; decides whether and how it can be shared.
    BackupKind {
        ServerBackup => "server_backup",
        DiskBackup => "disk_backup",
        ClusterBackup => "cluster_backup",
        FileBackup => "file_backup",
    }
);

impl BackupKind {
    /// How the kind reads in a table.
    pub fn label(self) -> &'static str {
        match self {
            Self::ServerBackup => "Server backup",
            Self::DiskBackup => "Disk backup",
            Self::ClusterBackup => "Cluster backup",
            Self::FileBackup => "File backup",
        }
    }
}

impl BackupKind {
    /// The resource a backup of this kind is restored into; file backups are not restored
    /// here.
    pub fn resource_kind(self) -> Option<ResourceKind> {
        match self {
            Self::ServerBackup => Some(ResourceKind::Server),
            Self::DiskBackup => Some(ResourceKind::Disk),
            Self::ClusterBackup => Some(ResourceKind::Cluster),
            Self::FileBackup => None,
        }
    }

    /// The kind of vault a backup of this kind lives in; cluster and file backups live
    /// in none.
    pub fn vault_kind(self) -> Option<ResourceKind> {
        self.resource_kind()
            .filter(|kind| *kind != ResourceKind::Cluster)
    }

    /// The button that makes a new resource from a backup of this kind.
    pub fn restore_action(self) -> &'static str {
        match self {
            Self::ServerBackup => "Create Server",
            Self::DiskBackup => "Create Disk",
            Self::ClusterBackup => "Restore Data to New Cluster",
            Self::FileBackup => "Restore",
        }
    }

    /// Server and disk backups are shared by copying them into the recipient's vault.
    pub fn is_copied(self) -> bool {
        self.vault_kind().is_some()
    }
}

word_enum!(
    /// Where a copy grant's copy stands (see `copy`). `Deleting` and `Deleted` are never
    /// shown: the grant's own status (Revoked, Lost) is what the recipient reads then.
    CopyStatus {
        Copying => "copying",
        Available => "available",
        Failed => "failed",
        /// The grant ended; the bytes are being removed and hold no space any more.
        Deleting => "deleting",
        Deleted => "deleted",
    }
);

impl CopyStatus {
    /// Whether the copy counts against its vault's capacity. A failed copy's partial bytes
    /// are removed with the failure, so it holds nothing until it is retried.
    pub fn holds_space(self) -> bool {
        matches!(self, Self::Copying | Self::Available)
    }
}

word_enum!(
    /// Why a copy or a restore failed, stored as its word; the page says it in its reader's
    /// language, the API in [`TransferFailure::sentence`]'s English.
    TransferFailure {
        /// The backup's bytes are no longer in storage.
        SourceGone => "source_gone",
        /// The storage failed; the detail is in the server's log.
        Storage => "storage",
        /// The backup's bytes no longer match the checksum taken with it.
        SourceChanged => "source_changed",
        /// The bytes written do not match the backup's checksum.
        WrittenMismatch => "written_mismatch",
        /// The bytes written could not be read back to verify them.
        Unreadable => "unreadable",
        /// An encrypted backup could not be decrypted.
        Undecryptable => "undecryptable",
        /// Something else failed on the server's side; the detail is in its log.
        Fault => "fault",
    }
);

impl TransferFailure {
    /// The English sentence.
    pub fn sentence(self) -> &'static str {
        match self {
            Self::SourceGone => "the backup's bytes are gone",
            Self::Storage => "the bytes could not be copied (a storage error; see the server log)",
            Self::SourceChanged => "verification failed: the backup's bytes do not match the checksum taken with it (they changed or were damaged since)",
            Self::WrittenMismatch => "verification failed: the bytes written do not match the backup's checksum",
            Self::Unreadable => "the bytes written could not be read back to verify them",
            Self::Undecryptable => "the backup could not be decrypted",
            Self::Fault => "it failed on our side (see the server log)",
        }
    }
}

impl std::fmt::Display for TransferFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sentence())
    }
}

word_enum!(
    /// A resource that holds real bytes and can be backed up.
    ResourceKind { Server => "server", Disk => "disk", Cluster => "cluster" }
);

word_enum!(
    /// Why a backup is locked (rule 6).
    LockReason {
        /// A restore from it is running.
        Restoring => "restoring",
        /// A cluster backup converting from level 1 to level 2.
        ConvertingToLevel2 => "converting",
    }
);

impl LockReason {
    /// How the lock reads in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Restoring => "it is being restored",
            Self::ConvertingToLevel2 => "it is converting from level 1 to level 2",
        }
    }
}

word_enum!(
    /// Who may be added as a principal of a resource share (rule 8).
    PrincipalScope {
        /// Any account of the owner's site.
        AllAccounts => "all_accounts",
        /// Only accounts and folders of the owner's resource directory.
        ResourceDirectory => "directory",
    }
);

impl PrincipalScope {
    /// How the scope reads in the share dialog.
    pub fn label(self) -> &'static str {
        match self {
            Self::AllAccounts => "All accounts",
            Self::ResourceDirectory => "Objects within resource directory",
        }
    }
}

word_enum!(
    /// Where a restore into a new resource stands.
    RestoreStatus { Running => "running", Done => "done", Failed => "failed" }
);

impl RestoreStatus {
    /// How the status reads on screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::Running => "Restoring",
            Self::Done => "Restored",
            Self::Failed => "Failed",
        }
    }
}

word_enum!(
    /// What an Activity line says happened. Stored as its English label, which is also what
    /// the API returns; the Activity page says it in the reader's language.
    ActivityAction {
        ShareBackups => "Share backups",
        DeletedResourceShare => "Deleted resource share",
        SharedBackups => "Shared backups",
        NotInvited => "Not invited",
        CancelledSharing => "Cancelled sharing",
        AcceptedInvitation => "Accepted invitation",
        RejectedInvitation => "Rejected invitation",
        InvitationExpired => "Invitation expired",
        InvitationCancelled => "Invitation cancelled",
        RevocationFinished => "Revocation finished",
        AccessLost => "Access lost",
        DeletedBackup => "Deleted backup",
        CopyFinished => "Copy finished",
        CopyFailed => "Copy failed",
        RestoreStarted => "Restore started",
        RestoreFinished => "Restore finished",
        ReleasedResource => "Released resource",
        CreateAccessKey => "Create access key",
        UseAccessKey => "Use access key",
        DeactivateAccessKey => "Deactivate access key",
        DeleteAccessKey => "Delete access key",
    }
);

/// Who an Activity line names for the system's own background work.
pub const SYSTEM_ACTOR: &str = "System";

/// Why a backup's recipients lost it (rule 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GoneWhy {
    Expired,
    Deleted,
    Released,
}

impl std::fmt::Display for GoneWhy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Expired => "the backup expired",
            Self::Deleted => "the owner deleted the backup",
            Self::Released => "the owner released the cluster",
        })
    }
}

/// What an Activity line's detail says beyond ids, typed so that the page says it in its
/// reader's language; the line's `detail` keeps the English, for scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityNote {
    #[error("Access key {key} of {email}")]
    AccessKey { key: String, email: String },
    #[error("It was not answered in time.")]
    NotAnsweredInTime,
    #[error("{backup}: {why}")]
    BackupGone { backup: String, why: GoneWhy },
    #[error("{backup}: {why}; the share holds no backup any more.")]
    ShareEmptied { backup: String, why: GoneWhy },
    #[error("The account left the folder the share was for.")]
    LeftFolder,
    #[error("Accepted automatically: the resource directory auto-accepts.")]
    AutoAccepted,
    /// A folder principal reached an account that a rule kept out.
    #[error("Reached through {0}.")]
    ReachedThrough(String),
    /// A released cluster, with the backups that went with it.
    #[error("{resource} with its backups {backups}")]
    ReleasedWith { resource: String, backups: String },
    #[error("{backup}: Into {resource} in {project}.")]
    RestoreInto {
        backup: String,
        resource: String,
        project: String,
    },
    #[error("{backup} into {resource}")]
    RestoredInto { backup: String, resource: String },
}

/// The outcomes of Activity lines that went through. Any other outcome is the sentence of a
/// refusal or a failure.
pub mod outcome {
    pub const DONE: &str = "Done";
    /// A restore whose new resource's bytes matched the backup's checksum.
    pub const DONE_VERIFIED: &str = "Done: checksum verified";
    /// A copy whose bytes matched the original's checksum.
    pub const AVAILABLE_VERIFIED: &str = "Available: checksum verified";
}
