//! The audit log (spec api-identity §11): platform admins read every tenant's entries, tenant
//! admins their own tenant's.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::service::queries::AuditQuery;
use serde_json::{Value, json};

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, optional_tenant_id, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// One audit-log entry.
#[derive(Debug, Clone, Object)]
pub struct AuditLogResponse {
    /// Id (UUID).
    pub id: String,
    /// Tenant the change belongs to.
    pub tenant_id: Option<String>,
    /// `user`, `api_key`, `system` or `webhook`.
    pub actor_type: String,
    /// User id, API key id, service name or event id.
    pub actor_id: Option<String>,
    /// The acting user's e-mail (for keys: the owner's).
    pub actor_email: Option<String>,
    /// `<resource_type>.<verb>`, e.g. `domain.create`.
    pub action: String,
    /// Resource class.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Human label of the resource.
    pub resource_name: Option<String>,
    /// `{"before": <object|null>, "after": <object|null>}`.
    pub details: Value,
    /// Client address.
    pub ip_address: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// When.
    pub timestamp: Timestamp,
}

impl From<AuditEvent> for AuditLogResponse {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id.to_string(),
            tenant_id: e.tenant_id.map(|t| t.to_string()),
            actor_type: e.actor_type.as_str().to_owned(),
            actor_id: e.actor_id,
            actor_email: e.actor_email,
            action: e.action,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            resource_name: e.resource_name,
            details: json!({"before": e.before, "after": e.after}),
            ip_address: e.ip_address,
            user_agent: e.user_agent,
            request_id: e.request_id,
            timestamp: e.created_at.into(),
        }
    }
}

page_envelope! {
    /// A page of entries.
    AuditLogList of AuditLogResponse,
    data: " Newest first.",
    total: " Entries across all pages.",
}

fn bad_query(field: &str, message: &str) -> ApiError {
    ApiError::from(scaidns_core::Error::bad_query(field, message))
}

/// Audit-log endpoints.
pub struct AuditApi;

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// Audit entries, newest first (`audit:read`; `tenant_id` for platform admins only).
    #[oai(
        path = "/admin/audit-logs",
        method = "get",
        operation_id = "audit_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn audit_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Platform admins: only this tenant.
        tenant_id: Query<Option<String>>,
        /// `user`, `api_key`, `system` or `webhook`.
        actor_type: Query<Option<String>>,
        /// User or API key id.
        actor_id: Query<Option<String>>,
        /// Exact action, e.g. `domain.create`.
        action: Query<Option<String>>,
        /// Exact resource type, e.g. `domain`.
        resource_type: Query<Option<String>>,
        /// Exact resource id.
        resource_id: Query<Option<String>>,
        /// From this instant (inclusive).
        start_date: Query<Option<Timestamp>>,
        /// Until this instant (exclusive).
        end_date: Query<Option<Timestamp>>,
    ) -> ApiResult<Json<AuditLogList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let tenant_id = optional_tenant_id(tenant_id.0.as_deref(), false)?;
        let actor_type = match actor_type.0.as_deref() {
            Some(raw) => Some(raw.parse::<ActorType>().map_err(|_| {
                bad_query(
                    "actor_type",
                    "must be one of: user, api_key, system, webhook",
                )
            })?),
            None => None,
        };
        let query = AuditQuery {
            tenant_id,
            action: action.0,
            resource_type: resource_type.0,
            resource_id: resource_id.0,
            actor_id: actor_id.0,
            actor_type,
            since: start_date.0.map(Into::into),
            until: end_date.0.map(Into::into),
        };
        let result = state.service.audit_list(&ctx, query, page).await?;
        Ok(Json(AuditLogList::new(result, page)))
    }

    /// One audit entry.
    #[oai(
        path = "/admin/audit-logs/:log_id",
        method = "get",
        operation_id = "audit_get"
    )]
    async fn audit_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Entry id.
        log_id: Path<String>,
    ) -> ApiResult<Json<AuditLogResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let entry = state.service.audit_get(&ctx, log_id.0.parse()?).await?;
        Ok(Json(entry.into()))
    }
}
