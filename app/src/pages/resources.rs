//! "Resources": the account's servers, disks and clusters, restored ones marked, with
//! "Release". Releasing a cluster deletes its backups, so recipients lose access.

use backshare::model::ResourceKind;
use leptos::prelude::*;

use crate::api::{self, ReleaseResource};
use crate::components::changes::use_changes;
use crate::components::confirm_button::ConfirmButton;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;

/// Every resource with its verified checksum and "Release".
#[component]
pub fn ResourcesPage() -> impl IntoView {
    let release = ServerAction::<ReleaseResource>::new();
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let list = Resource::new(
        move || (changed.get(), release.version().get(), page.get()),
        |(_, _, at)| api::resources(at),
    );
    let problem = Signal::derive(move || last_failure(release.value().get()));
    let releasing = RwSignal::new(None::<String>);
    view! {
        <h1>"Resources"</h1>
        <ActionProblem message=problem/>
        <Listing rows=list show={move |listing| view! {
                    <Pager label="Pages of Resources" links=listing.links at=page/>
                    <table class="resources">
                        <thead>
                            <tr>
                                <th>"Name"</th><th>"ID"</th><th>"Type"</th><th>"Region"</th><th>"Project"</th>
                                <th>"Size"</th><th>"Created"</th><th>"SHA-256"</th><th>"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {listing.resources.into_iter().map(|r| {
                                let id = r.id.to_string();
                                let release_id = id.clone();
                                let question = match r.kind {
                                    ResourceKind::Cluster => "Release this cluster? Its backups are deleted and recipients lose access.",
                                    _ => "Release this resource? Its backups stay in their vaults.",
                                };
                                view! {
                                    <tr data-resource=id.clone()>
                                        <td>{r.name.clone()}{r.restored.then_some(" (restored)").filter(|_| !r.name.ends_with("(restored)"))}</td>
                                        <td><code>{id.clone()}</code></td>
                                        <td>{r.kind.as_str()}</td>
                                        <td>{r.region.clone()}</td>
                                        <td><code>{r.project_id.to_string()}</code></td>
                                        <td>{format::bytes(r.size_bytes)}</td>
                                        <td>{format::instant(r.created_at)}</td>
                                        <td><code class="small">{r.sha256.chars().take(12).collect::<String>()}"…"</code></td>
                                        <td>
                                            <ConfirmButton
                                                label="Release"
                                                question=question.to_owned()
                                                keep="Keep"
                                                key=id.clone()
                                                open=releasing
                                                on_confirm=Callback::new(move |()| {
                                                    release.dispatch(ReleaseResource { resource_id: release_id.clone() });
                                                })
                                            />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        />
    }
}
