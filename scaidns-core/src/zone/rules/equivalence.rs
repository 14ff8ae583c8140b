//! The check over the names a change touches decides exactly as the check over the whole zone
//! did: random zones and change sets from a seeded generator, each checked by both (the
//! whole-zone check is the same merge over every record of the zone,
//! [`plan::check_change_over_whole_zone`]), compared item by item but for the ids of created
//! records, which are new on every run. The zones hold older problems (a CNAME beside other
//! data, RRsets whose TTLs differ, the same record twice) and names no change touches. A rule
//! that looked past the touched names (a delegation's subtree, say) would fail here, and would
//! need its names added to the scope (`scope.rs`).

use std::collections::{BTreeSet, HashSet};

use chrono::DateTime;

use super::*;
use crate::zone::change_set::{RrSetDelta, change_set};

/// Cases run; each is reproducible alone from its seed.
const CASES: u64 = 4000;

const NAMES: &[&str] = &["@", "www", "mail", "sub", "x"];
const PADDING: &[&str] = &["pad0", "pad1", "pad2", "pad3", "pad4", "pad5"];
const TTLS: &[i64] = &[60, 300, 3600];
const DS: &str = "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const DATA: &[(RecordType, &[&str])] = &[
    (RecordType::A, &["192.0.2.1", "192.0.2.2", "192.0.2.3"]),
    (RecordType::AAAA, &["2001:db8::1", "2001:db8::2"]),
    (RecordType::CNAME, &["a.example.net.", "b.example.net."]),
    (RecordType::TXT, &["one", "two"]),
    (
        RecordType::MX,
        &["10 mx.example.net.", "20 mx.example.net."],
    ),
    (RecordType::NS, &["ns1.example.net.", "ns2.example.net."]),
    (RecordType::DNAME, &["example.org.", "example.net."]),
    (RecordType::ALIAS, &["lb.example.net.", "lb2.example.net."]),
    (RecordType::DS, &[DS]),
    (
        RecordType::SOA,
        &[
            "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
            "ns2.example.net. hostmaster.example.com. 2 3600 600 604800 600",
        ],
    ),
    (
        RecordType::PTR,
        &["host.example.com.", "other.example.com."],
    ),
];

/// SplitMix64: deterministic, and no crate for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn ttl(&mut self) -> Ttl {
        Ttl::new(self.pick(TTLS)).unwrap()
    }
}

fn content(rng: &mut Rng, zone: &ZoneName, rtype: RecordType) -> RecordContent {
    let (_, contents) = DATA.iter().find(|(t, _)| *t == rtype).unwrap();
    RecordContent::parse(rtype, rng.pick(contents), zone).unwrap()
}

fn any_content(rng: &mut Rng, zone: &ZoneName) -> RecordContent {
    let rtype = rng.pick(DATA).0;
    content(rng, zone, rtype)
}

fn name(rng: &mut Rng, zone: &ZoneName) -> RecordName {
    let pool = if rng.chance(15) { PADDING } else { NAMES };
    RecordName::parse(rng.pick(pool), zone).unwrap()
}

fn record(zone: &ZoneName, name: RecordName, content: RecordContent, rng: &mut Rng) -> Record {
    let epoch = DateTime::from_timestamp(0, 0).unwrap();
    Record {
        id: RecordId::new(),
        zone_id: ZoneId::new(),
        system: is_system_managed(zone, &name, content.rtype()),
        name,
        content,
        ttl: rng.ttl(),
        disabled: rng.chance(20),
        created_at: epoch,
        updated_at: epoch,
    }
}

fn zone_records(rng: &mut Rng, zone: &ZoneName) -> Vec<Record> {
    let mut records = Vec::new();
    for _ in 0..rng.below(25) {
        let name = RecordName::parse(rng.pick(NAMES), zone).unwrap();
        let content = any_content(rng, zone);
        records.push(record(zone, name, content, rng));
    }
    for _ in 0..rng.below(12) {
        let name = RecordName::parse(rng.pick(PADDING), zone).unwrap();
        let content = content(rng, zone, RecordType::A);
        records.push(record(zone, name, content, rng));
    }
    // Shuffled, so touched and untouched names interleave in the zone's order.
    for i in (1..records.len()).rev() {
        let j = rng.below(i + 1);
        records.swap(i, j);
    }
    records
}

/// An id of the zone, now and then one it does not hold or one already used.
fn some_id(rng: &mut Rng, existing: &[Record], used: &[RecordId]) -> RecordId {
    if existing.is_empty() || rng.chance(10) {
        RecordId::new()
    } else if !used.is_empty() && rng.chance(10) {
        rng.pick(used)
    } else {
        existing[rng.below(existing.len())].id
    }
}

fn change(rng: &mut Rng, zone: &ZoneName, existing: &[Record]) -> ChangeSet {
    let mut cs = ChangeSet::new(rng.ttl());
    cs.on_duplicate = rng.pick(&[OnDuplicate::Reject, OnDuplicate::Update, OnDuplicate::Skip]);
    cs.system = rng.chance(15);
    for _ in 0..rng.below(4) {
        let name = name(rng, zone);
        cs.creates.push(NewRecord {
            name,
            content: any_content(rng, zone),
            ttl: rng.chance(50).then(|| rng.ttl()),
            disabled: rng.chance(20),
        });
    }
    let mut used = Vec::new();
    for _ in 0..rng.below(3) {
        let id = some_id(rng, existing, &used);
        let rtype = match existing.iter().find(|r| r.id == id) {
            Some(r) if rng.chance(85) => r.rtype(),
            _ => rng.pick(DATA).0,
        };
        cs.updates.push(RecordUpdate {
            id,
            content: rng.chance(60).then(|| content(rng, zone, rtype)),
            ttl: rng.chance(40).then(|| rng.ttl()),
            disabled: rng.chance(40).then(|| rng.chance(50)),
        });
        used.push(id);
    }
    for _ in 0..rng.below(3) {
        let id = some_id(rng, existing, &used);
        cs.deletes.push(id);
        used.push(id);
    }
    cs
}

/// What a plan decides, less the ids of the records it creates.
#[derive(Debug, PartialEq)]
struct Outcome {
    creates: Vec<(RecordName, RecordContent, Ttl, bool, bool)>,
    updates: Vec<Record>,
    deletes: Vec<RecordId>,
    duplicates: Vec<Duplicate>,
    deltas: Vec<RrSetDelta>,
}

fn outcome(
    creates: &[PlannedRecord],
    updates: &[Record],
    deletes: &[RecordId],
    duplicates: &[Duplicate],
    deltas: Vec<RrSetDelta>,
) -> Outcome {
    Outcome {
        creates: creates
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.content.clone(),
                    c.ttl,
                    c.disabled,
                    c.system,
                )
            })
            .collect(),
        updates: updates.to_vec(),
        deletes: deletes.to_vec(),
        duplicates: duplicates.to_vec(),
        deltas,
    }
}

/// The RRsets of `sets` at `names`.
fn at(sets: &[RrSet], names: &BTreeSet<String>) -> Vec<RrSet> {
    sets.iter()
        .filter(|s| names.contains(&s.name))
        .cloned()
        .collect()
}

/// One case: both checks agree on the violation, or on the plan and on the RRsets at the
/// touched names. Answers the violation's code, if any.
fn compare(seed: u64) -> Option<&'static str> {
    let mut rng = Rng(seed);
    let zone = ZoneName::parse(rng.pick(&["example.com", "2.0.192.in-addr.arpa"])).unwrap();
    let existing = zone_records(&mut rng, &zone);
    let cs = change(&mut rng, &zone, &existing);
    let old = plan::check_change_over_whole_zone(&zone, &existing, &cs);
    let new = check_change(&zone, &existing, &cs);
    let (old, new) = match (old, new) {
        (Err(old), Err(new)) => {
            assert_eq!(old, new, "seed {seed}: the violations differ");
            return Some(new.code());
        }
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => panic!(
            "seed {seed}: one check refuses, the other passes: {:?} / {:?}",
            old.err(),
            new.err()
        ),
    };
    let named: HashSet<RecordId> = cs
        .updates
        .iter()
        .map(|u| u.id)
        .chain(cs.deletes.iter().copied())
        .collect();
    let touched: BTreeSet<String> = cs
        .creates
        .iter()
        .map(|c| c.name.fqdn().to_owned())
        .chain(
            existing
                .iter()
                .filter(|r| named.contains(&r.id))
                .map(|r| r.name.fqdn().to_owned()),
        )
        .collect();
    let before = rrsets_of(&existing);
    assert_eq!(
        old.rrsets_before, before,
        "seed {seed}: the whole zone's RRsets"
    );
    assert_eq!(
        new.rrsets_before,
        at(&before, &touched),
        "seed {seed}: RRsets before"
    );
    assert_eq!(
        new.rrsets_after,
        at(&old.rrsets_after, &touched),
        "seed {seed}: RRsets after"
    );
    let old_deltas = change_set(&before, &old.rrsets_after);
    let new_deltas = change_set(&new.rrsets_before, &new.rrsets_after);
    assert_eq!(
        outcome(
            &new.creates,
            &new.updates,
            &new.deletes,
            &new.duplicates,
            new_deltas
        ),
        outcome(
            &old.creates,
            &old.updates,
            &old.deletes,
            &old.duplicates,
            old_deltas
        ),
        "seed {seed}: the plans differ"
    );
    None
}

#[test]
fn the_check_at_touched_names_decides_as_the_whole_zone_check() {
    let outcomes: Vec<Option<&str>> = (0..CASES).map(compare).collect();
    let passed = outcomes.iter().filter(|o| o.is_none()).count();
    let codes: BTreeSet<&str> = outcomes.iter().flatten().copied().collect();
    // The generator reaches both sides and nearly every rule, or the comparison proves little.
    assert!(passed as u64 > CASES / 10, "only {passed} cases passed");
    assert!(codes.len() >= 12, "rules reached: {codes:?}");
}
