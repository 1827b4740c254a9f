//! The activity log ("Activity" page): one line per thing that happened to a share, written
//! in the same transaction as the change it describes, so the log and the records agree.

use crate::error::Reason;
use crate::ids::AccountId;
use crate::paging::PageAt;
use crate::service::{keyset_page, Caller, ServiceResult};
use crate::store;
use crate::views::{ActivityEntry, ActivityPage};
use chrono::{DateTime, Utc};

pub use crate::model::outcome::DONE;
use crate::model::{ActivityAction, ActivityNote, SYSTEM_ACTOR};

/// One line to write.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// Who did it; `None` for the system's background work.
    pub actor: Option<&'a Caller>,
    pub action: ActivityAction,
    pub owner: &'a str,
    pub recipient: Option<&'a str>,
    pub share_name: Option<&'a str>,
    /// The ids it concerns, for a line without a `note`.
    pub detail: String,
    /// What the line says beyond ids; its English becomes the line's detail.
    pub note: Option<ActivityNote>,
    pub outcome: &'a str,
    /// Why it was refused, typed, so the page can say it in its reader's language
    /// (`outcome` keeps the English sentence).
    pub reason: Option<Reason>,
}

/// Appends a line, and tells the feed both accounts' pages changed.
pub async fn record(
    to: &mut impl crate::db::Writes,
    line: Line<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    // Serialising plain enums and strings cannot fail; if it did, the English stays.
    let reason = line
        .reason
        .as_ref()
        .and_then(|r| serde_json::to_string(r).ok());
    let note = line
        .note
        .as_ref()
        .and_then(|n| serde_json::to_string(n).ok());
    debug_assert!(
        line.note.is_none() || line.detail.is_empty(),
        "a line with a note has its detail from the note"
    );
    let detail = match &line.note {
        Some(note) => note.to_string(),
        None => line.detail,
    };
    let written = store::activity::NewLine {
        at: now.timestamp_millis(),
        actor_email: line.actor.map(|c| c.email.as_str()),
        owner: line.owner,
        recipient: line.recipient,
        share_name: line.share_name,
        action: line.action.as_str(),
        detail: &detail,
        outcome: line.outcome,
        reason: reason.as_deref(),
        note: note.as_deref(),
    };
    // Both accounts' pages change: the feed hears of it in the same round trip.
    let mut accounts = vec![line.owner];
    accounts.extend(line.recipient.filter(|r| *r != line.owner));
    store::activity::insert(to, written, &accounts).await?;
    Ok(())
}

/// Tells the push feed that these accounts' pages should refresh, in the caller's
/// transaction: every line above does it, and so do changes that write no line (a copy's
/// progress, a vault chosen later).
pub async fn touch<'a>(
    conn: &mut crate::db::Conn,
    accounts: impl IntoIterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let mut accounts = accounts.into_iter().collect::<Vec<_>>();
    accounts.sort_unstable();
    accounts.dedup();
    store::activity::announce(conn, &accounts, now.timestamp_millis()).await?;
    Ok(())
}

pub use store::activity::CHANGES_CHANNEL;

/// Lines of the "Activity" page.
pub const ACTIVITY_PAGE: usize = 50;

/// One keyset page of the lines that concern `account`, as owner or as recipient, newest
/// first. Each side is read from its own index up to a page, then the two are merged, so a
/// page costs the same however long the log is.
pub async fn for_account(
    db: &crate::db::Db,
    account: &AccountId,
    at: &PageAt,
) -> ServiceResult<ActivityPage> {
    let cursor = |row: &store::activity::LineRow| crate::paging::Cursor {
        at: row.at,
        id: row.id.clone(),
    };
    let (rows, links) = keyset_page(at, ACTIVITY_PAGE, cursor, |at| async move {
        let limit = ACTIVITY_PAGE as i64 + 1;
        Ok(store::activity::page(db, account, &at, limit).await?)
    })
    .await?;
    let entries = rows
        .into_iter()
        .map(|row| ActivityEntry {
            at: DateTime::from_timestamp_millis(row.at).unwrap_or_default(),
            actor: row.actor_email.unwrap_or_else(|| SYSTEM_ACTOR.to_owned()),
            action: row.action,
            share_name: row.share_name,
            owner: format!("{} ({})", row.owner_name, row.owner_account_id),
            recipient: row
                .recipient_account_id
                .map(|id| format!("{} ({id})", row.recipient_name.unwrap_or_default())),
            detail: row.detail,
            outcome: row.outcome,
            // A line whose reason or note this build cannot read shows its English.
            reason: row.reason.and_then(|json| serde_json::from_str(&json).ok()),
            note: row.note.and_then(|json| serde_json::from_str(&json).ok()),
        })
        .collect();
    Ok(ActivityPage { entries, links })
}
