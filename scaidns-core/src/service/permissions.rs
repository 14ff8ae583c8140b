//! Effective permissions and the permission check (spec api-identity §3.4, §9): what the
//! roles, groups and grants of a principal add up to, for `/users/{id}/permissions` and
//! `/permissions/check`.

use crate::error::{Error, Result};
use crate::ids::{UserId, ZoneId};
use crate::rbac::{Permission, Principal, RoleAssignment, Subject, Target, authorize};
use crate::record::{RecordName, RecordType};

use super::authn::caller_user;
use super::authz::zone_target;
use super::role_assignments::user_not_found;
use super::{OpContext, ScaiDns};

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
impl ScaiDns {
    /// The permission catalogue (any authenticated caller).
    pub fn permission_list(&self, _ctx: &OpContext) -> Vec<Permission> {
        Permission::all().collect()
    }
    /// A user's effective permissions (`roles:read` in the user's tenant, or the user itself).
    pub async fn user_permission_list(
        &self,
        ctx: &OpContext,
        user: UserId,
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
            plan: None,
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
