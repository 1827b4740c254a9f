//! A backup's details: "Basic information" and the "Share List" tab (each recipient and its
//! status, following the recipients live). Tabs are links, so they work without JavaScript.

use leptos::either::Either;
use leptos::prelude::*;

use crate::load::load;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::components::status_badge::StatusBadge;
use crate::format;
use crate::i18n::*;
use crate::pages::my_shares::principals_text;
use crate::words;

/// `/backups/:id`, with `?tab=share-list` for the Share List.
#[component]
pub fn BackupDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let share_tab = move || query.read().get("tab").as_deref() == Some("share-list");
    let changed = use_changes();
    // The Share List's page, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let details = load(
        move || (id(), changed.get(), page.get()),
        |(id, _, at)| api::share_list(id, at),
    );
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <Listing rows=details show={move |listing| {
                    let (backup, rows, links) = (listing.backup, listing.rows, listing.links);
                    let base = format!("/backups/{}", backup.id);
                    view! {
                        <h1>{backup.name.clone()}</h1>
                        <nav class="tabs" aria-label=td_string!(locale, backup_details.tabs)>
                            <a href=base.clone() aria-current=move || (!share_tab()).then_some("page")>{tu_string!(i18n, backup_details.basic_information)}</a>
                            <a href=format!("{base}?tab=share-list") aria-current=move || share_tab().then_some("page")>{tu_string!(i18n, backup_details.share_list)}</a>
                        </nav>
                        <Show
                            when=share_tab
                            fallback={
                                let backup = backup.clone();
                                move || view! {
                                    <dl class="facts">
                                        <dt>{tu_string!(i18n, backup_details.fact.id)}</dt><dd><code>{backup.id.to_string()}</code></dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.kind)}</dt><dd>{words::backup_kind(locale, backup.kind)}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.source_resource)}</dt><dd>{backup.source_resource.clone()}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.region)}</dt><dd>{backup.region.clone()}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.arn)}</dt><dd><code>{backup.arn.clone()}</code></dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.size)}</dt><dd>{format::bytes(backup.size_bytes)}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.created)}</dt><dd>{format::instant(backup.created_at)}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.expires)}</dt><dd>{backup.expires_at.map(format::instant).unwrap_or_default()}</dd>
                                        <dt>{tu_string!(i18n, backup_details.fact.status)}</dt><dd>{words::backup_state(locale, backup.lock)}</dd>
                                    </dl>
                                }
                            }
                        >
                            {
                                let rows = rows.clone();
                                let links = links.clone();
                                move || if rows.is_empty() {
                                    Either::Left(view! { <p class="notice">{tu_string!(i18n, backup_details.not_shared)}</p> })
                                } else {
                                    Either::Right(view! {
                                        <Pager label=td_string!(locale, backup_details.pages) links=links.clone() at=page/>
                                        <table class="share-list">
                                            <thead>
                                                <tr>
                                                    <th>{tu_string!(i18n, backup_details.column.recipient)}</th>
                                                    <th>{tu_string!(i18n, backup_details.column.principal)}</th>
                                                    <th>{tu_string!(i18n, backup_details.column.resource_share)}</th>
                                                    <th>{tu_string!(i18n, backup_details.column.status)}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {rows.clone().into_iter().map(|row| view! {
                                                    <tr>
                                                        <td>{row.recipient_name}<br/><code>{row.recipient.to_string()}</code></td>
                                                        <td><code>{principals_text(&row.principals)}</code></td>
                                                        <td>{row.share_name}</td>
                                                        <td><StatusBadge status=row.status/></td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    })
                                }
                            }
                        </Show>
                    }
                }
            }
        />
    }
}
