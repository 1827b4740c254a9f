//! `resources`: servers, disks and clusters, restored ones included, until released.

use sqlx::{Any, Executor, FromRow};

use super::Flag;
use crate::db::Conn;
use crate::ids::{AccountId, ProjectId, ResourceId};
use crate::model::ResourceKind;
use crate::paging::PageAt;

/// A resource as "Resources" lists it.
#[derive(Debug, FromRow)]
pub struct ListedRow {
    pub id: ResourceId,
    pub name: String,
    pub kind: ResourceKind,
    pub region: String,
    pub project_id: ProjectId,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: i64,
    /// Some restore created it.
    pub restored: Flag,
}

/// One keyset page of the account's resources that are not released, newest first
/// (`at`'s cursor binds `$3, $4`).
pub async fn page<'c>(
    db: impl Executor<'c, Database = Any>,
    account: &AccountId,
    at: &PageAt,
    limit: i64,
) -> sqlx::Result<Vec<ListedRow>> {
    let (from, order) = at.sql("r.created_at", "r.id", 3);
    let sql = format!(
        "SELECT r.id, r.name, r.kind, r.region, r.project_id, r.size_bytes, r.sha256, r.created_at,
                EXISTS (SELECT 1 FROM restores x WHERE x.resource_id = r.id) AS restored
         FROM resources r WHERE r.account_id = $1 AND r.released_at IS NULL {from}
         ORDER BY r.created_at {order}, r.id {order} LIMIT $2"
    );
    super::after_cursor(sqlx::query_as(&sql).bind(account).bind(limit), at)
        .fetch_all(db)
        .await
}

/// The kind of one of the account's resources that is not released.
pub async fn kind_of_owned(
    conn: &mut Conn,
    id: &str,
    account: &AccountId,
) -> sqlx::Result<Option<ResourceKind>> {
    sqlx::query_scalar(
        "SELECT kind FROM resources WHERE id = $1 AND account_id = $2 AND released_at IS NULL",
    )
    .bind(id)
    .bind(account)
    .fetch_optional(conn)
    .await
}

pub async fn mark_released(conn: &mut Conn, id: &str, now: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE resources SET released_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A resource a restore created (its bytes written and verified).
#[derive(Debug)]
pub struct Restored<'a> {
    pub id: &'a str,
    pub account: &'a str,
    pub project: &'a str,
    pub region: &'a str,
    pub kind: ResourceKind,
    pub name: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

pub async fn insert_restored(
    conn: &mut Conn,
    resource: Restored<'_>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO resources (id, account_id, project_id, region, kind, name, encrypted,
                                size_bytes, sha256, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8, $9)",
    )
    .bind(resource.id)
    .bind(resource.account)
    .bind(resource.project)
    .bind(resource.region)
    .bind(resource.kind)
    .bind(resource.name)
    .bind(resource.size_bytes)
    .bind(resource.sha256)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
