//! "Vaults": each vault's capacity and usage, own backups and received copies alike, and
//! what the account stores in all (the recipient pays for the copies it holds).

use backshare::model::ResourceKind;
use leptos::either::Either;
use leptos::prelude::*;

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;
use crate::i18n::*;
use crate::load::load;

/// Capacity and usage bars per vault, received copies marked, and the account's totals.
#[component]
pub fn VaultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    let page = load(move || changed.get(), |_| api::vaults());
    view! {
        <h1>{tu_string!(i18n, vaults.title)}</h1>
        <Listing rows=page show={move |page| view! {
                    <p class="summary">
                        {t_string!(
                            i18n,
                            vaults.summary,
                            owned = format::bytes(page.owned_backup_bytes),
                            received = format::bytes(page.received_copy_bytes)
                        )}
                    </p>
                    {if page.vaults.is_empty() {
                        Either::Left(view! { <p class="notice">{tu_string!(i18n, vaults.no_vaults)}</p> })
                    } else {
                        Either::Right(page.vaults.into_iter().map(|v| {
                            let percent = v.percent_used();
                            view! {
                                <section class="vault" data-vault=v.id.clone()>
                                    <h2>{v.name.clone()}</h2>
                                    <p class="muted">
                                        <code>{v.id.clone()}</code>" · "{holds(i18n.get_locale_untracked(), v.kind)}" · "{v.region.clone()}
                                    </p>
                                    <div class="usage" role="meter" aria-label=t_string!(i18n, vaults.usage_label, name = v.name.clone())
                                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                                        <div class="usage-bar" style=format!("width: {percent}%")></div>
                                    </div>
                                    <p class="usage-text">
                                        {t_string!(
                                            i18n,
                                            vaults.usage_text,
                                            used = format::bytes(v.used_bytes),
                                            capacity = format::bytes(v.capacity_bytes),
                                            percent
                                        )}
                                    </p>
                                    <VaultContents vault_id=v.id.clone()/>
                                </section>
                            }
                        }).collect_view())
                    }}
                }
            }
        />
    }
}

/// What one vault holds, a page at a time (newest first): own backups and received
/// copies, each with its status, following the changes live.
#[component]
fn VaultContents(vault_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let contents = load(
        move || (changed.get(), page.get()),
        move |(_, at)| api::vault_contents(vault_id.clone(), at),
    );
    view! {
        <Listing rows=contents show={move |value| match value {
                listing if listing.items.is_empty() => Either::Left(view! {
                    <p class="notice">{tu_string!(i18n, vaults.empty)}</p>
                }),
                listing => Either::Right(view! {
                    <Pager label=t_string!(i18n, vaults.pages) links=listing.links at=page/>
                    <table class="vault-items">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, vaults.column.backup)}</th>
                                <th>{tu_string!(i18n, vaults.column.size)}</th>
                                <th>{tu_string!(i18n, vaults.column.received_from)}</th>
                                <th>{tu_string!(i18n, vaults.column.status)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {listing.items.into_iter().map(|item| view! {
                                <tr data-backup=item.backup_id.to_string()>
                                    <td>{item.name.clone()}<br/><code>{item.backup_id.to_string()}</code></td>
                                    <td>{format::bytes(item.size_bytes)}</td>
                                    <td>{item.received_from.clone().unwrap_or_else(|| t_string!(i18n, vaults.own_backup).to_owned())}</td>
                                    <td>{item.status.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }),
            }}
        />
    }
}

/// What a vault holds, in the page's language.
fn holds(locale: Locale, kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Server => td_string!(locale, vaults.holds.server),
        ResourceKind::Disk => td_string!(locale, vaults.holds.disk),
        ResourceKind::Cluster => td_string!(locale, vaults.holds.cluster),
    }
}
