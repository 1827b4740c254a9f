//! The pages as lazy routes: each page's code is a wasm chunk of its own (`cargo leptos
//! build --split`), fetched when the page is first shown, so the first load carries the
//! shared code and one page instead of every page. The server names the chunk a page
//! needs in `<link rel=preload>`, and hydration waits for it (`hydrate_lazy`).
//!
//! One `impl` per page, each at its own line: a chunk's name is derived from where its
//! `#[lazy_route]` stands.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages;

/// A page's view, hydrated in one pass.
///
/// The router hydrates a lazy route's view through `hydrate_async`, which tachys compiles
/// for the page's whole tree beside the synchronous `hydrate` that the lists inside it
/// use. A `Suspend` whose future is ready at once hydrates its view synchronously, so
/// only one of the two is compiled (issue 13's lighter first load).
fn page(view: impl IntoView + 'static) -> AnyView {
    Suspend::new(async move { view }).into_any()
}

/// Sign in.
pub struct SignIn;

#[lazy_route]
impl LazyRoute for SignIn {
    fn data() -> Self {
        SignIn
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::sign_in::SignInPage/> })
    }
}

/// Backups.
pub struct Backups;

#[lazy_route]
impl LazyRoute for Backups {
    fn data() -> Self {
        Backups
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::backups::BackupsPage/> })
    }
}

/// My Shares.
pub struct MyShares;

#[lazy_route]
impl LazyRoute for MyShares {
    fn data() -> Self {
        MyShares
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::my_shares::MySharesPage/> })
    }
}

/// Shared With Me.
pub struct SharedWithMe;

#[lazy_route]
impl LazyRoute for SharedWithMe {
    fn data() -> Self {
        SharedWithMe
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::shared_with_me::SharedWithMePage/> })
    }
}

/// My Credentials.
pub struct Credentials;

#[lazy_route]
impl LazyRoute for Credentials {
    fn data() -> Self {
        Credentials
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::credentials::CredentialsPage/> })
    }
}

/// a backup's details.
pub struct BackupDetails;

#[lazy_route]
impl LazyRoute for BackupDetails {
    fn data() -> Self {
        BackupDetails
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::backup_details::BackupDetailsPage/> })
    }
}

/// Vaults.
pub struct Vaults;

#[lazy_route]
impl LazyRoute for Vaults {
    fn data() -> Self {
        Vaults
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::vaults::VaultsPage/> })
    }
}

/// Resources.
pub struct Resources;

#[lazy_route]
impl LazyRoute for Resources {
    fn data() -> Self {
        Resources
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::resources::ResourcesPage/> })
    }
}

/// Activity.
pub struct Activity;

#[lazy_route]
impl LazyRoute for Activity {
    fn data() -> Self {
        Activity
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::activity::ActivityPage/> })
    }
}

/// API reference.
pub struct ApiReference;

#[lazy_route]
impl LazyRoute for ApiReference {
    fn data() -> Self {
        ApiReference
    }

    fn view(_this: Self) -> AnyView {
        page(view! { <pages::api_reference::ApiReferencePage/> })
    }
}
