//! The `RateLimiter` contract (interface decision 22: a fixed one-minute window per caller), run
//! against the in-process limiter and the Redis limiter. The limiter takes the time of each
//! request, so the window's end is reached by passing a later instant rather than by waiting.
//! The Redis limiter is also checked for what it exists for: two instances (two API processes)
//! count together.

use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::ports::rate_limiter::{RateDecision, RateLimiter, WINDOW_SECONDS};

use crate::support::contract::contract;
use crate::support::limiters::{fresh_prefix, redis_with_connections, redis_with_prefix};

contract!(
    RateLimiter:
    requests_under_the_limit_are_admitted,
    the_request_past_the_limit_is_refused,
    a_new_window_starts_a_new_count,
    keys_are_counted_apart,
    health_answers,
);

/// Ten seconds into a window, so 50 seconds remain until it resets.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 10).unwrap()
}

async fn hit(limiter: &dyn RateLimiter, key: &str, limit: u32, now: DateTime<Utc>) -> RateDecision {
    limiter.hit(key, limit, now).await.expect("limiter answers")
}

async fn requests_under_the_limit_are_admitted(limiter: &dyn RateLimiter) {
    for i in 1..=3 {
        let decision = hit(limiter, "caller", 3, t0()).await;
        assert_eq!(
            decision,
            RateDecision {
                allowed: true,
                limit: 3,
                remaining: 3 - i,
                reset_after: 50,
            }
        );
    }
}

async fn the_request_past_the_limit_is_refused(limiter: &dyn RateLimiter) {
    for _ in 0..2 {
        assert!(hit(limiter, "caller", 2, t0()).await.allowed);
    }
    // Later in the same window: still refused, and refusals keep nothing in reserve.
    for later in [0, 1, 49] {
        let decision = hit(limiter, "caller", 2, t0() + Duration::seconds(later)).await;
        assert!(!decision.allowed, "{later}s later: {decision:?}");
        assert_eq!(decision.remaining, 0);
        assert_eq!(decision.limit, 2);
        assert_eq!(decision.reset_after, u64::try_from(50 - later).unwrap());
    }
}

async fn a_new_window_starts_a_new_count(limiter: &dyn RateLimiter) {
    assert!(hit(limiter, "caller", 1, t0()).await.allowed);
    assert!(!hit(limiter, "caller", 1, t0()).await.allowed);
    // The first instant of the next window.
    let next = t0() + Duration::seconds(50);
    let decision = hit(limiter, "caller", 1, next).await;
    assert!(decision.allowed, "{decision:?}");
    assert_eq!(decision.remaining, 0);
    assert_eq!(decision.reset_after, u64::try_from(WINDOW_SECONDS).unwrap());
    assert!(!hit(limiter, "caller", 1, next).await.allowed);
    // A window later again, counting restarts once more.
    let after = next + Duration::seconds(WINDOW_SECONDS);
    assert!(hit(limiter, "caller", 1, after).await.allowed);
}

async fn keys_are_counted_apart(limiter: &dyn RateLimiter) {
    assert!(hit(limiter, "key:alice", 1, t0()).await.allowed);
    assert!(!hit(limiter, "key:alice", 1, t0()).await.allowed);
    // Another caller, and a caller whose key is a prefix of the first, start from zero.
    assert_eq!(hit(limiter, "key:bob", 1, t0()).await.remaining, 0);
    assert!(!hit(limiter, "key:bob", 1, t0()).await.allowed);
    assert!(hit(limiter, "key:ali", 1, t0()).await.allowed);
    // The limit is per request, not per key: a caller with a larger limit still has its count.
    let decision = hit(limiter, "key:alice", 5, t0()).await;
    assert!(decision.allowed);
    assert_eq!(decision.remaining, 2);
}

async fn health_answers(limiter: &dyn RateLimiter) {
    limiter.health().await.expect("healthy");
}

/// Two Redis limiters on one prefix are two API processes: they share one count.
#[tokio::test]
async fn redis_instances_share_their_counts() {
    let prefix = fresh_prefix();
    let (first, second) = (redis_with_prefix(&prefix), redis_with_prefix(&prefix));
    assert_eq!(hit(&first, "caller", 3, t0()).await.remaining, 2);
    assert_eq!(hit(&second, "caller", 3, t0()).await.remaining, 1);
    assert_eq!(hit(&first, "caller", 3, t0()).await.remaining, 0);
    assert!(!hit(&second, "caller", 3, t0()).await.allowed);
    // Another prefix is another deployment.
    let other = redis_with_prefix(&fresh_prefix());
    assert!(hit(&other, "caller", 3, t0()).await.allowed);
}

/// An unreachable Redis is an error the server can fall back from, not a hang or an admission.
#[tokio::test]
async fn unreachable_redis_is_an_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let limiter = scaidns_core::adapters::rate_counters::RedisRateLimiter::new(
        &format!("redis://127.0.0.1:{port}"),
        "scaidns-test",
    )
    .unwrap();
    assert!(limiter.hit("caller", 3, t0()).await.is_err());
    assert!(limiter.health().await.is_err());
}

/// `REDIS_MAX_CONNECTIONS`: many concurrent callers share at most that many connections, and
/// the count stays one count whichever connection carried a request.
#[tokio::test]
async fn redis_connections_are_bounded_and_share_one_count() {
    let limiter = redis_with_connections(&fresh_prefix(), 3);
    let hits = futures::future::join_all((0..40).map(|_| limiter.hit("caller", 25, t0()))).await;
    let allowed = hits
        .into_iter()
        .map(|h| h.expect("limiter answers"))
        .filter(|d| d.allowed)
        .count();
    assert_eq!(allowed, 25, "one count across the connections");
    assert_eq!(limiter.open_connections().await, 3);
    let single = redis_with_connections(&fresh_prefix(), 1);
    futures::future::join_all((0..10).map(|_| single.hit("caller", 25, t0()))).await;
    assert_eq!(single.open_connections().await, 1);
}
