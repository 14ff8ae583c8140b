//! `/api/v1/admin/partners` (spec api-identity §10.3): the organisations above tenants, as
//! identity sync and webhooks mirror them from the identity provider (none without one).
//! Platform admins only.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::tenant::Partner;

use crate::api::ApiTags;
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// A partner.
#[derive(Debug, Clone, Object)]
pub struct PartnerResponse {
    /// Id (UUID).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug at the identity provider, if any.
    pub slug: Option<String>,
    /// Id at the identity provider (`prt_…`).
    pub scaikey_partner_id: String,
    /// `active`, `suspended` or `deleted` (soft-deleted upstream).
    pub status: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<Partner> for PartnerResponse {
    fn from(p: Partner) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            slug: p.slug,
            scaikey_partner_id: p.scaikey_partner_id,
            status: p.status.to_string(),
            created_at: p.created_at.into(),
            updated_at: p.updated_at.into(),
        }
    }
}

/// Every partner.
#[derive(Debug, Clone, Object)]
pub struct PartnerList {
    /// Partners, by name.
    pub data: Vec<PartnerResponse>,
    /// How many.
    pub total: u64,
}

/// Partner endpoints.
pub struct PartnersApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl PartnersApi {
    /// Every partner (platform admin).
    #[oai(
        path = "/admin/partners",
        method = "get",
        operation_id = "partner_list"
    )]
    async fn partner_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<PartnerList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let data: Vec<PartnerResponse> = state
            .service
            .partner_list(&ctx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(Json(PartnerList {
            total: data.len() as u64,
            data,
        }))
    }

    /// One partner by id or identity-provider id (platform admin).
    #[oai(
        path = "/admin/partners/:partner_id",
        method = "get",
        operation_id = "partner_get"
    )]
    async fn partner_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Partner id, or its id at the identity provider (`prt_…`).
        partner_id: Path<String>,
    ) -> ApiResult<Json<PartnerResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(
            state.service.partner_get(&ctx, &partner_id.0).await?.into(),
        ))
    }
}
