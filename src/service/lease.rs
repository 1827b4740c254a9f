//! Leases on background jobs (copies and restores): a worker claims a row for one attempt
//! until a deadline and renews it while it works, so on several instances each job runs
//! once at a time, a dead worker's job is taken over when its lease lapses, and a stale
//! worker, whose attempt number is no longer the row's, can finish nothing.

use std::time::Duration;

use chrono::Utc;

use super::millis;
use crate::db::Db;

/// The kinds of leased job, each a table of its own.
#[derive(Clone, Copy, Debug)]
pub(super) enum Job {
    Copy,
    Restore,
}

impl Job {
    /// Renews an attempt's lease until `until`; whether the attempt still holds the job.
    async fn renew(self, db: &Db, key: &str, attempt: i64, until: i64) -> sqlx::Result<bool> {
        match self {
            Job::Copy => crate::store::vaults::renew_lease(db, key, attempt, until).await,
            Job::Restore => crate::store::restores::renew_lease(db, key, attempt, until).await,
        }
    }
}

/// Renews one attempt's lease every third of its length, on its own clock (a long step of
/// the work never lets it lapse), until dropped or until the attempt no longer holds the job.
pub(super) struct LeaseKeeper(tokio::task::JoinHandle<()>);

impl LeaseKeeper {
    pub(super) fn start(
        db: Db,
        job: Job,
        key: String,
        attempt: i64,
        lease: chrono::Duration,
    ) -> Self {
        let every = (lease / 3).to_std().unwrap_or(Duration::from_secs(1));
        Self(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let until = millis(Utc::now() + lease);
                let renewed = job.renew(&db, &key, attempt, until).await;
                // A database hiccup ends the keeping: the lease lapses and the job reruns.
                if !matches!(renewed, Ok(true)) {
                    return;
                }
            }
        }))
    }
}

impl Drop for LeaseKeeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}
