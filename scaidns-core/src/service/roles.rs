//! Roles: the catalogue of system roles and each tenant's custom roles (spec api-identity §6;
//! interface decision 18).
//!
//! Nobody hands on more than they hold: a custom role may contain only permissions its creator
//! holds tenant-wide, and changing one re-checks that at every scope where it is held. System
//! roles are immutable. Changes are audited as `role.create`, `role.update` and `role.delete`.
//! Who holds a role is [`super::role_assignments`]; what that adds up to is
//! [`super::permissions`].

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RoleId, TenantId};
use crate::rbac::{Holding, Holdings, PermSet, Permission, Role, RoleScope, Target};

use super::text_input::optional_text;
use super::{OpContext, ScaiDns};

/// Input of [`ScaiDns::role_create`].
#[derive(Debug, Clone, Default)]
pub struct RoleCreate {
    /// Lowercase `a-z`, `0-9`, `_` and `-`, 1..=64, not a system role's name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Permission strings (wildcards allowed).
    pub permissions: Vec<String>,
}

/// Input of [`ScaiDns::role_update`]; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct RoleUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New permission strings.
    pub permissions: Option<Vec<String>>,
}

fn role_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "role_not_found", "Role not found")
}

fn role_json(r: &Role) -> serde_json::Value {
    json!({
        "id": r.id, "tenant_id": r.tenant_id, "name": r.name, "description": r.description,
        "is_system": r.is_system, "permissions": r.permissions,
    })
}

fn validate_name(name: &str) -> Result<String> {
    let n = name.trim();
    let ok = (1..=64).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(n.to_owned())
    } else {
        Err(Error::invalid(
            "name",
            "a role name is 1 to 64 characters of a-z, 0-9, '_' and '-'",
        ))
    }
}

/// Checks each permission string; keeps them as given (deduplicated).
fn validate_permissions(perms: &[String]) -> Result<(Vec<String>, PermSet)> {
    if perms.is_empty() {
        return Err(Error::invalid(
            "permissions",
            "a role needs at least one permission",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    let mut set = PermSet::EMPTY;
    for (i, p) in perms.iter().enumerate() {
        let p = p.trim();
        set = set
            .union(PermSet::parse_one(p).map_err(|e| {
                Error::invalid(format!("permissions[{i}]"), e.message().to_owned())
            })?);
        if !out.iter().any(|o| o == p) {
            out.push(p.to_owned());
        }
    }
    Ok((out, set))
}

/// The no-escalation rule for a custom role's permissions held at `scope` (the general rule,
/// [`crate::rbac::escalation`], applied to one role holding).
fn role_holding(scope: RoleScope, tenant: TenantId, perms: PermSet) -> Holdings {
    Holdings(vec![Holding::Role {
        scope,
        tenant,
        perms,
    }])
}

impl ScaiDns {
    /// System roles and the caller's tenant's custom roles (`roles:read` in the tenant).
    pub async fn role_list(&self, ctx: &OpContext) -> Result<Vec<Role>> {
        self.authorize(ctx, Permission::ROLES_READ, Target::Tenant(ctx.tenant_id))
            .await?;
        self.store().list_roles(Some(ctx.tenant_id)).await
    }

    /// One role: a system role, or a custom role of the caller's tenant (404 otherwise).
    pub async fn role_get(&self, ctx: &OpContext, id: RoleId) -> Result<Role> {
        self.authorize(ctx, Permission::ROLES_READ, Target::Tenant(ctx.tenant_id))
            .await?;
        self.visible_role(ctx, id).await
    }

    async fn visible_role(&self, ctx: &OpContext, id: RoleId) -> Result<Role> {
        let everywhere = self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::ROLES_READ);
        self.store()
            .get_role(id)
            .await?
            .filter(|r| match r.tenant_id {
                None => true,
                Some(t) => t == ctx.tenant_id || everywhere,
            })
            .ok_or_else(role_not_found)
    }

    /// Creates a custom role in the caller's tenant. 403 `permission_not_held` when it would
    /// contain a permission the caller does not hold tenant-wide; 409 `role_exists`.
    pub async fn role_create(&self, ctx: &OpContext, input: RoleCreate) -> Result<Role> {
        self.authorize(ctx, Permission::ROLES_CREATE, Target::Tenant(ctx.tenant_id))
            .await?;
        let name = validate_name(&input.name)?;
        let description = optional_text("description", input.description.as_deref(), 1000)?;
        let (permissions, set) = validate_permissions(&input.permissions)?;
        self.principal(ctx).await?.refuse_escalation(&role_holding(
            RoleScope::Tenant(ctx.tenant_id),
            ctx.tenant_id,
            set,
        ))?;
        let role = Role {
            id: RoleId::new(),
            tenant_id: Some(ctx.tenant_id),
            name,
            description,
            is_system: false,
            permissions,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let audit = ctx.audit(
            role.tenant_id,
            "role.create",
            "role",
            role.id,
            Some(role.name.clone()),
            None,
            Some(role_json(&role)),
        );
        self.store().insert_role(&role, &[audit]).await?;
        Ok(role)
    }

    /// Changes a custom role (403 `system_role` for system roles); the subset rule is
    /// checked again.
    pub async fn role_update(
        &self,
        ctx: &OpContext,
        id: RoleId,
        input: RoleUpdate,
    ) -> Result<Role> {
        self.authorize(ctx, Permission::ROLES_UPDATE, Target::Tenant(ctx.tenant_id))
            .await?;
        let before = self.visible_role(ctx, id).await?;
        refuse_system(&before)?;
        let mut role = before.clone();
        if let Some(name) = input.name {
            role.name = validate_name(&name)?;
        }
        if let Some(description) = input.description {
            role.description = optional_text("description", description.as_deref(), 1000)?;
        }
        if let Some(permissions) = input.permissions {
            let (permissions, set) = validate_permissions(&permissions)?;
            let principal = self.principal(ctx).await?;
            let tenant = before.tenant_id.unwrap_or(ctx.tenant_id);
            principal.refuse_escalation(&role_holding(RoleScope::Tenant(tenant), tenant, set))?;
            // The new permissions apply wherever the role is held: the caller must hold them at
            // each of those scopes too (one placed outside the tenant before that was refused).
            for a in self.store().role_holders(before.id).await? {
                principal.refuse_escalation(&role_holding(a.scope, a.tenant_id, set))?;
            }
            role.permissions = permissions;
        }
        if role == before {
            return Ok(role);
        }
        role.updated_at = ctx.now;
        let audit = ctx.audit(
            role.tenant_id,
            "role.update",
            "role",
            role.id,
            Some(role.name.clone()),
            Some(role_json(&before)),
            Some(role_json(&role)),
        );
        self.store().update_role(&role, &[audit]).await?;
        self.auth_changed();
        Ok(role)
    }

    /// Deletes a custom role (403 `system_role`; 409 `role_in_use` while held).
    pub async fn role_delete(&self, ctx: &OpContext, id: RoleId) -> Result<()> {
        self.authorize(ctx, Permission::ROLES_DELETE, Target::Tenant(ctx.tenant_id))
            .await?;
        let before = self.visible_role(ctx, id).await?;
        refuse_system(&before)?;
        let audit = ctx.audit(
            before.tenant_id,
            "role.delete",
            "role",
            before.id,
            Some(before.name.clone()),
            Some(role_json(&before)),
            None,
        );
        self.store().delete_role(before.id, &[audit]).await?;
        self.auth_changed();
        Ok(())
    }
}

fn refuse_system(role: &Role) -> Result<()> {
    if role.is_system {
        Err(Error::forbidden(
            "system_role",
            "system roles cannot be changed or deleted",
        ))
    } else {
        Ok(())
    }
}
