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

/// An alert line for the last failed action, if any.
#[component]
pub fn ActionProblem(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="error" role="alert">{text}</p> })
    }
}
