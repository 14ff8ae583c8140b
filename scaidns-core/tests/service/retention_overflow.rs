//! The zone purges under the largest retentions an operator can configure
//! (`DELETED_ZONE_RETENTION_DAYS`, `PENDING_ZONE_RETENTION_DAYS` of `u32::MAX` days, far past
//! the last date there is): they keep every zone instead of overflowing the date arithmetic
//! and panicking the worker, and a short retention still purges.

use chrono::Duration;
use scaidns_core::ids::TenantId;
use scaidns_core::ports::Clock;
use scaidns_core::ports::store::ZoneStore;
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::retention::days;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::zone::ZoneStatus;
use scaidns_core::zone::precondition::IfMatch;

use crate::support::db::TestDb;

#[tokio::test]
async fn huge_retentions_keep_zones_instead_of_overflowing() {
    let db = TestDb::sqlite().await;
    let (svc, clock) = crate::support::embedded_service(&db);
    let tenant = TenantId::new();
    let ctx = system_context_for(tenant, clock.now());
    let create = |name: &str| ZoneCreate {
        name: name.into(),
        ..ZoneCreate::default()
    };
    let deleted = svc
        .zone_create(&ctx, create("deleted.test"))
        .await
        .unwrap()
        .zone;
    svc.zone_delete(&ctx, deleted.id, true, &IfMatch::Any)
        .await
        .unwrap();
    let pending = svc
        .zone_create(
            &ctx,
            ZoneCreate {
                skip_validation: Some(false),
                ..create("pending.test")
            },
        )
        .await
        .unwrap()
        .zone;
    assert_eq!(pending.status, ZoneStatus::PendingValidation);

    // Years later, under the largest configurable retentions: nothing goes, nothing panics.
    clock.advance(Duration::days(3650));
    for huge in [days(u32::MAX), Duration::MAX] {
        assert_eq!(svc.purge_deleted_zones(huge).await.unwrap(), 0);
        assert_eq!(svc.purge_abandoned_zones(huge).await.unwrap(), 0);
    }
    let status = |id| {
        let store = db.store.clone();
        async move { store.get_zone(id).await.unwrap().map(|z| z.status) }
    };
    assert_eq!(status(deleted.id).await, Some(ZoneStatus::Deleted));
    assert_eq!(
        status(pending.id).await,
        Some(ZoneStatus::PendingValidation)
    );

    // The usual retentions purge both.
    assert_eq!(svc.purge_deleted_zones(days(30)).await.unwrap(), 1);
    assert_eq!(svc.purge_abandoned_zones(days(7)).await.unwrap(), 1);
    assert_eq!(status(deleted.id).await, None);
    assert_eq!(status(pending.id).await, None);
}
