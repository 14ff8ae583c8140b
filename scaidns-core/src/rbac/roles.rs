//! The system roles (spec api-identity §6.2) and their permission sets. The spec leaves the
//! sets open; these are the ones ScaiDNS decided on (docs/permissions.md). The migration
//! `0004_rbac.sql` seeds the same rows with the same fixed ids, and the store contract suite
//! checks that the two agree.

use uuid::Uuid;

use super::permission::PermSet;
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
    /// Permission strings (wildcards allowed).
    pub permissions: &'static [&'static str],
}

impl SystemRole {
    /// The role's id.
    pub fn role_id(&self) -> RoleId {
        RoleId::from_uuid(Uuid::from_u128(self.id))
    }

    /// The expanded permission set.
    pub fn perm_set(&self) -> PermSet {
        PermSet::parse_lenient(self.permissions)
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
        permissions: &["*"],
    },
    SystemRole {
        id: 2,
        name: TENANT_ADMIN,
        description: "Everything inside one tenant: zones, records, DNSSEC, grants, users, groups, roles, API keys, audit",
        permissions: &[
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
        ],
    },
    SystemRole {
        id: 3,
        name: "domain_admin",
        description: "Full control of one zone: records, DNSSEC, access grants",
        permissions: &[
            "domains:read",
            "domains:update",
            "domains:delete",
            "records:*",
            "dnssec:*",
            "access_grants:*",
        ],
    },
    SystemRole {
        id: 4,
        name: "domain_manager",
        description: "Record management; no DNSSEC changes, no further delegation",
        permissions: &["domains:read", "records:*", "dnssec:read"],
    },
    SystemRole {
        id: 5,
        name: "record_editor",
        description: "Create and modify records; no delete",
        permissions: &[
            "domains:read",
            "records:read",
            "records:create",
            "records:update",
            "dnssec:read",
        ],
    },
    SystemRole {
        id: 6,
        name: "read_only",
        description: "Read only",
        permissions: &[
            "domains:read",
            "records:read",
            "dnssec:read",
            "access_grants:read",
        ],
    },
    SystemRole {
        id: 7,
        name: VALIDATION_BYPASS,
        description: "Create zones that skip ownership validation (trusted internal use)",
        permissions: &["validation_bypass"],
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
    use crate::rbac::permission::Permission;

    #[test]
    fn every_system_permission_string_is_known() {
        for role in SYSTEM_ROLES {
            for p in role.permissions {
                assert!(PermSet::parse_one(p).is_ok(), "{}: {p}", role.name);
            }
        }
    }

    #[test]
    fn narrower_roles_are_subsets() {
        let set = |n: &str| system_role(n).unwrap().perm_set();
        assert!(set("platform_admin").covers(set("tenant_admin")));
        assert!(set("tenant_admin").covers(set("domain_admin")));
        assert!(set("domain_admin").covers(set("domain_manager")));
        assert!(set("domain_manager").covers(set("record_editor")));
        let delete = Permission::parse("records:delete").unwrap();
        assert!(!set("record_editor").contains(delete));
        assert!(!set("tenant_admin").contains(Permission::parse("validation_bypass").unwrap()));
    }
}
