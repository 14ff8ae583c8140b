//! Where the rate limiter's request counts live: in process (always available), in Redis
//! (feature `redis`), and in Redis with a fallback that degrades to in-process counting with a
//! warning instead of failing requests. All implement [`crate::ports::rate_limiter::RateLimiter`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ports::rate_limiter::{RateDecision, RateLimitError, RateLimiter, window_of};

/// Counts in this process's memory: exact for a single API process.
#[derive(Debug, Default)]
pub struct InProcessRateLimiter {
    counts: Mutex<HashMap<String, (i64, u64)>>,
}

/// Entries kept before windows that have ended are dropped.
const PRUNE_ABOVE: usize = 10_000;

impl InProcessRateLimiter {
    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, RateLimitError> {
        let window = window_of(now);
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.len() > PRUNE_ABOVE {
            counts.retain(|_, (w, _)| *w == window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 += 1;
        Ok(RateDecision::of(entry.1, limit, now))
    }
}

/// Uses `primary` (Redis) and falls back to counting in-process while it fails, warning at most
/// once a minute.
#[derive(Debug)]
pub struct FallbackRateLimiter<P> {
    primary: P,
    fallback: InProcessRateLimiter,
    last_warning: AtomicI64,
}

impl<P: RateLimiter> FallbackRateLimiter<P> {
    /// Wraps `primary`.
    pub fn new(primary: P) -> Self {
        Self {
            primary,
            fallback: InProcessRateLimiter::new(),
            last_warning: AtomicI64::new(i64::MIN),
        }
    }
}

#[async_trait]
impl<P: RateLimiter> RateLimiter for FallbackRateLimiter<P> {
    async fn hit(
        &self,
        key: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, RateLimitError> {
        match self.primary.hit(key, limit, now).await {
            Ok(decision) => Ok(decision),
            Err(e) => {
                let window = window_of(now);
                if self.last_warning.swap(window, Ordering::Relaxed) != window {
                    tracing::warn!(error = %e, "rate limiter falling back to in-process counting");
                }
                self.fallback.hit(key, limit, now).await
            }
        }
    }

    async fn health(&self) -> Result<(), RateLimitError> {
        self.primary.health().await
    }
}

#[cfg(feature = "redis")]
pub use redis_limiter::RedisRateLimiter;

#[cfg(feature = "redis")]
mod redis_limiter {
    use std::time::Duration;

    use async_trait::async_trait;
    use chrono::{DateTime, Utc};
    use redis::aio::ConnectionManager;

    use crate::ports::rate_limiter::{
        RateDecision, RateLimitError, RateLimiter, WINDOW_SECONDS, window_of,
    };

    /// How long a Redis round trip may take before the request is counted in-process instead.
    const TIMEOUT: Duration = Duration::from_millis(250);

    /// How long to wait before trying to reconnect after a failed connection attempt.
    const RECONNECT_AFTER: Duration = Duration::from_secs(5);

    /// Counts in Redis, shared by every API process: `INCR` on a key per caller and window,
    /// expiring after the window. Connects lazily and reconnects after failures, so Redis may be
    /// down at start-up and come back later.
    ///
    /// Holds at most `max_connections` multiplexed connections (`REDIS_MAX_CONNECTIONS`), used
    /// in turn: one is enough for correctness, more spread a busy replica's round trips.
    pub struct RedisRateLimiter {
        client: redis::Client,
        slots: Vec<tokio::sync::Mutex<Option<ConnectionManager>>>,
        next: std::sync::atomic::AtomicUsize,
        // Connections are opened one at a time, and one failed attempt makes every slot wait,
        // so an outage costs one connect per RECONNECT_AFTER, never one per slot at once.
        connecting: tokio::sync::Mutex<()>,
        failed_at: std::sync::Mutex<Option<std::time::Instant>>,
        prefix: String,
    }

    impl std::fmt::Debug for RedisRateLimiter {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("RedisRateLimiter")
                .field("prefix", &self.prefix)
                .field("max_connections", &self.slots.len())
                .finish_non_exhaustive()
        }
    }

    impl RedisRateLimiter {
        /// A limiter for `url` (`redis://…`) with one connection; fails only when the URL is
        /// malformed.
        pub fn new(url: &str, prefix: &str) -> Result<Self, RateLimitError> {
            Self::with_max_connections(url, prefix, 1)
        }

        /// A limiter for `url` opening at most `max_connections` (at least 1) connections.
        pub fn with_max_connections(
            url: &str,
            prefix: &str,
            max_connections: usize,
        ) -> Result<Self, RateLimitError> {
            let client = redis::Client::open(url).map_err(|e| RateLimitError(redacted(&e)))?;
            Ok(Self {
                client,
                slots: (0..max_connections.max(1))
                    .map(|_| tokio::sync::Mutex::new(None))
                    .collect(),
                next: std::sync::atomic::AtomicUsize::new(0),
                connecting: tokio::sync::Mutex::new(()),
                failed_at: std::sync::Mutex::new(None),
                prefix: prefix.to_owned(),
            })
        }

        /// How many connections are open now (never more than the maximum).
        pub async fn open_connections(&self) -> usize {
            let mut open = 0;
            for slot in &self.slots {
                open += usize::from(slot.lock().await.is_some());
            }
            open
        }

        async fn connection(&self) -> Result<ConnectionManager, RateLimitError> {
            let turn = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut slot = self.slots[turn % self.slots.len()].lock().await;
            if let Some(conn) = &*slot {
                return Ok(conn.clone());
            }
            // Checked after taking the turn to connect: callers queued behind an attempt that
            // failed give up at once instead of each trying in their turn.
            let _turn = self.connecting.lock().await;
            let failed_recently = self
                .failed_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .is_some_and(|at| at.elapsed() < RECONNECT_AFTER);
            if failed_recently {
                return Err(RateLimitError("Redis is unreachable".to_owned()));
            }
            let connected =
                tokio::time::timeout(TIMEOUT * 4, ConnectionManager::new(self.client.clone()))
                    .await
                    .map_err(|_| RateLimitError("timed out connecting to Redis".to_owned()))
                    .and_then(|r| r.map_err(|e| RateLimitError(redacted(&e))));
            let conn = connected.inspect_err(|_| {
                *self
                    .failed_at
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(std::time::Instant::now());
            })?;
            *self
                .failed_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            *slot = Some(conn.clone());
            Ok(conn)
        }
    }

    // Redis errors can echo the connection URL, which may hold a password.
    fn redacted(e: &redis::RedisError) -> String {
        format!("{:?}", e.kind())
    }

    #[async_trait]
    impl RateLimiter for RedisRateLimiter {
        async fn hit(
            &self,
            key: &str,
            limit: u32,
            now: DateTime<Utc>,
        ) -> Result<RateDecision, RateLimitError> {
            let redis_key = format!("{}:{key}:{}", self.prefix, window_of(now));
            let mut conn = self.connection().await?;
            let mut pipe = redis::pipe();
            pipe.atomic()
                .incr(&redis_key, 1u64)
                .expire(&redis_key, WINDOW_SECONDS + 1)
                .ignore();
            let (count,): (u64,) = tokio::time::timeout(TIMEOUT, pipe.query_async(&mut conn))
                .await
                .map_err(|_| RateLimitError("Redis timed out".to_owned()))?
                .map_err(|e| RateLimitError(redacted(&e)))?;
            Ok(RateDecision::of(count, limit, now))
        }

        async fn health(&self) -> Result<(), RateLimitError> {
            let mut conn = self.connection().await?;
            tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async::<String>(&mut conn))
                .await
                .map_err(|_| RateLimitError("Redis timed out".to_owned()))?
                .map(drop)
                .map_err(|e| RateLimitError(redacted(&e)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Debug)]
    struct Down;

    #[async_trait]
    impl RateLimiter for Down {
        async fn hit(
            &self,
            _: &str,
            _: u32,
            _: DateTime<Utc>,
        ) -> Result<RateDecision, RateLimitError> {
            Err(RateLimitError("down".into()))
        }
    }

    #[tokio::test]
    async fn counts_per_key_and_window() {
        let limiter = InProcessRateLimiter::new();
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 10).unwrap();
        for i in 1..=3 {
            let d = limiter.hit("a", 3, t0).await.unwrap();
            assert!(d.allowed);
            assert_eq!(d.remaining, 3 - i);
            assert_eq!(d.reset_after, 50);
        }
        assert!(!limiter.hit("a", 3, t0).await.unwrap().allowed);
        assert!(limiter.hit("b", 3, t0).await.unwrap().allowed);
        let next = t0 + chrono::Duration::seconds(50);
        assert!(limiter.hit("a", 3, next).await.unwrap().allowed);
    }

    #[tokio::test]
    async fn falls_back_when_primary_fails() {
        let limiter = FallbackRateLimiter::new(Down);
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(limiter.hit("k", 1, now).await.unwrap().allowed);
        assert!(!limiter.hit("k", 1, now).await.unwrap().allowed);
    }
}
