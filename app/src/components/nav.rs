//! The top bar: the pages, the pending-invitation counter and the user menu.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::{self, SignOut};
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::i18n::*;
use crate::language::{CHOICES, CHOOSE_PATH};
use crate::load::load;
use crate::reasons;

/// The navigation; shown in full once signed in.
#[component]
pub fn Nav() -> impl IntoView {
    let location = use_location();
    let changed = use_changes();
    let me = load(
        move || (location.pathname.get(), changed.get()),
        |_| api::me(),
    );
    let sign_out = ServerAction::<SignOut>::new();
    let i18n = use_i18n();
    view! {
        <header class="topbar">
            <a class="brand" href="/backups">"Backshare"</a>
            <Listing rows=me quiet=true show={move |me| match me {
                        Some(me) => {
                            let pending = me.pending_invitations;
                            let viewer = !me.role.may_change();
                            Some(view! {
                                <nav class="pages" aria-label=move || t_string!(i18n, nav.pages)>
                                    <A href="/backups">{tu_string!(i18n, nav.backups)}</A>
                                    <A href="/my-shares">{tu_string!(i18n, nav.my_shares)}</A>
                                    <A href="/shared-with-me">
                                        {tu_string!(i18n, nav.shared_with_me)}
                                        {(pending > 0).then(|| view! {
                                            <span class="counter" title=move || t_string!(i18n, nav.pending_invitations)>{pending}</span>
                                        })}
                                    </A>
                                    <A href="/vaults">{tu_string!(i18n, nav.vaults)}</A>
                                    <A href="/resources">{tu_string!(i18n, nav.resources)}</A>
                                    <A href="/activity">{tu_string!(i18n, nav.activity)}</A>
                                </nav>
                                {me.notice.as_ref().map(|notice| {
                                    let notice = reasons::problem(i18n.get_locale_untracked(), notice);
                                    view! { <p class="error notice-bar" role="alert">{notice}</p> }
                                })}
                                {viewer.then(|| view! {
                                    <span class="viewer-note">{tu_string!(i18n, nav.view_only)}</span>
                                })}
                                <details class="user-menu">
                                    <summary>{me.email.clone()}</summary>
                                    <div class="menu">
                                        <p class="account">{me.account_name.clone()}</p>
                                        <A href="/credentials">{tu_string!(i18n, nav.my_credentials)}</A>
                                        <A href="/api-reference">{tu_string!(i18n, nav.api_reference)}</A>
                                        // A plain form, not `ActionForm` (see `plain_form`).
                                        <form method="post" action=SignOut::url() on:submit=move |ev| {
                                            ev.prevent_default();
                                            sign_out.dispatch(SignOut {});
                                        }>
                                            <button type="submit" class="link">{tu_string!(i18n, nav.sign_out)}</button>
                                        </form>
                                    </div>
                                </details>
                            })
                        }
                        None => None,
                    }}
            />
            <LanguageChoice/>
        </header>
    }
}

/// The header's language choice: a plain form, so it works without JavaScript, and the
/// page comes back rendered by the server in the language chosen (nothing to re-render
/// in the browser, and nothing flashes). The current language is marked `aria-current`.
#[component]
fn LanguageChoice() -> impl IntoView {
    let i18n = use_i18n();
    let current = i18n.get_locale_untracked();
    view! {
        <form class="language" method="post" action=CHOOSE_PATH aria-label=move || t_string!(i18n, nav.language)>
            {CHOICES.into_iter().map(|(locale, name)| view! {
                <button
                    type="submit"
                    name="lang"
                    value=locale.as_str()
                    lang=locale.as_str()
                    class="link"
                    aria-current=(locale == current).then_some("true")
                >{name}</button>
            }).collect_view()}
        </form>
    }
}
