//! Request counting for rate limits (interface decision 22), through the service so the server
//! never holds the rate-limiter port. Which key and limit apply is the server's choice (it knows
//! the configured per-user limit); counting, and whether the count is shared, is the port's.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ports::rate_limiter::RateLimiter;

pub use crate::ports::rate_limiter::{RateDecision, RateLimitError};

use super::ScaiDns;

/// The rate limiter and whether its counts are shared between processes.
#[derive(Debug, Clone)]
pub(crate) struct RateLimits {
    pub(crate) limiter: Arc<dyn RateLimiter>,
    /// Counted in Redis (readiness checks it) rather than in this process.
    pub(crate) shared: bool,
}

impl ScaiDns {
    /// Adds the rate limiter; `shared` when its counts live outside the process (Redis).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>, shared: bool) -> Self {
        self.rate_limiter = Some(RateLimits { limiter, shared });
        self
    }

    /// Counts one request of `key` against `limit` per minute. `Ok(None)` when no rate limiter
    /// is configured: nothing is counted.
    pub async fn rate_limit_hit(
        &self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<RateDecision>, RateLimitError> {
        match &self.rate_limiter {
            Some(limits) => limits.limiter.hit(key, limit, now).await.map(Some),
            None => Ok(None),
        }
    }

    /// The current time of the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
