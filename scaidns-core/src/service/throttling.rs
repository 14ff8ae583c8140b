//! The service's rate limiter ([`Throttle`], interface decision 22), handed to the server so it
//! counts requests without holding the rate-limiter port. Which key and limit apply is the
//! server's choice (it knows the configured per-user limit); counting, and whether the count is
//! shared, is the port's.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ports::rate_limiter::{RateDecision, RateLimitError, RateLimiter};

use super::ScaiDns;

/// The rate limiter and whether its counts are shared between processes. Only a service built
/// with a rate limiter hands one out ([`ScaiDns::throttle`]), so the server, which must never
/// serve unthrottled, asks for it when it builds its state instead of silently allowing.
#[derive(Debug, Clone)]
pub struct Throttle {
    pub(crate) limiter: Arc<dyn RateLimiter>,
    /// Counted in Redis (readiness checks it) rather than in this process.
    pub(crate) shared: bool,
}

impl Throttle {
    /// Counts one request of `key` against `limit` per minute.
    pub async fn hit(
        &self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, RateLimitError> {
        self.limiter.hit(key, limit, now).await
    }
}

impl ScaiDns {
    /// Adds the rate limiter; `shared` when its counts live outside the process (Redis).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>, shared: bool) -> Self {
        self.rate_limiter = Some(Throttle { limiter, shared });
        self
    }

    /// The rate limiter added by [`Self::with_rate_limiter`]; `None` when there is none.
    pub fn throttle(&self) -> Option<Throttle> {
        self.rate_limiter.clone()
    }
}
