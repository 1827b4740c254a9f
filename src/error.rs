//! What a user may be told when something is refused. Storage faults never reach this
//! type's text: the service logs them and answers [`UserError::Internal`].

use serde::{Deserialize, Serialize};

use crate::conflict::Conflict;
use crate::model::ResourceKind;
use crate::rules::Refusal;

/// Everything a user may see go wrong, each variant a clear sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UserError {
    /// No session, or the session ended.
    #[error("Please sign in first.")]
    NotSignedIn,
    /// One message for an unknown email and a wrong password, so neither is revealed.
    #[error("The email or password is not correct.")]
    BadCredentials,
    /// The thing does not exist, or the caller's account may not see it.
    #[error("{0}")]
    NotFound(Missing),
    /// The caller may see the thing but not change it.
    #[error("{0}")]
    Forbidden(Denied),
    /// A sharing rule of PRODUCT.md §3 refuses the request.
    #[error("{0}")]
    Refused(Refusal),
    /// A change the current state rules out (a transition its status does not allow).
    #[error("{0}")]
    Conflict(Conflict),
    /// Input that cannot be read, naming what is wrong.
    #[error("{0}")]
    Invalid(BadInput),
    /// The account already uses its share of a bounded resource (running restores, say).
    #[error("{0}")]
    Busy(AtCap),
    /// Too many failed sign-ins for this email or from this address: wait `retry_after`
    /// seconds.
    #[error("Too many failed sign-ins: try again in {} minutes.", .retry_after.div_ceil(60))]
    Throttled { retry_after: u64 },
    /// A fault inside the server; the detail is in the server's log.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
}

impl From<Refusal> for UserError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

impl From<Conflict> for UserError {
    fn from(conflict: Conflict) -> Self {
        Self::Conflict(conflict)
    }
}

impl UserError {
    /// The HTTP status that fits, for server functions called directly.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::BadCredentials => 401,
            Self::NotFound(_) => 404,
            Self::Forbidden(_) => 403,
            Self::Refused(_) | Self::Conflict(_) => 409,
            Self::Invalid(_) => 400,
            Self::Throttled { .. } | Self::Busy(_) => 429,
            Self::Internal => 500,
        }
    }
}

/// What was not found (or is not the caller's to see): each its own sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    #[error("Backup {0} was not found.")]
    Backup(String),
    #[error("This resource share was not found.")]
    ResourceShare,
    #[error("This invitation was not found.")]
    Invitation,
    #[error("Access key {0} was not found.")]
    AccessKey(String),
    #[error("Account {0} was not found.")]
    Account(String),
    #[error("Project {0} was not found.")]
    Project(String),
    /// An account the share does not reach, named as a recipient to end.
    #[error("Account {0} as a recipient of this resource share was not found.")]
    Recipient(String),
    #[error("Resource {0} was not found.")]
    Resource(String),
    #[error("Resource directory {0} was not found.")]
    Directory(String),
    #[error("Vault {0} was not found.")]
    Vault(String),
    #[error("This received backup was not found.")]
    ReceivedBackup,
    #[error("This copy was not found.")]
    Copy,
}

/// Why the caller may see something but not do what it asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Denied {
    /// A viewer (the email named) asked for a change.
    #[error("{0} is a viewer: viewers can see this account's pages but cannot change anything.")]
    Viewer(String),
    /// A recipient asked whom a backup it received is shared with.
    #[error("{0} was shared with your account: only its owner sees whom it is shared with.")]
    ReceivedSharing(String),
    /// A recipient asked to delete a backup it received.
    #[error("{0} belongs to the account that shared it: recipients can restore from a shared backup but never delete it.")]
    ReceivedDelete(String),
    #[error("Only the owner of a resource share can change or cancel its sharing.")]
    NotShareOwner,
    #[error("Only the invited account can answer this invitation.")]
    NotInvitee,
}

/// A field of a request, as a refusal of its input names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ResourceShareName,
    BackupId,
    Principal,
    AccessKeyId,
    InvitationId,
    ArnId,
    ClientToken,
}

impl Field {
    /// How the field starts an English sentence.
    pub fn label(self) -> &'static str {
        match self {
            Self::ResourceShareName => "The resource share name",
            Self::BackupId => "A backup ID",
            Self::Principal => "A principal",
            Self::AccessKeyId => "Access key ID",
            Self::InvitationId => "Invitation",
            Self::ArnId => "An ARN's id",
            Self::ClientToken => "clientToken",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What a request carries many of, as a refusal of too many names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Items {
    Backups,
    Principals,
    Arns,
}

impl std::fmt::Display for Items {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Backups => "backups",
            Self::Principals => "principals",
            Self::Arns => "ARNs",
        })
    }
}

/// Input that cannot be used, each naming what is wrong and what would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BadInput {
    #[error("{field} contains an invisible or control character (U+{code:04X}): type it again without it.")]
    HiddenCharacter { field: Field, code: u32 },
    #[error("{field} is {length} characters long: an id has at most {limit}.")]
    IdTooLong {
        field: Field,
        length: usize,
        limit: usize,
    },
    #[error("This request carries {count} {items}: at most {limit} may be sent at once.")]
    TooManyItems {
        items: Items,
        count: usize,
        limit: usize,
    },
    #[error("\"{0}\" is not an account ID: an account ID is 16 digits, as shown on the owner's My Credentials page.")]
    NotAccountId(String),
    #[error("\"{0}\" is not a project ID: a project ID starts with \"proj-\".")]
    NotProjectId(String),
    #[error("\"{0}\" is not a folder ID: a folder ID starts with \"fd-\".")]
    NotFolderId(String),
    #[error("Enter a principal: an account ID, a project ID or a folder ID.")]
    NoPrincipal,
    #[error("Choose at least one backup to share.")]
    NoBackups,
    #[error("Add at least one principal: the account ID, project ID or folder ID to share with.")]
    NoPrincipals,
    #[error("Enter a resource share name.")]
    NoShareName,
    #[error("The resource share name is {length} characters long: use at most {limit}.")]
    ShareNameTooLong { length: usize, limit: usize },
    #[error("A resource share named \"{0}\" already exists: choose another name, or select it as an existing resource share.")]
    ShareNameTaken(String),
    #[error("Search for at most {0} characters: a resource share name is no longer.")]
    SearchTooLong(usize),
    #[error("You already have {0} access keys: delete one before creating another.")]
    TooManyAccessKeys(usize),
    /// A restore into a project that is not the caller's in the backup's region.
    #[error("Project {project} is not one of your projects in {region}: a {} is created in the backup's region.", .kind.as_str())]
    NotYourProject {
        project: String,
        region: String,
        kind: ResourceKind,
    },
    #[error("Your account has no project in {region}: a {} is created in the backup's region.", .kind.as_str())]
    NoProjectInRegion { region: String, kind: ResourceKind },
    /// A server or disk backup accepted without a vault to copy it into.
    #[error("Choose a vault for {name} ({backup}): server and disk backups are copied into one of your vaults.")]
    NoVaultChosen { name: String, backup: String },
    #[error("The page position is not one this console made: reload the page.")]
    PagePosition,
    /// Operator commands.
    #[error("The limit must be a positive number.")]
    LimitNotPositive,
    #[error("Folder {folder} is not a folder of directory {directory}.")]
    FolderNotInDirectory { folder: String, directory: String },
}

/// A per-account cap the account already uses in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AtCap {
    #[error("Your account already has {0} restores running: start this one when one of them has finished.")]
    Restores(u32),
    #[error("Your account already has its limit of copies waiting or under way ({0}): copy this one when some of them have finished.")]
    Copies(u32),
}

/// What exactly was refused, typed, so that a page can say it in its reader's language
/// (the English sentence still travels beside it, for scripts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A sharing rule (PRODUCT.md §3).
    Refused(Refusal),
    /// A change the current state rules out.
    Conflict(Conflict),
    /// Too many failed sign-ins: try again after this many seconds.
    Throttled {
        retry_after: u64,
    },
    /// A copy or a restore failed (the outcome of its line in Activity).
    Failed(crate::model::TransferFailure),
    NotFound(Missing),
    Forbidden(Denied),
    Invalid(BadInput),
    Busy(AtCap),
}

impl UserError {
    /// The typed form of this error, where it has one.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Self::Refused(refusal) => Some(Reason::Refused(refusal.clone())),
            Self::Conflict(conflict) => Some(Reason::Conflict(conflict.clone())),
            Self::Throttled { retry_after } => Some(Reason::Throttled {
                retry_after: *retry_after,
            }),
            Self::NotFound(missing) => Some(Reason::NotFound(missing.clone())),
            Self::Forbidden(denied) => Some(Reason::Forbidden(denied.clone())),
            Self::Invalid(bad) => Some(Reason::Invalid(bad.clone())),
            Self::Busy(cap) => Some(Reason::Busy(cap.clone())),
            Self::NotSignedIn | Self::BadCredentials | Self::Internal => None,
        }
    }
}

/// One problem a request would meet: its English sentence, and its typed reason where it
/// has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub message: String,
    #[serde(default)]
    pub reason: Option<Reason>,
}

impl Problem {
    /// The problem an error of the domain's (a refusal, a conflict) is.
    pub fn of(error: impl Into<UserError>) -> Self {
        Self::from(&error.into())
    }
}

impl From<&UserError> for Problem {
    fn from(error: &UserError) -> Self {
        Self {
            message: error.to_string(),
            reason: error.reason(),
        }
    }
}
