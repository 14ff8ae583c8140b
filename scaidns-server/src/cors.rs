//! Cross-origin access for browser front ends (`CORS_ORIGINS`, deployment guide): the listed
//! origins, and `EXTERNAL_URL`'s own, get CORS headers; without a list no CORS header is sent
//! and browsers keep other origins out. A preflight from an unlisted origin is refused with a
//! 403; a simple request from one is served without CORS headers, so the browser withholds the
//! answer from the page (same-origin pages such as /docs send `Origin` too and must not be
//! refused). Credentials travel in headers, never cookies, so none are allowed. The layer sits
//! outside everything else, so errors, 429s and 413s carry the headers too.

use std::sync::Arc;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::middleware::Cors;
use poem::{Endpoint, EndpointExt, IntoResponse, Response};

use crate::error::{ApiError, REQUEST_ID};
use crate::middleware::{REQUEST_ID_HEADER, request_id_of};

/// Request headers a browser may send: credentials, bodies, preconditions, idempotency.
const ALLOWED_HEADERS: &[&str] = &[
    "authorization",
    "x-api-key",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
];

/// Response headers a browser script may read.
const EXPOSED_HEADERS: &[&str] = &[
    "etag",
    "retry-after",
    "x-request-id",
    "location",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-sync-status",
    "content-disposition",
];

/// How long a browser may cache a preflight answer (seconds).
const PREFLIGHT_MAX_AGE: i32 = 600;

/// `ep` behind the CORS policy of `origins` (already in their `Origin` form) and
/// `external_url`'s origin; unchanged when `origins` is empty.
pub fn layer<E>(
    ep: E,
    origins: &[String],
    external_url: Option<&str>,
) -> poem::endpoint::BoxEndpoint<'static, Response>
where
    E: Endpoint<Output = Response> + 'static,
{
    if origins.is_empty() {
        return ep.boxed();
    }
    let mut allowed = origins.to_vec();
    if let Some(own) = external_url.and_then(|url| crate::config::origin(url).ok()) {
        allowed.push(own);
    }
    let allowed: Arc<[String]> = allowed.into();
    let inner = Arc::new(ep);
    let cors = Cors::new()
        .allow_origins(allowed.iter().map(String::as_str))
        .allow_credentials(false)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(ALLOWED_HEADERS.iter().copied())
        .expose_headers(EXPOSED_HEADERS.iter().copied())
        .max_age(PREFLIGHT_MAX_AGE);
    Arc::clone(&inner)
        .with(cors)
        .around(move |checked, req| {
        let inner = Arc::clone(&inner);
        let allowed = Arc::clone(&allowed);
        async move {
            let id = request_id_of(&req);
            let method = req.method().clone();
            let path = req.uri().path().to_owned();
            let listed = req
                .headers()
                .get(header::ORIGIN)
                .and_then(|o| o.to_str().ok())
                .is_none_or(|o| allowed.iter().any(|a| a == o));
            let preflight = method == Method::OPTIONS
                && req
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
            let outcome = if listed || preflight {
                checked.call(req).await
            } else {
                inner.call(req).await
            };
            Ok::<_, poem::Error>(match outcome {
                // The answer depends on Origin whenever CORS is on (poem adds Vary only for
                // pattern matches), so shared caches must key on it.
                Ok(mut resp) => {
                    resp.headers_mut()
                        .append(header::VARY, HeaderValue::from_static("Origin"));
                    resp
                }
                // Only the CORS check itself fails here: everything inside answers a response.
                Err(err) => {
                    tracing::debug!(request_id = %id, %method, route = %path, status = 403, "cross-origin request refused");
                    let mut resp = REQUEST_ID
                        .scope(id.clone(), async move { refusal(&err).into_response() })
                        .await;
                    if let Ok(value) = HeaderValue::from_str(&id) {
                        resp.headers_mut().insert(REQUEST_ID_HEADER, value);
                    }
                    resp
                }
            })
        }
    })
    .boxed()
}

fn refusal(err: &poem::Error) -> ApiError {
    let (code, detail) = match err.downcast_ref::<poem::error::CorsError>() {
        Some(poem::error::CorsError::MethodNotAllowed) => (
            "cors_method_not_allowed",
            "This method is not allowed from another origin",
        ),
        Some(poem::error::CorsError::HeadersNotAllowed) => (
            "cors_headers_not_allowed",
            "A requested header is not allowed from another origin",
        ),
        _ => (
            "cors_origin_not_allowed",
            "This origin is not listed in CORS_ORIGINS",
        ),
    };
    ApiError::new(StatusCode::FORBIDDEN, code, detail)
}
