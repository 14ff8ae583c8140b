//! `/api/v1/domains/{domain_id}/records/bulk` and `/records/bulk-delete`: many record changes
//! in one request (spec §6). All or nothing unless `continue_on_error`; a refused request
//! lists every bad item (403 when one of them is not allowed, else 422).

use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{Object, OpenApi};
use scaidns_core::ErrorKind;
use scaidns_core::service::OpContext;
use scaidns_core::service::record_bulk::{
    BulkApplied, BulkFailure, BulkOutcome, BulkRequest, BulkUpdate,
};
use scaidns_core::service::records::{RecordCreate, RecordUpdate};
use serde_json::json;

use crate::api::ApiTags;
use crate::api::precondition::{IfMatchHeader, if_match as precondition};
use crate::api::publication::{self, PublicationState};
use crate::api::records::{RecordCreateRequest, RecordResponse};
use crate::auth::{ApiAuth, op_context};
use crate::body_limit::BodyLimits;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Body limit of the bulk routes: room for 10,000 items of about 800 bytes each (a create with
/// a TXT of 600 characters), twice the default limit of other routes.
pub const BULK_BODY_BYTES: usize = 8 * 1024 * 1024;

/// JSON values one bulk item may take (a create: the object and its five fields, with room).
const VALUES_PER_ITEM: usize = 8;

/// `limits` with the bulk routes' own limit (never below the default of `max_body_bytes`) and
/// a cap on the JSON values of their bodies, counted before parsing, that `max_items` items
/// stay within.
pub fn body_limits(limits: BodyLimits, max_body_bytes: usize, max_items: usize) -> BodyLimits {
    let bytes = BULK_BODY_BYTES.max(max_body_bytes);
    let values = max_items.saturating_mul(VALUES_PER_ITEM).saturating_add(64);
    let mut limits = limits;
    for route in [
        "/api/v1/domains/{domain_id}/records/bulk",
        "/api/v1/domains/{domain_id}/records/bulk-delete",
    ] {
        limits = limits
            .with_route(route, bytes)
            .with_value_cap(route, values);
    }
    limits
}

/// A change to one record, by id.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RecordBulkUpdate {
    /// The record.
    pub id: String,
    /// New content.
    pub content: Option<String>,
    /// New TTL (applies to every record of the same name and type).
    pub ttl: Option<i64>,
    /// New disabled flag.
    pub disabled: Option<bool>,
}

/// Records to create, change and delete in one change.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RecordBulkRequest {
    /// Records to create.
    #[oai(default)]
    pub records: Vec<RecordCreateRequest>,
    /// Records to change, each by its `id`.
    #[oai(default)]
    pub update: Vec<RecordBulkUpdate>,
    /// Ids of records to delete.
    #[oai(default)]
    pub delete: Vec<String>,
    /// Apply the items that pass and list the others (default false: all or nothing).
    pub continue_on_error: Option<bool>,
}

/// Records to delete by id.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RecordBulkDeleteRequest {
    /// Ids of the records.
    pub record_ids: Vec<String>,
    /// Delete the records that can be and list the others (default false: all or nothing).
    pub continue_on_error: Option<bool>,
}

/// An item of a bulk request that was refused.
#[derive(Debug, Clone, Object)]
pub struct RecordBulkFailure {
    /// `create` (the `records` list), `update` or `delete` (`record_ids` of bulk-delete).
    pub list: String,
    /// Index in that list, from 0.
    pub index: u64,
    /// Stable code, as the single change would answer (`invalid_content`,
    /// `record_not_found`, `permission_denied`, `cname_conflict`, …).
    pub code: String,
    /// What is wrong.
    pub detail: String,
    /// The item's field at fault, when one is.
    pub field: Option<String>,
    /// Ids of records already in the zone that are in the way.
    pub conflicts: Vec<String>,
}

impl RecordBulkFailure {
    fn of(f: &BulkFailure) -> Self {
        Self {
            list: f.list.as_str().to_owned(),
            index: f.index as u64,
            code: f.error.code().to_owned(),
            detail: f.error.message().to_owned(),
            field: f.error.field().map(str::to_owned),
            conflicts: f.error.conflicts().to_vec(),
        }
    }
}

/// A create identical to a record already in the zone, or to an earlier create: merged.
#[derive(Debug, Clone, Object)]
pub struct RecordBulkDuplicate {
    /// Index in `records`.
    pub index: u64,
    /// The record it matched (absent: an earlier create of the same request).
    pub record_id: Option<String>,
}

/// What a bulk request did.
#[derive(Debug, Clone, Object)]
pub struct RecordBulkResponse {
    /// The zone.
    pub domain_id: String,
    /// Created records, in request order.
    pub created: Vec<RecordResponse>,
    /// Changed records (with the records whose TTL followed an RRset TTL change).
    pub updated: Vec<RecordResponse>,
    /// Number of records deleted.
    pub deleted: u64,
    /// Creates merged into an existing record or an earlier create.
    pub duplicates: Vec<RecordBulkDuplicate>,
    /// Items refused (only with `continue_on_error`; otherwise a refusal applies nothing).
    pub failures: Vec<RecordBulkFailure>,
    /// Number of created records.
    pub total_created: u64,
    /// Number of changed records.
    pub total_updated: u64,
    /// Number of refused items.
    pub total_errors: u64,
    /// Whether the change is published.
    #[oai(flatten)]
    pub publication: PublicationState,
}

/// What a bulk delete did.
#[derive(Debug, Clone, Object)]
pub struct RecordBulkDeleteResponse {
    /// Number of records deleted.
    pub deleted: u64,
    /// Ids refused (only with `continue_on_error`).
    pub failures: Vec<RecordBulkFailure>,
    /// Number of refused ids.
    pub total_errors: u64,
    /// Whether the change is published.
    #[oai(flatten)]
    pub publication: PublicationState,
}

/// Bulk record endpoints.
pub struct RecordBulkApi;

#[OpenApi(tag = "ApiTags::Records")]
impl RecordBulkApi {
    /// Create, change and delete many records in one change: one transaction, one publication,
    /// one generation step.
    ///
    /// All or nothing by default: when any item is refused nothing is applied and the answer
    /// (422, or 403 when an item is outside the caller's permissions) lists every refused item
    /// in `detail.failures` (`list`, `index`, `code`, `detail`). With `continue_on_error` the
    /// other items apply and the refused ones are listed in the 200 answer. At most
    /// `BULK_MAX_ITEMS` items (all three lists together; more is 413).
    #[oai(
        path = "/domains/:domain_id/records/bulk",
        method = "post",
        operation_id = "record_bulk"
    )]
    async fn record_bulk(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<RecordBulkRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<RecordBulkResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        record_bulk(&state, &ctx, domain_id, body, if_match).await
    }

    /// Delete many records by id in one change. All or nothing by default, like
    /// `record_bulk`: unless `continue_on_error`, an id that is unknown or names a record the
    /// caller cannot read refuses the request (422 `record_not_found` for that id), and one
    /// naming a record the caller can read but may not delete refuses it with 403
    /// (`permission_denied` for that id); every refused id is listed. An id given more than
    /// once is deleted once.
    #[oai(
        path = "/domains/:domain_id/records/bulk-delete",
        method = "post",
        operation_id = "record_bulk_delete"
    )]
    async fn record_bulk_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<RecordBulkDeleteRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<RecordBulkDeleteResponse>> {
        let request = bulk_delete_request(body.0)?;
        let ctx = op_context(&state, &auth, req).await?;
        record_bulk_delete(&state, &ctx, domain_id, request, if_match).await
    }
}

fn create_input(r: RecordCreateRequest) -> RecordCreate {
    RecordCreate {
        name: r.name,
        rtype: r.rtype,
        content: r.content,
        ttl: r.ttl,
        disabled: r.disabled,
    }
}

fn update_input(u: RecordBulkUpdate) -> BulkUpdate {
    BulkUpdate {
        id: u.id,
        change: RecordUpdate {
            content: u.content,
            ttl: u.ttl,
            disabled: u.disabled,
        },
    }
}

/// 413 over `BULK_MAX_ITEMS` (the body itself is bounded by [`BULK_BODY_BYTES`] already).
fn check_count(state: &AppState, items: usize) -> ApiResult<()> {
    let max = state.config.bulk_max_items;
    if items > max {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_items",
            format!(
                "a bulk request may carry at most {max} items (BULK_MAX_ITEMS); this one has {items}"
            ),
        ));
    }
    Ok(())
}

/// Runs the batch and reads the zone's publication state afterwards.
async fn apply(
    state: &AppState,
    ctx: &OpContext,
    domain_id: &Path<String>,
    request: BulkRequest,
    if_match: &IfMatchHeader,
) -> ApiResult<(BulkApplied, PublicationState)> {
    let outcome = state
        .service
        .record_bulk(ctx, domain_id.0.parse()?, request, &precondition(if_match))
        .await?;
    let applied = applied_or_refused(outcome)?;
    let publication = publication::of(state, &applied.zone).await;
    Ok((applied, publication))
}

/// The applied outcome, or the refusal listing every bad item (or, when checking stopped at
/// its bound, the ones found: `complete` is false and the code `bulk_check_stopped`).
fn applied_or_refused(outcome: BulkOutcome) -> ApiResult<BulkApplied> {
    let (failures, complete) = match outcome {
        BulkOutcome::Applied(applied) => return Ok(*applied),
        BulkOutcome::Rejected(failures) => (failures, true),
        BulkOutcome::Incomplete(failures) => (failures, false),
    };
    let forbidden = failures
        .iter()
        .any(|f| f.error.kind() == ErrorKind::Forbidden);
    let status = if forbidden {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let items: Vec<serde_json::Value> = failures
        .iter()
        .map(|f| RecordBulkFailure::of(f).to_json().unwrap_or_default())
        .collect();
    let (code, message) = if complete {
        (
            "bulk_rejected",
            format!("{} item(s) refused; nothing was applied", items.len()),
        )
    } else {
        (
            "bulk_check_stopped",
            format!(
                "checking stopped after {} refused item(s) (too many refusals, or too much work \
                 for one request); the list of refused items is incomplete and nothing was \
                 applied",
                items.len()
            ),
        )
    };
    Err(ApiError::new(
        status,
        code,
        json!({
            "message": message,
            "complete": complete,
            "failures": items,
        }),
    ))
}

/// `record_bulk` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn record_bulk(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    body: Json<RecordBulkRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<Json<RecordBulkResponse>> {
    let b = body.0;
    let request = BulkRequest {
        creates: b.records.into_iter().map(create_input).collect(),
        updates: b.update.into_iter().map(update_input).collect(),
        deletes: b.delete,
        continue_on_error: b.continue_on_error.unwrap_or(false),
    };
    check_count(state, request.item_count())?;
    let (applied, publication) = apply(state, ctx, &domain_id, request, &if_match).await?;
    let zone = &applied.zone;
    let created: Vec<RecordResponse> = applied
        .created
        .iter()
        .map(|r| RecordResponse::new(zone, r.clone()))
        .collect();
    let updated: Vec<RecordResponse> = applied
        .updated
        .iter()
        .map(|r| RecordResponse::new(zone, r.clone()))
        .collect();
    Ok(Json(RecordBulkResponse {
        domain_id: zone.id.to_string(),
        total_created: created.len() as u64,
        total_updated: updated.len() as u64,
        total_errors: applied.failures.len() as u64,
        created,
        updated,
        deleted: applied.deleted as u64,
        duplicates: applied
            .duplicates
            .iter()
            .map(|d| RecordBulkDuplicate {
                index: d.index as u64,
                record_id: d.existing.map(|id| id.to_string()),
            })
            .collect(),
        failures: applied.failures.iter().map(RecordBulkFailure::of).collect(),
        publication,
    }))
}

/// The batch of a `record_bulk_delete` body (422 when it deletes nothing, checked before the
/// caller is authenticated).
pub(crate) fn bulk_delete_request(b: RecordBulkDeleteRequest) -> ApiResult<BulkRequest> {
    if b.record_ids.is_empty() {
        return Err(scaidns_core::Error::invalid(
            "record_ids",
            "the request deletes nothing: give at least one record id",
        )
        .into());
    }
    Ok(BulkRequest {
        deletes: b.record_ids,
        continue_on_error: b.continue_on_error.unwrap_or(false),
        ..BulkRequest::default()
    })
}

/// `record_bulk_delete` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn record_bulk_delete(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    request: BulkRequest,
    if_match: IfMatchHeader,
) -> ApiResult<Json<RecordBulkDeleteResponse>> {
    check_count(state, request.item_count())?;
    let (applied, publication) = apply(state, ctx, &domain_id, request, &if_match).await?;
    Ok(Json(RecordBulkDeleteResponse {
        deleted: applied.deleted as u64,
        total_errors: applied.failures.len() as u64,
        failures: applied.failures.iter().map(RecordBulkFailure::of).collect(),
        publication,
    }))
}
