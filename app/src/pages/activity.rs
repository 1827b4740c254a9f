//! "Activity": who did what to which share, when, with the outcome. The owner and the
//! recipient each see the lines that name their account.

use backshare::model::{outcome, ActivityAction, SYSTEM_ACTOR};
use leptos::either::Either;
use leptos::prelude::*;

use crate::api;
use crate::components::changes::use_changes;
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::format;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;

/// The lines, newest first, 50 a page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let changed = use_changes();
    // The page shown, as a page link names it; `None` is the newest.
    let page = RwSignal::new(None::<String>);
    let entries = load(
        move || (changed.get(), page.get()),
        |(_, at)| api::activity(at),
    );
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <h1>{tu_string!(i18n, activity.title)}</h1>
        <Listing rows=entries show={move |value| match value {
                listing if listing.entries.is_empty() => Either::Left(view! {
                    <p class="notice">{tu_string!(i18n, activity.empty)}</p>
                }),
                listing => {
                    let entries = listing.entries;
                    Either::Right(view! {
                    <Pager label=td_string!(locale, activity.pages) links=listing.links at=page/>
                    <table class="activity">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, activity.column.when)}</th>
                                <th>{tu_string!(i18n, activity.column.who)}</th>
                                <th>{tu_string!(i18n, activity.column.what)}</th>
                                <th>{tu_string!(i18n, activity.column.resource_share)}</th>
                                <th>{tu_string!(i18n, activity.column.owner)}</th>
                                <th>{tu_string!(i18n, activity.column.recipient)}</th>
                                <th>{tu_string!(i18n, activity.column.details)}</th>
                                <th>{tu_string!(i18n, activity.column.outcome)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {entries.into_iter().map(|e| {
                                let refused = e.outcome != "Done";
                                let actor = actor_text(locale, e.actor);
                                let action = action_text(locale, e.action);
                                let outcome = match &e.reason {
                                    Some(reason) => reasons::reason(locale, reason),
                                    None => outcome_text(locale, e.outcome),
                                };
                                view! {
                                    <tr>
                                        <td>{format::instant(e.at)}</td>
                                        <td>{actor}</td>
                                        <td>{action}</td>
                                        <td>{e.share_name.unwrap_or_default()}</td>
                                        <td>{e.owner}</td>
                                        <td>{e.recipient.unwrap_or_default()}</td>
                                        <td><code>{match &e.note {
                                            Some(note) => reasons::activity_note(locale, note),
                                            None => e.detail,
                                        }}</code></td>
                                        <td class:refused=refused>{outcome}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
                }
            }}
        />
    }
}

/// Who did it, in `locale`: the system ([`SYSTEM_ACTOR`]) is said in the page's language;
/// an email stays as it is.
fn actor_text(locale: Locale, actor: String) -> String {
    match actor.as_str() {
        SYSTEM_ACTOR => td_string!(locale, activity.system).to_owned(),
        _ => actor,
    }
}

/// What happened, in `locale`. The log keeps each [`ActivityAction`] as its English label;
/// a label no action has (a line written before the vocabulary was closed) stays as stored.
fn action_text(locale: Locale, action: String) -> String {
    let Some(known) = ActivityAction::from_word(&action) else {
        return action;
    };
    let said = match known {
        ActivityAction::ShareBackups => td_string!(locale, activity.action.share_backups),
        ActivityAction::DeletedResourceShare => {
            td_string!(locale, activity.action.deleted_resource_share)
        }
        ActivityAction::SharedBackups => td_string!(locale, activity.action.shared_backups),
        ActivityAction::NotInvited => td_string!(locale, activity.action.not_invited),
        ActivityAction::CancelledSharing => td_string!(locale, activity.action.cancelled_sharing),
        ActivityAction::AcceptedInvitation => {
            td_string!(locale, activity.action.accepted_invitation)
        }
        ActivityAction::RejectedInvitation => {
            td_string!(locale, activity.action.rejected_invitation)
        }
        ActivityAction::InvitationExpired => td_string!(locale, activity.action.invitation_expired),
        ActivityAction::InvitationCancelled => {
            td_string!(locale, activity.action.invitation_cancelled)
        }
        ActivityAction::RevocationFinished => {
            td_string!(locale, activity.action.revocation_finished)
        }
        ActivityAction::AccessLost => td_string!(locale, activity.action.access_lost),
        ActivityAction::DeletedBackup => td_string!(locale, activity.action.deleted_backup),
        ActivityAction::CopyFinished => td_string!(locale, activity.action.copy_finished),
        ActivityAction::CopyFailed => td_string!(locale, activity.action.copy_failed),
        ActivityAction::RestoreStarted => td_string!(locale, activity.action.restore_started),
        ActivityAction::RestoreFinished => td_string!(locale, activity.action.restore_finished),
        ActivityAction::ReleasedResource => td_string!(locale, activity.action.released_resource),
        ActivityAction::CreateAccessKey => td_string!(locale, activity.action.create_access_key),
        ActivityAction::UseAccessKey => td_string!(locale, activity.action.use_access_key),
        ActivityAction::DeactivateAccessKey => {
            td_string!(locale, activity.action.deactivate_access_key)
        }
        ActivityAction::DeleteAccessKey => td_string!(locale, activity.action.delete_access_key),
    };
    said.to_owned()
}

/// How it ended, in `locale`, for a line that was not refused (a refusal is said from its
/// typed reason): the fixed outcomes ([`outcome`]) are said in the page's language; anything
/// else (a failure's sentence, or a refusal written before reasons were kept) stays as
/// stored.
fn outcome_text(locale: Locale, stored: String) -> String {
    let said = match stored.as_str() {
        outcome::DONE => td_string!(locale, activity.outcome.done),
        outcome::DONE_VERIFIED => td_string!(locale, activity.outcome.done_checksum_verified),
        outcome::AVAILABLE_VERIFIED => {
            td_string!(locale, activity.outcome.available_checksum_verified)
        }
        _ => return stored,
    };
    said.to_owned()
}
