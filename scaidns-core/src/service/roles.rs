//! Roles, role assignments, effective permissions and the permission check (spec
//! api-identity §6, §9; interface decision 18).
//!
//! Nobody hands on more than they hold: a custom role may contain only permissions its creator
//! holds tenant-wide, and an assignment only a role whose permissions the assigner holds at the
//! assignment's scope. System roles are immutable. Changes are audited as `role.create`,
//! `role.update`, `role.delete`, `role.assign` and `role.revoke`.

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RoleAssignmentId, RoleId, TenantId, ZoneId};
use crate::rbac::{
    Holding, Holdings, PermSet, Permission, Principal, Role, RoleAssignment, RoleScope, Subject,
    Target, authorize,
};
use crate::record::{RecordName, RecordType};

use super::authn::caller_user;
use super::authz::zone_target;
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

/// Where an assignment should apply, as the API names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeInput {
    /// `platform`, `tenant` or `domain`.
    pub scope: String,
    /// Tenant or zone id (none for platform).
    pub scope_id: Option<String>,
}

/// What one principal may do: per scope, and through grants.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectivePermissions {
    /// Held everywhere.
    pub platform: Vec<String>,
    /// Held in the user's own tenant (platform ones included).
    pub tenant: Vec<String>,
    /// Assignments and their expanded permissions.
    pub assignments: Vec<(RoleAssignment, Vec<String>)>,
}

/// Outcome of [`ScaiDns::permission_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionCheck {
    /// Whether the caller holds the permission there.
    pub allowed: bool,
    /// Why not.
    pub reason: Option<String>,
}

fn role_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "role_not_found", "Role not found")
}

fn user_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "user_not_found", "User not found")
}

fn group_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "group_not_found", "Group not found")
}

fn assignment_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "assignment_not_found",
        "Role assignment not found",
    )
}

fn role_json(r: &Role) -> serde_json::Value {
    json!({
        "id": r.id, "tenant_id": r.tenant_id, "name": r.name, "description": r.description,
        "is_system": r.is_system, "permissions": r.permissions,
    })
}

fn assignment_json(a: &RoleAssignment) -> serde_json::Value {
    json!({
        "id": a.id, "role_id": a.role_id, "role_name": a.role_name,
        "principal_type": a.subject.kind(), "principal_id": a.subject.id_string(),
        "scope": a.scope.kind(), "scope_id": a.scope.id_string(), "tenant_id": a.tenant_id,
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

/// 403 naming what the caller would hand on without holding it (tenant-wide custom roles; the
/// general rule is [`crate::rbac::escalation`]).
fn refuse_escalation(held: PermSet, wanted: PermSet) -> Result<()> {
    let missing = wanted.minus(held);
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::forbidden(
        "permission_not_held",
        format!(
            "you cannot hand on permissions you do not hold here: {}",
            missing.names().join(", ")
        ),
    ))
}

impl ScaiDns {
    /// The permission catalogue (any authenticated caller).
    pub fn permission_list(&self, _ctx: &OpContext) -> Vec<Permission> {
        Permission::all().collect()
    }

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
        let held = self
            .principal(ctx)
            .await?
            .role_perms(&Target::Tenant(ctx.tenant_id));
        refuse_escalation(held, set)?;
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
            let held =
                principal.role_perms(&Target::Tenant(before.tenant_id.unwrap_or(ctx.tenant_id)));
            refuse_escalation(held, set)?;
            // The new permissions apply wherever the role is held: the caller must hold them at
            // each of those scopes too (one placed outside the tenant before that was refused).
            for a in self.store().role_holders(before.id).await? {
                let target = match a.scope {
                    RoleScope::Platform => Target::Platform,
                    RoleScope::Tenant(t) => Target::Tenant(t),
                    RoleScope::Domain(z) => Target::Domain {
                        zone: z,
                        tenant: a.tenant_id,
                    },
                };
                refuse_escalation(principal.role_perms(&target), set)?;
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
        self.store().delete_role(before.id, &[audit]).await
    }

    /// The tenant a subject belongs to, if the caller may see it (404 otherwise).
    async fn subject_tenant(&self, ctx: &OpContext, subject: Subject) -> Result<TenantId> {
        let everywhere = self
            .principal(ctx)
            .await?
            .covers_all_tenants(Permission::ROLES_READ);
        let visible = |t: TenantId| t == ctx.tenant_id || everywhere;
        match subject {
            Subject::User(id) => self
                .store()
                .get_user(id)
                .await?
                .map(|u| u.tenant_id)
                .filter(|t| visible(*t))
                .ok_or_else(user_not_found),
            Subject::Group(id) => self
                .store()
                .get_group(id)
                .await?
                .map(|g| g.tenant_id)
                .filter(|t| visible(*t))
                .ok_or_else(group_not_found),
        }
    }

    /// A subject's role assignments (`roles:read` in its tenant).
    pub async fn role_assignment_list(
        &self,
        ctx: &OpContext,
        subject: Subject,
    ) -> Result<Vec<RoleAssignment>> {
        let tenant = self.subject_tenant(ctx, subject).await?;
        self.authorize(ctx, Permission::ROLES_READ, Target::Tenant(tenant))
            .await?;
        self.store().list_role_assignments(subject).await
    }

    /// Assigns the role `role_name` (a system role or one of the tenant's) to a subject at a
    /// scope. Needs `roles:assign` at that scope and every permission of the role there.
    /// 409 `role_already_assigned` for a duplicate.
    pub async fn role_assign(
        &self,
        ctx: &OpContext,
        subject: Subject,
        role_name: &str,
        scope: ScopeInput,
    ) -> Result<RoleAssignment> {
        let subject_tenant = self.subject_tenant(ctx, subject).await?;
        let (scope, target_tenant) = self.parse_scope(ctx, &scope).await?;
        let target = match scope {
            RoleScope::Platform => Target::Platform,
            RoleScope::Tenant(t) => Target::Tenant(t),
            RoleScope::Domain(z) => Target::Domain {
                zone: z,
                tenant: target_tenant,
            },
        };
        self.authorize(ctx, Permission::ROLES_ASSIGN, target)
            .await?;
        let role = self
            .store()
            .find_role(subject_tenant, role_name.trim())
            .await?
            .ok_or_else(|| Error::invalid("role_name", format!("no role named '{role_name}'")))?;
        let scope_tenant = (!matches!(scope, RoleScope::Platform)).then_some(target_tenant);
        if !role.may_be_held_in(scope_tenant) {
            return Err(Error::invalid(
                "role_name",
                format!(
                    "{} is a custom role of the holder's tenant: it can be assigned only within that tenant",
                    role.name
                ),
            ));
        }
        if matches!(scope, RoleScope::Domain(_))
            && !crate::rbac::roles::assignable_on_a_zone(&role.name)
        {
            return Err(Error::invalid(
                "role_name",
                format!("{} cannot be assigned on one domain", role.name),
            ));
        }
        self.principal(ctx)
            .await?
            .refuse_escalation(&Holdings(vec![Holding::Role {
                scope,
                tenant: target_tenant,
                perms: role.perm_set(),
            }]))?;
        let assignment = RoleAssignment {
            id: RoleAssignmentId::new(),
            role_id: role.id,
            role_name: role.name.clone(),
            subject,
            scope,
            tenant_id: if matches!(scope, RoleScope::Platform) {
                subject_tenant
            } else {
                target_tenant
            },
            created_by: caller_user(ctx),
            created_at: ctx.now,
        };
        let audit = ctx.audit(
            assignment.tenant_id,
            "role.assign",
            "role_assignment",
            assignment.id,
            Some(format!("{} {}", role.name, subject.id_string())),
            None,
            Some(assignment_json(&assignment)),
        );
        self.store()
            .insert_role_assignment(&assignment, &[audit])
            .await?;
        Ok(assignment)
    }

    /// Revokes one of a subject's assignments (`roles:assign` at its scope).
    pub async fn role_revoke(
        &self,
        ctx: &OpContext,
        subject: Subject,
        id: RoleAssignmentId,
    ) -> Result<()> {
        self.subject_tenant(ctx, subject).await?;
        let assignment = self
            .store()
            .get_role_assignment(id)
            .await?
            .filter(|a| a.subject == subject)
            .ok_or_else(assignment_not_found)?;
        let target = match assignment.scope {
            RoleScope::Platform => Target::Platform,
            RoleScope::Tenant(t) => Target::Tenant(t),
            RoleScope::Domain(z) => Target::Domain {
                zone: z,
                tenant: assignment.tenant_id,
            },
        };
        self.authorize(ctx, Permission::ROLES_ASSIGN, target)
            .await?;
        let audit = ctx.audit(
            assignment.tenant_id,
            "role.revoke",
            "role_assignment",
            assignment.id,
            Some(format!("{} {}", assignment.role_name, subject.id_string())),
            Some(assignment_json(&assignment)),
            None,
        );
        self.store()
            .delete_role_assignment(assignment.id, &[audit])
            .await
    }

    /// Parses a scope and returns it with its tenant (404 for a zone the caller cannot see).
    async fn parse_scope(
        &self,
        ctx: &OpContext,
        input: &ScopeInput,
    ) -> Result<(RoleScope, TenantId)> {
        let id = input
            .scope_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        match (input.scope.as_str(), id) {
            ("platform", None) => Ok((RoleScope::Platform, ctx.tenant_id)),
            ("platform", Some(_)) => Err(Error::invalid(
                "scope_id",
                "platform scope takes no scope_id",
            )),
            ("tenant", Some(raw)) => {
                let t: TenantId = raw
                    .parse()
                    .map_err(|_| Error::invalid("scope_id", "not a valid tenant id"))?;
                Ok((RoleScope::Tenant(t), t))
            }
            ("domain", Some(raw)) => {
                let z: ZoneId = raw
                    .parse()
                    .map_err(|_| Error::invalid("scope_id", "not a valid domain id"))?;
                let zone = self.visible_zone(ctx, z, false).await?;
                Ok((RoleScope::Domain(zone.id), zone.tenant_id))
            }
            ("tenant" | "domain", None) => Err(Error::invalid(
                "scope_id",
                "tenant and domain scopes need a scope_id",
            )),
            (other, _) => Err(Error::invalid(
                "scope",
                format!("'{other}' is not one of: platform, tenant, domain"),
            )),
        }
    }

    /// A user's effective permissions (`roles:read` in the user's tenant, or the user itself).
    pub async fn user_permissions(
        &self,
        ctx: &OpContext,
        user: crate::ids::UserId,
    ) -> Result<EffectivePermissions> {
        let tenant = self.subject_tenant(ctx, Subject::User(user)).await?;
        if caller_user(ctx) != Some(user) {
            self.authorize(ctx, Permission::ROLES_READ, Target::Tenant(tenant))
                .await?;
        }
        let stored = self
            .store()
            .get_user(user)
            .await?
            .ok_or_else(user_not_found)?;
        let as_user = OpContext {
            actor: super::Actor::User {
                id: stored.id,
                email: stored.email.clone(),
                is_platform_admin: stored.is_platform_admin,
            },
            tenant_id: tenant,
            request_id: None,
            ip: None,
            user_agent: None,
            now: ctx.now,
            authz: Default::default(),
        };
        let principal: std::sync::Arc<Principal> = self.principal(&as_user).await?;
        let mut assignments = Vec::new();
        let mut subjects = vec![Subject::User(user)];
        subjects.extend(
            self.store()
                .user_group_ids(user)
                .await?
                .into_iter()
                .map(Subject::Group),
        );
        let held = self.store().subject_grants(&subjects).await?;
        for a in held.assignments {
            let perms = held
                .roles
                .iter()
                .find(|r| r.id == a.role_id)
                .map(|r| r.perm_set().names())
                .unwrap_or_default();
            assignments.push((a, perms));
        }
        Ok(EffectivePermissions {
            platform: principal.role_perms(&Target::Platform).names(),
            tenant: principal.role_perms(&Target::Tenant(tenant)).names(),
            assignments,
        })
    }

    /// Whether the caller holds `permission` in its tenant, on a domain, or on one record of it.
    pub async fn permission_check(
        &self,
        ctx: &OpContext,
        permission: &str,
        domain_id: Option<ZoneId>,
        record_name: Option<&str>,
        record_type: Option<&str>,
    ) -> Result<PermissionCheck> {
        let p = Permission::parse(permission.trim())
            .map_err(|e| Error::invalid("permission", e.message().to_owned()))?;
        let rtype: Option<RecordType> = record_type
            .map(|t| t.trim().to_ascii_uppercase().parse())
            .transpose()
            .map_err(|e: Error| Error::invalid("record_type", e.message().to_owned()))?;
        let principal = self.principal(ctx).await?;
        let no = |reason: &str| PermissionCheck {
            allowed: false,
            reason: Some(reason.to_owned()),
        };
        let Some(domain_id) = domain_id else {
            if record_name.is_some() || rtype.is_some() {
                return Err(Error::invalid(
                    "domain_id",
                    "record_name and record_type need a domain_id",
                ));
            }
            let decision = authorize(&principal, p, &Target::Tenant(ctx.tenant_id));
            return Ok(if decision.is_allowed() {
                PermissionCheck {
                    allowed: true,
                    reason: None,
                }
            } else {
                no(&format!("{p} is not held in this tenant"))
            });
        };
        let Ok(zone) = self.visible_zone(ctx, domain_id, false).await else {
            return Ok(no("domain not found"));
        };
        let decision = match (record_name, rtype) {
            (Some(name), Some(rtype)) => {
                let relative = RecordName::parse(name, &zone.name)
                    .map_err(|e| Error::invalid("record_name", e.message().to_owned()))?
                    .relative_to(&zone.name);
                authorize(
                    &principal,
                    p,
                    &super::records::record_target(&zone, &relative, rtype),
                )
            }
            (None, None) => authorize(&principal, p, &zone_target(&zone)),
            _ => {
                return Err(Error::invalid(
                    "record_type",
                    "record_name and record_type go together",
                ));
            }
        };
        Ok(match decision {
            crate::rbac::Decision::Allowed => PermissionCheck {
                allowed: true,
                reason: None,
            },
            crate::rbac::Decision::Denied(crate::rbac::Denial::OutsideKeyScopes) => {
                no(&format!("{p} is outside this API key's scopes"))
            }
            crate::rbac::Decision::Denied(crate::rbac::Denial::NotGranted) => {
                no(&format!("{p} is not granted on this domain or record"))
            }
            crate::rbac::Decision::Denied(crate::rbac::Denial::BeyondKeyCreator) => no(&format!(
                "the user who created this API key does not hold {p} here"
            )),
        })
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
