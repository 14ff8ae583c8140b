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
