//! [`crate::ports::template_store::TemplateStore`] for [`SqlStore`].

use async_trait::async_trait;

use super::SqlStore;
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{TemplateId, TenantId, ZoneId};
use crate::paging::{Page, PageRequest};
use crate::ports::template_store::{PendingTemplate, TemplateStore};
use crate::template::{Template, TemplateType};

#[async_trait]
impl TemplateStore for SqlStore {
    async fn insert_template(&self, template: &Template, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, templates::insert_template(template, audit))
    }

    async fn update_template(&self, template: &Template, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, templates::update_template(template, audit))
    }

    async fn delete_template(&self, id: TemplateId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, templates::delete_template(id, audit))
    }

    async fn get_template(&self, id: TemplateId) -> Result<Option<Template>> {
        dispatch!(self, templates::get_template(id))
    }

    async fn list_templates(
        &self,
        tenant_id: TenantId,
        template_type: Option<TemplateType>,
        page: PageRequest,
    ) -> Result<Page<Template>> {
        dispatch!(
            self,
            templates::list_templates(tenant_id, template_type, page)
        )
    }

    async fn set_pending_template(&self, pending: &PendingTemplate) -> Result<()> {
        dispatch!(self, templates::set_pending(pending))
    }

    async fn pending_template(&self, zone_id: ZoneId) -> Result<Option<PendingTemplate>> {
        dispatch!(self, templates::pending(zone_id))
    }

    async fn clear_pending_template(&self, zone_id: ZoneId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, templates::clear_pending(zone_id, audit))
    }
}
