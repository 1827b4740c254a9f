//! The account's restores into new clusters, with their status and verified checksum.

use backshare::model::RestoreStatus;
use leptos::either::Either;
use leptos::prelude::*;

use crate::api;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;

/// "Restores": refetched whenever `refresh` changes (a poll tick or a new restore).
#[component]
pub fn RestoresSection(#[prop(into)] refresh: Signal<(u64, usize)>) -> impl IntoView {
    let i18n = use_i18n();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let restores = load(
        move || (refresh.get(), page.get()),
        |(_, at)| api::restores(at),
    );
    view! {
        <Listing rows=restores quiet=true show={move |value| match value {
                listing if listing.restores.is_empty() => Either::Left(()),
                listing => Either::Right(view! {
                    <section aria-labelledby="restores-title">
                        <h2 id="restores-title">{tu_string!(i18n, shared_with_me.restore.title)}</h2>
                        <Pager label=t_string!(i18n, shared_with_me.restore.pages) links=listing.links at=page/>
                        <table class="restores">
                            <thead>
                                <tr>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.new_cluster)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.from_backup)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.project)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.status)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.sha256)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.started)}</th>
                                    <th>{tu_string!(i18n, shared_with_me.restore.column.by)}</th>
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
                                        <td>{r.sha256.clone().map(|h| view! { <code title=h.clone()>{t_string!(i18n, shared_with_me.restore.verified, hash = h[..h.len().min(12)].to_owned())}</code> })}</td>
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
        RestoreStatus::Running => td_string!(locale, shared_with_me.restore.status.running),
        RestoreStatus::Done => td_string!(locale, shared_with_me.restore.status.done),
        RestoreStatus::Failed => td_string!(locale, shared_with_me.restore.status.failed),
    }
}
