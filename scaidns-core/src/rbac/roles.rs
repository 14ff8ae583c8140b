//! The system roles (spec api-identity §6.2) and their permission sets. The spec leaves the
//! sets open; these are the ones ScaiDNS decided on (docs/permissions.md). The migration
//! `0004_rbac.sql` seeds the same rows with the same fixed ids, and the store contract suite
//! checks that the two agree.

use uuid::Uuid;

use super::permission::{PermSet, Permission};
use crate::ids::RoleId;

/// A built-in role.
#[derive(Debug, Clone, Copy)]
pub struct SystemRole {
    /// Fixed id (the same in every installation).
    pub id: u128,
    /// Name.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// Its permissions (the migration seeds the same set as strings, with wildcards).
    pub permissions: PermSet,
}

impl SystemRole {
    /// The role's id.
    pub fn role_id(&self) -> RoleId {
        RoleId::from_uuid(Uuid::from_u128(self.id))
    }

    /// The expanded permission set.
    pub fn perm_set(&self) -> PermSet {
        self.permissions
    }
}

/// `platform_admin`.
pub const PLATFORM_ADMIN: &str = "platform_admin";
/// `tenant_admin`.
pub const TENANT_ADMIN: &str = "tenant_admin";
/// `validation_bypass`.
pub const VALIDATION_BYPASS: &str = "validation_bypass";

/// Every system role, broadest first.
pub const SYSTEM_ROLES: &[SystemRole] = &[
    SystemRole {
        id: 1,
        name: PLATFORM_ADMIN,
        description: "Everything, in every tenant: tenants, platform settings, cross-tenant audit",
        permissions: PermSet::ALL,
    },
    SystemRole {
        id: 2,
        name: TENANT_ADMIN,
        description: "Everything inside one tenant: zones, records, DNSSEC, grants, users, groups, roles, API keys, audit",
        permissions: PermSet::DOMAINS
            .union(PermSet::RECORDS)
            .union(PermSet::DNSSEC)
            .union(PermSet::ACCESS_GRANTS)
            .union(PermSet::API_KEYS)
            .union(PermSet::ROLES)
            .union(PermSet::USERS)
            .union(PermSet::GROUPS)
            .with(Permission::AUDIT_READ)
            .union(PermSet::TEMPLATES)
            .union(PermSet::WEBHOOKS),
    },
    SystemRole {
        id: 3,
        name: "domain_admin",
        description: "Full control of one zone: records, DNSSEC, access grants",
        permissions: PermSet::of(&[
            Permission::DOMAINS_READ,
            Permission::DOMAINS_UPDATE,
            Permission::DOMAINS_DELETE,
        ])
        .union(PermSet::RECORDS)
        .union(PermSet::DNSSEC)
        .union(PermSet::ACCESS_GRANTS),
    },
    SystemRole {
        id: 4,
        name: "domain_manager",
        description: "Record management; no DNSSEC changes, no further delegation",
        permissions: PermSet::of(&[Permission::DOMAINS_READ, Permission::DNSSEC_READ])
            .union(PermSet::RECORDS),
    },
    SystemRole {
        id: 5,
        name: "record_editor",
        description: "Create and modify records; no delete",
        permissions: PermSet::of(&[
            Permission::DOMAINS_READ,
            Permission::RECORDS_READ,
            Permission::RECORDS_CREATE,
            Permission::RECORDS_UPDATE,
            Permission::DNSSEC_READ,
        ]),
    },
    SystemRole {
        id: 6,
        name: "read_only",
        description: "Read only",
        permissions: PermSet::of(&[
            Permission::DOMAINS_READ,
            Permission::RECORDS_READ,
            Permission::DNSSEC_READ,
            Permission::ACCESS_GRANTS_READ,
        ]),
    },
    SystemRole {
        id: 7,
        name: VALIDATION_BYPASS,
        description: "Create zones that skip ownership validation (trusted internal use)",
        permissions: PermSet::of(&[Permission::VALIDATION_BYPASS]),
    },
];

/// The system role named `name`.
pub fn system_role(name: &str) -> Option<&'static SystemRole> {
    SYSTEM_ROLES.iter().find(|r| r.name == name)
}

/// Roles that make sense on one zone, and so may be granted through an access grant or
/// assigned at `domain` scope: not the tenant- and platform-wide ones.
pub fn assignable_on_a_zone(name: &str) -> bool {
    !matches!(name, PLATFORM_ADMIN | TENANT_ADMIN | VALIDATION_BYPASS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sets as docs/permissions.md and the migration `0004_rbac.sql` write them.
    #[test]
    fn system_roles_are_the_documented_permission_strings() {
        let documented: [(&str, &[&str]); 7] = [
            ("platform_admin", &["*"]),
            (
                "tenant_admin",
                &[
                    "domains:*",
                    "records:*",
                    "dnssec:*",
                    "access_grants:*",
                    "api_keys:*",
                    "roles:*",
                    "users:*",
                    "groups:*",
                    "audit:read",
                    "templates:*",
                    "webhooks:*",
                ],
            ),
            (
                "domain_admin",
                &[
                    "domains:read",
                    "domains:update",
                    "domains:delete",
                    "records:*",
                    "dnssec:*",
                    "access_grants:*",
                ],
            ),
            (
                "domain_manager",
                &["domains:read", "records:*", "dnssec:read"],
            ),
            (
                "record_editor",
                &[
                    "domains:read",
                    "records:read",
                    "records:create",
                    "records:update",
                    "dnssec:read",
                ],
            ),
            (
                "read_only",
                &[
                    "domains:read",
                    "records:read",
                    "dnssec:read",
                    "access_grants:read",
                ],
            ),
            ("validation_bypass", &["validation_bypass"]),
        ];
        assert_eq!(documented.len(), SYSTEM_ROLES.len());
        for (name, strings) in documented {
            let role = system_role(name).unwrap();
            assert_eq!(
                role.perm_set(),
                PermSet::parse_all(strings).unwrap(),
                "{name}"
            );
        }
    }

    #[test]
    fn narrower_roles_are_subsets() {
        let set = |n: &str| system_role(n).unwrap().perm_set();
        assert!(set("platform_admin").covers(set("tenant_admin")));
        assert!(set("tenant_admin").covers(set("domain_admin")));
        assert!(set("domain_admin").covers(set("domain_manager")));
        assert!(set("domain_manager").covers(set("record_editor")));
        assert!(!set("record_editor").contains(Permission::RECORDS_DELETE));
        assert!(!set("tenant_admin").contains(Permission::VALIDATION_BYPASS));
    }
}
