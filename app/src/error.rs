//! The error every server function returns, on the wire as `{"code": …, "message": …}` so
//! that scripts get a readable sentence and the page can still tell the kinds apart.
//! Internals never get here: the services log them and answer `UserError::Internal`.

use backshare::UserError;
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// What kind of failure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotSignedIn,
    BadCredentials,
    NotFound,
    Forbidden,
    Refused,
    Conflict,
    Invalid,
    Internal,
    /// The request did not arrive or could not be read (for example malformed arguments).
    Transport,
}

/// What a page shows when a call fails: a kind and one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    /// Whether the caller has to sign in first.
    pub fn is_not_signed_in(&self) -> bool {
        self.code == ErrorCode::NotSignedIn
    }
}

impl From<UserError> for AppError {
    fn from(error: UserError) -> Self {
        let code = match &error {
            UserError::NotSignedIn => ErrorCode::NotSignedIn,
            UserError::BadCredentials => ErrorCode::BadCredentials,
            UserError::NotFound(_) => ErrorCode::NotFound,
            UserError::Forbidden(_) => ErrorCode::Forbidden,
            UserError::Refused(_) => ErrorCode::Refused,
            UserError::Conflict(_) => ErrorCode::Conflict,
            UserError::Invalid(_) => ErrorCode::Invalid,
            UserError::Internal => ErrorCode::Internal,
        };
        Self {
            code,
            message: error.to_string(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self {
            code: ErrorCode::Transport,
            message: format!("The request could not be completed ({value}). Please try again."),
        }
    }
}
