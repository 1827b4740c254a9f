//! The page's end of the push feed: one `EventSource` on `/api/events` for the whole app,
//! a counter that moves whenever something the signed-in account sees has changed, and
//! pages that refetch when it moves. No polling: the server pushes, and the first event
//! of every (re)connection makes the pages catch up with what they missed.

use leptos::prelude::*;

/// The counter, provided once at the root.
#[derive(Debug, Clone, Copy)]
struct Changes(ReadSignal<u64>);

/// Opens the feed (in the browser only) and provides its counter to every page.
pub fn provide_changes() {
    let (count, bump) = signal(0_u64);
    provide_context(Changes(count));
    // Effects run only in the browser, so server rendering opens no connection.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::connect(bump);
        #[cfg(not(feature = "hydrate"))]
        let _ = bump;
    });
}

/// A counter that increases whenever the account's data changed; refetch on it.
pub fn use_changes() -> ReadSignal<u64> {
    use_context::<Changes>()
        .map(|changes| changes.0)
        .unwrap_or_else(|| signal(0).0)
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, EventSource};

    /// Connects, and connects again when the browser gives up: it retries a dropped
    /// connection by itself, but not one that was refused (signed out, server away).
    pub fn connect(bump: WriteSignal<u64>) {
        let Ok(source) = EventSource::new("/api/events") else {
            return;
        };
        let on_change = Closure::<dyn FnMut(Event)>::new(move |_: Event| bump.update(|n| *n += 1));
        let _ =
            source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // The handlers live as long as the connection, which lives as long as the page.
        on_change.forget();
        let watched = source.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            if watched.ready_state() == EventSource::CLOSED {
                set_timeout(move || connect(bump), Duration::from_secs(3));
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }
}
