//! Users (spec api-identity §5.3, §10.1): `/api/v1/admin/users/`. Tenant admins in their
//! own tenant, platform admins in every tenant. With ScaiKey configured the writes are proxied
//! to its admin API and mirrored here (a ScaiKey outage is 502 and changes nothing); without
//! it users are local and the ScaiKey-only operations are 409
//! `identity_provider_not_configured`. Passwords are accepted, never returned.

use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::service::{UserCreate, UserQuery, UserUpdate};
use scaidns_core::tenant::{User, UserStatus};

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, optional_tenant_id, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// A user.
#[derive(Debug, Clone, Object)]
pub struct UserResponse {
    /// Id (UUID).
    pub id: String,
    /// Primary tenant.
    pub tenant_id: String,
    /// E-mail (lowercase).
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name (names, or the e-mail when none are known).
    pub name: String,
    /// Id at the identity provider (`usr_…`).
    pub scaikey_user_id: Option<String>,
    /// `active` or `inactive`.
    pub status: String,
    /// Holds `platform_admin`.
    pub is_platform_admin: bool,
    /// Holds `tenant_admin` in its tenant.
    pub is_tenant_admin: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        let name = [u.first_name.as_deref(), u.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            id: u.id.to_string(),
            tenant_id: u.tenant_id.to_string(),
            name: if name.is_empty() {
                u.email.clone()
            } else {
                name
            },
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            scaikey_user_id: u.scaikey_user_id,
            status: u.status.to_string(),
            is_platform_admin: u.is_platform_admin,
            is_tenant_admin: u.is_tenant_admin,
            created_at: u.created_at.into(),
            updated_at: u.updated_at.into(),
        }
    }
}

page_envelope! {
    /// A page of users.
    UserList of UserResponse,
    data: " Users of this page, by e-mail.",
    total: " Users across all pages.",
}

/// A user's status as a filter or a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UserStatusDto {
    /// May sign in and use its keys.
    Active,
    /// Disabled: refused everywhere.
    Inactive,
}

impl From<UserStatusDto> for UserStatus {
    fn from(s: UserStatusDto) -> Self {
        match s {
            UserStatusDto::Active => Self::Active,
            UserStatusDto::Inactive => Self::Inactive,
        }
    }
}

/// New user.
#[derive(Clone, Object)]
pub struct UserCreateRequest {
    /// E-mail; stored lowercase, unique.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name (passed to ScaiKey).
    pub display_name: Option<String>,
    /// Initial password, 8 to 256 characters (ScaiKey only; never returned). Without one
    /// ScaiKey e-mails an invitation.
    pub password: Option<String>,
    /// Primary tenant; defaults to the caller's. Tenant admins may name only their own.
    pub tenant_id: Option<String>,
}

/// A user to invite (ScaiKey e-mails the invitation).
#[derive(Clone, Object)]
pub struct UserInviteRequest {
    /// E-mail; stored lowercase, unique.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Primary tenant; defaults to the caller's.
    pub tenant_id: Option<String>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Object)]
pub struct UserUpdateRequest {
    /// Given name (empty clears it).
    pub first_name: Option<String>,
    /// Family name (empty clears it).
    pub last_name: Option<String>,
    /// Display name (passed to ScaiKey).
    pub display_name: Option<String>,
    /// `inactive` disables the user, `active` enables it again.
    pub status: Option<UserStatusDto>,
}

/// A new password.
#[derive(Clone, Object)]
pub struct UserPasswordRequest {
    /// 8 to 256 characters; sent to ScaiKey, never stored or returned.
    pub password: String,
}

/// User created.
#[derive(ApiResponse)]
pub enum UserCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<UserResponse>),
}

fn body_tenant(raw: Option<&str>) -> ApiResult<Option<scaidns_core::ids::TenantId>> {
    optional_tenant_id(raw.map(str::trim).filter(|s| !s.is_empty()), true)
}

/// User endpoints.
pub struct UsersApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl UsersApi {
    /// List the users of a tenant (default: the caller's), by e-mail.
    #[oai(path = "/admin/users", method = "get", operation_id = "user_list")]
    #[allow(clippy::too_many_arguments)]
    async fn user_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Tenant whose users to list (platform admins; others may name only their own).
        tenant_id: Query<Option<String>>,
        /// Case-insensitive substring of the e-mail or a name.
        search: Query<Option<String>>,
        /// Only users in this status.
        status: Query<Option<UserStatusDto>>,
    ) -> ApiResult<Json<UserList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let query = UserQuery {
            tenant_id: optional_tenant_id(tenant_id.0.as_deref(), false)?,
            search: search.0,
            status: status.0.map(Into::into),
        };
        let result = state.service.user_list(&ctx, query, page).await?;
        Ok(Json(UserList::new(result, page)))
    }

    /// Create a user: in ScaiKey when configured (without a password ScaiKey invites the
    /// user), else locally.
    #[oai(path = "/admin/users", method = "post", operation_id = "user_create")]
    async fn user_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<UserCreateRequest>,
    ) -> ApiResult<UserCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let input = UserCreate {
            tenant_id: body_tenant(body.tenant_id.as_deref())?,
            email: body.email,
            first_name: body.first_name,
            last_name: body.last_name,
            display_name: body.display_name,
            password: body.password,
        };
        let user = state.service.user_create(&ctx, input).await?;
        Ok(UserCreated::Created(Json(user.into())))
    }

    /// Invite a user through ScaiKey (409 `identity_provider_not_configured` without it).
    #[oai(
        path = "/admin/users/invite",
        method = "post",
        operation_id = "user_invite"
    )]
    async fn user_invite(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<UserInviteRequest>,
    ) -> ApiResult<UserCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let input = UserCreate {
            tenant_id: body_tenant(body.tenant_id.as_deref())?,
            email: body.email,
            first_name: body.first_name,
            last_name: body.last_name,
            display_name: body.display_name,
            password: None,
        };
        let user = state.service.user_invite(&ctx, input).await?;
        Ok(UserCreated::Created(Json(user.into())))
    }

    /// One user, by internal id or ScaiKey id (`usr_…`).
    #[oai(
        path = "/admin/users/:user_id",
        method = "get",
        operation_id = "user_get"
    )]
    async fn user_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Internal id or ScaiKey id.
        user_id: Path<String>,
    ) -> ApiResult<Json<UserResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(state.service.user_get(&ctx, &user_id.0).await?.into()))
    }

    /// Change a user's names or status. A platform admin's account is changed by platform
    /// admins only (403 `platform_admin_protected`).
    #[oai(
        path = "/admin/users/:user_id",
        method = "patch",
        operation_id = "user_update"
    )]
    async fn user_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Internal id or ScaiKey id.
        user_id: Path<String>,
        body: Json<UserUpdateRequest>,
    ) -> ApiResult<Json<UserResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let input = UserUpdate {
            first_name: body.first_name,
            last_name: body.last_name,
            display_name: body.display_name,
            status: body.status.map(Into::into),
        };
        let user = state.service.user_update(&ctx, &user_id.0, input).await?;
        Ok(Json(user.into()))
    }

    /// Disable a user (reversible: `PATCH` with `status: active`); answers the user.
    #[oai(
        path = "/admin/users/:user_id",
        method = "delete",
        operation_id = "user_disable"
    )]
    async fn user_disable(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Internal id or ScaiKey id.
        user_id: Path<String>,
    ) -> ApiResult<Json<UserResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(
            state.service.user_disable(&ctx, &user_id.0).await?.into(),
        ))
    }

    /// Set a new password in ScaiKey (409 `identity_provider_not_configured` without it).
    #[oai(
        path = "/admin/users/:user_id/password",
        method = "post",
        operation_id = "user_password_reset"
    )]
    async fn user_password_reset(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Internal id or ScaiKey id.
        user_id: Path<String>,
        body: Json<UserPasswordRequest>,
    ) -> ApiResult<Json<UserResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let user = state
            .service
            .user_password_reset(&ctx, &user_id.0, &body.0.password)
            .await?;
        Ok(Json(user.into()))
    }

    /// Send a user's ScaiKey invitation again (409 `identity_provider_not_configured`
    /// without ScaiKey).
    #[oai(
        path = "/admin/users/:user_id/resend-invite",
        method = "post",
        operation_id = "user_resend_invite"
    )]
    async fn user_resend_invite(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Internal id or ScaiKey id.
        user_id: Path<String>,
    ) -> ApiResult<Json<UserResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let user = state.service.user_resend_invite(&ctx, &user_id.0).await?;
        Ok(Json(user.into()))
    }
}
