//! "My Shares": every backup the account shares, per recipient, with a status that follows
//! what recipients do (pushed by the feed), 50 resource shares a page, newest first.

use backshare::paging::Total;
use backshare::units::thousands;
use leptos::either::Either;
use leptos::prelude::*;

use crate::api::{self, CancelSharing};
use crate::components::changes::use_changes;
use crate::components::confirm_button::{ConfirmButton, Post};
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::components::share_dialog::ShareDialog;
use crate::components::status_badge::StatusBadge;
use crate::components::status_news::{follow_statuses, Followed, StatusNews};
use crate::i18n::*;
use crate::load::load;
use crate::reasons;

/// The shares table with "Cancel Sharing" and its confirmation.
#[component]
pub fn MySharesPage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    let cancel = ServerAction::<CancelSharing>::new();
    // The "share id|recipient" row awaiting confirmation; kept outside the refetched rows.
    let confirming = RwSignal::new(None::<String>);
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let rows = load(
        move || (changed.get(), cancel.version().get(), page.get()),
        |(_, _, at)| api::my_shares(at),
    );
    let problem = Signal::derive(move || last_failure(cancel.value().get()));
    let news = follow_statuses(rows, followed);
    // The resource share open in "Manage Sharing Relationship".
    let managing = RwSignal::new(None::<String>);
    // The page's own change shows without waiting for the feed to report it.
    let on_done = Callback::new(move |changed: bool| {
        managing.set(None);
        if changed {
            rows.refetch();
        }
    });
    view! {
        <h1>{tu_string!(i18n, my_shares.title)}</h1>
        <StatusNews news/>
        <ActionProblem message=problem/>
        <Listing rows=rows show={move |value| match value {
                listing if listing.total_shares.is_zero() => Either::Left(view! {
                    <p class="notice">{tu_string!(i18n, my_shares.empty)}</p>
                }),
                listing => {
                    let shown = listing.shares_on_page;
                    let summary = match listing.total_shares {
                        Total::Exactly(total) => t_string!(i18n, my_shares.summary, shown, total),
                        Total::MoreThan(total) => {
                            t_string!(i18n, my_shares.summary_more_than, shown, total = thousands(total))
                        }
                    };
                    let rows = listing.rows;
                    Either::Right(view! {
                    <Pager label=t_string!(i18n, my_shares.pages) links=listing.links at=page summary/>
                    <table class="my-shares">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, my_shares.column.backup)}</th>
                                <th>{tu_string!(i18n, my_shares.column.resource_share)}</th>
                                <th>{tu_string!(i18n, my_shares.column.principal)}</th>
                                <th>{tu_string!(i18n, my_shares.column.recipient)}</th>
                                <th>{tu_string!(i18n, my_shares.column.status)}</th>
                                <th>{tu_string!(i18n, my_shares.column.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| {
                                let (share_id, recipient) = (row.share_id.to_string(), row.recipient.to_string());
                                let manage_id = share_id.clone();
                                view! {
                                    <tr data-recipient=row.recipient.to_string() data-backup=row.backup_id.to_string()>
                                        <td>{row.backup_name.clone()}<br/><code>{row.backup_id.to_string()}</code></td>
                                        <td>{row.share_name.clone()}</td>
                                        <td><code>{principals_text(&row.principals)}</code></td>
                                        <td>{row.recipient_name.clone()}<br/><code>{row.recipient.to_string()}</code></td>
                                        <td><StatusBadge status=row.status/></td>
                                        <td>
                                            <button type="button" on:click=move |_| managing.set(Some(manage_id.clone()))>
                                                {tu_string!(i18n, my_shares.manage)}
                                            </button>
                                            {row.cancel_blocked.as_ref().map(|p| reasons::problem(i18n.get_locale_untracked(), p)).map(|why| view! {
                                                <button type="button" disabled=true title=why.clone()>{tu_string!(i18n, my_shares.cancel_sharing)}</button>
                                                <span class="muted small">{why}</span>
                                            })}
                                            {row.cancellable.then(|| view! {
                                                <ConfirmButton
                                                    label=t_string!(i18n, my_shares.cancel_sharing)
                                                    question=t_string!(i18n, my_shares.cancel_question, recipient = row.recipient_name.clone())
                                                    keep=t_string!(i18n, my_shares.keep_sharing)
                                                    key=format!("{share_id}|{recipient}")
                                                    open=confirming
                                                    post=Post {
                                                        action: "/api/cancel_sharing",
                                                        fields: vec![("share_id", share_id.clone()), ("recipient", recipient.clone())],
                                                    }
                                                    on_confirm=Callback::new(move |()| {
                                                        cancel.dispatch(CancelSharing {
                                                            share_id: share_id.clone(),
                                                            recipient: recipient.clone(),
                                                        });
                                                    })
                                                />
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
                }
            }}
        />
        {move || managing.get().map(|share| view! { <ShareDialog backups=Vec::new() share on_done/> })}
    }
}

/// My Shares follows each recipient of each backup of each share on the page. Called from
/// the follower's effect, under this page's owner, so the language context is at hand.
fn followed(page: &backshare::views::MySharesPage) -> Vec<Followed> {
    let locale = crate::language::current();
    page.rows
        .iter()
        .map(|row| Followed {
            key: format!("{}|{}|{}", row.share_id, row.backup_id, row.recipient),
            subject: td_string!(
                locale,
                my_shares.news_subject,
                backup = row.backup_name.clone(),
                recipient = row.recipient_name.clone()
            ),
            status: row.status,
        })
        .collect()
}

/// The principals that reach a recipient, or a dash once it was removed.
pub fn principals_text(principals: &[String]) -> String {
    if principals.is_empty() {
        "—".to_owned()
    } else {
        principals.join(", ")
    }
}
