//! A zone change told at RRset level: each RRset it touched, as it was before and as it is
//! after. It is what zone history keeps for every generation step, what a plan (a dry run)
//! shows, and what a diff between two generations or a restore is computed from.
//!
//! Deltas compose: the change from generation `a` to `c` is the change `a → b` followed by
//! `b → c`, each RRset keeping its first `before` and its last `after` (an RRset that ends as it
//! began drops out). Undoing a composed change (a restore) puts every RRset back to its `before`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::{Record, RecordType};
use crate::zone::rules::{rrsets_of, same_rrset};
use crate::zone::{RrSet, RrSetChange};

/// One RRset touched by a change. `None` on a side: the RRset did not exist (before) or no
/// longer exists (after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RrSetDelta {
    /// Absolute owner name, lowercase, trailing dot.
    pub name: String,
    /// Type.
    pub rtype: RecordType,
    /// The RRset before the change.
    pub before: Option<RrSet>,
    /// The RRset after the change.
    pub after: Option<RrSet>,
}

impl RrSetDelta {
    /// The backend change that applies this delta forwards.
    pub fn forward(&self) -> RrSetChange {
        Self::change_to(&self.name, self.rtype, self.after.as_ref())
    }

    /// The backend change that undoes this delta.
    pub fn backward(&self) -> RrSetChange {
        Self::change_to(&self.name, self.rtype, self.before.as_ref())
    }

    fn change_to(name: &str, rtype: RecordType, set: Option<&RrSet>) -> RrSetChange {
        match set {
            Some(set) => RrSetChange::Replace(set.clone()),
            None => RrSetChange::Delete {
                name: name.to_owned(),
                rtype,
            },
        }
    }
}

type Key = (String, RecordType);

fn non_empty(sets: &[RrSet]) -> BTreeMap<Key, &RrSet> {
    sets.iter()
        .filter(|s| !s.records.is_empty())
        .map(|s| ((s.name.clone(), s.rtype), s))
        .collect()
}

fn unchanged(before: Option<&RrSet>, after: Option<&RrSet>) -> bool {
    match (before, after) {
        (None, None) => true,
        (Some(b), Some(a)) => same_rrset(b, a),
        _ => false,
    }
}

/// The RRsets that differ between two states of a zone, sorted by name and type. SOA serials
/// are the backend's: two SOAs that differ only in the serial are the same.
pub fn change_set(before: &[RrSet], after: &[RrSet]) -> Vec<RrSetDelta> {
    let before = non_empty(before);
    let after = non_empty(after);
    let mut keys: Vec<&Key> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (before.get(key).copied(), after.get(key).copied());
            (!unchanged(b, a)).then(|| RrSetDelta {
                name: key.0.clone(),
                rtype: key.1,
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

/// [`change_set`] of two record lists (each grouped into RRsets first).
pub fn change_set_of_records(before: &[Record], after: &[Record]) -> Vec<RrSetDelta> {
    change_set(&rrsets_of(before), &rrsets_of(after))
}

/// Consecutive changes, oldest first, as one: each RRset keeps the `before` of its first delta
/// and the `after` of its last; an RRset that ends as it began is left out. Sorted by name and
/// type.
pub fn compose<'a>(steps: impl IntoIterator<Item = &'a [RrSetDelta]>) -> Vec<RrSetDelta> {
    let mut merged: BTreeMap<Key, RrSetDelta> = BTreeMap::new();
    for step in steps {
        for delta in step {
            merged
                .entry((delta.name.clone(), delta.rtype))
                .and_modify(|m| m.after = delta.after.clone())
                .or_insert_with(|| delta.clone());
        }
    }
    merged
        .into_values()
        .filter(|d| !unchanged(d.before.as_ref(), d.after.as_ref()))
        .collect()
}

/// The change that undoes `deltas`: before and after swapped.
pub fn invert(deltas: &[RrSetDelta]) -> Vec<RrSetDelta> {
    deltas
        .iter()
        .map(|d| RrSetDelta {
            name: d.name.clone(),
            rtype: d.rtype,
            before: d.after.clone(),
            after: d.before.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::RrData;

    fn set(name: &str, rtype: RecordType, ttl: u32, contents: &[&str]) -> RrSet {
        RrSet {
            name: name.to_owned(),
            rtype,
            ttl,
            records: contents
                .iter()
                .map(|c| RrData {
                    content: (*c).to_owned(),
                    disabled: false,
                })
                .collect(),
        }
    }

    fn www(contents: &[&str]) -> RrSet {
        set("www.example.com.", RecordType::A, 300, contents)
    }

    fn soa(serial: u32) -> RrSet {
        set(
            "example.com.",
            RecordType::SOA,
            3600,
            &[&format!(
                "ns1.example.net. hostmaster.example.com. {serial} 10800 3600 604800 3600"
            )],
        )
    }

    #[test]
    fn names_added_changed_and_removed_sets_only() {
        let mail = set("example.com.", RecordType::MX, 300, &["10 mx.example.com."]);
        let txt = set("example.com.", RecordType::TXT, 300, &["\"v=spf1 -all\""]);
        let before = [soa(1), www(&["192.0.2.1"]), mail.clone()];
        let after = [soa(2), www(&["192.0.2.2"]), txt.clone()];
        let deltas = change_set(&before, &after);
        let summary: Vec<_> = deltas
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.rtype,
                    d.before.is_some(),
                    d.after.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("example.com.", RecordType::MX, true, false),
                ("example.com.", RecordType::TXT, false, true),
                ("www.example.com.", RecordType::A, true, true),
            ],
            "the SOA differs only in its serial and is left out"
        );
        assert_eq!(deltas[2].after, Some(www(&["192.0.2.2"])));
    }

    #[test]
    fn a_ttl_change_is_a_change_and_an_empty_set_is_no_set() {
        let longer = set("www.example.com.", RecordType::A, 600, &["192.0.2.1"]);
        assert_eq!(change_set(&[www(&["192.0.2.1"])], &[longer]).len(), 1);
        assert!(change_set(&[www(&[])], &[]).is_empty());
    }

    #[test]
    fn composing_keeps_first_before_and_last_after_and_drops_round_trips() {
        let one = change_set(&[www(&["192.0.2.1"])], &[www(&["192.0.2.2"])]);
        let two = change_set(&[www(&["192.0.2.2"])], &[www(&["192.0.2.3"])]);
        let composed = compose([one.as_slice(), two.as_slice()]);
        assert_eq!(composed.len(), 1);
        assert_eq!(composed[0].before, Some(www(&["192.0.2.1"])));
        assert_eq!(composed[0].after, Some(www(&["192.0.2.3"])));

        let back = change_set(&[www(&["192.0.2.3"])], &[www(&["192.0.2.1"])]);
        assert!(compose([one.as_slice(), two.as_slice(), back.as_slice()]).is_empty());
    }

    #[test]
    fn inverting_swaps_sides_and_backward_deletes_what_was_added() {
        let added = change_set(&[], &[www(&["192.0.2.1"])]);
        assert_eq!(
            added[0].backward(),
            RrSetChange::Delete {
                name: "www.example.com.".into(),
                rtype: RecordType::A
            }
        );
        let undone = invert(&added);
        assert_eq!(undone[0].before, Some(www(&["192.0.2.1"])));
        assert_eq!(undone[0].after, None);
        assert_eq!(undone[0].forward(), added[0].backward());
    }
}
