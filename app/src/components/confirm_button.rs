//! A row action that asks before it acts ("Delete", "Cancel Sharing"): the button turns into
//! a question with "Confirm" and a way back.

use leptos::prelude::*;

/// The action's button, or its question while `open` holds this row's `key`. `open` lives
/// on the page, so the question survives the list being refetched underneath it.
#[component]
pub fn ConfirmButton(
    /// The button's label.
    label: &'static str,
    /// What the question asks.
    question: String,
    /// The label of the way back.
    keep: &'static str,
    /// This row's key among the page's confirmations.
    key: String,
    /// Which row's question is open on the page.
    open: RwSignal<Option<String>>,
    /// Runs on "Confirm".
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = {
        let key = key.clone();
        move || open.get().as_deref() == Some(key.as_str())
    };
    view! {
        <Show
            when=asking
            fallback=move || {
                let key = key.clone();
                view! { <button type="button" on:click=move |_| open.set(Some(key.clone()))>{label}</button> }
            }
        >
            <span class="confirm">
                {question.clone()}
                <button
                    type="button"
                    class="danger"
                    on:click=move |_| {
                        open.set(None);
                        on_confirm.run(());
                    }
                >
                    "Confirm"
                </button>
                <button type="button" on:click=move |_| open.set(None)>{keep}</button>
            </span>
        </Show>
    }
}
