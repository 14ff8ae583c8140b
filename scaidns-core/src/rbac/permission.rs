//! The permission catalogue (spec api-identity §6.3) and [`PermSet`], a bit set over it.
//!
//! Every permission string ScaiDNS checks is in [`CATALOGUE`]; roles and API-key scopes may
//! also use the wildcards `<resource>:*` and `*`, and `records:write`, which stands for
//! `records:create`, `records:update` and `records:delete` (interface decision 18). Wildcards
//! are expanded once, when a role or a key is read, so a decision is a bit test.

use std::fmt;

use crate::error::{Error, Result};

/// Every permission, with what it guards. The position is the bit in [`PermSet`].
pub const CATALOGUE: &[(&str, &str)] = &[
    ("domains:read", "List and read zones"),
    ("domains:create", "Create zones"),
    ("domains:update", "Change, restore and validate zones"),
    ("domains:delete", "Delete zones"),
    ("records:read", "List and read records; export"),
    ("records:create", "Create records; bulk create; import"),
    ("records:update", "Change records"),
    ("records:delete", "Delete records; bulk delete"),
    ("dnssec:read", "Read DNSSEC status and keys"),
    ("dnssec:enable", "Enable DNSSEC"),
    ("dnssec:disable", "Disable DNSSEC"),
    ("dnssec:rotate", "Roll keys; confirm DS publication"),
    ("access_grants:read", "List and read a zone's access grants"),
    ("access_grants:create", "Create access grants"),
    ("access_grants:update", "Change access grants"),
    ("access_grants:delete", "Delete access grants"),
    ("api_keys:read", "List and read other principals' API keys"),
    ("api_keys:create", "Create API keys for other principals"),
    (
        "api_keys:update",
        "Revoke, activate and regenerate others' API keys",
    ),
    ("api_keys:delete", "Delete others' API keys"),
    (
        "roles:read",
        "List roles, assignments and effective permissions",
    ),
    ("roles:create", "Create custom roles"),
    ("roles:update", "Change custom roles"),
    ("roles:delete", "Delete custom roles"),
    ("roles:assign", "Assign and revoke roles"),
    ("users:read", "List and read users"),
    ("users:create", "Create users"),
    ("users:update", "Change users"),
    ("users:delete", "Deactivate users"),
    ("groups:read", "List and read groups"),
    ("groups:create", "Create groups"),
    ("groups:update", "Change groups and their members"),
    ("groups:delete", "Delete groups"),
    ("audit:read", "Read the audit log"),
    ("templates:read", "List and read templates"),
    ("templates:create", "Create templates"),
    ("templates:update", "Change templates"),
    ("templates:delete", "Delete templates"),
    (
        "validation_bypass",
        "Create zones that skip ownership validation",
    ),
    (
        "platform:admin",
        "Platform administration: tenants, nameservers, settings",
    ),
];

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

    fn bit(self) -> u64 {
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

    /// Every permission of the catalogue.
    pub fn all() -> Self {
        Permission::all().fold(Self::EMPTY, |s, p| s.with(p))
    }

    /// Expands one permission string: exact, `<resource>:*`, `records:write` or `*`.
    pub fn parse_one(text: &str) -> Result<Self> {
        if text == "*" {
            return Ok(Self::all());
        }
        if text == "records:write" {
            return Ok(Self::from_names(&[
                "records:create",
                "records:update",
                "records:delete",
            ]));
        }
        if let Some(resource) = text.strip_suffix(":*") {
            let set = Permission::all()
                .filter(|p| {
                    p.as_str()
                        .split_once(':')
                        .is_some_and(|(r, _)| r == resource)
                })
                .fold(Self::EMPTY, |s, p| s.with(p));
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

    fn from_names(names: &[&str]) -> Self {
        Self::parse_lenient(names)
    }

    /// This set plus `p`.
    #[must_use]
    pub fn with(self, p: Permission) -> Self {
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
    pub fn union(self, other: PermSet) -> Self {
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
    pub fn is_empty(self) -> bool {
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
