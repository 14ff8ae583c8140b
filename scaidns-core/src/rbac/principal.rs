//! A caller's resolved permissions ([`Principal`]): built once per request from its role
//! assignments, groups, grants and API-key scopes ([`PrincipalInput`]), then asked many times.
//! An API key acting as someone else also carries its creator's permissions
//! (`CreatorBound`, see [`super::key_bound`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::assignments::RoleScope;
use super::pattern::RecordPattern;
use super::permission::{PermSet, Permission};
use super::target::Target;
use super::zone_grants::{RecordGrant, ZoneGrants, type_bits};
use crate::ids::{TenantId, ZoneId};
use crate::record::RecordType;

/// One access grant, as input to [`Principal::resolve`].
#[derive(Debug, Clone)]
pub struct GrantInput {
    /// The zone.
    pub zone: ZoneId,
    /// The granted role's permissions.
    pub perms: PermSet,
    /// Stored pattern text.
    pub record_pattern: Option<String>,
    /// Types (empty = all).
    pub record_types: Vec<RecordType>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Everything known about a caller, as input to [`Principal::resolve`].
#[derive(Debug, Clone, Default)]
pub struct PrincipalInput {
    /// The user flag `is_platform_admin` (the `platform_admin` role at platform scope).
    pub platform_admin: bool,
    /// The user flag `is_tenant_admin`, for the user's own tenant.
    pub tenant_admin_of: Option<TenantId>,
    /// Role assignments of the user and its groups: scope and the role's permissions.
    pub assignments: Vec<(RoleScope, PermSet)>,
    /// Access grants of the user and its groups (expired ones included: the decision compares
    /// with `now`).
    pub grants: Vec<GrantInput>,
    /// An API key's scopes: `None` for no narrowing; `Some` narrows even when empty (a key
    /// whose scopes are all unknown strings may do nothing).
    pub key_scopes: Option<PermSet>,
}

/// A caller's resolved permissions.
#[derive(Debug, Clone)]
pub struct Principal {
    pub(super) system: bool,
    pub(super) platform: PermSet,
    pub(super) tenants: HashMap<TenantId, PermSet>,
    pub(super) domains: HashMap<ZoneId, PermSet>,
    pub(super) grants: HashMap<ZoneId, ZoneGrants>,
    pub(super) key_scopes: Option<PermSet>,
    pub(super) now: DateTime<Utc>,
    /// An API key acting as someone other than its creator: the creator's current permissions.
    pub(super) bound: Option<Box<CreatorBound>>,
}

/// Permissions that concern zones: holding any of them on a zone makes it visible (a request
/// for something else on it is then 403 rather than 404).
fn zone_mask() -> PermSet {
    PermSet::DOMAINS
        .union(PermSet::RECORDS)
        .union(PermSet::DNSSEC)
        .union(PermSet::ACCESS_GRANTS)
}

impl Principal {
    /// ScaiDNS itself (worker, operator CLI): allowed everything.
    pub fn system(now: DateTime<Utc>) -> Self {
        Self {
            system: true,
            platform: PermSet::all(),
            tenants: HashMap::new(),
            domains: HashMap::new(),
            grants: HashMap::new(),
            key_scopes: None,
            now,
            bound: None,
        }
    }

    /// Builds the lookup tables; `now` is the request's time from the service clock.
    pub fn resolve(input: PrincipalInput, now: DateTime<Utc>) -> Self {
        let tenant_admin = super::roles::system_role(super::roles::TENANT_ADMIN)
            .map(|r| r.perm_set())
            .unwrap_or_default();
        let mut platform = if input.platform_admin {
            PermSet::all()
        } else {
            PermSet::EMPTY
        };
        let mut tenants: HashMap<TenantId, PermSet> = HashMap::new();
        let mut domains: HashMap<ZoneId, PermSet> = HashMap::new();
        if let Some(t) = input.tenant_admin_of {
            tenants.insert(t, tenant_admin);
        }
        for (scope, perms) in input.assignments {
            match scope {
                RoleScope::Platform => platform = platform.union(perms),
                RoleScope::Tenant(t) => {
                    let e = tenants.entry(t).or_default();
                    *e = e.union(perms);
                }
                RoleScope::Domain(z) => {
                    let e = domains.entry(z).or_default();
                    *e = e.union(perms);
                }
            }
        }
        let mut grants: HashMap<ZoneId, ZoneGrants> = HashMap::new();
        for g in input.grants {
            let (pattern, broken_pattern) = match g.record_pattern.as_deref() {
                None => (None, false),
                Some(text) => match RecordPattern::parse(text) {
                    Ok(p) => (Some(p), false),
                    Err(_) => (None, true),
                },
            };
            grants.entry(g.zone).or_default().push(RecordGrant {
                perms: g.perms,
                pattern,
                broken_pattern,
                types: type_bits(&g.record_types),
                expires_at: g.expires_at,
            });
        }
        Self {
            system: false,
            platform,
            tenants,
            domains,
            grants,
            key_scopes: input.key_scopes,
            now,
            bound: None,
        }
    }

    /// Whether this is ScaiDNS itself.
    pub fn is_system(&self) -> bool {
        self.system
    }

    /// The request time grants are compared with.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Permissions that roles (not grants) give at `target`'s scope, before key narrowing:
    /// what a caller may hand on through custom roles, assignments and grants.
    pub fn role_perms(&self, target: &Target<'_>) -> PermSet {
        let tenant = |t: &TenantId| self.tenants.get(t).copied().unwrap_or_default();
        let scoped = match target {
            Target::Platform => self.platform,
            Target::Tenant(t) => self.platform.union(tenant(t)),
            Target::Domain { zone, tenant: t }
            | Target::Record {
                zone, tenant: t, ..
            }
            | Target::Subtree {
                zone, tenant: t, ..
            } => self
                .platform
                .union(tenant(t))
                .union(self.domains.get(zone).copied().unwrap_or_default()),
        };
        let scoped = match self.key_scopes {
            Some(scopes) => scoped.intersect(scopes),
            None => scoped,
        };
        match &self.bound {
            Some(bound) => scoped.intersect(bound.creator.role_perms(target)),
            None => scoped,
        }
    }

    pub(super) fn live_grants(&self, zone: ZoneId) -> impl Iterator<Item = &RecordGrant> {
        self.grants
            .get(&zone)
            .into_iter()
            .flat_map(|z| z.all.iter())
            .filter(|g| g.live(self.now))
    }

    /// Whether the caller may know that a zone exists: some zone permission reaches it through
    /// a role, or a live grant on it has one.
    pub fn can_see_zone(&self, zone: ZoneId, tenant: TenantId) -> bool {
        if let Some(bound) = &self.bound
            && !bound.creator.can_see_zone(zone, tenant)
        {
            return false;
        }
        let mask = zone_mask();
        !self
            .role_perms(&Target::Domain { zone, tenant })
            .intersect(mask)
            .is_empty()
            || self
                .live_grants(zone)
                .any(|g| !g.zone_perms().intersect(mask).is_empty())
    }

    /// Whether `perm` holds on the whole zone through roles alone, so no record filtering is
    /// needed.
    pub fn covers_whole_zone(&self, perm: Permission, zone: ZoneId, tenant: TenantId) -> bool {
        self.role_perms(&Target::Domain { zone, tenant })
            .contains(perm)
    }

    /// Whether `perm` holds everywhere (a platform-scope role).
    pub fn covers_all_tenants(&self, perm: Permission) -> bool {
        self.role_perms(&Target::Platform).contains(perm)
    }

    /// Whether `perm` reaches every zone of `tenant` (platform or tenant roles).
    pub fn covers_tenant(&self, perm: Permission, tenant: TenantId) -> bool {
        self.role_perms(&Target::Tenant(tenant)).contains(perm)
    }

    /// Zones where `perm` holds through a domain-scope role or a live grant (for lists of
    /// callers without a tenant-wide role).
    pub fn zones_with(&self, perm: Permission) -> Vec<ZoneId> {
        if self.key_scopes.is_some_and(|s| !s.contains(perm)) {
            return Vec::new();
        }
        let mut zones: Vec<ZoneId> = self
            .domains
            .iter()
            .filter(|(_, p)| p.contains(perm))
            .map(|(z, _)| *z)
            .chain(
                self.grants
                    .keys()
                    .filter(|z| self.live_grants(**z).any(|g| g.zone_perms().contains(perm)))
                    .copied(),
            )
            .collect();
        zones.sort_unstable();
        zones.dedup();
        if let Some(bound) = &self.bound {
            zones.retain(|z| bound.reaches_zone(perm, *z));
        }
        zones
    }

    /// The API key's scopes, if the caller is a key that has some.
    pub(super) fn key_scopes(&self) -> Option<PermSet> {
        self.key_scopes
    }

    /// Whether `perm` is denied only by an API key's scopes.
    pub(super) fn outside_key_scopes(&self, perm: Permission) -> bool {
        self.key_scopes.is_some_and(|s| !s.contains(perm))
    }
}

/// A key creator's current permissions, bounding the key's (see [`super::key_bound`]).
#[derive(Debug, Clone)]
pub(super) struct CreatorBound {
    pub(super) creator: Principal,
    /// The tenant of each zone the key's own assignments and grants name, so a zone the key
    /// reaches zone by zone can be checked against the creator's tenant-wide roles.
    pub(super) zone_tenants: HashMap<ZoneId, TenantId>,
}

impl CreatorBound {
    /// Whether the creator may use `perm` on `zone` (by any role or grant).
    pub(super) fn reaches_zone(&self, perm: Permission, zone: ZoneId) -> bool {
        self.creator.zones_with(perm).contains(&zone)
            || self.creator.covers_all_tenants(perm)
            || self
                .zone_tenants
                .get(&zone)
                .is_some_and(|t| self.creator.covers_tenant(perm, *t))
    }
}
