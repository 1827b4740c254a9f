//! A tick that advances while the page is open in a browser, for pages that show what other
//! accounts change. (A push feed replaces this in a later issue.)

use std::time::Duration;

use leptos::prelude::*;

/// A counter that increases every `every` in the browser; constant during server rendering.
pub fn use_poll(every: Duration) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0_u64);
    // Effects run only in the browser, so the server never starts a timer.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || set_tick.update(|t| *t += 1), every) {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}
