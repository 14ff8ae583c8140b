//! The identity-cache traits of [`crate::ports::identity_store`] for [`SqlStore`].

use async_trait::async_trait;

use super::identity_cache_rows::GroupKey;
use super::{Pools, SqlStore, mysql, sqlite};
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{GroupId, PartnerId, TenantId, UserId};
use crate::ports::identity_store::{BatchOutcome, GroupStore, IdentityBatch, IdentityBatchStore};
use crate::ports::store::{Page, PageRequest};
use crate::tenant::{Group, Partner};

/// Calls `groups::function(pool, args…)` on the engine's copy of the query code.
macro_rules! dispatch {
    ($store:expr, $function:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.pool {
            Pools::MySql(pool) => mysql::groups::$function(pool, $($arg),*).await,
            Pools::Sqlite(pool) => sqlite::groups::$function(pool, $($arg),*).await,
        }
    };
}

#[async_trait]
impl GroupStore for SqlStore {
    async fn insert_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, insert_group(group, audit))
    }

    async fn update_group(&self, group: &Group, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, update_group(group, audit))
    }

    async fn delete_group(&self, id: GroupId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, delete_group(id, audit))
    }

    async fn get_group(&self, id: GroupId) -> Result<Option<Group>> {
        dispatch!(self, get_group_by(GroupKey::Id, &id.to_string()))
    }

    async fn get_group_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Group>> {
        dispatch!(self, get_group_by(GroupKey::ScaikeyId, scaikey_id))
    }

    async fn list_groups(
        &self,
        tenant_id: Option<TenantId>,
        page: PageRequest,
    ) -> Result<Page<Group>> {
        dispatch!(self, list_groups(tenant_id, page))
    }

    async fn add_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool> {
        dispatch!(self, add_member(group, user, audit))
    }

    async fn remove_group_member(
        &self,
        group: GroupId,
        user: UserId,
        audit: &[AuditEvent],
    ) -> Result<bool> {
        dispatch!(self, remove_member(group, user, audit))
    }

    async fn group_member_ids(&self, group: GroupId) -> Result<Vec<UserId>> {
        dispatch!(self, member_ids(group))
    }

    async fn user_group_ids(&self, user: UserId) -> Result<Vec<GroupId>> {
        dispatch!(self, user_group_ids(user))
    }
}

/// Calls `identity_batch::function(pool, args…)` on the engine's copy of the query code.
macro_rules! dispatch_batch {
    ($store:expr, $function:ident ( $($arg:expr),* $(,)? )) => {
        match &$store.pool {
            Pools::MySql(pool) => mysql::identity_batch::$function(pool, $($arg),*).await,
            Pools::Sqlite(pool) => sqlite::identity_batch::$function(pool, $($arg),*).await,
        }
    };
}

#[async_trait]
impl IdentityBatchStore for SqlStore {
    async fn apply_identity_batch(&self, batch: &IdentityBatch) -> Result<BatchOutcome> {
        dispatch_batch!(self, apply(batch))
    }

    async fn webhook_event_seen(&self, event_id: &str) -> Result<bool> {
        dispatch_batch!(self, event_seen(event_id))
    }

    async fn get_partner_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Partner>> {
        dispatch_batch!(self, partner_by_scaikey_id(scaikey_id))
    }

    async fn list_partners(&self) -> Result<Vec<Partner>> {
        dispatch_batch!(self, list_partners())
    }

    async fn tenant_partner_id(&self, tenant: TenantId) -> Result<Option<PartnerId>> {
        dispatch_batch!(self, tenant_partner_id(tenant))
    }
}
