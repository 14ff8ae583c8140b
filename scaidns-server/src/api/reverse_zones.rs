//! `/api/v1/reverse-zones`: reverse zones from a CIDR block and PTRs by address (spec §8).

use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::reverse::{self, CidrPlan, ReverseZonePlan};
use scaidns_core::service::reverse_zones::{
    Ptr, PtrCreate, PtrFound, ReverseZoneCreate, not_aligned,
};
use serde_json::json;

use crate::api::page_envelope::page_envelope;
use crate::api::publication;
use crate::api::validation::{ValidationResponse, challenge_ttl};
use crate::api::zones::{DomainList, DomainResponse, DomainTypeDto};
use crate::api::{ApiTags, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A CIDR block to plan or create.
#[derive(Debug, Object)]
pub struct CidrRequest {
    /// The block: `192.0.2.0/24`, `192.0.2.64/26`, `2001:db8::/48`.
    pub cidr: String,
}

/// One CNAME an RFC 2317 zone needs in its parent /24.
#[derive(Debug, Clone, Object)]
pub struct ParentCnameDto {
    /// Owner in the parent zone, without trailing dot.
    pub name: String,
    /// Target in the classless zone, with trailing dot (record content form).
    pub target: String,
}

/// The zone a CIDR block becomes.
#[derive(Debug, Clone, Object)]
pub struct ReverseZonePreview {
    /// The block, canonical.
    pub cidr: String,
    /// The zone's name, without trailing dot.
    pub zone_name: String,
    /// First address.
    pub start_ip: String,
    /// Last address.
    pub end_ip: String,
    /// Addresses in the block (a JSON number; beyond 2^53 precision is lost by most clients:
    /// `start_ip`/`end_ip` are exact).
    pub ip_count: f64,
    /// `reverse_ipv4` or `reverse_ipv6`.
    pub domain_type: DomainTypeDto,
    /// For an RFC 2317 zone (/25–/32): the /24 zone that must hold `parent_cnames`.
    pub parent_zone: Option<String>,
    /// For an RFC 2317 zone: the CNAMEs its parent needs (empty otherwise).
    pub parent_cnames: Vec<ParentCnameDto>,
}

impl From<&ReverseZonePlan> for ReverseZonePreview {
    fn from(p: &ReverseZonePlan) -> Self {
        Self {
            cidr: p.cidr.to_string(),
            zone_name: p.zone_name.as_str().to_owned(),
            start_ip: p.start_ip().to_string(),
            end_ip: p.end_ip().to_string(),
            #[allow(clippy::cast_precision_loss)]
            ip_count: p.ip_count() as f64,
            domain_type: p.domain_type.into(),
            parent_zone: p.parent_zone.as_ref().map(|z| z.as_str().to_owned()),
            parent_cnames: p
                .parent_cnames
                .iter()
                .map(|c| ParentCnameDto {
                    name: c.name.trim_end_matches('.').to_owned(),
                    target: c.target.clone(),
                })
                .collect(),
        }
    }
}

/// Reverse zone creation.
#[derive(Debug, Object)]
pub struct ReverseZoneCreateRequest {
    /// The block (`192.0.2.0/24`).
    pub cidr: String,
    /// TTL for records created without one.
    pub default_ttl: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// As on `POST /domains`: callers holding `validation_bypass` get an active zone unless
    /// this is `false`.
    pub skip_validation: Option<bool>,
}

/// A reverse zone just created.
#[derive(Debug, Object)]
pub struct ReverseZoneCreated {
    /// The zone, as `POST /domains` answers it.
    #[oai(flatten)]
    pub zone: DomainResponse,
    /// What the block stands for.
    pub reverse: ReverseZonePreview,
    /// Whether `parent_cnames` were written into the parent /24 (it is a zone of the
    /// caller's tenant the caller may write, holding nothing at those names).
    pub parent_cnames_created: bool,
    /// When the parent /24 is the caller's but refused the CNAMEs (a name there already
    /// taken): why, as `code: message`. The zone is created either way.
    pub parent_cnames_refused: Option<String>,
}

#[derive(ApiResponse)]
enum ZoneCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ReverseZoneCreated>),
}

/// A PTR by address.
#[derive(Debug, Clone, Object)]
pub struct PtrResponse {
    /// The record's id.
    pub id: String,
    /// The address (canonical text).
    pub ip: String,
    /// The host name it points to, with trailing dot.
    pub hostname: String,
    /// TTL, seconds.
    pub ttl: u32,
}

impl From<Ptr> for PtrResponse {
    fn from(p: Ptr) -> Self {
        Self {
            id: p.record.id.to_string(),
            ip: p.ip.to_string(),
            hostname: p.record.content.as_str().to_owned(),
            ttl: p.record.ttl.seconds(),
        }
    }
}

page_envelope! {
    /// A page of PTRs, by address.
    PtrList of PtrResponse,
    data: " PTRs of this page, by address.",
    total: " PTRs across all pages.",
}

/// One PTR to write.
#[derive(Debug, Clone, Object)]
pub struct PtrItem {
    /// The address, any textual form (IPv6 compressed or not).
    pub ip: String,
    /// The host name (FQDN; trailing dot optional).
    pub hostname: String,
    /// TTL; the RRset's or the zone's default when absent.
    pub ttl: Option<i64>,
}

impl From<PtrItem> for PtrCreate {
    fn from(p: PtrItem) -> Self {
        Self {
            ip: p.ip,
            hostname: p.hostname,
            ttl: p.ttl,
        }
    }
}

/// Create one PTR.
#[derive(Debug, Object)]
pub struct PtrCreateRequest {
    /// The address, any textual form.
    pub ip: String,
    /// The host name (FQDN; trailing dot optional).
    pub hostname: String,
    /// TTL; the RRset's or the zone's default when absent.
    pub ttl: Option<i64>,
    /// Replace an existing PTR for the address (else 409 `ptr_exists`).
    #[oai(default)]
    pub replace: bool,
}

/// Create many PTRs at once, all or nothing.
#[derive(Debug, Object)]
pub struct PtrBulkRequest {
    /// The PTRs (at most `BULK_MAX_ITEMS`, else 413 `too_many_items`).
    pub ptrs: Vec<PtrItem>,
    /// Replace existing PTRs for these addresses (else 409 `ptr_exists`).
    #[oai(default)]
    pub replace: bool,
}

/// What a bulk PTR write created.
#[derive(Debug, Object)]
pub struct PtrBulkResponse {
    /// The PTRs written, in request order.
    pub created: Vec<PtrResponse>,
}

#[derive(ApiResponse)]
enum PtrCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<PtrResponse>),
}

/// The PTR of an address.
#[derive(Debug, Object)]
pub struct PtrLookupResponse {
    /// The address (canonical text).
    pub ip: String,
    /// The host name, with trailing dot.
    pub hostname: String,
    /// TTL, seconds.
    pub ttl: u32,
    /// The PTR record's id.
    pub record_id: String,
    /// Its zone's id.
    pub zone_id: String,
    /// Its zone's name.
    pub zone_name: String,
}

impl From<PtrFound> for PtrLookupResponse {
    fn from(f: PtrFound) -> Self {
        Self {
            ip: f.ptr.ip.to_string(),
            hostname: f.ptr.record.content.as_str().to_owned(),
            ttl: f.ptr.record.ttl.seconds(),
            record_id: f.ptr.record.id.to_string(),
            zone_id: f.zone.id.to_string(),
            zone_name: f.zone.name.as_str().to_owned(),
        }
    }
}

/// Reverse zone and PTR endpoints.
pub struct ReverseZonesApi;

/// The block's plan, or 422: malformed, host bits set, unsupported length, or not aligned
/// (`cidr_not_aligned`, whose detail lists the aligned zones as `zones`).
fn planned(cidr: &str) -> ApiResult<ReverseZonePlan> {
    match reverse::plan_cidr(cidr)? {
        CidrPlan::Zone(plan) => Ok(plan),
        CidrPlan::NotAligned(zones) => {
            let e = not_aligned(cidr, &zones);
            let zones: Vec<serde_json::Value> = zones
                .iter()
                .filter_map(|z| ReverseZonePreview::from(z).to_json())
                .collect();
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                e.code(),
                json!([{ "loc": ["body", "cidr"], "msg": e.message(), "type": e.code(), "zones": zones }]),
            ))
        }
    }
}

#[OpenApi(tag = "ApiTags::ReverseZones")]
impl ReverseZonesApi {
    /// List the reverse zones visible to the caller, by name.
    #[oai(
        path = "/reverse-zones",
        method = "get",
        operation_id = "reverse_zone_list"
    )]
    async fn reverse_zone_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Substring of the name or of the block (`192.0.2`).
        search: Query<Option<String>>,
    ) -> ApiResult<Json<DomainList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let search = search.0.filter(|s| !s.trim().is_empty());
        let result = state
            .service
            .reverse_zone_list(&ctx, search.as_deref().map(str::trim), page)
            .await?;
        Ok(Json(DomainList::new(result, page)))
    }

    /// Dry-run a CIDR block: the zone it becomes, its range, and for an RFC 2317 block the
    /// CNAMEs its parent /24 needs. Writes nothing.
    #[oai(
        path = "/reverse-zones/preview",
        method = "post",
        operation_id = "reverse_zone_preview"
    )]
    async fn reverse_zone_preview(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<CidrRequest>,
    ) -> ApiResult<Json<ReverseZonePreview>> {
        op_context(&state, &auth, req).await?;
        Ok(Json((&planned(&body.0.cidr)?).into()))
    }

    /// Create the reverse zone of a CIDR block. It is claimed and validated as a forward zone
    /// is; an RFC 2317 zone's CNAMEs are written into its parent /24 when that is the caller's.
    #[oai(
        path = "/reverse-zones",
        method = "post",
        operation_id = "reverse_zone_create"
    )]
    async fn reverse_zone_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<ReverseZoneCreateRequest>,
    ) -> ApiResult<ZoneCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        planned(&body.cidr)?;
        let made = state
            .service
            .reverse_zone_create(
                &ctx,
                ReverseZoneCreate {
                    cidr: body.cidr,
                    default_ttl: body.default_ttl,
                    description: body.description,
                    skip_validation: body.skip_validation,
                },
            )
            .await?;
        let zone = made.created.zone.clone();
        let mut response = DomainResponse::written(&state, zone.clone()).await;
        response.validation = made
            .created
            .validation
            .map(|v| ValidationResponse::new(&zone, &v, challenge_ttl(&state)));
        Ok(ZoneCreated::Created(Json(ReverseZoneCreated {
            zone: response,
            reverse: (&made.plan).into(),
            parent_cnames_created: made.parent_cnames_written_to.is_some(),
            parent_cnames_refused: made
                .parent_cnames_refused
                .map(|e| format!("{}: {}", e.code(), e.message())),
        })))
    }

    /// List a reverse zone's PTRs by address.
    #[oai(
        path = "/reverse-zones/:domain_id/ptr",
        method = "get",
        operation_id = "ptr_list"
    )]
    async fn ptr_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Substring of the address or the host name.
        search: Query<Option<String>>,
    ) -> ApiResult<Json<PtrList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let search = search.0.filter(|s| !s.trim().is_empty());
        let (_, ptrs) = state
            .service
            .ptr_list(
                &ctx,
                domain_id.0.parse()?,
                search.as_deref().map(str::trim),
                page,
            )
            .await?;
        Ok(Json(PtrList::new(ptrs, page)))
    }

    /// Create the PTR of an address inside the zone's block.
    #[oai(
        path = "/reverse-zones/:domain_id/ptr",
        method = "post",
        operation_id = "ptr_create"
    )]
    async fn ptr_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<PtrCreateRequest>,
    ) -> ApiResult<PtrCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let item = PtrCreate {
            ip: body.ip,
            hostname: body.hostname,
            ttl: body.ttl,
        };
        let (_, ptrs) = state
            .service
            .ptr_create(&ctx, domain_id.0.parse()?, vec![item], body.replace, None)
            .await?;
        let ptr = ptrs
            .into_iter()
            .next()
            .ok_or_else(|| scaidns_core::Error::internal("no PTR written"))?;
        Ok(PtrCreated::Created(Json(ptr.into())))
    }

    /// Create many PTRs in one atomic change.
    #[oai(
        path = "/reverse-zones/:domain_id/ptr/bulk",
        method = "post",
        operation_id = "ptr_bulk_create"
    )]
    async fn ptr_bulk_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<PtrBulkRequest>,
    ) -> ApiResult<Json<PtrBulkResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let items = body.ptrs.into_iter().map(Into::into).collect();
        let (_, ptrs) = state
            .service
            .ptr_create(
                &ctx,
                domain_id.0.parse()?,
                items,
                body.replace,
                Some("ptrs"),
            )
            .await?;
        Ok(Json(PtrBulkResponse {
            created: ptrs.into_iter().map(Into::into).collect(),
        }))
    }

    /// Delete the PTR of an address (IPv6 in any form, URL-encoded).
    #[oai(
        path = "/reverse-zones/:domain_id/ptr/:ip",
        method = "delete",
        operation_id = "ptr_delete"
    )]
    async fn ptr_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        ip: Path<String>,
    ) -> ApiResult<publication::Deleted> {
        let ctx = op_context(&state, &auth, req).await?;
        let zone = state
            .service
            .ptr_delete(&ctx, domain_id.0.parse()?, &ip.0)
            .await?;
        Ok(publication::Deleted::leaving(&zone))
    }

    /// The PTR of an address, in the most specific reverse zone the caller may read that
    /// holds one.
    #[oai(
        path = "/reverse-zones/lookup/:ip",
        method = "get",
        operation_id = "ptr_lookup"
    )]
    async fn ptr_lookup(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        ip: Path<String>,
    ) -> ApiResult<Json<PtrLookupResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let found = state.service.ptr_lookup(&ctx, &ip.0).await?;
        Ok(Json(found.into()))
    }
}
