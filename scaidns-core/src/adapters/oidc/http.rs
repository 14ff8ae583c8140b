//! A small HTTPS client for talking to the identity provider: JSON GETs and form POSTs
//! (RFC 6749 §4.1.3 token requests) with a timeout. rustls on ring with the system's roots;
//! plain `http://` is allowed too (loopback providers in development and tests).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};

/// Largest response read from the provider.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The provider could not be reached or did not answer in time.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// URL called (never carries credentials).
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The provider answered with an error status.
    #[error("{url} answered {status}")]
    Status {
        /// URL called.
        url: String,
        /// Status.
        status: StatusCode,
        /// Body (may be an OAuth error object).
        body: String,
    },
    /// The answer was not the JSON expected.
    #[error("{url} sent an unexpected answer: {reason}")]
    Decode {
        /// URL called.
        url: String,
        /// Parser message.
        reason: String,
    },
}

impl HttpError {
    /// The failure as an identity-provider error (`identity_provider_unavailable`) for `call`
    /// ("ScaiKey directory", …): the URL and the status only, since a body may echo
    /// credentials.
    pub(crate) fn to_upstream_error(&self, call: &str) -> Error {
        let what = match self {
            HttpError::Status { url, status, .. } => format!("{url} answered {status}"),
            HttpError::Unreachable { url, reason } => format!("cannot reach {url}: {reason}"),
            HttpError::Decode { url, .. } => format!("{url} sent an unexpected answer"),
        };
        Error::new(
            ErrorKind::Upstream,
            "identity_provider_unavailable",
            format!("{call}: {what}"),
        )
    }
}

/// HTTP Basic credentials (RFC 6749 §2.3.1: client id and secret, form-urlencoded first).
pub struct BasicAuth<'a> {
    /// Client id.
    pub user: &'a str,
    /// Client secret.
    pub password: &'a str,
}

/// The client.
#[derive(Clone)]
pub struct HttpClient {
    inner: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client with the system's trusted roots.
    pub fn new(timeout: Duration) -> std::io::Result<Self> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        let inner = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { inner, timeout })
    }

    /// GETs `url` and parses the JSON answer; `bearer` is sent as `Authorization: Bearer`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, HttpError> {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri(url)
            .header(header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = self.send(url, req, Bytes::new()).await?;
        decode(url, &body)
    }

    /// POSTs `form` as `application/x-www-form-urlencoded` and parses the JSON answer.
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<BasicAuth<'_>>,
    ) -> Result<T, HttpError> {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(basic) = basic {
            let pair = format!(
                "{}:{}",
                form_encode(basic.user),
                form_encode(basic.password)
            );
            req = req.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(pair)),
            );
        }
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let answer = self.send(url, req, Bytes::from(body)).await?;
        decode(url, &answer)
    }

    /// POSTs a JSON body and parses the JSON answer.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<T, HttpError> {
        let req = Request::builder()
            .method(Method::POST)
            .uri(url)
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/json");
        let answer = self.send(url, req, Bytes::from(body.to_string())).await?;
        decode(url, &answer)
    }

    /// Sends `method` with an optional JSON body and a bearer token; parses the JSON answer
    /// (`null` for an empty one, as a 204 has).
    pub async fn call_json(
        &self,
        method: Method,
        url: &str,
        bearer: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, HttpError> {
        let mut req = Request::builder()
            .method(method)
            .uri(url)
            .header(header::ACCEPT, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {bearer}"));
        let payload = match body {
            Some(body) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let answer = self.send(url, req, payload).await?;
        if answer.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        decode(url, &answer)
    }

    async fn send(
        &self,
        url: &str,
        req: http::request::Builder,
        body: Bytes,
    ) -> Result<Bytes, HttpError> {
        let unreachable = |reason: String| HttpError::Unreachable {
            url: url.to_owned(),
            reason,
        };
        let req = req
            .body(Full::new(body))
            .map_err(|e| unreachable(e.to_string()))?;
        let exchange = async {
            let resp = self
                .inner
                .request(req)
                .await
                .map_err(|e| unreachable(e.to_string()))?;
            let status = resp.status();
            let bytes = Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| unreachable(e.to_string()))?
                .to_bytes();
            Ok::<_, HttpError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| unreachable("timed out".to_owned()))??;
        if !status.is_success() {
            return Err(HttpError::Status {
                url: url.to_owned(),
                status,
                body: String::from_utf8_lossy(&bytes).chars().take(512).collect(),
            });
        }
        Ok(bytes)
    }
}

fn decode<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|e| HttpError::Decode {
        url: url.to_owned(),
        reason: e.to_string(),
    })
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::form_encode;

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(form_encode("A-z_0.9*"), "A-z_0.9*");
    }
}
