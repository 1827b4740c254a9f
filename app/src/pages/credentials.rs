//! "My Credentials": what another account needs to share with this one, and the access
//! keys that sign API requests.

use backshare::model::{Role, Site};
use backshare::views::NewAccessKey;
use leptos::either::Either;
use leptos::prelude::*;

use crate::api::{self, CreateAccessKey, DeactivateAccessKey, DeleteAccessKey};
use crate::components::changes::use_changes;
use crate::components::confirm_button::ConfirmButton;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::format;
use crate::i18n::*;
use crate::load::load;

/// The account id and its projects per region.
#[component]
pub fn CredentialsPage() -> impl IntoView {
    let i18n = use_i18n();
    let credentials = load(|| (), |_| api::credentials());
    view! {
        <h1>{tu_string!(i18n, credentials.title)}</h1>
        <Listing rows=credentials show={move |c| view! {
                    <dl class="facts">
                        <dt>{tu_string!(i18n, credentials.account_id)}</dt>
                        <dd><code data-testid="account-id">{c.account_id.to_string()}</code></dd>
                        <dt>{tu_string!(i18n, credentials.account)}</dt>
                        <dd>{c.account_name.clone()}</dd>
                        <dt>{tu_string!(i18n, credentials.site)}</dt>
                        <dd>{site_name(i18n.get_locale_untracked(), c.site)}</dd>
                        <dt>{tu_string!(i18n, credentials.signed_in_as)}</dt>
                        <dd>{t_string!(
                            i18n,
                            credentials.signed_in_as_value,
                            email = c.email.clone(),
                            role = role_name(i18n.get_locale_untracked(), c.role)
                        )}</dd>
                    </dl>
                    <h2>{tu_string!(i18n, credentials.projects)}</h2>
                    <table>
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, credentials.project_column.id)}</th>
                                <th>{tu_string!(i18n, credentials.project_column.name)}</th>
                                <th>{tu_string!(i18n, credentials.project_column.region)}</th>
                            </tr>
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
                }
            }
        />
        <AccessKeys/>
    }
}

/// "Access keys": create one (its secret shown once), deactivate or delete.
#[component]
fn AccessKeys() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    let create = ServerAction::<CreateAccessKey>::new();
    let deactivate = ServerAction::<DeactivateAccessKey>::new();
    let delete = ServerAction::<DeleteAccessKey>::new();
    let keys = load(
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
            <h2 id="keys-title">{tu_string!(i18n, credentials.access_keys)}</h2>
            <p class="muted">
                {t!(
                    i18n,
                    credentials.access_keys_intro,
                    <code> = <code />,
                    <a> = <a href="/api-reference" />
                )}
            </p>
            <ActionProblem message=problem/>
            <button type="button" class="primary" on:click=move |_| { create.dispatch(CreateAccessKey {}); }>
                {tu_string!(i18n, credentials.create_access_key)}
            </button>
            {move || created().map(|key: NewAccessKey| view! {
                <div class="new-key" role="status" aria-label=move || t_string!(i18n, credentials.new_access_key)>
                    <p>{tu_string!(i18n, credentials.copy_secret_now)}</p>
                    <dl class="facts">
                        <dt>{tu_string!(i18n, credentials.access_key_id)}</dt>
                        <dd><code data-testid="new-key-id">{key.id}</code></dd>
                        <dt>{tu_string!(i18n, credentials.secret_access_key)}</dt>
                        <dd><code data-testid="new-key-secret">{key.secret}</code></dd>
                    </dl>
                </div>
            })}
            <Listing rows=keys show={move |list: Vec<backshare::views::AccessKeyView>| {
                if list.is_empty() {
                    return Either::Left(view! { <p class="notice">{tu_string!(i18n, credentials.no_access_keys)}</p> });
                }
                Either::Right(view! {
                    <table class="access-keys">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, credentials.key_column.id)}</th>
                                <th>{tu_string!(i18n, credentials.key_column.status)}</th>
                                <th>{tu_string!(i18n, credentials.key_column.created)}</th>
                                <th>{tu_string!(i18n, credentials.key_column.last_used)}</th>
                                <th>{tu_string!(i18n, credentials.key_column.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|k| {
                                let (off, gone) = (k.id.clone(), k.id.clone());
                                view! {
                                    <tr data-key=k.id.clone()>
                                        <td><code>{k.id.clone()}</code></td>
                                        <td>{if k.active {
                                            t_string!(i18n, credentials.active)
                                        } else {
                                            t_string!(i18n, credentials.inactive)
                                        }}</td>
                                        <td>{format::instant(k.created_at)}</td>
                                        <td>{k.last_used_at.map(format::instant).unwrap_or_else(|| t_string!(i18n, credentials.never).to_owned())}</td>
                                        <td>
                                            {k.active.then(|| view! {
                                                <button type="button" on:click=move |_| {
                                                    deactivate.dispatch(DeactivateAccessKey { key_id: off.clone() });
                                                }>{tu_string!(i18n, credentials.deactivate)}</button>
                                            })}
                                            <ConfirmButton
                                                label=t_string!(i18n, credentials.delete)
                                                question=t_string!(i18n, credentials.delete_question, id = k.id.clone())
                                                keep=t_string!(i18n, credentials.keep_it)
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
                })
            }}/>
        </section>
    }
}

/// The account's site, in the page's language.
fn site_name(locale: Locale, site: Site) -> &'static str {
    match site {
        Site::International => td_string!(locale, credentials.site_name.international),
        Site::China => td_string!(locale, credentials.site_name.china),
    }
}

/// The signed-in user's role, in the page's language.
fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Admin => td_string!(locale, credentials.role.admin),
        Role::Operator => td_string!(locale, credentials.role.operator),
        Role::Viewer => td_string!(locale, credentials.role.viewer),
    }
}
