//! Authorization in the service: resolves the caller's [`Principal`] once per request (its
//! user flags, groups, role assignments and access grants), caches it in the [`OpContext`],
//! and turns [`crate::rbac::authorize`]'s decision into the API's errors: a zone the caller
//! cannot see at all is 404, a visible zone with a missing permission 403.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::error::{Error, ErrorKind, Result};
use crate::identity::api_key::PermissionSource;
use crate::ids::{RoleId, ZoneId};
use crate::rbac::{
    Decision, Denial, GrantInput, PermSet, Permission, Principal, PrincipalInput, Subject, Target,
    authorize,
};
use crate::zone::{Zone, ZoneStatus};

use super::{Actor, OpContext, ScaiDns};

/// The caller's resolved permissions, filled on the first authorization of a request and
/// shared by its clones. A context lives for one request, so a role change is seen from the
/// next request on.
#[derive(Clone, Default)]
pub struct AuthzCache(Arc<OnceLock<Arc<Principal>>>);

impl std::fmt::Debug for AuthzCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "AuthzCache(resolved)"
        } else {
            "AuthzCache(empty)"
        })
    }
}

/// A permission string the code uses; unknown ones are a bug, not a caller's mistake.
pub(crate) fn perm(name: &str) -> Result<Permission> {
    Permission::parse(name)
        .map_err(|_| Error::internal(format!("unknown permission '{name}' in the service")))
}

fn denied(p: Permission, denial: Denial) -> Error {
    match denial {
        Denial::NotGranted => Error::forbidden(
            "permission_denied",
            format!("you do not have the {p} permission here"),
        ),
        Denial::OutsideKeyScopes => Error::forbidden(
            "permission_denied",
            format!("this API key is not allowed to use {p}"),
        ),
    }
}

fn zone_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "domain_not_found", "Domain not found")
}

impl ScaiDns {
    /// The caller's resolved permissions (cached in the context).
    pub async fn principal(&self, ctx: &OpContext) -> Result<Arc<Principal>> {
        if let Some(p) = ctx.authz.0.get() {
            return Ok(Arc::clone(p));
        }
        let resolved = Arc::new(self.resolve_principal(ctx).await?);
        // A concurrent resolution of the same context may have won; either result is equal.
        Ok(Arc::clone(ctx.authz.0.get_or_init(|| resolved)))
    }

    async fn resolve_principal(&self, ctx: &OpContext) -> Result<Principal> {
        let (mut input, subjects) = match &ctx.actor {
            Actor::System => return Ok(Principal::system(ctx.now)),
            Actor::User {
                id,
                is_platform_admin,
                ..
            } => self.user_input(*id, *is_platform_admin).await?,
            Actor::ApiKey {
                id,
                owner,
                is_platform_admin,
                scopes,
                ..
            } => {
                let (mut input, subjects) = match owner {
                    Some(user) => self.user_input(*user, *is_platform_admin).await?,
                    None => {
                        // A group key: its permissions are the group's assignments and grants.
                        let key = self.store().get_api_key(*id).await?;
                        let group = key
                            .filter(|k| k.permission_source == PermissionSource::Group)
                            .and_then(|k| k.permission_source_id.parse().ok());
                        let subjects = group.map(Subject::Group).into_iter().collect();
                        (PrincipalInput::default(), subjects)
                    }
                };
                input.key_scopes =
                    (!scopes.is_empty()).then(|| PermSet::parse_lenient(scopes.as_slice()));
                (input, subjects)
            }
        };
        let held = self.store().subject_grants(&subjects).await?;
        let roles: HashMap<RoleId, PermSet> =
            held.roles.iter().map(|r| (r.id, r.perm_set())).collect();
        let perms_of = |id: &RoleId| roles.get(id).copied().unwrap_or_default();
        input.assignments = held
            .assignments
            .iter()
            .map(|a| (a.scope, perms_of(&a.role_id)))
            .collect();
        input.grants = held
            .grants
            .into_iter()
            .map(|g| GrantInput {
                zone: g.zone_id,
                perms: perms_of(&g.role_id),
                record_pattern: g.record_pattern,
                record_types: g.record_types,
                expires_at: g.expires_at,
            })
            .collect();
        Ok(Principal::resolve(input, ctx.now))
    }

    /// The user's flags and the subjects (the user and its groups) whose holdings apply.
    async fn user_input(
        &self,
        id: crate::ids::UserId,
        flag_platform_admin: bool,
    ) -> Result<(PrincipalInput, Vec<Subject>)> {
        let user = self.store().get_user(id).await?;
        let mut subjects = vec![Subject::User(id)];
        subjects.extend(
            self.store()
                .user_group_ids(id)
                .await?
                .into_iter()
                .map(Subject::Group),
        );
        let input = PrincipalInput {
            platform_admin: flag_platform_admin
                || user.as_ref().is_some_and(|u| u.is_platform_admin),
            tenant_admin_of: user.filter(|u| u.is_tenant_admin).map(|u| u.tenant_id),
            ..PrincipalInput::default()
        };
        Ok((input, subjects))
    }

    /// Whether the caller may use `permission` on `target`.
    pub async fn is_allowed(
        &self,
        ctx: &OpContext,
        permission: &str,
        target: Target<'_>,
    ) -> Result<bool> {
        let p = perm(permission)?;
        Ok(authorize(&*self.principal(ctx).await?, p, &target).is_allowed())
    }

    /// Refuses with 403 `permission_denied` unless the caller may use `permission` on
    /// `target`.
    pub async fn authorize(
        &self,
        ctx: &OpContext,
        permission: &str,
        target: Target<'_>,
    ) -> Result<()> {
        let p = perm(permission)?;
        match authorize(&*self.principal(ctx).await?, p, &target) {
            Decision::Allowed => Ok(()),
            Decision::Denied(denial) => Err(denied(p, denial)),
        }
    }

    /// Loads a zone and authorizes `permission` on it: 404 when the caller cannot see the zone
    /// (or it is soft-deleted and `include_deleted` is false), 403 when it can but lacks the
    /// permission.
    pub async fn authorized_zone(
        &self,
        ctx: &OpContext,
        permission: &str,
        id: ZoneId,
        include_deleted: bool,
    ) -> Result<Zone> {
        let zone = self.visible_zone(ctx, id, include_deleted).await?;
        self.authorize(ctx, permission, zone_target(&zone)).await?;
        Ok(zone)
    }

    /// A zone the caller may know exists (some zone permission reaches it), or 404.
    pub(crate) async fn zone_if_visible(
        &self,
        ctx: &OpContext,
        id: ZoneId,
        include_deleted: bool,
    ) -> Result<Zone> {
        let principal = self.principal(ctx).await?;
        self.store()
            .get_zone(id)
            .await?
            .filter(|z| principal.can_see_zone(z.id, z.tenant_id))
            .filter(|z| include_deleted || z.status != ZoneStatus::Deleted)
            .ok_or_else(zone_not_found)
    }
}

/// The target of an operation on a zone as a whole.
pub fn zone_target(zone: &Zone) -> Target<'static> {
    Target::Domain {
        zone: zone.id,
        tenant: zone.tenant_id,
    }
}
