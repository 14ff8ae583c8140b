//! `/api/v1/templates` (spec §9, issue 10 item 2): record templates. The system templates and
//! the caller's tenant's own are listed and read under `templates:read`; custom ones are written
//! under `templates:create|update|delete`. Preview and apply are authorised on the zone's
//! records: apply as the creates it makes, through the bulk path.
//!
//! §9's one `POST /templates/` with two body shapes is two endpoints here: `POST /templates`
//! creates, `POST /templates/{id}/apply` applies (docs/decisions.md, issue 10 item 2).

use scaidns_core::service::OpContext;
use std::collections::BTreeMap;

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::ids::{TemplateId, ZoneId};
use scaidns_core::service::templates::{
    TemplateApplied, TemplateInput, TemplatePatch, TemplatePreview,
};
use scaidns_core::template::{
    BUILTIN_VARIABLES, RenderedRecord, Template, TemplateRecord, TemplateType, TemplateVariable,
};

use crate::api::page_envelope::page_envelope;
use crate::api::records::RecordResponse;
use crate::api::{ApiTags, NoContent, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// One record of a template.
#[derive(Debug, Clone, Object)]
pub struct TemplateRecordDto {
    /// Owner name (`@`, relative or absolute); `${var}` placeholders allowed.
    pub name: String,
    /// Record type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Content; `${var}` placeholders allowed (`$$` is a literal `$`).
    pub content: String,
    /// TTL; the zone's default when absent.
    pub ttl: Option<i64>,
}

/// A variable a template declares.
#[derive(Debug, Clone, Object)]
pub struct TemplateVariableDto {
    /// Name, used as `${name}`.
    pub name: String,
    /// What to give.
    pub description: Option<String>,
    /// Whether a value must be given when there is no default.
    #[oai(default)]
    pub required: bool,
    /// Value used when none is given (built-in placeholders allowed).
    pub default: Option<String>,
    /// Regular expression the whole value must match.
    pub pattern: Option<String>,
}

/// A template.
#[derive(Debug, Clone, Object)]
pub struct TemplateResponse {
    /// Id (UUID).
    pub id: String,
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `system` (shipped, read-only) or `custom` (the tenant's own).
    pub template_type: String,
    /// Owning tenant; null for system templates.
    pub tenant_id: Option<String>,
    /// Records.
    pub records: Vec<TemplateRecordDto>,
    /// Declared variables.
    pub variables: Vec<TemplateVariableDto>,
    /// Number of records.
    pub record_count: usize,
    /// Number of declared variables.
    pub variable_count: usize,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<TemplateRecord> for TemplateRecordDto {
    fn from(r: TemplateRecord) -> Self {
        Self {
            name: r.name,
            rtype: r.rtype,
            content: r.content,
            ttl: r.ttl,
        }
    }
}

impl From<TemplateRecordDto> for TemplateRecord {
    fn from(r: TemplateRecordDto) -> Self {
        Self {
            name: r.name,
            rtype: r.rtype,
            content: r.content,
            ttl: r.ttl,
        }
    }
}

impl From<TemplateVariable> for TemplateVariableDto {
    fn from(v: TemplateVariable) -> Self {
        Self {
            name: v.name,
            description: v.description,
            required: v.required,
            default: v.default,
            pattern: v.pattern,
        }
    }
}

impl From<TemplateVariableDto> for TemplateVariable {
    fn from(v: TemplateVariableDto) -> Self {
        Self {
            name: v.name,
            description: v.description,
            required: v.required,
            default: v.default,
            pattern: v.pattern,
        }
    }
}

impl From<Template> for TemplateResponse {
    fn from(t: Template) -> Self {
        Self {
            id: t.id.to_string(),
            template_type: t.template_type().to_string(),
            tenant_id: t.tenant_id.map(|id| id.to_string()),
            name: t.name,
            description: t.description,
            record_count: t.records.len(),
            variable_count: t.variables.len(),
            records: t.records.into_iter().map(Into::into).collect(),
            variables: t.variables.into_iter().map(Into::into).collect(),
            created_at: t.created_at.into(),
            updated_at: t.updated_at.into(),
        }
    }
}

page_envelope! {
    /// A page of templates.
    TemplateList of TemplateResponse,
    data: " Templates of this page: system ones first, then by name.",
    total: " Templates across all pages.",
}

/// A new custom template.
#[derive(Debug, Clone, Object)]
pub struct TemplateCreateRequest {
    /// Name, unique in the tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Records (1–100).
    pub records: Vec<TemplateRecordDto>,
    /// Declared variables (up to 50).
    #[oai(default)]
    pub variables: Vec<TemplateVariableDto>,
}

/// Changes to a custom template; absent fields stay.
#[derive(Debug, Clone, Object)]
pub struct TemplateUpdateRequest {
    /// New name.
    pub name: Option<String>,
    /// New description (empty clears it).
    pub description: Option<String>,
    /// New records (replace all).
    pub records: Option<Vec<TemplateRecordDto>>,
    /// New variables (replace all).
    pub variables: Option<Vec<TemplateVariableDto>>,
}

/// Variable values for a preview.
#[derive(Debug, Clone, Object)]
pub struct TemplatePreviewRequest {
    /// Name → value.
    #[oai(default)]
    pub variables: BTreeMap<String, String>,
}

/// Apply a template to a zone.
#[derive(Debug, Clone, Object)]
pub struct TemplateApplyRequest {
    /// The zone.
    pub domain_id: String,
    /// Name → value.
    #[oai(default)]
    pub variables: BTreeMap<String, String>,
}

/// A rendered record.
#[derive(Debug, Clone, Object)]
pub struct RenderedRecordDto {
    /// Owner name as rendered.
    pub name: String,
    /// Record type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Content as rendered.
    pub content: String,
    /// TTL, when the template gives one.
    pub ttl: Option<i64>,
}

impl From<RenderedRecord> for RenderedRecordDto {
    fn from(r: RenderedRecord) -> Self {
        Self {
            name: r.name,
            rtype: r.rtype,
            content: r.content,
            ttl: r.ttl,
        }
    }
}

/// A rendered record of a preview.
#[derive(Debug, Clone, Object)]
pub struct PreviewRecordDto {
    /// The record.
    #[oai(flatten)]
    pub record: RenderedRecordDto,
    /// Why applying would refuse it; absent when it is valid.
    pub error: Option<String>,
}

/// What applying would write.
#[derive(Debug, Clone, Object)]
pub struct TemplatePreviewResponse {
    /// Template id.
    pub template_id: String,
    /// Zone id.
    pub domain_id: String,
    /// Zone name.
    pub domain_name: String,
    /// The rendered records.
    pub records: Vec<PreviewRecordDto>,
    /// Each declared variable's value as used.
    pub variables: BTreeMap<String, String>,
    /// Whether every record is valid (apply would not refuse for validation).
    pub valid: bool,
}

impl From<TemplatePreview> for TemplatePreviewResponse {
    fn from(p: TemplatePreview) -> Self {
        Self {
            template_id: p.template.id.to_string(),
            domain_id: p.zone.id.to_string(),
            domain_name: p.zone.name.to_string(),
            valid: p.records.iter().all(|r| r.error.is_none()),
            records: p
                .records
                .into_iter()
                .map(|r| PreviewRecordDto {
                    record: r.record.into(),
                    error: r.error,
                })
                .collect(),
            variables: p.variables,
        }
    }
}

/// A record apply did not create.
#[derive(Debug, Clone, Object)]
pub struct SkippedRecordDto {
    /// The record.
    #[oai(flatten)]
    pub record: RenderedRecordDto,
    /// Why.
    pub reason: String,
}

/// What an apply did.
#[derive(Debug, Clone, Object)]
pub struct TemplateApplyResponse {
    /// Records created.
    pub created_records: Vec<RecordResponse>,
    /// Records not created, with the reason.
    pub skipped_records: Vec<SkippedRecordDto>,
    /// Number created.
    pub total_created: usize,
    /// Number skipped.
    pub total_skipped: usize,
}

impl From<TemplateApplied> for TemplateApplyResponse {
    fn from(a: TemplateApplied) -> Self {
        let zone = a.zone;
        Self {
            total_created: a.created.len(),
            total_skipped: a.skipped.len(),
            created_records: a
                .created
                .into_iter()
                .map(|r| RecordResponse::new(&zone, r))
                .collect(),
            skipped_records: a
                .skipped
                .into_iter()
                .map(|s| SkippedRecordDto {
                    record: s.record.into(),
                    reason: s.reason,
                })
                .collect(),
        }
    }
}

/// A built-in variable.
#[derive(Debug, Clone, Object)]
pub struct BuiltinVariable {
    /// Name, used as `${name}`.
    pub name: String,
    /// What it holds.
    pub description: String,
}

/// Template created.
#[derive(ApiResponse)]
pub enum TemplateCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<TemplateResponse>),
}

fn parse_template_type(raw: Option<String>) -> Result<Option<TemplateType>, ApiError> {
    raw.map(|t| {
        t.parse::<TemplateType>().map_err(|_| {
            ApiError::from(scaidns_core::Error::bad_query(
                "template_type",
                "template_type is system or custom",
            ))
        })
    })
    .transpose()
}

/// Template endpoints.
pub struct TemplatesApi;

#[OpenApi(tag = "ApiTags::Templates")]
impl TemplatesApi {
    /// List the system templates and the tenant's own; needs `templates:read`.
    #[oai(path = "/templates", method = "get", operation_id = "template_list")]
    async fn template_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// `system` or `custom`.
        template_type: Query<Option<String>>,
    ) -> ApiResult<Json<TemplateList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let kind = parse_template_type(template_type.0)?;
        let result = state.service.template_list(&ctx, kind, page).await?;
        Ok(Json(TemplateList::new(result, page)))
    }

    /// Create a custom template in the caller's tenant; needs `templates:create`.
    #[oai(path = "/templates", method = "post", operation_id = "template_create")]
    async fn template_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<TemplateCreateRequest>,
    ) -> ApiResult<TemplateCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let template = state
            .service
            .template_create(
                &ctx,
                TemplateInput {
                    name: body.name,
                    description: body.description,
                    records: body.records.into_iter().map(Into::into).collect(),
                    variables: body.variables.into_iter().map(Into::into).collect(),
                },
            )
            .await?;
        Ok(TemplateCreated::Created(Json(template.into())))
    }

    /// The built-in variables every template may use.
    #[oai(
        path = "/templates/variables",
        method = "get",
        operation_id = "template_builtin_variables"
    )]
    async fn template_builtin_variables(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<Vec<BuiltinVariable>>> {
        let _ctx = op_context(&state, &auth, req).await?;
        Ok(Json(
            BUILTIN_VARIABLES
                .iter()
                .map(|(name, description)| BuiltinVariable {
                    name: (*name).to_owned(),
                    description: (*description).to_owned(),
                })
                .collect(),
        ))
    }

    /// One template (system, or the tenant's own); needs `templates:read`.
    #[oai(
        path = "/templates/:template_id",
        method = "get",
        operation_id = "template_get"
    )]
    async fn template_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
    ) -> ApiResult<Json<TemplateResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = template_id.0.parse::<TemplateId>()?;
        Ok(Json(state.service.template_get(&ctx, id).await?.into()))
    }

    /// Change a custom template (403 `template_read_only` for system ones).
    #[oai(
        path = "/templates/:template_id",
        method = "patch",
        operation_id = "template_update"
    )]
    async fn template_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
        body: Json<TemplateUpdateRequest>,
    ) -> ApiResult<Json<TemplateResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = template_id.0.parse::<TemplateId>()?;
        let body = body.0;
        let template = state
            .service
            .template_update(
                &ctx,
                id,
                TemplatePatch {
                    name: body.name,
                    description: body
                        .description
                        .map(|d| Some(d).filter(|d| !d.trim().is_empty())),
                    records: body
                        .records
                        .map(|r| r.into_iter().map(Into::into).collect()),
                    variables: body
                        .variables
                        .map(|v| v.into_iter().map(Into::into).collect()),
                },
            )
            .await?;
        Ok(Json(template.into()))
    }

    /// Delete a custom template (403 `template_read_only` for system ones).
    #[oai(
        path = "/templates/:template_id",
        method = "delete",
        operation_id = "template_delete"
    )]
    async fn template_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = template_id.0.parse::<TemplateId>()?;
        state.service.template_delete(&ctx, id).await?;
        Ok(NoContent::NoContent)
    }

    /// The variables a template declares (with `required`, `default`, `pattern`).
    #[oai(
        path = "/templates/:template_id/required-variables",
        method = "get",
        operation_id = "template_variables"
    )]
    async fn template_variables(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
    ) -> ApiResult<Json<Vec<TemplateVariableDto>>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = template_id.0.parse::<TemplateId>()?;
        let template = state.service.template_get(&ctx, id).await?;
        Ok(Json(
            template.variables.into_iter().map(Into::into).collect(),
        ))
    }

    /// Render a template for a zone without writing; needs `records:read` on the zone.
    #[oai(
        path = "/templates/:template_id/preview/:domain_id",
        method = "post",
        operation_id = "template_preview"
    )]
    async fn template_preview(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
        /// Zone id.
        domain_id: Path<String>,
        body: Json<TemplatePreviewRequest>,
    ) -> ApiResult<Json<TemplatePreviewResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let zone = domain_id.0.parse::<ZoneId>()?;
        let id = template_id.0.parse::<TemplateId>()?;
        let preview = state
            .service
            .template_preview(&ctx, id, zone, body.0.variables)
            .await?;
        Ok(Json(preview.into()))
    }

    /// Apply a template to a zone in one change set: every record is authorised as a create;
    /// existing identical records are skipped; any invalid record refuses the whole apply
    /// (422 `template_records_invalid`, naming each).
    #[oai(
        path = "/templates/:template_id/apply",
        method = "post",
        operation_id = "template_apply"
    )]
    async fn template_apply(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Template id.
        template_id: Path<String>,
        body: Json<TemplateApplyRequest>,
    ) -> ApiResult<Json<TemplateApplyResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        template_apply(&state, &ctx, template_id, body).await
    }
}

/// `template_apply` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn template_apply(
    state: &AppState,
    ctx: &OpContext,
    template_id: Path<String>,
    body: Json<TemplateApplyRequest>,
) -> ApiResult<Json<TemplateApplyResponse>> {
    let id = template_id.0.parse::<TemplateId>()?;
    let body = body.0;
    let zone = body.domain_id.parse::<ZoneId>()?;
    let applied = state
        .service
        .template_apply(ctx, id, zone, body.variables)
        .await?;
    Ok(Json(applied.into()))
}
