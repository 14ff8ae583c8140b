//! The mirror's users: linking a provider user to a local one (or refusing the link),
//! updating its row, and its status alone.

use super::{Effect, Mirror};
use crate::error::{Error, Result};
use crate::identity::linking::{LinkRefusal, check_link};
use crate::identity::upstream::{UpstreamUser, is_active_status};
use crate::ids::UserId;
use crate::ports::identity_store::IdentityChange;
use crate::service::identity_sync::Reporter;
use crate::service::tenants::user_json;
use crate::tenant::{User, UserStatus};

impl Mirror<'_> {
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

    pub(super) async fn refused(&mut self, local: &User, subject: &str, refusal: LinkRefusal) {
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

    pub(super) fn put_user(
        &mut self,
        mut row: User,
        before: Option<&User>,
        effect: Option<Effect>,
    ) {
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
}
