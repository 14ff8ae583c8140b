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

use super::permission::Permission;
use super::principal::Principal;
use super::target::{Decision, Denial, Target};
use crate::ids::TenantId;

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
    use crate::ids::{TenantId, ZoneId};
    use crate::rbac::assignments::RoleScope;
    use crate::rbac::permission::PermSet;
    use crate::rbac::principal::{GrantInput, PrincipalInput};
    use crate::rbac::roles::system_role;
    use crate::rbac::zone_grants::INDEX_ABOVE;
    use crate::record::RecordType;
    use chrono::{DateTime, Utc};

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
