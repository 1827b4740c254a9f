//! Identifier newtypes. Ids that people type (account and project ids) are parsed at the
//! edge with a message naming what is wrong; afterwards the type is trusted.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{BadInput, UserError};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that came from storage or from a value the server made.
            pub fn from_trusted(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "server")]
        crate::store::text_column!($name, |text| Some($name::from_trusted(text)));
    };
}

id_type!(
    /// An account (tenant): 16 digits, as shown on "My Credentials".
    AccountId
);
id_type!(
    /// A project: a region-scoped container inside an account (`proj-…`).
    ProjectId
);
id_type!(
    /// A signed-in person.
    UserId
);
id_type!(
    /// A backup (`cb-…`, `sb-…`, `db-…`, `fb-…`; cross-region copies start with `rp-`).
    BackupId
);
id_type!(
    /// A resource share: a named container of backups and principals.
    ShareId
);
id_type!(
    /// One invitation per (resource share, recipient account).
    InvitationId
);
id_type!(
    /// What a recipient holds for one backup after accepting.
    GrantId
);
id_type!(
    /// A server, disk or database cluster.
    ResourceId
);
id_type!(
    /// A vault holding server or disk backups.
    VaultId
);
id_type!(
    /// A folder of a resource directory (`fd-…`): as a principal it stands for every
    /// account under it, now and later.
    FolderId
);
id_type!(
    /// A restore of a backup into a new resource: a durable job.
    RestoreId
);

impl AccountId {
    /// Parses an account id as a person types it: 16 digits, spaces around ignored.
    pub fn parse(input: &str) -> Result<Self, UserError> {
        let trimmed = input.trim();
        if trimmed.len() == 16 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(UserError::Invalid(BadInput::NotAccountId(
                trimmed.to_owned(),
            )))
        }
    }
}

impl ProjectId {
    /// Parses a project id as a person types it: `proj-` followed by letters, digits or dashes.
    pub fn parse(input: &str) -> Result<Self, UserError> {
        let trimmed = input.trim();
        let rest = trimmed.strip_prefix("proj-").unwrap_or_default();
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(UserError::Invalid(BadInput::NotProjectId(
                trimmed.to_owned(),
            )))
        }
    }
}

impl FolderId {
    /// Parses a folder id as a person types it: `fd-` followed by letters, digits or dashes.
    pub fn parse(input: &str) -> Result<Self, UserError> {
        let trimmed = input.trim();
        let rest = trimmed.strip_prefix("fd-").unwrap_or_default();
        if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(UserError::Invalid(BadInput::NotFolderId(
                trimmed.to_owned(),
            )))
        }
    }
}

impl BackupId {
    /// Rule 4: cross-region backups carry ids starting with `rp-`.
    pub fn is_cross_region(&self) -> bool {
        self.0.starts_with("rp-")
    }
}

/// A principal as typed into the share dialog: an account, project or folder id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PrincipalRef {
    /// Every project of the account (in the backup's region).
    Account(AccountId),
    /// One project.
    Project(ProjectId),
    /// Every account under a folder of the owner's resource directory, now and later.
    Folder(FolderId),
}

impl PrincipalRef {
    /// Reads what a person typed: a project id if it starts with `proj-`, a folder id if
    /// it starts with `fd-`, else an account id.
    pub fn parse(input: &str) -> Result<Self, UserError> {
        let trimmed = crate::input::check_id(crate::error::Field::Principal, input)?;
        if trimmed.is_empty() {
            return Err(UserError::Invalid(BadInput::NoPrincipal));
        }
        if trimmed.starts_with("proj-") {
            ProjectId::parse(trimmed).map(Self::Project)
        } else if trimmed.starts_with("fd-") {
            FolderId::parse(trimmed).map(Self::Folder)
        } else {
            AccountId::parse(trimmed).map(Self::Account)
        }
    }

    /// The kind as stored (`account`, `project` or `folder`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::Project(_) => "project",
            Self::Folder(_) => "folder",
        }
    }

    /// The id as typed.
    pub fn id(&self) -> &str {
        match self {
            Self::Account(id) => id.as_str(),
            Self::Project(id) => id.as_str(),
            Self::Folder(id) => id.as_str(),
        }
    }

    /// A principal as stored: its kind word and id.
    pub fn from_stored(kind: &str, id: &str) -> Option<Self> {
        match kind {
            "account" => Some(Self::Account(AccountId::from_trusted(id))),
            "project" => Some(Self::Project(ProjectId::from_trusted(id))),
            "folder" => Some(Self::Folder(FolderId::from_trusted(id))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_is_sixteen_digits() {
        assert_eq!(
            AccountId::parse(" 1840000000000002 ").unwrap().as_str(),
            "1840000000000002"
        );
        assert!(AccountId::parse("18400000000000").is_err());
        assert!(AccountId::parse("18400000000000ab").is_err());
    }

    #[test]
    fn a_principal_starting_with_proj_is_a_project() {
        assert_eq!(
            PrincipalRef::parse("proj-acme-east-sg").unwrap(),
            PrincipalRef::Project(ProjectId::from_trusted("proj-acme-east-sg"))
        );
        assert!(PrincipalRef::parse("proj-").is_err());
        assert_eq!(
            PrincipalRef::parse(" fd-acme-east ").unwrap(),
            PrincipalRef::Folder(FolderId::from_trusted("fd-acme-east"))
        );
        assert!(PrincipalRef::parse("fd-").is_err());
        assert!(PrincipalRef::parse("  ").is_err());
    }

    #[test]
    fn backups_with_rp_ids_are_cross_region() {
        assert!(BackupId::from_trusted("rp-123").is_cross_region());
        assert!(!BackupId::from_trusted("cb-123").is_cross_region());
    }
}
