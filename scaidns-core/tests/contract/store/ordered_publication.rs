//! Ordered publication (`claim_publication`, `set_sync_state_at`): a publisher publishes a
//! zone's generation only after raising the zone's last published generation to it, so an
//! older generation is never published over a newer one; and a publication's outcome is
//! recorded only while the zone is still at that generation.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    claim_refuses_an_older_or_equal_generation,
    sync_outcome_is_recorded_only_at_its_generation,
    a_write_published_in_its_transaction_claims_its_generation,
    a_publication_turn_reads_the_zone_and_records_its_outcome,
    a_publication_turn_reads_what_committed_after_its_first_read,
);

async fn claim_refuses_an_older_or_equal_generation(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    assert!(store.claim_publication(zone.id, 3).await.unwrap());
    // The same generation again, and an older one: refused.
    assert!(!store.claim_publication(zone.id, 3).await.unwrap());
    assert!(!store.claim_publication(zone.id, 2).await.unwrap());
    // A newer one: granted.
    assert!(store.claim_publication(zone.id, 4).await.unwrap());
    assert!(!store.claim_publication(zone.id, 3).await.unwrap());
    // An unknown zone claims nothing.
    assert!(!store.claim_publication(ZoneId::new(), 1).await.unwrap());
    // A claim does not touch the zone's state.
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

async fn sync_outcome_is_recorded_only_at_its_generation(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let v2 = put(store, change(&zone)).await;
    let synced = SyncState::synced(v2.updated_at);
    // The outcome of generation 1 is stale: generation 2 keeps its own mark.
    assert!(!store.set_sync_state_at(zone.id, 1, &synced).await.unwrap());
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(v2.clone()));
    assert!(store.set_sync_state_at(zone.id, 2, &synced).await.unwrap());
    let stored = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stored.sync.status, SyncStatus::InSync);
    assert_eq!(stored.generation, 2);
}

async fn a_write_published_in_its_transaction_claims_its_generation(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    // Generation 2 published inside its write (as the zone lifecycle does).
    let published = Fixed::new(Ok(PublishOutcome::Published));
    let v2 = store.write_zone(change(&zone), &published).await.unwrap();
    assert_eq!(v2.generation, 2);
    // A publisher of generation 1 or 2 that was still waiting publishes nothing.
    assert!(!store.claim_publication(zone.id, 1).await.unwrap());
    assert!(!store.claim_publication(zone.id, 2).await.unwrap());
    assert!(store.claim_publication(zone.id, 3).await.unwrap());
    // A write that publishes nothing claims nothing.
    let v3 = put(store, change(&v2)).await;
    let v4 = put(store, change(&v3)).await;
    assert!(
        store
            .claim_publication(zone.id, v4.generation)
            .await
            .unwrap()
    );
}

async fn a_publication_turn_reads_the_zone_and_records_its_outcome(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let v2 = put(store, change(&zone)).await;
    let mut turn = store.publication_turn(zone.id).await.unwrap();
    // The zone as it stands, and nothing published yet.
    assert_eq!(turn.zone().await.unwrap(), Some((v2.clone(), 0)));
    assert!(turn.records().await.unwrap().is_empty());
    let synced = SyncState::synced(v2.updated_at);
    turn.finish(Some(2), Some((2, synced.clone())))
        .await
        .unwrap();
    let stored = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stored.sync, synced);
    assert!(!store.claim_publication(zone.id, 2).await.unwrap());

    // A stale outcome changes nothing: the published generation never goes back, and the sync
    // state is recorded only at the zone's generation.
    let mut turn = store.publication_turn(zone.id).await.unwrap();
    assert_eq!(turn.zone().await.unwrap().map(|(_, p)| p), Some(2));
    let failed = SyncState {
        status: SyncStatus::Error,
        error: Some("refused".into()),
        last_synced_at: None,
    };
    turn.finish(Some(1), Some((1, failed))).await.unwrap();
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(stored));
    let turn = store.publication_turn(zone.id).await.unwrap();
    turn.finish(None, None).await.unwrap();
    assert!(!store.claim_publication(zone.id, 2).await.unwrap());

    // A turn ended without an outcome (dropped) leaves the next one free to start.
    drop(store.publication_turn(zone.id).await.unwrap());
    let mut turn = store.publication_turn(zone.id).await.unwrap();
    assert!(turn.zone().await.unwrap().is_some());
    turn.finish(None, None).await.unwrap();

    // An unknown zone has nothing to read.
    let mut turn = store.publication_turn(ZoneId::new()).await.unwrap();
    assert_eq!(turn.zone().await.unwrap(), None);
    turn.finish(None, None).await.unwrap();
}

/// A turn taken beside a write reads before that write commits and is used after it, while
/// writes keep committing: every read in a turn sees what committed before it (on MariaDB the
/// turn runs at READ COMMITTED), and its outcome lands on a row changed since its first read
/// (which MariaDB 11.6.2+'s `innodb_snapshot_isolation` would refuse under REPEATABLE READ).
async fn a_publication_turn_reads_what_committed_after_its_first_read(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let mut turn = store.publication_turn(zone.id).await.unwrap();
    assert_eq!(
        turn.zone().await.unwrap().map(|(z, _)| z.generation),
        Some(1)
    );
    let v2 = put(store, change(&zone)).await;
    assert_eq!(turn.zone().await.unwrap(), Some((v2.clone(), 0)));
    let synced = SyncState::synced(v2.updated_at);
    turn.finish(Some(2), Some((2, synced.clone())))
        .await
        .unwrap();
    assert_eq!(store.get_zone(zone.id).await.unwrap().unwrap().sync, synced);
    assert!(!store.claim_publication(zone.id, 2).await.unwrap());
}
