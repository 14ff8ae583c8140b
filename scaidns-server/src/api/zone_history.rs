//! `/api/v1/domains/{domain_id}/history…` and `…/diff`: a zone's generation steps, the
//! change between two generations, and restoring one (issue 14 item 4; service
//! `zone_history`).

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::service::zone_history::{RestoreOutcome, ZoneDiff};
use scaidns_core::zone::RrSet;
use scaidns_core::zone::change_set::RrSetDelta;
use scaidns_core::zone::history::HistoryEntry;
use scaidns_core::zone::precondition::etag;

use crate::api::page_envelope::page_envelope;
use crate::api::precondition::{IfMatchHeader, if_match as precondition};
use crate::api::publication::{self, PublicationState};
use crate::api::{ApiTags, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;
use scaidns_core::service::OpContext;

/// One record of an RRset.
#[derive(Debug, Clone, Object)]
pub struct RrDataDto {
    /// Canonical content.
    pub content: String,
    /// Kept but not served.
    pub disabled: bool,
}

/// An RRset's TTL and records at one generation.
#[derive(Debug, Clone, Object)]
pub struct RrSetState {
    /// TTL, seconds.
    pub ttl: u32,
    /// Records, by content.
    pub records: Vec<RrDataDto>,
}

impl From<RrSet> for RrSetState {
    fn from(set: RrSet) -> Self {
        Self {
            ttl: set.ttl,
            records: set
                .records
                .into_iter()
                .map(|r| RrDataDto {
                    content: r.content,
                    disabled: r.disabled,
                })
                .collect(),
        }
    }
}

/// One RRset a change touched.
#[derive(Debug, Clone, Object)]
pub struct RrSetChangeDto {
    /// Absolute owner name without trailing dot.
    pub name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Before the change; absent when the RRset did not exist.
    pub before: Option<RrSetState>,
    /// After the change; absent when the RRset no longer exists.
    pub after: Option<RrSetState>,
}

impl From<RrSetDelta> for RrSetChangeDto {
    fn from(d: RrSetDelta) -> Self {
        Self {
            name: d.name.strip_suffix('.').unwrap_or(&d.name).to_owned(),
            rtype: d.rtype.as_str().to_owned(),
            before: d.before.map(Into::into),
            after: d.after.map(Into::into),
        }
    }
}

fn changes(deltas: Vec<RrSetDelta>) -> Vec<RrSetChangeDto> {
    deltas.into_iter().map(Into::into).collect()
}

/// A generation step as the history list shows it: who, when, and how many RRsets it
/// added, changed and removed (the RRsets themselves: `GET …/history/{generation}`).
#[derive(Debug, Clone, Object)]
pub struct HistoryEntrySummary {
    /// The generation the step made (the zone's `ETag` right after it).
    pub generation: i64,
    /// The step's main audit action (`record.create`, `zone.import`, `domain.update`,
    /// `zone.history_restore`, …); the audit log holds every entry of the step.
    pub action: String,
    /// `user`, `api_key`, `system` or `webhook`.
    pub actor_type: String,
    /// User or API key id.
    pub actor_id: Option<String>,
    /// The request that made it.
    pub request_id: Option<String>,
    /// When.
    pub created_at: Timestamp,
    /// RRsets created.
    pub added: u64,
    /// RRsets changed.
    pub changed: u64,
    /// RRsets removed.
    pub removed: u64,
}

impl From<HistoryEntry> for HistoryEntrySummary {
    fn from(e: HistoryEntry) -> Self {
        Self::of(&e)
    }
}

impl HistoryEntrySummary {
    fn of(e: &HistoryEntry) -> Self {
        let count = |f: fn(&RrSetDelta) -> bool| e.changes.iter().filter(|d| f(d)).count() as u64;
        Self {
            added: count(|d| d.before.is_none()),
            removed: count(|d| d.after.is_none()),
            changed: count(|d| d.before.is_some() && d.after.is_some()),
            generation: e.generation,
            action: e.action.clone(),
            actor_type: e.actor_type.as_str().to_owned(),
            actor_id: e.actor_id.clone(),
            request_id: e.request_id.clone(),
            created_at: e.created_at.into(),
        }
    }
}

/// A generation step with the RRsets it changed.
#[derive(Debug, Clone, Object)]
pub struct HistoryEntryResponse {
    /// Who, when, how many.
    #[oai(flatten)]
    pub summary: HistoryEntrySummary,
    /// The RRsets, before and after, by name and type.
    pub changes: Vec<RrSetChangeDto>,
}

impl From<HistoryEntry> for HistoryEntryResponse {
    fn from(e: HistoryEntry) -> Self {
        Self {
            summary: HistoryEntrySummary::of(&e),
            changes: changes(e.changes),
        }
    }
}

page_envelope! {
    /// A page of a zone's history.
    HistoryList of HistoryEntrySummary,
    data: " Steps of this page, newest first.",
    total: " Steps kept (and visible to the caller) across all pages.",
}

/// The change between two generations.
#[derive(Debug, Clone, Object)]
pub struct ZoneDiffResponse {
    /// The zone.
    pub domain_id: String,
    /// From this generation…
    pub from: i64,
    /// …to this one (either order).
    pub to: i64,
    /// The RRsets that differ: `before` at `from`, `after` at `to`.
    pub changes: Vec<RrSetChangeDto>,
}

impl From<ZoneDiff> for ZoneDiffResponse {
    fn from(d: ZoneDiff) -> Self {
        Self {
            domain_id: d.zone.id.to_string(),
            from: d.from,
            to: d.to,
            changes: changes(d.changes),
        }
    }
}

/// A restore done.
#[derive(Debug, Clone, Object)]
pub struct ZoneRestoreResult {
    /// The zone.
    pub domain_id: String,
    /// The zone's generation after the restore (unchanged when nothing differed).
    pub generation: i64,
    /// The generation whose records came back.
    pub restored_generation: i64,
    /// The RRsets the restore changed: `before` as they were, `after` as restored.
    pub changes: Vec<RrSetChangeDto>,
    /// Whether the change is published.
    #[oai(flatten)]
    pub publication: PublicationState,
}

#[derive(ApiResponse)]
pub(crate) enum Restored {
    /// Restored; `ETag` is the zone's version after the write, for `If-Match` on the next one.
    #[oai(status = 200)]
    Ok(Json<ZoneRestoreResult>, #[oai(header = "ETag")] String),
}

/// Zone history endpoints.
pub struct ZoneHistoryApi;

#[OpenApi(tag = "ApiTags::Domains")]
impl ZoneHistoryApi {
    /// A zone's history, newest first: one entry per generation step kept
    /// (`ZONE_HISTORY_RETENTION_DAYS`, `ZONE_HISTORY_MAX_ENTRIES`). Needs `records:read`; a
    /// record-limited grantee sees only the steps that touched its records.
    #[oai(
        path = "/domains/:domain_id/history",
        method = "get",
        operation_id = "zone_history_list"
    )]
    async fn history_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// 1-based page (default 1).
        page: Query<Option<u32>>,
        /// Entries per page, 1–100 (default 50).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<Json<HistoryList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let query = page_request(page.0, page_size.0)?;
        let result = state
            .service
            .zone_history(&ctx, domain_id.0.parse()?, query)
            .await?;
        Ok(Json(HistoryList::new(result, query)))
    }

    /// One generation step with the RRsets it changed, before and after. 404 for a
    /// generation the zone has not reached, 410 `history_expired` when no longer kept.
    #[oai(
        path = "/domains/:domain_id/history/:generation",
        method = "get",
        operation_id = "zone_history_get"
    )]
    async fn history_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        generation: Path<i64>,
    ) -> ApiResult<Json<HistoryEntryResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let entry = state
            .service
            .zone_history_entry(&ctx, domain_id.0.parse()?, generation.0)
            .await?;
        Ok(Json(entry.into()))
    }

    /// The RRset-level change between two generations of the zone, in either order. 400 for
    /// a generation the zone has not reached, 410 `history_expired` when the older one is no
    /// longer kept.
    #[oai(
        path = "/domains/:domain_id/diff",
        method = "get",
        operation_id = "zone_diff"
    )]
    async fn diff(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// The generation to compare from.
        from: Query<i64>,
        /// The generation to compare to.
        to: Query<i64>,
    ) -> ApiResult<Json<ZoneDiffResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let diff = state
            .service
            .zone_history_diff(&ctx, domain_id.0.parse()?, from.0, to.0)
            .await?;
        Ok(Json(diff.into()))
    }

    /// Brings the zone's records back to what they were at a generation, as one new change
    /// (audited as `zone.history_restore` with one entry per record, and published). SOA,
    /// apex NS and DNSSEC state stay as they are. Needs, for every RRset it changes, what
    /// creating, updating or deleting it would; a restore the zone rules refuse now is 422
    /// naming the rule. 410 `history_expired` when the generation is no longer kept.
    #[oai(
        path = "/domains/:domain_id/history/:generation/restore",
        method = "post",
        operation_id = "zone_history_restore"
    )]
    async fn restore(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        generation: Path<i64>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Restored> {
        let ctx = op_context(&state, &auth, req).await?;
        zone_history_restore(&state, &ctx, domain_id, generation, if_match).await
    }
}

/// The restore's body, shared with its plan (`api::plans`).
pub(crate) async fn zone_history_restore(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    generation: Path<i64>,
    if_match: IfMatchHeader,
) -> ApiResult<Restored> {
    let RestoreOutcome {
        zone,
        generation,
        changes: deltas,
    } = state
        .service
        .zone_history_restore(
            ctx,
            domain_id.0.parse()?,
            generation.0,
            &precondition(&if_match),
        )
        .await?;
    let publication = publication::of(state, &zone).await;
    let tag = etag(zone.generation);
    Ok(Restored::Ok(
        Json(ZoneRestoreResult {
            domain_id: zone.id.to_string(),
            generation: zone.generation,
            restored_generation: generation,
            changes: changes(deltas),
            publication,
        }),
        tag,
    ))
}
