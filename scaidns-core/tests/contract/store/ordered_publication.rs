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
