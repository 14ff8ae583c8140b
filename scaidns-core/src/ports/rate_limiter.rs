//! Request rate limits (interface decision 22): a fixed one-minute window per caller, counted in
//! Redis when configured so that every API process shares one count, in-process otherwise.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Length of a rate-limit window, seconds.
pub const WINDOW_SECONDS: i64 = 60;

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left in this window.
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_after: u64,
}

impl RateDecision {
    /// The decision for the `count`-th request of a window at `now`.
    pub fn of(count: u64, limit: u32, now: DateTime<Utc>) -> Self {
        let elapsed = now.timestamp().rem_euclid(WINDOW_SECONDS);
        Self {
            allowed: count <= u64::from(limit),
            limit,
            remaining: u32::try_from(u64::from(limit).saturating_sub(count)).unwrap_or(0),
            reset_after: u64::try_from(WINDOW_SECONDS - elapsed).unwrap_or(1),
        }
    }
}

/// The index of the window `now` falls in.
pub fn window_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(WINDOW_SECONDS)
}

/// The counter could not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct RateLimitError(pub String);

/// Counts requests per caller.
#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one request of `key` at `now` against `limit` requests per window.
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, RateLimitError>;

    /// Whether the shared counter (Redis) is reachable; in-process counting always is.
    async fn health(&self) -> Result<(), RateLimitError> {
        Ok(())
    }
}
