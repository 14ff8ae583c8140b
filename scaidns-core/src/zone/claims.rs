//! Who may hold a name (interface decision 12, revised): only *live* zones hold a name space.
//! A pending claim never blocks anyone, so no tenant can squat a name by creating a zone and
//! never validating it; between competing claims the first to go live wins, and every later
//! attempt (creation, validation, restore) is refused with the reason.
//!
//! The same rule runs twice: in the service before any work (a clear answer, no wasted DNS
//! check), and in the store inside the transaction that makes a zone live, serialised per
//! [`claim_lock_key`], so two activations racing cannot both pass it.

use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::name::ZoneName;

/// Whether a zone may lie inside or above another tenant's live zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlapPolicy {
    /// Refused with `zone_overlap`: every tenant's own act, and every ownership check (proving
    /// you control a name says nothing about a name space another tenant already serves).
    #[default]
    Refuse,
    /// Allowed: a platform admin's explicit create or restore.
    AcrossTenants,
}

/// A live zone a claim is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveZone {
    /// Its tenant.
    pub tenant_id: TenantId,
    /// Its name.
    pub name: ZoneName,
}

/// Refuses a zone of `tenant` named `name` that cannot be live next to `live` (the *other*
/// live zones whose names equal, contain or lie inside `name`): the same name live anywhere
/// is `zone_taken` (the DNS backend knows zones by name only), and a name inside or above
/// another tenant's live zone is `zone_overlap` unless `policy` allows it. The tenant's own
/// zones may nest (delegating a subzone to itself).
pub fn check_claim(
    tenant: TenantId,
    name: &ZoneName,
    live: &[LiveZone],
    policy: OverlapPolicy,
) -> Result<()> {
    if live.iter().any(|other| other.name == *name) {
        return Err(zone_taken(name));
    }
    if policy == OverlapPolicy::AcrossTenants {
        return Ok(());
    }
    if !live
        .iter()
        .any(|other| other.tenant_id != tenant && other.name.overlaps(name))
    {
        return Ok(());
    }
    // Conflicts never name another tenant's objects: a zone below the caller's name need not
    // answer in DNS under the parent (nor be delegated yet), so neither its name nor whether it
    // lies above or below is told.
    Err(Error::conflict(
        "zone_overlap",
        format!(
            "{name} overlaps a name space another tenant already serves; the first zone to prove ownership holds it"
        ),
    )
    .with_field("name"))
}

/// The answer when another zone of `name` is live.
pub fn zone_taken(name: &ZoneName) -> Error {
    Error::conflict(
        "zone_taken",
        format!("{name} is already served on this platform by another zone, which went live first"),
    )
    .with_field("name")
}

/// The key that serialises activations which could overlap: the last two labels. Every zone
/// name has at least two, so two names that overlap (one is a suffix of the other) share them,
/// and names that do not share them cannot overlap.
pub fn claim_lock_key(name: &ZoneName) -> String {
    let labels: Vec<&str> = name.as_str().rsplitn(3, '.').collect();
    match labels.as_slice() {
        [tld, second, ..] => format!("{second}.{tld}"),
        _ => name.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(tenant: TenantId, name: &str) -> LiveZone {
        LiveZone {
            tenant_id: tenant,
            name: ZoneName::parse(name).unwrap(),
        }
    }

    fn name(text: &str) -> ZoneName {
        ZoneName::parse(text).unwrap()
    }

    #[test]
    fn only_live_zones_are_passed_and_the_same_name_is_taken() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let others = [live(a, "victim.example")];
        let err =
            check_claim(b, &name("victim.example"), &others, OverlapPolicy::Refuse).unwrap_err();
        assert_eq!(err.code(), "zone_taken");
        assert!(err.message().contains("went live first"), "{err}");
        // Even a platform admin cannot serve two zones of one name.
        let err = check_claim(
            b,
            &name("victim.example"),
            &others,
            OverlapPolicy::AcrossTenants,
        )
        .unwrap_err();
        assert_eq!(err.code(), "zone_taken");
        assert!(check_claim(b, &name("victim.example"), &[], OverlapPolicy::Refuse).is_ok());
    }

    #[test]
    fn another_tenants_live_zone_holds_the_name_space_both_ways() {
        let (a, b) = (TenantId::new(), TenantId::new());
        let others = [live(a, "squat.example")];
        let below = check_claim(
            b,
            &name("app.squat.example"),
            &others,
            OverlapPolicy::Refuse,
        )
        .unwrap_err();
        assert_eq!(below.code(), "zone_overlap");
        let inner = [live(a, "secret-project.squat.example")];
        let above =
            check_claim(b, &name("squat.example"), &inner, OverlapPolicy::Refuse).unwrap_err();
        assert_eq!(above.code(), "zone_overlap");
        // Neither the other tenant's zone nor the direction is told.
        for err in [&below, &above] {
            let text = err.message();
            assert!(!text.contains("secret-project"), "{text}");
            assert!(
                !text.contains("inside") && !text.contains("contains"),
                "{text}"
            );
        }
        assert!(!below.message().contains(" squat.example,"), "{below}");
        assert!(
            check_claim(
                b,
                &name("app.squat.example"),
                &others,
                OverlapPolicy::AcrossTenants
            )
            .is_ok()
        );
        assert!(
            check_claim(
                a,
                &name("app.squat.example"),
                &others,
                OverlapPolicy::Refuse
            )
            .is_ok(),
            "a tenant may nest its own zones"
        );
        assert!(
            check_claim(b, &name("notsquat.example"), &others, OverlapPolicy::Refuse).is_ok(),
            "overlap is label-aligned"
        );
    }

    #[test]
    fn overlapping_names_share_a_lock_key() {
        assert_eq!(claim_lock_key(&name("a.b.squat.example")), "squat.example");
        assert_eq!(claim_lock_key(&name("squat.example")), "squat.example");
        assert_eq!(
            claim_lock_key(&name("2.0.192.in-addr.arpa")),
            "in-addr.arpa"
        );
        for (x, y) in [
            ("example.com", "eu.example.com"),
            ("a.b.c.d", "c.d"),
            ("x.y.example.org", "y.example.org"),
        ] {
            assert!(name(x).overlaps(&name(y)));
            assert_eq!(claim_lock_key(&name(x)), claim_lock_key(&name(y)));
        }
    }
}
