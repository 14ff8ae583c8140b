//! Roles, the permission catalogue and the permission check (spec api-identity §6, §9, §3.4;
//! interface decision 18). Who holds a role is [`super::role_assignments`].

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::rbac::Role;
use scaidns_core::service::permissions::PermissionCheck;
use scaidns_core::service::roles::{RoleCreate, RoleUpdate};

use crate::api::{ApiTags, NoContent};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// A role.
#[derive(Debug, Clone, Object)]
pub struct RoleResponse {
    /// Id (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Built in (immutable).
    pub is_system: bool,
    /// Owning tenant of a custom role.
    pub tenant_id: Option<String>,
    /// Permission strings (wildcards allowed).
    pub permissions: Vec<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<Role> for RoleResponse {
    fn from(r: Role) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name,
            description: r.description,
            is_system: r.is_system,
            tenant_id: r.tenant_id.map(|t| t.to_string()),
            permissions: r.permissions,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

/// Roles.
#[derive(Debug, Clone, Object)]
pub struct RoleList {
    /// System roles first, then the tenant's custom roles by name.
    pub data: Vec<RoleResponse>,
    /// Number of roles.
    pub total: u64,
}

/// New custom role.
#[derive(Debug, Clone, Object)]
pub struct RoleCreateRequest {
    /// Lowercase `a-z`, `0-9`, `_`, `-`; unique in the tenant and among system roles.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Permission strings; each must be held by the caller tenant-wide.
    pub permissions: Vec<String>,
}

/// Changes to a custom role.
#[derive(Debug, Clone, Object)]
pub struct RoleUpdateRequest {
    /// New name.
    pub name: Option<String>,
    /// New description (`null` clears it).
    pub description: MaybeUndefined<String>,
    /// New permission strings.
    pub permissions: Option<Vec<String>>,
}

/// One entry of the permission catalogue.
#[derive(Debug, Clone, Object)]
pub struct PermissionResponse {
    /// Permission string.
    pub permission: String,
    /// What it guards.
    pub description: String,
}

/// The permission catalogue.
#[derive(Debug, Clone, Object)]
pub struct PermissionList {
    /// Every permission; roles and API-key scopes may also use `<resource>:*`, `*` and
    /// `records:write`.
    pub data: Vec<PermissionResponse>,
}

/// A permission question.
#[derive(Debug, Clone, Object)]
pub struct PermissionCheckRequest {
    /// Permission string, e.g. `records:create`.
    pub permission: String,
    /// Ask about this domain (default: the caller's tenant).
    pub domain_id: Option<String>,
    /// With `record_type`: ask about one record name (`@`, relative or absolute).
    pub record_name: Option<String>,
    /// With `record_name`: the record type.
    pub record_type: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, Object)]
pub struct PermissionCheckResponse {
    /// Whether the caller holds the permission there.
    pub allowed: bool,
    /// Why not.
    pub reason: Option<String>,
}

impl From<PermissionCheck> for PermissionCheckResponse {
    fn from(c: PermissionCheck) -> Self {
        Self {
            allowed: c.allowed,
            reason: c.reason,
        }
    }
}

/// Role created.
#[derive(ApiResponse)]
pub enum RoleCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<RoleResponse>),
}

/// Role endpoints.
pub struct RolesApi;

#[OpenApi(tag = "ApiTags::Roles")]
impl RolesApi {
    /// System roles and the caller's tenant's custom roles (`roles:read`).
    #[oai(path = "/roles", method = "get", operation_id = "role_list")]
    async fn role_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<RoleList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let roles = state.service.role_list(&ctx).await?;
        Ok(Json(RoleList {
            total: roles.len() as u64,
            data: roles.into_iter().map(Into::into).collect(),
        }))
    }

    /// Create a custom role with permissions the caller holds (`roles:create`).
    #[oai(path = "/roles", method = "post", operation_id = "role_create")]
    async fn role_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<RoleCreateRequest>,
    ) -> ApiResult<RoleCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let role = state
            .service
            .role_create(
                &ctx,
                RoleCreate {
                    name: b.name,
                    description: b.description,
                    permissions: b.permissions,
                },
            )
            .await?;
        Ok(RoleCreated::Created(Json(role.into())))
    }

    /// The permission catalogue.
    #[oai(
        path = "/roles/permissions",
        method = "get",
        operation_id = "permission_list"
    )]
    async fn permission_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<PermissionList>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(PermissionList {
            data: state
                .service
                .permission_list(&ctx)
                .into_iter()
                .map(|p| PermissionResponse {
                    permission: p.as_str().to_owned(),
                    description: p.description().to_owned(),
                })
                .collect(),
        }))
    }

    /// One role.
    #[oai(path = "/roles/:role_id", method = "get", operation_id = "role_get")]
    async fn role_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Role id.
        role_id: Path<String>,
    ) -> ApiResult<Json<RoleResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let role = state.service.role_get(&ctx, role_id.0.parse()?).await?;
        Ok(Json(role.into()))
    }

    /// Change a custom role (`roles:update`; the subset rule applies again).
    #[oai(
        path = "/roles/:role_id",
        method = "patch",
        operation_id = "role_update"
    )]
    async fn role_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Role id.
        role_id: Path<String>,
        body: Json<RoleUpdateRequest>,
    ) -> ApiResult<Json<RoleResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let input = RoleUpdate {
            name: b.name,
            description: match b.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d)),
            },
            permissions: b.permissions,
        };
        let role = state
            .service
            .role_update(&ctx, role_id.0.parse()?, input)
            .await?;
        Ok(Json(role.into()))
    }

    /// Delete a custom role that nobody holds (`roles:delete`).
    #[oai(
        path = "/roles/:role_id",
        method = "delete",
        operation_id = "role_delete"
    )]
    async fn role_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Role id.
        role_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state.service.role_delete(&ctx, role_id.0.parse()?).await?;
        Ok(NoContent::NoContent)
    }

    /// Whether the caller holds a permission in its tenant, on a domain or on one record.
    #[oai(
        path = "/me/permissions/check",
        method = "post",
        operation_id = "permission_check"
    )]
    async fn permission_check(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<PermissionCheckRequest>,
    ) -> ApiResult<Json<PermissionCheckResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let domain =
            match b.domain_id.as_deref() {
                Some(raw) => Some(raw.parse().map_err(|_| {
                    scaidns_core::Error::invalid("domain_id", "not a valid domain id")
                })?),
                None => None,
            };
        let check = state
            .service
            .permission_check(
                &ctx,
                &b.permission,
                domain,
                b.record_name.as_deref(),
                b.record_type.as_deref(),
            )
            .await?;
        Ok(Json(check.into()))
    }
}
