//! What a record-limited grant sees (docs/permissions.md, "Record-limited grants"): the one
//! filter every read that returns record data applies, and the one test every whole-zone write
//! makes. A caller whose permission reaches the whole zone (a role, or a grant with neither
//! pattern nor types) sees everything; one that holds it only through narrowed grants sees the
//! records those grants cover, and may not run operations that act on every record at once.

use super::decision::authorize;
use super::permission::Permission;
use super::principal::Principal;
use super::target::Target;
use crate::ids::{TenantId, ZoneId};
use crate::name::ZoneName;
use crate::record::{Record, RecordType};

/// The records of one zone a permission reaches, for one caller.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'p> {
    principal: &'p Principal,
    perm: Permission,
    zone: ZoneId,
    tenant: TenantId,
    whole: bool,
}

impl Principal {
    /// The records of `zone` that `perm` reaches.
    pub fn record_view(&self, perm: Permission, zone: ZoneId, tenant: TenantId) -> RecordView<'_> {
        let scoped = self.key_scopes().is_none_or(|s| s.contains(perm));
        let whole = self.is_system()
            || self.covers_whole_zone(perm, zone, tenant)
            || (scoped
                && self
                    .live_grants(zone)
                    .any(|g| !g.restricted() && g.perms.contains(perm)));
        let whole = whole
            && self
                .bound
                .as_ref()
                .is_none_or(|b| b.creator.record_view(perm, zone, tenant).is_whole());
        RecordView {
            principal: self,
            perm,
            zone,
            tenant,
            whole,
        }
    }
}

impl RecordView<'_> {
    /// Whether the permission reaches every record of the zone (so nothing is filtered, and
    /// whole-zone writes such as import in `replace` mode, restore or template apply are
    /// allowed).
    pub fn is_whole(&self) -> bool {
        self.whole
    }

    /// Whether the permission reaches the record `name` (relative to the zone, `@` for the
    /// apex) of type `rtype`.
    pub fn covers(&self, name: &str, rtype: RecordType) -> bool {
        self.whole
            || authorize(
                self.principal,
                self.perm,
                &Target::Record {
                    zone: self.zone,
                    tenant: self.tenant,
                    name,
                    rtype,
                },
            )
            .is_allowed()
    }

    /// Whether the permission reaches `record` of `zone`: the filter every listing of a zone's
    /// records (record list, export) applies.
    pub fn covers_record(&self, zone: &ZoneName, record: &Record) -> bool {
        self.whole || self.covers(&record.name.relative_to(zone), record.rtype())
    }

    /// Keeps the items whose record (as `key` names it: relative name and type) is covered.
    pub fn filter<T>(&self, items: Vec<T>, key: impl Fn(&T) -> (String, RecordType)) -> Vec<T> {
        if self.whole {
            return items;
        }
        items
            .into_iter()
            .filter(|item| {
                let (name, rtype) = key(item);
                self.covers(&name, rtype)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::rbac::assignments::RoleScope;
    use crate::rbac::principal::{GrantInput, PrincipalInput};
    use crate::rbac::roles::system_role;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn grant(zone: ZoneId, pattern: Option<&str>, types: Vec<RecordType>) -> GrantInput {
        GrantInput {
            zone,
            perms: system_role("domain_admin").unwrap().perm_set(),
            record_pattern: pattern.map(str::to_owned),
            record_types: types,
            expires_at: None,
        }
    }

    fn read() -> Permission {
        Permission::parse("records:read").unwrap()
    }

    #[test]
    fn narrowed_grants_filter_and_are_never_whole() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let narrowed = Principal::resolve(
            PrincipalInput {
                grants: vec![grant(z, Some("www"), vec![])],
                ..Default::default()
            },
            now(),
        );
        let view = narrowed.record_view(read(), z, t);
        assert!(!view.is_whole());
        // Seeing the zone is not holding it whole (the ownership challenge needs that).
        let see = Permission::parse("domains:read").unwrap();
        assert!(narrowed.can_see_zone(z, t) && !narrowed.record_view(see, z, t).is_whole());
        let kept = view.filter(
            vec![("www", RecordType::A), ("mail", RecordType::MX)],
            |(n, r)| ((*n).to_owned(), *r),
        );
        assert_eq!(kept, vec![("www", RecordType::A)]);

        let typed = Principal::resolve(
            PrincipalInput {
                grants: vec![grant(z, None, vec![RecordType::TXT])],
                ..Default::default()
            },
            now(),
        );
        let view = typed.record_view(read(), z, t);
        assert!(!view.is_whole());
        assert!(view.covers("anything", RecordType::TXT) && !view.covers("x", RecordType::A));
    }

    #[test]
    fn roles_and_unrestricted_grants_see_the_whole_zone() {
        let (t, z) = (TenantId::new(), ZoneId::new());
        let granted = Principal::resolve(
            PrincipalInput {
                grants: vec![grant(z, None, vec![])],
                ..Default::default()
            },
            now(),
        );
        assert!(granted.record_view(read(), z, t).is_whole());
        let role = Principal::resolve(
            PrincipalInput {
                assignments: vec![(
                    RoleScope::Domain(z),
                    system_role("read_only").unwrap().perm_set(),
                )],
                ..Default::default()
            },
            now(),
        );
        assert!(role.record_view(read(), z, t).is_whole());
        // Another zone: nothing.
        let other = ZoneId::new();
        let view = role.record_view(read(), other, t);
        assert!(!view.is_whole() && !view.covers("www", RecordType::A));
        // A key whose scopes leave the permission out sees nothing, grant or not.
        let scoped = Principal::resolve(
            PrincipalInput {
                grants: vec![grant(z, None, vec![])],
                key_scopes: Some(crate::rbac::PermSet::parse_all(&["domains:read"]).unwrap()),
                ..Default::default()
            },
            now(),
        );
        let view = scoped.record_view(read(), z, t);
        assert!(!view.is_whole() && !view.covers("www", RecordType::A));
    }
}
