//! Access grants on a domain (spec api-identity §7, interface decision 19).

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::rbac::{AccessGrant, Subject};
use scaidns_core::service::access_grants::{AccessGrantCreate, AccessGrantUpdate};

use crate::api::{ApiTags, NoContent};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// Who a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum GrantTypeDto {
    /// A user.
    User,
    /// A group.
    Group,
}

/// An access grant.
#[derive(Debug, Clone, Object)]
pub struct AccessGrantResponse {
    /// Id (UUID).
    pub id: String,
    /// The domain.
    pub domain_id: String,
    /// `user` or `group`.
    pub grant_type: GrantTypeDto,
    /// User or group id.
    pub grantee_id: String,
    /// Role name.
    pub role: String,
    /// Case-insensitive glob over relative record names (`@` = apex, `*` = anything).
    pub record_pattern: Option<String>,
    /// Record types (empty: all).
    pub record_types: Vec<String>,
    /// Stops applying at this instant.
    pub expires_at: Option<Timestamp>,
    /// Whether it has expired.
    pub is_expired: bool,
    /// Free text.
    pub notes: Option<String>,
    /// Who made it.
    pub created_by: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

fn response(g: AccessGrant, now: chrono::DateTime<chrono::Utc>) -> AccessGrantResponse {
    AccessGrantResponse {
        is_expired: g.is_expired(now),
        id: g.id.to_string(),
        domain_id: g.zone_id.to_string(),
        grant_type: match g.subject {
            Subject::User(_) => GrantTypeDto::User,
            Subject::Group(_) => GrantTypeDto::Group,
        },
        grantee_id: g.subject.id_string(),
        role: g.role_name,
        record_pattern: g.record_pattern,
        record_types: g
            .record_types
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
        expires_at: g.expires_at.map(Into::into),
        notes: g.notes,
        created_by: g.created_by.map(|u| u.to_string()),
        created_at: g.created_at.into(),
        updated_at: g.updated_at.into(),
    }
}

/// A domain's grants.
#[derive(Debug, Clone, Object)]
pub struct AccessGrantList {
    /// Oldest first.
    pub data: Vec<AccessGrantResponse>,
    /// Number of grants.
    pub total: u64,
}

/// New access grant.
#[derive(Debug, Clone, Object)]
pub struct AccessGrantCreateRequest {
    /// `user` or `group`.
    pub grant_type: GrantTypeDto,
    /// User or group id (of the domain's tenant).
    pub grantee_id: String,
    /// Role name: `domain_admin`, `domain_manager`, `record_editor`, `read_only` or a custom
    /// role.
    pub role: String,
    /// Glob over relative record names, e.g. `*.dev`, `@`.
    pub record_pattern: Option<String>,
    /// Record types, e.g. `["A", "AAAA"]`.
    pub record_types: Option<Vec<String>>,
    /// Stop applying at this instant.
    pub expires_at: Option<Timestamp>,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to a grant (`null` clears a field).
#[derive(Debug, Clone, Object)]
pub struct AccessGrantUpdateRequest {
    /// New role name.
    pub role: Option<String>,
    /// New pattern.
    pub record_pattern: MaybeUndefined<String>,
    /// New record types.
    pub record_types: Option<Vec<String>>,
    /// New expiry.
    pub expires_at: MaybeUndefined<Timestamp>,
    /// New notes.
    pub notes: MaybeUndefined<String>,
}

/// Grant created.
#[derive(ApiResponse)]
pub enum AccessGrantCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<AccessGrantResponse>),
}

fn maybe<T>(m: MaybeUndefined<T>) -> Option<Option<T>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Access-grant endpoints.
pub struct AccessGrantsApi;

#[OpenApi(tag = "ApiTags::AccessGrants")]
impl AccessGrantsApi {
    /// A domain's grants (`access_grants:read` on it).
    #[oai(
        path = "/domains/:domain_id/access-grants",
        method = "get",
        operation_id = "access_grant_list"
    )]
    async fn access_grant_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Domain id.
        domain_id: Path<String>,
        /// Include expired grants.
        include_expired: Query<Option<bool>>,
    ) -> ApiResult<Json<AccessGrantList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let (_, grants) = state
            .service
            .access_grant_list(
                &ctx,
                domain_id.0.parse()?,
                include_expired.0.unwrap_or(false),
            )
            .await?;
        let now = state.service.now();
        Ok(Json(AccessGrantList {
            total: grants.len() as u64,
            data: grants.into_iter().map(|g| response(g, now)).collect(),
        }))
    }

    /// Grant a role on the domain, optionally narrowed to records (`access_grants:create`).
    #[oai(
        path = "/domains/:domain_id/access-grants",
        method = "post",
        operation_id = "access_grant_create"
    )]
    async fn access_grant_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Domain id.
        domain_id: Path<String>,
        body: Json<AccessGrantCreateRequest>,
    ) -> ApiResult<AccessGrantCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let bad_grantee =
            || scaidns_core::Error::invalid("grantee_id", "not a valid user or group id");
        let subject = match b.grant_type {
            GrantTypeDto::User => Subject::User(b.grantee_id.parse().map_err(|_| bad_grantee())?),
            GrantTypeDto::Group => Subject::Group(b.grantee_id.parse().map_err(|_| bad_grantee())?),
        };
        let input = AccessGrantCreate {
            subject,
            role: b.role,
            record_pattern: b.record_pattern,
            record_types: b.record_types.unwrap_or_default(),
            expires_at: b.expires_at.map(Into::into),
            notes: b.notes,
        };
        let grant = state
            .service
            .access_grant_create(&ctx, domain_id.0.parse()?, input)
            .await?;
        let now = state.service.now();
        Ok(AccessGrantCreated::Created(Json(response(grant, now))))
    }

    /// One grant.
    #[oai(
        path = "/domains/:domain_id/access-grants/:grant_id",
        method = "get",
        operation_id = "access_grant_get"
    )]
    async fn access_grant_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Domain id.
        domain_id: Path<String>,
        /// Grant id.
        grant_id: Path<String>,
    ) -> ApiResult<Json<AccessGrantResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let grant = state
            .service
            .access_grant_get(&ctx, domain_id.0.parse()?, grant_id.0.parse()?)
            .await?;
        Ok(Json(response(grant, state.service.now())))
    }

    /// Change a grant (`access_grants:update`).
    #[oai(
        path = "/domains/:domain_id/access-grants/:grant_id",
        method = "patch",
        operation_id = "access_grant_update"
    )]
    async fn access_grant_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Domain id.
        domain_id: Path<String>,
        /// Grant id.
        grant_id: Path<String>,
        body: Json<AccessGrantUpdateRequest>,
    ) -> ApiResult<Json<AccessGrantResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let input = AccessGrantUpdate {
            role: b.role,
            record_pattern: maybe(b.record_pattern),
            record_types: b.record_types,
            expires_at: maybe(b.expires_at).map(|e| e.map(Into::into)),
            notes: maybe(b.notes),
        };
        let grant = state
            .service
            .access_grant_update(&ctx, domain_id.0.parse()?, grant_id.0.parse()?, input)
            .await?;
        Ok(Json(response(grant, state.service.now())))
    }

    /// Delete a grant (`access_grants:delete`).
    #[oai(
        path = "/domains/:domain_id/access-grants/:grant_id",
        method = "delete",
        operation_id = "access_grant_delete"
    )]
    async fn access_grant_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Domain id.
        domain_id: Path<String>,
        /// Grant id.
        grant_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state
            .service
            .access_grant_delete(&ctx, domain_id.0.parse()?, grant_id.0.parse()?)
            .await?;
        Ok(NoContent::NoContent)
    }
}
