//! "Resources": the restores under way and done, then the account's servers, disks and
//! clusters, restored ones marked, with "Release". Releasing a cluster deletes its
//! backups, so recipients lose access.

use backshare::model::ResourceKind;
use leptos::prelude::*;

use crate::api::{self, ReleaseResource};
use crate::components::changes::use_changes;
use crate::components::confirm_button::ConfirmButton;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::components::restores::RestoresSection;
use crate::format;
use crate::i18n::*;
use crate::load::load;

/// Every resource with its verified checksum and "Release".
#[component]
pub fn ResourcesPage() -> impl IntoView {
    let i18n = use_i18n();
    let release = ServerAction::<ReleaseResource>::new();
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let list = load(
        move || (changed.get(), release.version().get(), page.get()),
        |(_, _, at)| api::resources(at),
    );
    let problem = Signal::derive(move || last_failure(release.value().get()));
    let releasing = RwSignal::new(None::<String>);
    view! {
        <h1>{tu_string!(i18n, resources.title)}</h1>
        <ActionProblem message=problem/>
        <RestoresSection/>
        <Listing rows=list show={move |listing| view! {
                    <Pager label=t_string!(i18n, resources.pages) links=listing.links at=page/>
                    <table class="resources">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, resources.column.name)}</th>
                                <th>{tu_string!(i18n, resources.column.id)}</th>
                                <th>{tu_string!(i18n, resources.column.kind)}</th>
                                <th>{tu_string!(i18n, resources.column.region)}</th>
                                <th>{tu_string!(i18n, resources.column.project)}</th>
                                <th>{tu_string!(i18n, resources.column.size)}</th>
                                <th>{tu_string!(i18n, resources.column.created)}</th>
                                <th>{tu_string!(i18n, resources.column.sha256)}</th>
                                <th>{tu_string!(i18n, resources.column.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {listing.resources.into_iter().map(|r| {
                                let id = r.id.to_string();
                                let release_id = id.clone();
                                let question = match r.kind {
                                    ResourceKind::Cluster => t_string!(i18n, resources.release_cluster_question),
                                    _ => t_string!(i18n, resources.release_resource_question),
                                };
                                view! {
                                    <tr data-resource=id.clone()>
                                        <td>{shown_name(i18n.get_locale_untracked(), &r.name, r.restored)}</td>
                                        <td><code>{id.clone()}</code></td>
                                        <td>{kind_word(i18n.get_locale_untracked(), r.kind)}</td>
                                        <td>{r.region.clone()}</td>
                                        <td><code>{r.project_id.to_string()}</code></td>
                                        <td>{format::bytes(r.size_bytes)}</td>
                                        <td>{format::instant(r.created_at)}</td>
                                        <td><code class="small">{r.sha256.chars().take(12).collect::<String>()}"…"</code></td>
                                        <td>
                                            <ConfirmButton
                                                label=t_string!(i18n, resources.release)
                                                question=question.to_owned()
                                                keep=t_string!(i18n, resources.keep)
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
                }
            }
        />
    }
}

/// A restored resource's name says so, unless the name it was given already does.
fn shown_name(locale: Locale, name: &str, restored: bool) -> String {
    if restored && !name.ends_with("(restored)") {
        td_string!(locale, resources.restored_name, name)
    } else {
        name.to_owned()
    }
}

/// The resource's type, in the page's language.
fn kind_word(locale: Locale, kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Server => td_string!(locale, resources.kind.server),
        ResourceKind::Disk => td_string!(locale, resources.kind.disk),
        ResourceKind::Cluster => td_string!(locale, resources.kind.cluster),
    }
}
