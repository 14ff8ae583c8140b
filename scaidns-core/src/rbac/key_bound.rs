//! The bound on an API key that acts as someone other than its creator (docs/permissions.md,
//! "No escalation"): on every request the key may do only what its principal AND the user who
//! created it may do now. The no-escalation check at minting compares holdings once; without
//! this bound a key minted for an empty user or group would follow whatever that principal is
//! given later, beyond what its creator ever held.

use std::collections::HashMap;

use super::principal::{CreatorBound, Principal};
use crate::ids::{TenantId, ZoneId};

impl Principal {
    /// This principal (an API key's) bounded by `creator`, the current permissions of the user
    /// who created the key (an empty principal when that user is gone or inactive).
    /// `zone_tenants` gives the tenant of every zone this principal's assignments and grants
    /// name.
    #[must_use]
    pub fn bounded_by(
        mut self,
        creator: Principal,
        zone_tenants: HashMap<ZoneId, TenantId>,
    ) -> Self {
        self.bound = Some(Box::new(CreatorBound {
            creator,
            zone_tenants,
        }));
        self
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::rbac::assignments::RoleScope;
    use crate::rbac::decision::authorize;
    use crate::rbac::escalation::{Holding, Holdings};
    use crate::rbac::permission::{PermSet, Permission};
    use crate::rbac::principal::{GrantInput, PrincipalInput};
    use crate::rbac::roles::system_role;
    use crate::rbac::target::{Decision, Denial, Target};
    use crate::record::RecordType;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn p(name: &str) -> Permission {
        Permission::parse(name).unwrap()
    }

    fn set(names: &[&str]) -> PermSet {
        PermSet::parse_all(names).unwrap()
    }

    fn principal(input: PrincipalInput) -> Principal {
        Principal::resolve(input, now())
    }

    /// The attack: X (users:create, api_keys:*) mints a key acting as V while V holds nothing;
    /// V is then made tenant admin. The key must not follow V beyond X.
    #[test]
    fn a_key_never_exceeds_what_its_creator_holds_now() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let creator = || {
            principal(PrincipalInput {
                assignments: vec![(
                    RoleScope::Tenant(t),
                    set(&["users:create", "api_keys:*", "domains:read"]),
                )],
                ..Default::default()
            })
        };
        let v_now = principal(PrincipalInput {
            tenant_admin_of: Some(t),
            ..Default::default()
        });
        let key = v_now.clone().bounded_by(creator(), HashMap::new());
        let zone = Target::Domain { zone: z, tenant: t };
        assert!(authorize(&v_now, p("domains:delete"), &zone).is_allowed());
        assert_eq!(
            authorize(&key, p("domains:delete"), &zone),
            Decision::Denied(Denial::BeyondKeyCreator)
        );
        assert!(authorize(&key, p("domains:read"), &zone).is_allowed());
        assert!(!key.covers_tenant(p("records:read"), t));
        assert!(key.covers_tenant(p("domains:read"), t));
        assert!(
            !key.role_perms(&Target::Tenant(t))
                .contains(p("roles:assign"))
        );
        // Minting through the bounded key is bounded too.
        let admin = Holdings(vec![Holding::Role {
            scope: RoleScope::Tenant(t),
            tenant: t,
            perms: v_now.role_perms(&Target::Tenant(t)),
        }]);
        assert!(v_now.refuse_escalation(&admin).is_ok());
        assert!(key.refuse_escalation(&admin).is_err());
        // A creator who lost everything leaves a key that can do nothing.
        let gone = v_now
            .clone()
            .bounded_by(principal(PrincipalInput::default()), HashMap::new());
        assert!(!authorize(&gone, p("domains:read"), &zone).is_allowed());
        assert!(!gone.can_see_zone(z, t));
    }

    #[test]
    fn grants_the_key_gains_are_bounded_by_the_creators_zones() {
        let (t, other_t, z, other_z) = (
            TenantId::new(),
            TenantId::new(),
            ZoneId::new(),
            ZoneId::new(),
        );
        let grant = |zone| GrantInput {
            zone,
            perms: system_role("domain_admin").unwrap().perm_set(),
            record_pattern: None,
            record_types: vec![],
            expires_at: None,
        };
        // The key's user gained grants on a zone of the creator's tenant and on one elsewhere.
        let key_user = principal(PrincipalInput {
            grants: vec![grant(z), grant(other_z)],
            ..Default::default()
        });
        let creator = principal(PrincipalInput {
            assignments: vec![(RoleScope::Tenant(t), set(&["domains:read", "records:read"]))],
            ..Default::default()
        });
        let tenants = HashMap::from([(z, t), (other_z, other_t)]);
        let key = key_user.bounded_by(creator, tenants);
        assert_eq!(key.zones_with(p("domains:read")), vec![z]);
        assert!(key.can_see_zone(z, t) && !key.can_see_zone(other_z, other_t));
        let read = p("records:read");
        assert!(key.record_view(read, z, t).is_whole());
        assert!(!key.record_view(p("records:delete"), z, t).is_whole());
        assert!(
            !key.record_view(p("records:delete"), z, t)
                .covers("www", RecordType::A)
        );
        // A creator limited to `www` narrows the key's view of the zone to `www`.
        let narrow_creator = principal(PrincipalInput {
            grants: vec![GrantInput {
                record_pattern: Some("www".into()),
                ..grant(z)
            }],
            ..Default::default()
        });
        let key = principal(PrincipalInput {
            grants: vec![grant(z)],
            ..Default::default()
        })
        .bounded_by(narrow_creator, HashMap::from([(z, t)]));
        let view = key.record_view(read, z, t);
        assert!(!view.is_whole());
        assert!(view.covers("www", RecordType::A) && !view.covers("mail", RecordType::A));
    }
}
