//! Role assignments of users and groups, and a user's effective permissions (spec
//! api-identity §6.3–6.4, §9; interface decision 18). One handler per operation, each calling
//! the service method of the same name.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::rbac::RoleAssignment;
use scaidns_core::service::permissions::EffectivePermissions;
use scaidns_core::service::role_assignments::ScopeInput;

use crate::api::{ApiTags, NoContent};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// Where an assignment applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ScopeDto {
    /// Every tenant.
    Platform,
    /// One tenant (`scope_id` = tenant id).
    Tenant,
    /// One domain (`scope_id` = domain id).
    Domain,
}

/// New role assignment.
#[derive(Debug, Clone, Object)]
pub struct RoleAssignRequest {
    /// A system role, or a custom role of the holder's tenant.
    pub role_name: String,
    /// Scope.
    pub scope: ScopeDto,
    /// Tenant or domain id (absent for platform).
    pub scope_id: Option<String>,
}

/// A role assignment.
#[derive(Debug, Clone, Object)]
pub struct RoleAssignmentResponse {
    /// Id (UUID).
    pub id: String,
    /// Role id.
    pub role_id: String,
    /// Role name.
    pub role_name: String,
    /// `user` or `group`.
    pub principal_type: String,
    /// User or group id.
    pub principal_id: String,
    /// `platform`, `tenant` or `domain`.
    pub scope: String,
    /// Tenant or domain id.
    pub scope_id: Option<String>,
    /// Tenant the assignment belongs to.
    pub tenant_id: String,
    /// When it was made.
    pub created_at: Timestamp,
}

impl From<RoleAssignment> for RoleAssignmentResponse {
    fn from(a: RoleAssignment) -> Self {
        Self {
            id: a.id.to_string(),
            role_id: a.role_id.to_string(),
            role_name: a.role_name,
            principal_type: a.subject.kind().to_owned(),
            principal_id: a.subject.id_string(),
            scope: a.scope.kind().to_owned(),
            scope_id: a.scope.id_string(),
            tenant_id: a.tenant_id.to_string(),
            created_at: a.created_at.into(),
        }
    }
}

/// A principal's role assignments.
#[derive(Debug, Clone, Object)]
pub struct RoleAssignmentList {
    /// Oldest first.
    pub data: Vec<RoleAssignmentResponse>,
    /// Number of assignments.
    pub total: u64,
}

/// One assignment with the permissions it gives.
#[derive(Debug, Clone, Object)]
pub struct AssignmentPermissions {
    /// The assignment.
    pub assignment: RoleAssignmentResponse,
    /// Its role's permissions, expanded.
    pub permissions: Vec<String>,
}

/// A user's effective permissions.
#[derive(Debug, Clone, Object)]
pub struct EffectivePermissionsResponse {
    /// The user.
    pub user_id: String,
    /// Held in every tenant.
    pub platform: Vec<String>,
    /// Held throughout the user's own tenant (platform ones included).
    pub tenant: Vec<String>,
    /// Each assignment (the user's and its groups') with its permissions; access grants add
    /// per-domain permissions on top.
    pub assignments: Vec<AssignmentPermissions>,
}

/// Role assigned.
#[derive(ApiResponse)]
pub enum RoleAssigned {
    /// Created.
    #[oai(status = 201)]
    Created(Json<RoleAssignmentResponse>),
}

fn scope_input(b: &RoleAssignRequest) -> ScopeInput {
    ScopeInput {
        scope: match b.scope {
            ScopeDto::Platform => "platform",
            ScopeDto::Tenant => "tenant",
            ScopeDto::Domain => "domain",
        }
        .to_owned(),
        scope_id: b.scope_id.clone(),
    }
}

fn assignment_list(items: Vec<RoleAssignment>) -> RoleAssignmentList {
    RoleAssignmentList {
        total: items.len() as u64,
        data: items.into_iter().map(Into::into).collect(),
    }
}

fn effective(user_id: String, e: EffectivePermissions) -> EffectivePermissionsResponse {
    EffectivePermissionsResponse {
        user_id,
        platform: e.platform,
        tenant: e.tenant,
        assignments: e
            .assignments
            .into_iter()
            .map(|(a, permissions)| AssignmentPermissions {
                assignment: a.into(),
                permissions,
            })
            .collect(),
    }
}
/// Role-assignment endpoints.
pub struct RoleAssignmentsApi;

#[OpenApi(tag = "ApiTags::Roles")]
impl RoleAssignmentsApi {
    /// A user's role assignments (`roles:read`).
    #[oai(
        path = "/roles/users/:user_id",
        method = "get",
        operation_id = "user_role_list"
    )]
    async fn user_role_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// User id.
        user_id: Path<String>,
    ) -> ApiResult<Json<RoleAssignmentList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let items = state
            .service
            .user_role_list(&ctx, user_id.0.parse()?)
            .await?;
        Ok(Json(assignment_list(items)))
    }

    /// Assign a role to a user at a scope (`roles:assign` there; 409 when already assigned).
    #[oai(
        path = "/roles/users/:user_id",
        method = "post",
        operation_id = "user_role_assign"
    )]
    async fn user_role_assign(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// User id.
        user_id: Path<String>,
        body: Json<RoleAssignRequest>,
    ) -> ApiResult<RoleAssigned> {
        let ctx = op_context(&state, &auth, req).await?;
        let a = state
            .service
            .user_role_assign(
                &ctx,
                user_id.0.parse()?,
                &body.0.role_name,
                scope_input(&body.0),
            )
            .await?;
        Ok(RoleAssigned::Created(Json(a.into())))
    }

    /// Revoke one of a user's assignments.
    #[oai(
        path = "/roles/users/:user_id/assignments/:assignment_id",
        method = "delete",
        operation_id = "user_role_revoke"
    )]
    async fn user_role_revoke(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// User id.
        user_id: Path<String>,
        /// Assignment id.
        assignment_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state
            .service
            .user_role_revoke(&ctx, user_id.0.parse()?, assignment_id.0.parse()?)
            .await?;
        Ok(NoContent::NoContent)
    }

    /// A user's effective permissions (the user itself, or `roles:read`).
    #[oai(
        path = "/roles/users/:user_id/permissions",
        method = "get",
        operation_id = "user_permission_list"
    )]
    async fn user_permission_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// User id.
        user_id: Path<String>,
    ) -> ApiResult<Json<EffectivePermissionsResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let e = state
            .service
            .user_permission_list(&ctx, user_id.0.parse()?)
            .await?;
        Ok(Json(effective(user_id.0, e)))
    }

    /// A group's role assignments (`roles:read`).
    #[oai(
        path = "/roles/groups/:group_id",
        method = "get",
        operation_id = "group_role_list"
    )]
    async fn group_role_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
    ) -> ApiResult<Json<RoleAssignmentList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let items = state
            .service
            .group_role_list(&ctx, group_id.0.parse()?)
            .await?;
        Ok(Json(assignment_list(items)))
    }

    /// Assign a role to a group (all its members) at a scope.
    #[oai(
        path = "/roles/groups/:group_id",
        method = "post",
        operation_id = "group_role_assign"
    )]
    async fn group_role_assign(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
        body: Json<RoleAssignRequest>,
    ) -> ApiResult<RoleAssigned> {
        let ctx = op_context(&state, &auth, req).await?;
        let a = state
            .service
            .group_role_assign(
                &ctx,
                group_id.0.parse()?,
                &body.0.role_name,
                scope_input(&body.0),
            )
            .await?;
        Ok(RoleAssigned::Created(Json(a.into())))
    }

    /// Revoke one of a group's assignments.
    #[oai(
        path = "/roles/groups/:group_id/assignments/:assignment_id",
        method = "delete",
        operation_id = "group_role_revoke"
    )]
    async fn group_role_revoke(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
        /// Assignment id.
        assignment_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state
            .service
            .group_role_revoke(&ctx, group_id.0.parse()?, assignment_id.0.parse()?)
            .await?;
        Ok(NoContent::NoContent)
    }
}
