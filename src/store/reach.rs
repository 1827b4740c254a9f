//! Rule 9's reach of each backup, kept counted in `backup_reach`: for every backup, the
//! accounts its resource shares reach (with the project principals that reach them), each
//! with the number of shares that do. Counting a backup's recipients then reads at most a
//! limit's worth of rows, however many shares have ever held it.
//!
//! A share's *contribution* is what its own tables say: for each of its backups, each
//! recipient account with each of the share's project principals that belong to it (`''`
//! when none does, the account reached as a whole). A change to a share's backups,
//! principals or recipients [`retract`]s its contribution before it and [`extend`]s it
//! after, in the same transaction, under the share's and its backups' locks.

use sqlx::{Any, Executor, FromRow};

use crate::db::{Conn, Statement, Writes};
use crate::ids::{AccountId, BackupId};

/// The contributions of the shares `filter` (a condition on `sb.share_id`) admits: one row
/// per share, backup, account and project.
fn contribution(filter: &str) -> String {
    format!(
        "SELECT DISTINCT sb.share_id, sb.backup_id, sr.recipient_account_id AS account_id,
                COALESCE(p.id, '') AS project_id
         FROM share_backups sb
         JOIN share_recipients sr ON sr.share_id = sb.share_id
         LEFT JOIN share_principals sp ON sp.share_id = sb.share_id AND sp.kind = 'project'
         LEFT JOIN projects p ON p.id = sp.principal_id AND p.account_id = sr.recipient_account_id
         WHERE {filter}"
    )
}

/// Counts the share's contribution in, once (after a change, or for a new share).
pub async fn extend(to: &mut impl Writes, share: &str) -> sqlx::Result<()> {
    // `WHERE true` tells SQLite's parser that `ON CONFLICT` is the upsert's, not a join's.
    let sql = format!(
        "INSERT INTO backup_reach (backup_id, account_id, project_id, shares)
         SELECT c.backup_id, c.account_id, c.project_id, 1 FROM ({}) c WHERE true
         ON CONFLICT (backup_id, account_id, project_id)
         DO UPDATE SET shares = backup_reach.shares + 1",
        contribution("sb.share_id = $1")
    );
    to.write(Statement::new(sql).bind(share)).await
}

/// Counts the share's contribution out (before a change), dropping what no share reaches
/// any more.
pub async fn retract(conn: &mut Conn, share: &str) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE backup_reach SET shares = shares - 1
         WHERE (backup_id, account_id, project_id) IN (
             SELECT c.backup_id, c.account_id, c.project_id FROM ({}) c)",
        contribution("sb.share_id = $1")
    );
    sqlx::query(&sql).bind(share).execute(&mut *conn).await?;
    sqlx::query(
        "DELETE FROM backup_reach WHERE shares <= 0
         AND backup_id IN (SELECT backup_id FROM share_backups WHERE share_id = $1)",
    )
    .bind(share)
    .execute(conn)
    .await?;
    Ok(())
}

/// A recipient a backup reaches through a share, with a project principal reaching it
/// (rule 9 counts projects for server and disk backups).
#[derive(Debug, FromRow)]
pub struct Reached {
    pub account: AccountId,
    pub project: Option<String>,
}

/// What the backup reaches through its shares other than `except` (a share being changed,
/// whose own contribution the request replaces; `None` for a new share).
pub async fn elsewhere(
    conn: &mut Conn,
    backup: &BackupId,
    except: Option<&str>,
) -> sqlx::Result<Vec<Reached>> {
    let Some(except) = except else {
        return sqlx::query_as(
            "SELECT account_id AS account, NULLIF(project_id, '') AS project
             FROM backup_reach WHERE backup_id = $1 AND shares > 0",
        )
        .bind(backup)
        .fetch_all(conn)
        .await;
    };
    // A row the excepted share alone reaches is not reached elsewhere.
    let sql = format!(
        "SELECT r.account_id AS account, NULLIF(r.project_id, '') AS project
         FROM backup_reach r
         WHERE r.backup_id = $1 AND r.shares > (
             SELECT COUNT(*) FROM ({}) c
             WHERE c.backup_id = r.backup_id AND c.account_id = r.account_id
               AND c.project_id = r.project_id)",
        contribution("sb.share_id = $2")
    );
    sqlx::query_as(&sql)
        .bind(backup)
        .bind(except)
        .fetch_all(conn)
        .await
}

/// A backup's reach as rows: backup, account, project (`''`: as a whole), shares.
pub type ReachRow = (String, String, String, i64);

/// What `backup_reach` holds of what some share still reaches, in key order.
pub async fn kept<'c>(db: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<ReachRow>> {
    sqlx::query_as(
        "SELECT backup_id, account_id, project_id, shares FROM backup_reach WHERE shares > 0
         ORDER BY backup_id, account_id, project_id",
    )
    .fetch_all(db)
    .await
}

/// Every backup's reach counted afresh from the shares, in key order: what [`kept`] must
/// say (the checks of the stress and folder tests compare the two).
pub async fn recounted<'c>(db: impl Executor<'c, Database = Any>) -> sqlx::Result<Vec<ReachRow>> {
    let sql = format!(
        "SELECT c.backup_id, c.account_id, c.project_id, COUNT(*) FROM ({}) c
         GROUP BY c.backup_id, c.account_id, c.project_id
         ORDER BY c.backup_id, c.account_id, c.project_id",
        contribution("TRUE")
    );
    sqlx::query_as(&sql).fetch_all(db).await
}
