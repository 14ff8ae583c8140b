//! One authorization decision for a user holding 1,000 access grants (plus a few role
//! assignments), the target being a record of a zone where the user holds grants — the
//! expensive case, since record grants are matched by pattern and type. Target: under 5 µs.
//! Run with `cargo bench -p scaidns-core --bench authorize`; the figure goes in BENCHMARKS.md.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::rbac::{
    GrantInput, Permission, Principal, PrincipalInput, RoleScope, Target, authorize, system_role,
};
use scaidns_core::record::RecordType;

fn bench(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let tenant = TenantId::new();
    let zones: Vec<ZoneId> = (0..100).map(|_| ZoneId::new()).collect();
    let editor = system_role("record_editor").unwrap().perm_set();
    // 1,000 grants over 100 zones: 10 per zone, patterns that mostly do not match, some
    // expired, typed.
    let grants = (0..1000)
        .map(|i| GrantInput {
            zone: zones[i % zones.len()],
            perms: editor,
            record_pattern: Some(format!("*.team{i}.dev")),
            record_types: vec![RecordType::A, RecordType::AAAA],
            expires_at: (i % 3 == 0).then(|| now - Duration::hours(1)),
        })
        .collect();
    let principal = Principal::resolve(
        PrincipalInput {
            platform_admin: false,
            tenant_admin_of: None,
            assignments: vec![
                (
                    RoleScope::Domain(ZoneId::new()),
                    system_role("domain_admin").unwrap().perm_set(),
                ),
                (
                    RoleScope::Tenant(TenantId::new()),
                    system_role("read_only").unwrap().perm_set(),
                ),
            ],
            grants,
            key_scopes: None,
        },
        now,
    );
    let create = Permission::RECORDS_CREATE;
    let zone = zones[7];
    // The last grant of this zone is the one that matches.
    let target = Target::Record {
        zone,
        tenant,
        name: "api.team907.dev",
        rtype: RecordType::AAAA,
    };
    assert!(authorize(&principal, create, &target).is_allowed());
    let denied = Target::Record {
        zone,
        tenant,
        name: "www",
        rtype: RecordType::A,
    };
    assert!(!authorize(&principal, create, &denied).is_allowed());

    c.bench_function(
        "authorize: record via the 10th of 10 grants (1,000 grants)",
        |b| b.iter(|| authorize(black_box(&principal), black_box(create), black_box(&target))),
    );
    c.bench_function(
        "authorize: record denied after all grants of the zone",
        |b| b.iter(|| authorize(black_box(&principal), black_box(create), black_box(&denied))),
    );
    c.bench_function("authorize: domain target via a domain role", |b| {
        let t = Target::Domain { zone, tenant };
        b.iter(|| authorize(black_box(&principal), black_box(create), black_box(&t)))
    });
}

/// The adversarial case: all 1,000 grants on the one zone, none matching, so every grant's
/// pattern is tried.
fn bench_one_zone(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let tenant = TenantId::new();
    let zone = ZoneId::new();
    let editor = system_role("record_editor").unwrap().perm_set();
    let grants = (0..1000)
        .map(|i| GrantInput {
            zone,
            perms: editor,
            record_pattern: Some(format!("*.team{i}.dev")),
            record_types: vec![RecordType::A, RecordType::AAAA],
            expires_at: None,
        })
        .collect();
    let principal = Principal::resolve(
        PrincipalInput {
            platform_admin: false,
            tenant_admin_of: None,
            assignments: vec![],
            grants,
            key_scopes: None,
        },
        now,
    );
    let create = Permission::RECORDS_CREATE;
    let denied = Target::Record {
        zone,
        tenant,
        name: "www.example-team.dev",
        rtype: RecordType::A,
    };
    assert!(!authorize(&principal, create, &denied).is_allowed());
    c.bench_function(
        "authorize: record denied after 1,000 grants on one zone",
        |b| b.iter(|| authorize(black_box(&principal), black_box(create), black_box(&denied))),
    );
}

criterion_group!(benches, bench, bench_one_zone);
criterion_main!(benches);
