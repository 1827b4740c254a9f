//! Status changes pushed by the feed, said to screen readers through a polite live region
//! ("orders-db daily for Acme East: Pending → Accepted"), once each.

use std::collections::BTreeMap;

use backshare::views::ShareStatus;
use leptos::prelude::*;

use crate::components::status_badge::status_text;
use crate::error::AppError;
use crate::i18n::*;
use crate::load::Loaded;

/// One row a page follows: what identifies it, how a reader hears it, its status.
pub struct Followed {
    pub key: String,
    pub subject: String,
    pub status: ShareStatus,
}

/// The sentence of the latest status changes among the rows `follow` picks from each load:
/// rows already seen whose status moved. A row first seen (the first load, another page)
/// is not news; a refetch that changes nothing, or only a copy's percentage, leaves the
/// last sentence alone, so each change is said once.
pub fn follow_statuses<T>(rows: Loaded<T>, follow: fn(&T) -> Vec<Followed>) -> RwSignal<String>
where
    T: Clone + Send + Sync + 'static,
    Result<T, AppError>: Clone + Send + Sync,
{
    let news = RwSignal::new(String::new());
    let i18n = use_i18n();
    let seen = StoredValue::new(BTreeMap::<String, ShareStatus>::new());
    Effect::new(move |_| {
        let Some(Ok(page)) = rows.get() else {
            return;
        };
        let locale = i18n.get_locale_untracked();
        let mut said = Vec::new();
        seen.update_value(|seen| {
            for row in follow(&page) {
                if let Some(before) = seen.insert(row.key, row.status) {
                    if before.word() != row.status.word() {
                        said.push(td_string!(
                            locale,
                            common.status_news,
                            subject = row.subject,
                            from = status_text(locale, before),
                            to = status_text(locale, row.status)
                        ));
                    }
                }
            }
        });
        if !said.is_empty() {
            news.set(said.join(". "));
        }
    });
    news
}

/// The live region itself (visually hidden).
#[component]
pub fn StatusNews(news: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="visually-hidden" role="status" aria-live="polite" aria-label=move || t_string!(i18n, common.status_changes)>{news}</p>
    }
}
