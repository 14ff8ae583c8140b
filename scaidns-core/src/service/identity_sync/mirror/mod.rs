//! The mirror: turns what the identity provider says into changes of the local cache. It reads
//! the stored rows, computes the new ones, and collects them with their audit entries into an
//! [`IdentityBatch`] that the store applies in one transaction. Rows created earlier in the
//! same batch are remembered, so one event may create a tenant and the user that needs it.
//!
//! Every method is idempotent: a row that already says what the provider says produces no
//! change and no audit entry, so a repeated delivery (under a new event id) or a second sync
//! changes nothing.
//!
//! The batch, the counts and the audit entries are here; the rows of each kind are computed in
//! `orgs` (partners, tenants), `users` and `groups` (groups and memberships).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::audit::{ActorType, AuditEvent};
use crate::error::Result;
use crate::ids::{AuditEventId, PartnerId, TenantId};
use crate::ports::identity_store::{BatchOutcome, IdentityBatch, ProcessedEvent};
use crate::tenant::{Group, Partner, Tenant, User};

use crate::service::ScaiDns;

mod groups;
mod orgs;
mod users;

/// Created, updated, removed and unchanged rows of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// New rows.
    pub created: u64,
    /// Changed rows.
    pub updated: u64,
    /// Rows deleted, deactivated or suspended.
    pub removed: u64,
    /// Rows that already matched.
    pub unchanged: u64,
}

impl Tally {
    /// Whether nothing was seen at all.
    pub fn is_empty(&self) -> bool {
        self.created + self.updated + self.removed + self.unchanged == 0
    }
}

/// Counts per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncCounts {
    /// Partners.
    pub partners: Tally,
    /// Tenants.
    pub tenants: Tally,
    /// Users.
    pub users: Tally,
    /// Groups.
    pub groups: Tally,
    /// Group memberships.
    pub memberships: Tally,
    /// Provider users not bound to a local row, or not moved to another tenant (each reported
    /// in the audit log of the local user's tenant).
    pub conflicts: u64,
}

#[derive(Clone, Copy)]
enum Effect {
    Created,
    Updated,
    Removed,
}

/// Who the audit entries name.
#[derive(Debug, Clone)]
pub(crate) struct MirrorActor {
    pub actor_type: ActorType,
    pub actor_id: Option<String>,
    pub request_id: Option<String>,
    pub now: DateTime<Utc>,
}

pub(crate) struct Mirror<'a> {
    svc: &'a ScaiDns,
    actor: MirrorActor,
    batch: IdentityBatch,
    partners: HashMap<String, Partner>,
    tenants: HashMap<String, (Tenant, Option<PartnerId>)>,
    users: HashMap<String, User>,
    groups: HashMap<String, Group>,
    pub counts: SyncCounts,
}

/// A tenant or partner known only by id: ensure it exists, never overwrite it.
fn is_reference(id: &str, name: &str, slug: Option<&str>, status: Option<&str>) -> bool {
    name == id && slug.is_none() && status.is_none()
}

impl<'a> Mirror<'a> {
    pub(crate) fn new(svc: &'a ScaiDns, actor: MirrorActor) -> Self {
        Self {
            svc,
            actor,
            batch: IdentityBatch::default(),
            partners: HashMap::new(),
            tenants: HashMap::new(),
            users: HashMap::new(),
            groups: HashMap::new(),
            counts: SyncCounts::default(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.actor.now
    }

    #[allow(clippy::too_many_arguments)]
    fn audit(
        &mut self,
        tenant: Option<TenantId>,
        action: &str,
        resource_type: &str,
        id: String,
        name: String,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        self.batch.audit.push(AuditEvent {
            id: AuditEventId::new(),
            tenant_id: tenant,
            actor_type: self.actor.actor_type,
            actor_id: self.actor.actor_id.clone(),
            actor_email: None,
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id: Some(id),
            resource_name: Some(name),
            before,
            after,
            ip_address: None,
            user_agent: None,
            request_id: self.actor.request_id.clone(),
            created_at: self.actor.now,
        });
    }

    fn tally(tally: &mut Tally, effect: Option<Effect>) {
        match effect {
            Some(Effect::Created) => tally.created += 1,
            Some(Effect::Updated) => tally.updated += 1,
            Some(Effect::Removed) => tally.removed += 1,
            None => tally.unchanged += 1,
        }
    }

    /// Applies what was collected (with the event id, if any) and starts a new batch.
    pub(crate) async fn flush(&mut self, event: Option<ProcessedEvent>) -> Result<BatchOutcome> {
        let mut batch = std::mem::take(&mut self.batch);
        batch.event = event;
        if batch.event.is_none() && batch.changes.is_empty() && batch.audit.is_empty() {
            return Ok(BatchOutcome::Applied);
        }
        let outcome = self.svc.store.apply_identity_batch(&batch).await;
        // Users, tenants or memberships may have changed, even when the batch failed part-way.
        self.svc.auth_changed();
        if !matches!(outcome, Ok(BatchOutcome::Applied)) {
            // The rows remembered from this batch were not written.
            self.partners.clear();
            self.tenants.clear();
            self.users.clear();
            self.groups.clear();
        }
        outcome
    }
}

pub(crate) fn partner_json(p: &Partner) -> Value {
    json!({
        "id": p.id, "name": p.name, "slug": p.slug, "scaikey_partner_id": p.scaikey_partner_id,
        "status": p.status,
    })
}

pub(crate) fn group_json(g: &Group) -> Value {
    json!({
        "id": g.id, "tenant_id": g.tenant_id, "name": g.name, "description": g.description,
        "group_type": g.group_type, "scaikey_group_id": g.scaikey_group_id,
    })
}
