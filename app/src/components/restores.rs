//! The account's restores into new resources, with their status and verified checksum: on
//! the "Resources" page, where starting a restore leads (`api::restore_backup`).

use backshare::model::RestoreStatus;
use leptos::either::Either;
use leptos::prelude::*;

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;

/// "Restores": refetched on every change the feed announces, so a running restore is
/// followed to its end while the page is open.
#[component]
pub fn RestoresSection() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let restores = load(
        move || (changed.get(), page.get()),
        |(_, at)| api::restores(at),
    );
    view! {
        <Listing rows=restores quiet=true show={move |value| match value {
                listing if listing.restores.is_empty() => Either::Left(()),
                listing => Either::Right(view! {
                    <section aria-labelledby="restores-title">
                        <h2 id="restores-title">{tu_string!(i18n, resources.restores.title)}</h2>
                        <Pager label=t_string!(i18n, resources.restores.pages) links=listing.links at=page/>
                        <table class="restores">
                            <thead>
                                <tr>
                                    <th>{tu_string!(i18n, resources.restores.column.new_cluster)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.from_backup)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.project)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.status)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.sha256)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.started)}</th>
                                    <th>{tu_string!(i18n, resources.restores.column.by)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {listing.restores.into_iter().map(|r| view! {
                                    <tr data-restore=r.id.to_string() data-backup=r.backup_id.to_string()>
                                        <td>{r.resource_name.clone()}<br/><code>{r.resource_id.to_string()}</code></td>
                                        <td><code>{r.backup_id.to_string()}</code></td>
                                        <td><code>{r.project_id.to_string()}</code></td>
                                        <td>
                                            <span class="status">{status_label(i18n.get_locale_untracked(), r.status)}</span>
                                            {r.failure.map(|why| {
                                                let why = reasons::transfer_failure(i18n.get_locale_untracked(), why);
                                                view! { <br/><span class="muted small">{why}</span> }
                                            })}
                                        </td>
                                        <td>{r.sha256.clone().map(|h| view! { <code title=h.clone()>{t_string!(i18n, resources.restores.verified, hash = h[..h.len().min(12)].to_owned())}</code> })}</td>
                                        <td>{format::instant(r.started_at)}</td>
                                        <td>{r.requested_by.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }),
            }}
        />
    }
}

/// How a restore's status reads on screen.
fn status_label(locale: Locale, status: RestoreStatus) -> &'static str {
    match status {
        RestoreStatus::Running => td_string!(locale, resources.restores.status.running),
        RestoreStatus::Done => td_string!(locale, resources.restores.status.done),
        RestoreStatus::Failed => td_string!(locale, resources.restores.status.failed),
    }
}
