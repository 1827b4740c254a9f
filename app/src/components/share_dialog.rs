//! The share dialog ("Share Backups"): "Create a new resource share" (name, principal
//! scope, principals added one by one) or "Select an existing resource share" (its backups
//! and principals shown; principals added or removed). Every rule's verdict and the quota
//! left are checked live; the server checks every rule again on "OK".
//!
//! The dialog is only ever built in the browser (see `ShareDialog`): the server's build
//! compiles it without using it.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use backshare::ids::PrincipalRef;
use backshare::model::PrincipalScope;
use backshare::rules::RecipientUnit;
use backshare::views::{ShareChoice, ShareChoices, ShareOptions, ShareQuota, ShareSummary};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;

use crate::api::{self, CreateShare, UpdateShare};
use crate::components::failure::{error_text, ActionProblem};
use crate::components::modal::Modal;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;

/// A backup offered for sharing: its id and name.
#[derive(Debug, Clone, PartialEq)]
pub struct DialogBackup {
    pub id: String,
    pub name: String,
    /// An encrypted server or disk backup: sharing it needs the key grant (rule 5).
    pub encrypted: bool,
}

/// Which path of the dialog is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    New,
    Existing,
}

/// The dialog. `backups` are added to the share (none when managing a share from "My
/// Shares"); `share` preselects an existing resource share. `on_done` runs with `true`
/// once something was saved, `false` on "Cancel".
///
/// Its code is a wasm chunk of its own (`#[lazy]`), fetched when a dialog first opens:
/// the pages that offer it come up sooner, and a visit that never opens one never
/// downloads it. The chunk builds the dialog into the slot this component leaves instead
/// of handing a view back: a view crossing the chunk's edge has to be an `AnyView`, which
/// compiles the whole dialog's hydration, twice, for a dialog that is only ever built in
/// the browser (issue 13).
#[component]
pub fn ShareDialog(
    backups: Vec<DialogBackup>,
    #[prop(optional)] share: Option<String>,
    on_done: Callback<bool>,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    build_into_slot(backups, share, on_done);
    #[cfg(not(feature = "hydrate"))]
    let _ = (backups, share, on_done);
    view! { <div id=SLOT></div> }
}

/// The id of the element the dialog is built into (one dialog is open at a time).
const SLOT: &str = "share-dialog-slot";

/// Builds the dialog into the slot once the chunk is here, in a task that runs after this
/// component's view is in the document. The dialog lives as long as the component: it
/// keeps the handle, and dropping the handle unmounts the dialog (and `Modal` gives focus
/// back).
#[cfg(feature = "hydrate")]
fn build_into_slot(backups: Vec<DialogBackup>, share: Option<String>, on_done: Callback<bool>) {
    let built = StoredValue::new_local(None);
    leptos::task::spawn_local(share_dialog_chunk(
        Owner::current(),
        built,
        backups,
        share,
        on_done,
    ));
}

/// The chunk's entry point: what only an open dialog needs is reached from here. It builds
/// the dialog into the slot under `owner` (the page's contexts, the language among them)
/// and leaves the handle in `built`; the handle is boxed, so its code stays in the chunk.
#[cfg(feature = "hydrate")]
#[lazy]
fn share_dialog_chunk(
    owner: Option<Owner>,
    built: StoredValue<Option<Box<dyn std::any::Any>>, LocalStorage>,
    backups: Vec<DialogBackup>,
    share: Option<String>,
    on_done: Callback<bool>,
) {
    use wasm_bindgen::JsCast;
    // Closed, or the page left, while the chunk was on its way: nothing to build (its
    // contexts are gone with it).
    if built.is_disposed() {
        return;
    }
    let Some(slot) = document()
        .get_element_by_id(SLOT)
        .and_then(|slot| slot.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let mount = move || {
        leptos::mount::mount_to(slot, move || {
            view! { <LoadedShareDialog backups share on_done/> }
        })
    };
    let handle = match owner {
        Some(owner) => owner.with(mount),
        None => mount(),
    };
    built.set_value(Some(Box::new(handle)));
}

/// The dialog itself, once its code is here (only ever built in the browser).
#[component]
fn LoadedShareDialog(
    backups: Vec<DialogBackup>,
    share: Option<String>,
    on_done: Callback<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let method = RwSignal::new(if share.is_some() {
        Method::Existing
    } else {
        Method::New
    });
    let chosen = RwSignal::new(share);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(PrincipalScope::AllAccounts);
    let typed = RwSignal::new(String::new());
    let principals = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(None::<String>);
    let create = ServerAction::<CreateShare>::new();
    let update = ServerAction::<UpdateShare>::new();
    let options = load(|| (), |_| api::share_options());
    let loaded = move || -> ShareOptions { options.get().and_then(Result::ok).unwrap_or_default() };
    // The existing shares offered: those whose names contain `search`, a page at a time.
    let search = RwSignal::new(String::new());
    let after = RwSignal::new(None::<String>);
    let choices = load(
        move || (search.get(), after.get()),
        |(search, after)| api::share_choices(search, after),
    );
    let offered =
        move || -> ShareChoices { choices.get().and_then(Result::ok).unwrap_or_default() };
    let summary = load(
        move || chosen.get(),
        |id| async move {
            match id {
                Some(id) => api::share_summary(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // Only the summary of the share chosen now: while another one loads, the resource
    // still holds the previous share's.
    let chosen_share = move || -> Option<ShareSummary> {
        summary
            .get()
            .and_then(Result::ok)
            .flatten()
            .filter(|s| chosen.get().as_deref() == Some(s.id.as_str()))
    };
    // Choosing an existing share starts from its principals.
    Effect::new(move |_| {
        if method.get() == Method::Existing {
            if let Some(summary) = chosen_share() {
                principals.set(summary.principals.into_iter().map(|p| p.id).collect());
            }
        }
    });
    let ids: Vec<String> = backups.iter().map(|b| b.id.clone()).collect();
    let any_encrypted = backups.iter().any(|b| b.encrypted);
    let grant_key = RwSignal::new(false);
    let no_backups = ids.is_empty();
    // Every rule's verdict and the quota, checked again whenever the request changes.
    let preview = load(
        {
            let ids = ids.clone();
            move || {
                let share = (method.get() == Method::Existing).then(|| chosen.get());
                (
                    ids.clone(),
                    share,
                    scope.get(),
                    principals.get(),
                    grant_key.get(),
                )
            }
        },
        |(ids, share, scope, principals, grant_key)| async move {
            match share {
                Some(None) => Ok(None),
                Some(Some(id)) => api::preview_share(Some(id), scope, ids, principals, grant_key)
                    .await
                    .map(Some),
                None => api::preview_share(None, scope, ids, principals, grant_key)
                    .await
                    .map(Some),
            }
        },
    );

    // Parse at the edge with the same rule the server applies, so a typo is named at once.
    let add_principal = move |text: String| match PrincipalRef::parse(&text) {
        Ok(principal) => {
            let id = principal.id().to_owned();
            principals.update(|list| {
                if !list.contains(&id) {
                    list.push(id);
                }
            });
            problem.set(None);
            true
        }
        Err(error) => {
            let locale = i18n.get_locale_untracked();
            problem.set(Some(reasons::problem(locale, &(&error).into())));
            false
        }
    };
    let add = move || {
        if add_principal(typed.get_untracked()) {
            typed.set(String::new());
        }
    };

    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            match result {
                Ok(_) => on_done.run(true),
                Err(error) => problem.set(Some(error_text(i18n.get_locale_untracked(), &error))),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = update.value().get() {
            match result {
                Ok(()) => on_done.run(true),
                Err(error) => problem.set(Some(error_text(i18n.get_locale_untracked(), &error))),
            }
        }
    });
    let busy = move || create.pending().get() || update.pending().get();

    view! {
            // Escape answers as "Cancel".
            <Modal labelled_by="share-dialog-title" on_cancel=Callback::new(move |()| on_done.run(false))>
                <h2 id="share-dialog-title">
                    {move || if no_backups {
                        t_string!(i18n, share_dialog.title_manage)
                    } else {
                        t_string!(i18n, share_dialog.title_share)
                    }}
                </h2>
                {(!no_backups).then(|| view! {
                    <p class="muted">
                        {move || {
                            let locale = i18n.get_locale_untracked();
                            backups
                                .iter()
                                .map(|b| td_string!(locale, share_dialog.item, name = &b.name, id = &b.id))
                                .collect::<Vec<_>>()
                                .join(td_string!(locale, share_dialog.list_separator))
                        }}
                    </p>
                })}
                <fieldset>
                    <legend>{tu_string!(i18n, share_dialog.method.legend)}</legend>
                    <label class="choice">
                        <input
                            type="radio"
                            name="method"
                            disabled=no_backups
                            prop:checked=move || method.get() == Method::New
                            on:change=move |_| {
                                method.set(Method::New);
                                principals.set(Vec::new());
                            }
                        />
                        {tu_string!(i18n, share_dialog.method.new)}
                    </label>
                    <label class="choice">
                        <input
                            type="radio"
                            name="method"
                            prop:checked=move || method.get() == Method::Existing
                            on:change=move |_| method.set(Method::Existing)
                        />
                        {tu_string!(i18n, share_dialog.method.existing)}
                    </label>
                </fieldset>
                <Show
                    when=move || method.get() == Method::New
                    fallback=move || view! {
                        <label>
                            {tu_string!(i18n, share_dialog.search_label)}
                            <input type="search" maxlength="64" placeholder=move || t_string!(i18n, share_dialog.search_placeholder)
                                on:input=move |ev| {
                                    after.set(None);
                                    search.set(event_target_value(&ev));
                                }
                            />
                        </label>
                        <label>
                            {tu_string!(i18n, share_dialog.share_label)}
                            <select on:change=move |ev| {
                                let id = event_target_value(&ev);
                                chosen.set((!id.is_empty()).then_some(id));
                            }>
                                <option value="" selected=move || chosen.get().is_none()>{tu_string!(i18n, share_dialog.share_placeholder)}</option>
                                {move || {
                                    let mut listed = offered().shares;
                                    // The chosen share stays listed whatever the search shows.
                                    if let Some(s) = chosen_share().filter(|s| !listed.iter().any(|c| c.id == s.id)) {
                                        listed.insert(0, ShareChoice { id: s.id, name: s.name });
                                    }
                                    listed.into_iter().map(|s| {
                                        let id = s.id.to_string();
                                        let is_chosen = {
                                            let id = id.clone();
                                            move || chosen.get().as_deref() == Some(id.as_str())
                                        };
                                        view! { <option value=id selected=is_chosen>{s.name}</option> }
                                    }).collect_view()
                                }}
                            </select>
                        </label>
                        <p class="muted small pager">
                            <button type="button" disabled=move || after.get().is_none() on:click=move |_| after.set(None)>
                                {tu_string!(i18n, share_dialog.first_shares)}
                            </button>
                            <button type="button" disabled=move || offered().next.is_none() on:click=move |_| after.set(offered().next)>
                                {tu_string!(i18n, share_dialog.more_shares)}
                            </button>
                        </p>
                        {move || chosen_share().map(|s| view! {
                            <div class="share-summary" aria-label=move || t_string!(i18n, share_dialog.summary.label)>
                                <p class="muted">{move || {
                                    let locale = i18n.get_locale_untracked();
                                    td_string!(locale, share_dialog.summary.scope, scope = scope_label(locale, s.scope))
                                }}</p>
                                <p class="muted">{move || {
                                    let locale = i18n.get_locale_untracked();
                                    let list = if s.backups.is_empty() {
                                        td_string!(locale, share_dialog.summary.none).to_owned()
                                    } else {
                                        s.backups
                                            .iter()
                                            .map(|(id, name)| td_string!(locale, share_dialog.item, name, id))
                                            .collect::<Vec<_>>()
                                            .join(td_string!(locale, share_dialog.list_separator))
                                    };
                                    td_string!(locale, share_dialog.summary.resources, list)
                                }}</p>
                            </div>
                        })}
                    }
                >
                    <label>
                        {tu_string!(i18n, share_dialog.name_label)}
                        <input type="text" maxlength="64" bind:value=name/>
                    </label>
                    <fieldset>
                        <legend>{tu_string!(i18n, share_dialog.scope.legend)}</legend>
                        {[PrincipalScope::AllAccounts, PrincipalScope::ResourceDirectory].into_iter().map(|option| view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="scope"
                                    prop:checked=move || scope.get() == option
                                    on:change=move |_| scope.set(option)
                                />
                                {scope_label(i18n.get_locale_untracked(), option)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                </Show>
                <div class="principal-entry">
                    <label>
                        {tu_string!(i18n, share_dialog.principal_label)}
                        <input
                            type="text"
                            placeholder=move || t_string!(i18n, share_dialog.principal_placeholder)
                            bind:value=typed
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" {
                                    ev.prevent_default();
                                    add();
                                }
                            }
                        />
                    </label>
                    <button type="button" on:click=move |_| add()>{tu_string!(i18n, share_dialog.add)}</button>
                </div>
                {move || loaded().directory.filter(|d| !d.folders.is_empty()).map(|d| view! {
                    <p class="muted folders">
                        {t_string!(i18n, share_dialog.folders_of, name = &d.name)}
                        {d.folders.into_iter().map(|(id, path)| {
                            let id = id.to_string();
                            view! {
                                <button
                                    type="button"
                                    class="link"
                                    on:click={
                                        let id = id.clone();
                                        move |_| { add_principal(id.clone()); }
                                    }
                                >
                                    {t_string!(i18n, share_dialog.add_folder, path = &path, id = &id)}
                                </button>
                            }
                        }).collect_view()}
                    </p>
                })}
                <ul class="principals" aria-label=move || t_string!(i18n, share_dialog.principals_label)>
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
                                            {tu_string!(i18n, share_dialog.remove)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <Show when=move || any_encrypted>
                    <label class="key-grant">
                        <input
                            type="checkbox"
                            prop:checked=move || grant_key.get()
                            on:change=move |ev| grant_key.set(event_target_checked(&ev))
                        />
                        {tu_string!(i18n, share_dialog.grant_key)}
                    </label>
                </Show>
                <Transition fallback=move || view! { <p class="muted">{tu_string!(i18n, share_dialog.checking)}</p> }>
                    {move || {
                        // As `Listing` does: follow every check, not only the one awaited.
                        preview.track();
                        Suspend::new(async move {
                        match preview.await {
                            Ok(None) => EitherOf3::A(view! { <p class="muted">{tu_string!(i18n, share_dialog.choose_share)}</p> }),
                            Ok(Some(p)) => EitherOf3::B(view! {
                                <div class="verdicts" role="status" aria-label=move || t_string!(i18n, share_dialog.rule_check_label)>
                                    {if p.problems.is_empty() {
                                        Either::Left(view! { <p class="allowed">{tu_string!(i18n, share_dialog.all_allowed)}</p> })
                                    } else {
                                        Either::Right(view! {
                                            <ul class="refusals">
                                                {p.problems.iter().map(|problem| {
                                                    let text = reasons::problem(i18n.get_locale_untracked(), problem);
                                                    view! { <li>{text}</li> }
                                                }).collect_view()}
                                            </ul>
                                        })
                                    }}
                                    <p class="muted">{quota_text(i18n.get_locale_untracked(), &p.quota)}</p>
                                </div>
                            }),
                            Err(error) => EitherOf3::C(view! { <p class="error">{error_text(i18n.get_locale_untracked(), &error)}</p> }),
                        }
                    })}}
                </Transition>
                <ActionProblem message=problem/>
                <div class="buttons">
                    <button
                        type="button"
                        class="primary"
                        disabled=busy
                        on:click=move |_| {
                            problem.set(None);
                            // A principal typed but not yet added is meant too.
                            if !typed.get_untracked().trim().is_empty() {
                                add();
                                if problem.get_untracked().is_some() {
                                    return;
                                }
                            }
                            match (method.get_untracked(), chosen.get_untracked()) {
                                (Method::New, _) => {
                                    create.dispatch(CreateShare {
                                        share_name: name.get_untracked(),
                                        scope: scope.get_untracked(),
                                        backup_ids: ids.clone(),
                                        principals: principals.get_untracked(),
                                        grant_key: grant_key.get_untracked(),
                                    });
                                }
                                (Method::Existing, Some(share_id)) => {
                                    update.dispatch(UpdateShare {
                                        share_id,
                                        backup_ids: ids.clone(),
                                        principals: principals.get_untracked(),
                                        grant_key: grant_key.get_untracked(),
                                    });
                                }
                                (Method::Existing, None) => {
                                    problem.set(Some(
                                        td_string!(i18n.get_locale_untracked(), share_dialog.choose_share_first).to_owned(),
                                    ));
                                }
                            }
                        }
                    >
                        {tu_string!(i18n, common.ok)}
                    </button>
                    <button type="button" on:click=move |_| on_done.run(false)>{tu_string!(i18n, common.cancel)}</button>
                </div>
            </Modal>
    }
}

/// How a principal scope reads in the dialog, in `locale`.
fn scope_label(locale: Locale, scope: PrincipalScope) -> &'static str {
    match scope {
        PrincipalScope::AllAccounts => td_string!(locale, share_dialog.scope.all_accounts),
        PrincipalScope::ResourceDirectory => {
            td_string!(locale, share_dialog.scope.resource_directory)
        }
    }
}

/// The quota left if the request went through (rule 9), as one sentence in `locale`.
fn quota_text(locale: Locale, quota: &ShareQuota) -> String {
    let mut text = td_string!(
        locale,
        share_dialog.quota.account,
        cluster_backups = quota.shared_cluster_backups_left,
        backups = quota.shared_backups_left
    );
    for r in &quota.recipients_left {
        let (left, backup) = (r.left, &r.backup);
        text.push_str(&match r.unit {
            RecipientUnit::Accounts => {
                td_string!(locale, share_dialog.quota.accounts_left, left, backup)
            }
            RecipientUnit::Projects => {
                td_string!(locale, share_dialog.quota.projects_left, left, backup)
            }
        });
    }
    text.push_str(td_string!(locale, share_dialog.quota.end));
    text
}
