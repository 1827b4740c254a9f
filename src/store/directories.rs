//! Resource directories: `directories`, their `folders` (a tree) and `directory_members`
//! (which account is in which directory, at its root or in a folder).

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use crate::db::Conn;
use crate::ids::{AccountId, FolderId};
use crate::rules::OwnerDirectory;

/// The directory an account belongs to, if any.
pub async fn of_account(
    conn: &mut Conn,
    account: &AccountId,
) -> sqlx::Result<Option<OwnerDirectory>> {
    sqlx::query_as(
        "SELECT d.id, d.name FROM directory_members m JOIN directories d ON d.id = m.directory_id
         WHERE m.account_id = $1",
    )
    .bind(account)
    .fetch_optional(conn)
    .await
}

/// The directory a folder is in; `None` if there is no such folder.
pub async fn of_folder(conn: &mut Conn, folder: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT directory_id FROM folders WHERE id = $1")
        .bind(folder)
        .fetch_optional(conn)
        .await
}

/// Every account in a folder or in any folder below it.
pub async fn accounts_under(conn: &mut Conn, folder: &str) -> sqlx::Result<Vec<AccountId>> {
    sqlx::query_scalar(
        "WITH RECURSIVE under (id) AS (
             SELECT id FROM folders WHERE id = $1
             UNION SELECT f.id FROM folders f JOIN under u ON f.parent_id = u.id)
         SELECT account_id FROM directory_members
         WHERE folder_id IN (SELECT id FROM under) ORDER BY account_id",
    )
    .bind(folder)
    .fetch_all(conn)
    .await
}

/// Those of `recipients` in one directory with `owner` whose auto-accept is on.
pub async fn auto_accepts<'a>(
    conn: &mut Conn,
    owner: &AccountId,
    recipients: impl ExactSizeIterator<Item = &'a AccountId>,
) -> sqlx::Result<std::collections::BTreeSet<AccountId>> {
    if recipients.len() == 0 {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT r.account_id FROM directory_members o
         JOIN directory_members r ON r.directory_id = o.directory_id
         JOIN directories d ON d.id = o.directory_id
         WHERE o.account_id = $1 AND d.auto_accept AND r.account_id IN ({})",
        super::placeholders(2, recipients.len())
    );
    recipients
        .fold(sqlx::query_scalar(&sql).bind(owner), |q, r| q.bind(r))
        .fetch_all(conn)
        .await
        .map(|ids| ids.into_iter().collect())
}

/// Whether a directory exists.
pub async fn exists(conn: &mut Conn, directory: &str) -> sqlx::Result<bool> {
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM directories WHERE id = $1")
        .bind(directory)
        .fetch_optional(conn)
        .await?;
    Ok(known.is_some())
}

/// Takes an account out of its directory.
pub async fn remove_member(conn: &mut Conn, account: &AccountId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM directory_members WHERE account_id = $1")
        .bind(account)
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts an account into a directory, at its root or in a folder.
pub async fn add_member(
    conn: &mut Conn,
    account: &AccountId,
    directory: &str,
    folder: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO directory_members (account_id, directory_id, folder_id) VALUES ($1, $2, $3)",
    )
    .bind(account)
    .bind(directory)
    .bind(folder)
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns a directory's auto-accept on or off; whether there is such a directory.
pub async fn set_auto_accept<'c>(
    db: impl Executor<'c, Database = Any>,
    directory: &str,
    on: bool,
) -> sqlx::Result<bool> {
    let updated = sqlx::query("UPDATE directories SET auto_accept = $1 WHERE id = $2")
        .bind(on)
        .bind(directory)
        .execute(db)
        .await?;
    Ok(updated.rows_affected() == 1)
}

/// Whether a directory auto-accepts.
pub async fn auto_accept(conn: &mut Conn, directory: &str) -> sqlx::Result<bool> {
    let on: Flag =
        sqlx::query_scalar("SELECT (auto_accept IS TRUE) FROM directories WHERE id = $1")
            .bind(directory)
            .fetch_one(conn)
            .await?;
    Ok(on.0)
}

/// A folder with its path from the directory's root ("East / Retail").
#[derive(Debug, FromRow)]
pub struct FolderPath {
    pub id: FolderId,
    pub path: String,
}

/// A directory's folders, by path.
pub async fn folders(conn: &mut Conn, directory: &str) -> sqlx::Result<Vec<FolderPath>> {
    sqlx::query_as(
        "WITH RECURSIVE tree (id, path) AS (
             SELECT id, name FROM folders WHERE directory_id = $1 AND parent_id IS NULL
             UNION ALL
             SELECT f.id, t.path || ' / ' || f.name FROM folders f JOIN tree t ON f.parent_id = t.id)
         SELECT id, path FROM tree ORDER BY path",
    )
    .bind(directory)
    .fetch_all(conn)
    .await
}
