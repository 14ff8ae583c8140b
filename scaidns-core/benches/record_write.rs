//! One record create as the SQL store writes it (`ZoneStore::write_zone`: the zone row with its
//! generation check, the record, its audit entry, the webhook subscriptions its event would go
//! to and the zone's history entry, in one transaction), on SQLite in a temporary file, into a
//! zone of 100 records and growing: in one hand-off to the connection, as a create is written
//! (`adapters/sql/sqlite_one_step.rs`), and through sqlx's transaction, one call per statement,
//! as it was before and as any other zone write is. The store's share of a single create's answer (issue 12),
//! without HTTP, planning or PowerDNS. Run with
//! `cargo bench -p scaidns-core --bench record_write`; the figure goes in BENCHMARKS.md.

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::ids::{AuditEventId, RecordId, TenantId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::ports::Store;
use scaidns_core::ports::store::{NoPublish, PublishOutcome, Publisher, ZoneStore, ZoneWrite};
use scaidns_core::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use scaidns_core::zone::change_set::RrSetDelta;
use scaidns_core::zone::{DomainType, RrData, RrSet, SyncState, SyncStatus, Zone, ZoneStatus};

fn record(zone: &Zone, i: usize) -> Record {
    Record {
        id: RecordId::new(),
        zone_id: zone.id,
        name: RecordName::parse(&format!("host{i}"), &zone.name).unwrap(),
        content: RecordContent::parse(RecordType::A, "192.0.2.1", &zone.name).unwrap(),
        ttl: Ttl::new(300).unwrap(),
        disabled: false,
        system: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

/// An audit entry of `zone`'s tenant, about `resource` of `resource_type`, with `after` as a
/// create's entry carries it.
fn audit(zone: &Zone, action: &str, resource_type: &str, resource: String) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: Some(zone.tenant_id),
        actor_type: ActorType::ApiKey,
        actor_id: Some("bench".into()),
        actor_email: None,
        action: action.into(),
        resource_type: resource_type.into(),
        resource_id: Some(resource),
        resource_name: Some(zone.name.as_str().to_owned()),
        before: None,
        after: Some(serde_json::json!({"zone": zone.name.as_str(), "ttl": 300})),
        ip_address: Some("192.0.2.7".into()),
        user_agent: Some("bench".into()),
        request_id: Some("bench".into()),
        created_at: Utc::now(),
    }
}

/// The write adding `new_records` to `zone` as the next generation, audited and kept in the
/// history as a record create is (one entry, one RRset change per record).
fn adding(zone: &Zone, new_records: Vec<Record>) -> ZoneWrite {
    let mut next = zone.clone();
    next.generation += 1;
    next.updated_at = Utc::now();
    let changes = new_records
        .iter()
        .map(|r| RrSetDelta {
            name: r.name.fqdn().to_owned(),
            rtype: r.rtype(),
            before: None,
            after: Some(RrSet {
                name: r.name.fqdn().to_owned(),
                rtype: r.rtype(),
                ttl: r.ttl.seconds(),
                records: vec![RrData {
                    content: r.content.as_str().to_owned(),
                    disabled: false,
                }],
            }),
        })
        .collect();
    ZoneWrite {
        audit: new_records
            .iter()
            .map(|r| audit(zone, "record.create", "record", r.id.to_string()))
            .collect(),
        zone: next,
        expected_generation: Some(zone.generation),
        new_records,
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        changes,
        comments: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let now = Utc::now();
    let (store, mut zone) = runtime.block_on(async {
        let store = SqlStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let zone = Zone {
            id: ZoneId::new(),
            tenant_id: TenantId::new(),
            name: ZoneName::parse("bench.example").unwrap(),
            domain_type: DomainType::Primary,
            status: ZoneStatus::Active,
            status_before_delete: None,
            default_ttl: Ttl::new(3600).unwrap(),
            description: None,
            settings: serde_json::json!({}),
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState {
                status: SyncStatus::InSync,
                error: None,
                last_synced_at: Some(now),
            },
            created_at: now,
            updated_at: now,
            deleted_at: None,
            secondary: None,
        };
        let create = ZoneWrite {
            audit: vec![audit(&zone, "domain.create", "domain", zone.id.to_string())],
            zone: zone.clone(),
            expected_generation: None,
            new_records: Vec::new(),
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: Vec::new(),
            changes: Vec::new(),
            comments: Vec::new(),
        };
        let zone = store.write_zone(create, &NoPublish).await.unwrap();
        let hundred = (0..100).map(|i| record(&zone, i)).collect();
        let zone = store
            .write_zone(adding(&zone, hundred), &NoPublish)
            .await
            .unwrap();
        (store, zone)
    });
    let mut next = 100;
    let publishers: [(&str, &dyn Publisher); 2] = [
        ("in one step", &NoPublish),
        ("in the transaction", &MayPublish),
    ];
    for (path, publisher) in publishers {
        c.bench_function(
            &format!("SQLite store: write one record create {path}"),
            |b| {
                b.iter(|| {
                    next += 1;
                    let write = adding(&zone, vec![record(&zone, next)]);
                    zone = runtime
                        .block_on(store.write_zone(write, publisher))
                        .unwrap();
                })
            },
        );
    }
}

/// Publishes nothing, but says it may: the store takes the path of a write that publishes inside
/// its transaction, which record creates took before the one-step write
/// (`adapters/sql/sqlite_one_step.rs`).
struct MayPublish;

#[async_trait::async_trait]
impl Publisher for MayPublish {
    async fn publish(&self) -> scaidns_core::error::Result<PublishOutcome> {
        Ok(PublishOutcome::Skipped)
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
