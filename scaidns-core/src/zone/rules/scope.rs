//! The part of a zone a change can affect. Every zone rule is about one name, so a change is
//! decided by the records it names by id (its updates and deletes) and by every record at the
//! names it touches: those records' names and its creates'. Finding them takes one pass over the
//! zone that compares rather than hashes while the change is small, so a single-record change
//! in a 10,000-record zone builds nothing per record it does not touch.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::ids::RecordId;
use crate::record::Record;
use crate::zone::rules::ChangeSet;

/// Records of a zone that a change can affect.
pub(crate) struct Scope<'a> {
    /// The records the change's updates and deletes name, by id.
    pub named: HashMap<RecordId, &'a Record>,
    /// Every record at a touched name, in the zone's order: where a rule reports the first
    /// record of a kind, it finds the one it would find in the whole zone.
    pub records: Vec<&'a Record>,
}

impl<'a> Scope<'a> {
    pub fn of(existing: &'a [Record], change: &ChangeSet) -> Self {
        let named = named_by(existing, change);
        let names = SmallSet::new(
            change
                .creates
                .iter()
                .map(|c| c.name.fqdn())
                .chain(named.values().map(|r| r.name.fqdn())),
        );
        let records = if names.is_empty() {
            Vec::new()
        } else {
            existing
                .iter()
                .filter(|r| names.contains(&r.name.fqdn()))
                .collect()
        };
        Self { named, records }
    }

    /// Every record of the zone, as the check took before it looked at the touched names
    /// only; the equivalence test's reference.
    #[cfg(test)]
    pub fn whole(existing: &'a [Record], change: &ChangeSet) -> Self {
        Self {
            named: named_by(existing, change),
            records: existing.iter().collect(),
        }
    }
}

/// The records the change's updates and deletes name, by id.
fn named_by<'a>(existing: &'a [Record], change: &ChangeSet) -> HashMap<RecordId, &'a Record> {
    let ids = change
        .updates
        .iter()
        .map(|u| u.id)
        .chain(change.deletes.iter().copied());
    records_with_ids(existing, ids)
}

/// The records of `existing` with one of `ids`, by id; no pass over the zone when there are none.
pub(crate) fn records_with_ids(
    existing: &[Record],
    ids: impl IntoIterator<Item = RecordId>,
) -> HashMap<RecordId, &Record> {
    let ids = SmallSet::new(ids);
    if ids.is_empty() {
        return HashMap::new();
    }
    existing
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| (r.id, r))
        .collect()
}

/// Members past which a [`SmallSet`] hashes: up to here, comparing a zone's every record with
/// each member costs less than hashing it once.
const FEW: usize = 8;

/// A set asked about every record of a zone: scanned while small (the usual single-record
/// change), hashed beyond.
enum SmallSet<T> {
    Few(Vec<T>),
    Many(HashSet<T>),
}

impl<T: Eq + Hash> SmallSet<T> {
    fn new(items: impl IntoIterator<Item = T>) -> Self {
        let mut items = items.into_iter();
        let mut few = Vec::new();
        for item in items.by_ref() {
            if !few.contains(&item) {
                few.push(item);
            }
            if few.len() > FEW {
                return Self::Many(few.into_iter().chain(items).collect());
            }
        }
        Self::Few(few)
    }

    fn is_empty(&self) -> bool {
        match self {
            Self::Few(few) => few.is_empty(),
            Self::Many(many) => many.is_empty(),
        }
    }

    fn contains(&self, item: &T) -> bool {
        match self {
            Self::Few(few) => few.contains(item),
            Self::Many(many) => many.contains(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_set_answers_alike_scanned_or_hashed() {
        for size in [0, 1, FEW, FEW + 1, 3 * FEW] {
            // Every member twice: duplicates neither count towards the bound nor get lost.
            let set = SmallSet::new((0..size).chain(0..size));
            assert_eq!(set.is_empty(), size == 0);
            assert_eq!(matches!(set, SmallSet::Many(_)), size > FEW, "size {size}");
            assert!((0..size).all(|i| set.contains(&i)));
            assert!(!set.contains(&size));
        }
    }
}
