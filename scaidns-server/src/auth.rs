//! Authentication at the HTTP edge: the security schemes the spec advertises (`X-API-Key`,
//! `Authorization: Bearer`) and [`op_context`], which every authenticated handler calls to turn
//! them into the core's `OpContext`.
//! The client address comes from [`crate::client_ip`].

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};
use scaidns_core::service::{Actor, OpContext, RequestMeta};

use crate::client_ip::client_ip;
use crate::error::{ApiError, current_request_id};
use crate::state::AppState;

/// An API key in the `X-API-Key` header (machines).
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "X-API-Key", key_in = "header")]
pub struct ApiKeyAuth(pub ApiKey);

/// A ScaiKey access token (humans).
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT")]
pub struct BearerAuth(pub Bearer);

/// Either credential; the API key wins when both are sent.
#[derive(SecurityScheme)]
pub enum ApiAuth {
    /// `X-API-Key`.
    ApiKey(ApiKeyAuth),
    /// `Authorization: Bearer`.
    Bearer(BearerAuth),
}

/// Authenticates the request and builds the operation context; a write sent with an
/// `Idempotency-Key` takes its key here, before the handler changes anything
/// ([`crate::idempotency::claim`]).
pub async fn op_context(
    state: &AppState,
    auth: &ApiAuth,
    req: &Request,
) -> Result<OpContext, ApiError> {
    let meta = RequestMeta {
        ip: client_ip(req, &state.config.trusted_proxies),
        request_id: Some(current_request_id()),
        user_agent: req
            .header("user-agent")
            .map(|ua| ua.chars().take(512).collect()),
    };
    // The configuration values the request may read (rate limits, TTL bounds) are current.
    state.service.refresh_settings().await;
    match auth {
        ApiAuth::ApiKey(key) => {
            let ctx = state.service.authenticate_api_key(&key.0.key, meta).await?;
            if matches!(ctx.actor, Actor::ApiKey { .. }) {
                state.metrics.observe_api_key();
            }
            crate::rate_limit_edge::check(state, &ctx).await?;
            state.service.api_key_used(&ctx);
            crate::idempotency::claim(state, &ctx).await?;
            Ok(ctx)
        }
        ApiAuth::Bearer(bearer) => {
            let ctx = state
                .service
                .authenticate_token(&bearer.0.token, meta)
                .await?;
            crate::rate_limit_edge::check(state, &ctx).await?;
            state.service.api_key_used(&ctx);
            crate::idempotency::claim(state, &ctx).await?;
            Ok(ctx)
        }
    }
}
