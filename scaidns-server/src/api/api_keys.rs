//! API keys (spec api-identity §8). The secret appears exactly twice in its life: in the
//! response to create and to regenerate.

use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::identity::api_key::{ApiKey, PermissionSource};
use scaidns_core::ids::ApiKeyId;
use scaidns_core::service::{ApiKeyCreate, ApiKeyListQuery, IssuedApiKey};

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, NoContent, optional_tenant_id, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// Whose permissions a key carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PermissionSourceDto {
    /// A user.
    User,
    /// A group.
    Group,
}

impl From<PermissionSourceDto> for PermissionSource {
    fn from(p: PermissionSourceDto) -> Self {
        match p {
            PermissionSourceDto::User => Self::User,
            PermissionSourceDto::Group => Self::Group,
        }
    }
}

impl From<PermissionSource> for PermissionSourceDto {
    fn from(p: PermissionSource) -> Self {
        match p {
            PermissionSource::User => Self::User,
            PermissionSource::Group => Self::Group,
        }
    }
}

/// An API key as lists show it (never the secret).
#[derive(Debug, Clone, Object)]
pub struct ApiKeyResponse {
    /// Id (UUID).
    pub id: String,
    /// Tenant of the permission source.
    pub tenant_id: String,
    /// Label.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// First characters of the secret, e.g. `sdk_live_ab`.
    pub key_prefix: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Whose permissions the key carries.
    pub permission_source: PermissionSourceDto,
    /// User or group id.
    pub permission_source_id: String,
    /// Permission strings the key is narrowed to (empty: all of the source's).
    pub scopes: Vec<String>,
    /// Requests per minute.
    pub rate_limit: Option<u32>,
    /// Allowed client networks (empty: any).
    pub ip_whitelist: Vec<String>,
    /// Refused after this instant.
    pub expires_at: Option<Timestamp>,
    /// Last use.
    pub last_used_at: Option<Timestamp>,
    /// Client address of the last use.
    pub last_used_ip: Option<String>,
    /// Number of uses.
    pub use_count: i64,
    /// Creation time.
    pub created_at: Timestamp,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id.to_string(),
            tenant_id: k.tenant_id.to_string(),
            name: k.name,
            description: k.description,
            key_prefix: k.key_prefix,
            status: k.status.to_string(),
            permission_source: k.permission_source.into(),
            permission_source_id: k.permission_source_id,
            scopes: k.scopes,
            rate_limit: k.rate_limit,
            ip_whitelist: k.ip_whitelist.iter().map(ToString::to_string).collect(),
            expires_at: k.expires_at.map(Into::into),
            last_used_at: k.last_used_at.map(Into::into),
            last_used_ip: k.last_used_ip,
            use_count: k.use_count,
            created_at: k.created_at.into(),
        }
    }
}

/// An API key with its secret: shown once, at creation and regeneration.
#[derive(Debug, Clone, Object)]
pub struct ApiKeySecretResponse {
    /// The full secret (`sdk_live_…`). Store it now: it cannot be shown again.
    pub key: String,
    /// Id (UUID).
    pub id: String,
    /// Tenant of the permission source.
    pub tenant_id: String,
    /// Label.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// First characters of the secret.
    pub key_prefix: String,
    /// `active` or `revoked`.
    pub status: String,
    /// Whose permissions the key carries.
    pub permission_source: PermissionSourceDto,
    /// User or group id.
    pub permission_source_id: String,
    /// Permission strings the key is narrowed to.
    pub scopes: Vec<String>,
    /// Requests per minute.
    pub rate_limit: Option<u32>,
    /// Allowed client networks.
    pub ip_whitelist: Vec<String>,
    /// Refused after this instant.
    pub expires_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
}

impl From<IssuedApiKey> for ApiKeySecretResponse {
    fn from(issued: IssuedApiKey) -> Self {
        let k = ApiKeyResponse::from(issued.key);
        Self {
            key: issued.secret.expose().to_owned(),
            id: k.id,
            tenant_id: k.tenant_id,
            name: k.name,
            description: k.description,
            key_prefix: k.key_prefix,
            status: k.status,
            permission_source: k.permission_source,
            permission_source_id: k.permission_source_id,
            scopes: k.scopes,
            rate_limit: k.rate_limit,
            ip_whitelist: k.ip_whitelist,
            expires_at: k.expires_at,
            created_at: k.created_at,
        }
    }
}

page_envelope! {
    /// A page of keys.
    ApiKeyList of ApiKeyResponse,
    data: " Keys of this page, newest first.",
    total: " Keys across all pages.",
}

/// New API key.
#[derive(Debug, Clone, Object)]
pub struct ApiKeyCreateRequest {
    /// Label, shown in lists and the audit log.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Whose permissions the key carries (default `user`).
    pub permission_source: Option<PermissionSourceDto>,
    /// User or group id (default: the caller's user).
    pub permission_source_id: Option<String>,
    /// Narrow the key to these permission strings.
    pub scopes: Option<Vec<String>>,
    /// Requests per minute.
    pub rate_limit: Option<u32>,
    /// CIDR blocks allowed to use the key.
    pub ip_whitelist: Option<Vec<String>>,
    /// Refuse the key after this instant.
    pub expires_at: Option<Timestamp>,
}

/// Key created.
#[derive(ApiResponse)]
pub enum ApiKeyCreated {
    /// Created; the response holds the secret.
    #[oai(status = 201)]
    Created(Json<ApiKeySecretResponse>),
}

/// API-key endpoints.
pub struct ApiKeysApi;

#[OpenApi(tag = "ApiTags::ApiKeys")]
impl ApiKeysApi {
    /// List keys: own ones; with `api_keys:read` the tenant's (platform admins: any tenant's).
    #[oai(path = "/api-keys", method = "get", operation_id = "api_key_list")]
    #[allow(clippy::too_many_arguments)]
    async fn api_key_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Include revoked keys.
        include_revoked: Query<Option<bool>>,
        /// Platform admins: only this tenant's keys.
        tenant_id: Query<Option<String>>,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<Json<ApiKeyList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let tenant_id = optional_tenant_id(tenant_id.0.as_deref(), false)?;
        let query = ApiKeyListQuery {
            include_revoked: include_revoked.0.unwrap_or(false),
            tenant_id,
        };
        let result = state.service.api_key_list(&ctx, query, page).await?;
        Ok(Json(ApiKeyList::new(result, page)))
    }

    /// Create a key. The response carries the secret, which is never shown again.
    #[oai(path = "/api-keys", method = "post", operation_id = "api_key_create")]
    async fn api_key_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<ApiKeyCreateRequest>,
    ) -> ApiResult<ApiKeyCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let input = ApiKeyCreate {
            name: b.name,
            description: b.description,
            permission_source: b
                .permission_source
                .map_or(PermissionSource::User, Into::into),
            permission_source_id: b.permission_source_id,
            scopes: b.scopes.unwrap_or_default(),
            rate_limit: b.rate_limit,
            ip_whitelist: b.ip_whitelist.unwrap_or_default(),
            expires_at: b.expires_at.map(Into::into),
        };
        let issued = state.service.api_key_create(&ctx, input).await?;
        Ok(ApiKeyCreated::Created(Json(issued.into())))
    }

    /// One key.
    #[oai(
        path = "/api-keys/:key_id",
        method = "get",
        operation_id = "api_key_get"
    )]
    async fn api_key_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Key id.
        key_id: Path<String>,
    ) -> ApiResult<Json<ApiKeyResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = key_id.0.parse::<ApiKeyId>()?;
        Ok(Json(state.service.api_key_get(&ctx, id).await?.into()))
    }

    /// Delete a key for good.
    #[oai(
        path = "/api-keys/:key_id",
        method = "delete",
        operation_id = "api_key_delete"
    )]
    async fn api_key_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Key id.
        key_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = key_id.0.parse::<ApiKeyId>()?;
        state.service.api_key_delete(&ctx, id).await?;
        Ok(NoContent::NoContent)
    }

    /// Revoke a key (reversible with activate).
    #[oai(
        path = "/api-keys/:key_id/revoke",
        method = "post",
        operation_id = "api_key_revoke"
    )]
    async fn api_key_revoke(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Key id.
        key_id: Path<String>,
    ) -> ApiResult<Json<ApiKeyResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = key_id.0.parse::<ApiKeyId>()?;
        Ok(Json(state.service.api_key_revoke(&ctx, id).await?.into()))
    }

    /// Re-activate a revoked key.
    #[oai(
        path = "/api-keys/:key_id/activate",
        method = "post",
        operation_id = "api_key_activate"
    )]
    async fn api_key_activate(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Key id.
        key_id: Path<String>,
    ) -> ApiResult<Json<ApiKeyResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = key_id.0.parse::<ApiKeyId>()?;
        Ok(Json(state.service.api_key_activate(&ctx, id).await?.into()))
    }

    /// Issue a new secret; the old one stops working at once.
    #[oai(
        path = "/api-keys/:key_id/regenerate",
        method = "post",
        operation_id = "api_key_regenerate"
    )]
    async fn api_key_regenerate(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Key id.
        key_id: Path<String>,
    ) -> ApiResult<Json<ApiKeySecretResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = key_id.0.parse::<ApiKeyId>()?;
        Ok(Json(
            state.service.api_key_regenerate(&ctx, id).await?.into(),
        ))
    }
}
