//! Storage of record templates and of the template a pending zone waits to receive.

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{TemplateId, TenantId, ZoneId};
use crate::paging::{Page, PageRequest};
use crate::template::{Template, TemplateType};

/// A template a zone gets when it becomes active (`POST /domains` with `template_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTemplate {
    /// The zone.
    pub zone_id: ZoneId,
    /// The template.
    pub template_id: TemplateId,
    /// The variables given at zone creation.
    pub variables: std::collections::BTreeMap<String, String>,
}

/// Templates.
#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Inserts a custom template with its audit entries; 409 `template_exists` when its tenant
    /// has one of that name.
    async fn insert_template(&self, template: &Template, audit: &[AuditEvent]) -> Result<()>;
    /// Replaces a custom template with its audit entries (404 when missing).
    async fn update_template(&self, template: &Template, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes a custom template with its audit entries (404 when missing).
    async fn delete_template(&self, id: TemplateId, audit: &[AuditEvent]) -> Result<()>;
    /// One template (system or any tenant's: the caller checks visibility).
    async fn get_template(&self, id: TemplateId) -> Result<Option<Template>>;
    /// The system templates and `tenant_id`'s own, ordered system first then by name;
    /// `template_type` narrows to one kind.
    async fn list_templates(
        &self,
        tenant_id: TenantId,
        template_type: Option<TemplateType>,
        page: PageRequest,
    ) -> Result<Page<Template>>;
    /// Records the template a zone is to get on activation (replacing any earlier one).
    async fn set_pending_template(&self, pending: &PendingTemplate) -> Result<()>;
    /// The template a zone waits for, if any.
    async fn pending_template(&self, zone_id: ZoneId) -> Result<Option<PendingTemplate>>;
    /// Forgets a zone's pending template (no-op when there is none), with its audit entries
    /// in the same transaction. A purged zone's goes with it ([`crate::ports::store`]'s
    /// `purge_zone`).
    async fn clear_pending_template(&self, zone_id: ZoneId, audit: &[AuditEvent]) -> Result<()>;
}
