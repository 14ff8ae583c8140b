//! The authenticated-key cache across replicas: two services sharing one store. A revoked key
//! is refused at once by the replica that revoked it, by the other one as soon as the Redis
//! change feed tells it (polled with a bound far below the staleness bound, so only the feed
//! can explain it), and without a feed once the staleness bound has passed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ports::{Clock, ManualClock, Store, SystemClock};
use scaidns_core::service::{AuthCacheConfig, RequestMeta, ScaiDns, ServiceConfig};

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
    .with_auth_cache(AuthCacheConfig {
        max_staleness: staleness,
        ..AuthCacheConfig::default()
    })
}

#[tokio::test]
async fn a_revoked_key_is_refused_by_the_other_replica_through_redis() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    // An hour of staleness: only the feed can make the other replica refuse within the poll.
    let hour = Duration::from_secs(3600);
    let feed = support::redis_feed("auth");
    let a = replica(&store, Arc::new(SystemClock), hour).with_change_feed(Arc::new(feed.clone()));
    let b = replica(&store, Arc::new(SystemClock), hour).with_change_feed(Arc::new(feed.clone()));
    let _listening = feed.listen(b.change_listener());

    let boot = a.bootstrap("admin@replicas.test").await.unwrap();
    let secret = boot.secret.expose().to_owned();
    b.authenticate_api_key(&secret, RequestMeta::default())
        .await
        .expect("B accepts the key and caches it");
    let ctx = a
        .authenticate_api_key(&secret, RequestMeta::default())
        .await
        .unwrap();
    a.api_key_revoke(&ctx, boot.api_key.id).await.unwrap();

    let refused_by_a = a
        .authenticate_api_key(&secret, RequestMeta::default())
        .await
        .unwrap_err();
    assert_eq!(refused_by_a.code(), "api_key_revoked");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match b
            .authenticate_api_key(&secret, RequestMeta::default())
            .await
        {
            Err(e) => {
                assert_eq!(e.code(), "api_key_revoked");
                break;
            }
            Ok(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(_) => panic!("replica B still accepts the revoked key after 10 s"),
        }
    }
}

#[tokio::test]
async fn without_a_feed_the_other_replica_refuses_once_the_bound_has_passed() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
    ));
    let bound = Duration::from_secs(1);
    let a = replica(&store, Arc::clone(&clock) as Arc<dyn Clock>, bound);
    let b = replica(&store, Arc::clone(&clock) as Arc<dyn Clock>, bound);

    let boot = a.bootstrap("admin@ttl.test").await.unwrap();
    let secret = boot.secret.expose().to_owned();
    b.authenticate_api_key(&secret, RequestMeta::default())
        .await
        .unwrap();
    let ctx = a
        .authenticate_api_key(&secret, RequestMeta::default())
        .await
        .unwrap();
    a.api_key_revoke(&ctx, boot.api_key.id).await.unwrap();
    assert_eq!(
        a.authenticate_api_key(&secret, RequestMeta::default())
            .await
            .unwrap_err()
            .code(),
        "api_key_revoked"
    );

    clock.advance(chrono::Duration::from_std(bound).unwrap());
    assert_eq!(
        b.authenticate_api_key(&secret, RequestMeta::default())
            .await
            .unwrap_err()
            .code(),
        "api_key_revoked",
        "the staleness bound has passed"
    );
}
