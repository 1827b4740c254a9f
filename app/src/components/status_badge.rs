//! A status word of PRODUCT.md §2, coloured by kind.

use backshare::views::ShareStatus;
use leptos::prelude::*;

/// The status as a badge; the text is exactly the product's word ("Copying 42%").
#[component]
pub fn StatusBadge(status: ShareStatus) -> impl IntoView {
    view! {
        <span class=format!("status status-{}", status.word().to_lowercase())>{status.label()}</span>
    }
}
