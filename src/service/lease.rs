//! Leases on background jobs (copies and restores): a worker claims a row for one attempt
//! until a deadline and renews it while it works, so on several instances each job runs
//! once at a time, a dead worker's job is taken over when its lease lapses, and a stale
//! worker, whose attempt number is no longer the row's, can finish nothing.

use std::time::Duration;

use chrono::Utc;

use super::millis;
use crate::db::Db;

/// The kinds of leased job, each a table keyed by one column.
#[derive(Clone, Copy, Debug)]
pub(super) enum Job {
    Copy,
    Restore,
}

impl Job {
    fn renew(self) -> &'static str {
        match self {
            Job::Copy => "UPDATE copies SET lease_until = $1 WHERE grant_id = $2 AND attempt = $3 AND status = 'copying'",
            Job::Restore => "UPDATE restores SET lease_until = $1 WHERE id = $2 AND attempt = $3 AND status = 'running'",
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
                let renewed = sqlx::query(job.renew())
                    .bind(millis(Utc::now() + lease))
                    .bind(&key)
                    .bind(attempt)
                    .execute(&db)
                    .await;
                if !matches!(renewed, Ok(done) if done.rows_affected() == 1) {
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
