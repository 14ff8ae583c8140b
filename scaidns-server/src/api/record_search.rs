//! Record search (spec §5.2, issue 9 item 4): inside one zone (`POST …/records/search`, the
//! same answer as the record list) and across every zone the caller may read
//! (`GET /api/v1/records?search=`). Case-insensitive substrings of the name or the content;
//! `%` and `_` are literal characters, not wildcards.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::record::RecordType;
use scaidns_core::service::queries::RecordQuery;
use scaidns_core::service::record_search::{MAX_SEARCH_CHARS, RecordHit};

use crate::api::page_envelope::page_envelope;
use crate::api::records::{RecordList, RecordResponse, query_type};
use crate::api::rendered_json::RenderedJson;
use crate::api::{ApiTags, record_page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A search inside one zone.
#[derive(Debug, Object)]
pub struct RecordSearchRequest {
    /// Case-insensitive substring of the record's name or content (1–255 characters).
    #[oai(validator(min_length = 1, max_length = 255))]
    pub query: String,
    /// Only this type.
    #[oai(rename = "type")]
    pub rtype: Option<String>,
}

/// A record found by a search across zones.
#[derive(Debug, Clone, Object)]
pub struct RecordHitResponse {
    /// The record (its `domain_id` names the zone).
    #[oai(flatten)]
    pub record: RecordResponse,
    /// The zone's name.
    pub domain_name: String,
}

impl From<RecordHit> for RecordHitResponse {
    fn from(hit: RecordHit) -> Self {
        Self {
            domain_name: hit.zone_name.as_str().to_owned(),
            record: RecordResponse::in_zone(&hit.zone_name, hit.record),
        }
    }
}

page_envelope! {
    /// A page of records found across zones.
    RecordHitList of RecordHitResponse,
    data: " Records of this page, ordered by zone name, then name, type, content and id.",
    total: " Records found across all pages.",
}

#[derive(ApiResponse)]
enum RecordsFound {
    /// One page of the zone's matching records, shaped like the record list.
    #[oai(status = 200)]
    Found(RenderedJson<RecordList>),
}

/// Search text from a query parameter (`in_body: false`: 400) or a body field (422): empty is
/// no search (`None`) in a parameter and an error in a body; longer than 255 characters is an
/// error. Spaces are searched for like any other character.
pub(crate) fn search_text(raw: Option<String>, in_body: bool) -> ApiResult<Option<String>> {
    let field = if in_body { "query" } else { "search" };
    let fail = |message: &str| {
        ApiError::from(if in_body {
            scaidns_core::Error::invalid(field, message)
        } else {
            scaidns_core::Error::bad_query(field, message)
        })
    };
    match raw {
        Some(text) if text.chars().count() > MAX_SEARCH_CHARS => Err(fail(&format!(
            "{field} is longer than {MAX_SEARCH_CHARS} characters"
        ))),
        Some(text) if !text.is_empty() => Ok(Some(text)),
        _ if in_body => Err(fail("give the text to search for")),
        _ => Ok(None),
    }
}

/// Record search endpoints.
pub struct RecordSearchApi;

#[OpenApi(tag = "ApiTags::Records")]
impl RecordSearchApi {
    /// Search the records of a zone.
    ///
    /// Case-insensitive substring of the name or the content, optionally of one type; paged
    /// and shaped like the record list (`page_size` 1–1000, default 100). System records are
    /// not searched.
    #[oai(
        path = "/domains/:domain_id/records/search",
        method = "post",
        operation_id = "record_search_zone"
    )]
    async fn record_search_zone(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<RecordSearchRequest>,
        /// Page (1-based, default 1).
        page: Query<Option<u32>>,
        /// Records per page (1–1000, default 100).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<RecordsFound> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = record_page_request(page.0, page_size.0)?;
        let body = body.0;
        let rtype = body.rtype.map(|t| t.parse::<RecordType>()).transpose()?;
        let query = RecordQuery {
            rtype,
            name_contains: None,
            query: search_text(Some(body.query), true)?,
            include_system: false,
        };
        let listing = state
            .service
            .record_page(&ctx, domain_id.0.parse()?, query, page)
            .await?;
        let body = listing.rendered(RecordList::render);
        Ok(RecordsFound::Found(RenderedJson::new(body)))
    }

    /// Search records across zones.
    ///
    /// Every zone the caller may read (its tenant's zones, or the zones and records its
    /// grants reach; soft-deleted zones never): case-insensitive substring of the name or
    /// the content, optionally of one type. Each record carries its zone's id and name.
    #[oai(path = "/records", method = "get", operation_id = "record_search")]
    async fn record_search(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Case-insensitive substring of the name or the content (1–255 characters; `%` and
        /// `_` are literal).
        #[oai(validator(min_length = 1, max_length = 255))]
        search: Query<String>,
        /// Only this type.
        #[oai(name = "type")]
        rtype: Query<Option<String>>,
        /// Page (1-based, default 1).
        page: Query<Option<u32>>,
        /// Records per page (1–1000, default 100).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<Json<RecordHitList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = record_page_request(page.0, page_size.0)?;
        let query = RecordQuery {
            rtype: query_type(rtype.0)?,
            name_contains: None,
            query: search_text(Some(search.0), false)?,
            include_system: false,
        };
        let found = state.service.record_search(&ctx, query, page).await?;
        Ok(Json(RecordHitList::new(found, page)))
    }
}
