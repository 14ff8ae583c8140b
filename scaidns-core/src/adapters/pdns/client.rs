//! HTTP transport to the PowerDNS API: URLs, headers, and the mapping from HTTP outcomes to
//! [`BackendError`] kinds (`spec/powerdns.md` §8.1).
//!
//! Every call sends `X-API-Key`, `Content-Type` and `Accept: application/json`: without the JSON
//! `Accept`, PowerDNS answers 401/404/405/409 with `text/plain` bodies. PowerDNS closes every
//! connection (`Connection: close`), so there is nothing to gain from pooling.

use std::fmt;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::ApiError;
use crate::ports::backend::{BackendError, BackendErrorKind};

/// The PowerDNS API key. Its `Debug` and `Display` never show the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct PdnsApiKey(String);

impl PdnsApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The secret itself, for the request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PdnsApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PdnsApiKey(***)")
    }
}

impl From<String> for PdnsApiKey {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for PdnsApiKey {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A thin JSON client bound to one PowerDNS server (`…/api/v1/servers/{server_id}`).
#[derive(Clone)]
pub(crate) struct PdnsClient {
    http: reqwest::Client,
    /// `…/api/v1/servers/{server_id}`, without a trailing slash.
    server_url: Url,
}

impl fmt::Debug for PdnsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PdnsClient")
            .field("server_url", &self.server_url.as_str())
            .finish()
    }
}

/// A successful response's body.
pub(crate) struct Reply {
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, BackendError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            BackendError::new(
                BackendErrorKind::Unavailable,
                format!("PowerDNS returned an unexpected body ({e})"),
            )
        })
    }
}

impl PdnsClient {
    pub(crate) fn new(
        api_url: &str,
        server_id: &str,
        api_key: &PdnsApiKey,
        timeout: Duration,
    ) -> Result<Self, BackendError> {
        let invalid = |why: String| BackendError::new(BackendErrorKind::Unavailable, why);
        let mut server_url = Url::parse(api_url.trim_end_matches('/'))
            .map_err(|e| invalid(format!("invalid PowerDNS API URL '{api_url}': {e}")))?;
        if server_url.cannot_be_a_base() {
            return Err(invalid(format!("invalid PowerDNS API URL '{api_url}'")));
        }
        server_url
            .path_segments_mut()
            .map_err(|()| invalid(format!("invalid PowerDNS API URL '{api_url}'")))?
            .pop_if_empty()
            .extend(["api", "v1", "servers", server_id]);

        let mut key = HeaderValue::from_str(api_key.expose()).map_err(|_| {
            invalid("the PowerDNS API key contains characters not allowed in a header".into())
        })?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("X-API-Key", key);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            // PowerDNS sits on loopback or a private network: an HTTP(S)_PROXY meant for the
            // outside world must not capture the API key.
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| invalid(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self { http, server_url })
    }

    /// URL of `segments` below the server URL (each segment is percent-encoded as needed), with
    /// `query` pairs.
    pub(crate) fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> Url {
        let mut url = self.server_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// Sends a request and maps any non-2xx status to a [`BackendError`].
    pub(crate) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Reply, BackendError> {
        let what = format!("{method} {}", url.path());
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                BackendError::new(
                    BackendErrorKind::Rejected,
                    format!("cannot encode request: {e}"),
                )
            })?;
            request = request.header(CONTENT_TYPE, "application/json").body(bytes);
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&what, &e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&what, &e))?
            .to_vec();
        if status.is_success() {
            return Ok(Reply { body });
        }
        Err(status_error(&what, status, &body))
    }

    /// GET and decode JSON.
    pub(crate) async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, BackendError> {
        self.send::<()>(Method::GET, url, None).await?.json()
    }
}

fn transport_error(what: &str, error: &reqwest::Error) -> BackendError {
    let why = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    BackendError::new(
        BackendErrorKind::Unavailable,
        format!("PowerDNS {what}: {why}: {}", error_chain(error)),
    )
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Maps a PowerDNS status to an error kind (`spec/powerdns.md` §8.1).
pub(crate) fn status_error(what: &str, status: StatusCode, body: &[u8]) -> BackendError {
    let detail = serde_json::from_slice::<ApiError>(body)
        .ok()
        .map(|e| {
            if e.errors.is_empty() {
                e.error
            } else {
                format!("{}: {}", e.error, e.errors.join("; "))
            }
        })
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| {
            String::from_utf8_lossy(body)
                .trim()
                .chars()
                .take(300)
                .collect()
        });
    let kind = match status {
        StatusCode::NOT_FOUND => BackendErrorKind::NotFound,
        StatusCode::CONFLICT => BackendErrorKind::Conflict,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => BackendErrorKind::Rejected,
        // A wrong key or an ACL is an operator problem, not the data's: retrying after the
        // configuration is fixed will work, so it is not `Rejected`.
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => BackendErrorKind::Unavailable,
        s if s.is_server_error() => BackendErrorKind::Unavailable,
        _ => BackendErrorKind::Rejected,
    };
    let message = match kind {
        BackendErrorKind::Rejected => detail,
        _ => format!("PowerDNS {what}: {status}: {detail}"),
    };
    BackendError::new(kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_not_printed() {
        let key = PdnsApiKey::new("s3cret");
        assert!(!format!("{key:?}").contains("s3cret"));
        let client = PdnsClient::new(
            "http://127.0.0.1:8081",
            "localhost",
            &key,
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("s3cret"));
    }

    #[test]
    fn builds_urls() {
        let key = PdnsApiKey::new("k");
        let client = PdnsClient::new(
            "http://127.0.0.1:8081/",
            "localhost",
            &key,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            client
                .url(
                    &["zones", "0=2F26.2.0.192.in-addr.arpa."],
                    &[("rrsets", "false")]
                )
                .as_str(),
            "http://127.0.0.1:8081/api/v1/servers/localhost/zones/0=2F26.2.0.192.in-addr.arpa.?rrsets=false"
        );
        let prefixed = PdnsClient::new(
            "http://pdns.internal/pdns",
            "localhost",
            &key,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            prefixed.url(&[], &[]).as_str(),
            "http://pdns.internal/pdns/api/v1/servers/localhost"
        );
    }

    #[test]
    fn maps_statuses() {
        let e = status_error(
            "PATCH x",
            StatusCode::UNPROCESSABLE_ENTITY,
            br#"{"error": "Not in expected format"}"#,
        );
        assert_eq!(e.kind, BackendErrorKind::Rejected);
        assert_eq!(e.message, "Not in expected format");
        assert_eq!(
            status_error("x", StatusCode::NOT_FOUND, b"Not Found").kind,
            BackendErrorKind::NotFound
        );
        assert_eq!(
            status_error("x", StatusCode::CONFLICT, b"").kind,
            BackendErrorKind::Conflict
        );
        assert_eq!(
            status_error("x", StatusCode::BAD_GATEWAY, b"").kind,
            BackendErrorKind::Unavailable
        );
        assert_eq!(
            status_error("x", StatusCode::UNAUTHORIZED, b"").kind,
            BackendErrorKind::Unavailable
        );
    }
}
