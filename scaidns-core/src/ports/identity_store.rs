//! Storage of the identity cache beyond tenants and users: groups and their members, partners,
//! and the atomic batches that webhooks and `scaidns sync` apply.

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GroupId, PartnerId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::tenant::{Group, Partner, Tenant, User};

/// Groups and memberships.
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Inserts a group with its audit entries. 409 `group_exists` when the tenant already has a
    /// group of that name, or the identity-provider id is taken.
    async fn insert_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()>;
    /// Updates a group with its audit entries (404 when missing).
    async fn update_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()>;
    /// Deletes a group and its memberships with the audit entries (404 when missing).
    async fn delete_group(&self, id: GroupId, audit: &[AuditEvent]) -> Result<()>;
    /// One group.
    async fn get_group(&self, id: GroupId) -> Result<Option<Group>>;
    /// By identity-provider id.
    async fn get_group_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Group>>;
    /// A page of groups ordered by name; `tenant_id: None` lists all.
    async fn list_groups(
        &self,
        tenant_id: Option<TenantId>,
        page: PageRequest,
    ) -> Result<Page<Group>>;
    /// Adds `user` to `group`; the audit entries are written only when the membership is new.
    /// Returns whether it was. 404 when the group is missing.
    async fn add_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool>;
    /// Removes `user` from `group`; the audit entries are written only when there was such a
    /// membership. Returns whether there was.
    async fn remove_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool>;
    /// Members of a group, ordered by id.
    async fn group_member_ids(&self, group: GroupId) -> Result<Vec<UserId>>;
    /// Groups a user belongs to, ordered by id (for group role assignments and group grants).
    async fn user_group_ids(&self, user: UserId) -> Result<Vec<GroupId>>;
}

/// A webhook delivery recorded as processed (interface decision 20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedEvent {
    /// The provider's event id.
    pub event_id: String,
    /// Its type, for operators reading the table.
    pub event_type: String,
    /// When it was processed.
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// One change to the identity cache. Rows are written whole: the service computes them from
/// what is stored, so the adapter only inserts or replaces by id.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityChange {
    /// Insert or replace a partner.
    Partner(Partner),
    /// Insert or replace a tenant, and set its partner.
    Tenant {
        /// The row.
        tenant: Tenant,
        /// Its partner (the `tenants.partner_id` column).
        partner_id: Option<PartnerId>,
    },
    /// Insert or replace a user.
    User(User),
    /// Insert or replace a group.
    Group(Group),
    /// Delete a group and its memberships (no-op when missing).
    DeleteGroup(GroupId),
    /// Add a membership (no-op when present).
    AddMember {
        /// Group.
        group: GroupId,
        /// User.
        user: UserId,
    },
    /// Remove a membership (no-op when absent).
    RemoveMember {
        /// Group.
        group: GroupId,
        /// User.
        user: UserId,
    },
}

/// Everything one webhook event (or one step of a sync) changes, applied in one transaction
/// with its audit entries and, for a webhook, the event id — so a crash never half-applies an
/// event and a replay finds the id already recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdentityBatch {
    /// The delivery to record; `None` for sync.
    pub event: Option<ProcessedEvent>,
    /// The changes, applied in order.
    pub changes: Vec<IdentityChange>,
    /// Audit entries.
    pub audit: Vec<AuditEvent>,
}

/// What [`IdentityBatchStore::apply_identity_batch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Everything was written.
    Applied,
    /// The event id was already recorded: nothing was written.
    Duplicate,
}

/// Partners, tenant partners and atomic identity batches.
#[async_trait]
pub trait IdentityBatchStore: Send + Sync {
    /// Applies a batch in one transaction. With an event, its id is inserted first; when it is
    /// already there the transaction is rolled back and the answer is
    /// [`BatchOutcome::Duplicate`].
    async fn apply_identity_batch(&self, batch: &IdentityBatch) -> Result<BatchOutcome>;
    /// Whether a webhook event id was processed.
    async fn webhook_event_seen(&self, event_id: &str) -> Result<bool>;
    /// A partner by identity-provider id.
    async fn get_partner_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Partner>>;
    /// Every partner, by name.
    async fn list_partners(&self) -> Result<Vec<Partner>>;
    /// The partner of a tenant.
    async fn tenant_partner_id(&self, tenant: TenantId) -> Result<Option<PartnerId>>;
}
