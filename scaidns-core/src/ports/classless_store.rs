//! Storage of RFC 2317 classless delegations ([`crate::zone::classless`]).

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{ClasslessDelegationId, TenantId, ZoneId};
use crate::zone::classless::ClasslessDelegation;

/// Which delegations to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct DelegationFilter {
    /// Those of this parent zone.
    pub parent_zone_id: Option<ZoneId>,
    /// Those lent to this tenant.
    pub tenant_id: Option<TenantId>,
}

/// Classless delegations.
#[async_trait]
pub trait ClasslessDelegationStore: Send + Sync {
    /// Inserts a delegation with its audit entries; 409 `delegation_overlap` when the parent
    /// already lends that very range.
    async fn insert_classless_delegation(
        &self,
        delegation: &ClasslessDelegation,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// Deletes a delegation with its audit entries (404 `delegation_not_found` when missing).
    /// An activation that read the delegation (the claim check of
    /// [`crate::ports::store::ZoneStore::write_zone`]) has committed before this returns.
    async fn delete_classless_delegation(
        &self,
        id: ClasslessDelegationId,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// The delegations matching `filter`, oldest first. A purged parent's go with it
    /// ([`crate::ports::store`]'s `purge_zone`).
    async fn list_classless_delegations(
        &self,
        filter: DelegationFilter,
    ) -> Result<Vec<ClasslessDelegation>>;
}
