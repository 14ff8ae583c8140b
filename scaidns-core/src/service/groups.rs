//! Groups of a tenant (spec api-identity §10.2): read by tenant admins and platform admins,
//! and kept locally when ScaiDNS is its own identity source. Groups mirrored from the identity
//! provider (`scaikey_group_id` set) change only upstream — ScaiDNS has no write access to the
//! provider's directory — so editing them here is 409 `group_managed_upstream`.

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GroupId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::rbac::{Permission, Subject, Target};
use crate::tenant::{Group, GroupType};

use super::identity_sync::group_json;
use super::text_input::{optional_text, required_text};
use super::{OpContext, ScaiDns};

/// Input of [`ScaiDns::group_create`].
#[derive(Debug, Clone, Default)]
pub struct GroupCreate {
    /// Name, unique in the tenant (1..=191 characters).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `SECURITY` (default) or `DISTRIBUTION_LIST`.
    pub group_type: Option<String>,
    /// Owning tenant; defaults to the caller's.
    pub tenant_id: Option<TenantId>,
}

/// Input of [`ScaiDns::group_update`]; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description (empty clears it).
    pub description: Option<String>,
    /// New type.
    pub group_type: Option<String>,
}

fn group_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "group_not_found", "Group not found")
}

fn managed_upstream() -> Error {
    Error::conflict(
        "group_managed_upstream",
        "this group is mirrored from the identity provider; change it there",
    )
}

fn parse_type(value: Option<&str>) -> Result<GroupType> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(GroupType::Security),
        Some(v) => v
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| Error::invalid("group_type", "must be SECURITY or DISTRIBUTION_LIST")),
    }
}

impl ScaiDns {
    /// A group the caller may see with `permission`, or 404 (groups of other tenants are
    /// invisible).
    async fn authorized_group(
        &self,
        ctx: &OpContext,
        permission: Permission,
        id: GroupId,
    ) -> Result<Group> {
        let group = self
            .store
            .get_group(id)
            .await?
            .filter(|g| ctx.can_access_tenant(g.tenant_id))
            .ok_or_else(group_not_found)?;
        self.authorize(ctx, permission, Target::Tenant(group.tenant_id))
            .await?;
        Ok(group)
    }

    /// Groups of a tenant (default: the caller's), by name; `groups:read` there.
    pub async fn group_list(
        &self,
        ctx: &OpContext,
        tenant_id: Option<TenantId>,
        page: super::queries::PageQuery,
    ) -> Result<Page<Group>> {
        let page = PageRequest::from(page);
        let tenant = tenant_id.unwrap_or(ctx.tenant_id);
        self.authorize(ctx, Permission::GROUPS_READ, Target::Tenant(tenant))
            .await?;
        self.store.list_groups(Some(tenant), page).await
    }

    /// One group; `groups:read` in its tenant.
    pub async fn group_get(&self, ctx: &OpContext, id: GroupId) -> Result<Group> {
        self.authorized_group(ctx, Permission::GROUPS_READ, id)
            .await
    }

    /// Creates a local group; `groups:create` in its tenant. 409 `group_exists`.
    pub async fn group_create(&self, ctx: &OpContext, input: GroupCreate) -> Result<Group> {
        let tenant_id = input.tenant_id.unwrap_or(ctx.tenant_id);
        self.authorize(ctx, Permission::GROUPS_CREATE, Target::Tenant(tenant_id))
            .await?;
        if self.store.get_tenant(tenant_id).await?.is_none() {
            return Err(Error::invalid("tenant_id", "no such tenant"));
        }
        let group = Group {
            id: GroupId::new(),
            tenant_id,
            name: required_text("name", &input.name, 191)?,
            description: optional_text("description", input.description.as_deref(), 1000)?,
            group_type: parse_type(input.group_type.as_deref())?,
            scaikey_group_id: None,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let audit = ctx.audit(
            tenant_id,
            "group.create",
            "group",
            group.id,
            Some(group.name.clone()),
            None,
            Some(group_json(&group)),
        );
        self.store.insert_group(&group, &[audit]).await?;
        Ok(group)
    }

    /// Changes a local group; `groups:update`.
    pub async fn group_update(
        &self,
        ctx: &OpContext,
        id: GroupId,
        input: GroupUpdate,
    ) -> Result<Group> {
        let before = self
            .authorized_group(ctx, Permission::GROUPS_UPDATE, id)
            .await?;
        if before.scaikey_group_id.is_some() {
            return Err(managed_upstream());
        }
        let mut group = before.clone();
        if let Some(name) = &input.name {
            group.name = required_text("name", name, 191)?;
        }
        if let Some(description) = &input.description {
            group.description = optional_text("description", Some(description), 1000)?;
        }
        if input.group_type.is_some() {
            group.group_type = parse_type(input.group_type.as_deref())?;
        }
        if group == before {
            return Ok(group);
        }
        group.updated_at = ctx.now;
        let audit = ctx.audit(
            group.tenant_id,
            "group.update",
            "group",
            group.id,
            Some(group.name.clone()),
            Some(group_json(&before)),
            Some(group_json(&group)),
        );
        self.store.update_group(&group, &[audit]).await?;
        self.auth_changed();
        Ok(group)
    }

    /// Deletes a local group and its memberships; `groups:delete`.
    pub async fn group_delete(&self, ctx: &OpContext, id: GroupId) -> Result<()> {
        let group = self
            .authorized_group(ctx, Permission::GROUPS_DELETE, id)
            .await?;
        if group.scaikey_group_id.is_some() {
            return Err(managed_upstream());
        }
        let audit = ctx.audit(
            group.tenant_id,
            "group.delete",
            "group",
            group.id,
            Some(group.name.clone()),
            Some(group_json(&group)),
            None,
        );
        self.store.delete_group(group.id, &[audit]).await?;
        self.auth_changed();
        Ok(())
    }

    /// Adds a user to a local group; `groups:update`. The user must belong to the group's
    /// tenant (422 otherwise). Idempotent.
    pub async fn group_member_add(
        &self,
        ctx: &OpContext,
        id: GroupId,
        user_id: UserId,
    ) -> Result<()> {
        self.group_member_set(ctx, id, user_id, true).await
    }

    /// Removes a user from a local group; `groups:update`. Idempotent.
    pub async fn group_member_remove(
        &self,
        ctx: &OpContext,
        id: GroupId,
        user_id: UserId,
    ) -> Result<()> {
        self.group_member_set(ctx, id, user_id, false).await
    }

    /// Member ids of a group; `groups:read`.
    pub async fn group_member_list(&self, ctx: &OpContext, id: GroupId) -> Result<Vec<UserId>> {
        let group = self
            .authorized_group(ctx, Permission::GROUPS_READ, id)
            .await?;
        self.store.group_member_ids(group.id).await
    }

    /// Adds (`add`) or removes a member of a local group; `groups:update`. The user must
    /// belong to the group's tenant (422 otherwise). Idempotent.
    pub(crate) async fn group_member_set(
        &self,
        ctx: &OpContext,
        id: GroupId,
        user_id: UserId,
        add: bool,
    ) -> Result<()> {
        let group = self
            .authorized_group(ctx, Permission::GROUPS_UPDATE, id)
            .await?;
        if group.scaikey_group_id.is_some() {
            return Err(managed_upstream());
        }
        let user = self.store.get_user(user_id).await?;
        if add && user.as_ref().is_none_or(|u| u.tenant_id != group.tenant_id) {
            return Err(Error::invalid(
                "user_id",
                "no such user in the group's tenant",
            ));
        }
        if add {
            // The new member gets everything the group holds.
            self.refuse_acting_beyond(ctx, Subject::Group(group.id))
                .await?;
        }
        let detail = serde_json::json!({"group_id": group.id, "user_id": user_id});
        let (action, before, after) = if add {
            ("group.member_add", None, Some(detail))
        } else {
            ("group.member_remove", Some(detail), None)
        };
        let audit = ctx.audit(
            group.tenant_id,
            action,
            "group",
            group.id,
            Some(group.name.clone()),
            before,
            after,
        );
        if add {
            self.store
                .add_group_member(group.id, user_id, &[audit])
                .await?;
        } else {
            self.store
                .remove_group_member(group.id, user_id, &[audit])
                .await?;
        }
        self.auth_changed();
        Ok(())
    }
}
