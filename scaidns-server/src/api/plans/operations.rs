//! The writes a plan covers: each one's parameters and body parsed as its endpoint parses them
//! (the same request types, the same parse errors), then run through the endpoint's own body
//! (`api::records::record_create`, …). A new plannable write (a zone-history restore, say) is
//! one more [`Op`] with its parameters and one more arm in [`Call::run`].

use std::collections::BTreeMap;

use poem::IntoResponse;
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ParseFromParameter};
use scaidns_core::service::OpContext;
use serde_json::Value;

use crate::api::precondition::{EntityTags, IfMatchHeader, unreadable_if_match_error};
use crate::api::{dnssec, import, record_bulk, records, templates, zone_history, zones};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The operation ids a plan takes, in the order the endpoint documents them.
pub const SUPPORTED: &[&str] = &[
    "zone_create",
    "zone_update",
    "zone_delete",
    "record_create",
    "record_update",
    "record_delete",
    "record_bulk",
    "record_bulk_delete",
    "zone_import_text",
    "template_apply",
    "dnssec_enable",
    "dnssec_disable",
    "zone_history_restore",
];

const IF_MATCH: &str = "If-Match";

#[derive(Debug, Clone, Copy)]
enum Op {
    ZoneCreate,
    ZoneUpdate,
    ZoneDelete,
    RecordCreate,
    RecordUpdate,
    RecordDelete,
    RecordBulk,
    RecordBulkDelete,
    ZoneImportText,
    TemplateApply,
    DnssecEnable,
    DnssecDisable,
    ZoneHistoryRestore,
}

impl Op {
    fn parse(operation: &str) -> Option<Self> {
        Some(match operation {
            "zone_create" => Self::ZoneCreate,
            "zone_update" => Self::ZoneUpdate,
            "zone_delete" => Self::ZoneDelete,
            "record_create" => Self::RecordCreate,
            "record_update" => Self::RecordUpdate,
            "record_delete" => Self::RecordDelete,
            "record_bulk" => Self::RecordBulk,
            "record_bulk_delete" => Self::RecordBulkDelete,
            "zone_import_text" => Self::ZoneImportText,
            "template_apply" => Self::TemplateApply,
            "dnssec_enable" => Self::DnssecEnable,
            "dnssec_disable" => Self::DnssecDisable,
            "zone_history_restore" => Self::ZoneHistoryRestore,
            _ => return None,
        })
    }

    /// Its route as the API document names it, for the body check the real request gets
    /// (`body_check`); `None` for operations without a body.
    fn route(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Self::ZoneCreate => ("POST", "/api/v1/domains"),
            Self::ZoneUpdate => ("PATCH", "/api/v1/domains/{domain_id}"),
            Self::RecordCreate => ("POST", "/api/v1/domains/{domain_id}/records"),
            Self::RecordUpdate => ("PATCH", "/api/v1/domains/{domain_id}/records/{record_id}"),
            Self::RecordBulk => ("POST", "/api/v1/domains/{domain_id}/records/bulk"),
            Self::RecordBulkDelete => ("POST", "/api/v1/domains/{domain_id}/records/bulk-delete"),
            Self::ZoneImportText => ("POST", "/api/v1/domains/{domain_id}/import/text"),
            Self::TemplateApply => ("POST", "/api/v1/templates/{template_id}/apply"),
            Self::DnssecEnable => ("POST", "/api/v1/domains/{domain_id}/dnssec/enable"),
            Self::ZoneDelete
            | Self::RecordDelete
            | Self::DnssecDisable
            | Self::ZoneHistoryRestore => return None,
        })
    }

    /// Its path parameters (all required), its other parameters (optional), and whether it
    /// takes a body.
    fn shape(self) -> (&'static [&'static str], &'static [&'static str], bool) {
        match self {
            Self::ZoneCreate => (&[], &[], true),
            Self::ZoneUpdate
            | Self::RecordCreate
            | Self::RecordBulk
            | Self::RecordBulkDelete
            | Self::ZoneImportText
            | Self::DnssecEnable => (&["domain_id"], &[IF_MATCH], true),
            Self::ZoneDelete => (&["domain_id"], &["hard", "force", IF_MATCH], false),
            Self::RecordUpdate => (&["domain_id", "record_id"], &[IF_MATCH], true),
            Self::RecordDelete => (&["domain_id", "record_id"], &[IF_MATCH], false),
            Self::TemplateApply => (&["template_id"], &[], true),
            Self::DnssecDisable => (&["domain_id"], &["force", IF_MATCH], false),
            Self::ZoneHistoryRestore => (&["domain_id", "generation"], &[IF_MATCH], false),
        }
    }
}

/// A planned call, its parameters checked against the operation.
pub(super) struct Call {
    op: Op,
    params: BTreeMap<String, String>,
    body: Option<Value>,
}

impl Call {
    /// 422 for an unknown operation, a parameter it does not take or lacks, a parameter that
    /// is not a string, number or boolean, or a body for an operation that takes none: the plan
    /// request itself is malformed.
    pub(super) fn parse(
        operation: &str,
        params: Option<BTreeMap<String, Value>>,
        body: Option<Value>,
    ) -> ApiResult<Self> {
        let op = Op::parse(operation).ok_or_else(|| {
            invalid(
                "operation",
                &format!(
                    "'{operation}' is not a write a plan covers; one of: {}",
                    SUPPORTED.join(", ")
                ),
            )
        })?;
        let (path, optional, takes_body) = op.shape();
        let mut checked = BTreeMap::new();
        for (name, value) in params.unwrap_or_default() {
            // Header names are case-insensitive.
            let name = if name.eq_ignore_ascii_case(IF_MATCH) {
                IF_MATCH.to_owned()
            } else {
                name
            };
            if !path.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
                let mut taken: Vec<&str> = path.iter().chain(optional).copied().collect();
                if taken.is_empty() {
                    taken.push("none");
                }
                return Err(invalid(
                    &format!("params.{name}"),
                    &format!(
                        "{operation} takes no parameter '{name}' (it takes: {})",
                        taken.join(", ")
                    ),
                ));
            }
            let text = match value {
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                _ => {
                    return Err(invalid(
                        &format!("params.{name}"),
                        "a parameter is a string, a number or a boolean",
                    ));
                }
            };
            checked.insert(name, text);
        }
        if let Some(missing) = path.iter().find(|p| !checked.contains_key(**p)) {
            return Err(invalid(
                &format!("params.{missing}"),
                &format!("{operation} needs the path parameter '{missing}'"),
            ));
        }
        if !takes_body && body.is_some() {
            return Err(invalid("body", &format!("{operation} takes no body")));
        }
        Ok(Self {
            op,
            params: checked,
            body,
        })
    }

    /// Runs the operation's endpoint body with `ctx` (a planning context): the status it would
    /// answer, or its error.
    pub(super) async fn run(self, state: &AppState, ctx: &OpContext) -> ApiResult<StatusCode> {
        let if_match = self.if_match()?;
        match self.op {
            Op::ZoneCreate => status(zones::zone_create(state, ctx, self.body()?).await),
            Op::ZoneUpdate => {
                let body = self.body()?;
                status(zones::zone_update(state, ctx, self.path("domain_id"), body, if_match).await)
            }
            Op::ZoneDelete => {
                let (hard, force) = (self.flag("hard")?, self.flag("force")?);
                status(
                    zones::zone_delete(state, ctx, self.path("domain_id"), hard, force, if_match)
                        .await,
                )
            }
            Op::RecordCreate => {
                let body = self.body()?;
                status(
                    records::record_create(state, ctx, self.path("domain_id"), body, if_match)
                        .await,
                )
            }
            Op::RecordUpdate => {
                let body = self.body()?;
                let (zone, id) = (self.path("domain_id"), self.path("record_id"));
                status(records::record_update(state, ctx, zone, id, body, if_match).await)
            }
            Op::RecordDelete => {
                let (zone, id) = (self.path("domain_id"), self.path("record_id"));
                status(records::record_delete(state, ctx, zone, id, if_match).await)
            }
            Op::RecordBulk => {
                let body = self.body()?;
                status(
                    record_bulk::record_bulk(state, ctx, self.path("domain_id"), body, if_match)
                        .await,
                )
            }
            Op::RecordBulkDelete => {
                let request = record_bulk::bulk_delete_request(self.body()?.0)?;
                let zone = self.path("domain_id");
                status(record_bulk::record_bulk_delete(state, ctx, zone, request, if_match).await)
            }
            Op::ZoneImportText => {
                let body = self.body()?;
                status(
                    import::zone_import_text(state, ctx, self.path("domain_id"), body, if_match)
                        .await,
                )
            }
            Op::TemplateApply => {
                let body = self.body()?;
                status(templates::template_apply(state, ctx, self.path("template_id"), body).await)
            }
            Op::DnssecEnable => {
                let body = self.body()?;
                status(
                    dnssec::dnssec_enable(state, ctx, self.path("domain_id"), body, if_match).await,
                )
            }
            Op::DnssecDisable => {
                let force = self.flag("force")?;
                status(
                    dnssec::dnssec_disable(state, ctx, self.path("domain_id"), force, if_match)
                        .await,
                )
            }
            Op::ZoneHistoryRestore => {
                let (zone, generation) = (self.path("domain_id"), self.generation()?);
                status(
                    zone_history::zone_history_restore(state, ctx, zone, generation, if_match)
                        .await,
                )
            }
        }
    }

    /// The `generation` path parameter, refused as the endpoint refuses it (400
    /// `invalid_path`).
    fn generation(&self) -> ApiResult<Path<i64>> {
        let text = self.params.get("generation").cloned().unwrap_or_default();
        <i64 as ParseFromParameter>::parse_from_parameter(&text)
            .map(Path)
            .map_err(|e| {
                ApiError::located(
                    StatusCode::BAD_REQUEST,
                    "invalid_path",
                    "path",
                    Some("generation"),
                    &e.into_message(),
                )
            })
    }

    /// The `If-Match` parameter as the endpoint's header type; a value no HTTP header could
    /// carry as text is refused as the endpoint refuses an undecodable one.
    fn if_match(&self) -> ApiResult<IfMatchHeader> {
        let Some(text) = self.params.get(IF_MATCH) else {
            return Ok(Header(None));
        };
        if !text.chars().all(|c| c == '\t' || (' '..='~').contains(&c)) {
            return Err(unreadable_if_match_error());
        }
        Ok(Header(Some(EntityTags(text.clone()))))
    }

    fn path(&self, name: &str) -> Path<String> {
        Path(self.params.get(name).cloned().unwrap_or_default())
    }

    /// A boolean query parameter, refused as the endpoint refuses it (400 `invalid_query`).
    fn flag(&self, name: &'static str) -> ApiResult<Query<Option<bool>>> {
        let Some(text) = self.params.get(name) else {
            return Ok(Query(None));
        };
        <bool as ParseFromParameter>::parse_from_parameter(text)
            .map(|b| Query(Some(b)))
            .map_err(|e| {
                ApiError::located(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    "query",
                    Some(name),
                    &e.into_message(),
                )
            })
    }

    /// The body as the endpoint's request type, refused as the real request is refused: first
    /// by the check against the API document (which names the field), then by the parser.
    fn body<T: ParseFromJSON>(&self) -> ApiResult<Json<T>> {
        let value = self.body.clone().unwrap_or(Value::Null);
        if let Some((method, path)) = self.op.route()
            && let Ok(bytes) = serde_json::to_vec(&value)
            && let Some(problem) = crate::body_check::explain(method, path, &bytes)
        {
            return Err(crate::middleware::body_error(&problem));
        }
        T::parse_from_json(Some(self.body.clone().unwrap_or(Value::Null)))
            .map(Json)
            .map_err(|e| {
                ApiError::located(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    "body",
                    None,
                    &e.into_message(),
                )
            })
    }
}

fn status<T: IntoResponse>(answer: ApiResult<T>) -> ApiResult<StatusCode> {
    answer.map(|a| a.into_response().status())
}

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::located(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_plan",
        "body",
        Some(field),
        message,
    )
}
