//! `/api/v1/reverse-zones/{id}/classless-delegations`: the owner of a live /24 reverse zone
//! lends a /25–/32 range of it to another tenant (RFC 2317), lists and revokes those ranges;
//! `/api/v1/classless-delegations`: the ranges lent to the caller's tenant.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::service::classless_delegations::DelegationView;

use crate::api::reverse_zones::ParentCnameDto;
use crate::api::{ApiTags, NoContent};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// A range to lend.
#[derive(Debug, Object)]
pub struct DelegationCreateRequest {
    /// A /25–/32 inside the zone's /24 (`192.0.2.64/26`).
    pub cidr: String,
    /// The tenant receiving it (not the zone's own).
    pub tenant_id: String,
}

/// A range of a /24 reverse zone lent to another tenant.
#[derive(Debug, Object)]
pub struct DelegationResponse {
    /// The delegation's id.
    pub id: String,
    /// The range.
    pub cidr: String,
    /// The /24 zone lending it.
    pub parent_zone_id: String,
    /// Its name.
    pub parent_zone_name: String,
    /// The tenant receiving it.
    pub tenant_id: String,
    /// The classless zone that tenant creates (`POST /reverse-zones` with `cidr`).
    pub zone_name: String,
    /// The CNAMEs the parent holds for it (RFC 2317 §4).
    pub parent_cnames: Vec<ParentCnameDto>,
    /// When it was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<DelegationView> for DelegationResponse {
    fn from(v: DelegationView) -> Self {
        let preview = crate::api::reverse_zones::ReverseZonePreview::from(&v.plan);
        Self {
            id: v.delegation.id.to_string(),
            cidr: v.delegation.cidr.to_string(),
            parent_zone_id: v.parent.id.to_string(),
            parent_zone_name: v.parent.name.as_str().to_owned(),
            tenant_id: v.delegation.tenant_id.to_string(),
            zone_name: v.plan.zone_name.as_str().to_owned(),
            parent_cnames: preview.parent_cnames,
            created_at: v.delegation.created_at,
        }
    }
}

/// Classless delegations.
#[derive(Debug, Object)]
pub struct DelegationList {
    /// Oldest first.
    pub data: Vec<DelegationResponse>,
}

impl From<Vec<DelegationView>> for DelegationList {
    fn from(views: Vec<DelegationView>) -> Self {
        Self {
            data: views.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(ApiResponse)]
enum DelegationCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<DelegationResponse>),
}

/// Classless delegation endpoints.
pub struct ClasslessDelegationsApi;

#[OpenApi(tag = "ApiTags::ReverseZones")]
impl ClasslessDelegationsApi {
    /// Lend a /25–/32 of this live /24 reverse zone to another tenant: writes the parent's
    /// RFC 2317 CNAMEs, after which that tenant may create the classless zone. Needs
    /// `domains:update` on the zone.
    #[oai(
        path = "/reverse-zones/:domain_id/classless-delegations",
        method = "post",
        operation_id = "classless_delegation_create"
    )]
    async fn classless_delegation_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<DelegationCreateRequest>,
    ) -> ApiResult<DelegationCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let view = state
            .service
            .classless_delegation_create(
                &ctx,
                domain_id.0.parse()?,
                &body.0.cidr,
                &body.0.tenant_id,
            )
            .await?;
        Ok(DelegationCreated::Created(Json(view.into())))
    }

    /// The ranges this /24 reverse zone lends, oldest first.
    #[oai(
        path = "/reverse-zones/:domain_id/classless-delegations",
        method = "get",
        operation_id = "classless_delegation_list"
    )]
    async fn classless_delegation_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
    ) -> ApiResult<Json<DelegationList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let views = state
            .service
            .classless_delegation_list(&ctx, domain_id.0.parse()?)
            .await?;
        Ok(Json(views.into()))
    }

    /// The ranges other tenants lend to the caller's tenant, oldest first: those whose parent
    /// zone is live now, under which this tenant may create the classless zone named in
    /// `zone_name` (`POST /reverse-zones` with `cidr`). Needs `domains:read` over the tenant.
    #[oai(
        path = "/classless-delegations",
        method = "get",
        operation_id = "classless_delegation_received_list"
    )]
    async fn classless_delegation_received_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<DelegationList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let views = state.service.classless_delegations_received(&ctx).await?;
        Ok(Json(views.into()))
    }

    /// Take a range back: the parent's CNAMEs into it are deleted; the other tenant's zone is
    /// left to it and no longer answers through this zone.
    #[oai(
        path = "/reverse-zones/:domain_id/classless-delegations/:delegation_id",
        method = "delete",
        operation_id = "classless_delegation_revoke"
    )]
    async fn classless_delegation_revoke(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        delegation_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state
            .service
            .classless_delegation_revoke(&ctx, domain_id.0.parse()?, delegation_id.0.parse()?)
            .await?;
        Ok(NoContent::NoContent)
    }
}
