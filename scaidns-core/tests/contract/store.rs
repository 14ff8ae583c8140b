//! Store contract: one behaviour suite, written once against [`Store`], run on SQLite and on
//! MariaDB (`store::sqlite::*`, `store::mysql::*`). Every test gets a fresh, migrated database.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::Error;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::error::{ErrorKind, Result};
use scaidns_core::identity::api_key::{ApiKey, ApiKeyStatus, PermissionSource};
use scaidns_core::ids::{ApiKeyId, AuditEventId, RecordId, TenantId, UserId, ValidationId, ZoneId};
use scaidns_core::name::ZoneName;
use scaidns_core::ownership::{Validation, ValidationStatus, ValidationType};
use scaidns_core::ports::Store;
use scaidns_core::ports::store::{
    ApiKeyFilter, ApiKeyStore, AuditFilter, AuditStore, NoPublish, PageRequest, PublishOutcome,
    Publisher, RecordFilter, RecordStore, SettingsStore, TenantStore, UserStore, ValidationStore,
    ZoneFilter, ZoneStore, ZoneWrite,
};
use scaidns_core::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use scaidns_core::tenant::{Tenant, TenantStatus, User, UserStatus};
use scaidns_core::zone::claims::OverlapPolicy;
use scaidns_core::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};
use serde_json::json;

use crate::support::db::TestDb;

/// Runs each listed `async fn(&SqlStore)` once per engine.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::db::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = crate::support::db::TestDb::mysql().await;
                    super::$name(&db.store).await;
                }
            )*
        }
    };
}

contract!(
    migrate_is_idempotent_and_health_answers,
    zone_round_trips_with_microseconds,
    list_zones_filters_orders_and_pages,
    domain_exists_per_tenant_among_live_zones,
    stale_generation_is_refused,
    concurrent_writers_serialise_on_the_generation,
    failed_publish_rolls_everything_back,
    publish_outcome_sets_sync_state,
    duplicate_records_are_refused,
    records_are_replaced_swapped_and_deleted,
    list_records_filters_and_orders,
    overlapping_zones_are_label_aligned,
    going_live_is_refused_inside_another_tenants_live_zone,
    racing_overlapping_activations_cannot_both_win,
    purge_removes_the_zone_and_its_rows,
    validations_latest_and_open,
    sync_state_and_counts,
    tenants_crud_and_uniqueness,
    users_crud_and_case_insensitive_email,
    api_keys_crud_lookup_and_use_tracking,
    audit_filters_order_and_pages,
    settings_upsert_with_audit,
);

// ----- fixtures -----

/// A fixed instant with a non-zero microsecond part, so truncation bugs show.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + Duration::microseconds(123_456)
}

fn at(seconds: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(seconds)
}

fn zname(name: &str) -> ZoneName {
    ZoneName::parse(name).unwrap()
}

fn new_zone(tenant: TenantId, name: &str) -> Zone {
    Zone {
        id: ZoneId::new(),
        tenant_id: tenant,
        name: zname(name),
        domain_type: DomainType::Primary,
        status: ZoneStatus::Active,
        status_before_delete: None,
        default_ttl: Ttl::new(3600).unwrap(),
        description: None,
        settings: json!({}),
        dnssec_enabled: false,
        generation: 1,
        sync: SyncState {
            status: SyncStatus::Pending,
            error: None,
            last_synced_at: None,
        },
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
    }
}

fn record(zone: &Zone, name: &str, rtype: RecordType, content: &str) -> Record {
    Record {
        id: RecordId::new(),
        zone_id: zone.id,
        name: RecordName::parse(name, &zone.name).unwrap(),
        content: RecordContent::parse(rtype, content, &zone.name).unwrap(),
        ttl: Ttl::new(300).unwrap(),
        disabled: false,
        system: false,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn event(tenant: Option<TenantId>, action: &str, resource_id: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: tenant,
        actor_type: ActorType::User,
        actor_id: Some("actor-1".into()),
        actor_email: Some("alice@example.com".into()),
        action: action.into(),
        resource_type: action.split('.').next().unwrap().into(),
        resource_id: Some(resource_id.into()),
        resource_name: None,
        before: None,
        after: None,
        ip_address: None,
        user_agent: None,
        request_id: None,
        created_at: t0(),
    }
}

fn create(zone: &Zone) -> ZoneWrite {
    ZoneWrite {
        zone: zone.clone(),
        expected_generation: None,
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: vec![event(
            Some(zone.tenant_id),
            "domain.create",
            &zone.id.to_string(),
        )],
    }
}

/// The next write of `zone`, with the generation bumped and no other change yet.
fn change(zone: &Zone) -> ZoneWrite {
    let mut next = zone.clone();
    next.generation += 1;
    next.updated_at += Duration::seconds(1);
    ZoneWrite {
        zone: next,
        expected_generation: Some(zone.generation),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: Vec::new(),
    }
}

async fn put(store: &SqlStore, write: ZoneWrite) -> Zone {
    store.write_zone(write, &NoPublish).await.unwrap()
}

fn assert_code<T: std::fmt::Debug>(result: Result<T>, code: &str) -> Error {
    let err = result.expect_err(&format!("expected {code}"));
    assert_eq!(err.code(), code, "{err:?}");
    err
}

async fn all_audit(store: &SqlStore) -> Vec<AuditEvent> {
    store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                page: 1,
                page_size: 100,
            },
        )
        .await
        .unwrap()
        .items
}

async fn all_records(store: &SqlStore, zone: ZoneId) -> Vec<Record> {
    store
        .list_records(
            zone,
            &RecordFilter {
                include_system: true,
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

fn names(zones: &[Zone]) -> Vec<&str> {
    zones.iter().map(|z| z.name.as_str()).collect()
}

/// Answers with a fixed outcome and counts its calls.
struct Fixed {
    outcome: Result<PublishOutcome>,
    calls: AtomicUsize,
    delay: StdDuration,
}

impl Fixed {
    fn new(outcome: Result<PublishOutcome>) -> Self {
        Self {
            outcome,
            calls: AtomicUsize::new(0),
            delay: StdDuration::ZERO,
        }
    }

    fn failing() -> Self {
        Self::new(Err(Error::new(
            ErrorKind::Upstream,
            "backend_unavailable",
            "PowerDNS refused",
        )))
    }
}

#[async_trait]
impl Publisher for Fixed {
    async fn publish(&self) -> Result<PublishOutcome> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.outcome.clone()
    }
}

// ----- zones -----

async fn migrate_is_idempotent_and_health_answers(store: &SqlStore) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.health().await.unwrap();
    assert!(["mysql", "sqlite"].contains(&store.engine()));
    // The schema works after the second run.
    let zone = new_zone(TenantId::new(), "example.com");
    put(store, create(&zone)).await;
    assert!(store.get_zone(zone.id).await.unwrap().is_some());
}

async fn zone_round_trips_with_microseconds(store: &SqlStore) {
    let mut zone = new_zone(TenantId::new(), "Example.COM");
    zone.description = Some("Ünïcode description".into());
    zone.settings = json!({"notify": ["192.0.2.1"], "nested": {"x": 1.5, "flag": true}});
    zone.dnssec_enabled = true;
    zone.domain_type = DomainType::Secondary;
    zone.status = ZoneStatus::Inactive;
    zone.sync = SyncState {
        status: SyncStatus::Error,
        error: Some("boom".into()),
        last_synced_at: Some(at(-5)),
    };
    zone.updated_at = at(3) + Duration::nanoseconds(999);
    let stored = put(store, create(&zone)).await;

    // Nanoseconds are cut to microseconds; everything else is kept as written.
    let mut expected = zone.clone();
    expected.updated_at = at(3);
    assert_eq!(stored, expected);
    assert_eq!(
        store.get_zone(zone.id).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(stored.created_at.timestamp_subsec_micros(), 123_456);
    assert_eq!(stored.name.fqdn(), "example.com.");
    assert!(store.get_zone(ZoneId::new()).await.unwrap().is_none());

    // A soft delete keeps status_before_delete and deleted_at.
    let mut w = change(&stored);
    w.zone.status = ZoneStatus::Deleted;
    w.zone.status_before_delete = Some(ZoneStatus::Inactive);
    w.zone.deleted_at = Some(at(10));
    let deleted = put(store, w.clone()).await;
    assert_eq!(deleted, w.zone);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(w.zone));
}

async fn list_zones_filters_orders_and_pages(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut zones = Vec::new();
    for (tenant, name, status, dtype, dnssec) in [
        (
            t1,
            "b-zone.com",
            ZoneStatus::Active,
            DomainType::Primary,
            false,
        ),
        (
            t1,
            "a-zone.com",
            ZoneStatus::PendingValidation,
            DomainType::Primary,
            true,
        ),
        (
            t1,
            "c-zone.org",
            ZoneStatus::Deleted,
            DomainType::Primary,
            false,
        ),
        (
            t1,
            "2.0.192.in-addr.arpa",
            ZoneStatus::Active,
            DomainType::ReverseIpv4,
            false,
        ),
        (
            t2,
            "d-zone.com",
            ZoneStatus::Inactive,
            DomainType::Secondary,
            true,
        ),
        (
            t2,
            "a-zone.com",
            ZoneStatus::Active,
            DomainType::Primary,
            false,
        ),
    ] {
        let mut z = new_zone(tenant, name);
        z.status = status;
        z.domain_type = dtype;
        z.dnssec_enabled = dnssec;
        zones.push(put(store, create(&z)).await);
    }
    let all = PageRequest {
        page: 1,
        page_size: 100,
    };
    let list = |f: ZoneFilter| async move { store.list_zones(&f, all).await.unwrap() };

    let page = list(ZoneFilter::default()).await;
    assert_eq!(
        names(&page.items),
        [
            "2.0.192.in-addr.arpa",
            "a-zone.com",
            "a-zone.com",
            "b-zone.com",
            "d-zone.com"
        ]
    );
    assert_eq!(page.total, 5);

    let page = list(ZoneFilter {
        include_deleted: true,
        ..Default::default()
    })
    .await;
    assert_eq!(page.total, 6);
    assert!(names(&page.items).contains(&"c-zone.org"));

    let page = list(ZoneFilter {
        status: Some(ZoneStatus::Deleted),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["c-zone.org"]);

    let page = list(ZoneFilter {
        tenant_id: Some(t1),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["2.0.192.in-addr.arpa", "a-zone.com", "b-zone.com"]
    );
    assert!(page.items.iter().all(|z| z.tenant_id == t1));

    let page = list(ZoneFilter {
        status: Some(ZoneStatus::Active),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["2.0.192.in-addr.arpa", "a-zone.com", "b-zone.com"]
    );

    let page = list(ZoneFilter {
        domain_type: Some(DomainType::Secondary),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["d-zone.com"]);

    let page = list(ZoneFilter {
        dnssec_enabled: Some(true),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["a-zone.com", "d-zone.com"]);
    let page = list(ZoneFilter {
        dnssec_enabled: Some(false),
        tenant_id: Some(t2),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["a-zone.com"]);
    assert_eq!(page.items[0].id, zones[5].id);

    let page = list(ZoneFilter {
        ids: Some(vec![zones[0].id, zones[4].id, zones[2].id]),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["b-zone.com", "d-zone.com"]);
    let page = list(ZoneFilter {
        ids: Some(vec![]),
        ..Default::default()
    })
    .await;
    assert_eq!((page.items.len(), page.total), (0, 0));

    // Search: case-insensitive substring; LIKE wildcards in the search are plain characters.
    let page = list(ZoneFilter {
        search: Some("ZONE.C".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&page.items),
        ["a-zone.com", "a-zone.com", "b-zone.com", "d-zone.com"]
    );
    for wildcard in ["_", "%", "a_zone", "a%zone", "!"] {
        let page = list(ZoneFilter {
            search: Some(wildcard.into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            page.total,
            0,
            "search {wildcard:?} matched {:?}",
            names(&page.items)
        );
    }
    let page = list(ZoneFilter {
        search: Some("in-addr".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&page.items), ["2.0.192.in-addr.arpa"]);

    // Paging keeps the order and reports the total of all pages.
    let mut seen = Vec::new();
    for number in 1..=3 {
        let page = store
            .list_zones(
                &ZoneFilter::default(),
                PageRequest {
                    page: number,
                    page_size: 2,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, 5);
        assert_eq!(page.items.len(), if number < 3 { 2 } else { 1 });
        seen.extend(page.items.into_iter().map(|z| z.id));
    }
    let full: Vec<ZoneId> = list(ZoneFilter::default())
        .await
        .items
        .into_iter()
        .map(|z| z.id)
        .collect();
    assert_eq!(seen, full);
    let beyond = store
        .list_zones(
            &ZoneFilter::default(),
            PageRequest {
                page: 9,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((beyond.items.len(), beyond.total), (0, 5));
}

async fn domain_exists_per_tenant_among_live_zones(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let first = put(store, create(&new_zone(t1, "example.com"))).await;

    let dup = new_zone(t1, "EXAMPLE.com.");
    let err = assert_code(
        store.write_zone(create(&dup), &NoPublish).await,
        "domain_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.message(), "Domain already exists");
    assert_eq!(err.conflicts(), [first.id.to_string()]);
    assert!(store.get_zone(dup.id).await.unwrap().is_none());
    assert_eq!(
        all_audit(store).await.len(),
        1,
        "the refused write left an audit entry"
    );

    // Another tenant may hold the same name while it is not served (the core decides who
    // validates it), but two zones of one name are never active at once.
    let mut other = new_zone(t2, "example.com");
    other.status = ZoneStatus::Active;
    let err = assert_code(
        store.write_zone(create(&other), &NoPublish).await,
        "zone_taken",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    other.status = ZoneStatus::PendingValidation;
    put(store, create(&other)).await;

    // A soft-deleted zone frees its name.
    for status in [ZoneStatus::PendingValidation, ZoneStatus::Inactive] {
        let mut w = change(&store.get_zone(first.id).await.unwrap().unwrap());
        w.zone.status = status;
        put(store, w).await;
        assert_code(
            store
                .write_zone(create(&new_zone(t1, "example.com")), &NoPublish)
                .await,
            "domain_exists",
        );
    }
    let mut w = change(&store.get_zone(first.id).await.unwrap().unwrap());
    w.zone.status = ZoneStatus::Deleted;
    w.zone.deleted_at = Some(at(1));
    let deleted = put(store, w).await;
    let second = put(store, create(&new_zone(t1, "example.com"))).await;

    // Restoring the deleted one while the name is live again is refused, and changes nothing.
    let mut w = change(&deleted);
    w.zone.status = ZoneStatus::Active;
    w.zone.deleted_at = None;
    w.audit = vec![event(Some(t1), "domain.restore", &deleted.id.to_string())];
    let err = assert_code(store.write_zone(w, &NoPublish).await, "domain_exists");
    assert_eq!(err.conflicts(), [second.id.to_string()]);
    assert_eq!(store.get_zone(deleted.id).await.unwrap(), Some(deleted));
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.action != "domain.restore")
    );
}

async fn stale_generation_is_refused(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let v2 = put(store, change(&zone)).await;
    assert_eq!(v2.generation, 2);

    // A second writer still holding generation 1.
    let mut stale = change(&zone);
    stale.zone.description = Some("lost update".into());
    stale
        .upsert_records
        .push(record(&zone, "www", RecordType::A, "192.0.2.1"));
    stale.audit.push(event(None, "record.create", "x"));
    let err = assert_code(
        store.write_zone(stale, &NoPublish).await,
        "generation_mismatch",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(v2.clone()));
    assert!(all_records(store, zone.id).await.is_empty());
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.action != "record.create")
    );

    // A generation from the future is as wrong as one from the past.
    let mut ahead = change(&v2);
    ahead.expected_generation = Some(7);
    ahead.zone.generation = 8;
    assert_code(
        store.write_zone(ahead, &NoPublish).await,
        "generation_mismatch",
    );

    // Updating a zone that does not exist.
    let ghost = new_zone(TenantId::new(), "ghost.example");
    let mut w = change(&ghost);
    w.zone.id = ZoneId::new();
    assert_code(store.write_zone(w, &NoPublish).await, "not_found");

    // A write whose generation does not follow the expected one is a caller bug.
    let mut bad = change(&v2);
    bad.zone.generation = 5;
    let err = store.write_zone(bad, &NoPublish).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
}

async fn concurrent_writers_serialise_on_the_generation(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let slow = Arc::new(Fixed {
        delay: StdDuration::from_millis(300),
        ..Fixed::new(Ok(PublishOutcome::Published))
    });
    let mut a = change(&zone);
    a.upsert_records
        .push(record(&zone, "a", RecordType::A, "192.0.2.1"));
    let mut b = change(&zone);
    b.upsert_records
        .push(record(&zone, "b", RecordType::A, "192.0.2.2"));
    let (ra, rb) = tokio::join!(
        store.write_zone(a, slow.as_ref()),
        store.write_zone(b, slow.as_ref())
    );
    let outcomes = [ra.as_ref().map(|_| ()), rb.as_ref().map(|_| ())];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{ra:?} / {rb:?}"
    );
    let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(loser.code(), "generation_mismatch");
    assert_eq!(
        store.get_zone(zone.id).await.unwrap().unwrap().generation,
        2
    );
    assert_eq!(all_records(store, zone.id).await.len(), 1);
}

async fn failed_publish_rolls_everything_back(store: &SqlStore) {
    let tenant = TenantId::new();
    // A new zone.
    let zone = new_zone(tenant, "example.com");
    let mut w = create(&zone);
    w.upsert_records
        .push(record(&zone, "www", RecordType::A, "192.0.2.1"));
    let failing = Fixed::failing();
    let err = assert_code(store.write_zone(w, &failing).await, "backend_unavailable");
    assert_eq!(err.kind(), ErrorKind::Upstream);
    assert_eq!(failing.calls.load(Ordering::SeqCst), 1);
    assert!(store.get_zone(zone.id).await.unwrap().is_none());
    assert_eq!(store.count_records().await.unwrap(), 0);
    assert!(all_audit(store).await.is_empty());

    // An update with record changes and a validation.
    let mut w = create(&zone);
    let keep = record(&zone, "keep", RecordType::A, "192.0.2.10");
    let edit = record(&zone, "edit", RecordType::A, "192.0.2.11");
    w.upsert_records = vec![keep.clone(), edit.clone()];
    let stored = put(store, w).await;
    let before_audit = all_audit(store).await;
    let before_records = all_records(store, zone.id).await;

    let mut w = change(&stored);
    w.zone.description = Some("changed".into());
    let mut edited = edit.clone();
    edited.content = RecordContent::parse(RecordType::A, "192.0.2.99", &zone.name).unwrap();
    w.upsert_records = vec![edited, record(&zone, "new", RecordType::A, "192.0.2.12")];
    w.delete_records = vec![keep.id];
    w.validations = vec![validation(zone.id, ValidationStatus::Pending, 0)];
    w.audit = vec![event(Some(tenant), "record.update", &edit.id.to_string())];
    assert_code(
        store.write_zone(w, &Fixed::failing()).await,
        "backend_unavailable",
    );
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(stored));
    assert_eq!(all_records(store, zone.id).await, before_records);
    assert_eq!(all_audit(store).await, before_audit);
    assert!(store.latest_validation(zone.id).await.unwrap().is_none());
}

async fn publish_outcome_sets_sync_state(store: &SqlStore) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    assert_eq!(
        zone.sync.status,
        SyncStatus::Pending,
        "NoPublish keeps the written state"
    );

    let w = change(&zone);
    let updated_at = w.zone.updated_at;
    let published = store
        .write_zone(w, &Fixed::new(Ok(PublishOutcome::Published)))
        .await
        .unwrap();
    assert_eq!(published.sync, SyncState::synced(updated_at));
    assert_eq!(
        store.get_zone(zone.id).await.unwrap().unwrap().sync,
        published.sync
    );

    let deferred = store
        .write_zone(
            change(&published),
            &Fixed::new(Ok(PublishOutcome::Deferred("connection refused".into()))),
        )
        .await
        .unwrap();
    let expected = SyncState {
        status: SyncStatus::Pending,
        error: Some("connection refused".into()),
        last_synced_at: Some(updated_at),
    };
    assert_eq!(deferred.sync, expected);
    assert_eq!(
        store.get_zone(zone.id).await.unwrap().unwrap().sync,
        expected
    );

    let mut w = change(&deferred);
    w.zone.sync = SyncState {
        status: SyncStatus::Error,
        error: Some("kept".into()),
        last_synced_at: Some(at(-60)),
    };
    let skipped = store
        .write_zone(w.clone(), &Fixed::new(Ok(PublishOutcome::Skipped)))
        .await
        .unwrap();
    assert_eq!(skipped.sync, w.zone.sync);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(skipped));
}

// ----- records -----

async fn duplicate_records_are_refused(store: &SqlStore) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    let original = record(&zone, "www", RecordType::A, "192.0.2.1");
    w.upsert_records.push(original.clone());
    let zone = put(store, w).await;

    let mut w = change(&zone);
    let innocent = record(&zone, "other", RecordType::A, "192.0.2.7");
    w.upsert_records = vec![
        innocent.clone(),
        record(&zone, "WWW.example.com.", RecordType::A, "192.0.2.1"),
    ];
    w.audit.push(event(None, "record.create", "dup"));
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.message(), "Record already exists");
    assert_eq!(err.conflicts(), [original.id.to_string()]);
    assert_eq!(all_records(store, zone.id).await, vec![original.clone()]);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone.clone()));
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.action != "record.create")
    );

    // Two identical records in one write.
    let mut w = change(&zone);
    let twin = record(&zone, "twin", RecordType::TXT, "\"same\"");
    w.upsert_records = vec![
        twin.clone(),
        record(&zone, "twin", RecordType::TXT, "\"same\""),
    ];
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.conflicts(), [twin.id.to_string()]);

    // Same name and content with another type, same content elsewhere, TXT differing in case.
    let mut w = change(&zone);
    w.upsert_records = vec![
        record(&zone, "www", RecordType::AAAA, "2001:db8::1"),
        record(&zone, "www2", RecordType::A, "192.0.2.1"),
        record(&zone, "txt", RecordType::TXT, "\"Hello\""),
        record(&zone, "txt", RecordType::TXT, "\"hello\""),
    ];
    put(store, w).await;
    let other_zone = new_zone(TenantId::new(), "example.net");
    let mut w = create(&other_zone);
    w.upsert_records
        .push(record(&other_zone, "www", RecordType::A, "192.0.2.1"));
    put(store, w).await;
    assert_eq!(store.count_records().await.unwrap(), 6);
}

async fn records_are_replaced_swapped_and_deleted(store: &SqlStore) {
    let zone = new_zone(TenantId::new(), "example.com");
    let a = record(&zone, "a", RecordType::A, "192.0.2.1");
    let b = record(&zone, "a", RecordType::A, "192.0.2.2");
    let c = record(&zone, "c", RecordType::MX, "10 mail.example.com.");
    let mut w = create(&zone);
    w.upsert_records = vec![a.clone(), b.clone(), c.clone()];
    let zone = put(store, w).await;

    // Swap the contents of a and b in one write, and change c's TTL.
    let mut w = change(&zone);
    let (mut a2, mut b2, mut c2) = (a.clone(), b.clone(), c.clone());
    a2.content = b.content.clone();
    b2.content = a.content.clone();
    c2.ttl = Ttl::new(86_400).unwrap();
    c2.disabled = true;
    c2.updated_at = at(30);
    w.upsert_records = vec![a2.clone(), b2.clone(), c2.clone()];
    let zone = put(store, w).await;
    assert_eq!(
        store.get_record(zone.id, a.id).await.unwrap(),
        Some(a2.clone())
    );
    assert_eq!(
        store.get_record(zone.id, b.id).await.unwrap(),
        Some(b2.clone())
    );
    assert_eq!(
        store.get_record(zone.id, c.id).await.unwrap(),
        Some(c2.clone())
    );

    // Delete one; a delete naming another zone's record or an unknown id changes nothing.
    let other = new_zone(TenantId::new(), "example.org");
    let foreign = record(&other, "x", RecordType::A, "192.0.2.50");
    let mut w = create(&other);
    w.upsert_records.push(foreign.clone());
    put(store, w).await;
    let mut w = change(&zone);
    w.delete_records = vec![a.id, foreign.id, RecordId::new()];
    put(store, w).await;
    assert_eq!(all_records(store, zone.id).await, vec![b2, c2]);
    assert_eq!(
        store.get_record(other.id, foreign.id).await.unwrap(),
        Some(foreign.clone())
    );
    // A record is only found through its own zone.
    assert!(
        store
            .get_record(zone.id, foreign.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn list_records_filters_and_orders(store: &SqlStore) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut soa = record(
        &zone,
        "@",
        RecordType::SOA,
        "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
    );
    soa.system = true;
    let mut ns = record(&zone, "@", RecordType::NS, "ns1.example.net.");
    ns.system = true;
    let records = vec![
        soa.clone(),
        ns.clone(),
        record(&zone, "www", RecordType::A, "192.0.2.2"),
        record(&zone, "www", RecordType::A, "192.0.2.1"),
        record(&zone, "www", RecordType::AAAA, "2001:db8::1"),
        record(
            &zone,
            "_sip._tcp",
            RecordType::SRV,
            "10 5 5060 sip.example.com.",
        ),
        record(&zone, "asip", RecordType::TXT, "\"Mixed Case Text\""),
        record(&zone, "@", RecordType::MX, "10 mail.example.com."),
    ];
    let mut w = create(&zone);
    w.upsert_records = records.clone();
    put(store, w).await;

    let list = |f: RecordFilter| async move { store.list_records(zone.id, &f).await.unwrap() };
    let keys = |rs: &[Record]| {
        rs.iter()
            .map(|r| format!("{} {} {}", r.name, r.rtype(), r.content.as_str()))
            .collect::<Vec<_>>()
    };

    let mut expected: Vec<&Record> = records.iter().filter(|r| !r.system).collect();
    expected.sort_by(|x, y| {
        (x.name.as_str(), x.rtype().as_str(), x.content.as_str()).cmp(&(
            y.name.as_str(),
            y.rtype().as_str(),
            y.content.as_str(),
        ))
    });
    let got = list(RecordFilter::default()).await;
    assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{:?}", keys(&got));
    assert_eq!(got[0].name.as_str(), "_sip._tcp.example.com");

    let got = list(RecordFilter {
        include_system: true,
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), records.len());
    assert!(got.contains(&soa) && got.contains(&ns));

    let got = list(RecordFilter {
        rtype: Some(RecordType::A),
        ..Default::default()
    })
    .await;
    assert_eq!(
        keys(&got),
        ["www.example.com A 192.0.2.1", "www.example.com A 192.0.2.2"]
    );

    let got = list(RecordFilter {
        rtype: Some(RecordType::NS),
        ..Default::default()
    })
    .await;
    assert!(got.is_empty(), "system records are hidden by default");

    let got = list(RecordFilter {
        name_contains: Some("WWW.Example".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 3);
    // `_` is a literal underscore, not "any character".
    let got = list(RecordFilter {
        name_contains: Some("_sip".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        keys(&got),
        ["_sip._tcp.example.com SRV 10 5 5060 sip.example.com."]
    );
    let got = list(RecordFilter {
        name_contains: Some("%".into()),
        ..Default::default()
    })
    .await;
    assert!(got.is_empty());

    // `query` matches the name or the content, case-insensitively.
    let got = list(RecordFilter {
        query: Some("mixed case".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rtype(), RecordType::TXT);
    let got = list(RecordFilter {
        query: Some("mail.example".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(keys(&got), ["example.com MX 10 mail.example.com."]);
    let got = list(RecordFilter {
        query: Some("sip".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 2);
    let got = list(RecordFilter {
        query: Some("www".into()),
        rtype: Some(RecordType::AAAA),
        ..Default::default()
    })
    .await;
    assert_eq!(keys(&got), ["www.example.com AAAA 2001:db8::1"]);

    assert!(
        store
            .list_records(ZoneId::new(), &RecordFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.count_records().await.unwrap(), records.len() as u64);
}

// ----- overlap, purge, validations -----

/// The write that makes a zone live checks the other live zones itself (interface decision
/// 12), whoever calls the store.
async fn going_live_is_refused_inside_another_tenants_live_zone(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    put(store, create(&new_zone(t1, "squat.example.com"))).await;

    // Pending zones of another tenant are stored; making one live is refused, both ways.
    let mut below = new_zone(t2, "app.squat.example.com");
    below.status = ZoneStatus::PendingValidation;
    let below = put(store, create(&below)).await;
    let mut w = change(&below);
    w.zone.status = ZoneStatus::Active;
    let err = assert_code(store.write_zone(w, &NoPublish).await, "zone_overlap");
    assert!(
        err.message().contains("overlaps") && !err.message().contains(" squat.example.com"),
        "{err}"
    );
    assert_eq!(
        store.get_zone(below.id).await.unwrap().unwrap().status,
        ZoneStatus::PendingValidation
    );
    let err = assert_code(
        store
            .write_zone(create(&new_zone(t2, "example.com")), &NoPublish)
            .await,
        "zone_overlap",
    );
    assert!(
        err.message().contains("overlaps") && !err.message().contains("squat"),
        "{err}"
    );

    // A platform admin's policy allows the overlap, never a second live zone of one name.
    let mut w = change(&below);
    w.zone.status = ZoneStatus::Active;
    store
        .write_zone_claiming(w, OverlapPolicy::AcrossTenants, &NoPublish)
        .await
        .unwrap();
    assert_code(
        store
            .write_zone_claiming(
                create(&new_zone(t2, "squat.example.com")),
                OverlapPolicy::AcrossTenants,
                &NoPublish,
            )
            .await,
        "zone_taken",
    );
    // The tenant's own zones nest, and writes to a zone already live are not re-checked.
    put(store, create(&new_zone(t1, "eu.squat.example.com"))).await;
    let live = store.get_zone(below.id).await.unwrap().unwrap();
    put(store, change(&live)).await;
}

/// Two tenants' zones with overlapping names going live at once: the activations queue on the
/// name space's lock, so the second sees the first and is refused.
async fn racing_overlapping_activations_cannot_both_win(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut pending = Vec::new();
    for (tenant, name) in [(t1, "race.example"), (t2, "app.race.example")] {
        let mut z = new_zone(tenant, name);
        z.status = ZoneStatus::PendingValidation;
        pending.push(put(store, create(&z)).await);
    }
    // Publishing inside the transaction takes a while, so both transactions are open at once.
    let slow = Arc::new(Fixed {
        delay: StdDuration::from_millis(300),
        ..Fixed::new(Ok(PublishOutcome::Published))
    });
    let activate = |zone: &Zone| {
        let mut w = change(zone);
        w.zone.status = ZoneStatus::Active;
        w
    };
    let (ra, rb) = tokio::join!(
        store.write_zone(activate(&pending[0]), slow.as_ref()),
        store.write_zone(activate(&pending[1]), slow.as_ref())
    );
    let outcomes = [ra.as_ref().map(|_| ()), rb.as_ref().map(|_| ())];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{ra:?} / {rb:?}"
    );
    let loser = outcomes.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(loser.code(), "zone_overlap", "{loser}");
    let mut live = 0;
    for zone in &pending {
        let stored = store.get_zone(zone.id).await.unwrap().unwrap();
        live += usize::from(stored.status == ZoneStatus::Active);
    }
    assert_eq!(live, 1);
}

async fn overlapping_zones_are_label_aligned(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    for (tenant, name, status) in [
        (t1, "example.com", ZoneStatus::Active),
        (t2, "eu.example.com", ZoneStatus::Deleted),
        (t1, "deep.sub.example.com", ZoneStatus::PendingValidation),
        (t2, "notexample.com", ZoneStatus::Active),
        (t2, "example.com.au", ZoneStatus::Active),
        (t1, "example.org", ZoneStatus::Active),
        (t2, "xn--bcher-kva.example", ZoneStatus::Active),
    ] {
        let mut z = new_zone(tenant, name);
        z.status = status;
        put(store, create(&z)).await;
    }
    let find = |name: &'static str| async move {
        let mut found: Vec<String> = store
            .find_overlapping_zones(&zname(name))
            .await
            .unwrap()
            .iter()
            .map(|z| z.name.to_string())
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        find("example.com").await,
        ["deep.sub.example.com", "eu.example.com", "example.com"]
    );
    assert_eq!(
        find("sub.example.com").await,
        ["deep.sub.example.com", "example.com"]
    );
    assert_eq!(
        find("a.b.deep.sub.example.com").await,
        ["deep.sub.example.com", "example.com"]
    );
    assert_eq!(find("ample.com").await, Vec::<String>::new());
    assert_eq!(find("com.au").await, ["example.com.au"]);
    assert_eq!(find("bücher.example").await, ["xn--bcher-kva.example"]);
    assert_eq!(find("other.net").await, Vec::<String>::new());
}

fn validation(zone: ZoneId, status: ValidationStatus, created: i64) -> Validation {
    Validation {
        id: ValidationId::new(),
        zone_id: zone,
        validation_type: ValidationType::TxtRecord,
        status,
        token: format!("token-{created}"),
        last_message: None,
        checked_at: None,
        expires_at: at(created + 72 * 3600),
        created_at: at(created),
        updated_at: at(created),
    }
}

async fn purge_removes_the_zone_and_its_rows(store: &SqlStore) {
    let tenant = TenantId::new();
    let zone = new_zone(tenant, "example.com");
    let mut w = create(&zone);
    w.upsert_records = vec![
        record(&zone, "www", RecordType::A, "192.0.2.1"),
        record(&zone, "@", RecordType::MX, "10 mx.example.com."),
    ];
    w.validations = vec![validation(zone.id, ValidationStatus::Pending, 0)];
    let zone = put(store, w).await;
    let keep = new_zone(tenant, "example.net");
    let mut w = create(&keep);
    w.upsert_records
        .push(record(&keep, "www", RecordType::A, "192.0.2.1"));
    w.validations = vec![validation(keep.id, ValidationStatus::Pending, 0)];
    put(store, w).await;
    let audit_before = all_audit(store).await.len();

    let purge_event = || vec![event(Some(tenant), "domain.purge", &zone.id.to_string())];
    assert_code(
        store
            .purge_zone(zone.id, 5, purge_event(), &NoPublish)
            .await,
        "generation_mismatch",
    );
    assert_code(
        store
            .purge_zone(zone.id, 1, purge_event(), &Fixed::failing())
            .await,
        "backend_unavailable",
    );
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone.clone()));
    assert_eq!(all_records(store, zone.id).await.len(), 2);
    assert!(store.latest_validation(zone.id).await.unwrap().is_some());
    assert_eq!(all_audit(store).await.len(), audit_before);

    let publisher = Fixed::new(Ok(PublishOutcome::Published));
    store
        .purge_zone(zone.id, 1, purge_event(), &publisher)
        .await
        .unwrap();
    assert_eq!(publisher.calls.load(Ordering::SeqCst), 1);
    assert!(store.get_zone(zone.id).await.unwrap().is_none());
    assert!(all_records(store, zone.id).await.is_empty());
    assert!(store.latest_validation(zone.id).await.unwrap().is_none());
    assert_eq!(
        store.count_records().await.unwrap(),
        1,
        "the other zone's record stays"
    );
    assert!(store.latest_validation(keep.id).await.unwrap().is_some());
    let audit = all_audit(store).await;
    assert_eq!(audit.len(), audit_before + 1);
    assert!(audit.iter().any(|e| e.action == "domain.purge"));

    // Its name is free again, and a second purge finds nothing.
    put(store, create(&new_zone(tenant, "example.com"))).await;
    assert_code(
        store.purge_zone(zone.id, 1, Vec::new(), &NoPublish).await,
        "not_found",
    );
}

async fn validations_latest_and_open(store: &SqlStore) {
    let (z1, z2) = (
        new_zone(TenantId::new(), "one.example"),
        new_zone(TenantId::new(), "two.example"),
    );
    let z1 = put(store, create(&z1)).await;
    assert!(store.latest_validation(z1.id).await.unwrap().is_none());

    let old = validation(z1.id, ValidationStatus::Failed, 0);
    let mut w = change(&z1);
    w.validations = vec![old.clone()];
    let z1 = put(store, w).await;
    assert_eq!(
        store.latest_validation(z1.id).await.unwrap(),
        Some(old.clone())
    );

    // A newer challenge wins whatever its status; the older one is replaced by id.
    let newer = validation(z1.id, ValidationStatus::Validated, 100);
    let mut cancelled = old.clone();
    cancelled.status = ValidationStatus::Cancelled;
    cancelled.last_message = Some("superseded".into());
    cancelled.checked_at = Some(at(99));
    cancelled.updated_at = at(99);
    let mut w = change(&z1);
    w.validations = vec![cancelled.clone(), newer.clone()];
    put(store, w).await;
    assert_eq!(
        store.latest_validation(z1.id).await.unwrap(),
        Some(newer.clone())
    );

    let mut w = create(&z2);
    let v_pending = validation(z2.id, ValidationStatus::Pending, 50);
    let v_verifying = validation(z2.id, ValidationStatus::Verifying, 20);
    let v_failed = validation(z2.id, ValidationStatus::Failed, 30);
    let v_expired = validation(z2.id, ValidationStatus::Expired, 10);
    w.validations = vec![
        v_pending.clone(),
        v_verifying.clone(),
        v_failed.clone(),
        v_expired,
    ];
    put(store, w).await;

    assert_eq!(
        store.open_validations(10).await.unwrap(),
        vec![v_verifying.clone(), v_failed.clone(), v_pending]
    );
    assert_eq!(
        store.open_validations(2).await.unwrap(),
        vec![v_verifying, v_failed]
    );

    // A validation of another zone in the write is a caller bug.
    let z1 = store.get_zone(z1.id).await.unwrap().unwrap();
    let mut w = change(&z1);
    w.validations = vec![validation(z2.id, ValidationStatus::Pending, 0)];
    assert_eq!(
        store.write_zone(w, &NoPublish).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
}

async fn sync_state_and_counts(store: &SqlStore) {
    let tenant = TenantId::new();
    let mut ids = Vec::new();
    for (name, status) in [
        ("a.example", ZoneStatus::Active),
        ("b.example", ZoneStatus::Active),
        ("c.example", ZoneStatus::Deleted),
        ("d.example", ZoneStatus::PendingValidation),
    ] {
        let mut z = new_zone(tenant, name);
        z.status = status;
        ids.push(put(store, create(&z)).await.id);
    }
    let mut counts = store.count_zones().await.unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        counts,
        [
            (ZoneStatus::Active, 2),
            (ZoneStatus::Deleted, 1),
            (ZoneStatus::PendingValidation, 1)
        ]
    );

    let before = store.get_zone(ids[0]).await.unwrap().unwrap();
    let sync = SyncState {
        status: SyncStatus::Error,
        error: Some("refused".into()),
        last_synced_at: Some(at(42)),
    };
    store.set_sync_state(ids[0], &sync).await.unwrap();
    let after = store.get_zone(ids[0]).await.unwrap().unwrap();
    assert_eq!(after.sync, sync);
    assert_eq!(
        after.generation, before.generation,
        "sync state is not a change of the zone"
    );
    assert_eq!(
        Zone {
            sync: before.sync.clone(),
            ..after
        },
        before
    );
    assert_code(
        store.set_sync_state(ZoneId::new(), &sync).await,
        "not_found",
    );
}

// ----- tenants, users, API keys -----

fn tenant(slug: &str, name: &str) -> Tenant {
    Tenant {
        id: TenantId::new(),
        name: name.into(),
        slug: slug.into(),
        scaikey_tenant_id: Some(format!("tnt_{slug}")),
        status: TenantStatus::Active,
        is_platform: false,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn tenants_crud_and_uniqueness(store: &SqlStore) {
    let acme = tenant("acme", "Acme Corp");
    let audit = [event(Some(acme.id), "tenant.create", &acme.id.to_string())];
    store.insert_tenant(&acme, &audit).await.unwrap();
    assert_eq!(store.get_tenant(acme.id).await.unwrap(), Some(acme.clone()));
    assert_eq!(
        store.get_tenant_by_slug("acme").await.unwrap(),
        Some(acme.clone())
    );
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_acme").await.unwrap(),
        Some(acme.clone())
    );
    assert!(store.get_tenant_by_slug("nope").await.unwrap().is_none());
    assert!(store.get_tenant(TenantId::new()).await.unwrap().is_none());
    assert_eq!(all_audit(store).await, audit);

    let mut dup = tenant("acme", "Other");
    dup.scaikey_tenant_id = None;
    let err = assert_code(
        store
            .insert_tenant(&dup, &[event(None, "tenant.create", "dup")])
            .await,
        "tenant_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(
        all_audit(store).await.len(),
        1,
        "a refused insert writes no audit entry"
    );
    let mut dup_idp = tenant("acme-2", "Other");
    dup_idp.scaikey_tenant_id = acme.scaikey_tenant_id.clone();
    assert_code(store.insert_tenant(&dup_idp, &[]).await, "tenant_exists");

    // Several tenants without an identity-provider id are fine.
    let mut local1 = tenant("beta", "beta Labs");
    local1.scaikey_tenant_id = None;
    let mut local2 = tenant("gamma", "Gamma");
    local2.scaikey_tenant_id = None;
    local2.is_platform = true;
    store.insert_tenant(&local1, &[]).await.unwrap();
    store.insert_tenant(&local2, &[]).await.unwrap();

    let mut renamed = acme.clone();
    renamed.name = "Zeta Corp".into();
    renamed.status = TenantStatus::Suspended;
    renamed.updated_at = at(60);
    store
        .update_tenant(&renamed, &[event(Some(acme.id), "tenant.update", "x")])
        .await
        .unwrap();
    assert_eq!(
        store.get_tenant(acme.id).await.unwrap(),
        Some(renamed.clone())
    );
    let mut clash = local1.clone();
    clash.slug = "gamma".into();
    assert_code(store.update_tenant(&clash, &[]).await, "tenant_exists");
    assert_code(
        store.update_tenant(&tenant("ghost", "Ghost"), &[]).await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let page = store.list_tenants(None, all).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.items
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Gamma", "Zeta Corp", "beta Labs"]
    );
    let page = store.list_tenants(Some("ZETA"), all).await.unwrap();
    assert_eq!(page.items, vec![renamed]);
    let page = store.list_tenants(Some("bet"), all).await.unwrap();
    assert_eq!(page.items, vec![local1]);
    let page = store.list_tenants(Some("_"), all).await.unwrap();
    assert_eq!(page.total, 0);
    let page = store
        .list_tenants(
            None,
            PageRequest {
                page: 2,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 3));
}

fn user(tenant: TenantId, email: &str) -> User {
    User {
        id: UserId::new(),
        tenant_id: tenant,
        email: email.into(),
        first_name: Some("Ada".into()),
        last_name: None,
        scaikey_user_id: None,
        status: UserStatus::Active,
        is_platform_admin: false,
        is_tenant_admin: true,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn users_crud_and_case_insensitive_email(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut ada = user(t1, "Ada@Example.COM");
    ada.scaikey_user_id = Some("usr_ada".into());
    store
        .insert_user(&ada, &[event(Some(t1), "user.create", "ada")])
        .await
        .unwrap();
    let stored = User {
        email: "ada@example.com".into(),
        ..ada.clone()
    };
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(stored.clone()));
    assert_eq!(
        store.get_user_by_email("ADA@example.com").await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(
        store.get_user_by_scaikey_id("usr_ada").await.unwrap(),
        Some(stored.clone())
    );
    assert!(
        store
            .get_user_by_email("bob@example.com")
            .await
            .unwrap()
            .is_none()
    );

    let err = assert_code(
        store.insert_user(&user(t2, "ada@EXAMPLE.com"), &[]).await,
        "user_exists",
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let mut same_idp = user(t1, "other@example.com");
    same_idp.scaikey_user_id = Some("usr_ada".into());
    assert_code(store.insert_user(&same_idp, &[]).await, "user_exists");

    let carl = user(t1, "carl@example.com");
    let bob = user(t2, "bob@example.com");
    store.insert_user(&carl, &[]).await.unwrap();
    store.insert_user(&bob, &[]).await.unwrap();

    let mut updated = stored.clone();
    updated.status = UserStatus::Inactive;
    updated.is_platform_admin = true;
    updated.last_name = Some("Lovelace".into());
    updated.updated_at = at(5);
    store.update_user(&updated, &[]).await.unwrap();
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(updated.clone()));
    let mut clash = carl.clone();
    clash.email = "BOB@example.com".into();
    assert_code(store.update_user(&clash, &[]).await, "user_exists");
    assert_code(
        store.update_user(&user(t1, "ghost@example.com"), &[]).await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let emails = |users: Vec<User>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
    let page = store.list_users(None, all).await.unwrap();
    assert_eq!(
        (emails(page.items), page.total),
        (
            vec![
                "ada@example.com".to_owned(),
                "bob@example.com".into(),
                "carl@example.com".into()
            ],
            3
        )
    );
    let page = store.list_users(Some(t1), all).await.unwrap();
    assert_eq!(emails(page.items), ["ada@example.com", "carl@example.com"]);
    let page = store
        .list_users(
            Some(t1),
            PageRequest {
                page: 2,
                page_size: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (emails(page.items), page.total),
        (vec!["carl@example.com".to_owned()], 2)
    );
}

fn api_key(tenant: TenantId, name: &str, hash: &str, created: i64) -> ApiKey {
    ApiKey {
        id: ApiKeyId::new(),
        tenant_id: tenant,
        name: name.into(),
        description: Some("for CI".into()),
        key_prefix: "sdk_live_ab".into(),
        key_hash: hash.into(),
        status: ApiKeyStatus::Active,
        permission_source: PermissionSource::User,
        permission_source_id: "user-1".into(),
        scopes: vec!["domains:read".into(), "records:write".into()],
        rate_limit: Some(250),
        ip_whitelist: vec![
            "192.0.2.0/24".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ],
        expires_at: Some(at(86_400)),
        last_used_at: None,
        last_used_ip: None,
        use_count: 0,
        created_by: Some(UserId::new()),
        created_at: at(created),
        updated_at: at(created),
    }
}

async fn api_keys_crud_lookup_and_use_tracking(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let k1 = api_key(t1, "first", &"a".repeat(64), 0);
    let mut k2 = api_key(t1, "second", &"b".repeat(64), 10);
    k2.scopes = Vec::new();
    k2.ip_whitelist = Vec::new();
    k2.rate_limit = None;
    k2.expires_at = None;
    k2.created_by = None;
    k2.permission_source = PermissionSource::Group;
    k2.permission_source_id = "group-9".into();
    let k3 = api_key(t2, "third", &"c".repeat(64), 20);
    for k in [&k1, &k2, &k3] {
        store
            .insert_api_key(
                k,
                &[event(
                    Some(k.tenant_id),
                    "api_key.create",
                    &k.id.to_string(),
                )],
            )
            .await
            .unwrap();
    }
    assert_eq!(store.get_api_key(k1.id).await.unwrap(), Some(k1.clone()));
    assert_eq!(store.get_api_key(k2.id).await.unwrap(), Some(k2.clone()));
    assert_eq!(
        store.find_api_key_by_hash(&"c".repeat(64)).await.unwrap(),
        Some(k3.clone())
    );
    assert!(
        store
            .find_api_key_by_hash(&"d".repeat(64))
            .await
            .unwrap()
            .is_none()
    );
    let dup = api_key(t2, "dup", &"a".repeat(64), 0);
    assert_eq!(
        store.insert_api_key(&dup, &[]).await.unwrap_err().kind(),
        ErrorKind::Conflict
    );

    // Use tracking counts every use and keeps the last one.
    store
        .record_api_key_use(k1.id, at(100), Some("192.0.2.7"))
        .await
        .unwrap();
    store
        .record_api_key_use(k1.id, at(200), Some("2001:db8::7"))
        .await
        .unwrap();
    let used = store.get_api_key(k1.id).await.unwrap().unwrap();
    assert_eq!(
        (
            used.use_count,
            used.last_used_at,
            used.last_used_ip.as_deref()
        ),
        (2, Some(at(200)), Some("2001:db8::7"))
    );
    assert_eq!(
        ApiKey {
            use_count: 0,
            last_used_at: None,
            last_used_ip: None,
            ..used.clone()
        },
        k1
    );
    assert_code(
        store.record_api_key_use(ApiKeyId::new(), at(1), None).await,
        "not_found",
    );

    // Revoke (update) and list.
    let mut revoked = used.clone();
    revoked.status = ApiKeyStatus::Revoked;
    revoked.updated_at = at(300);
    store
        .update_api_key(
            &revoked,
            &[event(Some(t1), "api_key.revoke", &k1.id.to_string())],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_api_key(k1.id).await.unwrap(),
        Some(revoked.clone())
    );
    assert_code(
        store
            .update_api_key(&api_key(t1, "ghost", "ghost", 0), &[])
            .await,
        "not_found",
    );

    let all = PageRequest {
        page: 1,
        page_size: 10,
    };
    let ids = |keys: Vec<ApiKey>| keys.into_iter().map(|k| k.name).collect::<Vec<_>>();
    let page = store
        .list_api_keys(&ApiKeyFilter::default(), all)
        .await
        .unwrap();
    assert_eq!(
        (ids(page.items), page.total),
        (vec!["third".to_owned(), "second".into()], 2)
    );
    let filter = ApiKeyFilter {
        include_revoked: true,
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["third", "second", "first"]
    );
    let filter = ApiKeyFilter {
        tenant_id: Some(t1),
        include_revoked: true,
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["second", "first"]
    );
    let filter = ApiKeyFilter {
        permission_source_id: Some("group-9".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(store.list_api_keys(&filter, all).await.unwrap().items),
        ["second"]
    );
    let filter = ApiKeyFilter {
        include_revoked: true,
        ..Default::default()
    };
    let page = store
        .list_api_keys(
            &filter,
            PageRequest {
                page: 2,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((ids(page.items), page.total), (vec!["first".to_owned()], 3));

    store
        .delete_api_key(
            k2.id,
            &[event(Some(t1), "api_key.delete", &k2.id.to_string())],
        )
        .await
        .unwrap();
    assert!(store.get_api_key(k2.id).await.unwrap().is_none());
    assert_code(
        store
            .delete_api_key(k2.id, &[event(Some(t1), "api_key.delete", "again")])
            .await,
        "not_found",
    );
    let actions: Vec<String> = all_audit(store)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.as_str() == "api_key.delete")
            .count(),
        1
    );
    assert_eq!(actions.len(), 5);
}

// ----- audit, settings -----

async fn audit_filters_order_and_pages(store: &SqlStore) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut events = Vec::new();
    for (i, (tenant, action, actor_type, actor)) in [
        (Some(t1), "domain.create", ActorType::User, "u1"),
        (Some(t1), "record.create", ActorType::ApiKey, "k1"),
        (Some(t2), "domain.create", ActorType::User, "u2"),
        (None, "settings.update", ActorType::System, "cli"),
        (Some(t1), "record.delete", ActorType::User, "u1"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = event(tenant, action, &format!("res-{i}"));
        e.actor_type = actor_type;
        e.actor_id = Some(actor.into());
        e.created_at = at(i as i64 * 10);
        events.push(e);
    }
    // Two entries in the same microsecond: the later id comes first.
    let mut twin = event(Some(t2), "record.update", "res-9");
    twin.created_at = events[4].created_at;
    twin.before = Some(json!({"content": "192.0.2.1", "ttl": 300}));
    twin.after = Some(json!(null));
    twin.ip_address = Some("2001:db8::1".into());
    twin.user_agent = Some("scaidns-cli/1.0".into());
    twin.request_id = Some("req-1".into());
    twin.resource_name = Some("www.example.com".into());
    twin.actor_email = None;
    if twin.id < events[4].id {
        std::mem::swap(&mut twin.id, &mut events[4].id);
    }
    events.push(twin.clone());
    store.put_setting("audit.test", "x", &events).await.unwrap();

    let all = PageRequest {
        page: 1,
        page_size: 50,
    };
    let list = |f: AuditFilter| async move { store.list_audit(&f, all).await.unwrap() };
    let resources = |page: &scaidns_core::ports::store::Page<AuditEvent>| {
        page.items
            .iter()
            .map(|e| e.resource_id.clone().unwrap())
            .collect::<Vec<_>>()
    };

    let page = list(AuditFilter::default()).await;
    assert_eq!(
        resources(&page),
        ["res-9", "res-4", "res-3", "res-2", "res-1", "res-0"]
    );
    assert_eq!(page.total, 6);
    assert_eq!(store.get_audit(twin.id).await.unwrap(), Some(twin.clone()));
    assert_eq!(page.items[0], twin);
    assert!(
        store
            .get_audit(AuditEventId::new())
            .await
            .unwrap()
            .is_none()
    );

    let page = list(AuditFilter {
        tenant_id: Some(t1),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4", "res-1", "res-0"]);
    let page = list(AuditFilter {
        action: Some("domain.create".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-2", "res-0"]);
    let page = list(AuditFilter {
        resource_type: Some("record".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-9", "res-4", "res-1"]);
    let page = list(AuditFilter {
        resource_id: Some("res-3".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-3"]);
    let page = list(AuditFilter {
        actor_id: Some("u1".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4", "res-0"]);
    let page = list(AuditFilter {
        actor_type: Some(ActorType::ApiKey),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-1"]);
    // since is inclusive, until exclusive, both to the microsecond.
    let page = list(AuditFilter {
        since: Some(at(10)),
        until: Some(at(30)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-2", "res-1"]);
    let page = list(AuditFilter {
        since: Some(at(10) + Duration::microseconds(1)),
        until: Some(at(30) + Duration::microseconds(1)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-3", "res-2"]);
    let page = list(AuditFilter {
        tenant_id: Some(t1),
        actor_id: Some("u1".into()),
        since: Some(at(1)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4"]);

    let page = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                page: 2,
                page_size: 4,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (resources(&page), page.total),
        (vec!["res-1".to_owned(), "res-0".into()], 6)
    );
}

async fn settings_upsert_with_audit(store: &SqlStore) {
    assert!(store.get_setting("nameservers").await.unwrap().is_none());
    store
        .put_setting(
            "nameservers",
            "ns1.example.net.,ns2.example.net.",
            &[event(None, "settings.update", "ns")],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_setting("nameservers").await.unwrap().as_deref(),
        Some("ns1.example.net.,ns2.example.net.")
    );
    store
        .put_setting(
            "nameservers",
            "ns3.example.net.",
            &[event(None, "settings.update", "ns")],
        )
        .await
        .unwrap();
    store.put_setting("other", "", &[]).await.unwrap();
    assert_eq!(
        store.get_setting("nameservers").await.unwrap().as_deref(),
        Some("ns3.example.net.")
    );
    assert_eq!(
        store.get_setting("other").await.unwrap().as_deref(),
        Some("")
    );
    assert_eq!(all_audit(store).await.len(), 2);
}

// ----- rows edited behind the store's back -----

/// Runs `sql` on the test database directly, bypassing the store.
async fn raw(db: &TestDb, sql: &str) {
    use sqlx::{AssertSqlSafe, Connection};
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        query.execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
        let query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        query.execute(&mut conn).await.unwrap();
    }
}

async fn corrupt_rows_are_internal_errors(db: &TestDb) {
    let store = &db.store;
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mail = record(&zone, "mail", RecordType::A, "192.0.2.2");
    w.upsert_records.push(www.clone());
    w.upsert_records.push(mail.clone());
    put(store, w).await;

    // A record that cannot be read back is left out of reads (and logged), never fails them:
    // the rest of the zone stays readable and repairable.
    raw(
        db,
        &format!(
            "UPDATE records SET content = 'not-an-address' WHERE id = '{}'",
            www.id
        ),
    )
    .await;
    let listed = store
        .list_records(zone.id, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![mail.id]
    );
    assert_eq!(store.get_record(zone.id, www.id).await.unwrap(), None);
    raw(
        db,
        &format!(
            "UPDATE records SET name = 'x..example.com' WHERE id = '{}'",
            mail.id
        ),
    )
    .await;
    assert!(
        store
            .list_records(zone.id, &RecordFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    raw(db, "UPDATE zones SET status = 'bogus'").await;
    let err = store.get_zone(zone.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(
        err.message().contains("corrupt zones row"),
        "{}",
        err.message()
    );
    raw(
        db,
        "UPDATE zones SET status = 'active', name = 'not a name'",
    )
    .await;
    assert_eq!(
        store.get_zone(zone.id).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
    raw(
        db,
        "UPDATE zones SET name = 'example.com', settings = '{broken'",
    )
    .await;
    assert_eq!(
        store.get_zone(zone.id).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
}

#[tokio::test]
async fn sqlite_corrupt_rows_are_internal_errors() {
    corrupt_rows_are_internal_errors(&TestDb::sqlite().await).await;
}

#[tokio::test]
async fn mysql_corrupt_rows_are_internal_errors() {
    corrupt_rows_are_internal_errors(&TestDb::mysql().await).await;
}

// ----- connecting -----

#[tokio::test]
async fn sqlite_creates_the_file_and_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/scaidns.db");
    let store = SqlStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    assert_eq!(store.engine(), "sqlite");
    put(&store, create(&new_zone(TenantId::new(), "example.com"))).await;
    // WAL mode, so that the server, the worker and the CLI can share the file.
    assert!(dir.path().join("a/b/scaidns.db-wal").exists());
    store.close().await;
    // The data is in the file: a second store sees it, and migrating again changes nothing.
    let again = SqlStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    again.migrate().await.unwrap();
    assert_eq!(
        again
            .list_zones(&ZoneFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn sqlite_in_memory_works() {
    let store = SqlStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let zone = put(&store, create(&new_zone(TenantId::new(), "example.com"))).await;
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

#[tokio::test]
async fn mysql_accepts_the_seed_url_forms() {
    let db = TestDb::mysql().await;
    let rest = db.url.split_once("://").unwrap().1;
    for scheme in ["mysql", "mariadb", "mysql+asyncmy", "mariadb+pymysql"] {
        let store = SqlStore::connect(&format!("{scheme}://{rest}"))
            .await
            .unwrap();
        store.health().await.unwrap();
        assert_eq!(store.engine(), "mysql");
        assert!(!format!("{store:?}").contains(rest));
    }
}

#[tokio::test]
async fn connection_errors_never_show_the_password() {
    let server = crate::support::db::mysql_server_url();
    let rest = server.split_once("://").unwrap().1;
    let host = rest
        .rsplit_once('@')
        .map_or(rest, |(_, host)| host)
        .trim_end_matches('/');
    let url = format!("mysql://scaidns_nobody:Sup3rS3cretPw@{host}/nothing");
    let err = SqlStore::connect(&url).await.unwrap_err();
    assert_eq!(err.code(), "database_unavailable");
    assert!(
        !err.message().contains("Sup3rS3cretPw"),
        "{}",
        err.message()
    );
    let err = SqlStore::connect("sqlite+x:/proc/forbidden/dir/db.sqlite")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "database_unavailable");
}
