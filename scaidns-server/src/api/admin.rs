//! Platform administration (spec api-identity §10.3): tenants (users are in `users`).
//! Platform admins only. Suspending a tenant
//! (`PATCH`) refuses its callers with 403 `tenant_suspended`; its zones keep answering.

use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::ids::TenantId;
use scaidns_core::service::{TenantCreate, TenantUpdate};
use scaidns_core::tenant::{Tenant, TenantStatus};

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// A tenant.
#[derive(Debug, Clone, Object)]
pub struct TenantResponse {
    /// Id (UUID).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unique slug.
    pub slug: String,
    /// Id at the identity provider.
    pub scaikey_tenant_id: Option<String>,
    /// `active` or `suspended` (by the identity provider or by a platform admin).
    pub status: String,
    /// Suspended by a platform admin here; identity sync never lifts it.
    pub suspended_locally: bool,
    /// Its partner's id.
    pub partner_id: Option<String>,
    /// Free-form settings object.
    pub settings: serde_json::Value,
    /// Whether this is the platform operator's tenant.
    pub is_platform: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<Tenant> for TenantResponse {
    fn from(t: Tenant) -> Self {
        let status = t.effective_status().to_string();
        Self {
            id: t.id.to_string(),
            name: t.name,
            slug: t.slug,
            scaikey_tenant_id: t.scaikey_tenant_id,
            status,
            suspended_locally: t.suspended_locally,
            partner_id: t.partner_id.map(|p| p.to_string()),
            settings: t.settings,
            is_platform: t.is_platform,
            created_at: t.created_at.into(),
            updated_at: t.updated_at.into(),
        }
    }
}

page_envelope! {
    /// A page of tenants.
    TenantList of TenantResponse,
    data: " Tenants of this page, by name.",
    total: " Tenants across all pages.",
}

/// New tenant.
#[derive(Debug, Clone, Object)]
pub struct TenantCreateRequest {
    /// Display name.
    pub name: String,
    /// Lowercase `a-z`, `0-9` and `-`, 1 to 63 characters, unique.
    pub slug: String,
    /// Id at the identity provider (`tnt_…`).
    pub scaikey_tenant_id: Option<String>,
    /// Its partner: id, or id at the identity provider (`prt_…`).
    pub partner_id: Option<String>,
    /// Free-form settings object (at most 16 KiB).
    pub settings: Option<serde_json::Value>,
}

/// A tenant's status as a filter or a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TenantStatusDto {
    /// Its callers are served.
    Active,
    /// Its callers are refused (403 `tenant_suspended`); its zones keep answering.
    Suspended,
}

impl From<TenantStatusDto> for TenantStatus {
    fn from(s: TenantStatusDto) -> Self {
        match s {
            TenantStatusDto::Active => Self::Active,
            TenantStatusDto::Suspended => Self::Suspended,
        }
    }
}

/// Changes to a tenant; absent fields stay as they are.
#[derive(Debug, Clone, Object)]
pub struct TenantUpdateRequest {
    /// Display name.
    pub name: Option<String>,
    /// `suspended` suspends it here; `active` lifts a suspension made here (one made by the
    /// identity provider is lifted there: 409 `suspended_by_identity_provider`).
    pub status: Option<TenantStatusDto>,
    /// Replaces the settings object (at most 16 KiB).
    pub settings: Option<serde_json::Value>,
}

/// Tenant created.
#[derive(ApiResponse)]
pub enum TenantCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<TenantResponse>),
}

/// Admin endpoints.
pub struct AdminApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// List every tenant (platform admin).
    #[oai(path = "/admin/tenants", method = "get", operation_id = "tenant_list")]
    async fn tenant_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Substring of the name or slug.
        search: Query<Option<String>>,
        /// Only tenants in this status.
        status: Query<Option<TenantStatusDto>>,
    ) -> ApiResult<Json<TenantList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let result = state
            .service
            .tenant_list(&ctx, search.0.as_deref(), status.0.map(Into::into), page)
            .await?;
        Ok(Json(TenantList::new(result, page)))
    }

    /// Create a tenant (platform admin).
    #[oai(
        path = "/admin/tenants",
        method = "post",
        operation_id = "tenant_create"
    )]
    async fn tenant_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<TenantCreateRequest>,
    ) -> ApiResult<TenantCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let tenant = state
            .service
            .tenant_create(
                &ctx,
                TenantCreate {
                    name: body.name,
                    slug: body.slug,
                    scaikey_tenant_id: body.scaikey_tenant_id,
                    partner_id: body.partner_id,
                    settings: body.settings,
                },
            )
            .await?;
        Ok(TenantCreated::Created(Json(tenant.into())))
    }

    /// One tenant (platform admin).
    #[oai(
        path = "/admin/tenants/:tenant_id",
        method = "get",
        operation_id = "tenant_get"
    )]
    async fn tenant_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Tenant id.
        tenant_id: Path<String>,
    ) -> ApiResult<Json<TenantResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = tenant_id.0.parse::<TenantId>()?;
        Ok(Json(state.service.tenant_get(&ctx, id).await?.into()))
    }

    /// Rename a tenant, replace its settings, or suspend or resume it (platform admin). A
    /// suspended tenant's users, API keys and grantees are refused with 403
    /// `tenant_suspended` from the next request on; its zones keep answering DNS.
    #[oai(
        path = "/admin/tenants/:tenant_id",
        method = "patch",
        operation_id = "tenant_update"
    )]
    async fn tenant_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Tenant id.
        tenant_id: Path<String>,
        body: Json<TenantUpdateRequest>,
    ) -> ApiResult<Json<TenantResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = tenant_id.0.parse::<TenantId>()?;
        let body = body.0;
        let tenant = state
            .service
            .tenant_update(
                &ctx,
                id,
                TenantUpdate {
                    name: body.name,
                    status: body.status.map(Into::into),
                    settings: body.settings,
                },
            )
            .await?;
        Ok(Json(tenant.into()))
    }
}
