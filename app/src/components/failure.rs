//! How a page shows a failed call: signed-out visitors go to "Sign in", anything else
//! reads as its sentence, in the page's language where the refusal came typed.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::error::{AppError, ErrorCode};
use crate::i18n::*;
use crate::reasons;

/// The sentence a reader sees for `error`. Typed refusals and the fixed sentences are said
/// in `locale`; a sentence the server made as text (for input it could not read) is shown
/// as it came.
pub fn error_text(locale: Locale, error: &AppError) -> String {
    match (&error.reason, error.code) {
        (Some(typed), _) => reasons::reason(locale, typed),
        (None, ErrorCode::NotSignedIn) => td_string!(locale, common.not_signed_in).to_owned(),
        (None, ErrorCode::BadCredentials) => td_string!(locale, common.bad_credentials).to_owned(),
        (None, ErrorCode::Internal) => td_string!(locale, common.internal).to_owned(),
        (None, ErrorCode::Transport) => td_string!(locale, common.transport).to_owned(),
        (None, ErrorCode::Outdated) => td_string!(locale, common.outdated).to_owned(),
        (None, _) => error.message.clone(),
    }
}

/// The view for a failed load. Its branches are an `Either`, not `AnyView`s, which would
/// each compile an async hydration that nothing runs here (it sits in `Listing`'s `Suspend`).
pub fn failure(error: AppError) -> impl IntoView {
    if error.is_not_signed_in() {
        Either::Left(view! { <Redirect path="/signin"/> })
    } else {
        let text = error_text(crate::language::current(), &error);
        Either::Right(view! { <p class="error" role="alert">{text}</p> })
    }
}

/// The sentence of an action's last failure (pass `action.value().get()`), if it failed.
pub fn last_failure<T>(value: Option<Result<T, AppError>>) -> Option<String> {
    value
        .and_then(|result| result.err())
        .map(|error| error_text(crate::language::current(), &error))
}

/// An alert line for the last failed action, if any.
#[component]
pub fn ActionProblem(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="error" role="alert">{text}</p> })
    }
}
