//! A record write answers once the backend has taken its change, and the outcome of that
//! publication is recorded after the answer when the service has somewhere to run it
//! (`ScaiDns::with_after_answer`, as `scaidns serve` does): here a runner that holds the work
//! until the test lets it go, so each step is seen in order, on every engine.
//! - The answer says `in_sync` while the store still says `pending`.
//! - A read of the zone on this replica answers what the record leaves (`in_sync`), not what
//!   the store held before it.
//! - The next writer's publication waits for the record and is still made in the turn it took
//!   beside its write (counted through the store's operation observer).
//! - An outcome never recorded (the process stopped) leaves the zone `pending` with its
//!   published generation behind: the next write publishes the zone whole, not its own change.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use futures::FutureExt;
use futures::future::BoxFuture;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::ports::backend::DnsBackend;
use scaidns_core::ports::{AfterAnswer, Observer, Store, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{OpContext, ScaiDns, ServiceConfig};
use scaidns_core::zone::precondition::IfMatch;
use scaidns_core::zone::{SyncStatus, Zone};

use crate::support::db::TestDb;
use crate::support::{Applies, HookedBackend, Operations};

/// Keeps the work handed to it until [`Held::release`] runs it or [`Held::forget`] drops it.
#[derive(Default)]
struct Held(Mutex<Vec<BoxFuture<'static, ()>>>);

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Held({})", self.count())
    }
}

impl AfterAnswer for Held {
    fn run(&self, work: BoxFuture<'static, ()>) {
        self.0.lock().unwrap().push(work);
    }
}

impl Held {
    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    async fn release(&self) {
        let work = std::mem::take(&mut *self.0.lock().unwrap());
        for work in work {
            work.await;
        }
    }

    fn forget(&self) {
        self.0.lock().unwrap().clear();
    }
}

struct Setup {
    svc: ScaiDns,
    store: Arc<dyn Store>,
    backend: Arc<HookedBackend<Applies>>,
    operations: Arc<Operations>,
    held: Arc<Held>,
    ctx: OpContext,
    zone: Zone,
}

async fn setup(db: &TestDb) -> Setup {
    let operations = Arc::new(Operations::default());
    let store = SqlStore::connect(&db.url)
        .await
        .unwrap()
        .with_observer(Arc::clone(&operations) as Arc<dyn Observer>);
    let store: Arc<dyn Store> = Arc::new(store);
    let backend = Arc::new(HookedBackend::<Applies>::default());
    let held = Arc::new(Held::default());
    let svc = ScaiDns::new(
        Arc::clone(&store),
        Arc::clone(&backend) as Arc<dyn DnsBackend>,
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    )
    .with_after_answer(Arc::clone(&held) as Arc<dyn AfterAnswer>);
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let input = ZoneCreate {
        name: format!("after-answer-{}.test", &ZoneId::new().to_string()[..8]),
        skip_validation: Some(true),
        ..ZoneCreate::default()
    };
    let zone = svc.zone_create(&ctx, input).await.unwrap().zone;
    assert_eq!(
        held.count(),
        0,
        "a zone's creation records its outcome itself"
    );
    Setup {
        svc,
        store,
        backend,
        operations,
        held,
        ctx,
        zone,
    }
}

fn record(name: &str) -> RecordCreate {
    RecordCreate {
        name: name.into(),
        rtype: "A".into(),
        content: "192.0.2.1".into(),
        ..RecordCreate::default()
    }
}

impl Setup {
    async fn create(&self, name: &str) -> Zone {
        let (zone, _) = self
            .svc
            .record_create(&self.ctx, self.zone.id, record(name), &IfMatch::Any)
            .await
            .unwrap();
        zone
    }

    async fn stored(&self) -> Zone {
        self.store.get_zone(self.zone.id).await.unwrap().unwrap()
    }

    async fn served(&self, names: &[&str]) {
        let served = self
            .backend
            .inner
            .get_zone(&self.zone.name)
            .await
            .unwrap()
            .unwrap();
        for name in names {
            let fqdn = format!("{name}.{}.", self.zone.name);
            assert!(
                served.iter().any(|set| set.name == fqdn),
                "{fqdn} not served"
            );
        }
    }
}

async fn the_outcome_is_recorded_after_the_answer(db: TestDb) {
    let s = setup(&db).await;
    let answered = s.create("a").await;
    assert_eq!(answered.sync.status, SyncStatus::InSync);
    s.served(&["a"]).await;
    assert_eq!(s.held.count(), 1);
    assert_eq!(s.stored().await.sync.status, SyncStatus::Pending);

    // Started before the record, the read answers what the record leaves.
    let mut read = s.svc.zone_get(&s.ctx, s.zone.id, false).boxed();
    assert!(futures::poll!(&mut read).is_pending());
    s.held.release().await;
    let read = read.await.unwrap();
    assert_eq!(read.sync.status, SyncStatus::InSync);
    assert_eq!(read.generation, answered.generation);
    assert_eq!(s.stored().await.sync.status, SyncStatus::InSync);

    // The next writer's publication cannot end before the record: it is still pending after
    // everything but the record was driven to a standstill.
    let answered = s.create("b").await;
    assert_eq!(s.held.count(), 1);
    s.operations.reset();
    let mut next = s
        .svc
        .record_create(&s.ctx, s.zone.id, record("c"), &IfMatch::Any)
        .boxed();
    assert!(futures::poll!(&mut next).is_pending());
    // Driven together, as a server drives its requests: the write commits while the record
    // may wait for the zone's row.
    let ((), next) = futures::join!(s.held.release(), next);
    // Nothing is left held when an assertion below fails: a MariaDB turn dropped while the
    // test unwinds stalls its teardown instead of failing it.
    s.held.release().await;
    let (next, _) = next.unwrap();
    assert_eq!(next.sync.status, SyncStatus::InSync);
    assert_eq!(next.generation, answered.generation + 1);
    s.served(&["a", "b", "c"]).await;
    assert_eq!(
        (
            s.operations.count("zones::publication_turn_beside_write"),
            s.operations.count("zones::publication_turn"),
        ),
        (1, 0),
        "the next writer waits for the record beside its write, not after its commit"
    );
    let stored = s.stored().await;
    assert_eq!(stored.sync.status, SyncStatus::InSync);
    assert_eq!(stored.generation, next.generation);
}

async fn an_outcome_never_recorded_leaves_the_zone_to_be_published_again(db: TestDb) {
    let s = setup(&db).await;
    s.create("a").await;
    s.held.release().await;
    let applied = s.backend.hook.count();
    s.create("b").await;
    assert_eq!(s.backend.hook.count(), applied + 1, "b is sent as a change");
    // The process stopped before b's outcome was recorded.
    s.held.forget();
    assert_eq!(s.stored().await.sync.status, SyncStatus::Pending);

    // The last published generation recorded is a's: c's change alone does not follow it, so
    // the zone is published whole, which carries b's change too.
    let answered = s.create("c").await;
    s.held.release().await;
    assert_eq!(answered.sync.status, SyncStatus::InSync);
    assert_eq!(s.backend.hook.count(), applied + 1, "c is published whole");
    s.served(&["a", "b", "c"]).await;
    assert_eq!(s.stored().await.sync.status, SyncStatus::InSync);
}

#[tokio::test]
async fn the_outcome_is_recorded_after_the_answer_on_sqlite() {
    the_outcome_is_recorded_after_the_answer(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn the_outcome_is_recorded_after_the_answer_on_mariadb() {
    the_outcome_is_recorded_after_the_answer(TestDb::mysql().await).await;
}

#[tokio::test]
async fn the_outcome_is_recorded_after_the_answer_on_postgres() {
    the_outcome_is_recorded_after_the_answer(TestDb::postgres().await).await;
}

#[tokio::test]
async fn an_outcome_never_recorded_leaves_the_zone_to_be_published_again_on_sqlite() {
    an_outcome_never_recorded_leaves_the_zone_to_be_published_again(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn an_outcome_never_recorded_leaves_the_zone_to_be_published_again_on_mariadb() {
    an_outcome_never_recorded_leaves_the_zone_to_be_published_again(TestDb::mysql().await).await;
}

#[tokio::test]
async fn an_outcome_never_recorded_leaves_the_zone_to_be_published_again_on_postgres() {
    an_outcome_never_recorded_leaves_the_zone_to_be_published_again(TestDb::postgres().await).await;
}
