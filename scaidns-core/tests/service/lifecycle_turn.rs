//! A zone deleted while a record change's publication is on its way to the backend. The delete
//! publishes in its own transaction, so it must wait for that publication's turn: otherwise the
//! late PATCH, answered "not found", re-creates the deleted zone in the backend from the zone it
//! read before the delete, and nothing would ever remove it again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ids::TenantId;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::{BackendError, DnsBackend, ZoneSpec};
use scaidns_core::ports::{Store, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_core::zone::precondition::IfMatch;
use scaidns_core::zone::{RrSet, RrSetChange, ZoneStatus};
use tokio::sync::{Notify, Semaphore};

use crate::support::db::TestDb;

/// The embedded backend, with record changes held at a gate once armed.
#[derive(Debug)]
struct GatedBackend {
    inner: EmbeddedBackend,
    armed: AtomicBool,
    entered: Notify,
    gate: Semaphore,
}

#[async_trait]
impl DnsBackend for GatedBackend {
    fn name(&self) -> &'static str {
        "gated"
    }
    async fn health(&self) -> Result<(), BackendError> {
        self.inner.health().await
    }
    async fn create_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        self.inner.create_zone(spec).await
    }
    async fn delete_zone(&self, zone: &ZoneName) -> Result<(), BackendError> {
        self.inner.delete_zone(zone).await
    }
    async fn get_zone(&self, zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
        self.inner.get_zone(zone).await
    }
    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
        self.inner.list_zones().await
    }
    async fn apply(&self, zone: &ZoneName, changes: &[RrSetChange]) -> Result<(), BackendError> {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.entered.notify_one();
            let _pass = self.gate.acquire().await.expect("gate open");
        }
        self.inner.apply(zone, changes).await
    }
}

#[tokio::test]
async fn a_zone_deleted_during_a_record_publication_stays_deleted_in_the_backend() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let backend = Arc::new(GatedBackend {
        inner: EmbeddedBackend::new(),
        armed: AtomicBool::new(false),
        entered: Notify::new(),
        gate: Semaphore::new(0),
    });
    let svc = Arc::new(ScaiDns::new(
        Arc::clone(&store),
        Arc::clone(&backend) as Arc<dyn DnsBackend>,
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    ));
    let ctx = system_context_for(TenantId::new(), Utc::now());
    let zone = svc
        .zone_create(
            &ctx,
            ZoneCreate {
                name: "late-patch.test".into(),
                skip_validation: Some(true),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap()
        .zone;
    assert!(backend.inner.get_zone(&zone.name).await.unwrap().is_some());

    // A record change commits, and its PATCH is held at the backend's gate.
    backend.armed.store(true, Ordering::SeqCst);
    let writer = tokio::spawn({
        let (svc, ctx) = (Arc::clone(&svc), ctx.clone());
        async move {
            let create = RecordCreate {
                name: "www".into(),
                rtype: "A".into(),
                content: "192.0.2.1".into(),
                ..RecordCreate::default()
            };
            svc.record_create(&ctx, zone.id, create, &IfMatch::default())
                .await
        }
    });
    backend.entered.notified().await;

    // The delete, meanwhile. Given a moment to get ahead of the held PATCH (it does without the
    // turn: the store then says deleted); the outcome below must hold either way.
    let deleter = tokio::spawn({
        let (svc, ctx) = (Arc::clone(&svc), ctx.clone());
        async move { svc.zone_delete(&ctx, zone.id, false, &IfMatch::Any).await }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while tokio::time::Instant::now() < deadline {
        let now = store.get_zone(zone.id).await.unwrap().unwrap();
        if now.status == ZoneStatus::Deleted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    backend.gate.add_permits(1);
    writer.await.unwrap().expect("the record change was saved");
    deleter.await.unwrap().expect("the zone was deleted");
    let stored = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ZoneStatus::Deleted);
    assert!(
        backend.inner.get_zone(&zone.name).await.unwrap().is_none(),
        "the late PATCH re-created the deleted zone in the backend"
    );
}
