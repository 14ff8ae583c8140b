//! A zone's rows over its life: purge, validations (latest and open), sync state and counts.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    purge_removes_the_zone_and_its_rows,
    validations_latest_and_open,
    sync_state_and_counts,
);

async fn purge_removes_the_zone_and_its_rows(store: &dyn Store) {
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

async fn validations_latest_and_open(store: &dyn Store) {
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

async fn sync_state_and_counts(store: &dyn Store) {
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
