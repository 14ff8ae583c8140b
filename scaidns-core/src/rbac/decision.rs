//! The authorization decision (spec api-identity §6.6): [`authorize`] over a [`Principal`]
//! whose role assignments, groups and grants were resolved once for the request.
//!
//! Scopes nest: platform ⇒ every tenant ⇒ every zone of that tenant. Role assignments give
//! their permissions on the whole scope; access grants add a role's permissions on one zone,
//! optionally narrowed to records by name pattern and type, until they expire. A grant narrowed
//! to records is a promise about records: on the zone as a whole it gives only `records:*`
//! (each record then filtered) and `domains:read`, never a zone-wide operation. A delegation
//! ([`Target::Subtree`]) needs a grant over the name and everything beneath it. An API key's
//! `scopes` then narrow whatever was allowed, never widen it. The decision is pure: set lookups
//! and bit tests, plus a pattern match per live grant of the zone.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::model::RoleScope;
use super::pattern::{PatternShape, RecordPattern};
use super::permission::{PermSet, Permission};
use crate::ids::{TenantId, ZoneId};
use crate::record::RecordType;

/// What an operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The whole platform (tenants, nameservers).
    Platform,
    /// One tenant (zone creation, users, roles, audit).
    Tenant(TenantId),
    /// One zone, as a whole.
    Domain {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
    },
    /// One record (or RRset) of a zone.
    Record {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
        /// Name relative to the zone, `@` for the apex.
        name: &'a str,
        /// Type.
        rtype: RecordType,
    },
    /// A name of a zone and every name beneath it (a delegation: `NS` below the apex, `DNAME`).
    Subtree {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
        /// Name relative to the zone, `@` for the apex.
        name: &'a str,
    },
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// No role or grant gives the permission here.
    NotGranted,
    /// Roles allow it, but the API key's scopes do not include it.
    OutsideKeyScopes,
    /// The API key's principal holds it, but the user who created the key no longer does
    /// ([`Principal::bounded_by`]).
    BeyondKeyCreator,
}

/// The outcome of [`authorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allowed,
    /// Refuse.
    Denied(Denial),
}

impl Decision {
    /// Whether allowed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }
}

/// A grant as the decision needs it.
#[derive(Debug, Clone)]
pub(super) struct RecordGrant {
    pub(super) perms: PermSet,
    /// `None`: every name.
    pattern: Option<RecordPattern>,
    /// A stored pattern that no longer parses: matches nothing.
    broken_pattern: bool,
    /// Bit per `RecordType` discriminant; 0 = every type.
    types: u64,
    pub(super) expires_at: Option<DateTime<Utc>>,
}

impl RecordGrant {
    pub(super) fn live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }

    /// Narrowed by pattern or types (a broken pattern counts: it narrows to nothing).
    pub(super) fn restricted(&self) -> bool {
        self.pattern.is_some() || self.broken_pattern || self.types != 0
    }

    /// What the grant gives on the zone as a whole: everything for an unrestricted grant; for
    /// a record-restricted one only record permissions (filtered record by record) and
    /// `domains:read`, never a zone-wide operation.
    pub(super) fn zone_perms(&self) -> PermSet {
        if self.restricted() {
            self.perms.intersect(restricted_grant_mask())
        } else {
            self.perms
        }
    }

    /// Whether the grant covers every record that `other_pattern` and `other_types` cover.
    pub(super) fn covers_grant(&self, other_pattern: Option<&str>, other_types: u64) -> bool {
        if self.broken_pattern {
            return false;
        }
        let names = match (&self.pattern, other_pattern) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => {
                RecordPattern::parse(theirs).is_ok_and(|t| t.as_str() == mine.as_str())
            }
        };
        let types = self.types == 0 || (other_types != 0 && other_types & !self.types == 0);
        names && types
    }

    /// Whether the grant covers `name` (`beneath` false) or every name beneath it (`beneath`
    /// true), of every type.
    fn covers_every_type_at(&self, name: &str, beneath: bool) -> bool {
        if self.broken_pattern || self.types != 0 {
            return false;
        }
        let Some(pattern) = &self.pattern else {
            return true;
        };
        if !beneath {
            return pattern.matches(name);
        }
        // Pattern literals never contain `*`, so a pattern matching the literal `*.name` has
        // a wildcard absorbing the `*`: it matches every `<anything>.name` too.
        let probe = if name == "@" {
            "*".to_owned()
        } else {
            format!("*.{name}")
        };
        pattern.matches(&probe)
    }

    fn covers_record(&self, name: &str, rtype: RecordType) -> bool {
        !self.broken_pattern
            && (self.types == 0 || self.types & type_bit(rtype) != 0)
            && self.pattern.as_ref().is_none_or(|p| p.matches(name))
    }
}

fn restricted_grant_mask() -> PermSet {
    PermSet::RECORDS.with(Permission::DOMAINS_READ)
}

/// The type bits of a list of record types (0 = every type).
pub(super) fn type_bits(types: &[RecordType]) -> u64 {
    types.iter().fold(0, |acc, t| acc | type_bit(*t))
}

fn type_bit(rtype: RecordType) -> u64 {
    1u64 << ((rtype as u32) % 64)
}

/// Above this many grants on one zone, record decisions look grants up by their pattern's
/// literal instead of matching every pattern (the linear scan is faster for a few grants).
const INDEX_ABOVE: usize = 32;

/// A zone's grants, with an index of the common pattern shapes (`www`, `*.dev`) so a record
/// decision costs one lookup per suffix of the name rather than one match per grant.
#[derive(Debug, Clone, Default)]
struct ZoneGrants {
    all: Vec<RecordGrant>,
    exact: HashMap<String, Vec<usize>>,
    suffix: HashMap<String, Vec<usize>>,
    /// Grants with no pattern, a broken one, or another shape.
    rest: Vec<usize>,
}

impl ZoneGrants {
    fn push(&mut self, grant: RecordGrant) {
        let at = self.all.len();
        match grant.pattern.as_ref().map(RecordPattern::shape) {
            Some(PatternShape::Exact(lit)) => {
                self.exact.entry(lit.to_owned()).or_default().push(at)
            }
            Some(PatternShape::Suffix(lit)) => {
                self.suffix.entry(lit.to_owned()).or_default().push(at)
            }
            _ => self.rest.push(at),
        }
        self.all.push(grant);
    }

    /// Whether a live grant gives `perm` on record `name` of type `rtype`.
    fn covers(&self, perm: Permission, name: &str, rtype: RecordType, now: DateTime<Utc>) -> bool {
        let ok =
            |g: &RecordGrant| g.live(now) && g.perms.contains(perm) && g.covers_record(name, rtype);
        // The index holds lowercase literals; names are canonical lowercase, anything else
        // takes the scan.
        if self.all.len() <= INDEX_ABOVE || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.all.iter().any(ok);
        }
        let pick = |ids: Option<&Vec<usize>>| {
            ids.into_iter()
                .flatten()
                .any(|i| self.all.get(*i).is_some_and(ok))
        };
        self.rest.iter().any(|i| self.all.get(*i).is_some_and(ok))
            || pick(self.exact.get(name))
            || (0..=name.len()).any(|i| {
                name.get(i..)
                    .is_some_and(|tail| pick(self.suffix.get(tail)))
            })
    }
}

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
    system: bool,
    platform: PermSet,
    tenants: HashMap<TenantId, PermSet>,
    domains: HashMap<ZoneId, PermSet>,
    grants: HashMap<ZoneId, ZoneGrants>,
    key_scopes: Option<PermSet>,
    now: DateTime<Utc>,
    /// An API key acting as someone other than its creator: the creator's current permissions.
    pub(super) bound: Option<Box<super::key_bound::CreatorBound>>,
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
    fn outside_key_scopes(&self, perm: Permission) -> bool {
        self.key_scopes.is_some_and(|s| !s.contains(perm))
    }
}

/// Decides whether `principal` may use `perm` on `target`.
pub fn authorize(principal: &Principal, perm: Permission, target: &Target<'_>) -> Decision {
    match (authorize_own(principal, perm, target), &principal.bound) {
        (Decision::Allowed, Some(bound))
            if !authorize(&bound.creator, perm, target).is_allowed() =>
        {
            Decision::Denied(Denial::BeyondKeyCreator)
        }
        (decision, _) => decision,
    }
}

/// [`authorize`] before the bound of a key's creator.
fn authorize_own(principal: &Principal, perm: Permission, target: &Target<'_>) -> Decision {
    if principal.system {
        return Decision::Allowed;
    }
    let by_role = {
        let tenant = |t: &TenantId| principal.tenants.get(t).is_some_and(|s| s.contains(perm));
        principal.platform.contains(perm)
            || match target {
                Target::Platform => false,
                Target::Tenant(t) => tenant(t),
                Target::Domain { zone, tenant: t }
                | Target::Record {
                    zone, tenant: t, ..
                }
                | Target::Subtree {
                    zone, tenant: t, ..
                } => {
                    tenant(t)
                        || principal
                            .domains
                            .get(zone)
                            .is_some_and(|s| s.contains(perm))
                }
            }
    };
    let allowed = by_role
        || match target {
            Target::Platform | Target::Tenant(_) => false,
            Target::Domain { zone, .. } => principal
                .live_grants(*zone)
                .any(|g| g.zone_perms().contains(perm)),
            Target::Subtree { zone, name, .. } => [false, true].into_iter().all(|beneath| {
                principal
                    .live_grants(*zone)
                    .any(|g| g.perms.contains(perm) && g.covers_every_type_at(name, beneath))
            }),
            Target::Record {
                zone, name, rtype, ..
            } => principal
                .grants
                .get(zone)
                .is_some_and(|z| z.covers(perm, name, *rtype, principal.now)),
        };
    if !allowed {
        Decision::Denied(Denial::NotGranted)
    } else if principal.outside_key_scopes(perm) {
        Decision::Denied(Denial::OutsideKeyScopes)
    } else {
        Decision::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::roles::system_role;

    fn p(name: &str) -> Permission {
        Permission::parse(name).unwrap()
    }

    fn role(name: &str) -> PermSet {
        system_role(name).unwrap().perm_set()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The pattern index gives exactly the answers of matching every grant, for every shape.
    #[test]
    fn indexed_grants_decide_like_the_scan() {
        let zone = ZoneId::new();
        let tenant = TenantId::new();
        let editor = role("record_editor");
        let patterns: Vec<Option<&str>> = vec![
            Some("www"),
            Some("*.dev"),
            Some("*dev"),
            Some("api.*"),
            Some("a*b*c"),
            Some("*"),
            Some("@"),
            Some("not valid!"),
            None,
        ];
        let mut grants = Vec::new();
        for i in 0..(INDEX_ABOVE + 8) {
            let pattern =
                patterns[i % patterns.len()].map(|p| p.replace("dev", &format!("dev{}", i % 3)));
            grants.push(GrantInput {
                zone,
                perms: if i % 5 == 0 {
                    role("read_only")
                } else {
                    editor
                },
                record_pattern: pattern,
                record_types: if i % 4 == 0 {
                    vec![RecordType::TXT]
                } else {
                    vec![]
                },
                expires_at: (i % 7 == 0).then(|| now() - chrono::Duration::seconds(1)),
            });
        }
        let principal = Principal::resolve(
            PrincipalInput {
                grants,
                ..Default::default()
            },
            now(),
        );
        let indexed = principal.grants.get(&zone).unwrap();
        assert!(
            indexed.all.len() > INDEX_ABOVE
                && !indexed.suffix.is_empty()
                && !indexed.exact.is_empty()
        );
        for name in [
            "www", "x.dev0", "x.dev1", "dev2", "api.x", "abc", "axbxc", "@", "other", "WWW",
            "a.b.dev1",
        ] {
            for rtype in [RecordType::A, RecordType::TXT] {
                for perm in [p("records:create"), p("records:read"), p("records:delete")] {
                    let scanned = indexed.all.iter().any(|g| {
                        g.live(now()) && g.perms.contains(perm) && g.covers_record(name, rtype)
                    });
                    let target = Target::Record {
                        zone,
                        tenant,
                        name,
                        rtype,
                    };
                    assert_eq!(
                        authorize(&principal, perm, &target).is_allowed(),
                        scanned,
                        "{name} {rtype} {perm:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn scopes_nest() {
        let (t1, t2, z1, z2) = (
            TenantId::new(),
            TenantId::new(),
            ZoneId::new(),
            ZoneId::new(),
        );
        let admin = Principal::resolve(
            PrincipalInput {
                tenant_admin_of: Some(t1),
                ..Default::default()
            },
            now(),
        );
        let d1 = Target::Domain {
            zone: z1,
            tenant: t1,
        };
        let d2 = Target::Domain {
            zone: z2,
            tenant: t2,
        };
        assert!(authorize(&admin, p("records:delete"), &d1).is_allowed());
        assert!(!authorize(&admin, p("records:read"), &d2).is_allowed());
        assert!(!authorize(&admin, p("platform:admin"), &Target::Platform).is_allowed());
        assert!(admin.can_see_zone(z1, t1) && !admin.can_see_zone(z2, t2));

        let platform = Principal::resolve(
            PrincipalInput {
                platform_admin: true,
                ..Default::default()
            },
            now(),
        );
        assert!(authorize(&platform, p("records:delete"), &d2).is_allowed());

        let editor = Principal::resolve(
            PrincipalInput {
                assignments: vec![(RoleScope::Domain(z1), role("record_editor"))],
                ..Default::default()
            },
            now(),
        );
        assert!(authorize(&editor, p("records:create"), &d1).is_allowed());
        assert_eq!(
            authorize(&editor, p("records:delete"), &d1),
            Decision::Denied(Denial::NotGranted)
        );
        assert!(!authorize(&editor, p("domains:create"), &Target::Tenant(t1)).is_allowed());
        assert_eq!(editor.zones_with(p("domains:read")), vec![z1]);
    }

    #[test]
    fn grants_narrow_to_records_and_expire() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let user = Principal::resolve(
            PrincipalInput {
                grants: vec![
                    GrantInput {
                        zone: z,
                        perms: role("domain_manager"),
                        record_pattern: Some("*.dev".into()),
                        record_types: vec![RecordType::A, RecordType::AAAA],
                        expires_at: None,
                    },
                    GrantInput {
                        zone: z,
                        perms: role("domain_admin"),
                        record_pattern: None,
                        record_types: vec![],
                        expires_at: Some(now()),
                    },
                ],
                ..Default::default()
            },
            now(),
        );
        let rec = |name, rtype| Target::Record {
            zone: z,
            tenant: t,
            name,
            rtype,
        };
        assert!(authorize(&user, p("records:delete"), &rec("a.dev", RecordType::A)).is_allowed());
        assert!(
            !authorize(&user, p("records:delete"), &rec("a.dev", RecordType::TXT)).is_allowed()
        );
        assert!(!authorize(&user, p("records:delete"), &rec("www", RecordType::A)).is_allowed());
        // The domain_admin grant expired at exactly `now`.
        assert!(
            !authorize(
                &user,
                p("dnssec:enable"),
                &Target::Domain { zone: z, tenant: t }
            )
            .is_allowed()
        );
        assert!(
            authorize(
                &user,
                p("records:read"),
                &Target::Domain { zone: z, tenant: t }
            )
            .is_allowed()
        );
        assert!(!user.covers_whole_zone(p("records:read"), z, t));
        assert!(user.can_see_zone(z, t));
    }

    #[test]
    fn a_record_restricted_grant_gives_no_zone_wide_operation() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let narrowed = |pattern: Option<&str>, types: Vec<RecordType>| {
            Principal::resolve(
                PrincipalInput {
                    grants: vec![GrantInput {
                        zone: z,
                        perms: role("domain_admin"),
                        record_pattern: pattern.map(str::to_owned),
                        record_types: types,
                        expires_at: None,
                    }],
                    ..Default::default()
                },
                now(),
            )
        };
        let zone = Target::Domain { zone: z, tenant: t };
        for user in [
            narrowed(Some("www"), vec![]),
            narrowed(None, vec![RecordType::A]),
            narrowed(Some("not valid!"), vec![]),
        ] {
            for whole_zone in [
                "domains:update",
                "domains:delete",
                "dnssec:enable",
                "dnssec:read",
                "access_grants:read",
                "access_grants:update",
            ] {
                assert!(
                    !authorize(&user, p(whole_zone), &zone).is_allowed(),
                    "{whole_zone}"
                );
            }
            assert!(user.zones_with(p("domains:update")).is_empty());
        }
        let user = narrowed(Some("www"), vec![]);
        // Record operations (filtered record by record) and seeing the zone remain.
        for records in [
            "domains:read",
            "records:read",
            "records:create",
            "records:delete",
        ] {
            assert!(
                authorize(&user, p(records), &zone).is_allowed(),
                "{records}"
            );
        }
        assert!(user.can_see_zone(z, t));
        assert_eq!(user.zones_with(p("domains:read")), vec![z]);
        // The same role, unrestricted, manages the zone.
        let whole = narrowed(None, vec![]);
        assert!(authorize(&whole, p("domains:delete"), &zone).is_allowed());
        assert!(authorize(&whole, p("access_grants:update"), &zone).is_allowed());
    }

    #[test]
    fn a_delegation_needs_the_whole_subtree() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let with = |pattern: Option<&str>, types: Vec<RecordType>| {
            Principal::resolve(
                PrincipalInput {
                    grants: vec![GrantInput {
                        zone: z,
                        perms: role("domain_manager"),
                        record_pattern: pattern.map(str::to_owned),
                        record_types: types,
                        expires_at: None,
                    }],
                    ..Default::default()
                },
                now(),
            )
        };
        let subtree = |name| Target::Subtree {
            zone: z,
            tenant: t,
            name,
        };
        let create = p("records:create");
        // `dev` alone, or only what lies beneath it, is not the subtree.
        for pattern in ["dev", "*.dev", "a.dev", "*e*.dev", "dev*"] {
            assert!(
                !authorize(&with(Some(pattern), vec![]), create, &subtree("dev")).is_allowed(),
                "{pattern}"
            );
        }
        for pattern in ["*dev", "*", "*v"] {
            assert!(
                authorize(&with(Some(pattern), vec![]), create, &subtree("dev")).is_allowed(),
                "{pattern}"
            );
        }
        assert!(authorize(&with(None, vec![]), create, &subtree("dev")).is_allowed());
        // A type-limited grant leaves other types beneath to others.
        assert!(
            !authorize(
                &with(Some("*dev"), vec![RecordType::NS]),
                create,
                &subtree("dev")
            )
            .is_allowed()
        );
        // The name and its subtree may come from two grants.
        let two = Principal::resolve(
            PrincipalInput {
                grants: ["dev", "*.dev"]
                    .into_iter()
                    .map(|pattern| GrantInput {
                        zone: z,
                        perms: role("domain_manager"),
                        record_pattern: Some(pattern.to_owned()),
                        record_types: vec![],
                        expires_at: None,
                    })
                    .collect(),
                ..Default::default()
            },
            now(),
        );
        assert!(authorize(&two, create, &subtree("dev")).is_allowed());
        assert!(authorize(&two, create, &subtree("x.dev")).is_allowed());
        assert!(!authorize(&two, create, &subtree("@")).is_allowed());
        // The apex's subtree is the whole zone.
        assert!(!authorize(&with(Some("@"), vec![]), create, &subtree("@")).is_allowed());
        assert!(authorize(&with(Some("*"), vec![]), create, &subtree("@")).is_allowed());
        // Roles over the zone cover every subtree.
        let manager = Principal::resolve(
            PrincipalInput {
                assignments: vec![(RoleScope::Domain(z), role("domain_manager"))],
                ..Default::default()
            },
            now(),
        );
        assert!(authorize(&manager, create, &subtree("dev")).is_allowed());
    }

    #[test]
    fn key_scopes_narrow_never_widen() {
        let t = TenantId::new();
        let key = Principal::resolve(
            PrincipalInput {
                tenant_admin_of: Some(t),
                key_scopes: Some(
                    PermSet::parse_all(&[
                        "domains:read",
                        "records:write",
                        "audit:read",
                        "platform:admin",
                    ])
                    .unwrap(),
                ),
                ..Default::default()
            },
            now(),
        );
        let z = Target::Domain {
            zone: ZoneId::new(),
            tenant: t,
        };
        assert!(authorize(&key, p("records:update"), &z).is_allowed());
        assert_eq!(
            authorize(&key, p("records:read"), &z),
            Decision::Denied(Denial::OutsideKeyScopes)
        );
        assert!(!authorize(&key, p("platform:admin"), &Target::Platform).is_allowed());
        assert!(!key.role_perms(&z).contains(p("records:read")));
    }
}
