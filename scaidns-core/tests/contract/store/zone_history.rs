//! Zone history: every generation step of a zone keeps one entry in its own transaction (a
//! bookkeeping write none), entries read newest first or as a span, the worker's prune keeps
//! the retention and the per-zone cap, and a purge takes a zone's history with it.

use scaidns_core::ports::dnssec_key_store::DnssecKeyWrite;
use scaidns_core::zone::change_set::change_set_of_records;

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    zone_history_keeps_one_entry_per_generation_step,
    zone_history_prune_keeps_the_retention_and_the_cap,
    zone_history_entry_rolls_back_with_its_write_and_dnssec_steps_keep_one,
    zone_history_under_a_huge_retention_keeps_everything,
);

async fn zone_history_keeps_one_entry_per_generation_step(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "history.test");
    let mut first = create(&zone);
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    first.changes = change_set_of_records(&[], std::slice::from_ref(&www));
    first.upsert_records = vec![www.clone()];
    let zone = put(store, first).await;

    let mut second = change(&zone);
    second.delete_records = vec![www.id];
    second.changes = change_set_of_records(std::slice::from_ref(&www), &[]);
    second.audit = vec![event(Some(zone.tenant_id), "record.delete", "r")];
    let zone = put(store, second).await;
    // A refused write keeps no entry.
    let stale = change(&zone);
    let mut stale = ZoneWrite {
        expected_generation: Some(zone.generation - 1),
        ..stale
    };
    stale.zone.generation = zone.generation;
    assert!(store.write_zone(stale, &NoPublish).await.is_err());
    // Bookkeeping (same generation) keeps none either.
    let bookkeeping = ZoneWrite {
        expected_generation: Some(zone.generation),
        ..change(&zone)
    };
    let mut bookkeeping = bookkeeping;
    bookkeeping.zone.generation = zone.generation;
    put(store, bookkeeping).await;

    let since = t0() - Duration::days(1);
    let page = store
        .list_zone_history(zone.id, since, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let generations: Vec<i64> = page.items.iter().map(|e| e.generation).collect();
    assert_eq!(generations, [2, 1], "newest first");
    assert_eq!(page.items[0].action, "record.delete");
    assert_eq!(page.items[1].action, "domain.create");
    assert_eq!(
        page.items[1].changes[0]
            .after
            .as_ref()
            .unwrap()
            .records
            .len(),
        1
    );
    assert!(page.items[0].changes[0].after.is_none());
    let span = store.zone_history_span(zone.id, 1, 2, since).await.unwrap();
    assert_eq!(
        span.iter().map(|e| e.generation).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(span[1], page.items[0]);
    // Entries before `since` are not answered.
    let later = store
        .zone_history_span(zone.id, 1, 2, t0() + Duration::days(1))
        .await
        .unwrap();
    assert!(later.is_empty());

    store
        .purge_zone(zone.id, zone.generation, Vec::new(), &NoPublish)
        .await
        .unwrap();
    let gone = store.zone_history_span(zone.id, 1, 2, since).await.unwrap();
    assert!(gone.is_empty(), "a purge takes the zone's history with it");
}

async fn zone_history_prune_keeps_the_retention_and_the_cap(store: &dyn Store) {
    let tenant = TenantId::new();
    let mut zone = put(store, create(&new_zone(tenant, "busy.test"))).await;
    for _ in 0..4 {
        let mut next = change(&zone);
        next.audit = vec![event(Some(tenant), "domain.update", "z")];
        // Each step a day later than the one before.
        next.audit[0].created_at = zone.updated_at + Duration::days(1);
        next.zone.updated_at = next.audit[0].created_at;
        zone = put(store, next).await;
    }
    let quiet = put(store, create(&new_zone(tenant, "quiet.test"))).await;
    let since = t0() - Duration::days(1);
    // Cap 3: the busy zone keeps generations 3..=5; the quiet one its only entry.
    let removed = store
        .prune_zone_history(t0() - Duration::days(1), 3)
        .await
        .unwrap();
    assert_eq!(removed, 2);
    let kept = store.zone_history_span(zone.id, 1, 5, since).await.unwrap();
    assert_eq!(
        kept.iter().map(|e| e.generation).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    // Retention: everything made before day 4 goes.
    let removed = store
        .prune_zone_history(t0() + Duration::days(3) + Duration::hours(12), 100)
        .await
        .unwrap();
    assert_eq!(removed, 3, "generations 3 and 4 of busy, and quiet's first");
    let kept = store.zone_history_span(zone.id, 1, 5, since).await.unwrap();
    assert_eq!(kept.iter().map(|e| e.generation).collect::<Vec<_>>(), [5]);
    let quiet_kept = store
        .zone_history_span(quiet.id, 1, 1, since)
        .await
        .unwrap();
    assert!(quiet_kept.is_empty());
}

/// The entry is part of its write: a write the backend refuses leaves none (a diff or restore
/// would otherwise undo a change that never happened), and DNSSEC enable/disable, which step
/// the generation in their own statement, keep one at the generation they made.
async fn zone_history_entry_rolls_back_with_its_write_and_dnssec_steps_keep_one(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "atomic.test"))).await;
    let mut refused = change(&zone);
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    refused.changes = change_set_of_records(&[], std::slice::from_ref(&www));
    refused.upsert_records = vec![www];
    assert!(store.write_zone(refused, &Fixed::failing()).await.is_err());
    let since = t0() - Duration::days(1);
    let span = store.zone_history_span(zone.id, 1, 9, since).await.unwrap();
    assert_eq!(span.iter().map(|e| e.generation).collect::<Vec<_>>(), [1]);

    let mut enable = DnssecKeyWrite {
        zone_id: zone.id,
        expected: Vec::new(),
        upsert: Vec::new(),
        delete: Vec::new(),
        dnssec_enabled: Some(true),
        now: t0() + Duration::minutes(1),
        if_match: scaidns_core::zone::precondition::IfMatch::Any,
        audit: vec![event(Some(zone.tenant_id), "dnssec.enable", "z")],
    };
    enable.audit[0].created_at = enable.now;
    store.write_dnssec_keys(enable).await.unwrap();
    let stepped = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stepped.generation, 2);
    let span = store.zone_history_span(zone.id, 1, 9, since).await.unwrap();
    assert_eq!(
        span.iter().map(|e| e.generation).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(span[1].action, "dnssec.enable");
    assert_eq!(span[1].actor_id.as_deref(), Some("actor-1"));
    assert!(span[1].changes.is_empty());
}

/// `ZONE_HISTORY_RETENTION_DAYS` of `u32::MAX` saturates to the earliest cut-off, which every
/// engine can bind both to the prune and to the reads (before the floor, MariaDB and PostgreSQL
/// refused chrono's first date).
async fn zone_history_under_a_huge_retention_keeps_everything(store: &dyn Store) {
    use scaidns_core::service::retention::{days, oldest_kept};
    let zone = put(store, create(&new_zone(TenantId::new(), "kept.test"))).await;
    let since = oldest_kept(t0() + Duration::days(3650), days(u32::MAX));
    assert_eq!(store.prune_zone_history(since, 100).await.unwrap(), 0);
    let kept = store.zone_history_span(zone.id, 1, 1, since).await.unwrap();
    assert_eq!(kept.iter().map(|e| e.generation).collect::<Vec<_>>(), [1]);
}
