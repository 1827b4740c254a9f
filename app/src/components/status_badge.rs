//! A status word of PRODUCT.md §2, coloured by kind.

use backshare::views::ShareStatus;
use leptos::prelude::*;

/// The status as a badge; the text is exactly the product's word.
#[component]
pub fn StatusBadge(status: ShareStatus) -> impl IntoView {
    let label = status.label();
    view! { <span class=format!("status status-{}", label.to_lowercase())>{label}</span> }
}
