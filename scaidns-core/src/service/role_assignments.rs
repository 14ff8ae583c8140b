//! Role assignments of users and groups (spec api-identity §6.3–6.4, §9): who holds which
//! role at which scope. An assignment may only hand on a role whose permissions the assigner
//! holds at the assignment's scope. Audited as `role.assign` and `role.revoke`.
//!
//! The API addresses users and groups separately (`/users/{id}/roles`, `/groups/{id}/roles`);
//! so do the public methods, one per operation, over one private implementation per subject.

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GroupId, RoleAssignmentId, TenantId, UserId, ZoneId};
use crate::rbac::{Holding, Holdings, Permission, RoleAssignment, RoleScope, Subject, Target};

use super::authn::caller_user;
use super::{OpContext, ScaiDns};

/// Where an assignment should apply, as the API names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeInput {
    /// `platform`, `tenant` or `domain`.
    pub scope: String,
    /// Tenant or zone id (none for platform).
    pub scope_id: Option<String>,
}

pub(super) fn user_not_found() -> Error {
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
fn assignment_json(a: &RoleAssignment) -> serde_json::Value {
    json!({
        "id": a.id, "role_id": a.role_id, "role_name": a.role_name,
        "principal_type": a.subject.kind(), "principal_id": a.subject.id_string(),
        "scope": a.scope.kind(), "scope_id": a.scope.id_string(), "tenant_id": a.tenant_id,
    })
}

impl ScaiDns {
    /// A user's role assignments (`roles:read` in the user's tenant).
    pub async fn user_role_list(
        &self,
        ctx: &OpContext,
        user: UserId,
    ) -> Result<Vec<RoleAssignment>> {
        self.role_assignment_list(ctx, Subject::User(user)).await
    }

    /// A group's role assignments (`roles:read` in the group's tenant).
    pub async fn group_role_list(
        &self,
        ctx: &OpContext,
        group: GroupId,
    ) -> Result<Vec<RoleAssignment>> {
        self.role_assignment_list(ctx, Subject::Group(group)).await
    }

    /// Assigns the role `role_name` to a user at a scope. Needs `roles:assign` there
    /// and every permission of the role; 409 `role_already_assigned` for a duplicate.
    pub async fn user_role_assign(
        &self,
        ctx: &OpContext,
        user: UserId,
        role_name: &str,
        scope: ScopeInput,
    ) -> Result<RoleAssignment> {
        self.role_assign(ctx, Subject::User(user), role_name, scope)
            .await
    }

    /// Assigns the role `role_name` to a group at a scope. Needs `roles:assign` there
    /// and every permission of the role; 409 `role_already_assigned` for a duplicate.
    pub async fn group_role_assign(
        &self,
        ctx: &OpContext,
        group: GroupId,
        role_name: &str,
        scope: ScopeInput,
    ) -> Result<RoleAssignment> {
        self.role_assign(ctx, Subject::Group(group), role_name, scope)
            .await
    }

    /// Revokes one of a user's assignments.
    pub async fn user_role_revoke(
        &self,
        ctx: &OpContext,
        user: UserId,
        id: RoleAssignmentId,
    ) -> Result<()> {
        self.role_revoke(ctx, Subject::User(user), id).await
    }

    /// Revokes one of a group's assignments.
    pub async fn group_role_revoke(
        &self,
        ctx: &OpContext,
        group: GroupId,
        id: RoleAssignmentId,
    ) -> Result<()> {
        self.role_revoke(ctx, Subject::Group(group), id).await
    }

    /// The tenant a subject belongs to, if the caller may see it (404 otherwise).
    pub(super) async fn subject_tenant(
        &self,
        ctx: &OpContext,
        subject: Subject,
    ) -> Result<TenantId> {
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
    pub(crate) async fn role_assignment_list(
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
    pub(crate) async fn role_assign(
        &self,
        ctx: &OpContext,
        subject: Subject,
        role_name: &str,
        scope: ScopeInput,
    ) -> Result<RoleAssignment> {
        let subject_tenant = self.subject_tenant(ctx, subject).await?;
        let (scope, target_tenant) = self.parse_scope(ctx, &scope).await?;
        self.authorize(ctx, Permission::ROLES_ASSIGN, scope.target(target_tenant))
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
        self.auth_changed();
        Ok(assignment)
    }

    /// Revokes one of a subject's assignments (`roles:assign` at its scope).
    pub(crate) async fn role_revoke(
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
        self.authorize(
            ctx,
            Permission::ROLES_ASSIGN,
            assignment.scope.target(assignment.tenant_id),
        )
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
            .await?;
        self.auth_changed();
        Ok(())
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
}
