//! Liveness and readiness (spec api-zones §13, interface decision 16). Both are also served
//! outside the API prefix at `/health/live` and `/health/ready` for load balancers.

use std::collections::BTreeMap;

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use scaidns_core::service::health::{Check, ReadinessStatus};

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

/// Checks the database, the DNS backend, Redis and the identity provider's keys.
pub async fn readiness(state: &AppState) -> ReadyResponse {
    let ready = state.service.health_ready().await;
    let check = |c: &Check| match c {
        Check::Ok => "ok".to_owned(),
        Check::NotConfigured => "not_configured".to_owned(),
        Check::Failed(why) => why.clone(),
    };
    let checks = BTreeMap::from([
        ("database".to_owned(), check(&ready.database)),
        ("dns_backend".to_owned(), check(&ready.dns_backend)),
        ("redis".to_owned(), check(&ready.rate_limiter)),
        ("scaikey_jwks".to_owned(), check(&ready.identity_keys)),
    ]);
    let status = ready.status();
    let report = HealthReport {
        status: status.as_str().to_owned(),
        checks,
    };
    if status == ReadinessStatus::Ok {
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
    async fn health_live(&self, state: Data<&AppState>) -> Json<LiveResponse> {
        Json(LiveResponse {
            status: state.service.health_live().to_owned(),
        })
    }

    /// Readiness: checks the database and the DNS backend.
    #[oai(path = "/health/ready", method = "get", operation_id = "health_ready")]
    async fn health_ready(&self, state: Data<&AppState>) -> ReadyResponse {
        readiness(&state).await
    }
}
