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

/// Sign in.
pub struct SignIn;

#[lazy_route]
impl LazyRoute for SignIn {
    fn data() -> Self {
        SignIn
    }

    fn view(_this: Self) -> AnyView {
        view! { <pages::sign_in::SignInPage/> }.into_any()
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
        view! { <pages::backups::BackupsPage/> }.into_any()
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
        view! { <pages::my_shares::MySharesPage/> }.into_any()
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
        view! { <pages::shared_with_me::SharedWithMePage/> }.into_any()
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
        view! { <pages::credentials::CredentialsPage/> }.into_any()
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
        view! { <pages::backup_details::BackupDetailsPage/> }.into_any()
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
        view! { <pages::vaults::VaultsPage/> }.into_any()
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
        view! { <pages::resources::ResourcesPage/> }.into_any()
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
        view! { <pages::activity::ActivityPage/> }.into_any()
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
        view! { <pages::api_reference::ApiReferencePage/> }.into_any()
    }
}
