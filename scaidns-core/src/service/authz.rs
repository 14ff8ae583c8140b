//! Authorization in the service: resolves the caller's [`Principal`] once per request (its
//! user flags, groups, role assignments and access grants), caches it in the [`OpContext`],
//! and turns [`crate::rbac::authorize`]'s decision into the API's errors: a zone the caller
//! cannot see at all is 404, a visible zone with a missing permission 403.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

use crate::error::{Error, ErrorKind, Result};
use crate::identity::api_key::PermissionSource;
use crate::ids::{RoleId, TenantId, UserId, ZoneId};
use crate::rbac::scopes::scope_set;
use crate::rbac::{
    Decision, Denial, GrantInput, Holdings, PermSet, Permission, Principal, PrincipalInput,
    RoleScope, Subject, Target, authorize,
};
use crate::tenant::{User, UserStatus};
use crate::zone::{Zone, ZoneStatus};

use super::{Actor, OpContext, ScaiDns};

/// The caller's resolved permissions, filled on the first authorization of a request and
/// shared by its clones, together with the user authentication read (so the request reads it
/// once). A context lives for one request, so a role change is seen from the next request on.
#[derive(Clone, Default)]
pub struct AuthzCache {
    resolved: Arc<OnceLock<Arc<Resolved>>>,
    user: Option<Arc<User>>,
}

/// A caller resolved for one request.
struct Resolved {
    principal: Arc<Principal>,
    /// The user and its groups, or a group key's group: whose grants are the caller's own.
    subjects: Vec<Subject>,
    /// When the first of the grants it counted expires: from then on it is resolved again
    /// (a cached key shares its resolution across requests).
    valid_until: Option<DateTime<Utc>>,
}

impl AuthzCache {
    /// A cache that starts with the user authentication found (an API key's user, a token's
    /// user).
    pub fn for_user(user: User) -> Self {
        Self {
            resolved: Arc::default(),
            user: Some(Arc::new(user)),
        }
    }
}

impl AuthzCache {
    /// The user authentication read, if it is `id`.
    pub(crate) fn user(&self, id: crate::ids::UserId) -> Option<&User> {
        self.user.as_deref().filter(|u| u.id == id)
    }
}

impl std::fmt::Debug for AuthzCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.resolved.get().is_some() {
            "AuthzCache(resolved)"
        } else {
            "AuthzCache(empty)"
        })
    }
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
        Denial::BeyondKeyCreator => Error::forbidden(
            "permission_denied",
            format!("the user who created this API key does not hold {p} here"),
        ),
    }
}

fn zone_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "domain_not_found", "Domain not found")
}

impl ScaiDns {
    /// The caller's resolved permissions (cached in the context).
    pub async fn principal(&self, ctx: &OpContext) -> Result<Arc<Principal>> {
        Ok(Arc::clone(&self.resolved(ctx).await?.principal))
    }

    /// Whose role assignments and grants are the caller's own: its user and that user's
    /// groups, or a group key's group (none for ScaiDNS itself).
    pub async fn caller_subjects(&self, ctx: &OpContext) -> Result<Vec<Subject>> {
        Ok(self.resolved(ctx).await?.subjects.clone())
    }

    async fn resolved(&self, ctx: &OpContext) -> Result<Arc<Resolved>> {
        if let Some(r) = ctx.authz.resolved.get() {
            if r.valid_until.is_none_or(|until| ctx.now < until) {
                return Ok(Arc::clone(r));
            }
            // A grant it counted has expired since: this request resolves for itself.
            return Ok(Arc::new(self.resolve_principal(ctx).await?));
        }
        let resolved = Arc::new(self.resolve_principal(ctx).await?);
        // A concurrent resolution of the same context may have won; either result is equal.
        Ok(Arc::clone(ctx.authz.resolved.get_or_init(|| resolved)))
    }

    async fn resolve_principal(&self, ctx: &OpContext) -> Result<Resolved> {
        let mut creator = None;
        let (input, subjects) = match &ctx.actor {
            Actor::System => {
                return Ok(Resolved {
                    principal: Arc::new(Principal::system(ctx.now)),
                    subjects: Vec::new(),
                    valid_until: None,
                });
            }
            Actor::User {
                id,
                is_platform_admin,
                ..
            } => self.user_input(ctx, *id, *is_platform_admin).await?,
            Actor::ApiKey {
                id,
                owner,
                is_platform_admin,
                scopes,
                creator: key_creator,
                ..
            } => {
                creator = *key_creator;
                let (mut input, subjects) = match owner {
                    Some(user) => self.user_input(ctx, *user, *is_platform_admin).await?,
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
                input.key_scopes = scope_set(scopes);
                (input, subjects)
            }
        };
        let mut valid_until = None;
        let (mut principal, zone_tenants) = self
            .principal_of(ctx, input, &subjects, &mut valid_until)
            .await?;
        if let Some(creator) = creator {
            let bound = self
                .creator_principal(ctx, creator, &mut valid_until)
                .await?;
            principal = principal.bounded_by(bound, zone_tenants);
        }
        Ok(Resolved {
            principal: Arc::new(principal),
            subjects,
            valid_until,
        })
    }

    /// `input` completed with the assignments and grants of `subjects`, resolved; with the
    /// tenant of every zone they name.
    async fn principal_of(
        &self,
        ctx: &OpContext,
        mut input: PrincipalInput,
        subjects: &[Subject],
        valid_until: &mut Option<DateTime<Utc>>,
    ) -> Result<(Principal, HashMap<ZoneId, TenantId>)> {
        let held = self.store().subject_grants(subjects).await?;
        for at in held.grants.iter().filter_map(|g| g.expires_at) {
            if at > ctx.now && valid_until.is_none_or(|until| at < until) {
                *valid_until = Some(at);
            }
        }
        // What the caller holds in a suspended tenant (a grant or a role there while it acts
        // from another tenant) counts for nothing until the tenant is resumed.
        // The caller's own tenant was checked by authentication; only others are read.
        let suspended = self
            .suspended_tenants(
                held.assignments
                    .iter()
                    .map(|a| a.tenant_id)
                    .chain(held.grants.iter().map(|g| g.tenant_id))
                    .filter(|t| *t != ctx.tenant_id),
            )
            .await?;
        let mut held = held;
        held.assignments
            .retain(|a| !suspended.contains(&a.tenant_id));
        held.grants.retain(|g| !suspended.contains(&g.tenant_id));
        let roles: HashMap<RoleId, PermSet> =
            held.roles.iter().map(|r| (r.id, r.perm_set())).collect();
        let perms_of = |id: &RoleId| roles.get(id).copied().unwrap_or_default();
        let mut zone_tenants = HashMap::new();
        for a in &held.assignments {
            if let RoleScope::Domain(z) = a.scope {
                zone_tenants.insert(z, a.tenant_id);
            }
        }
        input.assignments = held
            .assignments
            .iter()
            .map(|a| (a.scope, perms_of(&a.role_id)))
            .collect();
        input.grants = held
            .grants
            .into_iter()
            .map(|g| {
                zone_tenants.insert(g.zone_id, g.tenant_id);
                GrantInput {
                    zone: g.zone_id,
                    perms: perms_of(&g.role_id),
                    record_pattern: g.record_pattern,
                    record_types: g.record_types,
                    expires_at: g.expires_at,
                }
            })
            .collect();
        Ok((Principal::resolve(input, ctx.now), zone_tenants))
    }

    /// Which of `tenants` are suspended (each read once; usually none or one).
    async fn suspended_tenants(
        &self,
        tenants: impl Iterator<Item = TenantId>,
    ) -> Result<std::collections::HashSet<TenantId>> {
        let mut suspended = std::collections::HashSet::new();
        let mut seen = std::collections::HashSet::new();
        for id in tenants {
            if seen.insert(id)
                && self
                    .store()
                    .get_tenant(id)
                    .await?
                    .is_some_and(|t| t.is_suspended())
            {
                suspended.insert(id);
            }
        }
        Ok(suspended)
    }

    /// What the creator of a key may do now: nothing once it is deleted or inactive.
    async fn creator_principal(
        &self,
        ctx: &OpContext,
        creator: UserId,
        valid_until: &mut Option<DateTime<Utc>>,
    ) -> Result<Principal> {
        let active = self
            .store()
            .get_user(creator)
            .await?
            .is_some_and(|u| u.status == UserStatus::Active);
        if !active {
            return Ok(Principal::resolve(PrincipalInput::default(), ctx.now));
        }
        let (input, subjects) = self.user_input(ctx, creator, false).await?;
        Ok(self
            .principal_of(ctx, input, &subjects, valid_until)
            .await?
            .0)
    }

    /// Everything `subject` holds (a user: its flags, its own and its groups' assignments and
    /// grants; a group: its assignments and grants), as the no-escalation rule compares it.
    pub(crate) async fn holdings_of(&self, ctx: &OpContext, subject: Subject) -> Result<Holdings> {
        let (flags, subjects) = match subject {
            Subject::User(id) => {
                let (input, subjects) = self.user_input(ctx, id, false).await?;
                ((input.platform_admin, input.tenant_admin_of), subjects)
            }
            Subject::Group(_) => ((false, None), vec![subject]),
        };
        let held = self.store().subject_grants(&subjects).await?;
        Ok(Holdings::of(
            flags.0,
            flags.1,
            &held.assignments,
            &held.grants,
            &held.roles,
            ctx.now,
        ))
    }

    /// Refuses (403 `permission_not_held`) to make `subject` act or hold more unless the
    /// caller already holds everything `subject` holds, at every scope.
    pub(crate) async fn refuse_acting_beyond(
        &self,
        ctx: &OpContext,
        subject: Subject,
    ) -> Result<()> {
        let holdings = self.holdings_of(ctx, subject).await?;
        self.principal(ctx).await?.refuse_escalation(&holdings)
    }

    /// The user and its groups: the subjects whose assignments and grants a user holds.
    async fn user_and_groups(&self, id: crate::ids::UserId) -> Result<Vec<Subject>> {
        let groups = self.store().user_group_ids(id).await?;
        Ok(std::iter::once(Subject::User(id))
            .chain(groups.into_iter().map(Subject::Group))
            .collect())
    }

    /// The user's flags and the subjects (the user and its groups) whose holdings apply.
    async fn user_input(
        &self,
        ctx: &OpContext,
        id: crate::ids::UserId,
        flag_platform_admin: bool,
    ) -> Result<(PrincipalInput, Vec<Subject>)> {
        // Authentication read the user already; a context built elsewhere reads it here.
        let user = match ctx.authz.user(id) {
            Some(user) => Some(user.clone()),
            None => self.store().get_user(id).await?,
        };
        let subjects = self.user_and_groups(id).await?;
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
        permission: Permission,
        target: Target<'_>,
    ) -> Result<bool> {
        Ok(authorize(&*self.principal(ctx).await?, permission, &target).is_allowed())
    }

    /// Refuses with 403 `permission_denied` unless the caller may use `permission` on
    /// `target`.
    pub async fn authorize(
        &self,
        ctx: &OpContext,
        permission: Permission,
        target: Target<'_>,
    ) -> Result<()> {
        match authorize(&*self.principal(ctx).await?, permission, &target) {
            Decision::Allowed => Ok(()),
            Decision::Denied(denial) => Err(denied(permission, denial)),
        }
    }

    /// Loads a zone and authorizes `permission` on it: 404 when the caller cannot see the zone
    /// (or it is soft-deleted and `include_deleted` is false), 403 when it can but lacks the
    /// permission.
    pub async fn authorized_zone(
        &self,
        ctx: &OpContext,
        permission: Permission,
        id: ZoneId,
        include_deleted: bool,
    ) -> Result<Zone> {
        let zone = self.visible_zone(ctx, id, include_deleted).await?;
        self.authorize(ctx, permission, zone_target(&zone)).await?;
        Ok(zone)
    }

    /// [`Self::authorized_zone`] (not deleted) taking the zone from the zone cache
    /// (`zone_cache`), so possibly stale within its bound. For reads that answer nothing of
    /// the zone but its tenant, name, status and generation; and for writes planned in the
    /// zone's writers' turn (`zone_change`, via `writable_zone_for_change`), which may use
    /// only what never changes (its id, tenant, name and type) before the turn and must take
    /// everything else (default TTL, status, generation, settings) from the zone the turn
    /// plans on (the store's, or a cached row under `zone_change`'s rules).
    pub(crate) async fn authorized_zone_cached(
        &self,
        ctx: &OpContext,
        permission: Permission,
        id: ZoneId,
    ) -> Result<Arc<Zone>> {
        let principal = self.principal(ctx).await?;
        let zone = self.cached_zone(id).await?;
        let zone = visible(&principal, zone, false)?;
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
        visible(
            &principal,
            self.store().get_zone(id).await?,
            include_deleted,
        )
    }
}

/// `zone` if the caller may know it exists (and it is not deleted unless `include_deleted`),
/// else 404.
fn visible<Z: std::borrow::Borrow<Zone>>(
    principal: &Principal,
    zone: Option<Z>,
    include_deleted: bool,
) -> Result<Z> {
    zone.filter(|z| {
        let z = z.borrow();
        principal.can_see_zone(z.id, z.tenant_id)
            && (include_deleted || z.status != ZoneStatus::Deleted)
    })
    .ok_or_else(zone_not_found)
}

/// The target of an operation on a zone as a whole.
pub fn zone_target(zone: &Zone) -> Target<'static> {
    Target::Domain {
        zone: zone.id,
        tenant: zone.tenant_id,
    }
}
