//! "Backups": the account's backups, with "Share Backups" where the rules allow it.

use backshare::views::{BackupsPage, ProjectView};
use leptos::prelude::*;

use crate::api::{self, DeleteBackup, RestoreBackup};
use crate::components::confirm_button::ConfirmButton;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::components::restore_button::{with_projects, RestoreButton};
use crate::components::share_dialog::{DialogBackup, ShareDialog};
use crate::format;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;
use crate::words;

/// The backups table and the share dialog.
#[component]
pub fn BackupsPage() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let sharing = RwSignal::new(None::<Vec<DialogBackup>>);
    // Rows ticked for "Share Backups" on several at once.
    let selected = RwSignal::new(Vec::<DialogBackup>::new());
    let delete = ServerAction::<DeleteBackup>::new();
    let restore = ServerAction::<RestoreBackup>::new();
    let picked = RwSignal::new(std::collections::BTreeMap::new());
    let changed = crate::components::changes::use_changes();
    // The backup whose "Delete" waits for confirmation.
    let deleting = RwSignal::new(None::<String>);
    // The page shown, as a page link names it; `None` is the newest. Ticked rows stay
    // ticked across pages (the selection keeps the backups themselves).
    let page = RwSignal::new(None::<String>);
    let backups = load(
        move || {
            (
                version.get(),
                changed.get(),
                delete.version().get(),
                restore.version().get(),
                page.get(),
            )
        },
        |(.., at)| with_projects(api::list_backups(at)),
    );
    let problem = Signal::derive(move || {
        last_failure(delete.value().get()).or_else(|| last_failure(restore.value().get()))
    });
    let on_done = Callback::new(move |changed: bool| {
        sharing.set(None);
        if changed {
            selected.set(Vec::new());
            version.update(|v| *v += 1);
        }
    });
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <h1>{tu_string!(i18n, backups.title)}</h1>
        <ActionProblem message=problem/>
        <noscript>
            <p class="notice">
                {tu_string!(i18n, backups.noscript)}
            </p>
        </noscript>
        <div class="toolbar">
            <button
                type="button"
                class="primary"
                disabled=move || selected.with(Vec::is_empty)
                on:click=move |_| sharing.set(Some(selected.get()))
            >
                {move || match selected.with(Vec::len) {
                    0 => t_string!(i18n, backups.share_backups).to_owned(),
                    selected => t_string!(i18n, backups.share_backups_selected, selected),
                }}
            </button>
        </div>
        <Listing rows=backups show={move |(listing, projects): (BackupsPage, Vec<ProjectView>)| {
                        let list = listing.backups;
                        view! {
                        <Pager label=td_string!(locale, backups.pages) links=listing.links at=page/>
                        <table class="backups">
                            <thead>
                                <tr>
                                    <th><span class="visually-hidden">{tu_string!(i18n, backups.column.select)}</span></th>
                                    <th>{tu_string!(i18n, backups.column.name)}</th>
                                    <th>{tu_string!(i18n, backups.column.id)}</th>
                                    <th>{tu_string!(i18n, backups.column.kind)}</th>
                                    <th>{tu_string!(i18n, backups.column.source_resource)}</th>
                                    <th>{tu_string!(i18n, backups.column.region)}</th>
                                    <th>{tu_string!(i18n, backups.column.size)}</th>
                                    <th>{tu_string!(i18n, backups.column.created)}</th>
                                    <th>{tu_string!(i18n, backups.column.expires)}</th>
                                    <th>{tu_string!(i18n, backups.column.status)}</th>
                                    <th>{tu_string!(i18n, backups.column.attribute)}</th>
                                    <th>{tu_string!(i18n, backups.column.actions)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|b| {
                                    let offered = DialogBackup { id: b.id.to_string(), name: b.name.clone(), encrypted: b.encrypted };
                                    let blocked = b.share_blocked.as_ref().map(|p| reasons::problem(locale, p));
                                    let ticked = offered.clone();
                                    let delete_id = b.id.to_string();
                                    let is_ticked = {
                                        let id = offered.id.clone();
                                        move || selected.with(|list| list.iter().any(|s| s.id == id))
                                    };
                                    view! {
                                        <tr data-backup=b.id.to_string()>
                                            <td>
                                                <input
                                                    type="checkbox"
                                                    aria-label=td_string!(locale, backups.select_backup, id = &b.id)
                                                    disabled=blocked.is_some()
                                                    title=blocked.clone().unwrap_or_default()
                                                    prop:checked=is_ticked
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        let item = ticked.clone();
                                                        selected.update(|list| {
                                                            list.retain(|s| s.id != item.id);
                                                            if on {
                                                                list.push(item);
                                                            }
                                                        });
                                                    }
                                                />
                                            </td>
                                            <td><a href=format!("/backups/{}", b.id)>{b.name.clone()}</a></td>
                                            <td><code>{b.id.to_string()}</code></td>
                                            <td>{words::backup_kind(locale, b.kind)}</td>
                                            <td>{b.source_resource.clone()}</td>
                                            <td>{b.region.clone()}</td>
                                            <td>{format::bytes(b.size_bytes)}</td>
                                            <td>{format::instant(b.created_at)}</td>
                                            <td>{b.expires_at.map(format::instant).unwrap_or_default()}</td>
                                            <td>{words::backup_state(locale, b.lock)}</td>
                                            <td class="attribute">{b.sharing.then_some(tu_string!(i18n, backups.sharing))}</td>
                                            <td>
                                                <button
                                                    type="button"
                                                    disabled=blocked.is_some()
                                                    title=blocked.clone().unwrap_or_default()
                                                    on:click=move |_| sharing.set(Some(vec![offered.clone()]))
                                                >
                                                    {tu_string!(i18n, backups.share_backups)}
                                                </button>
                                                <RestoreButton
                                                    backup_id=b.id.to_string()
                                                    label=td_string!(locale, backups.restore)
                                                    region=b.region.clone()
                                                    blocked=b.restore_blocked.as_ref().map(|p| reasons::problem(locale, p))
                                                    projects=projects.clone()
                                                    picked
                                                    action=restore
                                                />
                                                <ConfirmButton
                                                    label=td_string!(locale, backups.delete)
                                                    question=td_string!(locale, backups.delete_question, name = &b.name)
                                                    keep=td_string!(locale, backups.keep)
                                                    key=delete_id.clone()
                                                    open=deleting
                                                    on_confirm=Callback::new({
                                                        let id = delete_id.clone();
                                                        move |()| { delete.dispatch(DeleteBackup { backup_id: id.clone() }); }
                                                    })
                                                />
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    }
                }
        />
        {move || sharing.get().map(|backups| view! { <ShareDialog backups on_done/> })}
    }
}
