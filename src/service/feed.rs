//! What the push feed reads: the `changes` rows written with every change, in order.

use super::*;

impl Backshare {
    /// Changes after `seq`, oldest first: (seq, account id), at most `limit`.
    pub async fn changes_after(&self, seq: i64, limit: i64) -> ServiceResult<Vec<(i64, String)>> {
        Ok(store::activity::changes_after(&self.db, seq, limit).await?)
    }

    /// The newest change's number (0 when there is none), where a new feed starts.
    pub async fn latest_change(&self) -> ServiceResult<i64> {
        Ok(store::activity::latest_change(&self.db).await?)
    }
}
