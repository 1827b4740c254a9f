//! The account's restores into new clusters, with their status and verified checksum.

use leptos::prelude::*;

use crate::api;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;

/// "Restores": refetched whenever `refresh` changes (a poll tick or a new restore).
#[component]
pub fn RestoresSection(#[prop(into)] refresh: Signal<(u64, usize)>) -> impl IntoView {
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let restores = Resource::new(
        move || (refresh.get(), page.get()),
        |(_, at)| api::restores(at),
    );
    view! {
        <Listing rows=restores quiet=true show={move |value| match value {
                listing if listing.restores.is_empty() => ().into_any(),
                listing => view! {
                    <section aria-labelledby="restores-title">
                        <h2 id="restores-title">"Restores"</h2>
                        <Pager label="Pages of Restores" links=listing.links at=page/>
                        <table class="restores">
                            <thead>
                                <tr>
                                    <th>"New cluster"</th><th>"From backup"</th><th>"Project"</th>
                                    <th>"Status"</th><th>"SHA-256"</th><th>"Started"</th><th>"By"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {listing.restores.into_iter().map(|r| view! {
                                    <tr data-restore=r.id.to_string() data-backup=r.backup_id.to_string()>
                                        <td>{r.resource_name.clone()}<br/><code>{r.resource_id.to_string()}</code></td>
                                        <td><code>{r.backup_id.to_string()}</code></td>
                                        <td><code>{r.project_id.to_string()}</code></td>
                                        <td>
                                            <span class="status">{r.status.label()}</span>
                                            {r.detail.clone().map(|d| view! { <br/><span class="muted small">{d}</span> })}
                                        </td>
                                        <td>{r.sha256.clone().map(|h| view! { <code title=h.clone()>{format!("{}… verified", &h[..h.len().min(12)])}</code> })}</td>
                                        <td>{format::instant(r.started_at)}</td>
                                        <td>{r.requested_by.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }.into_any(),
            }}
        />
    }
}
