//! The identity-cache traits of [`crate::ports::identity_store`] for [`SqlStore`].

use async_trait::async_trait;

use super::SqlStore;
use super::identity_cache_rows::GroupKey;
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GroupId, PartnerId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::ports::identity_store::{BatchOutcome, GroupStore, IdentityBatch, IdentityBatchStore};
use crate::tenant::{Group, Partner};

#[async_trait]
impl GroupStore for SqlStore {
    async fn insert_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, groups::insert_group(group, audit))
    }

    async fn update_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, groups::update_group(group, audit))
    }

    async fn delete_group(&self, id: GroupId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, groups::delete_group(id, audit))
    }

    async fn get_group(&self, id: GroupId) -> Result<Option<Group>> {
        dispatch!(self, groups::get_group_by(GroupKey::Id, &id.to_string()))
    }

    async fn get_group_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Group>> {
        dispatch!(self, groups::get_group_by(GroupKey::ScaikeyId, scaikey_id))
    }

    async fn list_groups(
        &self,
        tenant_id: Option<TenantId>,
        page: PageRequest,
    ) -> Result<Page<Group>> {
        dispatch!(self, groups::list_groups(tenant_id, page))
    }

    async fn add_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool> {
        dispatch!(self, groups::add_member(group, user, audit))
    }

    async fn remove_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool> {
        dispatch!(self, groups::remove_member(group, user, audit))
    }

    async fn group_member_ids(&self, group: GroupId) -> Result<Vec<UserId>> {
        dispatch!(self, groups::member_ids(group))
    }

    async fn user_group_ids(&self, user: UserId) -> Result<Vec<GroupId>> {
        dispatch!(self, groups::user_group_ids(user))
    }
}

#[async_trait]
impl IdentityBatchStore for SqlStore {
    async fn apply_identity_batch(&self, batch: &IdentityBatch) -> Result<BatchOutcome> {
        dispatch!(self, identity_batch::apply(batch))
    }

    async fn webhook_event_seen(&self, event_id: &str) -> Result<bool> {
        dispatch!(self, identity_batch::event_seen(event_id))
    }

    async fn get_partner_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Partner>> {
        dispatch!(self, identity_batch::partner_by_scaikey_id(scaikey_id))
    }

    async fn list_partners(&self) -> Result<Vec<Partner>> {
        dispatch!(self, identity_batch::list_partners())
    }

    async fn tenant_partner_id(&self, tenant: TenantId) -> Result<Option<PartnerId>> {
        dispatch!(self, identity_batch::tenant_partner_id(tenant))
    }
}
