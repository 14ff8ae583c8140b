//! When a failed call is sent again, and after how long: exponential backoff with full jitter,
//! `Retry-After` honoured, and only for calls that are safe to repeat.

use std::time::Duration;

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use reqwest::{Method, Request, Response, StatusCode};

/// The header that makes a `POST` or `PATCH` safe to send again: the server answers a repeat
/// with the first answer instead of applying it twice (for 24 hours by default).
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Operations that take no `Idempotency-Key`, by operation id: those whose answer carries a
/// secret shown once (the server refuses the key, since it would have to store the secret),
/// the `POST`s that only read (the server ignores the key), and the anonymous ones. Automatic
/// and fixed keys leave them alone. The server's list and the spec are compared with this one
/// by the API tests (`idempotency::keyless_operations_match_the_spec`).
pub const KEYLESS_OPERATIONS: &[&str] = &[
    "api_key_create",
    "api_key_regenerate",
    "webhook_subscription_create",
    "auth_token",
    "auth_refresh",
    "auth_validate",
    "webhook_scaikey",
    "record_search_zone",
    "zone_import_preview",
    "validation_check",
    "permission_check",
    "plan_create",
];

/// How often and how patiently a client retries.
///
/// A call is retried when the server answers 429 (after its `Retry-After`) or 503, or when the
/// connection fails, or, for a keyed write, 409 `idempotency_in_progress` (after its
/// `Retry-After`: the first copy still runs), and only when repeating it cannot apply a change twice: `GET`, `HEAD`,
/// `PUT`, `DELETE` and `OPTIONS`, and `POST` and `PATCH` sent with an `Idempotency-Key` (see
/// [`Client::with_idempotency_key`](crate::Client::with_idempotency_key) and
/// [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys)). A `POST` or
/// `PATCH` without a key is sent once.
///
/// Between attempts the client waits a random time between zero and
/// `min(max_delay, base_delay × 2^(attempt − 1))` ("full jitter"), or the server's
/// `Retry-After` when it sent one. A `Retry-After` longer than `max_delay` is not waited for:
/// the call fails at once and [`Error::retry_after`](crate::Error::retry_after) says how long
/// the server asked for.
///
/// The default `max_delay` (60 s) matches the server's rate-limit window, so a `Retry-After`
/// from the limiter is waited for. Overall bound: one call takes at most
/// `max_attempts × timeout + (max_attempts − 1) × max_delay` (defaults: 3 × 60 s + 2 × 60 s =
/// 5 min); lower `max_attempts` or `max_delay`, or wrap the call in `tokio::time::timeout`,
/// for a tighter deadline.
///
/// ```
/// use std::time::Duration;
/// use scaidns_client::RetryPolicy;
///
/// let patient = RetryPolicy::new(5)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(10));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, backoff from 200 ms, waits of at most 60 s (the server's rate-limit
    /// window).
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// At most `max_attempts` attempts per call (the first one included; 0 counts as 1), with
    /// the default delays.
    #[must_use]
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// Every call is sent once.
    #[must_use]
    pub fn none() -> Self {
        Self::new(1)
    }

    /// The backoff's first step; each further attempt doubles it.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait between two attempts, and the longest `Retry-After` worth waiting for.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The most attempts a call gets.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long to wait before attempt `attempt + 1`, or `None` when the outcome of attempt
    /// `attempt` (1-based) stands.
    pub(crate) fn delay_after(
        &self,
        outcome: &reqwest::Result<Response>,
        attempt: u32,
        repeatable: bool,
        keyed: bool,
    ) -> Option<Duration> {
        if !repeatable || attempt >= self.max_attempts {
            return None;
        }
        match outcome {
            Ok(response) => match response.status() {
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                    match retry_after(response.headers()) {
                        Some(wait) if wait > self.max_delay => None,
                        Some(wait) => Some(wait),
                        None => Some(self.backoff(attempt)),
                    }
                }
                // A keyed repeat that reached the server while the first copy still runs
                // (409 `idempotency_in_progress`, the only 409 that carries `Retry-After`):
                // its answer comes once the first copy finished.
                StatusCode::CONFLICT if keyed => match retry_after(response.headers()) {
                    Some(wait) if wait <= self.max_delay => Some(wait),
                    _ => None,
                },
                _ => None,
            },
            // Refused, reset, closed before the answer, or timed out: the request may or may
            // not have been applied, which is why only repeatable calls get here.
            Err(e) if e.is_connect() || e.is_request() || e.is_timeout() => {
                Some(self.backoff(attempt))
            }
            Err(_) => None,
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let cap_ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=cap_ms))
    }
}

/// Whether sending `request` twice cannot apply it twice.
pub(crate) fn is_repeatable(request: &Request) -> bool {
    let method = request.method();
    [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
    ]
    .contains(method)
        || request.headers().contains_key(IDEMPOTENCY_KEY)
}

/// The `Retry-After` of a response: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_its_cap() {
        let policy = RetryPolicy::new(10)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for attempt in 1..=9 {
            let cap = (100u64 << (attempt - 1)).min(350);
            for _ in 0..50 {
                assert!(policy.backoff(attempt) <= Duration::from_millis(cap));
            }
        }
        assert!(policy.backoff(u32::MAX) <= Duration::from_millis(350));
    }

    #[test]
    fn reads_retry_after_in_both_forms() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn writes_repeat_only_with_a_key() {
        let url = reqwest::Url::parse("http://127.0.0.1/").unwrap();
        let mut post = Request::new(Method::POST, url.clone());
        assert!(!is_repeatable(&post));
        post.headers_mut()
            .insert(IDEMPOTENCY_KEY, "k1".parse().unwrap());
        assert!(is_repeatable(&post));
        assert!(!is_repeatable(&Request::new(Method::PATCH, url.clone())));
        assert!(is_repeatable(&Request::new(Method::DELETE, url)));
    }

    #[test]
    fn default_waits_out_the_rate_limit_window() {
        assert_eq!(RetryPolicy::default().max_delay, Duration::from_secs(60));
    }
}
