//! Storage of the identity cache beyond tenants and users: groups and their members, partners,
//! and the atomic batches that webhooks and `scaidns sync` apply.

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GroupId, TenantId, UserId};
use crate::ports::store::{Page, PageRequest};
use crate::tenant::Group;

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
