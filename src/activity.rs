//! The activity log ("Activity" page): one line per thing that happened to a share, written
//! in the same transaction as the change it describes, so the log and the records agree.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::db::Backend;
use crate::ids::AccountId;
use crate::paging::PageAt;
use crate::service::{columns_cursor, keyset_page, Caller, ServiceResult};
use crate::views::{ActivityEntry, ActivityPage};

/// The outcome of everything that went through.
pub const DONE: &str = "Done";

/// One line to write.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// Who did it; `None` for the system's background work.
    pub actor: Option<&'a Caller>,
    pub action: &'a str,
    pub owner: &'a str,
    pub recipient: Option<&'a str>,
    pub share_name: Option<&'a str>,
    pub detail: String,
    pub outcome: &'a str,
}

/// Appends a line.
pub async fn record(
    conn: &mut crate::db::Conn,
    line: Line<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO activity (id, at, actor_email, owner_account_id, recipient_account_id,
                               share_name, action, detail, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    // Version 7 ids grow with time (monotonic within the process), so lines written in the
    // same millisecond still list in the order they happened.
    .bind(format!("act-{}", uuid::Uuid::now_v7().simple()))
    .bind(now.timestamp_millis())
    .bind(line.actor.map(|c| c.email.as_str()))
    .bind(line.owner)
    .bind(line.recipient)
    .bind(line.share_name)
    .bind(line.action)
    .bind(line.detail)
    .bind(line.outcome)
    .execute(&mut *conn)
    .await?;
    let accounts = [Some(line.owner), line.recipient];
    touch(conn, accounts.into_iter().flatten(), now).await
}

/// Tells the push feed that these accounts' pages should refresh, in the caller's
/// transaction: every line above does it, and so do changes that write no line (a copy's
/// progress, a vault chosen later). SQLite: a `changes` row, which each instance tails.
/// PostgreSQL: a notification on [`CHANGES_CHANNEL`], delivered to every instance when
/// the transaction commits (and never if it rolls back).
pub async fn touch<'a>(
    conn: &mut crate::db::Conn,
    accounts: impl IntoIterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let backend = Backend::of_conn(conn);
    for account in accounts {
        let query = match backend {
            Backend::Sqlite => sqlx::query("INSERT INTO changes (account_id, at) VALUES ($1, $2)")
                .bind(account)
                .bind(now.timestamp_millis()),
            Backend::Postgres => sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(account),
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The PostgreSQL notification channel [`touch`] writes to; the payload is an account id.
pub const CHANGES_CHANNEL: &str = "backshare_changes";

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
    let (rows, links) = keyset_page(
        at,
        ACTIVITY_PAGE,
        columns_cursor("at", "id"),
        |at| async move {
            let (from, order) = at.sql("a.at", "a.id", 3);
            let side = |column: &str| {
                format!(
                "SELECT * FROM (SELECT a.id, a.at, a.actor_email, a.action, a.share_name, a.detail,
                        a.outcome, a.owner_account_id, a.recipient_account_id
                 FROM activity a WHERE a.{column} = $1 {from}
                 ORDER BY a.at {order}, a.id {order} LIMIT $2) s_{column}"
            )
            };
            let sql = format!(
                "SELECT u.*, o.name AS owner_name, r.name AS recipient_name
             FROM ({} UNION ALL {}) u
             JOIN accounts o ON o.id = u.owner_account_id
             LEFT JOIN accounts r ON r.id = u.recipient_account_id
             ORDER BY u.at {order}, u.id {order} LIMIT $2",
                side("owner_account_id"),
                side("recipient_account_id"),
            );
            let mut query = sqlx::query(&sql)
                .bind(account.as_str())
                .bind(ACTIVITY_PAGE as i64 + 1);
            if let Some(cursor) = at.cursor() {
                query = query.bind(cursor.at).bind(cursor.id.as_str());
            }
            Ok(query.fetch_all(db).await?)
        },
    )
    .await?;
    let entries = rows
        .into_iter()
        .map(|row| ActivityEntry {
            at: DateTime::from_timestamp_millis(row.get("at")).unwrap_or_default(),
            actor: row
                .get::<Option<String>, _>("actor_email")
                .unwrap_or_else(|| "System".to_owned()),
            action: row.get("action"),
            share_name: row.get("share_name"),
            owner: format!(
                "{} ({})",
                row.get::<String, _>("owner_name"),
                row.get::<String, _>("owner_account_id")
            ),
            recipient: row
                .get::<Option<String>, _>("recipient_account_id")
                .map(|id| {
                    format!(
                        "{} ({id})",
                        row.get::<Option<String>, _>("recipient_name")
                            .unwrap_or_default()
                    )
                }),
            detail: row.get("detail"),
            outcome: row.get("outcome"),
        })
        .collect();
    Ok(ActivityPage { entries, links })
}
