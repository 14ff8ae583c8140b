//! [`crate::ports::classless_store::ClasslessDelegationStore`] for [`SqlStore`].

use async_trait::async_trait;

use super::SqlStore;
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::ClasslessDelegationId;
use crate::ports::classless_store::{ClasslessDelegationStore, DelegationFilter};
use crate::zone::classless::ClasslessDelegation;

#[async_trait]
impl ClasslessDelegationStore for SqlStore {
    async fn insert_classless_delegation(
        &self,
        delegation: &ClasslessDelegation,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, classless::insert(delegation, audit))
    }

    async fn delete_classless_delegation(
        &self,
        id: ClasslessDelegationId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, classless::delete(id, audit))
    }

    async fn list_classless_delegations(
        &self,
        filter: DelegationFilter,
    ) -> Result<Vec<ClasslessDelegation>> {
        dispatch!(self, classless::list(filter))
    }
}
