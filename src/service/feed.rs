//! What the push feed reads: the `changes` rows written with every change, in order.

use super::*;

impl Backshare {
    /// Changes after `seq`, oldest first: (seq, account id), at most `limit`.
    pub async fn changes_after(&self, seq: i64, limit: i64) -> ServiceResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT seq, account_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.db)
        .await?)
    }

    /// The newest change's number (0 when there is none), where a new feed starts.
    pub async fn latest_change(&self) -> ServiceResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes")
                .fetch_one(&self.db)
                .await?,
        )
    }
}
