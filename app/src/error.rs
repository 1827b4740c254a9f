//! The error every server function returns, in JSON `{"code": …, "message": …, "reason": …}`
//! (postcard to the pages, `crate::wire`) so that scripts get a readable sentence and the
//! page can still tell the kinds apart.
//! Internals never get here: the services log them and answer `UserError::Internal`.
//! A refusal also travels typed (`reason`), so the page says it in the reader's language;
//! `message` is the English sentence, for scripts.

pub use backshare::error::Reason;
use backshare::UserError;
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What kind of failure it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotSignedIn,
    BadCredentials,
    NotFound,
    Forbidden,
    Refused,
    Conflict,
    Invalid,
    Throttled,
    Internal,
    /// The request did not arrive or could not be read (for example malformed arguments).
    Transport,
    /// The calling page is of another build than the server (Backshare was updated while
    /// it was open), so the two cannot read each other (`crate::wire`): reload the page.
    Outdated,
}

/// What a page shows when a call fails: a kind and one sentence.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, utoipa::ToSchema,
)]
#[error("{message}")]
#[schema(as = Error)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// What exactly was refused, when the domain said it typed.
    #[serde(default)]
    pub reason: Option<Box<Reason>>,
}

impl AppError {
    /// The answer to a page of another build than the server's (see `crate::wire`).
    pub fn outdated() -> Self {
        Self {
            code: ErrorCode::Outdated,
            message: "Backshare has been updated since this page was opened. Reload the page."
                .into(),
            reason: None,
        }
    }

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
            UserError::Throttled { .. } | UserError::Busy(_) => ErrorCode::Throttled,
            UserError::Internal => ErrorCode::Internal,
        };
        let reason = error.reason().map(Box::new);
        Self {
            code,
            message: error.to_string(),
            reason,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::wire::Negotiated;

    /// On the server, arguments that cannot be read (a missing field, a wrong type, broken
    /// JSON) are the caller's mistake: 400, with the decoder's account of what is wrong. In
    /// the browser, the call did not get through, or the page is of another build.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        if let ServerFnErrorErr::Args(detail)
        | ServerFnErrorErr::MissingArg(detail)
        | ServerFnErrorErr::Deserialization(detail) = &value
        {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(axum::http::StatusCode::BAD_REQUEST);
            }
            return Self {
                code: ErrorCode::Invalid,
                message: format!("The request's arguments could not be read: {detail}."),
                reason: None,
            };
        }
        // In the browser: the guard said the page is of another build (`crate::wire`).
        if matches!(&value, ServerFnErrorErr::Deserialization(detail) if detail == crate::wire::OUTDATED)
        {
            return Self::outdated();
        }
        Self {
            code: ErrorCode::Transport,
            message: format!("The request could not be completed ({value}). Please try again."),
            reason: None,
        }
    }
}
