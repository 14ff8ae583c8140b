//! One bound on every request body, applied before routing and before authentication.
//!
//! A body announced larger than the limit is refused at once; any other body (chunked ones
//! included) is counted as the handler reads it, and the read fails as soon as the count passes
//! the limit, so nothing ever holds more than the limit in memory. The request layer then answers
//! 413 `body_too_large` whatever the handler made of the failed read. Routes that need more (zone
//! imports) get their own limit through [`BodyLimits::with_route`].

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use poem::http::StatusCode;
use poem::{Body, Request};
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::ApiError;

/// Default limit: 4 MiB (bulk record changes included).
pub use crate::config::DEFAULT_MAX_BODY_BYTES;

/// The limit for each route.
#[derive(Debug, Clone)]
pub struct BodyLimits {
    default: usize,
    /// `(path template with {params}, limit)`; the first match wins.
    routes: Vec<(String, usize)>,
    /// `(path template, most JSON values)` for routes whose body is counted before it is parsed.
    value_caps: Vec<(String, usize)>,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BODY_BYTES)
    }
}

impl BodyLimits {
    /// `default` bytes for every route.
    pub fn new(default: usize) -> Self {
        Self {
            default,
            routes: Vec::new(),
            value_caps: Vec::new(),
        }
    }

    /// `bytes` for the route `template` (`/api/v1/domains/{domain_id}/import`).
    #[must_use]
    pub fn with_route(mut self, template: &str, bytes: usize) -> Self {
        self.routes.push((template.to_owned(), bytes));
        self
    }

    /// At most `values` JSON values in a body for the route `template`, counted on the raw
    /// bytes before anything parses them: a body of `[0,0,…]` within the byte limit is millions
    /// of values, each far larger once parsed than its two bytes.
    #[must_use]
    pub fn with_value_cap(mut self, template: &str, values: usize) -> Self {
        self.value_caps.push((template.to_owned(), values));
        self
    }

    /// The value cap for a request to `path`, if its route has one.
    pub fn value_cap_for(&self, path: &str) -> Option<usize> {
        self.value_caps
            .iter()
            .find(|(template, _)| crate::body_check::template_matches(template, path))
            .map(|(_, values)| *values)
    }

    /// The limit for a request to `path`.
    pub fn for_path(&self, path: &str) -> usize {
        self.routes
            .iter()
            .find(|(template, _)| crate::body_check::template_matches(template, path))
            .map_or(self.default, |(_, bytes)| *bytes)
    }
}

/// Whether the body of a request went past its limit; set while the handler reads it.
#[derive(Debug, Clone, Default)]
pub struct Tripped(Arc<AtomicBool>);

impl Tripped {
    /// True once more than the limit was read.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// The 413 every over-long body gets.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("Request body is larger than the limit of {limit} bytes"),
    )
}

/// An upper bound on the number of JSON values in `body`, from one pass over its bytes without
/// parsing: every value but the first of a container follows a comma, so commas plus
/// containers plus one, counted outside strings.
pub fn json_values(body: &[u8]) -> usize {
    let (mut count, mut in_string, mut escaped) = (1usize, false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => count += 1,
                _ => {}
            }
        }
    }
    count
}

/// The 413 a body with more JSON values than its route's cap gets.
pub fn too_many_values(cap: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_many_items",
        format!("Request body holds more than {cap} JSON values; send fewer items"),
    )
}

/// The body length `req` declares in `Content-Length`, if any and readable.
pub fn declared_length(req: &Request) -> Option<u64> {
    req.header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Puts `req`'s body behind `limit`: an error when its declared length is over, otherwise the
/// flag the counting reader sets when the body turns out longer.
pub fn apply(req: &mut Request, limit: usize) -> Result<Tripped, ApiError> {
    let declared = declared_length(req);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let tripped = Tripped::default();
    if declared != Some(0) {
        let reader = Limited {
            inner: Box::pin(req.take_body().into_async_read()),
            left: limit,
            tripped: tripped.clone(),
        };
        req.set_body(Body::from_async_read(reader));
    }
    Ok(tripped)
}

/// Counts the bytes read and fails the read that goes past the limit.
struct Limited {
    inner: Pin<Box<dyn AsyncRead + Send>>,
    left: usize,
    tripped: Tripped,
}

impl AsyncRead for Limited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(self.inner.as_mut().poll_read(cx, buf))?;
        let read = buf.filled().len() - before;
        if read > self.left {
            self.tripped.0.store(true, Ordering::SeqCst);
            return Poll::Ready(Err(io::Error::other("request body too large")));
        }
        self.left -= read;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Body, length: Option<usize>) -> Request {
        let mut builder = Request::builder().method(poem::http::Method::POST);
        if let Some(n) = length {
            builder = builder.header("content-length", n.to_string());
        }
        builder.body(body)
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let mut req = request(Body::from_vec(vec![0; 11]), Some(11));
        let err = apply(&mut req, 10).unwrap_err();
        assert_eq!(
            (err.status(), err.code()),
            (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
        );
    }

    #[tokio::test]
    async fn an_undeclared_body_fails_once_it_passes_the_limit() {
        use tokio::io::AsyncReadExt;
        let endless = Body::from_async_read(tokio::io::repeat(7).take(1 << 20));
        let mut req = request(endless, None);
        let tripped = apply(&mut req, 10).unwrap();
        assert!(req.take_body().into_vec().await.is_err());
        assert!(tripped.is_set());
    }

    #[tokio::test]
    async fn a_body_within_the_limit_reads_whole() {
        let mut req = request(Body::from_vec(vec![1; 10]), None);
        let tripped = apply(&mut req, 10).unwrap();
        assert_eq!(req.take_body().into_vec().await.unwrap(), vec![1; 10]);
        assert!(!tripped.is_set());
    }

    #[test]
    fn json_values_are_counted_outside_strings() {
        assert_eq!(json_values(b"0"), 1);
        assert_eq!(json_values(br#"{"delete":[0,0,0]}"#), 5);
        assert_eq!(json_values(br#"{"a":"x,[{\",]"}"#), 2);
        assert!(json_values(&b"0,".repeat(1000)) > 1000);
    }

    #[test]
    fn routes_can_have_their_own_limit() {
        let limits = BodyLimits::new(100).with_route("/api/v1/domains/{domain_id}/import", 1000);
        assert_eq!(limits.for_path("/api/v1/domains/abc/import"), 1000);
        assert_eq!(limits.for_path("/api/v1/domains/abc"), 100);
        assert_eq!(limits.for_path("/api/v1/domains/abc/import/x"), 100);
    }
}
