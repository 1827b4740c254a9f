//! A status word of PRODUCT.md §2, coloured by kind, in the page's language.

use backshare::views::ShareStatus;
use leptos::prelude::*;

use crate::i18n::*;

/// The status as a badge; in English exactly the product's word ("Copying 42%"). The
/// language changes only with a reload, so the words are read once.
#[component]
pub fn StatusBadge(status: ShareStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("status status-{}", status.word().to_lowercase())>
            {status_text(i18n.get_locale_untracked(), status)}
        </span>
    }
}

/// The status's words in `locale`.
pub fn status_text(locale: Locale, status: ShareStatus) -> String {
    match status {
        ShareStatus::Pending => td_string!(locale, common.status.pending).to_owned(),
        ShareStatus::Accepted => td_string!(locale, common.status.accepted).to_owned(),
        ShareStatus::Rejected => td_string!(locale, common.status.rejected).to_owned(),
        ShareStatus::Expired => td_string!(locale, common.status.expired).to_owned(),
        ShareStatus::Cancelled => td_string!(locale, common.status.cancelled).to_owned(),
        ShareStatus::Copying(percent) => td_string!(locale, common.status.copying, percent),
        ShareStatus::Available => td_string!(locale, common.status.available).to_owned(),
        ShareStatus::Failed => td_string!(locale, common.status.failed).to_owned(),
        ShareStatus::Revoking => td_string!(locale, common.status.revoking).to_owned(),
        ShareStatus::Revoked => td_string!(locale, common.status.revoked).to_owned(),
        ShareStatus::Lost => td_string!(locale, common.status.lost).to_owned(),
    }
}
