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
use scaidns_core::ports::backend::{BackendError, DnsBackend};
use scaidns_core::ports::{Store, SystemClock};
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_core::zone::ZoneStatus;
use scaidns_core::zone::precondition::IfMatch;
use tokio::sync::{Notify, Semaphore};

use crate::support::db::TestDb;
use crate::support::{BeforeApply, HookedBackend};

/// Holds the next record change at a gate once armed.
#[derive(Debug)]
struct Gate {
    armed: AtomicBool,
    entered: Notify,
    gate: Semaphore,
}

#[async_trait]
impl BeforeApply for Gate {
    async fn before_apply(&self) -> Result<(), BackendError> {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.entered.notify_one();
            let _pass = self.gate.acquire().await.expect("gate open");
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_zone_deleted_during_a_record_publication_stays_deleted_in_the_backend() {
    let db = TestDb::sqlite().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let backend = Arc::new(HookedBackend {
        inner: EmbeddedBackend::new(),
        hook: Gate {
            armed: AtomicBool::new(false),
            entered: Notify::new(),
            gate: Semaphore::new(0),
        },
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
    backend.hook.armed.store(true, Ordering::SeqCst);
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
    backend.hook.entered.notified().await;

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

    backend.hook.gate.add_permits(1);
    writer.await.unwrap().expect("the record change was saved");
    deleter.await.unwrap().expect("the zone was deleted");
    let stored = store.get_zone(zone.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ZoneStatus::Deleted);
    assert!(
        backend.inner.get_zone(&zone.name).await.unwrap().is_none(),
        "the late PATCH re-created the deleted zone in the backend"
    );
}
