//! Rendering a 10,000-record zone as a BIND, JSON and CSV file, the CPU part of
//! `GET …/export` (the records themselves come from the record cache, or from one store
//! query). Target for the whole export: under 0.5 s. Run with
//! `cargo bench -p scaidns-core --bench zone_export`; the figure goes in BENCHMARKS.md.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use scaidns_core::ids::{RecordId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use scaidns_core::zone_file::render::{ZoneFileFormat, render};

fn bench(c: &mut Criterion) {
    let zone = ZoneName::parse("bench.example").unwrap();
    let zone_id = ZoneId::new();
    let kinds = [
        (RecordType::A, "192.0.2.1"),
        (RecordType::AAAA, "2001:db8::1"),
        (
            RecordType::TXT,
            "\"v=spf1 include:_spf.example.net -all\" \"a,b\"",
        ),
        (RecordType::MX, "10 mail.bench.example."),
    ];
    let records: Vec<Record> = (0..10_000)
        .map(|i| {
            let (rtype, content) = kinds[i % kinds.len()];
            Record {
                id: RecordId::new(),
                zone_id,
                name: RecordName::parse(&format!("host{i}.team{}", i % 97), &zone).unwrap(),
                content: RecordContent::parse(rtype, content, &zone).unwrap(),
                ttl: Ttl::new(3600).unwrap(),
                disabled: i % 500 == 0,
                system: false,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            }
        })
        .collect();
    let refs: Vec<&Record> = records.iter().collect();
    let ttl = Ttl::new(3600).unwrap();
    for format in ZoneFileFormat::ALL {
        c.bench_function(&format!("render 10,000 records as {format}"), |b| {
            b.iter(|| render(*format, &zone, ttl, black_box(&refs)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
