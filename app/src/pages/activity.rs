//! "Activity": who did what to which share, when, with the outcome. The owner and the
//! recipient each see the lines that name their account.

use leptos::prelude::*;

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;

/// The lines, newest first, 50 a page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let entries = Resource::new(
        move || (changed.get(), page.get()),
        |(_, at)| api::activity(at),
    );
    view! {
        <h1>"Activity"</h1>
        <Listing rows=entries show={move |value| match value {
                listing if listing.entries.is_empty() => view! {
                    <p class="notice">"Nothing has happened to your shares yet."</p>
                }.into_any(),
                listing => {
                    let entries = listing.entries;
                    view! {
                    <Pager label="Pages of Activity" links=listing.links at=page/>
                    <table class="activity">
                        <thead>
                            <tr>
                                <th>"When"</th><th>"Who"</th><th>"What"</th><th>"Resource share"</th>
                                <th>"Owner"</th><th>"Recipient"</th><th>"Details"</th><th>"Outcome"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {entries.into_iter().map(|e| {
                                let refused = e.outcome != "Done";
                                view! {
                                    <tr>
                                        <td>{format::instant(e.at)}</td>
                                        <td>{e.actor}</td>
                                        <td>{e.action}</td>
                                        <td>{e.share_name.unwrap_or_default()}</td>
                                        <td>{e.owner}</td>
                                        <td>{e.recipient.unwrap_or_default()}</td>
                                        <td><code>{e.detail}</code></td>
                                        <td class:refused=refused>{e.outcome}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
                }
            }}
        />
    }
}
