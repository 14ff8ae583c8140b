//! Rate limiting at the HTTP edge (interface decision 22): each request counted through the
//! state's [`Throttle`](scaidns_core::service::Throttle), 429 when over, and the
//! `X-RateLimit-*` headers.
//!
//! The decision is taken once the caller is known (in `auth::op_context`): a key's own
//! `rate_limit`, else `RATE_LIMIT_API_KEY_PER_MINUTE`; JWT users `RATE_LIMIT_USER_PER_MINUTE`.
//! The outermost layer of the app copies it into `X-RateLimit-*` headers of the response,
//! whatever the response is, so clients see their budget on errors too.

use std::cell::Cell;

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, EndpointExt, Response};
use scaidns_core::service::{Actor, OpContext, RateDecision};

use crate::error::ApiError;
use crate::state::AppState;

tokio::task_local! {
    static DECISION: Cell<Option<RateDecision>>;
}

/// Counts the request of `ctx`'s caller; 429 with `Retry-After` when over the limit.
pub async fn check(state: &AppState, ctx: &OpContext) -> Result<(), ApiError> {
    // The defaults as `PATCH /admin/config` may have changed them since start-up.
    let settings = state.service.settings();
    let (key, limit) = match &ctx.actor {
        Actor::ApiKey { id, rate_limit, .. } => (
            format!("key:{id}"),
            rate_limit.unwrap_or(settings.api_key_rate_limit.default_per_minute),
        ),
        Actor::User { id, .. } => (format!("user:{id}"), settings.user_rate_limit_per_minute),
        Actor::System => return Ok(()),
    };
    let decision = match state.throttle.hit(&key, limit, ctx.now).await {
        Ok(d) => d,
        Err(e) => {
            // Even the in-process fallback failed: never turn that into an outage.
            tracing::warn!(error = %e, "rate limiter failed; request not counted");
            return Ok(());
        }
    };
    enforce(decision, limit)
}

/// Counts an anonymous request (the OAuth proxy's token endpoints, which spend the client
/// secret upstream) per client address, at the API-key default limit.
pub async fn check_anonymous(state: &AppState, req: &poem::Request) -> Result<(), ApiError> {
    let Some(ip) = crate::client_ip::client_ip(req, &state.config.trusted_proxies) else {
        return Ok(());
    };
    let limit = state
        .service
        .settings()
        .api_key_rate_limit
        .default_per_minute;
    let now = state.service.now();
    match state.throttle.hit(&format!("ip:{ip}"), limit, now).await {
        Ok(decision) => enforce(decision, limit),
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter failed; request not counted");
            Ok(())
        }
    }
}

fn enforce(decision: RateDecision, limit: u32) -> Result<(), ApiError> {
    let _ = DECISION.try_with(|cell| cell.set(Some(decision)));
    if decision.allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("Rate limit of {limit} requests per minute exceeded"),
        )
        .with_retry_after(decision.reset_after.max(1)))
    }
}

/// Runs `work` with a decision slot of its own and hands back what it decided: for work
/// moved to another task (keyed writes, `crate::idempotency`), whose decision
/// [`record`] then copies into the request's own slot.
pub async fn carried<F: Future>(work: F) -> (F::Output, Option<RateDecision>) {
    DECISION
        .scope(Cell::new(None), async move {
            let out = work.await;
            (out, DECISION.with(Cell::get))
        })
        .await
}

/// Records a decision taken in [`carried`] work as this request's.
pub fn record(decision: Option<RateDecision>) {
    if let Some(d) = decision {
        let _ = DECISION.try_with(|cell| cell.set(Some(d)));
    }
}

/// Adds the `X-RateLimit-*` headers of the request's decision to its response.
pub fn headers<E: Endpoint<Output = Response> + 'static>(
    ep: E,
) -> impl Endpoint<Output = Response> {
    ep.around(|ep, req| async move {
        let (resp, decision) =
            carried(async move { ep.call(req).await.unwrap_or_else(|e| e.into_response()) }).await;
        let mut resp = resp;
        if let Some(d) = decision {
            let headers = resp.headers_mut();
            for (name, value) in [
                ("x-ratelimit-limit", u64::from(d.limit)),
                ("x-ratelimit-remaining", u64::from(d.remaining)),
                ("x-ratelimit-reset", d.reset_after),
            ] {
                headers.insert(name, HeaderValue::from(value));
            }
        }
        Ok(resp)
    })
}
