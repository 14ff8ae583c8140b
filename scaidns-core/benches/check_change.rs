//! One record create checked against zones of 100 and 10,000 records: the zone rules
//! (`check_change`) alone, and with the RRset diff a write keeps as its history entry and
//! publishes. Both should cost what the create touches, not what the zone holds (issue 12).
//! Run with `cargo bench -p scaidns-core --bench check_change`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use scaidns_core::ids::{RecordId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use scaidns_core::zone::change_set::change_set;
use scaidns_core::zone::rules::{ChangeSet, NewRecord, check_change};

fn zone_of(zone: &ZoneName, size: usize) -> Vec<Record> {
    let zone_id = ZoneId::new();
    let kinds = [
        (RecordType::A, "192.0.2.1"),
        (RecordType::AAAA, "2001:db8::1"),
        (RecordType::TXT, "\"v=spf1 -all\""),
        (RecordType::MX, "10 mail.bench.example."),
    ];
    (0..size)
        .map(|i| {
            let (rtype, content) = kinds[i % kinds.len()];
            Record {
                id: RecordId::new(),
                zone_id,
                name: RecordName::parse(&format!("host{}", i / 2), zone).unwrap(),
                content: RecordContent::parse(rtype, content, zone).unwrap(),
                ttl: Ttl::new(3600).unwrap(),
                disabled: false,
                system: false,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let zone = ZoneName::parse("bench.example").unwrap();
    let mut change = ChangeSet::new(Ttl::new(3600).unwrap());
    change.creates.push(NewRecord {
        name: RecordName::parse("host7", &zone).unwrap(),
        content: RecordContent::parse(RecordType::A, "192.0.2.77", &zone).unwrap(),
        ttl: None,
        disabled: false,
    });
    for size in [100, 10_000] {
        let existing = zone_of(&zone, size);
        c.bench_function(&format!("check one create, {size} records"), |b| {
            b.iter(|| check_change(&zone, black_box(&existing), &change).unwrap())
        });
        c.bench_function(&format!("check and diff one create, {size} records"), |b| {
            b.iter(|| {
                let plan = check_change(&zone, black_box(&existing), &change).unwrap();
                change_set(&plan.rrsets_before, &plan.rrsets_after)
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
