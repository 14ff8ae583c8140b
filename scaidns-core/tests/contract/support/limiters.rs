//! Rate limiter fixtures: the in-process limiter, and the Redis limiter on the server at
//! `SCAIDNS_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) with a key prefix of its own, so
//! runs never see each other's counts. Like the databases, a missing Redis fails the suite.

use std::sync::Arc;

use scaidns_core::adapters::rate_counters::{InProcessRateLimiter, RedisRateLimiter};
use scaidns_core::ports::rate_limiter::RateLimiter;

use crate::support::contract::UnderTest;

/// Default server for the Redis half of the suite.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// A limiter under test.
pub struct Limiter(Arc<dyn RateLimiter>);

impl UnderTest for Limiter {
    type Subject = dyn RateLimiter;

    fn subject(&self) -> &Self::Subject {
        self.0.as_ref()
    }
}

/// A new in-process limiter.
pub async fn in_process() -> Limiter {
    Limiter(Arc::new(InProcessRateLimiter::new()))
}

/// A Redis limiter with a fresh key prefix.
pub async fn redis() -> Limiter {
    Limiter(Arc::new(redis_with_prefix(&fresh_prefix())))
}

/// A key prefix no other run uses.
pub fn fresh_prefix() -> String {
    format!("scaidns-test:{}", uuid::Uuid::new_v4().simple())
}

/// A Redis limiter counting under `prefix`; two with one prefix share their counts.
pub fn redis_with_prefix(prefix: &str) -> RedisRateLimiter {
    redis_with_connections(prefix, 1)
}

/// A Redis limiter counting under `prefix` over at most `max_connections` connections.
pub fn redis_with_connections(prefix: &str, max_connections: usize) -> RedisRateLimiter {
    let url =
        std::env::var("SCAIDNS_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
    RedisRateLimiter::with_max_connections(&url, prefix, max_connections).expect("Redis URL")
}
