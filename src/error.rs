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
