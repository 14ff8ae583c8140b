//! The mirror: turns what the identity provider says into changes of the local cache. It reads
//! the stored rows, computes the new ones, and collects them with their audit entries into an
//! [`IdentityBatch`] that the store applies in one transaction. Rows created earlier in the
//! same batch are remembered, so one event may create a tenant and the user that needs it.
//!
//! Every method is idempotent: a row that already says what the provider says produces no
//! change and no audit entry, so a repeated delivery (under a new event id) or a second sync
//! changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::audit::{ActorType, AuditEvent};
use crate::error::{Error, Result};
use crate::identity::upstream::{
    UpstreamGroup, UpstreamPartner, UpstreamTenant, UpstreamUser, is_active_status, slugify,
};
use crate::ids::{AuditEventId, GroupId, PartnerId, TenantId, UserId};
use crate::ports::identity_store::{BatchOutcome, IdentityBatch, IdentityChange, ProcessedEvent};
use crate::tenant::{
    Group, GroupType, Partner, PartnerStatus, Tenant, TenantStatus, User, UserStatus,
};

use crate::identity::linking::{LinkRefusal, check_link};
use crate::service::ScaiDns;
use crate::service::identity_sync::Reporter;
use crate::service::tenants::{tenant_json, user_json};

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

    // ----- partners -----

    async fn stored_partner(&mut self, scaikey_id: &str) -> Result<Option<Partner>> {
        if let Some(p) = self.partners.get(scaikey_id) {
            return Ok(Some(p.clone()));
        }
        let found = self.svc.store.get_partner_by_scaikey_id(scaikey_id).await?;
        if let Some(p) = &found {
            self.partners.insert(scaikey_id.to_owned(), p.clone());
        }
        Ok(found)
    }

    /// Upserts a partner; `status` overrides the upstream one (deletion).
    pub(crate) async fn partner(
        &mut self,
        up: &UpstreamPartner,
        status: Option<PartnerStatus>,
    ) -> Result<PartnerId> {
        let stored = self.stored_partner(&up.id).await?;
        let reference = status.is_none()
            && is_reference(&up.id, &up.name, up.slug.as_deref(), up.status.as_deref());
        if let (Some(p), true) = (&stored, reference) {
            return Ok(p.id);
        }
        let status = status.unwrap_or(if is_active_status(up.status.as_deref()) {
            PartnerStatus::Active
        } else {
            PartnerStatus::Suspended
        });
        let now = self.now();
        let mut row = stored.clone().unwrap_or_else(|| Partner {
            id: PartnerId::new(),
            name: up.name.clone(),
            slug: up.slug.clone(),
            scaikey_partner_id: up.id.clone(),
            status,
            created_at: now,
            updated_at: now,
        });
        if !reference {
            row.name = up.name.clone();
            if up.slug.is_some() {
                row.slug = up.slug.clone();
            }
            row.status = status;
        }
        let effect = match &stored {
            None => Some(Effect::Created),
            Some(old) if *old == row => None,
            Some(_) if status == PartnerStatus::Deleted => Some(Effect::Removed),
            Some(_) => Some(Effect::Updated),
        };
        if let Some(effect) = effect {
            row.updated_at = now;
            let action = match effect {
                Effect::Created => "partner.create",
                Effect::Updated => "partner.update",
                Effect::Removed => "partner.delete",
            };
            let before = stored.as_ref().map(partner_json);
            self.audit(
                None,
                action,
                "partner",
                row.id.to_string(),
                row.name.clone(),
                before,
                Some(partner_json(&row)),
            );
            self.batch
                .changes
                .push(IdentityChange::Partner(row.clone()));
        }
        Self::tally(&mut self.counts.partners, effect);
        self.partners.insert(up.id.clone(), row.clone());
        Ok(row.id)
    }

    // ----- tenants -----

    async fn stored_tenant(
        &mut self,
        scaikey_id: &str,
    ) -> Result<Option<(Tenant, Option<PartnerId>)>> {
        if let Some(t) = self.tenants.get(scaikey_id) {
            return Ok(Some(t.clone()));
        }
        let Some(t) = self.svc.store.get_tenant_by_scaikey_id(scaikey_id).await? else {
            return Ok(None);
        };
        let partner = self.svc.store.tenant_partner_id(t.id).await?;
        self.tenants
            .insert(scaikey_id.to_owned(), (t.clone(), partner));
        Ok(Some((t, partner)))
    }

    /// A slug for a new tenant that no other tenant uses.
    async fn free_slug(&self, wanted: &str, scaikey_id: &str) -> Result<String> {
        let base = slugify(wanted);
        if self.svc.store.get_tenant_by_slug(&base).await?.is_none()
            && !self.tenants.values().any(|(t, _)| t.slug == base)
        {
            return Ok(base);
        }
        // Clashes with a local tenant: suffix the provider id, which is unique.
        let suffix = slugify(scaikey_id);
        let keep = 63usize.saturating_sub(suffix.len() + 1);
        let head: String = base.chars().take(keep).collect();
        Ok(format!("{}-{suffix}", head.trim_end_matches('-')))
    }

    /// Upserts a tenant; `suspend` forces status `suspended` (deletion upstream).
    pub(crate) async fn tenant(&mut self, up: &UpstreamTenant, suspend: bool) -> Result<Tenant> {
        let stored = self.stored_tenant(&up.id).await?;
        let reference = !suspend
            && up.partner.is_none()
            && is_reference(&up.id, &up.name, up.slug.as_deref(), up.status.as_deref());
        if let (Some((t, _)), true) = (&stored, reference) {
            return Ok(t.clone());
        }
        let partner = match &up.partner {
            Some(p) => Some(self.partner(p, None).await?),
            None => stored.as_ref().and_then(|(_, p)| *p),
        };
        let status = if suspend || !is_active_status(up.status.as_deref()) {
            TenantStatus::Suspended
        } else {
            TenantStatus::Active
        };
        let now = self.now();
        let mut row = match &stored {
            Some((t, _)) => t.clone(),
            None => Tenant {
                id: TenantId::new(),
                name: up.name.clone(),
                slug: self
                    .free_slug(up.slug.as_deref().unwrap_or(&up.name), &up.id)
                    .await?,
                scaikey_tenant_id: Some(up.id.clone()),
                status,
                is_platform: false,
                created_at: now,
                updated_at: now,
            },
        };
        if !reference {
            row.name = up.name.clone();
            row.status = status;
        }
        let old_partner = stored.as_ref().and_then(|(_, p)| *p);
        let effect = match &stored {
            None => Some(Effect::Created),
            Some((old, _)) if *old == row && old_partner == partner => None,
            Some(_) if status == TenantStatus::Suspended && suspend => Some(Effect::Removed),
            Some(_) => Some(Effect::Updated),
        };
        if let Some(effect) = effect {
            row.updated_at = now;
            let action = match effect {
                Effect::Created => "tenant.create",
                Effect::Updated => "tenant.update",
                Effect::Removed => "tenant.suspend",
            };
            let before = stored.as_ref().map(|(t, _)| tenant_json(t));
            self.audit(
                Some(row.id),
                action,
                "tenant",
                row.id.to_string(),
                row.slug.clone(),
                before,
                Some(tenant_json(&row)),
            );
            self.batch.changes.push(IdentityChange::Tenant {
                tenant: row.clone(),
                partner_id: partner,
            });
        }
        Self::tally(&mut self.counts.tenants, effect);
        self.tenants.insert(up.id.clone(), (row.clone(), partner));
        Ok(row)
    }

    // ----- users -----

    pub(crate) async fn stored_user(&mut self, scaikey_id: &str) -> Result<Option<User>> {
        if let Some(u) = self.users.get(scaikey_id) {
            return Ok(Some(u.clone()));
        }
        let found = self.svc.store.get_user_by_scaikey_id(scaikey_id).await?;
        if let Some(u) = &found {
            self.users.insert(scaikey_id.to_owned(), u.clone());
        }
        Ok(found)
    }

    /// Upserts a user. The status is `status` when given, else the upstream one, else the
    /// stored one (an update without a status keeps it), else active.
    pub(crate) async fn user(
        &mut self,
        up: &UpstreamUser,
        status: Option<UserStatus>,
    ) -> Result<User> {
        let tenant = match &up.tenant {
            Some(t) => Some(self.tenant(t, false).await?),
            None => None,
        };
        let mut stored = self.stored_user(&up.id).await?;
        let mut linked = false;
        if stored.is_none()
            && let Some(email) = &up.email
            && let Some(local) = self.svc.store.get_user_by_email(email).await?
        {
            // A row made by an admin (or before the provider knew the user): linked only when
            // it cannot belong to somebody else (the rule the token path applies too).
            let tenant_id = tenant.as_ref().map(|t| t.id);
            if let Err(refusal) = check_link(&local, &up.id, tenant_id, up.email_verified) {
                self.refused(&local, &up.id, refusal).await;
                return Err(refusal.error());
            }
            linked = true;
            stored = Some(local);
        }
        let status = status
            .or_else(|| {
                up.status.as_deref().map(|s| {
                    if is_active_status(Some(s)) {
                        UserStatus::Active
                    } else {
                        UserStatus::Inactive
                    }
                })
            })
            .or_else(|| stored.as_ref().map(|u| u.status))
            .unwrap_or(UserStatus::Active);
        let now = self.now();
        let mut row = match &stored {
            Some(u) => u.clone(),
            None => {
                let tenant = tenant
                    .as_ref()
                    .ok_or_else(|| Error::invalid("data.tenant", "a new user needs its tenant"))?;
                let email = up
                    .email
                    .clone()
                    .ok_or_else(|| Error::invalid("data.email", "a new user needs an e-mail"))?;
                User {
                    id: UserId::new(),
                    tenant_id: tenant.id,
                    email,
                    first_name: None,
                    last_name: None,
                    scaikey_user_id: None,
                    status,
                    is_platform_admin: false,
                    is_tenant_admin: false,
                    created_at: now,
                    updated_at: now,
                }
            }
        };
        row.scaikey_user_id = Some(up.id.clone());
        if let Some(t) = &tenant
            && let Some(old) = &stored
            && let Err(refusal) = check_link(old, &up.id, Some(t.id), up.email_verified)
        {
            // The row keeps its tenant (and the roles and keys granted there); the rest of the
            // profile, status included, still follows the provider.
            self.refused(old, &up.id, refusal).await;
        }
        if let Some(email) = &up.email {
            row.email = email.clone();
        }
        if up.first_name.is_some() {
            row.first_name = up.first_name.clone();
        }
        if up.last_name.is_some() {
            row.last_name = up.last_name.clone();
        }
        row.status = status;
        let effect = match &stored {
            None => Some(Effect::Created),
            Some(old) if *old == row && !linked => None,
            Some(old) if old.status == UserStatus::Active && status == UserStatus::Inactive => {
                Some(Effect::Removed)
            }
            Some(_) => Some(Effect::Updated),
        };
        self.put_user(row, stored.as_ref(), effect);
        let row = self.users.get(&up.id).cloned();
        row.ok_or_else(|| Error::internal("user vanished from the mirror"))
    }

    async fn refused(&mut self, local: &User, subject: &str, refusal: LinkRefusal) {
        let by = Reporter {
            actor_type: self.actor.actor_type,
            actor_id: self.actor.actor_id.clone(),
            request_id: self.actor.request_id.clone(),
            ip: None,
            user_agent: None,
            now: self.actor.now,
        };
        self.svc
            .report_link_refusal(local, subject, refusal, &by)
            .await;
        self.counts.conflicts += 1;
    }

    fn put_user(&mut self, mut row: User, before: Option<&User>, effect: Option<Effect>) {
        if let Some(effect) = effect {
            row.updated_at = self.now();
            let action = match effect {
                Effect::Created => "user.create",
                Effect::Updated => "user.update",
                Effect::Removed => "user.deactivate",
            };
            self.audit(
                Some(row.tenant_id),
                action,
                "user",
                row.id.to_string(),
                row.email.clone(),
                before.map(user_json),
                Some(user_json(&row)),
            );
            self.batch.changes.push(IdentityChange::User(row.clone()));
        }
        Self::tally(&mut self.counts.users, effect);
        if let Some(id) = row.scaikey_user_id.clone() {
            self.users.insert(id, row);
        }
    }

    /// Sets the status of a cached user; unknown users are left alone (the provider only
    /// tells ScaiDNS about users assigned to it). Returns whether the user is known.
    pub(crate) async fn user_status(
        &mut self,
        scaikey_id: &str,
        status: UserStatus,
    ) -> Result<bool> {
        let Some(stored) = self.stored_user(scaikey_id).await? else {
            return Ok(false);
        };
        let mut row = stored.clone();
        row.status = status;
        let effect = match (stored.status, status) {
            (a, b) if a == b => None,
            (_, UserStatus::Inactive) => Some(Effect::Removed),
            _ => Some(Effect::Updated),
        };
        self.put_user(row, Some(&stored), effect);
        Ok(true)
    }

    // ----- groups -----

    pub(crate) async fn stored_group(&mut self, scaikey_id: &str) -> Result<Option<Group>> {
        if let Some(g) = self.groups.get(scaikey_id) {
            return Ok(Some(g.clone()));
        }
        let found = self.svc.store.get_group_by_scaikey_id(scaikey_id).await?;
        if let Some(g) = &found {
            self.groups.insert(scaikey_id.to_owned(), g.clone());
        }
        Ok(found)
    }

    /// Upserts a group.
    pub(crate) async fn group(&mut self, up: &UpstreamGroup) -> Result<Group> {
        let stored = self.stored_group(&up.id).await?;
        let tenant = match &up.tenant {
            Some(t) => Some(self.tenant(t, false).await?),
            None => None,
        };
        let group_type = match up.group_type.as_deref() {
            Some(t) => t
                .to_ascii_uppercase()
                .parse()
                .unwrap_or(GroupType::Security),
            None => stored
                .as_ref()
                .map_or(GroupType::Security, |g| g.group_type),
        };
        let now = self.now();
        let mut row = match &stored {
            Some(g) => g.clone(),
            None => Group {
                id: GroupId::new(),
                tenant_id: tenant
                    .as_ref()
                    .map(|t| t.id)
                    .ok_or_else(|| Error::invalid("data.tenant", "a new group needs its tenant"))?,
                name: up.name.clone(),
                description: None,
                group_type,
                scaikey_group_id: Some(up.id.clone()),
                created_at: now,
                updated_at: now,
            },
        };
        row.name = up.name.clone();
        if up.description.is_some() {
            row.description = up.description.clone();
        }
        row.group_type = group_type;
        let effect = match &stored {
            None => Some(Effect::Created),
            Some(old) if *old == row => None,
            Some(_) => Some(Effect::Updated),
        };
        if let Some(effect) = effect {
            row.updated_at = now;
            let action = if matches!(effect, Effect::Created) {
                "group.create"
            } else {
                "group.update"
            };
            let before = stored.as_ref().map(group_json);
            self.audit(
                Some(row.tenant_id),
                action,
                "group",
                row.id.to_string(),
                row.name.clone(),
                before,
                Some(group_json(&row)),
            );
            self.batch.changes.push(IdentityChange::Group(row.clone()));
        }
        Self::tally(&mut self.counts.groups, effect);
        self.groups.insert(up.id.clone(), row.clone());
        Ok(row)
    }

    /// Deletes a group and its memberships (no-op when unknown).
    pub(crate) async fn delete_group(&mut self, scaikey_id: &str) -> Result<()> {
        let Some(group) = self.stored_group(scaikey_id).await? else {
            Self::tally(&mut self.counts.groups, None);
            return Ok(());
        };
        self.remove_group(&group);
        self.groups.remove(scaikey_id);
        Ok(())
    }

    pub(crate) fn remove_group(&mut self, group: &Group) {
        self.audit(
            Some(group.tenant_id),
            "group.delete",
            "group",
            group.id.to_string(),
            group.name.clone(),
            Some(group_json(group)),
            None,
        );
        self.batch
            .changes
            .push(IdentityChange::DeleteGroup(group.id));
        Self::tally(&mut self.counts.groups, Some(Effect::Removed));
    }

    /// Adds or removes a membership; unknown users or groups are skipped (not assigned to
    /// ScaiDNS). `current` is the group's stored member set when the caller has it.
    pub(crate) async fn membership(
        &mut self,
        group: &Group,
        user: UserId,
        add: bool,
        current: Option<&[UserId]>,
    ) -> Result<()> {
        let is_member = match current {
            Some(ids) => ids.contains(&user),
            None => self
                .svc
                .store
                .group_member_ids(group.id)
                .await?
                .contains(&user),
        };
        if is_member == add {
            Self::tally(&mut self.counts.memberships, None);
            return Ok(());
        }
        let (action, change, effect) = if add {
            (
                "group.member_add",
                IdentityChange::AddMember {
                    group: group.id,
                    user,
                },
                Effect::Created,
            )
        } else {
            (
                "group.member_remove",
                IdentityChange::RemoveMember {
                    group: group.id,
                    user,
                },
                Effect::Removed,
            )
        };
        let detail = json!({"group_id": group.id, "user_id": user});
        let (before, after) = if add {
            (None, Some(detail))
        } else {
            (Some(detail), None)
        };
        self.audit(
            Some(group.tenant_id),
            action,
            "group",
            group.id.to_string(),
            group.name.clone(),
            before,
            after,
        );
        self.batch.changes.push(change);
        Self::tally(&mut self.counts.memberships, Some(effect));
        Ok(())
    }

    /// Applies what was collected (with the event id, if any) and starts a new batch.
    pub(crate) async fn flush(&mut self, event: Option<ProcessedEvent>) -> Result<BatchOutcome> {
        let mut batch = std::mem::take(&mut self.batch);
        batch.event = event;
        if batch.event.is_none() && batch.changes.is_empty() && batch.audit.is_empty() {
            return Ok(BatchOutcome::Applied);
        }
        let outcome = self.svc.store.apply_identity_batch(&batch).await;
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
