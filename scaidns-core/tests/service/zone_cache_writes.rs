//! Record writes planned on the zone row this replica keeps (`zone_cache`, `zone_change`): two
//! services share one store ("replicas" without a change feed, so the second one's writes are
//! unseen by the first within its staleness bound), and a write here after a write there must
//! be re-planned, answer `If-Match` from the store's generation, and never put an older
//! `last_synced_at` back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use scaidns_core::adapters::redis_change_feed::RedisChangeFeed;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::error::ErrorKind;
use scaidns_core::ids::{TenantId, ZoneId};
use scaidns_core::ports::backend::{BackendError, BackendErrorKind, DnsBackend};
use scaidns_core::ports::{ChangeFeed, ChangeNotice, Clock, ManualClock, Store};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::queries::RecordQuery;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{OpContext, ScaiDns, ServiceConfig, ZoneCacheConfig};
use scaidns_core::zone::SyncStatus;
use scaidns_core::zone::precondition::{IfMatch, etag};

use crate::support;
use crate::support::db::TestDb;

/// Refuses record changes as unreachable while set.
#[derive(Debug, Default)]
struct Down(AtomicBool);

#[async_trait]
impl support::BeforeApply for Down {
    async fn before_apply(&self) -> Result<(), BackendError> {
        if self.0.load(Ordering::SeqCst) {
            return Err(BackendError::new(
                BackendErrorKind::Unavailable,
                "unreachable",
            ));
        }
        Ok(())
    }
}

type FlakyBackend = support::HookedBackend<Down>;

/// Two replicas on one store and one backend, on one controllable clock, with a staleness
/// bound no test reaches: only their own writes refresh what they cache.
struct Replicas {
    _db: TestDb,
    store: Arc<dyn Store>,
    backend: Arc<FlakyBackend>,
    clock: Arc<ManualClock>,
    here: ScaiDns,
    there: ScaiDns,
    ctx: OpContext,
}

const HOUR: Duration = Duration::from_secs(3600);

fn replica(
    store: &Arc<dyn Store>,
    backend: &Arc<FlakyBackend>,
    clock: &Arc<ManualClock>,
) -> ScaiDns {
    ScaiDns::new(
        Arc::clone(store),
        Arc::clone(backend) as Arc<dyn DnsBackend>,
        Arc::new(HickoryResolver::new()),
        Arc::clone(clock) as Arc<dyn Clock>,
        ServiceConfig::default(),
    )
    .with_zone_cache(ZoneCacheConfig {
        max_staleness: HOUR,
        ..ZoneCacheConfig::default()
    })
}

impl Replicas {
    async fn new() -> Self {
        let db = TestDb::sqlite().await;
        let store: Arc<dyn Store> = Arc::new(db.store.clone());
        let backend = Arc::new(FlakyBackend::default());
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        ));
        Self {
            here: replica(&store, &backend, &clock),
            there: replica(&store, &backend, &clock),
            ctx: system_context_for(TenantId::new(), clock.now()),
            _db: db,
            store,
            backend,
            clock,
        }
    }

    async fn zone(&self, name: &str) -> ZoneId {
        let input = ZoneCreate {
            name: name.into(),
            skip_validation: Some(true),
            ..ZoneCreate::default()
        };
        self.here
            .zone_create(&self.ctx, input)
            .await
            .unwrap()
            .zone
            .id
    }

    async fn stored_generation(&self, zone: ZoneId) -> i64 {
        self.store.get_zone(zone).await.unwrap().unwrap().generation
    }

    async fn last_synced_at(&self, zone: ZoneId) -> DateTime<Utc> {
        let zone = self.store.get_zone(zone).await.unwrap().unwrap();
        zone.sync.last_synced_at.expect("published once")
    }

    /// Two more replicas of this store: `here` announces through `here_feed`, `there` through
    /// `there_feed`.
    fn on_feeds(
        &self,
        here_feed: impl ChangeFeed + 'static,
        there_feed: RedisChangeFeed,
    ) -> (ScaiDns, ScaiDns) {
        let replica = || replica(&self.store, &self.backend, &self.clock);
        (
            replica().with_change_feed(Arc::new(here_feed)),
            replica().with_change_feed(Arc::new(there_feed)),
        )
    }

    fn later(&self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
    }
}

/// Creates an A record `name` through `svc`; the generation it answers.
async fn create(
    svc: &ScaiDns,
    ctx: &OpContext,
    zone: ZoneId,
    name: &str,
    if_match: &IfMatch,
) -> scaidns_core::error::Result<i64> {
    let input = RecordCreate {
        name: name.into(),
        rtype: "A".into(),
        content: "192.0.2.1".into(),
        ..RecordCreate::default()
    };
    let (zone, record) = svc.record_create(ctx, zone, input, if_match).await?;
    assert!(record.name.as_str().starts_with(name));
    Ok(zone.generation)
}

/// The generation `svc` lists the zone at, and the names of the records it lists.
async fn listed(svc: &ScaiDns, ctx: &OpContext, zone: ZoneId) -> (i64, Vec<String>) {
    let listing = svc
        .record_listing(ctx, zone, RecordQuery::default())
        .await
        .unwrap();
    let names = listing
        .records()
        .iter()
        .map(|r| r.name.as_str().to_owned())
        .collect();
    (listing.zone().generation, names)
}

#[tokio::test]
async fn consecutive_creates_then_a_read_answer_the_new_generation() {
    let r = Replicas::new().await;
    let zone = r.zone("consecutive.test").await;
    let mut generation = r.stored_generation(zone).await;
    for i in 0..5 {
        let answered = create(&r.here, &r.ctx, zone, &format!("n{i}"), &IfMatch::Any)
            .await
            .unwrap();
        assert_eq!(answered, generation + 1, "create {i}");
        generation = answered;
    }
    assert_eq!(r.stored_generation(zone).await, generation);
    let (listed_at, names) = listed(&r.here, &r.ctx, zone).await;
    assert_eq!(listed_at, generation);
    assert_eq!(etag(listed_at), format!("\"{generation}\""));
    for i in 0..5 {
        assert!(names.iter().any(|n| n.starts_with(&format!("n{i}."))));
    }
    let got = r.here.zone_get(&r.ctx, zone, false).await.unwrap();
    assert_eq!(got.generation, generation);
    assert_eq!(got.sync.status, SyncStatus::InSync);
}

#[tokio::test]
async fn a_write_after_another_replicas_is_replanned_and_if_match_reads_the_store() {
    let r = Replicas::new().await;
    let zone = r.zone("replanned.test").await;
    create(&r.here, &r.ctx, zone, "a1", &IfMatch::Any)
        .await
        .unwrap();
    let kept = create(&r.here, &r.ctx, zone, "a2", &IfMatch::Any)
        .await
        .unwrap();

    // The other replica writes; this one's write kept its row, so it still lists what it wrote.
    let theirs = create(&r.there, &r.ctx, zone, "b1", &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(theirs, kept + 1);
    assert_eq!(
        listed(&r.here, &r.ctx, zone).await.0,
        kept,
        "the write kept its row"
    );

    // Without If-Match: planned again on the store's zone, nothing of theirs lost.
    let ours = create(&r.here, &r.ctx, zone, "a3", &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(ours, theirs + 1);
    let (at, names) = listed(&r.here, &r.ctx, zone).await;
    assert_eq!(at, ours);
    for name in ["a1.", "a2.", "b1.", "a3."] {
        assert!(names.iter().any(|n| n.starts_with(name)), "{name} listed");
    }

    // If-Match of the store's generation, which the cached row is behind: no false 412.
    let theirs = create(&r.there, &r.ctx, zone, "b2", &IfMatch::Any)
        .await
        .unwrap();
    let current = IfMatch::Generations(vec![theirs]);
    let ours = create(&r.here, &r.ctx, zone, "a4", &current).await.unwrap();
    assert_eq!(ours, theirs + 1);

    // If-Match of what this replica last answered, which the other replica has moved past: 412.
    let theirs = create(&r.there, &r.ctx, zone, "b3", &IfMatch::Any)
        .await
        .unwrap();
    let stale = IfMatch::Generations(vec![ours]);
    let refused = create(&r.here, &r.ctx, zone, "a5", &stale)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::PreconditionFailed);
    assert_eq!(r.stored_generation(zone).await, theirs, "nothing applied");
    let current = IfMatch::Generations(vec![theirs]);
    let ours = create(&r.here, &r.ctx, zone, "a5", &current).await.unwrap();
    assert_eq!(ours, theirs + 1);
}

#[tokio::test]
async fn a_zone_deleted_by_another_replica_is_not_found_here() {
    let r = Replicas::new().await;
    let zone = r.zone("deleted-there.test").await;
    create(&r.here, &r.ctx, zone, "a1", &IfMatch::Any)
        .await
        .unwrap();
    create(&r.here, &r.ctx, zone, "a2", &IfMatch::Any)
        .await
        .unwrap();
    r.there
        .zone_delete(&r.ctx, zone, false, &IfMatch::Any)
        .await
        .unwrap();
    let refused = create(&r.here, &r.ctx, zone, "a3", &IfMatch::Any)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::NotFound);
    let zone = r.store.get_zone(zone).await.unwrap().unwrap();
    assert!(zone.deleted_at.is_some());
}

#[tokio::test]
async fn last_synced_at_never_goes_back() {
    let r = Replicas::new().await;
    let zone = r.zone("synced.test").await;
    let mut seen = r.last_synced_at(zone).await;
    let mut step = |at: DateTime<Utc>, what: &str| {
        assert!(
            at >= seen,
            "{what}: last_synced_at went back from {seen} to {at}"
        );
        seen = at;
    };
    r.later(10);
    create(&r.here, &r.ctx, zone, "a1", &IfMatch::Any)
        .await
        .unwrap();
    step(r.last_synced_at(zone).await, "first create");
    r.later(10);
    create(&r.here, &r.ctx, zone, "a2", &IfMatch::Any)
        .await
        .unwrap();
    let synced = r.last_synced_at(zone).await;
    step(synced, "second create");
    assert_eq!(synced, r.clock.now(), "published now");

    // Another replica publishes the same generation again (reconcile, the retry queue).
    r.later(10);
    assert_eq!(
        r.there.sync_zone(zone).await.unwrap().status,
        SyncStatus::InSync
    );
    step(r.last_synced_at(zone).await, "republished");

    // A change whose publication fails keeps the zone's last_synced_at as the store holds it.
    r.later(10);
    r.backend.hook.0.store(true, Ordering::SeqCst);
    create(&r.here, &r.ctx, zone, "a3", &IfMatch::Any)
        .await
        .unwrap();
    let stored = r.store.get_zone(zone).await.unwrap().unwrap();
    assert_eq!(stored.sync.status, SyncStatus::Pending);
    step(r.last_synced_at(zone).await, "failed publication");

    r.later(10);
    r.backend.hook.0.store(false, Ordering::SeqCst);
    create(&r.here, &r.ctx, zone, "a4", &IfMatch::Any)
        .await
        .unwrap();
    let synced = r.last_synced_at(zone).await;
    step(synced, "published again");
    assert_eq!(synced, r.clock.now());
}

/// Listens on `feed` for `svc`, once subscribed (so no notice sent afterwards is missed).
async fn listening(feed: &RedisChangeFeed, svc: &ScaiDns) -> tokio::task::JoinHandle<()> {
    let subscribed = Arc::new(tokio::sync::Notify::new());
    let listener = svc.change_listener();
    let heard_everything = Arc::clone(&subscribed);
    let task = feed.listen(move |notice| {
        if notice == ChangeNotice::Everything {
            heard_everything.notify_one();
        }
        listener(notice)
    });
    tokio::time::timeout(Duration::from_secs(10), subscribed.notified())
        .await
        .expect("subscribed to Redis within 10 s");
    task
}

/// Waits until `svc` lists the zone at `generation`.
async fn until_listed_at(svc: &ScaiDns, ctx: &OpContext, zone: ZoneId, generation: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while listed(svc, ctx, zone).await.0 != generation {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other replica's write is still unseen after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_replica_keeps_its_own_write_and_still_hears_the_others() {
    let r = Replicas::new().await;
    let (feed_here, feed_there) = support::redis_feeds("own-echo");
    let (here, there) = r.on_feeds(feed_here.clone(), feed_there);
    let _listening = listening(&feed_here, &here).await;
    let zone = r.zone("echo.test").await;
    create(&here, &r.ctx, zone, "a1", &IfMatch::Any)
        .await
        .unwrap();
    let kept = create(&here, &r.ctx, zone, "a2", &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(listed(&here, &r.ctx, zone).await.0, kept);

    let theirs = create(&there, &r.ctx, zone, "b1", &IfMatch::Any)
        .await
        .unwrap();
    until_listed_at(&here, &r.ctx, zone, theirs).await;
}

/// A replica's feed whose zone notices are all lost (a PUBLISH that timed out, say).
#[derive(Debug)]
struct LosesZoneNotices(RedisChangeFeed);

impl ChangeFeed for LosesZoneNotices {
    fn announce_auth_change(&self) {
        self.0.announce_auth_change();
    }
    fn announce_zone_change(&self, _zone: ZoneId) {}
    fn announce_config_change(&self) {
        self.0.announce_config_change();
    }
}

/// Notices carry their origin: a replica skips only its own, so one of its own that never
/// comes back cannot make it skip another replica's in its place.
#[tokio::test]
async fn a_lost_notice_of_its_own_never_makes_a_replica_skip_another_replicas() {
    let r = Replicas::new().await;
    let (feed_here, feed_there) = support::redis_feeds("lost-own");
    let (here, there) = r.on_feeds(LosesZoneNotices(feed_here.clone()), feed_there);
    let _listening = listening(&feed_here, &here).await;
    let zone = r.zone("lost-own.test").await;
    let kept = create(&here, &r.ctx, zone, "a1", &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(listed(&here, &r.ctx, zone).await.0, kept);

    let theirs = create(&there, &r.ctx, zone, "b1", &IfMatch::Any)
        .await
        .unwrap();
    until_listed_at(&here, &r.ctx, zone, theirs).await;
}
