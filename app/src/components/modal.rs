//! A real modal `<dialog>` (the share dialog, every confirm): opened with `showModal()`,
//! so focus moves in and the page behind is inert; Tab stays inside; Escape answers as
//! the dialog's way back; focus returns to the control that opened it.

use leptos::prelude::*;

/// The dialog around `children`, open while it is mounted.
///
/// The children keep their type (`TypedChildren`, not `Children`): `Children` erases them
/// into an `AnyView`, which compiles an async hydration of the whole dialog that nothing
/// runs (a dialog is only ever built in the browser).
#[component]
pub fn Modal<C>(
    /// The id of the heading that names the dialog.
    #[prop(into)]
    labelled_by: String,
    /// What Escape (the browser's `cancel`) does: the dialog's way back.
    on_cancel: Callback<()>,
    /// The dialog's own class beside `dialog` (its width, say).
    #[prop(optional)]
    class: &'static str,
    children: TypedChildren<C>,
) -> impl IntoView
where
    C: IntoView + 'static,
{
    let children = children.into_inner();
    let node = NodeRef::<leptos::html::Dialog>::new();
    open_modally(node);
    view! {
        <dialog
            node_ref=node
            class=format!("dialog {class}")
            aria-labelledby=labelled_by
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| keep_tab_inside(node, &ev)
        >
            {children()}
        </dialog>
    }
}

/// Tab from the last control goes to the first, Shift+Tab from the first to the last: a
/// modal dialog alone lets focus leave for the browser's own controls.
fn keep_tab_inside(node: NodeRef<leptos::html::Dialog>, ev: &leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if ev.key() != "Tab" {
            return;
        }
        let Some(dialog) = node.get_untracked() else {
            return;
        };
        let Ok(found) = dialog.query_selector_all(
            "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [href], [tabindex]:not([tabindex='-1'])",
        ) else {
            return;
        };
        let controls: Vec<web_sys::HtmlElement> = (0..found.length())
            .filter_map(|i| found.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect();
        let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
            return;
        };
        let active = document().active_element();
        let at = |e: &web_sys::HtmlElement| {
            active
                .as_ref()
                .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
        };
        let to = if ev.shift_key() && at(first) {
            last
        } else if !ev.shift_key() && at(last) {
            first
        } else {
            return;
        };
        ev.prevent_default();
        let _ = to.focus();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (node, ev);
}

/// Opens the dialog modally once it is mounted, and gives focus back to the control that
/// opened it when it goes away.
fn open_modally(node: NodeRef<leptos::html::Dialog>) {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = node.get() {
            use wasm_bindgen::JsCast;
            let opener = document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
            // Closed first: while it is open the page behind is inert and takes no focus.
            let held = send_wrapper::SendWrapper::new((dialog.clone(), opener));
            on_cleanup(move || {
                let (dialog, opener) = held.take();
                dialog.close();
                if let Some(opener) = opener {
                    let _ = opener.focus();
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = node;
    });
}
