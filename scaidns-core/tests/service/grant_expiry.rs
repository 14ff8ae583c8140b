//! The worker's `expire_grants` job removes grants a week after they expired, with an audit
//! entry, and leaves live and recently expired grants alone.

use chrono::Duration;
use scaidns_core::ids::{TenantId, UserId};
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Clock;
use scaidns_core::ports::store::{AuditFilter, UserStore};
use scaidns_core::rbac::Subject;
use scaidns_core::service::access_grants::AccessGrantCreate;
use scaidns_core::service::dnssec::system_context_for;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::tenant::{User, UserStatus};

use crate::support::db::TestDb;

#[tokio::test]
async fn expired_grants_are_removed_after_a_week() {
    let db = TestDb::sqlite().await;
    let (svc, clock) = crate::support::embedded_service(&db);
    let tenant = TenantId::new();
    let ctx = system_context_for(tenant, clock.now());
    let user = User {
        id: UserId::new(),
        tenant_id: tenant,
        email: "grantee@example.test".into(),
        first_name: None,
        last_name: None,
        scaikey_user_id: None,
        status: UserStatus::Active,
        is_platform_admin: false,
        is_tenant_admin: false,
        created_at: clock.now(),
        updated_at: clock.now(),
    };
    db.store.insert_user(&user, &[]).await.unwrap();
    let zone = svc
        .zone_create(
            &ctx,
            ZoneCreate {
                name: "grants.test".into(),
                ..ZoneCreate::default()
            },
        )
        .await
        .unwrap()
        .zone;
    let grant = |days: i64| AccessGrantCreate {
        subject: Subject::User(user.id),
        role: "read_only".into(),
        record_pattern: None,
        record_types: vec![],
        expires_at: Some(clock.now() + Duration::days(days)),
        notes: None,
    };
    let soon = svc
        .access_grant_create(&ctx, zone.id, grant(1))
        .await
        .unwrap();
    let later = svc
        .access_grant_create(&ctx, zone.id, grant(30))
        .await
        .unwrap();

    clock.advance(Duration::days(5));
    assert_eq!(
        svc.expire_grants().await.unwrap(),
        0,
        "expired, but within the retention"
    );
    clock.advance(Duration::days(4));
    assert_eq!(svc.expire_grants().await.unwrap(), 1);
    let left: Vec<_> = svc
        .store()
        .list_access_grants(zone.id)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(left, vec![later.id]);

    let filter = AuditFilter {
        action: Some("access_grant.expire".into()),
        ..AuditFilter::default()
    };
    let entries = svc
        .store()
        .list_audit(&filter, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(entries.total, 1);
    assert_eq!(
        entries.items[0].resource_id.as_deref(),
        Some(soon.id.to_string().as_str())
    );
    assert!(entries.items[0].before.is_some() && entries.items[0].after.is_none());
}
