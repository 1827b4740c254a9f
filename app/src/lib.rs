//! Backshare's pages, components and server functions. Built twice: with `ssr` into the
//! server binary, and with `hydrate` into the browser's wasm bundle.

pub mod api;
pub mod components;
pub mod error;
pub mod format;
pub mod openapi;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use components::nav::Nav;
use pages::{
    activity::ActivityPage, api_reference::ApiReferencePage, backup_details::BackupDetailsPage,
    backups::BackupsPage, credentials::CredentialsPage, my_shares::MySharesPage,
    resources::ResourcesPage, shared_with_me::SharedWithMePage, sign_in::SignInPage,
    vaults::VaultsPage,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this server, plus the inline
/// ones this response carries the nonce of (hydration, streamed resources), and the
/// wasm bundle; no framing, no plugins, forms only to this server. Inline `style`
/// attributes stay allowed (usage bars are drawn with them).
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: navigation and the pages of PRODUCT.md §4.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::changes::provide_changes();
    // Marks the page as interactive once hydrated (effects run only in the browser), so
    // end-to-end tests wait for a condition instead of sleeping.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Pages render completely on the server before anything is sent, so that a page
    // works without JavaScript and a signed-out visitor gets a real redirect.
    view! {
        <Title text="Backshare"/>
        <Router>
            <Nav/>
            <main>
                <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                    <Route path=path!("/") view=|| view! { <Redirect path="/backups"/> } ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/backups") view=BackupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-shares") view=MySharesPage ssr=SsrMode::Async/>
                    <Route path=path!("/shared-with-me") view=SharedWithMePage ssr=SsrMode::Async/>
                    <Route path=path!("/credentials") view=CredentialsPage ssr=SsrMode::Async/>
                    <Route path=path!("/backups/:id") view=BackupDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/vaults") view=VaultsPage ssr=SsrMode::Async/>
                    <Route path=path!("/resources") view=ResourcesPage ssr=SsrMode::Async/>
                    <Route path=path!("/activity") view=ActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/api-reference") view=ApiReferencePage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The browser's entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
