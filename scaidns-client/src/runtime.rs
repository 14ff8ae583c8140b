//! What every generated call runs through: the `ClientHooks` of the generated [`Client`]. The
//! generated methods build a `reqwest::Request`; here it gets its bearer token and idempotency
//! key, and is sent again when the [`RetryPolicy`] says so.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, Request, Response, StatusCode};

use crate::Client;
use crate::retry::{IDEMPOTENCY_KEY, KEYLESS_OPERATIONS, RetryPolicy, is_repeatable};

/// The error a token refresh callback may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a token refresh callback returns: a fresh bearer token (without the `Bearer ` prefix).
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send>>;

type Refresh = Arc<dyn Fn() -> TokenFuture + Send + Sync>;

/// The hand-written state inside every [`Client`]: its retry policy, bearer token and
/// idempotency key. Built by [`ClientBuilder`](crate::ClientBuilder); `Runtime::default()`
/// (no retries, no token) is what a bare `Client::new(url, Runtime::default())` gets.
#[derive(Clone, Debug)]
pub struct Runtime {
    pub(crate) retry: RetryPolicy,
    pub(crate) bearer: Option<Arc<Bearer>>,
    pub(crate) idempotency_key: Option<HeaderValue>,
    /// A fresh key for every keyed-capable write ([`crate::ClientBuilder::idempotency_keys`]).
    pub(crate) idempotency_keys: bool,
}

impl Default for Runtime {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::none(),
            bearer: None,
            idempotency_key: None,
            idempotency_keys: false,
        }
    }
}

/// Why a token refresh failed, attached to the 401 it could not replay so that the `post` hook
/// can fail the call with it.
#[derive(Clone, Debug)]
struct RefreshFailed(String);

/// A bearer token that a callback can renew; shared by the clones of a client.
pub(crate) struct Bearer {
    token: RwLock<Option<String>>,
    refresh: Option<Refresh>,
    // The client's timeout: a hung callback must not hold every call behind `refreshing`.
    refresh_timeout: Duration,
    // One refresh at a time: calls that all got a 401 for the same token renew it once.
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bearer")
            .field("refreshable", &self.refresh.is_some())
            .finish_non_exhaustive()
    }
}

impl Bearer {
    pub(crate) fn new(
        token: Option<String>,
        refresh: Option<Refresh>,
        refresh_timeout: Duration,
    ) -> Self {
        Self {
            token: RwLock::new(token),
            refresh,
            refresh_timeout,
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    fn current(&self) -> Option<String> {
        self.token.read().map_or(None, |t| t.clone())
    }

    /// Sets `Authorization` on `request`; returns the token it used. Every stored token is a
    /// valid header value (the builder and [`Bearer::renew`] check), so none is dropped here.
    fn apply(&self, request: &mut Request) -> Option<String> {
        let token = self.current()?;
        if let Ok(mut value) = header_value(&token) {
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Some(token)
    }

    /// Renews the token unless another call already replaced `stale`. `Ok(false)`: there is no
    /// callback.
    async fn renew(&self, stale: Option<&str>) -> Result<bool, BoxError> {
        let Some(refresh) = &self.refresh else {
            return Ok(false);
        };
        let _turn = self.refreshing.lock().await;
        if self.current().as_deref() != stale {
            return Ok(true);
        }
        let fresh = tokio::time::timeout(self.refresh_timeout, refresh())
            .await
            .map_err(|_| format!("timed out after {:?}", self.refresh_timeout))??;
        if header_value(&fresh).is_err() {
            return Err("the refreshed token is not a valid header value".into());
        }
        if let Ok(mut token) = self.token.write() {
            *token = Some(fresh);
        }
        Ok(true)
    }
}

/// `Authorization: Bearer <token>`, or an error when `token` cannot be a header value.
pub(crate) fn header_value(
    token: &str,
) -> Result<HeaderValue, reqwest::header::InvalidHeaderValue> {
    HeaderValue::from_str(&format!("Bearer {token}"))
}

impl Client {
    /// A copy of this client that sends `Idempotency-Key: <key>` with every `POST` and
    /// `PATCH`, which the retry policy then retries like a read: the server answers a repeat
    /// with the first answer and applies the change once. Use one key per logical change, e.g.
    /// a UUID chosen when the change is decided and kept across restarts of the caller; the
    /// same key sent with a different request is refused (422 `idempotency_key_reused`).
    /// [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys) picks a
    /// fresh key per call instead.
    ///
    /// # Errors
    /// [`BuildError::InvalidHeader`](crate::BuildError::InvalidHeader) when `key` cannot be a
    /// header value.
    pub fn with_idempotency_key(&self, key: &str) -> Result<Self, crate::BuildError> {
        let value = HeaderValue::from_str(key).map_err(|_| crate::BuildError::InvalidHeader)?;
        let mut copy = self.clone();
        copy.inner.idempotency_key = Some(value);
        Ok(copy)
    }

    /// The retry policy of this client.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }
}

impl ClientHooks<Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let runtime = self.inner();
        if matches!(*request.method(), Method::POST | Method::PATCH)
            && !request.headers().contains_key(IDEMPOTENCY_KEY)
            && !KEYLESS_OPERATIONS.contains(&info.operation_id)
        {
            if let Some(key) = &runtime.idempotency_key {
                request.headers_mut().insert(IDEMPOTENCY_KEY, key.clone());
            } else if runtime.idempotency_keys {
                // Chosen once per call: every retry of the call carries the same key.
                let key = format!("{:032x}", rand::random::<u128>());
                if let Ok(value) = HeaderValue::from_str(&key) {
                    request.headers_mut().insert(IDEMPOTENCY_KEY, value);
                }
            }
        }
        // A client built with only a refresh callback fetches its first token here.
        if let Some(bearer) = &runtime.bearer
            && bearer.current().is_none()
        {
            bearer.renew(None).await.map_err(|e| {
                progenitor_client::Error::Custom(format!("token refresh failed: {e}"))
            })?;
        }
        Ok(())
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<Response>,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        match result {
            Ok(response) => match response.extensions().get::<RefreshFailed>() {
                Some(RefreshFailed(why)) => Err(progenitor_client::Error::Custom(format!(
                    "the server answered 401 and the token refresh failed: {why}"
                ))),
                None => Ok(()),
            },
            Err(_) => Ok(()),
        }
    }

    async fn exec(&self, mut request: Request, _info: &OperationInfo) -> reqwest::Result<Response> {
        let runtime = self.inner();
        let repeatable = is_repeatable(&request);
        let keyed = request.headers().contains_key(IDEMPOTENCY_KEY);
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            // A streamed body cannot be sent twice: such a call gets one attempt.
            let spare = request.try_clone();
            let token = runtime.bearer.as_ref().and_then(|b| b.apply(&mut request));
            let outcome = self.client().execute(request).await;
            let Some(next) = spare else {
                return outcome;
            };
            // A 401 applied nothing, so any call may be replayed once with a renewed token.
            if let (Ok(response), Some(bearer), false) = (&outcome, &runtime.bearer, renewed)
                && response.status() == StatusCode::UNAUTHORIZED
            {
                renewed = true;
                match bearer.renew(token.as_deref()).await {
                    Ok(true) => {
                        request = next;
                        continue;
                    }
                    Ok(false) => return outcome,
                    Err(why) => {
                        let mut response = outcome?;
                        response
                            .extensions_mut()
                            .insert(RefreshFailed(why.to_string()));
                        return Ok(response);
                    }
                }
            }
            let Some(wait) = runtime
                .retry
                .delay_after(&outcome, attempt, repeatable, keyed)
            else {
                return outcome;
            };
            // Frees the connection before waiting.
            drop(outcome);
            tokio::time::sleep(wait).await;
            attempt += 1;
            request = next;
        }
    }
}
