//! `/api/v1/admin/groups` (spec api-identity §10.2): a tenant's groups, for tenant admins and
//! platform admins. Groups mirrored from the identity provider are read-only here; local
//! groups can be changed and given members.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::ids::{GroupId, UserId};
use scaidns_core::service::groups::{GroupCreate, GroupUpdate};
use scaidns_core::tenant::Group;

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, NoContent, optional_tenant_id, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// A group.
#[derive(Debug, Clone, Object)]
pub struct GroupResponse {
    /// Id (UUID).
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Name, unique in the tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `SECURITY` or `DISTRIBUTION_LIST`.
    pub group_type: String,
    /// Id at the identity provider (`grp_…`); none for local groups.
    pub scaikey_group_id: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<Group> for GroupResponse {
    fn from(g: Group) -> Self {
        Self {
            id: g.id.to_string(),
            tenant_id: g.tenant_id.to_string(),
            name: g.name,
            description: g.description,
            group_type: g.group_type.to_string(),
            scaikey_group_id: g.scaikey_group_id,
            created_at: g.created_at.into(),
            updated_at: g.updated_at.into(),
        }
    }
}

page_envelope! {
    /// A page of groups.
    GroupList of GroupResponse,
    data: " Groups of this page, by name.",
    total: " Groups across all pages.",
}

/// New local group.
#[derive(Debug, Clone, Object)]
pub struct GroupCreateRequest {
    /// Name, unique in the tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `SECURITY` (default) or `DISTRIBUTION_LIST`.
    pub group_type: Option<String>,
    /// Owning tenant; defaults to the caller's.
    pub tenant_id: Option<String>,
}

/// Changes to a local group; absent fields stay.
#[derive(Debug, Clone, Object)]
pub struct GroupUpdateRequest {
    /// New name.
    pub name: Option<String>,
    /// New description (empty clears it).
    pub description: Option<String>,
    /// `SECURITY` or `DISTRIBUTION_LIST`.
    pub group_type: Option<String>,
}

/// A user to add.
#[derive(Debug, Clone, Object)]
pub struct GroupMemberRequest {
    /// User id (of the group's tenant).
    pub user_id: String,
}

/// Members of a group.
#[derive(Debug, Clone, Object)]
pub struct GroupMembers {
    /// User ids, ordered.
    pub user_ids: Vec<String>,
}

/// Group created.
#[derive(ApiResponse)]
pub enum GroupCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<GroupResponse>),
}

fn members(ids: Vec<UserId>) -> Json<GroupMembers> {
    Json(GroupMembers {
        user_ids: ids.into_iter().map(|u| u.to_string()).collect(),
    })
}

/// Group endpoints.
pub struct GroupsApi;

#[OpenApi(tag = "ApiTags::Groups")]
impl GroupsApi {
    /// List the groups of a tenant (default: the caller's); needs `groups:read` there.
    #[oai(path = "/admin/groups", method = "get", operation_id = "group_list")]
    async fn group_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Tenant whose groups to list.
        tenant_id: Query<Option<String>>,
    ) -> ApiResult<Json<GroupList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let tenant = optional_tenant_id(tenant_id.0.as_deref(), false)?;
        let result = state.service.group_list(&ctx, tenant, page).await?;
        Ok(Json(GroupList::new(result, page)))
    }

    /// Create a local group; needs `groups:create` in its tenant.
    #[oai(path = "/admin/groups", method = "post", operation_id = "group_create")]
    async fn group_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<GroupCreateRequest>,
    ) -> ApiResult<GroupCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let tenant_id = optional_tenant_id(
            body.tenant_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            true,
        )?;
        let group = state
            .service
            .group_create(
                &ctx,
                GroupCreate {
                    name: body.name,
                    description: body.description,
                    group_type: body.group_type,
                    tenant_id,
                },
            )
            .await?;
        Ok(GroupCreated::Created(Json(group.into())))
    }

    /// One group; needs `groups:read` in its tenant.
    #[oai(
        path = "/admin/groups/:group_id",
        method = "get",
        operation_id = "group_get"
    )]
    async fn group_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
    ) -> ApiResult<Json<GroupResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        Ok(Json(state.service.group_get(&ctx, id).await?.into()))
    }

    /// Change a local group (409 `group_managed_upstream` for mirrored ones).
    #[oai(
        path = "/admin/groups/:group_id",
        method = "patch",
        operation_id = "group_update"
    )]
    async fn group_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
        body: Json<GroupUpdateRequest>,
    ) -> ApiResult<Json<GroupResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        let body = body.0;
        let group = state
            .service
            .group_update(
                &ctx,
                id,
                GroupUpdate {
                    name: body.name,
                    description: body.description,
                    group_type: body.group_type,
                },
            )
            .await?;
        Ok(Json(group.into()))
    }

    /// Delete a local group and its memberships.
    #[oai(
        path = "/admin/groups/:group_id",
        method = "delete",
        operation_id = "group_delete"
    )]
    async fn group_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        state.service.group_delete(&ctx, id).await?;
        Ok(NoContent::NoContent)
    }

    /// Members of a group.
    #[oai(
        path = "/admin/groups/:group_id/members",
        method = "get",
        operation_id = "group_member_list"
    )]
    async fn group_member_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
    ) -> ApiResult<Json<GroupMembers>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        Ok(members(state.service.group_member_list(&ctx, id).await?))
    }

    /// Add a user of the group's tenant to a local group; answers the members.
    #[oai(
        path = "/admin/groups/:group_id/members",
        method = "post",
        operation_id = "group_member_add"
    )]
    async fn group_member_add(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
        body: Json<GroupMemberRequest>,
    ) -> ApiResult<Json<GroupMembers>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        let user: UserId = body.0.user_id.trim().parse().map_err(|_| {
            ApiError::from(scaidns_core::Error::invalid(
                "user_id",
                "not a valid user id",
            ))
        })?;
        state.service.group_member_add(&ctx, id, user).await?;
        Ok(members(state.service.group_member_list(&ctx, id).await?))
    }

    /// Remove a user from a local group.
    #[oai(
        path = "/admin/groups/:group_id/members/:user_id",
        method = "delete",
        operation_id = "group_member_remove"
    )]
    async fn group_member_remove(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Group id.
        group_id: Path<String>,
        /// User id.
        user_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = group_id.0.parse::<GroupId>()?;
        let user: UserId = user_id
            .0
            .parse()
            .map_err(|_| ApiError::from(scaidns_core::Error::not_found("User not found")))?;
        state.service.group_member_remove(&ctx, id, user).await?;
        Ok(NoContent::NoContent)
    }
}
