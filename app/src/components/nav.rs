//! The top bar: the pages, the pending-invitation counter and the user menu.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::{self, SignOut};
use crate::components::changes::use_changes;
use crate::components::listing::Listing;

/// The navigation; shown in full once signed in.
#[component]
pub fn Nav() -> impl IntoView {
    let location = use_location();
    let changed = use_changes();
    let me = Resource::new(
        move || (location.pathname.get(), changed.get()),
        |_| api::me(),
    );
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/backups">"Backshare"</a>
            <Listing rows=me quiet=true show={move |me| match me {
                        Some(me) => {
                            let pending = me.pending_invitations;
                            let viewer = !me.role.may_change();
                            view! {
                                <nav class="pages">
                                    <A href="/backups">"Backups"</A>
                                    <A href="/my-shares">"My Shares"</A>
                                    <A href="/shared-with-me">
                                        "Shared With Me"
                                        {(pending > 0).then(|| view! {
                                            <span class="counter" title="Pending invitations">{pending}</span>
                                        })}
                                    </A>
                                    <A href="/vaults">"Vaults"</A>
                                    <A href="/resources">"Resources"</A>
                                    <A href="/activity">"Activity"</A>
                                </nav>
                                {me.notice.clone().map(|notice| view! {
                                    <p class="error notice-bar" role="alert">{notice}</p>
                                })}
                                {viewer.then(|| view! {
                                    <span class="viewer-note">"View only"</span>
                                })}
                                <details class="user-menu">
                                    <summary>{me.email.clone()}</summary>
                                    <div class="menu">
                                        <p class="account">{me.account_name.clone()}</p>
                                        <A href="/credentials">"My Credentials"</A>
                                        <A href="/api-reference">"API reference"</A>
                                        <ActionForm action=sign_out>
                                            <button type="submit" class="link">"Sign out"</button>
                                        </ActionForm>
                                    </div>
                                </details>
                            }
                                .into_any()
                        }
                        None => ().into_any(),
                    }}
            />
        </header>
    }
}
