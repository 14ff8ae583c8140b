//! [`ClientBuilder`]: one place to set where the server is, how the client authenticates,
//! names itself, times out and retries.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

use crate::Client;
use crate::retry::RetryPolicy;
use crate::runtime::{Bearer, BoxError, Runtime, TokenFuture};

/// The `User-Agent` of a client built here unless the caller names itself.
pub const USER_AGENT: &str = concat!("scaidns-client/", env!("CARGO_PKG_VERSION"));

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The credential contains characters a header cannot carry.
    InvalidCredential,
    /// A header value (user agent, idempotency key) contains characters a header cannot carry.
    InvalidHeader,
    /// No base URL was given.
    MissingBaseUrl,
    /// The base URL is not an absolute `http` or `https` URL.
    InvalidBaseUrl(String),
    /// Both an API key and a bearer token (or token refresh callback) were set: a request
    /// carries one credential, and the server would have to pick one.
    ConflictingCredentials,
    /// reqwest could not build its client.
    Http(reqwest::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidCredential => f.write_str("the credential is not a valid header value"),
            Self::InvalidHeader => f.write_str("a header value contains invalid characters"),
            Self::MissingBaseUrl => f.write_str("the client needs a base URL"),
            Self::InvalidBaseUrl(url) => {
                write!(f, "the base URL {url:?} is not an absolute http(s) URL")
            }
            Self::ConflictingCredentials => {
                f.write_str("set either an API key or a bearer token, not both")
            }
            Self::Http(e) => write!(f, "cannot build the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// Builds a [`Client`]; start with [`Client::builder`].
///
/// Defaults: no credential, [`USER_AGENT`], a 60 s timeout per attempt (10 s to connect, never
/// more than the timeout) and [`RetryPolicy::default`]. Redirects are not followed: the
/// credential must never reach another host.
///
/// ```
/// use std::time::Duration;
/// use scaidns_client::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .base_url("http://127.0.0.1:8000")
///     .api_key("sdk_live_…")
///     .user_agent("billing-sync/1.4")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::new(5))
///     .build()?;
/// assert_eq!(client.retry_policy().max_attempts(), 5);
/// # Ok::<(), scaidns_client::BuildError>(())
/// ```
pub struct ClientBuilder {
    base_url: Option<String>,
    api_key: Option<String>,
    bearer_token: Option<String>,
    token_refresh: Option<Arc<dyn Fn() -> TokenFuture + Send + Sync>>,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    idempotency_keys: bool,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: None,
            api_key: None,
            bearer_token: None,
            token_refresh: None,
            user_agent: USER_AGENT.to_owned(),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            idempotency_keys: false,
        }
    }
}

impl Client {
    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
}

impl ClientBuilder {
    /// The server root, e.g. `http://127.0.0.1:8000` (the operations' paths carry `/api/v1`).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates with an API key, sent as `X-API-Key`. Not together with
    /// [`bearer_token`](Self::bearer_token) or [`token_refresh`](Self::token_refresh):
    /// [`build`](Self::build) refuses both with [`BuildError::ConflictingCredentials`].
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Authenticates with a bearer token (a JWT from the identity provider), sent as
    /// `Authorization: Bearer <token>`. Not together with [`api_key`](Self::api_key).
    #[must_use]
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Renews the bearer token: called before the first call when no token was given, and
    /// when the server answers 401 (the call is then sent once more with the new token).
    /// Concurrent calls that fail with the same token share one refresh. When the callback
    /// fails, the call fails with a `client_error` whose message carries the refresh's error
    /// (after a 401, or before sending when there was no token yet); so does a callback that
    /// runs longer than the client's [`timeout`](Self::timeout) or returns a token that
    /// cannot be a header value (nothing is sent without the token).
    ///
    /// The callback must not call the API through this same client (or a clone): it runs
    /// while the client's calls wait for the new token, and a call it made would wait for
    /// itself. Use a separate HTTP client to reach the identity provider.
    ///
    /// ```
    /// # let _ =
    /// scaidns_client::Client::builder()
    ///     .base_url("http://127.0.0.1:8000")
    ///     .token_refresh(|| async { Ok("eyJhbGciOi…".to_owned()) })
    ///     .build();
    /// ```
    #[must_use]
    pub fn token_refresh<F, Fut>(mut self, refresh: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
    {
        self.token_refresh = Some(Arc::new(move || -> TokenFuture { Box::pin(refresh()) }));
        self
    }

    /// The `User-Agent` (the audit log records it), e.g. `billing-sync/1.4`.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The longest one attempt may take, from connecting to the end of the body.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take; capped by [`timeout`](Self::timeout) whatever the
    /// order of the two calls.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When calls are sent again; [`RetryPolicy::none`] turns retries off.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends a fresh random `Idempotency-Key` with every `POST` and `PATCH` (the same key on
    /// each retry of one call), so that writes are retried like reads: a create retried after
    /// a dropped connection is applied once, and the retry gets the first answer. Endpoints
    /// that answer with a secret (API key creation and regeneration, the token endpoints)
    /// refuse keys and get none. Off by default; [`Client::with_idempotency_key`] sets a key
    /// of the caller's choosing instead.
    #[must_use]
    pub fn idempotency_keys(mut self, on: bool) -> Self {
        self.idempotency_keys = on;
        self
    }

    /// Computed when building, so the order of the builder's calls does not matter.
    fn effective_connect_timeout(&self) -> Duration {
        self.connect_timeout.min(self.timeout)
    }

    /// The client.
    ///
    /// # Errors
    /// No base URL or one that is not an absolute `http(s)` URL, both an API key and a bearer
    /// token, a credential or user agent that cannot be a header, or a reqwest failure.
    pub fn build(self) -> Result<Client, BuildError> {
        let connect_timeout = self.effective_connect_timeout();
        let base_url = self.base_url.ok_or(BuildError::MissingBaseUrl)?;
        match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => return Err(BuildError::InvalidBaseUrl(base_url)),
        }
        if self.api_key.is_some() && (self.bearer_token.is_some() || self.token_refresh.is_some()) {
            return Err(BuildError::ConflictingCredentials);
        }
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.api_key {
            let mut value =
                HeaderValue::from_str(key).map_err(|_| BuildError::InvalidCredential)?;
            // Keeps the credential out of reqwest's Debug output.
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        if let Some(token) = &self.bearer_token
            && crate::runtime::header_value(token).is_err()
        {
            return Err(BuildError::InvalidCredential);
        }
        HeaderValue::from_str(&self.user_agent).map_err(|_| BuildError::InvalidHeader)?;
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(self.user_agent)
            .connect_timeout(connect_timeout)
            .timeout(self.timeout)
            // A redirect would carry `X-API-Key` to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(BuildError::Http)?;
        let bearer = (self.bearer_token.is_some() || self.token_refresh.is_some()).then(|| {
            Arc::new(Bearer::new(
                self.bearer_token,
                self.token_refresh,
                self.timeout,
            ))
        });
        let runtime = Runtime {
            retry: self.retry,
            bearer,
            idempotency_key: None,
            idempotency_keys: self.idempotency_keys,
        };
        Ok(Client::new_with_client(
            base_url.trim_end_matches('/'),
            http,
            runtime,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_is_capped_by_the_timeout_in_any_order() {
        let (short, long) = (Duration::from_secs(2), Duration::from_secs(30));
        let before = Client::builder().timeout(short).connect_timeout(long);
        let after = Client::builder().connect_timeout(long).timeout(short);
        assert_eq!(before.effective_connect_timeout(), short);
        assert_eq!(after.effective_connect_timeout(), short);
        let shorter = Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(long);
        assert_eq!(shorter.effective_connect_timeout(), Duration::from_secs(1));
    }
}
