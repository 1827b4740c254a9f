//! "My Credentials": what another account needs to share with this one, and the access
//! keys that sign API requests.

use backshare::views::NewAccessKey;
use leptos::prelude::*;

use crate::api::{self, CreateAccessKey, DeactivateAccessKey, DeleteAccessKey};
use crate::components::changes::use_changes;
use crate::components::confirm_button::ConfirmButton;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::format;

/// The account id and its projects per region.
#[component]
pub fn CredentialsPage() -> impl IntoView {
    let credentials = Resource::new(|| (), |_| api::credentials());
    view! {
        <h1>"My Credentials"</h1>
        <Listing rows=credentials show={move |c| view! {
                    <dl class="facts">
                        <dt>"Account ID"</dt>
                        <dd><code data-testid="account-id">{c.account_id.to_string()}</code></dd>
                        <dt>"Account"</dt>
                        <dd>{c.account_name.clone()}</dd>
                        <dt>"Site"</dt>
                        <dd>{c.site.as_str()}</dd>
                        <dt>"Signed in as"</dt>
                        <dd>{format!("{} ({})", c.email, c.role.as_str())}</dd>
                    </dl>
                    <h2>"Projects"</h2>
                    <table>
                        <thead>
                            <tr><th>"Project ID"</th><th>"Name"</th><th>"Region"</th></tr>
                        </thead>
                        <tbody>
                            {c.projects.into_iter().map(|p| view! {
                                <tr>
                                    <td><code>{p.id.to_string()}</code></td>
                                    <td>{p.name}</td>
                                    <td>{p.region}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        />
        <AccessKeys/>
    }
}

/// "Access keys": create one (its secret shown once), deactivate or delete.
#[component]
fn AccessKeys() -> impl IntoView {
    let changed = use_changes();
    let create = ServerAction::<CreateAccessKey>::new();
    let deactivate = ServerAction::<DeactivateAccessKey>::new();
    let delete = ServerAction::<DeleteAccessKey>::new();
    let keys = Resource::new(
        move || {
            (
                changed.get(),
                create.version().get(),
                deactivate.version().get(),
                delete.version().get(),
            )
        },
        |_| api::access_keys(),
    );
    let problem = Signal::derive(move || {
        last_failure(create.value().get())
            .or_else(|| last_failure(deactivate.value().get()))
            .or_else(|| last_failure(delete.value().get()))
    });
    let created = move || create.value().get().and_then(Result::ok);
    let deleting = RwSignal::new(None::<String>);
    view! {
        <section aria-labelledby="keys-title">
            <h2 id="keys-title">"Access keys"</h2>
            <p class="muted">
                "An access key signs API requests (AWS Signature Version 4) as you, with your role: "
                "the RAM-compatible endpoint at " <code>"/ram"</code> " and the API at " <code>"/api"</code>
                " (see the " <a href="/api-reference">"API reference"</a> ")."
            </p>
            <ActionProblem message=problem/>
            <button type="button" class="primary" on:click=move |_| { create.dispatch(CreateAccessKey {}); }>
                "Create access key"
            </button>
            {move || created().map(|key: NewAccessKey| view! {
                <div class="new-key" role="status" aria-label="New access key">
                    <p>"Copy the secret now: it is not shown again."</p>
                    <dl class="facts">
                        <dt>"Access key ID"</dt>
                        <dd><code data-testid="new-key-id">{key.id}</code></dd>
                        <dt>"Secret access key"</dt>
                        <dd><code data-testid="new-key-secret">{key.secret}</code></dd>
                    </dl>
                </div>
            })}
            <Listing rows=keys show={move |list: Vec<backshare::views::AccessKeyView>| {
                if list.is_empty() {
                    return view! { <p class="notice">"You have no access keys."</p> }.into_any();
                }
                view! {
                    <table class="access-keys">
                        <thead>
                            <tr><th>"Access key ID"</th><th>"Status"</th><th>"Created"</th><th>"Last used"</th><th>"Actions"</th></tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|k| {
                                let (off, gone) = (k.id.clone(), k.id.clone());
                                view! {
                                    <tr data-key=k.id.clone()>
                                        <td><code>{k.id.clone()}</code></td>
                                        <td>{if k.active { "Active" } else { "Inactive" }}</td>
                                        <td>{format::instant(k.created_at)}</td>
                                        <td>{k.last_used_at.map(format::instant).unwrap_or_else(|| "Never".to_owned())}</td>
                                        <td>
                                            {k.active.then(|| view! {
                                                <button type="button" on:click=move |_| {
                                                    deactivate.dispatch(DeactivateAccessKey { key_id: off.clone() });
                                                }>"Deactivate"</button>
                                            })}
                                            <ConfirmButton
                                                label="Delete"
                                                question=format!("Delete access key {}?", k.id)
                                                keep="Keep it"
                                                key=k.id.clone()
                                                open=deleting
                                                on_confirm=Callback::new(move |()| {
                                                    delete.dispatch(DeleteAccessKey { key_id: gone.clone() });
                                                })
                                            />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}/>
        </section>
    }
}
