//! The frame every loaded view shares: the previous rows stay on screen while a refetch
//! runs ("Loading…" only before the first load), a failed load reads as its sentence (or
//! goes to "Sign in"), and every load that completes is shown.

use leptos::either::Either;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use crate::components::failure::failure;
use crate::i18n::*;
use crate::load::Loaded;

/// Shows `rows` through `show`, following every refetch.
///
/// The render closure tracks the resource itself, not only through the `Suspend`: a
/// `Suspend` links what it read to the closure only after it has rendered, so a refetch
/// that completed in between (an event arriving while one was in flight) left the old
/// view up until the next change. Measured: 2 of 8 runs of the directory test on a busy
/// machine kept "Cancel Sharing" disabled after the dialog's change; 0 of 8 with this.
///
/// `show` returns its view as it is typed, and branches inside it are `Either`s, not
/// `into_any()`: a `Suspend` hydrates what it holds synchronously, but every `AnyView`
/// also compiles an async hydration of its whole tree, which here nothing would ever run
/// (issue 13: 17 to 31 KiB gzip off the larger pages' first visit).
#[component]
pub fn Listing<T, F, V>(
    rows: Loaded<T>,
    show: F,
    /// Nothing while loading, and nothing for a failure (the top bar).
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    let fallback = move || (!quiet).then(|| view! { <p>{tu_string!(i18n, common.loading)}</p> });
    view! {
        <Transition fallback>
            {move || {
                rows.track();
                let show = show.clone();
                Suspend::new(async move {
                    match rows.await {
                        Ok(value) => Either::Left(show(value)),
                        Err(_) if quiet => Either::Right(None),
                        Err(error) => Either::Right(Some(failure(error))),
                    }
                })
            }}
        </Transition>
    }
}
