//! "Sign in": works with and without JavaScript (a plain form, see `plain_form`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::SignIn;
use crate::components::failure::last_failure;
use crate::components::plain_form::field;
use crate::i18n::*;

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let message = move || {
        last_failure(action.value().get())
            // Without JavaScript a failed attempt comes back as `?failed=1`.
            .or_else(|| {
                query
                    .read()
                    .get("failed")
                    .map(|_| t_string!(i18n, sign_in.bad_credentials).to_owned())
            })
    };
    view! {
        <section class="signin card">
            <h1>{tu_string!(i18n, sign_in.title)}</h1>
            <form method="post" action=SignIn::url() on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(SignIn {
                    email: field(&ev, "email").unwrap_or_default(),
                    password: field(&ev, "password").unwrap_or_default(),
                });
            }>
                <label>{tu_string!(i18n, sign_in.email)} <input type="email" name="email" required autocomplete="username"/></label>
                <label>
                    {tu_string!(i18n, sign_in.password)}
                    <input type="password" name="password" required autocomplete="current-password"/>
                </label>
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {tu_string!(i18n, sign_in.submit)}
                </button>
            </form>
            {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </section>
    }
}
