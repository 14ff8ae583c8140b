//! The mirror's groups and memberships: creating, updating and removing groups, and adding
//! or removing one member.

use super::{Effect, Mirror, group_json};
use crate::error::{Error, Result};
use crate::identity::upstream::UpstreamGroup;
use crate::ids::{GroupId, UserId};
use crate::ports::identity_store::IdentityChange;
use crate::tenant::{Group, GroupType};
use serde_json::json;

impl Mirror<'_> {
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
}
