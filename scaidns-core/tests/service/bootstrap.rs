//! `bootstrap` runs once, and finishes a run that stopped between its three writes.

use std::sync::Arc;

use chrono::Utc;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::ids::{TenantId, UserId};
use scaidns_core::ports::store::{TenantStore, UserStore};
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_core::tenant::{Tenant, TenantStatus, User, UserStatus};

use crate::support::db::TestDb;

fn service(db: &TestDb) -> ScaiDns {
    ScaiDns::new(
        Arc::new(db.store.clone()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        Arc::new(scaidns_core::ports::SystemClock),
        ServiceConfig::default(),
    )
}

fn platform_tenant() -> Tenant {
    Tenant {
        id: TenantId::new(),
        name: "Platform".into(),
        slug: "platform".into(),
        scaikey_tenant_id: None,
        status: TenantStatus::Active,
        is_platform: true,
        suspended_locally: false,
        partner_id: None,
        settings: serde_json::json!({}),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[tokio::test]
async fn bootstrap_runs_once() {
    let db = TestDb::sqlite().await;
    let svc = service(&db);
    let first = svc.bootstrap("Admin@Example.test").await.unwrap();
    assert!(first.user.is_platform_admin);
    assert_eq!(first.user.email, "admin@example.test");
    let again = svc.bootstrap("admin@example.test").await.unwrap_err();
    assert_eq!(again.code(), "already_bootstrapped");
    let other = svc.bootstrap("someone@example.test").await.unwrap_err();
    assert_eq!(other.code(), "already_bootstrapped");
}

#[tokio::test]
async fn bootstrap_finishes_a_run_that_stopped_half_way() {
    let db = TestDb::sqlite().await;
    let svc = service(&db);
    // Stopped after the tenant.
    let tenant = platform_tenant();
    db.store.insert_tenant(&tenant, &[]).await.unwrap();
    let done = svc.bootstrap("admin@example.test").await.unwrap();
    assert_eq!(done.tenant.id, tenant.id);

    // Stopped after the user: only that user's run may finish it.
    let db = TestDb::sqlite().await;
    let svc = service(&db);
    let tenant = platform_tenant();
    db.store.insert_tenant(&tenant, &[]).await.unwrap();
    let user = User {
        id: UserId::new(),
        tenant_id: tenant.id,
        email: "admin@example.test".into(),
        first_name: None,
        last_name: None,
        scaikey_user_id: None,
        status: UserStatus::Active,
        is_platform_admin: true,
        is_tenant_admin: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    db.store.insert_user(&user, &[]).await.unwrap();
    assert_eq!(
        svc.bootstrap("intruder@example.test")
            .await
            .unwrap_err()
            .code(),
        "already_bootstrapped"
    );
    let done = svc.bootstrap("admin@example.test").await.unwrap();
    assert_eq!((done.tenant.id, done.user.id), (tenant.id, user.id));
    assert_eq!(
        svc.bootstrap("admin@example.test")
            .await
            .unwrap_err()
            .code(),
        "already_bootstrapped"
    );
}
