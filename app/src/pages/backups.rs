//! "Backups": the account's backups, with "Share Backups" where the rules allow it.

use leptos::prelude::*;

use crate::api;
use crate::components::failure::failure;
use crate::components::share_dialog::{DialogBackup, ShareDialog};
use crate::format;

/// The backups table and the share dialog.
#[component]
pub fn BackupsPage() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let sharing = RwSignal::new(None::<Vec<DialogBackup>>);
    let backups = Resource::new(move || version.get(), |_| api::list_backups());
    let on_done = Callback::new(move |changed: bool| {
        sharing.set(None);
        if changed {
            version.update(|v| *v += 1);
        }
    });
    view! {
        <h1>"Backups"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match backups.await {
                    Ok(list) => view! {
                        <table class="backups">
                            <thead>
                                <tr>
                                    <th>"Name"</th><th>"ID"</th><th>"Type"</th><th>"Source resource"</th>
                                    <th>"Region"</th><th>"Size"</th><th>"Created"</th><th>"Expires"</th>
                                    <th>"Status"</th><th>"Attribute"</th><th>"Actions"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|b| {
                                    let offered = DialogBackup { id: b.id.to_string(), name: b.name.clone() };
                                    let blocked = b.share_blocked.clone();
                                    view! {
                                        <tr data-backup=b.id.to_string()>
                                            <td>{b.name.clone()}</td>
                                            <td><code>{b.id.to_string()}</code></td>
                                            <td>{b.kind.label()}</td>
                                            <td>{b.source_resource.clone()}</td>
                                            <td>{b.region.clone()}</td>
                                            <td>{format::bytes(b.size_bytes)}</td>
                                            <td>{format::instant(b.created_at)}</td>
                                            <td>{b.expires_at.map(format::instant).unwrap_or_default()}</td>
                                            <td>{b.status.clone()}</td>
                                            <td class="attribute">{b.sharing.then_some("Sharing")}</td>
                                            <td>
                                                <button
                                                    type="button"
                                                    disabled=blocked.is_some()
                                                    title=blocked.clone().unwrap_or_default()
                                                    on:click=move |_| sharing.set(Some(vec![offered.clone()]))
                                                >
                                                    "Share Backups"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Transition>
        {move || sharing.get().map(|backups| view! { <ShareDialog backups on_done/> })}
    }
}
