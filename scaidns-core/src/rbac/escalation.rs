//! The no-escalation rule (docs/permissions.md, "Nobody hands on more than they hold"): whoever
//! makes a principal act, or gives it something, must already hold everything that principal
//! would then hold, at every scope. One rule for API keys that act as another user or group
//! (create, regenerate, activate), group membership (the new member gets the group's
//! holdings), and access grants (the grantee gets the grant). Role assignment and custom roles
//! compare one permission set at one scope, the simplest case of the same test.

use chrono::{DateTime, Utc};

use super::assignments::{AccessGrant, Role, RoleAssignment, RoleScope};
use super::permission::PermSet;
use super::principal::Principal;
use super::roles::{TENANT_ADMIN, system_role};
use super::target::Target;
use super::zone_grants::type_bits;
use crate::error::{Error, Result};
use crate::ids::{TenantId, ZoneId};
use crate::record::RecordType;

/// One thing a principal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holding {
    /// A role's permissions over a whole scope.
    Role {
        /// Where.
        scope: RoleScope,
        /// The tenant of a domain scope's zone (ignored for other scopes).
        tenant: TenantId,
        /// The permissions.
        perms: PermSet,
    },
    /// An access grant: a role's permissions on some or all records of a zone, maybe until an
    /// expiry.
    Grant {
        /// The zone.
        zone: ZoneId,
        /// Its tenant.
        tenant: TenantId,
        /// The granted role's permissions.
        perms: PermSet,
        /// Record pattern (`None`: every name).
        pattern: Option<String>,
        /// Record types (empty: every type).
        types: Vec<RecordType>,
        /// Expiry.
        expires_at: Option<DateTime<Utc>>,
    },
}

/// Everything one principal (a user with its groups, or a group) holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings(pub Vec<Holding>);

impl Holdings {
    /// A principal's holdings: its admin flags, role assignments and live grants, with the
    /// roles they name (grants that expired by `now` hold nothing any more).
    pub fn of(
        platform_admin: bool,
        tenant_admin_of: Option<TenantId>,
        assignments: &[RoleAssignment],
        grants: &[AccessGrant],
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> Self {
        let perms_of = |id| {
            roles
                .iter()
                .find(|r| r.id == id)
                .map(Role::perm_set)
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        if platform_admin {
            out.push(Holding::Role {
                scope: RoleScope::Platform,
                tenant: tenant_admin_of.unwrap_or_default(),
                perms: PermSet::all(),
            });
        }
        if let Some(t) = tenant_admin_of {
            out.push(Holding::Role {
                scope: RoleScope::Tenant(t),
                tenant: t,
                perms: system_role(TENANT_ADMIN)
                    .map(|r| r.perm_set())
                    .unwrap_or_default(),
            });
        }
        out.extend(assignments.iter().map(|a| Holding::Role {
            scope: a.scope,
            tenant: a.tenant_id,
            perms: perms_of(a.role_id),
        }));
        out.extend(
            grants
                .iter()
                .filter(|g| !g.is_expired(now))
                .map(|g| Holding::grant(g, perms_of(g.role_id))),
        );
        Self(out)
    }

    /// One grant as a holding.
    pub fn grant_holding(grant: &AccessGrant, perms: PermSet) -> Self {
        Self(vec![Holding::grant(grant, perms)])
    }
}

impl Holding {
    fn grant(g: &AccessGrant, perms: PermSet) -> Self {
        Holding::Grant {
            zone: g.zone_id,
            tenant: g.tenant_id,
            perms,
            pattern: g.record_pattern.clone(),
            types: g.record_types.clone(),
            expires_at: g.expires_at,
        }
    }
}

impl Principal {
    /// What the caller holds where `holding` applies, over at least the records it covers
    /// and for at least as long: roles at that scope, plus its own live grants that cover as
    /// many records for as long (narrowed by an API key's scopes, like everything else).
    fn held_for(&self, holding: &Holding) -> PermSet {
        let own = self.own_held_for(holding);
        match &self.bound {
            Some(bound) => own.intersect(bound.creator.held_for(holding)),
            None => own,
        }
    }

    /// [`Principal::held_for`] before the bound of a key's creator.
    fn own_held_for(&self, holding: &Holding) -> PermSet {
        let (zone, tenant, pattern, types, expires_at) = match holding {
            Holding::Role {
                scope: RoleScope::Platform,
                ..
            } => return self.role_perms(&Target::Platform),
            Holding::Role {
                scope: RoleScope::Tenant(t),
                ..
            } => return self.role_perms(&Target::Tenant(*t)),
            Holding::Role {
                scope: RoleScope::Domain(zone),
                tenant,
                ..
            } => (*zone, *tenant, None, 0, None),
            Holding::Grant {
                zone,
                tenant,
                pattern,
                types,
                expires_at,
                ..
            } => (
                *zone,
                *tenant,
                pattern.as_deref(),
                type_bits(types),
                *expires_at,
            ),
        };
        let by_role = self.role_perms(&Target::Domain { zone, tenant });
        if self.is_system() {
            return PermSet::all();
        }
        let lasts = |mine: Option<DateTime<Utc>>| match (mine, expires_at) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => mine >= theirs,
        };
        let by_grant = self
            .live_grants(zone)
            .filter(|g| lasts(g.expires_at) && g.covers_grant(pattern, types))
            .fold(PermSet::EMPTY, |acc, g| acc.union(g.perms));
        let by_grant = match self.key_scopes() {
            Some(scopes) => by_grant.intersect(scopes),
            None => by_grant,
        };
        by_role.union(by_grant)
    }

    /// Refuses with 403 `permission_not_held` unless the caller holds everything in
    /// `holdings`, naming the missing permissions.
    pub fn refuse_escalation(&self, holdings: &Holdings) -> Result<()> {
        if self.is_system() {
            return Ok(());
        }
        for holding in &holdings.0 {
            let wanted = match holding {
                Holding::Role { perms, .. } | Holding::Grant { perms, .. } => *perms,
            };
            let missing = wanted.minus(self.held_for(holding));
            if !missing.is_empty() {
                return Err(Error::forbidden(
                    "permission_not_held",
                    // Only the permissions: where the target principal holds them (its tenant's
                    // or zones' ids) is not the caller's to learn.
                    format!(
                        "you cannot hand on permissions you do not hold: {}",
                        missing.names().join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rbac::principal::{GrantInput, PrincipalInput};

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn set(name: &str) -> PermSet {
        system_role(name).unwrap().perm_set()
    }

    fn code(r: Result<()>) -> Option<String> {
        r.err().map(|e| e.code().to_owned())
    }

    fn grant_holding(
        zone: ZoneId,
        tenant: TenantId,
        role: &str,
        pattern: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Holdings {
        Holdings(vec![Holding::Grant {
            zone,
            tenant,
            perms: set(role),
            pattern: pattern.map(str::to_owned),
            types: vec![],
            expires_at,
        }])
    }

    #[test]
    fn a_key_manager_cannot_act_as_its_tenant_admin() {
        let t = TenantId::new();
        let key_manager = Principal::resolve(
            PrincipalInput {
                assignments: vec![(
                    RoleScope::Tenant(t),
                    PermSet::parse_all(&["api_keys:*"]).unwrap(),
                )],
                ..Default::default()
            },
            now(),
        );
        let admin = Holdings::of(false, Some(t), &[], &[], &[], now());
        let err = key_manager.refuse_escalation(&admin).unwrap_err();
        assert_eq!(err.code(), "permission_not_held");
        assert!(err.message().contains("domains:read"), "{}", err.message());
        assert!(
            !err.message().contains(&t.to_string()),
            "no ids: {}",
            err.message()
        );
        // Nobody with no holdings is safe to act as.
        assert!(key_manager.refuse_escalation(&Holdings::default()).is_ok());

        let tenant_admin = Principal::resolve(
            PrincipalInput {
                tenant_admin_of: Some(t),
                ..Default::default()
            },
            now(),
        );
        assert!(tenant_admin.refuse_escalation(&admin).is_ok());
        // Not another tenant's admin, nor a platform admin.
        let other = Holdings::of(false, Some(TenantId::new()), &[], &[], &[], now());
        assert!(tenant_admin.refuse_escalation(&other).is_err());
        let platform = Holdings::of(true, None, &[], &[], &[], now());
        assert!(tenant_admin.refuse_escalation(&platform).is_err());
        let platform_admin = Principal::resolve(
            PrincipalInput {
                platform_admin: true,
                ..Default::default()
            },
            now(),
        );
        assert!(platform_admin.refuse_escalation(&platform).is_ok());
        assert!(platform_admin.refuse_escalation(&other).is_ok());
        // A platform admin's key narrowed by scopes is no longer everything.
        let scoped = Principal::resolve(
            PrincipalInput {
                platform_admin: true,
                key_scopes: Some(PermSet::parse_all(&["api_keys:*"]).unwrap()),
                ..Default::default()
            },
            now(),
        );
        assert!(scoped.refuse_escalation(&admin).is_err());
    }

    #[test]
    fn domain_scoped_holdings_need_the_zone() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let holder = Holdings(vec![Holding::Role {
            scope: RoleScope::Domain(z),
            tenant: t,
            perms: set("domain_admin"),
        }]);
        let tenant_admin = Principal::resolve(
            PrincipalInput {
                tenant_admin_of: Some(t),
                ..Default::default()
            },
            now(),
        );
        assert!(tenant_admin.refuse_escalation(&holder).is_ok());
        let manager = Principal::resolve(
            PrincipalInput {
                assignments: vec![(RoleScope::Domain(z), set("domain_manager"))],
                ..Default::default()
            },
            now(),
        );
        assert_eq!(
            code(manager.refuse_escalation(&holder)).as_deref(),
            Some("permission_not_held")
        );
    }

    #[test]
    fn a_grant_is_covered_only_by_as_many_records_for_as_long() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let later = now() + chrono::Duration::days(2);
        let sooner = now() + chrono::Duration::days(1);
        let grantee = Principal::resolve(
            PrincipalInput {
                grants: vec![GrantInput {
                    zone: z,
                    perms: set("domain_admin"),
                    record_pattern: Some("www".into()),
                    record_types: vec![],
                    expires_at: Some(later),
                }],
                ..Default::default()
            },
            now(),
        );
        // The same grant, or a narrower one, is covered.
        assert!(
            grantee
                .refuse_escalation(&grant_holding(
                    z,
                    t,
                    "domain_admin",
                    Some("WWW"),
                    Some(later)
                ))
                .is_ok()
        );
        assert!(
            grantee
                .refuse_escalation(&grant_holding(z, t, "read_only", Some("www"), Some(sooner)))
                .is_ok()
        );
        // Widening the pattern or dropping the expiry is not.
        for wider in [
            grant_holding(z, t, "domain_admin", None, Some(later)),
            grant_holding(z, t, "domain_admin", Some("*"), Some(later)),
            grant_holding(z, t, "domain_admin", Some("www"), None),
            grant_holding(
                z,
                t,
                "domain_admin",
                Some("www"),
                Some(later + chrono::Duration::seconds(1)),
            ),
        ] {
            assert!(grantee.refuse_escalation(&wider).is_err(), "{wider:?}");
        }
        // A role on the zone covers any grant on it.
        let da = Principal::resolve(
            PrincipalInput {
                assignments: vec![(RoleScope::Domain(z), set("domain_admin"))],
                ..Default::default()
            },
            now(),
        );
        assert!(
            da.refuse_escalation(&grant_holding(z, t, "domain_admin", None, None))
                .is_ok()
        );
    }

    #[test]
    fn expired_grants_hold_nothing() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let role = Role {
            id: crate::ids::RoleId::new(),
            tenant_id: Some(t),
            name: "r".into(),
            description: None,
            is_system: false,
            permissions: vec!["records:*".into()],
            created_at: now(),
            updated_at: now(),
        };
        let grant = AccessGrant {
            id: crate::ids::GrantId::new(),
            zone_id: z,
            tenant_id: t,
            subject: super::super::assignments::Subject::User(crate::ids::UserId::new()),
            role_id: role.id,
            role_name: role.name.clone(),
            record_pattern: None,
            record_types: vec![],
            expires_at: Some(now()),
            notes: None,
            created_by: None,
            created_at: now(),
            updated_at: now(),
        };
        let holdings = Holdings::of(false, None, &[], &[grant], &[role], now());
        assert!(holdings.0.is_empty());
    }
}
