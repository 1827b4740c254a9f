//! How a page shows a failed call: signed-out visitors go to "Sign in", anything else
//! reads as its sentence.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::error::AppError;

/// The view for a failed load.
pub fn failure(error: AppError) -> AnyView {
    if error.is_not_signed_in() {
        view! { <Redirect path="/signin"/> }.into_any()
    } else {
        view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
    }
}

/// The sentence of an action's last failure (pass `action.value().get()`), if it failed.
pub fn last_failure<T>(value: Option<Result<T, AppError>>) -> Option<String> {
    value
        .and_then(|result| result.err())
        .map(|error| error.to_string())
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
