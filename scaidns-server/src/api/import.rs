//! `/api/v1/domains/{domain_id}/import/…`: zone import from pasted text or an uploaded file,
//! and its preview (spec §7.3, §7.4). The body limit of these routes is `IMPORT_MAX_BYTES`.

use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use scaidns_core::record::Record;
use scaidns_core::service::OpContext;
use scaidns_core::service::import::{ImportInput, ImportMode, ImportReport};
use scaidns_core::zone::Zone;
use scaidns_core::zone::precondition::IfMatch;
use scaidns_core::zone_file::parse::{Format, LineNote};
use serde_json::json;

use crate::api::ApiTags;
use crate::api::precondition::IfMatchHeader;
use crate::api::publication::{self, PublicationState};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An import of pasted text.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ImportRequest {
    /// The zone data: a master file, a JSON array of records, or CSV.
    pub content: String,
    /// `bind` (default), `json` or `csv`.
    pub format: Option<String>,
    /// `merge` (default), `skip_existing` or `replace`.
    pub mode: Option<String>,
    /// Skip records of types ScaiDNS cannot store instead of refusing the file.
    pub skip_unsupported: Option<bool>,
}

/// An import of an uploaded file (`multipart/form-data`).
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct ImportUpload {
    /// The zone data (UTF-8).
    pub file: Upload,
    /// `bind` (default), `json` or `csv`.
    pub format: Option<String>,
    /// `merge` (default), `skip_existing` or `replace`.
    pub mode: Option<String>,
    /// Skip records of types ScaiDNS cannot store instead of refusing the file.
    pub skip_unsupported: Option<bool>,
}

/// A record as the import shows it.
#[derive(Debug, Clone, Object)]
pub struct ImportRecord {
    /// Id (absent for a record not created yet).
    pub id: Option<String>,
    /// Absolute owner name without trailing dot.
    pub name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Canonical content.
    pub content: String,
    /// TTL, seconds.
    pub ttl: u32,
    /// Kept but not served.
    pub disabled: bool,
}

impl ImportRecord {
    fn of(r: &Record) -> Self {
        Self {
            id: Some(r.id.to_string()),
            name: r.name.as_str().to_owned(),
            rtype: r.rtype().as_str().to_owned(),
            content: r.content.as_str().to_owned(),
            ttl: r.ttl.seconds(),
            disabled: r.disabled,
        }
    }
}

/// A record the import changes.
#[derive(Debug, Clone, Object)]
pub struct ImportChange {
    /// As it is.
    pub before: ImportRecord,
    /// As the import leaves it.
    pub after: ImportRecord,
}

/// A line skipped or in error.
#[derive(Debug, Clone, Object)]
pub struct ImportLine {
    /// 1-based line (item number for JSON).
    pub line: u64,
    /// The line as written.
    pub text: String,
    /// Why.
    pub reason: String,
}

fn lines(notes: &[LineNote]) -> Vec<ImportLine> {
    notes
        .iter()
        .map(|n| ImportLine {
            line: n.line as u64,
            text: n.text.clone(),
            reason: n.reason.clone(),
        })
        .collect()
}

/// What an import would change.
#[derive(Debug, Object)]
pub struct ImportPreview {
    /// The zone.
    pub domain_id: String,
    /// The zone's generation the preview was made at (the `ETag` is it and the import's
    /// digest).
    pub generation: i64,
    /// Records to add.
    pub adds: Vec<ImportRecord>,
    /// Records to change.
    pub changes: Vec<ImportChange>,
    /// Records to delete (`replace` mode).
    pub deletes: Vec<ImportRecord>,
    /// Records of the file already in the zone, left as they are.
    pub unchanged: u64,
    /// Lines left out: SOA, apex NS, DNSSEC records, and unsupported types when asked.
    pub skipped: Vec<ImportLine>,
    /// Lines in error; an import of this text would be refused.
    pub errors: Vec<ImportLine>,
    /// Lines skipped beyond the first 1,000 listed, counted only.
    pub more_skipped: u64,
    /// Lines in error beyond the first 1,000 listed, counted only.
    pub more_errors: u64,
}

/// What an import did.
#[derive(Debug, Object)]
pub struct ImportResult {
    /// The zone.
    pub domain_id: String,
    /// The zone's generation after the import.
    pub generation: i64,
    /// Records created or updated.
    pub imported_count: u64,
    /// Records of the file the zone already held, left as they were.
    pub conflict_count: u64,
    /// Records created.
    pub added: u64,
    /// Records updated.
    pub changed: u64,
    /// Records deleted (`replace` mode).
    pub deleted: u64,
    /// Lines left out, with the reason.
    pub skipped: Vec<ImportLine>,
    /// Lines skipped beyond the first 1,000 listed, counted only.
    pub more_skipped: u64,
    /// Whether the change is published.
    #[oai(flatten)]
    pub publication: PublicationState,
}

#[derive(ApiResponse)]
enum Previewed {
    /// The preview; `ETag` is `"<generation>-<digest of format, mode, skip_unsupported and
    /// content>"`: send it as `If-Match` with the import to have it refused (412) if the zone
    /// changed since or the import is not the one previewed.
    #[oai(status = 200)]
    Ok(Json<ImportPreview>, #[oai(header = "ETag")] String),
}

/// Import endpoints.
pub struct ImportApi;

#[OpenApi(tag = "ApiTags::Domains")]
impl ImportApi {
    /// Import records from pasted text.
    ///
    /// All or nothing: a text with any bad line is refused with 422 listing every bad line
    /// (`line`, `text`, `reason`) and nothing changes.
    #[oai(
        path = "/domains/:domain_id/import/text",
        method = "post",
        operation_id = "zone_import_text"
    )]
    async fn import_text(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<ImportRequest>,
        /// Apply only if the zone's current `ETag` (e.g. the preview's) is one of these (else
        /// 412 `precondition_failed`).
        #[oai(name = "If-Match")]
        if_match: IfMatchHeader,
    ) -> ApiResult<Json<ImportResult>> {
        let ctx = op_context(&state, &auth, req).await?;
        zone_import_text(&state, &ctx, domain_id, body, if_match).await
    }

    /// Preview an import: what it would add, change and delete, and its skipped and bad
    /// lines. Applies nothing.
    #[oai(
        path = "/domains/:domain_id/import/preview",
        method = "post",
        operation_id = "zone_import_preview"
    )]
    async fn import_preview(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<ImportRequest>,
    ) -> ApiResult<Previewed> {
        let ctx = op_context(&state, &auth, req).await?;
        let b = body.0;
        let input = input(b.content, b.format, b.mode, b.skip_unsupported)?;
        let digest = input.digest();
        let report = state
            .service
            .zone_import_preview(&ctx, domain_id.0.parse()?, input)
            .await?;
        let tag = format!("\"{}-{digest}\"", report.zone.generation);
        Ok(Previewed::Ok(Json(preview(&report)), tag))
    }

    /// Import records from an uploaded file (`multipart/form-data`: the `file` part, and
    /// `format`, `mode`, `skip_unsupported` as form fields).
    #[oai(
        path = "/domains/:domain_id/import/file",
        method = "post",
        operation_id = "zone_import_file"
    )]
    async fn import_file(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: ImportUpload,
        /// Apply only if the zone's current `ETag` (e.g. the preview's) is one of these (else
        /// 412 `precondition_failed`).
        #[oai(name = "If-Match")]
        if_match: IfMatchHeader,
    ) -> ApiResult<Json<ImportResult>> {
        let ctx = op_context(&state, &auth, req).await?;
        let bytes = body.file.into_vec().await.map_err(|e| {
            // Past the body limit the request layer answers 413 whatever this says.
            ApiError::located(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                "body",
                Some("file"),
                &format!("the uploaded file cannot be read: {e}"),
            )
        })?;
        let content = String::from_utf8(bytes).map_err(|_| not_text())?;
        let input = input(content, body.format, body.mode, body.skip_unsupported)?;
        let precondition = import_if_match(&if_match, &input.digest());
        let report = state
            .service
            .zone_import(&ctx, domain_id.0.parse()?, input, &precondition)
            .await?;
        applied(&state, report).await
    }
}

/// The import's `If-Match`: a preview's tag `"<generation>-<digest>"` stands for its
/// generation when the digest is this import's and for nothing otherwise (so a different
/// import is refused 412); a zone's plain `"<generation>"` tag and `*` mean what they mean on
/// every other write.
fn import_if_match(header: &IfMatchHeader, digest: &str) -> IfMatch {
    let Some(header) = header.0.as_ref().map(|tags| tags.0.as_str()) else {
        return IfMatch::Any;
    };
    let tags: Vec<String> = header
        .split(',')
        .map(str::trim)
        .filter_map(|tag| {
            let opaque = tag
                .strip_prefix("W/")
                .unwrap_or(tag)
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'));
            match opaque.and_then(|t| t.split_once('-')) {
                Some((generation, d)) if d == digest => Some(format!("\"{generation}\"")),
                Some(_) => None,
                None => Some(tag.to_owned()),
            }
        })
        .collect();
    if tags.is_empty() {
        return IfMatch::Generations(Vec::new());
    }
    IfMatch::parse(&tags.join(","))
}

fn not_text() -> ApiError {
    ApiError::located(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_encoding",
        "body",
        Some("content"),
        "the zone data must be UTF-8 text, not binary",
    )
}

fn input(
    content: String,
    format: Option<String>,
    mode: Option<String>,
    skip_unsupported: Option<bool>,
) -> ApiResult<ImportInput> {
    if content.contains('\0') {
        return Err(not_text());
    }
    // A byte-order mark is how some editors start a UTF-8 file; it is not zone data.
    let content = match content.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => content,
    };
    Ok(ImportInput {
        content,
        format: format.as_deref().map_or(Ok(Format::Bind), str::parse)?,
        mode: mode.as_deref().map_or(Ok(ImportMode::Merge), str::parse)?,
        skip_unsupported: skip_unsupported.unwrap_or(false),
    })
}

fn preview(report: &ImportReport) -> ImportPreview {
    let zone = &report.zone;
    ImportPreview {
        domain_id: zone.id.to_string(),
        generation: zone.generation,
        adds: report
            .adds
            .iter()
            .map(|p| ImportRecord {
                id: None,
                name: p.name.as_str().to_owned(),
                rtype: p.content.rtype().as_str().to_owned(),
                content: p.content.as_str().to_owned(),
                ttl: p.ttl.seconds(),
                disabled: p.disabled,
            })
            .collect(),
        changes: report
            .changes
            .iter()
            .map(|(before, after)| ImportChange {
                before: ImportRecord::of(before),
                after: ImportRecord::of(after),
            })
            .collect(),
        deletes: report.deletes.iter().map(ImportRecord::of).collect(),
        unchanged: report.unchanged as u64,
        skipped: lines(&report.skipped),
        errors: lines(&report.errors),
        more_skipped: report.more_skipped as u64,
        more_errors: report.more_errors as u64,
    }
}

async fn applied(state: &AppState, report: ImportReport) -> ApiResult<Json<ImportResult>> {
    if !report.errors.is_empty() {
        return Err(refused(&report.errors, report.more_errors));
    }
    let zone: &Zone = &report.zone;
    let publication = publication::of(state, zone).await;
    let (added, changed) = (report.adds.len() as u64, report.changes.len() as u64);
    Ok(Json(ImportResult {
        domain_id: zone.id.to_string(),
        generation: zone.generation,
        imported_count: added + changed,
        conflict_count: report.unchanged as u64,
        added,
        changed,
        deleted: report.deletes.len() as u64,
        skipped: lines(&report.skipped),
        more_skipped: report.more_skipped as u64,
        publication,
    }))
}

/// 422 listing the bad lines (the first 1,000; an item with `more` counts the rest), in the
/// validation-error shape plus `line`, `text` and `reason`.
fn refused(errors: &[LineNote], more: usize) -> ApiError {
    let mut detail: Vec<_> = errors
        .iter()
        .map(|e| {
            json!({
                "loc": ["body", "content", e.line],
                "msg": format!("line {}: {}", e.line, e.reason),
                "type": "invalid_zone_data",
                "line": e.line,
                "text": e.text,
                "reason": e.reason,
            })
        })
        .collect();
    if more > 0 {
        detail.push(json!({
            "loc": ["body", "content"],
            "msg": format!("and {more} more lines in error"),
            "type": "invalid_zone_data",
            "more": more,
        }));
    }
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_zone_data",
        serde_json::Value::from(detail),
    )
}

/// `zone_import_text` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn zone_import_text(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    body: Json<ImportRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<Json<ImportResult>> {
    let b = body.0;
    let input = input(b.content, b.format, b.mode, b.skip_unsupported)?;
    let precondition = import_if_match(&if_match, &input.digest());
    let report = state
        .service
        .zone_import(ctx, domain_id.0.parse()?, input, &precondition)
        .await?;
    applied(state, report).await
}
