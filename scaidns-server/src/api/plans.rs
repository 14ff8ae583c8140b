//! `POST /api/v1/plans`: a dry run of any zone write (issue 14 item 3), one operation so that
//! every write keeps one success type in the generated client.
//!
//! The plan runs the write's own code (`operations`: the same request types, parsing and
//! handler body as the real endpoint) with a planning context (`scaidns_core::service::plans`),
//! so its authorisation, rules and errors are the real call's, byte for byte; the write stops
//! before it commits. The answer is always 200 with a plan when the plan request itself is
//! well-formed (a known operation and parameters it takes): a write that would fail is a plan
//! saying so, with the status and error envelope the real call would answer.

mod operations;

use std::collections::BTreeMap;

use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::service::plans::{Plan, ZonePlan};
use scaidns_core::zone::RrSet;
use scaidns_core::zone::change_set::RrSetDelta;
use serde_json::Value;

use crate::api::ApiTags;
use crate::api::audit::AuditLogResponse;
use crate::api::validation::{ValidationResponse, challenge_ttl};
use crate::api::zones::ZoneStatusDto;
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult, ErrorBody, current_request_id};
use crate::state::AppState;

pub use operations::SUPPORTED;

/// A write to plan.
#[derive(Debug, Object)]
pub struct PlanRequest {
    /// The write's `operationId` (`record_create`, `zone_delete`, …; see the endpoint's
    /// description for the list).
    pub operation: String,
    /// Its path and query parameters and its `If-Match` header, by the names the operation
    /// gives them (`domain_id`, `record_id`, `template_id`, `force`, `hard`, `If-Match`).
    pub params: Option<BTreeMap<String, Value>>,
    /// Its JSON body, as the operation takes it.
    pub body: Option<Value>,
}

/// What a write would do; nothing was changed to tell it.
#[derive(Debug, Object)]
pub struct PlanResponse {
    /// The planned operation.
    pub operation: String,
    /// Whether the real call would succeed (as things stand now).
    pub would_succeed: bool,
    /// The status the real call would answer.
    pub status: u16,
    /// The error envelope the real call would answer, when it would fail.
    pub error: Option<ErrorBody>,
    /// The zone rules and items it would be refused for (the error's list, when it has one).
    pub violations: Vec<Value>,
    /// Each zone it would change, RRset by RRset (a write that fails after changing a zone,
    /// such as an auto-PTR refused after its forward record, leaves that change standing).
    pub changes: Vec<PlanZoneChange>,
    /// The audit entries it would write (ids and times are the plan's, not the real call's).
    pub audit: Vec<AuditLogResponse>,
    /// The ownership-validation challenges it would open (the token is the plan's own).
    pub validations: Vec<ValidationResponse>,
}

/// One zone's planned change.
#[derive(Debug, Object)]
pub struct PlanZoneChange {
    /// Zone id (the plan's own for a zone the write creates).
    pub domain_id: String,
    /// Zone name.
    pub domain_name: String,
    /// The zone's generation now (absent: the write creates it).
    pub generation: Option<i64>,
    /// Status now (absent: the write creates the zone).
    pub status_before: Option<ZoneStatusDto>,
    /// Status afterwards (absent: the write removes the zone for good).
    pub status_after: Option<ZoneStatusDto>,
    /// Whether it is signed now.
    pub dnssec_before: Option<bool>,
    /// Whether it is signed afterwards.
    pub dnssec_after: Option<bool>,
    /// The RRsets that change, by name and type.
    pub rrsets: Vec<PlanRrSet>,
}

/// One RRset before and after (absent side: it does not exist then).
#[derive(Debug, Object)]
pub struct PlanRrSet {
    /// Absolute owner name with trailing dot.
    pub name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// The RRset now.
    pub before: Option<PlanRrSetData>,
    /// The RRset afterwards.
    pub after: Option<PlanRrSetData>,
}

/// The records of an RRset.
#[derive(Debug, Object)]
pub struct PlanRrSetData {
    /// TTL of the set.
    pub ttl: u32,
    /// Records, by content.
    pub records: Vec<PlanRrData>,
}

/// One record of an RRset.
#[derive(Debug, Object)]
pub struct PlanRrData {
    /// Content in canonical presentation form.
    pub content: String,
    /// Kept but not served.
    pub disabled: bool,
}

/// Plan endpoints.
pub struct PlansApi;

#[OpenApi(tag = "ApiTags::Plans")]
impl PlansApi {
    /// Plan a write: what it would change (RRsets before and after), the audit entries it would
    /// write, and whether it would succeed, with the error the real call would answer.
    ///
    /// Changes nothing: not the store, not the DNS backend, not the audit log, not the
    /// idempotency keys. Needs no permission of its own: the planned operation's are checked as
    /// the real call checks them, so a caller the real call would refuse gets a plan carrying
    /// that refusal (the same status and envelope). Operations: `zone_create`, `zone_update`,
    /// `zone_delete`, `record_create`, `record_update`, `record_delete`, `record_bulk`,
    /// `record_bulk_delete`, `zone_import_text`, `template_apply`, `dnssec_enable`,
    /// `dnssec_disable`, `zone_history_restore`. 422 for an unknown operation or a parameter it does not take.
    #[oai(path = "/plans", method = "post", operation_id = "plan_create")]
    async fn plan_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<PlanRequest>,
    ) -> ApiResult<Json<PlanResponse>> {
        let request = body.0;
        let call = operations::Call::parse(&request.operation, request.params, request.body)?;
        let ctx = op_context(&state, &auth, req).await?;
        let (planning, recorder) = ctx.planning();
        let answered = call.run(&state, &planning).await;
        let plan = state.service.plan_report(&ctx, &recorder).await?;
        Ok(Json(response(&state, request.operation, answered, plan)))
    }
}

fn response(
    state: &AppState,
    operation: String,
    answered: ApiResult<StatusCode>,
    plan: Plan,
) -> PlanResponse {
    let (status, error) = match answered {
        Ok(status) => (status, None),
        Err(e) => (e.status(), Some(e)),
    };
    let violations = error.as_ref().map(violations).unwrap_or_default();
    let ttl = challenge_ttl(state);
    let validations = plan
        .validations
        .iter()
        .filter_map(|v| {
            let zone = plan
                .zones
                .iter()
                .find(|z| z.zone_id == v.zone_id)?
                .after
                .as_ref()?;
            Some(ValidationResponse::new(zone, v, ttl))
        })
        .collect();
    PlanResponse {
        operation,
        would_succeed: error.is_none(),
        status: status.as_u16(),
        error: error.map(|e| ErrorBody {
            detail: e.detail().clone(),
            code: e.code().to_owned(),
            request_id: current_request_id(),
        }),
        violations,
        changes: plan.zones.iter().map(zone_change).collect(),
        audit: plan.audit.into_iter().map(Into::into).collect(),
        validations,
    }
}

/// The items of an error that lists them: invalid fields and rule violations (an array), or
/// a batch's refused items (`failures`).
fn violations(error: &ApiError) -> Vec<Value> {
    match error.detail() {
        Value::Array(items) => items.clone(),
        Value::Object(o) => match o.get("failures") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn zone_change(z: &ZonePlan) -> PlanZoneChange {
    PlanZoneChange {
        domain_id: z.zone_id.to_string(),
        domain_name: z.zone_name.as_str().to_owned(),
        generation: z.before.as_ref().map(|b| b.generation),
        status_before: z.before.as_ref().map(|b| b.status.into()),
        status_after: z.after.as_ref().map(|a| a.status.into()),
        dnssec_before: z.before.as_ref().map(|b| b.dnssec_enabled),
        dnssec_after: z.after.as_ref().map(|a| a.dnssec_enabled),
        rrsets: z.rrsets.iter().map(rrset).collect(),
    }
}

fn rrset(d: &RrSetDelta) -> PlanRrSet {
    PlanRrSet {
        name: d.name.clone(),
        rtype: d.rtype.as_str().to_owned(),
        before: d.before.as_ref().map(rrset_data),
        after: d.after.as_ref().map(rrset_data),
    }
}

fn rrset_data(set: &RrSet) -> PlanRrSetData {
    PlanRrSetData {
        ttl: set.ttl,
        records: set
            .records
            .iter()
            .map(|r| PlanRrData {
                content: r.content.clone(),
                disabled: r.disabled,
            })
            .collect(),
    }
}
