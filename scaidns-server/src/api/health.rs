//! Liveness and readiness (spec api-zones §13, interface decision 16). Both are also served
//! outside the API prefix at `/health/live` and `/health/ready` for load balancers.

use std::collections::BTreeMap;

use poem::web::Data;
use poem_openapi::param::Query;
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
    /// `ok` (everything works), `degraded` (a shared dependency fails: PowerDNS, whose writes
    /// are queued; Redis, replaced by in-process counting; the identity provider's keys) or
    /// `down` (this replica's database fails).
    pub status: String,
    /// One entry per dependency: `ok`, `not_configured`, or the error.
    pub checks: BTreeMap<String, String>,
}

/// Readiness: 200 while this replica can serve (`ok` or `degraded`), 503 when it cannot
/// (`down`); with `strict=true`, 503 unless everything works. Same body either way.
#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// This replica serves: `ok`, or `degraded` (see the checks).
    #[oai(status = 200)]
    Ready(Json<HealthReport>),
    /// This replica cannot serve (its database fails), or, with `strict=true`, a dependency
    /// fails.
    #[oai(status = 503)]
    NotReady(Json<HealthReport>),
}

/// Checks the database, the DNS backend, Redis and the identity provider's keys. Only what
/// stops this replica from serving takes it out of rotation (`strict` also the rest): a shared
/// outage (PowerDNS, Redis) would otherwise take every replica out at once.
pub async fn readiness(state: &AppState, strict: bool) -> ReadyResponse {
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
    let serving = match status {
        ReadinessStatus::Ok => true,
        ReadinessStatus::Degraded => !strict,
        ReadinessStatus::Down => false,
    };
    if serving {
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

    /// Readiness: checks the database, the DNS backend, Redis and the identity provider's
    /// keys. 503 only when the database fails; `strict=true`: 503 when anything fails.
    #[oai(path = "/health/ready", method = "get", operation_id = "health_ready")]
    async fn health_ready(
        &self,
        state: Data<&AppState>,
        /// 503 unless every dependency works (default false).
        strict: Query<Option<bool>>,
    ) -> ReadyResponse {
        readiness(&state, strict.0.unwrap_or(false)).await
    }
}
