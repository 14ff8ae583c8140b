//! Record templates (spec §9, issue 10 item 2): listing the system templates and the tenant's
//! own, CRUD of the tenant's own under `templates:*`, preview, and apply.
//!
//! Apply renders the template ([`crate::template::render`]) and hands the records to the bulk
//! change-set path ([`ScaiDns::record_bulk`]) as creates: one transaction, each record parsed
//! and authorised like a typed create (so a record-limited grantee cannot write outside its
//! grant), duplicates of existing records skipped and reported, and any refused record refusing
//! the whole apply. Another tenant's template is unknown (404), like any of its resources.
//!
//! A zone created with a template keeps it as pending ([`PendingTemplate`]) and receives it when
//! it becomes active ([`ScaiDns::apply_pending_template`]). Applying again after a crash is a
//! no-op, since every record would be a duplicate, and the pending row goes only after success.

use std::collections::BTreeMap;

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{TemplateId, ZoneId};
use crate::name::ZoneName;
use crate::paging::{Page, PageRequest};
use crate::ports::template_store::PendingTemplate;
use crate::rbac::{Permission, Target};
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::record_bulk::{BulkOutcome, BulkRequest};
use crate::service::records::RecordCreate;
use crate::service::{Actor, OpContext, ScaiDns};
use crate::template::{
    Builtins, RenderedRecord, Template, TemplateRecord, TemplateType, TemplateVariable, render,
};
use crate::zone::Zone;
use crate::zone::precondition::IfMatch;

/// Input of `template_create`.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    /// Name, unique in the tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Records.
    pub records: Vec<TemplateRecord>,
    /// Declared variables.
    pub variables: Vec<TemplateVariable>,
}

/// Input of `template_update`; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct TemplatePatch {
    /// New name.
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New records.
    pub records: Option<Vec<TemplateRecord>>,
    /// New variables.
    pub variables: Option<Vec<TemplateVariable>>,
}

/// A rendered record of a preview, with the problem record validation finds in it.
#[derive(Debug, Clone)]
pub struct PreviewRecord {
    /// The rendered record.
    pub record: RenderedRecord,
    /// Why applying would refuse it, if it would.
    pub error: Option<String>,
}

/// What a preview shows.
#[derive(Debug, Clone)]
pub struct TemplatePreview {
    /// The template.
    pub template: Template,
    /// The zone.
    pub zone: Zone,
    /// The rendered records.
    pub records: Vec<PreviewRecord>,
    /// Every declared variable's value as used.
    pub variables: BTreeMap<String, String>,
}

/// A record apply did not create, and why.
#[derive(Debug, Clone)]
pub struct SkippedRecord {
    /// The rendered record.
    pub record: RenderedRecord,
    /// Why.
    pub reason: String,
}

/// What an apply did.
#[derive(Debug, Clone)]
pub struct TemplateApplied {
    /// The zone afterwards.
    pub zone: Zone,
    /// Records created.
    pub created: Vec<Record>,
    /// Records skipped.
    pub skipped: Vec<SkippedRecord>,
}

fn template_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "template_not_found",
        "Template not found",
    )
}

fn read_only() -> Error {
    Error::forbidden(
        "template_read_only",
        "system templates are read-only; create a custom template instead",
    )
}

impl ScaiDns {
    /// The system templates and the caller's tenant's own.
    pub async fn template_list(
        &self,
        ctx: &OpContext,
        template_type: Option<TemplateType>,
        page: crate::service::queries::PageQuery,
    ) -> Result<Page<Template>> {
        self.template_permission(ctx, Permission::TEMPLATES_READ)
            .await?;
        let page = PageRequest::from(page);
        self.store()
            .list_templates(ctx.tenant_id, template_type, page)
            .await
    }

    /// One template visible to the caller's tenant.
    pub async fn template_get(&self, ctx: &OpContext, id: TemplateId) -> Result<Template> {
        self.template_permission(ctx, Permission::TEMPLATES_READ)
            .await?;
        self.visible_template(ctx.tenant_id, id).await
    }

    /// Creates a custom template in the caller's tenant.
    pub async fn template_create(&self, ctx: &OpContext, input: TemplateInput) -> Result<Template> {
        self.template_permission(ctx, Permission::TEMPLATES_CREATE)
            .await?;
        let template = Template {
            id: TemplateId::new(),
            tenant_id: Some(ctx.tenant_id),
            name: input.name.trim().to_owned(),
            description: input.description,
            records: input.records,
            variables: input.variables,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        template.check()?;
        let audit = [self.template_audit(ctx, "template.create", &template, None)];
        self.store().insert_template(&template, &audit).await?;
        Ok(template)
    }

    /// Changes a custom template of the caller's tenant (system templates: 403).
    pub async fn template_update(
        &self,
        ctx: &OpContext,
        id: TemplateId,
        patch: TemplatePatch,
    ) -> Result<Template> {
        self.template_permission(ctx, Permission::TEMPLATES_UPDATE)
            .await?;
        let before = self.visible_template(ctx.tenant_id, id).await?;
        if before.template_type() == TemplateType::System {
            return Err(read_only());
        }
        let mut after = before.clone();
        if let Some(name) = patch.name {
            after.name = name.trim().to_owned();
        }
        if let Some(description) = patch.description {
            after.description = description;
        }
        if let Some(records) = patch.records {
            after.records = records;
        }
        if let Some(variables) = patch.variables {
            after.variables = variables;
        }
        after.updated_at = ctx.now;
        after.check()?;
        let audit = [self.template_audit(ctx, "template.update", &after, Some(&before))];
        self.store().update_template(&after, &audit).await?;
        Ok(after)
    }

    /// Deletes a custom template of the caller's tenant (system templates: 403).
    pub async fn template_delete(&self, ctx: &OpContext, id: TemplateId) -> Result<()> {
        self.template_permission(ctx, Permission::TEMPLATES_DELETE)
            .await?;
        let template = self.visible_template(ctx.tenant_id, id).await?;
        if template.template_type() == TemplateType::System {
            return Err(read_only());
        }
        let mut audit = self.template_audit(ctx, "template.delete", &template, None);
        audit.before = audit.after.take();
        self.store().delete_template(id, &[audit]).await
    }

    /// Renders a template for a zone without writing; each record says whether applying would
    /// refuse it. Needs `records:read` on the zone.
    pub async fn template_preview(
        &self,
        ctx: &OpContext,
        id: TemplateId,
        zone_id: ZoneId,
        variables: BTreeMap<String, String>,
    ) -> Result<TemplatePreview> {
        ctx.require(Permission::RECORDS_READ)?;
        let zone = self
            .authorized_zone(ctx, Permission::RECORDS_READ, zone_id, false)
            .await?;
        let template = self.visible_template(zone.tenant_id, id).await?;
        let (rendered, variables) = self.render_for(&template, &zone, &variables).await?;
        let records = rendered
            .into_iter()
            .map(|record| PreviewRecord {
                error: parse_rendered(&record, &zone.name)
                    .err()
                    .map(|e| e.message().to_owned()),
                record,
            })
            .collect();
        Ok(TemplatePreview {
            template,
            zone,
            records,
            variables,
        })
    }

    /// Applies a template to a zone (see the module docs).
    pub async fn template_apply(
        &self,
        ctx: &OpContext,
        id: TemplateId,
        zone_id: ZoneId,
        variables: BTreeMap<String, String>,
    ) -> Result<TemplateApplied> {
        ctx.require(Permission::RECORDS_CREATE)?;
        // Visibility first, so that another tenant's zone or template stays a plain 404.
        // Only visibility here: each record is then authorised by the bulk path as its own create.
        let zone = self.visible_zone(ctx, zone_id, false).await?;
        let template = self.visible_template(zone.tenant_id, id).await?;
        let (rendered, used) = self.render_for(&template, &zone, &variables).await?;
        self.apply_rendered(ctx, &zone, &template, used, rendered)
            .await
    }

    /// Checks a template given at zone creation: visible to the tenant, variables complete and
    /// valid, every rendered record valid for the zone. `zone_id` is the id the zone will get.
    pub(crate) async fn template_check_for_new_zone(
        &self,
        ctx: &OpContext,
        id: TemplateId,
        zone_id: ZoneId,
        zone_name: &ZoneName,
        variables: &BTreeMap<String, String>,
    ) -> Result<()> {
        // The records land in the zone as the creator's: they must be allowed to create them.
        ctx.require(Permission::RECORDS_CREATE)?;
        self.authorize(
            ctx,
            Permission::RECORDS_CREATE,
            Target::Tenant(ctx.tenant_id),
        )
        .await?;
        let template = self
            .visible_template(ctx.tenant_id, id)
            .await
            .map_err(|e| e.with_field("template_id"))?;
        let builtins = self.builtins(ctx.tenant_id, zone_id, zone_name).await?;
        let (rendered, _) = render(&template, &builtins, variables)
            .map_err(|e| e.in_field("template_variables"))?;
        let problems = rendered_problems(&rendered, zone_name);
        if !problems.is_empty() {
            return Err(records_refused(&problems).with_field("template_id"));
        }
        Ok(())
    }

    /// Applies the template a zone was created with, once it is active. Called when a zone
    /// becomes active; a no-op without a pending template. The activation stands either way:
    /// a failure is not retried but recorded in the tenant's audit log
    /// (`template.apply_failed`, with the reason) and the pending template is dropped, so the
    /// tenant re-applies it by hand (applying skips records already there).
    pub async fn apply_pending_template(&self, ctx: &OpContext, zone: &Zone) -> Result<()> {
        let Some(pending) = self.store().pending_template(zone.id).await? else {
            return Ok(());
        };
        let system = OpContext {
            actor: Actor::System,
            tenant_id: zone.tenant_id,
            request_id: ctx.request_id.clone(),
            ip: None,
            user_agent: None,
            now: ctx.now,
            authz: Default::default(),
            // A planned activation plans its template too, never applies it.
            plan: ctx.plan.clone(),
        };
        let outcome = async {
            let template = self
                .visible_template(zone.tenant_id, pending.template_id)
                .await?;
            let (rendered, used) = self.render_for(&template, zone, &pending.variables).await?;
            self.apply_rendered(&system, zone, &template, used, rendered)
                .await
        }
        .await;
        let audit = match outcome {
            Ok(applied) => {
                tracing::info!(
                    zone = %zone.name,
                    created = applied.created.len(),
                    skipped = applied.skipped.len(),
                    "template applied on activation"
                );
                // `template.apply` went with the records.
                Vec::new()
            }
            Err(e) => {
                tracing::warn!(zone = %zone.name, error = %e.message(), "template not applied on activation");
                vec![system.audit(
                    zone.tenant_id,
                    "template.apply_failed",
                    "template",
                    pending.template_id,
                    None,
                    None,
                    Some(json!({
                        "domain_id": zone.id.to_string(),
                        "domain_name": zone.name.to_string(),
                        "code": e.code(),
                        "error": e.message(),
                    })),
                )]
            }
        };
        if ctx.planning_into().is_some() {
            return Ok(());
        }
        self.store().clear_pending_template(zone.id, &audit).await
    }

    /// Remembers the template a new zone gets on activation.
    pub(crate) async fn set_pending_template(
        &self,
        zone_id: ZoneId,
        template_id: TemplateId,
        variables: BTreeMap<String, String>,
    ) -> Result<()> {
        self.store()
            .set_pending_template(&PendingTemplate {
                zone_id,
                template_id,
                variables,
            })
            .await
    }

    /// Writes the rendered records through the bulk path, with a `template.apply` entry in
    /// the same transaction as the records' own.
    async fn apply_rendered(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        template: &Template,
        variables: BTreeMap<String, String>,
        rendered: Vec<RenderedRecord>,
    ) -> Result<TemplateApplied> {
        let audit = ctx.audit(
            zone.tenant_id,
            "template.apply",
            "template",
            template.id,
            Some(template.name.clone()),
            None,
            Some(json!({
                "domain_id": zone.id.to_string(),
                "domain_name": zone.name.to_string(),
                "variables": variables,
            })),
        );
        let request = BulkRequest {
            creates: rendered
                .iter()
                .map(|r| RecordCreate {
                    name: r.name.clone(),
                    rtype: r.rtype.clone(),
                    content: r.content.clone(),
                    ttl: r.ttl,
                    disabled: None,
                })
                .collect(),
            ..BulkRequest::default()
        };
        match self
            .record_bulk_noting(
                ctx,
                zone.id,
                request,
                &IfMatch::Any,
                Some(audit),
                Default::default(),
            )
            .await?
        {
            BulkOutcome::Applied(applied) => {
                let skipped = applied
                    .duplicates
                    .iter()
                    .filter_map(|d| {
                        rendered.get(d.index).map(|record| SkippedRecord {
                            record: record.clone(),
                            reason: match d.existing {
                                Some(id) => format!("already exists (record {id})"),
                                None => "repeated in the template".to_owned(),
                            },
                        })
                    })
                    .collect();
                Ok(TemplateApplied {
                    zone: applied.zone,
                    created: applied.created,
                    skipped,
                })
            }
            BulkOutcome::Rejected(failures) | BulkOutcome::Incomplete(failures) => {
                let problems: Vec<(usize, &RenderedRecord, String)> = failures
                    .iter()
                    .filter_map(|f| {
                        rendered
                            .get(f.index)
                            .map(|r| (f.index, r, f.error.message().to_owned()))
                    })
                    .collect();
                // A refusal the caller may not see past (no grant, no access) keeps its kind.
                if let Some(f) = failures
                    .iter()
                    .find(|f| f.error.kind() == ErrorKind::Forbidden)
                {
                    return Err(f.error.clone());
                }
                Err(records_refused(&problems))
            }
        }
    }

    async fn render_for(
        &self,
        template: &Template,
        zone: &Zone,
        variables: &BTreeMap<String, String>,
    ) -> Result<(Vec<RenderedRecord>, BTreeMap<String, String>)> {
        let builtins = self.builtins(zone.tenant_id, zone.id, &zone.name).await?;
        render(template, &builtins, variables)
    }

    async fn builtins(
        &self,
        tenant_id: crate::ids::TenantId,
        zone_id: ZoneId,
        zone_name: &ZoneName,
    ) -> Result<Builtins> {
        let tenant = self
            .store()
            .get_tenant(tenant_id)
            .await?
            .map(|t| t.slug)
            .unwrap_or_default();
        Ok(Builtins {
            domain: zone_name.to_string(),
            zone_id: zone_id.to_string(),
            tenant,
        })
    }

    /// A template `tenant_id` may use: a system one or its own; anything else is unknown.
    async fn visible_template(
        &self,
        tenant_id: crate::ids::TenantId,
        id: TemplateId,
    ) -> Result<Template> {
        match self.store().get_template(id).await? {
            Some(t) if t.tenant_id.is_none() || t.tenant_id == Some(tenant_id) => Ok(t),
            _ => Err(template_not_found()),
        }
    }

    async fn template_permission(&self, ctx: &OpContext, permission: Permission) -> Result<()> {
        ctx.require(permission)?;
        self.authorize(ctx, permission, Target::Tenant(ctx.tenant_id))
            .await
    }

    fn template_audit(
        &self,
        ctx: &OpContext,
        action: &str,
        template: &Template,
        before: Option<&Template>,
    ) -> crate::audit::AuditEvent {
        ctx.audit(
            ctx.tenant_id,
            action,
            "template",
            template.id,
            Some(template.name.clone()),
            before.map(template_view),
            Some(template_view(template)),
        )
    }
}

fn template_view(t: &Template) -> serde_json::Value {
    json!({
        "name": t.name,
        "description": t.description,
        "records": t.records,
        "variables": t.variables,
    })
}

fn parse_rendered(record: &RenderedRecord, zone: &ZoneName) -> Result<()> {
    let rtype: RecordType = record.rtype.parse()?;
    RecordName::parse(&record.name, zone)?;
    RecordContent::parse(rtype, &record.content, zone)?;
    Ok(())
}

fn rendered_problems<'r>(
    rendered: &'r [RenderedRecord],
    zone: &ZoneName,
) -> Vec<(usize, &'r RenderedRecord, String)> {
    rendered
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            parse_rendered(r, zone)
                .err()
                .map(|e| (i, r, e.message().to_owned()))
        })
        .collect()
}

/// 422 `template_records_invalid`, naming each refused record.
fn records_refused(problems: &[(usize, &RenderedRecord, String)]) -> Error {
    let named: Vec<String> = problems
        .iter()
        .map(|(i, r, why)| format!("records[{i}] ({} {} {}): {why}", r.name, r.rtype, r.content))
        .collect();
    Error::new(
        ErrorKind::InvalidInput,
        "template_records_invalid",
        format!(
            "the rendered template has records that fail validation; nothing was applied: {}",
            named.join("; ")
        ),
    )
    .with_field("records")
}
