//! Records grouped into RRsets (RFC 2181 §5) and the minimal set of backend changes between
//! two zone states.
//!
//! The backend replaces whole RRsets, so publishing is a diff of RRsets. DELETEs go first:
//! PowerDNS applies a PATCH in order and refuses a CNAME while the old A set still exists
//! (powerdns.md §8.4). SOA serials belong to the backend (SOA-EDIT-API), so two SOAs that differ
//! only in the serial count as equal.

use std::collections::BTreeMap;

use crate::record::{Record, RecordType};
use crate::zone::soa::with_serial;
use crate::zone::{RrData, RrSet, RrSetChange};

/// One record's contribution to an RRset.
pub(crate) struct Member<'a> {
    pub name: &'a str,
    pub rtype: RecordType,
    pub content: &'a str,
    pub ttl: u32,
    pub disabled: bool,
}

impl<'a> Member<'a> {
    pub fn of(r: &'a Record) -> Self {
        Self {
            name: r.name.fqdn(),
            rtype: r.rtype(),
            content: r.content.as_str(),
            ttl: r.ttl.seconds(),
            disabled: r.disabled,
        }
    }
}

/// Groups records by owner name and type; each set is sorted by content and takes the smallest
/// TTL of its records (the records share one, interface decision 10).
pub fn rrsets_of(records: &[Record]) -> Vec<RrSet> {
    group(records.iter().map(Member::of))
}

pub(crate) fn group<'a>(members: impl Iterator<Item = Member<'a>>) -> Vec<RrSet> {
    let mut sets: BTreeMap<(&str, RecordType), RrSet> = BTreeMap::new();
    for m in members {
        let set = sets.entry((m.name, m.rtype)).or_insert_with(|| RrSet {
            name: m.name.to_owned(),
            rtype: m.rtype,
            ttl: m.ttl,
            records: Vec::new(),
        });
        set.ttl = set.ttl.min(m.ttl);
        set.records.push(RrData {
            content: m.content.to_owned(),
            disabled: m.disabled,
        });
    }
    sets.into_values()
        .map(|mut s| {
            s.records.sort();
            s
        })
        .collect()
}

/// The changes that turn `old` into `new`: DELETEs first, then REPLACEs, for changed sets only.
pub fn diff_rrsets(old: &[RrSet], new: &[RrSet]) -> Vec<RrSetChange> {
    let key = |s: &RrSet| (s.name.clone(), s.rtype);
    let old_by_key: BTreeMap<_, &RrSet> = old.iter().map(|s| (key(s), s)).collect();
    let new_by_key: BTreeMap<_, &RrSet> = new
        .iter()
        .filter(|s| !s.records.is_empty())
        .map(|s| (key(s), s))
        .collect();

    let deletes = old_by_key
        .iter()
        .filter(|(k, s)| !s.records.is_empty() && !new_by_key.contains_key(*k))
        .map(|((name, rtype), _)| RrSetChange::Delete {
            name: name.clone(),
            rtype: *rtype,
        });
    let replaces = new_by_key
        .iter()
        .filter(|(k, s)| old_by_key.get(*k).is_none_or(|o| !same_rrset(o, s)))
        .map(|(_, s)| RrSetChange::Replace((*s).clone()));
    deletes.chain(replaces).collect()
}

/// Whether two RRsets hold the same data; SOA serials are the backend's and are ignored.
pub fn same_rrset(a: &RrSet, b: &RrSet) -> bool {
    if a.rtype != RecordType::SOA {
        return a.ttl == b.ttl && a.records == b.records;
    }
    let strip = |s: &RrSet| -> Vec<RrData> {
        s.records
            .iter()
            .map(|r| RrData {
                content: with_serial(&r.content, 0),
                disabled: r.disabled,
            })
            .collect()
    };
    a.ttl == b.ttl && strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn groups_sorts_and_takes_min_ttl() {
        let m = |name, rtype, content, ttl, disabled| Member {
            name,
            rtype,
            content,
            ttl,
            disabled,
        };
        let sets = group(
            [
                m("www.example.com.", RecordType::A, "192.0.2.2", 300, false),
                m("a.example.com.", RecordType::A, "192.0.2.9", 60, false),
                m("www.example.com.", RecordType::A, "192.0.2.1", 120, true),
                m(
                    "www.example.com.",
                    RecordType::AAAA,
                    "2001:db8::1",
                    300,
                    false,
                ),
            ]
            .into_iter(),
        );
        assert_eq!(sets.len(), 3);
        assert_eq!(sets[0].name, "a.example.com.");
        let www = &sets[1];
        assert_eq!((www.rtype, www.ttl), (RecordType::A, 120));
        assert_eq!(
            www.records[0],
            RrData {
                content: "192.0.2.1".into(),
                disabled: true
            }
        );
        assert_eq!(www.records[1].content, "192.0.2.2");
    }

    #[test]
    fn diff_orders_deletes_first_and_skips_unchanged() {
        let old = vec![
            set("a.example.com.", RecordType::A, 300, &["192.0.2.1"]),
            set("b.example.com.", RecordType::A, 300, &["192.0.2.2"]),
            set("c.example.com.", RecordType::A, 300, &["192.0.2.3"]),
        ];
        let new = vec![
            set(
                "a.example.com.",
                RecordType::CNAME,
                300,
                &["x.example.net."],
            ),
            set("b.example.com.", RecordType::A, 300, &["192.0.2.2"]),
            set("c.example.com.", RecordType::A, 60, &["192.0.2.3"]),
        ];
        let changes = diff_rrsets(&old, &new);
        assert_eq!(
            changes,
            vec![
                RrSetChange::Delete {
                    name: "a.example.com.".into(),
                    rtype: RecordType::A
                },
                RrSetChange::Replace(new[0].clone()),
                RrSetChange::Replace(new[2].clone()),
            ]
        );
        assert!(diff_rrsets(&new, &new).is_empty());
    }

    #[test]
    fn diff_sees_disabled_flags_and_empty_sets() {
        let old = vec![set("a.example.com.", RecordType::A, 300, &["192.0.2.1"])];
        let mut new = old.clone();
        new[0].records[0].disabled = true;
        assert_eq!(
            diff_rrsets(&old, &new),
            vec![RrSetChange::Replace(new[0].clone())]
        );
        let emptied = vec![set("a.example.com.", RecordType::A, 300, &[])];
        assert_eq!(
            diff_rrsets(&old, &emptied),
            vec![RrSetChange::Delete {
                name: "a.example.com.".into(),
                rtype: RecordType::A
            }]
        );
    }

    #[test]
    fn soa_serial_changes_are_ignored() {
        let soa = |serial: u32| {
            let content =
                format!("ns1.example.net. hostmaster.example.com. {serial} 3600 600 604800 600");
            set("example.com.", RecordType::SOA, 3600, &[content.as_str()])
        };
        assert!(diff_rrsets(&[soa(1)], &[soa(2026010101)]).is_empty());
        let mut moved = soa(1);
        moved.records[0].content =
            "ns2.example.net. hostmaster.example.com. 1 3600 600 604800 600".into();
        assert_eq!(
            diff_rrsets(&[soa(5)], &[moved.clone()]),
            vec![RrSetChange::Replace(moved)]
        );
    }
}
