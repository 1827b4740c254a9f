//! Forms that post to a server function as they are, so that they work without
//! JavaScript; with it, their submit handler prevents the post and dispatches the page's
//! action with the fields instead.
//!
//! Leptos' `ActionForm` does the same, but reads the fields through a generic reader
//! (serde_qs) compiled for each server function it serves: one `ActionForm` in the top bar
//! put 25 KiB gzip into every page's bundle (issue 13). A handler that knows its fields
//! needs only this.

use leptos::ev::SubmitEvent;

/// The value the form that `ev` submits holds for the field `name`, as the browser would
/// post it (a control joined with `form=` included); `None` when it has no such field.
pub fn field(ev: &SubmitEvent, name: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
        web_sys::FormData::new_with_form(&form)
            .ok()?
            .get(name)
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ev, name);
        None
    }
}
