//! The permission catalogue (spec api-identity §6.3) and [`PermSet`], a bit set over it.
//!
//! Every permission ScaiDNS checks is a [`Permission`] constant generated, together with
//! [`CATALOGUE`], from the one list in this file, so the code cannot name a permission the
//! catalogue lacks (a typo is a compile error). Strings are parsed only where users send
//! them. Roles and API-key scopes may also use the wildcards `<resource>:*` and `*`, and
//! `records:write`, which stands for `records:create`, `records:update` and `records:delete`
//! (interface decision 18). Wildcards are expanded once, when a role or a key is read, so a
//! decision is a bit test.

use std::fmt;

use crate::error::{Error, Result};

/// Generates, from one list of `CONSTANT = "string" => "description"` entries, the
/// [`Permission`] constants, their bit positions (list order) and [`CATALOGUE`], so the three
/// can never disagree.
macro_rules! catalogue {
    ($($konst:ident = $name:literal => $description:literal,)*) => {
        /// Bit positions, in list order.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(u8)]
        enum Bit {
            $($konst,)*
        }

        impl Permission {
            $(
                #[doc = concat!("`", $name, "`: ", $description, ".")]
                pub const $konst: Permission = Permission(Bit::$konst as u8);
            )*
        }

        /// Every permission, with what it guards. The position is the bit in [`PermSet`].
        pub const CATALOGUE: &[(&str, &str)] = &[$(($name, $description),)*];

        #[cfg(test)]
        const GENERATED: &[(Permission, &str, &str)] = &[$((Permission::$konst, $name, $description),)*];
    };
}

catalogue! {
    DOMAINS_READ = "domains:read" => "List and read zones",
    DOMAINS_CREATE = "domains:create" => "Create zones",
    DOMAINS_UPDATE = "domains:update" => "Change, restore and validate zones",
    DOMAINS_DELETE = "domains:delete" => "Delete zones",
    RECORDS_READ = "records:read" => "List and read records; export",
    RECORDS_CREATE = "records:create" => "Create records; bulk create; import",
    RECORDS_UPDATE = "records:update" => "Change records",
    RECORDS_DELETE = "records:delete" => "Delete records; bulk delete",
    DNSSEC_READ = "dnssec:read" => "Read DNSSEC status and keys",
    DNSSEC_ENABLE = "dnssec:enable" => "Enable DNSSEC",
    DNSSEC_DISABLE = "dnssec:disable" => "Disable DNSSEC",
    DNSSEC_ROTATE = "dnssec:rotate" => "Roll keys; confirm DS publication",
    ACCESS_GRANTS_READ = "access_grants:read" => "List and read a zone's access grants",
    ACCESS_GRANTS_CREATE = "access_grants:create" => "Create access grants",
    ACCESS_GRANTS_UPDATE = "access_grants:update" => "Change access grants",
    ACCESS_GRANTS_DELETE = "access_grants:delete" => "Delete access grants",
    API_KEYS_READ = "api_keys:read" => "List and read other principals' API keys",
    API_KEYS_CREATE = "api_keys:create" => "Create API keys for other principals",
    API_KEYS_UPDATE = "api_keys:update" => "Revoke, activate and regenerate others' API keys",
    API_KEYS_DELETE = "api_keys:delete" => "Delete others' API keys",
    ROLES_READ = "roles:read" => "List roles, assignments and effective permissions",
    ROLES_CREATE = "roles:create" => "Create custom roles",
    ROLES_UPDATE = "roles:update" => "Change custom roles",
    ROLES_DELETE = "roles:delete" => "Delete custom roles",
    ROLES_ASSIGN = "roles:assign" => "Assign and revoke roles",
    USERS_READ = "users:read" => "List and read users",
    USERS_CREATE = "users:create" => "Create users",
    USERS_UPDATE = "users:update" => "Change users",
    USERS_DELETE = "users:delete" => "Deactivate users",
    GROUPS_READ = "groups:read" => "List and read groups",
    GROUPS_CREATE = "groups:create" => "Create groups",
    GROUPS_UPDATE = "groups:update" => "Change groups and their members",
    GROUPS_DELETE = "groups:delete" => "Delete groups",
    AUDIT_READ = "audit:read" => "Read the audit log",
    TEMPLATES_READ = "templates:read" => "List and read templates",
    TEMPLATES_CREATE = "templates:create" => "Create templates",
    TEMPLATES_UPDATE = "templates:update" => "Change templates",
    TEMPLATES_DELETE = "templates:delete" => "Delete templates",
    WEBHOOKS_READ = "webhooks:read" => "List and read webhook subscriptions and their deliveries",
    WEBHOOKS_WRITE = "webhooks:write" => "Create, change, delete and test webhook subscriptions; redeliver",
    VALIDATION_BYPASS = "validation_bypass" => "Create zones that skip ownership validation",
    PLATFORM_ADMIN = "platform:admin" => "Platform administration: tenants, nameservers, settings",
}

// The bit set is a u64.
const _: () = assert!(CATALOGUE.len() <= 64);

/// One permission of the catalogue.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission(u8);

impl Permission {
    /// The catalogue entry named `name` (exact, no wildcards).
    pub fn parse(name: &str) -> Result<Self> {
        CATALOGUE
            .iter()
            .position(|(n, _)| *n == name)
            .and_then(|i| u8::try_from(i).ok())
            .map(Self)
            .ok_or_else(|| unknown(name))
    }

    /// The permission string.
    pub fn as_str(self) -> &'static str {
        CATALOGUE
            .get(usize::from(self.0))
            .map_or("", |(name, _)| name)
    }

    /// What it guards.
    pub fn description(self) -> &'static str {
        CATALOGUE
            .get(usize::from(self.0))
            .map_or("", |(_, description)| description)
    }

    /// Every permission, in catalogue order.
    pub fn all() -> impl Iterator<Item = Permission> {
        (0..CATALOGUE.len()).filter_map(|i| u8::try_from(i).ok().map(Permission))
    }

    const fn bit(self) -> u64 {
        1u64 << self.0
    }
}

impl fmt::Debug for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether permission `name` belongs to `resource`: it is `<resource>:<action>`.
const fn of_resource(name: &str, resource: &str) -> bool {
    let (name, resource) = (name.as_bytes(), resource.as_bytes());
    if name.len() <= resource.len() || name[resource.len()] != b':' {
        return false;
    }
    let mut i = 0;
    while i < resource.len() {
        if name[i] != resource[i] {
            return false;
        }
        i += 1;
    }
    true
}

fn unknown(name: &str) -> Error {
    Error::invalid(
        "permissions",
        format!("'{name}' is not a permission (see GET /api/v1/roles/permissions)"),
    )
}

/// A set of permissions.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermSet(u64);

impl PermSet {
    /// No permission.
    pub const EMPTY: PermSet = PermSet(0);

    /// Every permission of the catalogue (`*`).
    pub const ALL: PermSet = PermSet(u64::MAX >> (64 - CATALOGUE.len()));

    /// `domains:*`.
    pub const DOMAINS: PermSet = PermSet::resource("domains");
    /// `records:*`.
    pub const RECORDS: PermSet = PermSet::resource("records");
    /// `dnssec:*`.
    pub const DNSSEC: PermSet = PermSet::resource("dnssec");
    /// `access_grants:*`.
    pub const ACCESS_GRANTS: PermSet = PermSet::resource("access_grants");
    /// `api_keys:*`.
    pub const API_KEYS: PermSet = PermSet::resource("api_keys");
    /// `roles:*`.
    pub const ROLES: PermSet = PermSet::resource("roles");
    /// `users:*`.
    pub const USERS: PermSet = PermSet::resource("users");
    /// `groups:*`.
    pub const GROUPS: PermSet = PermSet::resource("groups");
    /// `templates:*`.
    pub const TEMPLATES: PermSet = PermSet::resource("templates");
    /// `webhooks:*`.
    pub const WEBHOOKS: PermSet = PermSet::resource("webhooks");
    /// `records:write`: creating, changing and deleting records.
    pub const RECORDS_WRITE: PermSet = PermSet::of(&[
        Permission::RECORDS_CREATE,
        Permission::RECORDS_UPDATE,
        Permission::RECORDS_DELETE,
    ]);

    /// Every permission of the catalogue.
    pub fn all() -> Self {
        Self::ALL
    }

    /// The set of `perms`.
    pub const fn of(perms: &[Permission]) -> Self {
        let mut set = Self::EMPTY;
        let mut i = 0;
        while i < perms.len() {
            set = set.with(perms[i]);
            i += 1;
        }
        set
    }

    /// Every permission of `resource` (`<resource>:*`); used in constants, where an unknown
    /// resource fails the build.
    const fn resource(resource: &str) -> Self {
        let set = Self::resource_or_empty(resource);
        assert!(!set.is_empty(), "no permission of this resource");
        set
    }

    const fn resource_or_empty(resource: &str) -> Self {
        let mut set = Self::EMPTY;
        let mut i = 0;
        while i < CATALOGUE.len() {
            if of_resource(CATALOGUE[i].0, resource) {
                set = Self(set.0 | 1u64 << i);
            }
            i += 1;
        }
        set
    }

    /// Expands one permission string: exact, `<resource>:*`, `records:write` or `*`.
    pub fn parse_one(text: &str) -> Result<Self> {
        if text == "*" {
            return Ok(Self::ALL);
        }
        if text == "records:write" {
            return Ok(Self::RECORDS_WRITE);
        }
        if let Some(resource) = text.strip_suffix(":*") {
            let set = Self::resource_or_empty(resource);
            return if set.is_empty() {
                Err(unknown(text))
            } else {
                Ok(set)
            };
        }
        Permission::parse(text).map(|p| Self::EMPTY.with(p))
    }

    /// The union of several permission strings.
    pub fn parse_all<S: AsRef<str>>(texts: &[S]) -> Result<Self> {
        texts.iter().try_fold(Self::EMPTY, |acc, t| {
            Self::parse_one(t.as_ref()).map(|s| acc.union(s))
        })
    }

    /// Like [`PermSet::parse_all`], skipping strings that are not permissions (stored data
    /// written by a newer version must not lock anyone out).
    pub fn parse_lenient<S: AsRef<str>>(texts: &[S]) -> Self {
        texts
            .iter()
            .filter_map(|t| Self::parse_one(t.as_ref()).ok())
            .fold(Self::EMPTY, Self::union)
    }

    /// This set plus `p`.
    #[must_use]
    pub const fn with(self, p: Permission) -> Self {
        Self(self.0 | p.bit())
    }

    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// Whether every permission of `other` is in the set.
    pub fn covers(self, other: PermSet) -> bool {
        other.0 & !self.0 == 0
    }

    /// Union.
    #[must_use]
    pub const fn union(self, other: PermSet) -> Self {
        Self(self.0 | other.0)
    }

    /// Intersection.
    #[must_use]
    pub fn intersect(self, other: PermSet) -> Self {
        Self(self.0 & other.0)
    }

    /// The permissions of `self` missing from `other`.
    #[must_use]
    pub fn minus(self, other: PermSet) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::all().filter(move |p| self.contains(p.to_owned()))
    }

    /// The permission strings, in catalogue order.
    pub fn names(self) -> Vec<String> {
        self.iter().map(|p| p.as_str().to_owned()).collect()
    }
}

impl fmt::Debug for PermSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_fits_the_bit_set_and_has_no_duplicates() {
        assert!(CATALOGUE.len() <= 64);
        let mut names: Vec<_> = CATALOGUE.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        assert_eq!(Permission::all().count(), CATALOGUE.len());
        assert_eq!(PermSet::ALL.iter().count(), CATALOGUE.len());
    }

    #[test]
    fn every_constant_round_trips_through_its_string() {
        assert_eq!(GENERATED.len(), CATALOGUE.len());
        for &(constant, name, description) in GENERATED {
            assert_eq!(constant.as_str(), name);
            assert_eq!(constant.description(), description);
            assert_eq!(Permission::parse(name).unwrap(), constant);
            assert_eq!(constant.to_string(), name);
        }
        assert_eq!(Permission::RECORDS_READ.as_str(), "records:read");
        assert_eq!(Permission::PLATFORM_ADMIN.as_str(), "platform:admin");
    }

    #[test]
    fn resource_constants_are_the_wildcards() {
        for (constant, wildcard) in [
            (PermSet::DOMAINS, "domains:*"),
            (PermSet::RECORDS, "records:*"),
            (PermSet::DNSSEC, "dnssec:*"),
            (PermSet::ACCESS_GRANTS, "access_grants:*"),
            (PermSet::API_KEYS, "api_keys:*"),
            (PermSet::ROLES, "roles:*"),
            (PermSet::USERS, "users:*"),
            (PermSet::GROUPS, "groups:*"),
            (PermSet::TEMPLATES, "templates:*"),
            (PermSet::WEBHOOKS, "webhooks:*"),
            (PermSet::RECORDS_WRITE, "records:write"),
            (PermSet::ALL, "*"),
        ] {
            assert_eq!(
                PermSet::parse_one(wildcard).unwrap(),
                constant,
                "{wildcard}"
            );
        }
        assert_eq!(
            PermSet::DNSSEC.names(),
            [
                "dnssec:read",
                "dnssec:enable",
                "dnssec:disable",
                "dnssec:rotate"
            ]
        );
        // Neither a prefix of a resource nor a permission without one is a resource.
        assert!(PermSet::parse_one("domain:*").is_err());
        assert!(PermSet::parse_one("validation_bypass:*").is_err());
        assert!(PermSet::parse_one("records:read:*").is_err());
    }

    #[test]
    fn wildcards_expand() {
        let write = PermSet::parse_one("records:write").unwrap();
        assert_eq!(
            write.names(),
            ["records:create", "records:update", "records:delete"]
        );
        assert_eq!(PermSet::parse_one("dnssec:*").unwrap().iter().count(), 4);
        assert_eq!(PermSet::parse_one("*").unwrap(), PermSet::all());
        assert!(PermSet::parse_one("nope:*").is_err());
        assert!(PermSet::parse_one("domains:fly").is_err());
        let read = PermSet::parse_one("domains:read").unwrap();
        assert!(PermSet::all().covers(read) && !read.covers(write));
        assert_eq!(write.minus(read), write);
    }
}
