//! How fast one access key may call the signed APIs (`/ram/*` and signed `/api/*`): a
//! token bucket per key (GCRA, the `governor` crate), so one key, or one script gone
//! wrong, cannot take an instance's whole capacity from everyone else. AWS answers the
//! same way, with `ThrottlingException`. The buckets are per instance, in memory: with N
//! instances behind a balancer a key gets up to N times the rate, a bound that holds
//! without a database write per call.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The buckets of this instance; `None`: no limit.
#[derive(Clone, Default)]
pub struct ApiRate(Option<Arc<DefaultKeyedRateLimiter<String>>>);

impl ApiRate {
    /// `per_second` calls per second per key on average, `burst` at once; 0: no limit.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self(NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            Arc::new(RateLimiter::dashmap(
                Quota::per_second(rate).allow_burst(burst),
            ))
        }))
    }

    /// Takes one call from `key_id`'s bucket, or says how long until it holds one again.
    pub fn take(&self, key_id: &str) -> Result<(), Duration> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter
            .check_key(&key_id.to_owned())
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Drops the buckets of keys that are full again (idle), so memory follows the keys
    /// in use, not every key ever seen.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

impl std::fmt::Debug for ApiRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ApiRate").field(&self.0.is_some()).finish()
    }
}
