//! The activity log and the push feed's `changes`: `activity` lines (written in the
//! transaction of the change they describe) and the rows or notifications that tell the
//! pages of an account to refresh.

use sqlx::{Any, Executor, FromRow};

use crate::db::{Backend, Conn, Statement, Writes};
use crate::ids::AccountId;
use crate::paging::PageAt;

/// A line as it is written.
#[derive(Debug)]
pub struct NewLine<'a> {
    pub at: i64,
    pub actor_email: Option<&'a str>,
    pub owner: &'a str,
    pub recipient: Option<&'a str>,
    pub share_name: Option<&'a str>,
    pub action: &'a str,
    pub detail: &'a str,
    pub outcome: &'a str,
    /// A refusal's typed reason, as JSON.
    pub reason: Option<&'a str>,
    /// The typed detail (`model::ActivityNote`), as JSON.
    pub note: Option<&'a str>,
}

/// Writes a line and, in the same round trip, tells the feed that `announce`'s pages
/// should refresh (see [`announce`]).
pub async fn insert(
    to: &mut impl Writes,
    line: NewLine<'_>,
    announce: &[&str],
) -> sqlx::Result<()> {
    const INSERT: &str =
        "INSERT INTO activity (id, at, actor_email, owner_account_id, recipient_account_id,
                               share_name, action, detail, outcome, reason, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    let backend = to.backend();
    let sql = match (announce.is_empty(), backend) {
        (true, _) => INSERT.to_owned(),
        // SQLite's thread runs both statements of one call, numbered arguments shared.
        (false, Backend::Sqlite) => {
            format!("{INSERT}; {}", announcing(backend, 12, 13, announce.len()))
        }
        // PostgreSQL runs a data-modifying WITH whether or not the query reads it.
        (false, Backend::Postgres) => format!(
            "WITH line AS ({INSERT}) {}",
            announcing(backend, 12, 13, announce.len())
        ),
    };
    let statement = Statement::new(sql)
        // Version 7 ids grow with time (monotonic within the process), so lines written in
        // the same millisecond still list in the order they happened.
        .bind(format!("act-{}", uuid::Uuid::now_v7().simple()))
        .bind(line.at)
        .bind(line.actor_email)
        .bind(line.owner)
        .bind(line.recipient)
        .bind(line.share_name)
        .bind(line.action)
        .bind(line.detail)
        .bind(line.outcome)
        .bind(line.reason)
        .bind(line.note);
    let statement = match (announce.is_empty(), backend) {
        (true, _) => statement,
        (false, Backend::Sqlite) => statement.bind(line.at),
        (false, Backend::Postgres) => statement.bind(CHANGES_CHANNEL),
    };
    let statement = announce
        .iter()
        .fold(statement, |statement, account| statement.bind(*account));
    to.write(statement).await
}

/// The PostgreSQL notification channel [`announce`] writes to; the payload is an account id.
pub const CHANGES_CHANNEL: &str = "backshare_changes";

/// Tells the feed these accounts' pages should refresh, in one statement. SQLite: a
/// `changes` row each, which every instance tails. PostgreSQL: a notification each on
/// [`CHANGES_CHANNEL`], delivered to every instance when the transaction commits (and never
/// if it rolls back).
pub async fn announce(conn: &mut Conn, accounts: &[&str], now: i64) -> sqlx::Result<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let backend = Backend::of_conn(conn);
    let sql = announcing(backend, 1, 2, accounts.len());
    let query = match backend {
        Backend::Sqlite => sqlx::query(&sql).bind(now),
        Backend::Postgres => sqlx::query(&sql).bind(CHANGES_CHANNEL),
    };
    accounts
        .iter()
        .fold(query, |query, account| query.bind(*account))
        .execute(conn)
        .await?;
    Ok(())
}

/// [`announce`]'s statement for `count` accounts bound from `$first` on; `$at` is the time
/// (SQLite) or the channel (PostgreSQL).
fn announcing(backend: Backend, at: usize, first: usize, count: usize) -> String {
    let accounts = first..first + count;
    match backend {
        Backend::Sqlite => {
            let rows = accounts.map(|i| format!("(${i}, ${at})"));
            let rows = rows.collect::<Vec<_>>().join(", ");
            format!("INSERT INTO changes (account_id, at) VALUES {rows}")
        }
        Backend::Postgres => {
            // Each call in FROM needs a name of its own.
            let calls = accounts.map(|i| format!("pg_notify(${at}, ${i}) n{i}"));
            format!("SELECT 1 FROM {}", calls.collect::<Vec<_>>().join(", "))
        }
    }
}

/// Changes after `seq`, oldest first: (seq, account id), at most `limit`.
pub async fn changes_after<'c>(
    db: impl Executor<'c, Database = Any>,
    seq: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT seq, account_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(seq)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// The newest change's number (0 when there is none), where a new feed starts.
pub async fn latest_change<'c>(db: impl Executor<'c, Database = Any>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
        .fetch_one(db)
        .await
}

/// Forgets changes older than `before`: a page that reconnects refetches anyway.
pub async fn prune_changes<'c>(
    db: impl Executor<'c, Database = Any>,
    before: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM changes WHERE at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}

/// A line as "Activity" lists it, with the accounts' names.
#[derive(Debug, FromRow)]
pub struct LineRow {
    pub id: String,
    pub at: i64,
    pub actor_email: Option<String>,
    pub action: String,
    pub share_name: Option<String>,
    pub detail: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub owner_account_id: AccountId,
    pub recipient_account_id: Option<AccountId>,
    pub owner_name: String,
    pub recipient_name: Option<String>,
}

/// One keyset page of the lines that concern `account`, as owner or as recipient, newest
/// first (`at`'s cursor binds `$3, $4`). Each side is read from its own index up to a
/// page, then the two are merged, so a page costs the same however long the log is.
pub async fn page<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<LineRow>> {
    let (from, order) = at.sql("a.at", "a.id", 3);
    let side = |column: &str| {
        format!(
            "SELECT * FROM (SELECT a.id, a.at, a.actor_email, a.action, a.share_name, a.detail,
                    a.outcome, a.reason, a.note, a.owner_account_id, a.recipient_account_id
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
    super::after_cursor(sqlx::query_as(&sql).bind(account).bind(limit), at)
        .fetch_all(db)
        .await
}
