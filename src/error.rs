//! What a user may be told when something is refused. Storage faults never reach this
//! type's text: the service logs them and answers [`UserError::Internal`].

use serde::{Deserialize, Serialize};

use crate::conflict::Conflict;
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
    #[error("{0} was not found.")]
    NotFound(String),
    /// The caller may see the thing but not change it.
    #[error("{0}")]
    Forbidden(String),
    /// A sharing rule of PRODUCT.md §3 refuses the request.
    #[error("{0}")]
    Refused(Refusal),
    /// A change the current state rules out (a transition its status does not allow).
    #[error("{0}")]
    Conflict(Conflict),
    /// Input that cannot be read, naming what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The account already uses its share of a bounded resource (running restores, say).
    #[error("{0}")]
    Busy(String),
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
    Throttled { retry_after: u64 },
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
            _ => None,
        }
    }
}

/// One problem a request would meet: its English sentence, and its typed reason where it
/// has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
