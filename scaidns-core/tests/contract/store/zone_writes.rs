//! Zone writes (`write_zone`): the expected generation, concurrent writers, and the publish step
//! that commits or rolls back the whole change set.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    stale_generation_is_refused,
    record_writes_check_the_generation_in_their_update,
    concurrent_writers_serialise_on_the_generation,
    writers_of_different_zones_never_deadlock,
    failed_publish_rolls_everything_back,
    publish_outcome_sets_sync_state,
    a_write_answers_the_zone_as_stored,
);

async fn stale_generation_is_refused(store: &dyn Store) {
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

/// A record write keeps the zone's status, tenant and name, so its zone `UPDATE` checks the
/// generation itself: a stale or future generation is still 409 `generation_mismatch` and a
/// missing zone 404, with nothing applied, and a write that does change those keys (deleting
/// the zone) is checked the same.
async fn record_writes_check_the_generation_in_their_update(store: &dyn Store) {
    let tenant = TenantId::new();
    let zone = put(store, create(&new_zone(tenant, "example.com"))).await;
    let v2 = put(store, change(&zone)).await;

    for expected in [zone.generation, v2.generation + 1] {
        let mut stale = change(&v2);
        stale.expected_generation = Some(expected);
        stale.zone.generation = expected + 1;
        stale.zone.description = Some("lost update".into());
        stale.new_records = vec![record(&v2, "www", RecordType::A, "192.0.2.1")];
        stale
            .audit
            .push(event(Some(tenant), "record.create", "stale"));
        assert_code(
            store.write_zone(stale, &NoPublish).await,
            "generation_mismatch",
        );
    }
    let mut deleting = change(&zone);
    deleting.zone.status = ZoneStatus::Deleted;
    deleting.zone.status_before_delete = Some(ZoneStatus::Active);
    assert_code(
        store.write_zone(deleting, &NoPublish).await,
        "generation_mismatch",
    );
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(v2.clone()));
    assert!(all_records(store, zone.id).await.is_empty());
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.resource_id.as_deref() != Some("stale"))
    );

    let ghost = new_zone(tenant, "ghost.example");
    let mut missing = change(&ghost);
    missing.new_records = vec![record(&ghost, "www", RecordType::A, "192.0.2.1")];
    assert_code(store.write_zone(missing, &NoPublish).await, "not_found");
    assert!(store.get_zone(ghost.id).await.unwrap().is_none());
    assert_eq!(store.count_records().await.unwrap(), 0);

    // At the right generation both land: the record write, then the delete.
    let mut write = change(&v2);
    write.new_records = vec![record(&v2, "www", RecordType::A, "192.0.2.1")];
    let v3 = put(store, write).await;
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(v3.clone()));
    let mut deleting = change(&v3);
    deleting.zone.status = ZoneStatus::Deleted;
    deleting.zone.status_before_delete = Some(ZoneStatus::Active);
    let deleted = put(store, deleting).await;
    assert_eq!(deleted.status, ZoneStatus::Deleted);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(deleted));
}

async fn concurrent_writers_serialise_on_the_generation(store: &dyn Store) {
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

/// Writes adding records to different zones at once all commit. On MariaDB the replace step
/// (delete the upserted ids, then insert) used to lock the primary key's last gap when the ids
/// were new, and two such writes deadlocked there, failing one with 503 (found by the
/// scale-out test with three replicas).
async fn writers_of_different_zones_never_deadlock(store: &dyn Store) {
    const ZONES: usize = 8;
    const ROUNDS: usize = 10;
    let tenant = TenantId::new();
    let mut zones = Vec::new();
    for n in 0..ZONES {
        zones.push(put(store, create(&new_zone(tenant, &format!("z{n}.example")))).await);
    }
    for round in 0..ROUNDS {
        let writes = zones.iter().map(|zone| {
            let mut w = change(zone);
            let added = record(zone, &format!("r{round}"), RecordType::A, "192.0.2.1");
            // Both ways of adding a record: as new (no delete) and as an upsert.
            if round % 2 == 0 {
                w.new_records.push(added);
            } else {
                w.upsert_records.push(added);
            }
            store.write_zone(w, &NoPublish)
        });
        let written = futures::future::join_all(writes).await;
        zones = written
            .into_iter()
            .map(|r| r.unwrap_or_else(|e| panic!("round {round}: {e:?}")))
            .collect();
    }
    for zone in &zones {
        assert_eq!(all_records(store, zone.id).await.len(), ROUNDS);
    }
}

async fn failed_publish_rolls_everything_back(store: &dyn Store) {
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

async fn publish_outcome_sets_sync_state(store: &dyn Store) {
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

/// The zone a write answers is the one a read then finds, timestamps truncated as stored,
/// whether the write inserted, updated or only kept books, and whatever publishing said.
async fn a_write_answers_the_zone_as_stored(store: &dyn Store) {
    let mut zone = new_zone(TenantId::new(), "example.com");
    zone.created_at += Duration::nanoseconds(789);
    zone.updated_at = zone.created_at;
    zone.settings = json!({"b": 1.5, "a": ["x"]});
    zone.description = Some("d".into());
    let created = put(store, create(&zone)).await;
    assert_eq!(
        store.get_zone(zone.id).await.unwrap(),
        Some(created.clone())
    );
    assert_ne!(
        created.created_at, zone.created_at,
        "nanoseconds are not kept"
    );

    let mut w = change(&created);
    w.zone.updated_at += Duration::nanoseconds(321);
    w.upsert_records
        .push(record(&created, "www", RecordType::A, "192.0.2.1"));
    let published = store
        .write_zone(w, &Fixed::new(Ok(PublishOutcome::Published)))
        .await
        .unwrap();
    assert_eq!(
        store.get_zone(zone.id).await.unwrap(),
        Some(published.clone())
    );

    let mut w = change(&published);
    w.zone.deleted_at = Some(at(5) + Duration::nanoseconds(1));
    let deferred = store
        .write_zone(
            w,
            &Fixed::new(Ok(PublishOutcome::Deferred("refused".into()))),
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_zone(zone.id).await.unwrap(),
        Some(deferred.clone())
    );

    // Bookkeeping: the zone row is left as stored, whatever the write's copy says.
    let mut w = change(&deferred);
    w.zone.generation = deferred.generation;
    w.zone.description = Some("not written".into());
    w.audit
        .push(event(Some(zone.tenant_id), "domain.validate", "v"));
    let kept = put(store, w).await;
    assert_eq!(kept, deferred);
}
