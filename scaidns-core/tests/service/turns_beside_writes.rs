//! A record write takes the zone's publishing turn beside its write transaction
//! (`ZoneStore::publication_turn_beside_write`), so it holds two pooled connections at once.
//! Record creates one after another publish in that turn, and take no other (counted through
//! the store's operation observer); with a pool of one they take it after the commit.
//! Writers of many zones at once on a pool of two all commit and publish, on every engine,
//! whether or not each got a turn beside its write. (The store opens at most one turn fewer
//! than its connections. The stall that bound prevents needs every connection held by a turn
//! whose holder asks for a second one, as a re-planned write or a lifecycle write does; this
//! test does not stage it. The bound is a unit test of `adapters::sql::turn_budget`.)

use std::sync::Arc;

use chrono::Utc;
use futures::future::join_all;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ids::TenantId;
use scaidns_core::ports::backend::DnsBackend;
use scaidns_core::ports::{Observer, Store, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_core::zone::SyncStatus;
use scaidns_core::zone::precondition::IfMatch;

use crate::support::db::TestDb;
use crate::support::{Applies, Operations};

const ZONES: usize = 6;
const ROUNDS: usize = 3;

/// A service on `store` publishing to `backend`.
fn service(store: Arc<dyn Store>, backend: Arc<dyn DnsBackend>) -> ScaiDns {
    ScaiDns::new(
        store,
        backend,
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    )
}

/// A service on `store` publishing to the embedded backend.
fn service_on(store: SqlStore) -> (ScaiDns, Arc<dyn Store>, Arc<EmbeddedBackend>) {
    let store: Arc<dyn Store> = Arc::new(store);
    let backend = Arc::new(EmbeddedBackend::new());
    let svc = service(
        Arc::clone(&store),
        Arc::clone(&backend) as Arc<dyn DnsBackend>,
    );
    (svc, store, backend)
}

async fn writers_of_many_zones_on_a_pool_of_two_all_publish(db: TestDb) {
    let store = SqlStore::connect_with_pool_size(&db.url, 2).await.unwrap();
    let (svc, store, backend) = service_on(store);
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let mut zones = Vec::new();
    for i in 0..ZONES {
        let input = ZoneCreate {
            name: format!("pool-of-two-{i}.test"),
            skip_validation: Some(true),
            ..ZoneCreate::default()
        };
        zones.push(svc.zone_create(&ctx, input).await.unwrap().zone);
    }
    for round in 0..ROUNDS {
        let writes = zones.iter().map(|zone| {
            let input = RecordCreate {
                name: format!("r{round}"),
                rtype: "A".into(),
                content: "192.0.2.1".into(),
                ..RecordCreate::default()
            };
            svc.record_create(&ctx, zone.id, input, &IfMatch::Any)
        });
        for written in join_all(writes).await {
            let (zone, _) = written.expect("every writer commits and publishes");
            assert_eq!(zone.sync.status, SyncStatus::InSync, "{}", zone.name);
        }
    }
    for zone in &zones {
        let served = backend.get_zone(&zone.name).await.unwrap().unwrap();
        for round in 0..ROUNDS {
            let name = format!("r{round}.{}.", zone.name);
            assert!(
                served.iter().any(|set| set.name == name),
                "{name} not published in {:?}",
                served.iter().map(|s| &s.name).collect::<Vec<_>>()
            );
        }
        let stored = store.get_zone(zone.id).await.unwrap().unwrap();
        assert_eq!(stored.sync.status, SyncStatus::InSync, "{}", zone.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_many_zones_on_a_mariadb_pool_of_two_all_publish() {
    writers_of_many_zones_on_a_pool_of_two_all_publish(TestDb::mysql().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_many_zones_on_a_postgres_pool_of_two_all_publish() {
    writers_of_many_zones_on_a_pool_of_two_all_publish(TestDb::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_many_zones_on_a_sqlite_pool_of_two_all_publish() {
    writers_of_many_zones_on_a_pool_of_two_all_publish(TestDb::sqlite().await).await;
}

/// Record creates, one after another, on a store of `pool_size` connections: how many turns
/// were taken beside the writes and how many after their commits.
async fn turns_of_record_creates(db: &TestDb, pool_size: u32) -> (usize, usize) {
    let operations = Arc::new(Operations::default());
    let store = SqlStore::connect_with_pool_size(&db.url, pool_size)
        .await
        .unwrap()
        .with_observer(Arc::clone(&operations) as Arc<dyn Observer>);
    let (svc, _, backend) = service_on(store);
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let input = ZoneCreate {
        name: format!("beside-{pool_size}.test"),
        skip_validation: Some(true),
        ..ZoneCreate::default()
    };
    let zone = svc.zone_create(&ctx, input).await.unwrap().zone;
    operations.reset();
    for name in ["a", "b", "c"] {
        let input = RecordCreate {
            name: name.into(),
            rtype: "A".into(),
            content: "192.0.2.1".into(),
            ..RecordCreate::default()
        };
        let (zone, _) = svc
            .record_create(&ctx, zone.id, input, &IfMatch::Any)
            .await
            .unwrap();
        assert_eq!(zone.sync.status, SyncStatus::InSync);
        let served = backend.get_zone(&zone.name).await.unwrap().unwrap();
        let fqdn = format!("{name}.{}.", zone.name);
        assert!(
            served.iter().any(|set| set.name == fqdn),
            "{fqdn} not published"
        );
    }
    (
        operations.count("zones::publication_turn_beside_write"),
        operations.count("zones::publication_turn"),
    )
}

/// Each create publishes in the turn it took beside its write: no turn is taken after it.
async fn a_record_create_publishes_in_the_turn_taken_beside_its_write(db: TestDb) {
    assert_eq!(turns_of_record_creates(&db, 10).await, (3, 0));
}

#[tokio::test]
async fn a_record_create_publishes_in_the_turn_taken_beside_its_write_on_mariadb() {
    a_record_create_publishes_in_the_turn_taken_beside_its_write(TestDb::mysql().await).await;
}

#[tokio::test]
async fn a_record_create_publishes_in_the_turn_taken_beside_its_write_on_postgres() {
    a_record_create_publishes_in_the_turn_taken_beside_its_write(TestDb::postgres().await).await;
}

#[tokio::test]
async fn a_record_create_publishes_in_the_turn_taken_beside_its_write_on_sqlite() {
    a_record_create_publishes_in_the_turn_taken_beside_its_write(TestDb::sqlite().await).await;
}

/// With a pool of one connection the write holds it: the turn is taken after the commit.
#[tokio::test]
async fn on_a_pool_of_one_the_turn_follows_the_commit() {
    assert_eq!(
        turns_of_record_creates(&TestDb::sqlite().await, 1).await,
        (0, 3)
    );
}

/// A record create on a zone the backend lost (answered "no such zone") publishes the zone
/// whole in the same turn, after one attempt at the planned changes.
#[tokio::test]
async fn a_write_to_a_zone_the_backend_lost_publishes_it_whole_once() {
    let db = TestDb::mysql().await;
    let backend = Arc::new(crate::support::HookedBackend::<Applies>::default());
    let svc = service(
        Arc::new(db.store.clone()),
        Arc::clone(&backend) as Arc<dyn DnsBackend>,
    );
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let input = ZoneCreate {
        name: "lost.test".into(),
        skip_validation: Some(true),
        ..ZoneCreate::default()
    };
    let zone = svc.zone_create(&ctx, input).await.unwrap().zone;
    let create = |name: &str| RecordCreate {
        name: name.into(),
        rtype: "A".into(),
        content: "192.0.2.1".into(),
        ..RecordCreate::default()
    };
    svc.record_create(&ctx, zone.id, create("a"), &IfMatch::Any)
        .await
        .unwrap();
    backend.inner.delete_zone(&zone.name).await.unwrap();
    let before = backend.hook.0.load(std::sync::atomic::Ordering::SeqCst);
    let (after, _) = svc
        .record_create(&ctx, zone.id, create("b"), &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(after.sync.status, SyncStatus::InSync);
    assert_eq!(
        backend.hook.0.load(std::sync::atomic::Ordering::SeqCst) - before,
        1,
        "the planned changes are tried once, then the zone is published whole"
    );
    let served = backend.inner.get_zone(&zone.name).await.unwrap().unwrap();
    for name in ["a", "b"] {
        let fqdn = format!("{name}.lost.test.");
        assert!(
            served.iter().any(|set| set.name == fqdn),
            "{fqdn} not served"
        );
    }
}
