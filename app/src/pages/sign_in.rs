//! "Sign in": works with and without JavaScript.

use backshare::UserError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::SignIn;
use crate::components::failure::last_failure;

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let message = move || {
        last_failure(action.value().get())
            // Without JavaScript a failed attempt comes back as `?failed=1`.
            .or_else(|| {
                query
                    .read()
                    .get("failed")
                    .map(|_| UserError::BadCredentials.to_string())
            })
    };
    view! {
        <section class="signin card">
            <h1>"Sign in"</h1>
            <ActionForm action>
                <label>"Email" <input type="email" name="email" required autocomplete="username"/></label>
                <label>
                    "Password"
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    "Sign in"
                </button>
            </ActionForm>
            {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </section>
    }
}
