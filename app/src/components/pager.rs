//! "← Newer" and "Older →" for a keyset-paged table: each button moves the table's page
//! signal to the position its link names.

use backshare::paging::PageLinks;
use leptos::prelude::*;

use crate::i18n::*;

/// The page links of one table; nothing when the table fits on one page. `summary` is
/// shown between the buttons (e.g. "50 of 53 resource shares").
#[component]
pub fn Pager(
    /// What the links page through, for screen readers ("Pages of My Shares").
    label: &'static str,
    links: PageLinks,
    /// The table's page position, as a link names it (`None`: the newest).
    at: RwSignal<Option<String>>,
    #[prop(optional, into)] summary: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let PageLinks { newer, older } = links;
    let (no_newer, no_older) = (newer.is_none(), older.is_none());
    (!(no_newer && no_older) || summary.is_some()).then(move || {
        view! {
            <nav class="pager" aria-label=label>
                <button type="button" disabled=no_newer on:click=move |_| at.set(newer.clone())>{tu_string!(i18n, common.newer)}</button>
                {summary.map(|text| view! { <span class="muted">{text}</span> })}
                <button type="button" disabled=no_older on:click=move |_| at.set(older.clone())>{tu_string!(i18n, common.older)}</button>
            </nav>
        }
    })
}
