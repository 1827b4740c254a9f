//! The share dialog ("Share Backups"), path "Create a new resource share": a name and
//! principals added one by one. The server checks every rule again on "OK".

use backshare::ids::PrincipalRef;
use leptos::prelude::*;

use crate::api::{self, CreateShare};
use crate::components::failure::ActionProblem;

/// A backup offered for sharing: its id and name.
#[derive(Debug, Clone, PartialEq)]
pub struct DialogBackup {
    pub id: String,
    pub name: String,
}

/// The dialog. `on_done` runs with `true` once a share was created, `false` on "Cancel".
#[component]
pub fn ShareDialog(backups: Vec<DialogBackup>, on_done: Callback<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let principals = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(None::<String>);
    let create = ServerAction::<CreateShare>::new();
    let ids: Vec<String> = backups.iter().map(|b| b.id.clone()).collect();
    // Rule 5-9 verdicts and the quota, checked again whenever the principals change.
    let preview = Resource::new(
        {
            let ids = ids.clone();
            move || (ids.clone(), principals.get())
        },
        |(ids, principals)| api::preview_share(ids, principals),
    );

    // Parse at the edge with the same rule the server applies, so a typo is named at once.
    let add = move || match PrincipalRef::parse(&typed.get_untracked()) {
        Ok(principal) => {
            let id = principal.id().to_owned();
            principals.update(|list| {
                if !list.contains(&id) {
                    list.push(id);
                }
            });
            typed.set(String::new());
            problem.set(None);
        }
        Err(error) => problem.set(Some(error.to_string())),
    };

    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            match result {
                Ok(_) => on_done.run(true),
                Err(error) => problem.set(Some(error.to_string())),
            }
        }
    });

    view! {
        <div class="backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="share-dialog-title">
                <h2 id="share-dialog-title">"Share Backups"</h2>
                <p class="muted">
                    {backups.iter().map(|b| format!("{} ({})", b.name, b.id)).collect::<Vec<_>>().join(", ")}
                </p>
                <fieldset>
                    <legend>"Sharing method"</legend>
                    <label class="choice">
                        <input type="radio" name="method" checked=true/>
                        "Create a new resource share"
                    </label>
                </fieldset>
                <label>
                    "Resource share name"
                    <input type="text" maxlength="64" bind:value=name/>
                </label>
                <p class="muted">"Principal scope: All accounts"</p>
                <div class="principal-entry">
                    <label>
                        "Principal"
                        <input
                            type="text"
                            placeholder="Account ID or project ID"
                            bind:value=typed
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" {
                                    ev.prevent_default();
                                    add();
                                }
                            }
                        />
                    </label>
                    <button type="button" on:click=move |_| add()>"Add"</button>
                </div>
                <ul class="principals" aria-label="Principals">
                    {move || {
                        principals
                            .get()
                            .into_iter()
                            .map(|id| {
                                let remove_id = id.clone();
                                view! {
                                    <li>
                                        <code>{id}</code>
                                        <button
                                            type="button"
                                            class="link"
                                            on:click=move |_| principals.update(|list| list.retain(|p| p != &remove_id))
                                        >
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <Transition fallback=|| view! { <p class="muted">"Checking the sharing rules…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(p) => view! {
                                <div class="verdicts" role="status" aria-label="Rule check">
                                    {if p.problems.is_empty() {
                                        view! { <p class="allowed">"Every sharing rule allows this."</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="refusals">
                                                {p.problems.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    <p class="muted">
                                        {format!(
                                            "Remaining quota after this: {} cluster backups and {} backups in resource shares for your account",
                                            p.quota.shared_cluster_backups_left,
                                            p.quota.shared_backups_left,
                                        )}
                                        {p.quota.recipients_left.into_iter().map(|(id, left)| format!("; {left} more accounts for {id}")).collect::<String>()}
                                        "."
                                    </p>
                                </div>
                            }.into_any(),
                            Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <ActionProblem message=problem/>
                <div class="buttons">
                    <button
                        type="button"
                        class="primary"
                        disabled=move || create.pending().get()
                        on:click=move |_| {
                            problem.set(None);
                            // A principal typed but not yet added is meant too.
                            if !typed.get_untracked().trim().is_empty() {
                                add();
                                if problem.get_untracked().is_some() {
                                    return;
                                }
                            }
                            create.dispatch(CreateShare {
                                share_name: name.get_untracked(),
                                backup_ids: ids.clone(),
                                principals: principals.get_untracked(),
                            });
                        }
                    >
                        "OK"
                    </button>
                    <button type="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                </div>
            </div>
        </div>
    }
}
