//! `/api/v1/admin/nameservers` (spec §11.2, interface decision 5): the platform nameserver set,
//! written into every zone's apex NS RRset and SOA MNAME. Platform admins only.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use crate::api::ApiTags;
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// The platform nameservers.
#[derive(Debug, Clone, Object)]
pub struct NameserverList {
    /// Host names, absolute with a trailing dot; the first is every zone's SOA MNAME.
    pub nameservers: Vec<String>,
}

/// A new platform nameserver set.
#[derive(Debug, Clone, Object)]
pub struct NameserverSetRequest {
    /// 1 to 13 distinct host names (a trailing dot is optional).
    pub nameservers: Vec<String>,
}

/// Outcome of replacing the set.
#[derive(Debug, Clone, Object)]
pub struct NameserverSetResponse {
    /// The new set, canonical.
    pub nameservers: Vec<String>,
    /// Zones whose apex NS or SOA was rewritten.
    pub zones_updated: u64,
}

/// Nameserver endpoints.
pub struct NameserversApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl NameserversApi {
    /// The platform nameserver set (platform admin).
    #[oai(
        path = "/admin/nameservers",
        method = "get",
        operation_id = "nameservers_get"
    )]
    async fn nameservers_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<NameserverList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let nameservers = state.service.nameservers_get(&ctx).await?;
        Ok(Json(NameserverList { nameservers }))
    }

    /// Replace the platform nameserver set and rewrite the apex NS RRset and SOA MNAME of every
    /// zone that is not deleted (platform admin). Repeating the same request converges after
    /// an interrupted run.
    #[oai(
        path = "/admin/nameservers",
        method = "put",
        operation_id = "nameservers_set"
    )]
    async fn nameservers_set(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<NameserverSetRequest>,
    ) -> ApiResult<Json<NameserverSetResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let done = state
            .service
            .nameservers_set(&ctx, body.0.nameservers)
            .await?;
        Ok(Json(NameserverSetResponse {
            nameservers: done.nameservers,
            zones_updated: done.zones_updated,
        }))
    }
}
