//! `/api/v1/domains/{domain_id}/records`: record management (spec §5).

use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::name::ZoneName;
use scaidns_core::record::{Record, RecordType};
use scaidns_core::service::OpContext;
use scaidns_core::service::auto_ptr::AutoPtr;
use scaidns_core::service::queries::{PageQuery, RecordQuery};
use scaidns_core::service::records::{RecordCreate, RecordUpdate};
use scaidns_core::zone::Zone;
use scaidns_core::zone::precondition::etag;

use crate::api::precondition::{
    IfMatchHeader, TaggedCreate, TaggedRead, TaggedWrite, if_match as precondition,
};
use crate::api::publication::{self, PublicationState};
use crate::api::record_search::search_text;
use crate::api::rendered_json::RenderedJson;
use crate::api::{ApiTags, record_page_request, total_pages};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A record.
#[derive(Debug, Clone, Object)]
pub struct RecordResponse {
    /// Id.
    pub id: String,
    /// Absolute owner name without trailing dot (`www.example.com`).
    pub name: String,
    /// Owner name relative to the zone (`www`, `@`).
    pub display_name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Content in canonical presentation form (trailing dots, quoted TXT).
    pub content: String,
    /// TTL of the RRset, seconds.
    pub ttl: u32,
    /// Kept but not served.
    pub disabled: bool,
    /// Managed by the platform (SOA, apex NS).
    pub system: bool,
    /// Owning zone.
    pub domain_id: String,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl RecordResponse {
    pub(crate) fn new(zone: &Zone, r: Record) -> Self {
        Self::in_zone(&zone.name, r)
    }

    /// `r` of the zone named `zone` (the record carries the zone's id).
    pub(crate) fn in_zone(zone: &ZoneName, r: Record) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.as_str().to_owned(),
            display_name: r.name.relative_to(zone),
            rtype: r.rtype().as_str().to_owned(),
            content: r.content.as_str().to_owned(),
            ttl: r.ttl.seconds(),
            disabled: r.disabled,
            system: r.system,
            domain_id: r.zone_id.to_string(),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
        }
    }
}

/// One page of the records of a zone.
#[derive(Debug, Object)]
pub struct RecordList {
    /// Records of this page, ordered by name, type, content and id.
    pub data: Vec<RecordResponse>,
    /// Records matching the filters, across all pages.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Records per page.
    pub page_size: u32,
    /// Number of pages.
    pub total_pages: u64,
    /// The zone.
    pub domain_id: String,
    /// The zone's name.
    pub domain_name: String,
}

impl RecordList {
    /// The body of one page of a zone's records: made from these values alone, so a rendering
    /// is shared by every caller who sees the same page (`RecordListing::rendered`).
    pub(crate) fn render(zone: &Zone, records: &[Record], total: u64, page: PageQuery) -> Vec<u8> {
        RenderedJson::render(&RecordList {
            total,
            page: page.page,
            page_size: page.page_size,
            total_pages: total_pages(total, page.page_size),
            domain_id: zone.id.to_string(),
            domain_name: zone.name.as_str().to_owned(),
            data: records
                .iter()
                .map(|r| RecordResponse::new(zone, r.clone()))
                .collect(),
        })
    }
}

/// A record type named in a query parameter (400 when unknown).
pub(crate) fn query_type(rtype: Option<String>) -> ApiResult<Option<RecordType>> {
    rtype
        .map(|t| t.parse::<RecordType>())
        .transpose()
        .map_err(|e| {
            ApiError::from(scaidns_core::Error::bad_query(
                "type",
                e.message().to_owned(),
            ))
        })
}

/// Record creation.
#[derive(Debug, Object)]
pub struct RecordCreateRequest {
    /// `@` for the apex, a relative name (`www`), or an absolute name inside the zone.
    pub name: String,
    /// Type mnemonic (`A`, `MX`, …).
    #[oai(rename = "type")]
    pub rtype: String,
    /// Content; lenient input is normalised (trailing dots, TXT quoting).
    pub content: String,
    /// TTL; defaults to the RRset's TTL, else the zone's default.
    pub ttl: Option<i64>,
    /// Keep but do not serve.
    pub disabled: Option<bool>,
    /// A/AAAA only: also write the PTR of the address, pointing at this name, in the most
    /// specific reverse zone holding it that the caller may write (422 `no_reverse_zone`, with
    /// nothing written, when there is none).
    pub ptr: Option<bool>,
}

/// Record update; name and type are immutable.
#[derive(Debug, Object)]
pub struct RecordUpdateRequest {
    /// New content.
    pub content: Option<String>,
    /// New TTL (applies to every record of the same name and type).
    pub ttl: Option<i64>,
    /// New disabled flag.
    pub disabled: Option<bool>,
    /// A/AAAA only: also write the PTR of the (new) address, as on create; a changed address's
    /// old PTR is removed when it pointed at this name.
    pub ptr: Option<bool>,
}

/// A record as a write left it, with the zone's publication state.
#[derive(Debug, Clone, Object)]
pub struct RecordWritten {
    /// The record.
    #[oai(flatten)]
    pub record: RecordResponse,
    /// Whether the change is published.
    #[oai(flatten)]
    pub publication: PublicationState,
    /// The PTR written with the record (`"ptr": true` only).
    pub ptr: Option<AutoPtrResponse>,
}

/// The PTR an A/AAAA write made (`"ptr": true`).
#[derive(Debug, Clone, Object)]
pub struct AutoPtrResponse {
    /// The PTR record's id.
    pub record_id: String,
    /// The address.
    pub ip: String,
    /// The host name it points to (this record's name, with trailing dot).
    pub hostname: String,
    /// Its reverse zone's id.
    pub zone_id: String,
    /// Its reverse zone's name.
    pub zone_name: String,
}

impl From<AutoPtr> for AutoPtrResponse {
    fn from(a: AutoPtr) -> Self {
        Self {
            record_id: a.ptr.record.id.to_string(),
            ip: a.ptr.ip.to_string(),
            hostname: a.ptr.record.content.as_str().to_owned(),
            zone_id: a.zone.id.to_string(),
            zone_name: a.zone.name.as_str().to_owned(),
        }
    }
}

/// Record endpoints.
pub struct RecordsApi;

#[OpenApi(tag = "ApiTags::Records")]
impl RecordsApi {
    /// Records of a zone, a page at a time.
    ///
    /// Ordered by name, type, content and id; `page_size` 1–1000 (default 100). The answer
    /// carries the zone's generation as `ETag`; a request whose `If-None-Match` names it again
    /// is answered 304 without a body while the zone is unchanged (every page of a zone changes
    /// only when its generation does), unless the caller's grants narrow the zone (its records
    /// then also change with its grants). `include_system` is ignored with `search`.
    #[oai(
        path = "/domains/:domain_id/records",
        method = "get",
        operation_id = "record_list"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn record_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// Only this type.
        #[oai(name = "type")]
        rtype: Query<Option<String>>,
        /// Substring of the name.
        name: Query<Option<String>>,
        /// Case-insensitive substring of the name or the content (`%` and `_` are literal;
        /// at most 255 characters).
        #[oai(validator(max_length = 255))]
        search: Query<Option<String>>,
        /// Include SOA and apex NS (never with `search`).
        include_system: Query<Option<bool>>,
        /// Page (1-based, default 1).
        page: Query<Option<u32>>,
        /// Records per page (1–1000, default 100).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<TaggedRead<RenderedJson<RecordList>>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = record_page_request(page.0, page_size.0)?;
        let search = search_text(search.0, false)?;
        // System records are never searched, as on `POST …/records/search`.
        let include_system = search.is_none() && include_system.0.unwrap_or(false);
        let query = RecordQuery {
            rtype: query_type(rtype.0)?,
            name_contains: name.0.filter(|n| !n.trim().is_empty()),
            query: search,
            include_system,
        };
        let listing = state
            .service
            .record_page(&ctx, domain_id.0.parse()?, query, page)
            .await?;
        let tag = etag(listing.zone().generation);
        Ok(TaggedRead::answer(req, tag, listing.is_whole(), || {
            RenderedJson::new(listing.rendered(RecordList::render))
        }))
    }

    /// Add a record. Published at once when the zone is active.
    #[oai(
        path = "/domains/:domain_id/records",
        method = "post",
        operation_id = "record_create"
    )]
    async fn record_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<RecordCreateRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<TaggedCreate<Json<RecordWritten>>> {
        let ctx = op_context(&state, &auth, req).await?;
        record_create(&state, &ctx, domain_id, body, if_match).await
    }

    /// One record.
    ///
    /// The answer carries the zone's generation as `ETag`; a request whose `If-None-Match`
    /// names it again is answered 304 without a body while the zone is unchanged (not for a
    /// secondary zone, whose records change with a transfer).
    #[oai(
        path = "/domains/:domain_id/records/:record_id",
        method = "get",
        operation_id = "record_get"
    )]
    async fn record_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        record_id: Path<String>,
    ) -> ApiResult<TaggedRead<Json<RecordResponse>>> {
        let ctx = op_context(&state, &auth, req).await?;
        let (zone, record) = state
            .service
            .record_get(&ctx, domain_id.0.parse()?, record_id.0.parse()?)
            .await?;
        // A secondary's records change with a transfer, under the same generation.
        let fixed = !zone.is_secondary();
        Ok(TaggedRead::answer(
            req,
            etag(zone.generation),
            fixed,
            || Json(RecordResponse::new(&zone, record)),
        ))
    }

    /// Change a record's content, TTL or disabled flag.
    #[oai(
        path = "/domains/:domain_id/records/:record_id",
        method = "patch",
        operation_id = "record_update"
    )]
    async fn record_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        record_id: Path<String>,
        body: Json<RecordUpdateRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<TaggedWrite<Json<RecordWritten>>> {
        let ctx = op_context(&state, &auth, req).await?;
        record_update(&state, &ctx, domain_id, record_id, body, if_match).await
    }

    /// Delete a record (immediate and permanent). Deleting an A/AAAA record also removes the PTR
    /// of its address when that PTR points at the record's name, in the most specific reverse
    /// zone the caller may write.
    #[oai(
        path = "/domains/:domain_id/records/:record_id",
        method = "delete",
        operation_id = "record_delete"
    )]
    async fn record_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        record_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<publication::Deleted> {
        let ctx = op_context(&state, &auth, req).await?;
        record_delete(&state, &ctx, domain_id, record_id, if_match).await
    }
}

/// `record_create` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn record_create(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    body: Json<RecordCreateRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<TaggedCreate<Json<RecordWritten>>> {
    let b = body.0;
    let input = RecordCreate {
        name: b.name,
        rtype: b.rtype,
        content: b.content,
        ttl: b.ttl,
        disabled: b.disabled,
    };
    let zone_id = domain_id.0.parse()?;
    let if_match = precondition(&if_match);
    let (zone, record, ptr) = if b.ptr == Some(true) {
        let w = state
            .service
            .record_create_with_ptr(ctx, zone_id, input, &if_match)
            .await?;
        (w.zone, w.record, Some(w.ptr.into()))
    } else {
        let (zone, record) = state
            .service
            .record_create(ctx, zone_id, input, &if_match)
            .await?;
        (zone, record, None)
    };
    let publication = publication::of(state, &zone).await;
    let tag = etag(zone.generation);
    Ok(TaggedCreate::Created(
        Json(RecordWritten {
            record: RecordResponse::new(&zone, record),
            publication,
            ptr,
        }),
        tag,
    ))
}

/// `record_update` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn record_update(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    record_id: Path<String>,
    body: Json<RecordUpdateRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<TaggedWrite<Json<RecordWritten>>> {
    let b = body.0;
    let input = RecordUpdate {
        content: b.content,
        ttl: b.ttl,
        disabled: b.disabled,
    };
    let (zone_id, id) = (domain_id.0.parse()?, record_id.0.parse()?);
    let if_match = precondition(&if_match);
    let (zone, record, ptr) = if b.ptr == Some(true) {
        let w = state
            .service
            .record_update_with_ptr(ctx, zone_id, id, input, &if_match)
            .await?;
        (w.zone, w.record, Some(w.ptr.into()))
    } else {
        let (zone, record) = state
            .service
            .record_update(ctx, zone_id, id, input, &if_match)
            .await?;
        (zone, record, None)
    };
    let publication = publication::of(state, &zone).await;
    let tag = etag(zone.generation);
    Ok(TaggedWrite::Ok(
        Json(RecordWritten {
            record: RecordResponse::new(&zone, record),
            publication,
            ptr,
        }),
        tag,
    ))
}

/// `record_delete` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn record_delete(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    record_id: Path<String>,
    if_match: IfMatchHeader,
) -> ApiResult<publication::Deleted> {
    let (zone_id, id) = (domain_id.0.parse()?, record_id.0.parse()?);
    let if_match = precondition(&if_match);
    // An A/AAAA record's PTR pointing at its name goes with it (auto-PTR, in step).
    let (zone, _) = state
        .service
        .record_delete_with_ptr(ctx, zone_id, id, &if_match)
        .await?;
    Ok(publication::Deleted::leaving(&zone))
}
