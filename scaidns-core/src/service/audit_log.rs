//! Reading the audit log (spec api-identity §11): platform admins see every tenant (and may
//! filter by one); anyone else with `audit:read` sees only their tenant, and naming a tenant
//! is 403 for them. Entries come newest first. Reading writes no entry.

use super::queries::{AuditQuery, PageQuery};
use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{AuditEventId, TenantId};
use crate::paging::{Page, PageRequest};
use crate::ports::store::AuditFilter;
use crate::rbac::{Permission, Target};

use super::{OpContext, ScaiDns};

fn entry_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "audit_log_not_found",
        "Audit log entry not found",
    )
}

impl ScaiDns {
    /// Whether the caller reads the whole platform's log.
    async fn reads_all_audit(&self, ctx: &OpContext) -> Result<bool> {
        Ok(self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::AUDIT_READ))
    }

    /// A page of entries. `filter.tenant_id` is for platform admins only.
    pub async fn audit_list(
        &self,
        ctx: &OpContext,
        query: AuditQuery,
        page: PageQuery,
    ) -> Result<Page<AuditEvent>> {
        let mut filter = AuditFilter::from(query);
        let page = PageRequest::from(page);
        if self.reads_all_audit(ctx).await? {
            return self.store().list_audit(&filter, page).await;
        }
        if filter.tenant_id.is_some() {
            return Err(Error::forbidden(
                "permission_denied",
                "only platform admins may filter the audit log by tenant",
            ));
        }
        self.authorize(ctx, Permission::AUDIT_READ, Target::Tenant(ctx.tenant_id))
            .await?;
        filter.tenant_id = Some(ctx.tenant_id);
        self.store().list_audit(&filter, page).await
    }

    /// One entry (404 when it belongs to another tenant).
    pub async fn audit_get(&self, ctx: &OpContext, id: AuditEventId) -> Result<AuditEvent> {
        let all = self.reads_all_audit(ctx).await?;
        if !all {
            self.authorize(ctx, Permission::AUDIT_READ, Target::Tenant(ctx.tenant_id))
                .await?;
        }
        let own = |t: Option<TenantId>| t == Some(ctx.tenant_id);
        self.store()
            .get_audit(id)
            .await?
            .filter(|e| all || own(e.tenant_id))
            .ok_or_else(entry_not_found)
    }
}
