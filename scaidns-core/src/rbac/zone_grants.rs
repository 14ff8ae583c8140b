//! A zone's access grants as the decision reads them: each grant's permissions, record pattern,
//! types and expiry ([`RecordGrant`]), and the per-zone set with an index of common pattern
//! shapes ([`ZoneGrants`]) that keeps record decisions cheap on zones with many grants.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::pattern::{PatternShape, RecordPattern};
use super::permission::{PermSet, Permission};
use crate::record::RecordType;

/// A grant as the decision needs it.
#[derive(Debug, Clone)]
pub(super) struct RecordGrant {
    pub(super) perms: PermSet,
    /// `None`: every name.
    pub(super) pattern: Option<RecordPattern>,
    /// A stored pattern that no longer parses: matches nothing.
    pub(super) broken_pattern: bool,
    /// Bit per `RecordType` discriminant; 0 = every type.
    pub(super) types: u64,
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
    pub(super) fn covers_every_type_at(&self, name: &str, beneath: bool) -> bool {
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

    pub(super) fn covers_record(&self, name: &str, rtype: RecordType) -> bool {
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

/// One bit per named type (fewer than 63 of them); every RFC 3597 `TYPEnnn` type shares the
/// top bit, so a grant listing one generic type covers them all (decisions.md).
fn type_bit(rtype: RecordType) -> u64 {
    const GENERIC: u32 = 63;
    let index = RecordType::ALL
        .iter()
        .position(|t| *t == rtype)
        .and_then(|i| u32::try_from(i).ok())
        .filter(|i| *i < GENERIC)
        .unwrap_or(GENERIC);
    1u64 << index
}

/// Above this many grants on one zone, record decisions look grants up by their pattern's
/// literal instead of matching every pattern (the linear scan is faster for a few grants).
pub(super) const INDEX_ABOVE: usize = 32;

/// A zone's grants, with an index of the common pattern shapes (`www`, `*.dev`) so a record
/// decision costs one lookup per suffix of the name rather than one match per grant.
#[derive(Debug, Clone, Default)]
pub(super) struct ZoneGrants {
    pub(super) all: Vec<RecordGrant>,
    pub(super) exact: HashMap<String, Vec<usize>>,
    pub(super) suffix: HashMap<String, Vec<usize>>,
    /// Grants with no pattern, a broken one, or another shape.
    rest: Vec<usize>,
}

impl ZoneGrants {
    pub(super) fn push(&mut self, grant: RecordGrant) {
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
    pub(super) fn covers(
        &self,
        perm: Permission,
        name: &str,
        rtype: RecordType,
        now: DateTime<Utc>,
    ) -> bool {
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

#[cfg(test)]
mod type_bit_tests {
    use super::*;

    #[test]
    fn every_named_type_has_its_own_bit() {
        let mut seen = 0u64;
        for t in RecordType::ALL {
            let bit = type_bit(*t);
            assert_eq!(seen & bit, 0, "{t} shares a bit");
            seen |= bit;
        }
        let generic = type_bit(RecordType::Generic(65280));
        assert_eq!(seen & generic, 0, "generic types share a named type's bit");
        assert_eq!(generic, type_bit(RecordType::Generic(262)));
    }
}
