//! Liveness and readiness (spec api-zones §13, interface decision 16). Both are also served
//! outside the API prefix at `/health/live` and `/health/ready` for load balancers.

use std::collections::BTreeMap;

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::api::ApiTags;
use crate::state::AppState;

/// Liveness answer.
#[derive(Debug, Clone, Object)]
pub struct LiveResponse {
    /// Always `ok` while the process serves requests.
    pub status: String,
}

/// Readiness answer.
#[derive(Debug, Clone, Object)]
pub struct HealthReport {
    /// `ok` (everything works), `degraded` (the DNS backend fails) or `down` (the database
    /// fails).
    pub status: String,
    /// One entry per dependency: `ok`, `not_configured`, or the error.
    pub checks: BTreeMap<String, String>,
}

/// Readiness: 200 when ready, 503 otherwise, with the same body.
#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Every dependency works.
    #[oai(status = 200)]
    Ready(Json<HealthReport>),
    /// A dependency fails.
    #[oai(status = 503)]
    NotReady(Json<HealthReport>),
}

/// Checks the database and the DNS backend.
pub async fn readiness(state: &AppState) -> ReadyResponse {
    let mut checks = BTreeMap::new();
    let db = state.service.store().health().await;
    let backend = state.service.backend().health().await;
    // Errors may name hosts but never credentials; the adapters guarantee that.
    checks.insert(
        "database".to_owned(),
        db.as_ref()
            .map_or_else(|e| e.message().to_owned(), |()| "ok".to_owned()),
    );
    checks.insert(
        "dns_backend".to_owned(),
        backend
            .as_ref()
            .map_or_else(|e| e.message.clone(), |()| "ok".to_owned()),
    );
    let redis = if state.config.redis_url.is_some() {
        state.rate_limiter.health().await.map_err(|e| e.to_string())
    } else {
        Ok(())
    };
    checks.insert(
        "redis".to_owned(),
        match (&redis, state.config.redis_url.is_some()) {
            (_, false) => "not_configured".to_owned(),
            (Ok(()), true) => "ok".to_owned(),
            (Err(e), true) => e.clone(),
        },
    );
    // Bearer tokens can only be checked once the provider's keys are in: not ready before.
    let jwks = match state.service.identity_provider() {
        Some(provider) => provider.keys_loaded().await,
        None => true,
    };
    checks.insert(
        "scaikey_jwks".to_owned(),
        match (state.service.identity_provider().is_some(), jwks) {
            (false, _) => "not_configured".to_owned(),
            (true, true) => "ok".to_owned(),
            (true, false) => "signing keys not loaded".to_owned(),
        },
    );
    // Without Redis rate limits are counted per process: degraded, not down.
    let status = match (db.is_ok(), backend.is_ok() && redis.is_ok() && jwks) {
        (true, true) => "ok",
        (true, false) => "degraded",
        (false, _) => "down",
    };
    let report = HealthReport {
        status: status.to_owned(),
        checks,
    };
    if status == "ok" {
        ReadyResponse::Ready(Json(report))
    } else {
        ReadyResponse::NotReady(Json(report))
    }
}

/// Health endpoints (no authentication).
pub struct HealthApi;

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: 200 while the process runs.
    #[oai(path = "/health/live", method = "get", operation_id = "health_live")]
    async fn health_live(&self) -> Json<LiveResponse> {
        Json(LiveResponse {
            status: "ok".to_owned(),
        })
    }

    /// Readiness: checks the database and the DNS backend.
    #[oai(path = "/health/ready", method = "get", operation_id = "health_ready")]
    async fn health_ready(&self, state: Data<&AppState>) -> ReadyResponse {
        readiness(&state).await
    }
}
