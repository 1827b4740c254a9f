//! A row action that asks before it acts ("Delete", "Cancel Sharing"): the button turns into
//! a question with "Confirm" and a way back.

use leptos::prelude::*;

/// A server function's endpoint and the fields its form posts.
#[derive(Debug, Clone)]
pub struct Post {
    pub action: &'static str,
    pub fields: Vec<(&'static str, String)>,
}

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
    /// The server function's plain form, so the action works without JavaScript too (it
    /// posts at once then: no question can be asked without scripts).
    #[prop(optional)]
    post: Option<Post>,
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
                match post.clone() {
                    None => view! {
                        <button type="button" on:click=move |_| open.set(Some(key.clone()))>{label}</button>
                    }.into_any(),
                    Some(post) => view! {
                        <form method="post" action=post.action class="inline">
                            {post.fields.into_iter().map(|(name, value)| view! {
                                <input type="hidden" name=name value=value/>
                            }).collect_view()}
                            <button type="submit" on:click=move |ev| {
                                ev.prevent_default();
                                open.set(Some(key.clone()));
                            }>{label}</button>
                        </form>
                    }.into_any(),
                }
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
