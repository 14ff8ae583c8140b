//! A zone name lives once in the backend: deleting, purging, restoring or re-creating one zone
//! row must never remove or overwrite another live zone of the same name (interface
//! decision 12), whichever tenant holds it.

use std::sync::Arc;

use chrono::Utc;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ids::TenantId;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::DnsBackend;
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_core::zone::precondition::IfMatch;

use crate::support::db::TestDb;

async fn service() -> (ScaiDns, EmbeddedBackend, TestDb) {
    let db = TestDb::sqlite().await;
    let backend = EmbeddedBackend::new();
    let svc = ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(backend.clone()),
        Arc::new(HickoryResolver::new()),
        Arc::new(scaidns_core::ports::SystemClock),
        ServiceConfig::default(),
    );
    (svc, backend, db)
}

fn create(name: &str) -> ZoneCreate {
    ZoneCreate {
        name: name.into(),
        ..ZoneCreate::default()
    }
}

async fn has_www(backend: &EmbeddedBackend, name: &ZoneName, content: &str) -> bool {
    backend.get_zone(name).await.unwrap().is_some_and(|sets| {
        sets.iter()
            .any(|s| s.name.starts_with("www.") && s.records.iter().any(|r| r.content == content))
    })
}

#[tokio::test]
async fn purging_an_old_row_keeps_the_recreated_zone() {
    let (svc, backend, _db) = service().await;
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let name: ZoneName = "again.test".parse().unwrap();
    let old = svc
        .zone_create(&ctx, create("again.test"))
        .await
        .unwrap()
        .zone;
    svc.zone_delete(&ctx, old.id, false, &IfMatch::Any)
        .await
        .unwrap();
    let new = svc
        .zone_create(&ctx, create("again.test"))
        .await
        .unwrap()
        .zone;
    let www = RecordCreate {
        name: "www".into(),
        rtype: "A".into(),
        content: "192.0.2.8".into(),
        ..Default::default()
    };
    svc.record_create(&ctx, new.id, www, &IfMatch::Any)
        .await
        .unwrap();

    svc.zone_purge(&ctx, old.id, &IfMatch::Any).await.unwrap();
    assert!(
        has_www(&backend, &name, "192.0.2.8").await,
        "purging the old row removed the live zone"
    );
    svc.sync_zone(new.id).await.unwrap();
    assert!(has_www(&backend, &name, "192.0.2.8").await);
}

#[tokio::test]
async fn another_tenants_live_zone_is_never_overwritten() {
    let (svc, backend, _db) = service().await;
    let a = system_context_for(TenantId::new(), Utc::now());
    let b = system_context_for(TenantId::new(), Utc::now());
    let name: ZoneName = "contested.test".parse().unwrap();

    // B held the name, deleted it; A takes it over.
    let b_zone = svc
        .zone_create(&b, create("contested.test"))
        .await
        .unwrap()
        .zone;
    svc.zone_delete(&b, b_zone.id, false, &IfMatch::Any)
        .await
        .unwrap();
    let a_zone = svc
        .zone_create(&a, create("contested.test"))
        .await
        .unwrap()
        .zone;
    let www = RecordCreate {
        name: "www".into(),
        rtype: "A".into(),
        content: "192.0.2.9".into(),
        ..Default::default()
    };
    svc.record_create(&a, a_zone.id, www, &IfMatch::Any)
        .await
        .unwrap();

    // B can neither restore its old zone nor create a new active one of that name.
    assert_eq!(
        svc.zone_restore(&b, b_zone.id, &IfMatch::Any)
            .await
            .unwrap_err()
            .code(),
        "zone_taken"
    );
    assert_eq!(
        svc.zone_create(&b, create("contested.test"))
            .await
            .unwrap_err()
            .code(),
        "zone_taken"
    );
    // Nor does purging or re-syncing B's old row touch A's zone.
    svc.sync_zone(b_zone.id).await.unwrap();
    svc.zone_purge(&b, b_zone.id, &IfMatch::Any).await.unwrap();
    assert!(
        has_www(&backend, &name, "192.0.2.9").await,
        "another tenant's zone was touched"
    );
}
