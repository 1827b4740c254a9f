//! A row action that asks before it acts ("Delete", "Cancel Sharing"): the button opens a
//! modal dialog with the question, "Confirm" and a way back.

use leptos::either::Either;
use leptos::prelude::*;

use crate::components::modal::Modal;
use crate::i18n::*;

/// A server function's endpoint and the fields its form posts.
#[derive(Debug, Clone)]
pub struct Post {
    pub action: &'static str,
    pub fields: Vec<(&'static str, String)>,
}

/// The action's button, and its question while `open` holds this row's `key`. `open` lives
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
    let ask = move || open.set(Some(key.clone()));
    let button = match post {
        None => {
            Either::Left(view! { <button type="button" on:click=move |_| ask()>{label}</button> })
        }
        Some(post) => Either::Right(view! {
            <form method="post" action=post.action class="inline">
                {post.fields.into_iter().map(|(name, value)| view! {
                    <input type="hidden" name=name value=value/>
                }).collect_view()}
                <button type="submit" on:click=move |ev| {
                    ev.prevent_default();
                    ask();
                }>{label}</button>
            </form>
        }),
    };
    let dismiss = Callback::new(move |()| open.set(None));
    let i18n = use_i18n();
    view! {
        {button}
        {move || asking().then(|| {
            let question = question.clone();
            view! {
                // Escape and the way back keep things as they are; the way back has focus
                // first, so Enter alone never confirms.
                <Modal labelled_by="confirm-question" on_cancel=dismiss class="confirm-dialog">
                    <h2 id="confirm-question">{question}</h2>
                    <div class="buttons">
                        <button
                            type="button"
                            class="danger"
                            on:click=move |_| {
                                open.set(None);
                                on_confirm.run(());
                            }
                        >
                            {tu_string!(i18n, common.confirm)}
                        </button>
                        <button type="button" autofocus=true on:click=move |_| dismiss.run(())>{keep}</button>
                    </div>
                </Modal>
            }
        })}
    }
}
