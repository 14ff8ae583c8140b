//! The zone cache across replicas: two services sharing one store, listing one zone's records.
//! A record deleted (or a zone deleted) through one replica is gone from its own next list at
//! once, from the other's as soon as the Redis change feed tells it (polled with a bound far
//! below the staleness bound, so only the feed can explain it), and without a feed once the
//! staleness bound (`ZONE_CACHE_MAX_STALENESS`) has passed on the controllable clock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ids::{RecordId, TenantId, ZoneId};
use scaidns_core::ports::{Clock, ManualClock, Store, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::queries::RecordQuery;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{OpContext, ScaiDns, ServiceConfig, ZoneCacheConfig};
use scaidns_core::zone::precondition::IfMatch;

use crate::support;
use crate::support::db::TestDb;

fn replica(store: &Arc<dyn Store>, clock: Arc<dyn Clock>, staleness: Duration) -> ScaiDns {
    ScaiDns::new(
        Arc::clone(store),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        clock,
        ServiceConfig::default(),
    )
    .with_zone_cache(ZoneCacheConfig {
        max_staleness: staleness,
        ..ZoneCacheConfig::default()
    })
}

/// A zone made through `a` with the record `gone`.
async fn zone_with_record(a: &ScaiDns, ctx: &OpContext, name: &str) -> (ZoneId, RecordId) {
    let zone = a
        .zone_create(
            ctx,
            ZoneCreate {
                name: name.into(),
                skip_validation: Some(true),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap()
        .zone;
    let (_, record) = a
        .record_create(
            ctx,
            zone.id,
            RecordCreate {
                name: "gone".into(),
                rtype: "A".into(),
                content: "192.0.2.7".into(),
                ..RecordCreate::default()
            },
            &IfMatch::default(),
        )
        .await
        .unwrap();
    (zone.id, record.id)
}

/// Whether `svc` lists the record `gone` in `zone` (`None`: the zone is not found).
async fn lists_gone(svc: &ScaiDns, ctx: &OpContext, zone: ZoneId) -> Option<bool> {
    match svc.record_listing(ctx, zone, RecordQuery::default()).await {
        Ok(listing) => Some(
            listing
                .records()
                .iter()
                .any(|r| r.name.as_str().starts_with("gone.")),
        ),
        Err(e) => {
            assert_eq!(e.code(), "domain_not_found");
            None
        }
    }
}

#[tokio::test]
async fn a_deleted_record_leaves_the_other_replica_through_redis() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    // An hour of staleness: only the feed can make the other replica see it within the poll.
    let hour = Duration::from_secs(3600);
    let (feed_a, feed_b) = support::redis_feeds("zones");
    let a = replica(&store, Arc::new(SystemClock), hour).with_change_feed(Arc::new(feed_a));
    let b = replica(&store, Arc::new(SystemClock), hour).with_change_feed(Arc::new(feed_b.clone()));
    let _listening = feed_b.listen(b.change_listener());
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let (zone, record) = zone_with_record(&a, &ctx, "feed.test").await;
    assert_eq!(lists_gone(&b, &ctx, zone).await, Some(true), "B caches it");

    a.record_delete(&ctx, zone, record, &IfMatch::default())
        .await
        .unwrap();
    assert_eq!(lists_gone(&a, &ctx, zone).await, Some(false), "A at once");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while lists_gone(&b, &ctx, zone).await != Some(false) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "replica B still lists the deleted record after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A deleted zone too.
    a.zone_delete(&ctx, zone, false, &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(lists_gone(&a, &ctx, zone).await, None);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while lists_gone(&b, &ctx, zone).await.is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "replica B still lists the deleted zone after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn without_a_feed_the_other_replica_sees_it_once_the_bound_has_passed() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
    ));
    let bound = Duration::from_secs(1);
    let a = replica(&store, Arc::clone(&clock) as Arc<dyn Clock>, bound);
    let b = replica(&store, Arc::clone(&clock) as Arc<dyn Clock>, bound);
    let ctx = system_context_for(TenantId::new(), clock.now());
    let (zone, record) = zone_with_record(&a, &ctx, "bound.test").await;
    assert_eq!(lists_gone(&b, &ctx, zone).await, Some(true));

    a.record_delete(&ctx, zone, record, &IfMatch::default())
        .await
        .unwrap();
    assert_eq!(lists_gone(&a, &ctx, zone).await, Some(false), "A at once");
    assert_eq!(
        lists_gone(&b, &ctx, zone).await,
        Some(true),
        "B serves its cached zone within the bound, without reading the store"
    );
    clock.advance(chrono::Duration::from_std(bound).unwrap());
    assert_eq!(
        lists_gone(&b, &ctx, zone).await,
        Some(false),
        "the bound has passed"
    );

    a.zone_delete(&ctx, zone, false, &IfMatch::Any)
        .await
        .unwrap();
    assert_eq!(lists_gone(&a, &ctx, zone).await, None);
    clock.advance(chrono::Duration::from_std(bound).unwrap());
    assert_eq!(
        lists_gone(&b, &ctx, zone).await,
        None,
        "the bound has passed"
    );
}
