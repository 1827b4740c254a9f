//! Serialisable views the server sends and the browser renders. They carry the status
//! words of PRODUCT.md §2 so both sides show the same thing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::copy::VaultCopy;
use crate::error::Problem;
use crate::grant::GrantStatus;
use crate::ids::{
    AccountId, BackupId, FolderId, GrantId, InvitationId, ProjectId, ResourceId, RestoreId, ShareId,
};
use crate::invitation::InvitationStatus;
use crate::model::{
    BackupKind, CopyStatus, LockReason, PrincipalScope, ResourceKind, RestoreStatus, Role, Site,
};

/// The status a user sees for a recipient of a shared backup (PRODUCT.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ShareStatus {
    Pending,
    Accepted,
    Rejected,
    Expired,
    Cancelled,
    /// A copy into the recipient's vault is under way, this many percent done.
    Copying(u8),
    /// The copy is in the recipient's vault, verified.
    Available,
    /// The copy failed; the reason is shown beside it and "Retry" offered.
    Failed,
    Revoking,
    Revoked,
    Lost,
}

impl ShareStatus {
    /// The word on screen.
    pub fn label(self) -> String {
        match self {
            Self::Copying(percent) => format!("Copying {percent}%"),
            other => other.word().to_owned(),
        }
    }

    /// The word without figures, e.g. for a style class.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Accepted => "Accepted",
            Self::Rejected => "Rejected",
            Self::Expired => "Expired",
            Self::Cancelled => "Cancelled",
            Self::Copying(_) => "Copying",
            Self::Available => "Available",
            Self::Failed => "Failed",
            Self::Revoking => "Revoking",
            Self::Revoked => "Revoked",
            Self::Lost => "Lost",
        }
    }

    /// What a recipient's status is: the invitation's answer, or once accepted, the grant's.
    pub fn of(invitation: InvitationStatus, grant: Option<GrantStatus>) -> Self {
        match (invitation, grant) {
            (InvitationStatus::Accepted, Some(GrantStatus::Revoking)) => Self::Revoking,
            (InvitationStatus::Accepted, Some(GrantStatus::Revoked)) => Self::Revoked,
            (InvitationStatus::Accepted, Some(GrantStatus::Lost)) => Self::Lost,
            (InvitationStatus::Accepted, _) => Self::Accepted,
            (InvitationStatus::Pending, _) => Self::Pending,
            (InvitationStatus::Rejected, _) => Self::Rejected,
            (InvitationStatus::Expired, _) => Self::Expired,
            (InvitationStatus::Cancelled, _) => Self::Cancelled,
        }
    }

    /// An accepted grant of a server or disk backup reads as its copy while the grant is
    /// active: Copying N%, Available or Failed (Accepted until a vault is chosen).
    pub fn of_grant(grant: GrantStatus, copy: Option<&VaultCopy>) -> Self {
        match (grant, copy) {
            (GrantStatus::Active, Some(copy)) => match copy.status {
                CopyStatus::Copying => Self::Copying(copy.percent()),
                CopyStatus::Available => Self::Available,
                CopyStatus::Failed => Self::Failed,
                CopyStatus::Deleting | CopyStatus::Deleted => Self::Accepted,
            },
            (grant, _) => Self::of(InvitationStatus::Accepted, Some(grant)),
        }
    }
}

/// A vault the recipient could copy a backup into, with why it does not qualify if so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultOption {
    pub vault_id: String,
    pub name: String,
    pub free_bytes: i64,
    pub refusal: Option<Problem>,
}

/// One server or disk backup that needs a vault before it can be copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultChoice {
    pub backup_id: BackupId,
    pub backup_name: String,
    pub kind: BackupKind,
    pub size_bytes: i64,
    pub options: Vec<VaultOption>,
}

/// A received copy as "Shared With Me" shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyView {
    pub vault_name: String,
    pub copy: VaultCopy,
    /// The copy stays encrypted with a key the owner granted.
    pub encrypted: bool,
}

/// A resource on the "Resources" page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceView {
    pub id: ResourceId,
    pub name: String,
    pub kind: ResourceKind,
    pub region: String,
    pub project_id: ProjectId,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "crate::instant")]
    pub created_at: DateTime<Utc>,
    /// Made by a restore ("Restore Data to New Cluster", "Create Server", "Create Disk").
    pub restored: bool,
}

/// A vault on the "Vaults" page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultView {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
    pub region: String,
    pub capacity_bytes: i64,
    pub used_bytes: i64,
}

impl VaultView {
    /// How full the vault is, in whole percent (0 to 100).
    pub fn percent_used(&self) -> u8 {
        if self.capacity_bytes <= 0 {
            return 0;
        }
        (self.used_bytes.clamp(0, self.capacity_bytes) * 100 / self.capacity_bytes) as u8
    }
}

/// Something held in a vault: an own backup or a received copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultItem {
    pub backup_id: BackupId,
    pub name: String,
    pub size_bytes: i64,
    /// "Name (account ID)" of the owner when this is a received copy.
    pub received_from: Option<String>,
    pub status: String,
}

/// One keyset page of "Restores", newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoresPage {
    pub restores: Vec<RestoreView>,
    pub links: crate::paging::PageLinks,
}

/// One keyset page of "Resources", newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourcesPage {
    pub resources: Vec<ResourceView>,
    pub links: crate::paging::PageLinks,
}

/// One keyset page of a vault's contents, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultContentsPage {
    pub items: Vec<VaultItem>,
    pub links: crate::paging::PageLinks,
}

/// The "Vaults" page: every vault, and what the account stores in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VaultsPage {
    pub vaults: Vec<VaultView>,
    /// Bytes in the account's own backups (in vaults or not).
    pub owned_backup_bytes: i64,
    /// Bytes in copies received from other accounts (the recipient pays for these).
    pub received_copy_bytes: i64,
}

/// One keyset page of "Backups", newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupsPage {
    pub backups: Vec<BackupSummary>,
    pub links: crate::paging::PageLinks,
}

/// One keyset page of "Activity", newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    pub links: crate::paging::PageLinks,
}

/// One line of the "Activity" page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEntry {
    #[serde(with = "crate::instant")]
    pub at: DateTime<Utc>,
    /// The user's email, or "System" for background work.
    pub actor: String,
    pub action: String,
    pub share_name: Option<String>,
    /// "Name (account ID)".
    pub owner: String,
    pub recipient: Option<String>,
    pub detail: String,
    /// "Done", or the refusal's sentence.
    pub outcome: String,
    /// The refusal, typed, when it was one: the page says it in its reader's language.
    #[serde(default)]
    pub reason: Option<crate::error::Reason>,
    /// The detail, typed where it says more than ids: the page says it in its reader's
    /// language.
    #[serde(default)]
    pub note: Option<crate::model::ActivityNote>,
}

/// Rule 9's quota left if a share request went through.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareQuota {
    /// More backups the account could put into resource shares.
    pub shared_backups_left: u64,
    /// More cluster backups the account could share.
    pub shared_cluster_backups_left: u64,
    /// Per backup: more recipients it could have, in its kind's unit.
    pub recipients_left: Vec<RecipientsLeft>,
}

/// Rule 9's room left on one backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientsLeft {
    pub backup: BackupId,
    pub left: u64,
    pub unit: crate::rules::RecipientUnit,
}

/// The share dialog's live check before "OK".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharePreview {
    /// Each problem, typed where it can be; empty when every rule allows the request.
    pub problems: Vec<Problem>,
    pub quota: ShareQuota,
}

/// The signed-in user, for the navigation and for what the page offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub account_id: AccountId,
    pub account_name: String,
    /// Pending invitations waiting for this account.
    pub pending_invitations: u32,
    /// Why the form this page returned from was refused (posted without JavaScript).
    #[serde(default)]
    pub notice: Option<Problem>,
}

/// One project on "My Credentials".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectView {
    pub id: ProjectId,
    pub name: String,
    pub region: String,
}

/// "My Credentials": what another account needs to share with this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credentials {
    pub account_id: AccountId,
    pub account_name: String,
    pub site: Site,
    pub email: String,
    pub role: Role,
    pub projects: Vec<ProjectView>,
}

/// A row of the "Backups" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupSummary {
    pub id: BackupId,
    pub name: String,
    pub kind: BackupKind,
    pub source_resource: String,
    pub region: String,
    /// Its ARN, as the API names it (`arn:aws:backshare:<region>:<account>:backup/<id>`).
    pub arn: String,
    pub size_bytes: i64,
    #[serde(with = "crate::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(default, with = "crate::instant::option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// "Available", or "Locked (…)" while a lock holds.
    pub status: String,
    /// The lock that holds, if one does (what `status` says, typed).
    pub lock: Option<LockReason>,
    /// Some principal is set: the attribute column reads "Sharing".
    pub sharing: bool,
    /// A server or disk backup encrypted at rest (shared only with its key, rule 5).
    pub encrypted: bool,
    /// Why "Share Backups" is disabled for this backup, if a rule forbids it.
    pub share_blocked: Option<Problem>,
    /// Why "Restore" is disabled (not a cluster backup, converting), if it is.
    pub restore_blocked: Option<Problem>,
}

/// One keyset page of "My Shares": the rows of up to 50 resource shares, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySharesPage {
    pub rows: Vec<MyShareRow>,
    /// Where "← Newer" and "Older →" lead.
    pub links: crate::paging::PageLinks,
    /// The resource shares on this page.
    pub shares_on_page: u32,
    /// The account's resource shares on all pages (counted up to a cap).
    pub total_shares: crate::paging::Total,
}

/// A backup's "Share List" tab: the backup and one keyset page of its recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareListPage {
    pub backup: BackupSummary,
    pub rows: Vec<MyShareRow>,
    pub links: crate::paging::PageLinks,
}

/// An access key on "My Credentials" (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessKeyView {
    /// The "Access key ID" that requests name.
    pub id: String,
    pub active: bool,
    #[serde(with = "crate::instant")]
    pub created_at: DateTime<Utc>,
    #[serde(default, with = "crate::instant::option")]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key just created: the one time its secret is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAccessKey {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for NewAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccessKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A row of "My Shares": one backup, one recipient, its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyShareRow {
    pub share_id: ShareId,
    pub share_name: String,
    pub backup_id: BackupId,
    pub backup_name: String,
    pub recipient: AccountId,
    pub recipient_name: String,
    /// The principals that reach this recipient, as the owner added them (account,
    /// project or folder ids); empty once the recipient was removed.
    pub principals: Vec<String>,
    pub status: ShareStatus,
    /// The recipient is still reached by the share, so "Cancel Sharing" applies.
    pub cancellable: bool,
    /// Why "Cancel Sharing" cannot remove this recipient alone (a folder covers it).
    pub cancel_blocked: Option<Problem>,
}

/// One principal of a resource share, for the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrincipalView {
    /// The id as typed: account, project or folder id.
    pub id: String,
    /// What it is, with a name: "Account Acme East", "Folder East".
    pub label: String,
}

/// An existing resource share, for "Select an existing resource share".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareSummary {
    pub id: ShareId,
    pub name: String,
    pub scope: PrincipalScope,
    pub backups: Vec<(BackupId, String)>,
    pub principals: Vec<PrincipalView>,
}

/// The owner's resource directory: its folders, to add as principals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectoryView {
    pub id: String,
    pub name: String,
    pub auto_accept: bool,
    /// (folder id, path such as "East" or "East / Retail").
    pub folders: Vec<(FolderId, String)>,
}

/// What the share dialog offers: the account's resource shares and its directory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareOptions {
    pub directory: Option<DirectoryView>,
}

/// One page of the owner's resource shares to choose from, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareChoices {
    pub shares: Vec<ShareChoice>,
    /// The name the next page starts after, if there is one.
    pub next: Option<String>,
}

/// A resource share as the dialog's list offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareChoice {
    pub id: ShareId,
    pub name: String,
}

/// A pending invitation on "Shared With Me".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationView {
    pub id: InvitationId,
    pub share_name: String,
    pub owner: AccountId,
    pub owner_name: String,
    pub backups: Vec<(BackupId, String)>,
    /// The server and disk backups among them, each needing a vault on accept.
    pub vault_choices: Vec<VaultChoice>,
    #[serde(with = "crate::instant")]
    pub invited_at: DateTime<Utc>,
    #[serde(with = "crate::instant")]
    pub expires_at: DateTime<Utc>,
}

/// A received backup on "Shared With Me".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedBackup {
    pub grant_id: GrantId,
    pub backup_id: BackupId,
    pub backup_name: String,
    pub kind: BackupKind,
    pub region: String,
    pub size_bytes: i64,
    pub owner: AccountId,
    pub owner_name: String,
    pub share_name: String,
    pub status: ShareStatus,
    /// Why "Restore Data to New Cluster", "Create Disk" or "Create Server" is not offered
    /// now (revoking, copy not available yet).
    pub restore_blocked: Option<Problem>,
    /// When the original expires; a copy carries the same expiry and goes with it.
    #[serde(default, with = "crate::instant::option")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Server and disk backups: the copy in the recipient's vault, once a vault is chosen.
    pub copy: Option<CopyView>,
    /// Server and disk backups received without a vault yet (added to the share after
    /// accepting, or accepted automatically): where it could go.
    pub vault_choice: Option<VaultChoice>,
}

/// An invitation that was not accepted (rejected, expired or cancelled), so the recipient
/// sees what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnsweredInvitation {
    pub id: InvitationId,
    pub share_name: String,
    pub owner: AccountId,
    pub owner_name: String,
    pub status: ShareStatus,
    #[serde(with = "crate::instant")]
    pub at: DateTime<Utc>,
}

/// A restore into a new cluster, on "Restores".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreView {
    pub id: RestoreId,
    pub backup_id: BackupId,
    pub project_id: ProjectId,
    pub resource_id: ResourceId,
    pub resource_name: String,
    pub status: RestoreStatus,
    /// Why it failed.
    pub failure: Option<crate::model::TransferFailure>,
    pub requested_by: String,
    /// The new cluster's SHA-256, equal to the backup's (verified) once restored.
    pub sha256: Option<String>,
    #[serde(with = "crate::instant")]
    pub started_at: DateTime<Utc>,
    #[serde(default, with = "crate::instant::option")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// Everything "Shared With Me" shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedWithMe {
    /// One page of the invitations waiting for an answer, newest first.
    pub pending: Vec<InvitationView>,
    pub pending_links: crate::paging::PageLinks,
    /// One page of the backups received and held, newest first.
    pub received: Vec<ReceivedBackup>,
    pub received_links: crate::paging::PageLinks,
    /// One page of the invitations that ended without being accepted, newest first.
    pub answered: Vec<AnsweredInvitation>,
    pub answered_links: crate::paging::PageLinks,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_invitation_reads_as_its_grant() {
        use GrantStatus as G;
        use InvitationStatus as I;
        assert_eq!(
            ShareStatus::of(I::Accepted, Some(G::Active)),
            ShareStatus::Accepted
        );
        assert_eq!(
            ShareStatus::of(I::Accepted, Some(G::Revoking)),
            ShareStatus::Revoking
        );
        assert_eq!(
            ShareStatus::of(I::Accepted, Some(G::Revoked)),
            ShareStatus::Revoked
        );
        assert_eq!(
            ShareStatus::of(I::Accepted, Some(G::Lost)),
            ShareStatus::Lost
        );
        assert_eq!(ShareStatus::of(I::Pending, None), ShareStatus::Pending);
        assert_eq!(ShareStatus::of(I::Rejected, None).label(), "Rejected");
        assert_eq!(ShareStatus::of(I::Expired, None).label(), "Expired");
        assert_eq!(ShareStatus::of(I::Cancelled, None).label(), "Cancelled");
    }
}
