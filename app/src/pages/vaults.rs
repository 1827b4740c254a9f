//! "Vaults": each vault's capacity and usage, own backups and received copies alike, and
//! what the account stores in all (the recipient pays for the copies it holds).

use leptos::prelude::*;

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;

/// Capacity and usage bars per vault, received copies marked, and the account's totals.
#[component]
pub fn VaultsPage() -> impl IntoView {
    let changed = use_changes();
    let page = Resource::new(move || changed.get(), |_| api::vaults());
    view! {
        <h1>"Vaults"</h1>
        <Listing rows=page show={move |page| view! {
                    <p class="summary">
                        "Your backups: " <strong>{format::bytes(page.owned_backup_bytes)}</strong>
                        ". Copies received from other accounts: "
                        <strong>{format::bytes(page.received_copy_bytes)}</strong>
                        " (stored in your vaults, at your cost)."
                    </p>
                    {if page.vaults.is_empty() {
                        view! { <p class="notice">"Your account has no vaults."</p> }.into_any()
                    } else {
                        page.vaults.into_iter().map(|v| {
                            let percent = v.percent_used();
                            view! {
                                <section class="vault" data-vault=v.id.clone()>
                                    <h2>{v.name.clone()}</h2>
                                    <p class="muted">
                                        <code>{v.id.clone()}</code>" · "{v.kind.as_str()}" backups · "{v.region.clone()}
                                    </p>
                                    <div class="usage" role="meter" aria-label=format!("{} usage", v.name)
                                        aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string()>
                                        <div class="usage-bar" style=format!("width: {percent}%")></div>
                                    </div>
                                    <p class="usage-text">
                                        {format!("{} of {} used ({percent}%)", format::bytes(v.used_bytes), format::bytes(v.capacity_bytes))}
                                    </p>
                                    <VaultContents vault_id=v.id.clone()/>
                                </section>
                            }
                        }).collect_view().into_any()
                    }}
                }.into_any()
            }
        />
    }
}

/// What one vault holds, a page at a time (newest first): own backups and received
/// copies, each with its status, following the changes live.
#[component]
fn VaultContents(vault_id: String) -> impl IntoView {
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let contents = Resource::new(
        move || (changed.get(), page.get()),
        move |(_, at)| api::vault_contents(vault_id.clone(), at),
    );
    view! {
        <Listing rows=contents show={move |value| match value {
                listing if listing.items.is_empty() => view! {
                    <p class="notice">"This vault is empty."</p>
                }.into_any(),
                listing => view! {
                    <Pager label="Pages of this vault's contents" links=listing.links at=page/>
                    <table class="vault-items">
                        <thead><tr><th>"Backup"</th><th>"Size"</th><th>"Received from"</th><th>"Status"</th></tr></thead>
                        <tbody>
                            {listing.items.into_iter().map(|item| view! {
                                <tr data-backup=item.backup_id.to_string()>
                                    <td>{item.name.clone()}<br/><code>{item.backup_id.to_string()}</code></td>
                                    <td>{format::bytes(item.size_bytes)}</td>
                                    <td>{item.received_from.clone().unwrap_or_else(|| "Own backup".into())}</td>
                                    <td>{item.status.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        />
    }
}
