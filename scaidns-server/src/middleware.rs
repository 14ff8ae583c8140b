//! The outermost layer of every request: assigns the request id (kept from `X-Request-Id` when
//! it looks sane), bounds the body ([`crate::body_limit`]), turns every error — including
//! poem's own 404/405 (with `Allow`) and extraction failures — into the one error envelope,
//! records metrics and writes one log line per request. Headers and bodies are never logged:
//! they carry credentials.

use std::sync::Arc;
use std::time::Instant;

use poem::PathPattern;
use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use poem_openapi::error::ParseRequestPayloadError;

use crate::body_check::{BodyProblem, allowed_methods, explain};
use crate::body_limit::{self, BodyLimits};
use crate::error::{ApiError, REQUEST_ID};
use crate::metrics::Metrics;

/// Response (and accepted request) header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Wraps `ep` with request ids, the error envelope, metrics and request logs.
pub fn request_context<E: Endpoint + 'static>(
    ep: E,
    metrics: Arc<Metrics>,
    limits: BodyLimits,
) -> impl Endpoint<Output = Response> {
    let limits = Arc::new(limits);
    ep.around(move |ep, req| {
        let metrics = Arc::clone(&metrics);
        let limits = Arc::clone(&limits);
        async move { Ok(handle(ep, req, &metrics, &limits).await) }
    })
}

async fn handle<E: Endpoint>(
    ep: Arc<E>,
    mut req: Request,
    metrics: &Metrics,
    limits: &BodyLimits,
) -> Response {
    let id = request_id_of(&req);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let limit = limits.for_path(&path);
    let bounded = body_limit::apply(&mut req, limit);
    let mut over_cap = None;
    let kept = match (&bounded, limits.value_cap_for(&path)) {
        (Ok(_), Some(cap)) => match counted_body(&mut req, cap).await {
            Ok(kept) => kept,
            Err(refused) => {
                over_cap = Some(refused);
                None
            }
        },
        (Ok(_), None) => keep_body(&mut req, limit).await,
        (Err(_), _) => None,
    };
    // poem reads a number or a boolean where a string is declared as its text; checking the
    // body against the schema first makes wrong types a 422 naming the field, like the other
    // body problems. Only for requests with credentials, so an anonymous caller still gets 401
    // before anything about its body.
    let early = kept
        .as_deref()
        .filter(|_| has_credentials(&req) && is_json(&req))
        .and_then(|b| explain(&method, &path, b));
    let unreadable_if_match = has_credentials(&req)
        .then(|| crate::api::precondition::unreadable_if_match(&req))
        .flatten();
    let (check_method, check_path) = (method.clone(), path.clone());
    let mut resp = REQUEST_ID
        .scope(id.clone(), async move {
            let tripped = match bounded {
                Ok(tripped) => tripped,
                Err(too_large) => return refusal(&check_path, too_large),
            };
            if let Some(refused) = over_cap {
                return refused.into_response();
            }
            if let Some(p) = early {
                return body_error(&p).into_response();
            }
            if let Some(refused) = unreadable_if_match {
                return refusal(&check_path, refused);
            }
            let resp = match ep.call(req).await {
                Ok(out) => out.into_response(),
                Err(err) => {
                    let pattern = err.data::<PathPattern>().cloned();
                    let located = err
                        .is::<ParseRequestPayloadError>()
                        .then(|| {
                            kept.as_deref()
                                .and_then(|b| explain(&check_method, &check_path, b))
                        })
                        .flatten();
                    let api_error = match located {
                        Some(p) => body_error(&p),
                        None => ApiError::from_poem(err),
                    };
                    let mut resp = api_error.into_response();
                    if let Some(p) = pattern {
                        resp.set_data(p);
                    }
                    resp
                }
            };
            // Whatever the handler made of the failed read, the answer is the limit.
            if tripped.is_set() {
                let mut refused = refusal(&check_path, body_limit::too_large(limit));
                if let Some(p) = resp.data::<PathPattern>().cloned() {
                    refused.set_data(p);
                }
                return refused;
            }
            resp
        })
        .await;
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        // Outside the API document only GET routes exist (health, metrics, docs).
        let allow = allowed_methods(&path).map_or_else(|| "GET, HEAD".to_owned(), |m| m.join(", "));
        if let Ok(value) = HeaderValue::from_str(&allow) {
            resp.headers_mut().insert(poem::http::header::ALLOW, value);
        }
    }
    let elapsed = started.elapsed();
    let route = resp
        .data::<PathPattern>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.0.to_string());
    let status = resp.status().as_u16();
    metrics.observe_request(&method, &route, status, elapsed);
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    resp
}

/// The 422 of a body problem (also a plan's, `api::plans`).
pub(crate) fn body_error(p: &BodyProblem) -> ApiError {
    ApiError::located(
        StatusCode::UNPROCESSABLE_ENTITY,
        p.code,
        "body",
        Some(p.field.as_str()).filter(|f| !f.is_empty()),
        &p.msg,
    )
}

/// A refusal made here, before the endpoint: in PowerDNS's `{"error": …}` shape on the
/// PowerDNS-compatible API's paths, whose clients read nothing else.
fn refusal(path: &str, error: ApiError) -> Response {
    let prefix = crate::pdns_compat::PREFIX;
    let compat = path
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if compat {
        crate::pdns_compat::error::PdnsError::from(error).into_response()
    } else {
        error.into_response()
    }
}

/// Whether the request carries a credential header (checked or not).
pub(crate) fn has_credentials(req: &Request) -> bool {
    req.headers().contains_key("x-api-key") || req.headers().contains_key("authorization")
}

fn is_json(req: &Request) -> bool {
    req.content_type().is_some_and(|ct| {
        ct.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    })
}

/// Reads the body of a route with a value cap whole (it is within the route's byte limit
/// already, chunked or not) and refuses it when it holds more JSON values than the cap, before
/// anything parses it. A failed read keeps nothing: the body limit answers for it.
async fn counted_body(req: &mut Request, cap: usize) -> Result<Option<Vec<u8>>, ApiError> {
    let Ok(bytes) = req.take_body().into_vec().await else {
        return Ok(None);
    };
    if body_limit::json_values(&bytes) > cap {
        return Err(body_limit::too_many_values(cap));
    }
    req.set_body(bytes.clone());
    Ok(Some(bytes))
}

/// Keeps a copy of a JSON body small enough to be accepted, so a parse failure can name the
/// field ([`explain`]). Bodies of unknown length are not buffered here.
async fn keep_body(req: &mut Request, limit: usize) -> Option<Vec<u8>> {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH) {
        return None;
    }
    let declared = crate::body_limit::declared_length(req)?;
    if declared == 0 || declared > limit as u64 {
        return None;
    }
    let bytes = req.take_body().into_vec().await.ok()?;
    req.set_body(bytes.clone());
    Some(bytes)
}

/// The request's id: its `X-Request-Id` when that looks sane, else a new one.
pub(crate) fn request_id_of(req: &Request) -> String {
    req.header(REQUEST_ID_HEADER)
        .filter(|v| is_sane_id(v))
        .map_or_else(new_id, ToOwned::to_owned)
}

/// Printable, short, no separators that could forge log lines.
fn is_sane_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::is_sane_id;

    #[test]
    fn request_ids() {
        assert!(is_sane_id("abc-123_x.y"));
        assert!(!is_sane_id(""));
        assert!(!is_sane_id("a b"));
        assert!(!is_sane_id("a\nb"));
        assert!(!is_sane_id(&"a".repeat(129)));
    }
}
