//! Why a change cannot happen now: a state-machine transition the current status does not
//! allow, or a command that meets a state which rules it out. Each variant says it in one
//! sentence; the server answers them with 409.

use serde::{Deserialize, Serialize};

use crate::copy::VaultRefusal;
use crate::grant::GrantStatus;
use crate::ids::{AccountId, BackupId, FolderId};
use crate::invitation::InvitationStatus;
use crate::model::CopyStatus;

/// A change the current state rules out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Conflict {
    /// An invitation that was already answered, expired or cancelled (or, to invite
    /// again, one still pending).
    #[error("This invitation {}.", already(*.0))]
    InvitationIs(InvitationStatus),
    /// The lifecycle job expires only invitations past their deadline.
    #[error("This invitation has not reached its deadline yet.")]
    InvitationNotDue,
    /// Answering an invitation past its deadline.
    #[error(
        "This invitation has expired: it was not answered in time. Ask the owner to share again."
    )]
    InvitationExpired,
    /// Another answer or change reached the invitation first.
    #[error("This invitation was answered meanwhile. Reload the page to see its status.")]
    AnsweredMeanwhile,
    /// A grant transition its status does not allow.
    #[error("A {} share cannot be {}.", grant_word(*.from), .to.as_str())]
    Grant { from: GrantStatus, to: GrantMove },
    /// The revocation delay has not passed.
    #[error("The revocation delay has not passed yet.")]
    RevocationNotDue,
    /// Restoring from a grant the owner cancelled (access ends after the delay).
    #[error(
        "The owner cancelled this share: access ends shortly, so it cannot be restored any more."
    )]
    Revoking,
    /// A copy transition its status does not allow.
    #[error("A copy that is {} cannot be {}.", .from.as_str(), .to.as_str())]
    Copy { from: CopyStatus, to: CopyMove },
    /// Creating from a copy still being made.
    #[error("The copy is still being made ({percent}%): it can be used once it is available.")]
    CopyInProgress { percent: u8 },
    #[error("The copy failed: retry it first, then create from it.")]
    CopyFailed,
    #[error("The copy was deleted with the original's share.")]
    CopyDeleted,
    /// Creating from a received server or disk backup before a vault was chosen.
    #[error("Choose a vault first: the backup is copied there, then created from.")]
    NoCopyYet,
    /// The grant's previous copy is still being removed.
    #[error("The previous copy of this backup is still being removed: retry in a moment.")]
    PreviousCopyRemoving,
    #[error("This backup is already copied into a vault.")]
    AlreadyCopied,
    /// The grant is no longer active.
    #[error("This share is no longer active, so {}.", .0.as_str())]
    ShareEnded(EndedFor),
    /// Rule 5: an encrypted backup's copy needs the key its owner grants.
    #[error("{0} is encrypted and its owner did not grant the decryption key.")]
    KeyNotGranted(BackupId),
    /// The chosen vault cannot take the copy.
    #[error("{0}")]
    Vault(VaultRefusal),
    /// "Cancel Sharing" for a recipient a folder principal still covers.
    #[error("Account {recipient} is covered by folder {folder}: remove the folder under \"Manage Sharing Relationship\", or move the account out of it.")]
    CoveredByFolder {
        recipient: AccountId,
        folder: FolderId,
    },
}

/// The grant transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GrantMove {
    Revoke,
    FinishRevoking,
    Lose,
    Reactivate,
    Restore,
}

impl GrantMove {
    fn as_str(self) -> &'static str {
        match self {
            Self::Revoke => "revoked",
            Self::FinishRevoking => "finished revoking",
            Self::Lose => "lost",
            Self::Reactivate => "granted again",
            Self::Restore => "restored",
        }
    }
}

/// The copy transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CopyMove {
    Finish,
    Retry,
    Discard,
}

impl CopyMove {
    fn as_str(self) -> &'static str {
        match self {
            Self::Finish => "finished",
            Self::Retry => "retried",
            Self::Discard => "deleted",
        }
    }
}

/// What an ended grant can no longer do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EndedFor {
    Copy,
    RetryCopy,
}

impl EndedFor {
    fn as_str(self) -> &'static str {
        match self {
            Self::Copy => "nothing can be copied from it",
            Self::RetryCopy => "the copy cannot be retried",
        }
    }
}

fn already(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Pending => "is still pending",
        InvitationStatus::Accepted => "was already accepted",
        InvitationStatus::Rejected => "was already rejected",
        InvitationStatus::Expired => "has expired",
        InvitationStatus::Cancelled => "was cancelled by the owner",
    }
}

fn grant_word(status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::Active => "active",
        GrantStatus::Revoking => "revoking",
        GrantStatus::Revoked => "revoked",
        GrantStatus::Lost => "lost",
    }
}
