//! The worker removes pending zones nobody completed, so an abandoned claim frees its name.

use std::sync::Arc;

use chrono::Duration;
use reqwest::Method;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::ManualClock;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_tests::{TestOptions, spawn_app_configured};

use crate::domains::zone;
use crate::util::{call as raw, error_of};

#[tokio::test]
async fn the_worker_removes_abandoned_pending_zones() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("claims.sqlite3").display());
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(url.clone()),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let a = app.tenant_with_user("abandoner").await;
    let pending = a
        .client
        .zone_create(&zone("abandoned.example"))
        .await
        .unwrap()
        .into_inner();
    let expires_at = pending.validation.clone().expect("challenge").expires_at;

    // A worker on the same database whose clock the test moves.
    let clock = Arc::new(ManualClock::new(
        expires_at + Duration::days(7) - Duration::hours(1),
    ));
    let store = SqlStore::connect(&url).await.unwrap();
    let worker = ScaiDns::new(
        Arc::new(store),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        clock.clone(),
        ServiceConfig::default(),
    );
    let config = WorkerConfig::new("name-claims-test");
    let outcome = |runs: Vec<scaidns_core::service::worker::JobRun>| {
        runs.into_iter()
            .find(|r| r.job == "purge_abandoned_zones")
            .expect("the job ran")
            .outcome
    };

    // Expired for less than PENDING_ZONE_RETENTION_DAYS (7): kept.
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(
        outcome(runs),
        Ok("0 abandoned pending zones removed".to_owned())
    );
    assert!(a.client.zone_get(&pending.id, None).await.is_ok());

    clock.advance(Duration::hours(2));
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(
        outcome(runs),
        Ok("1 abandoned pending zones removed".to_owned())
    );
    let (status, _) = error_of(a.client.zone_get(&pending.id, Some(true)).await);
    assert_eq!(status, 404);

    // One audit entry, in the zone's tenant, by the system.
    let (status, body) = raw(
        &app,
        &app.admin_key,
        Method::GET,
        "/api/v1/admin/audit-logs?action=domain.expire",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let entries = body["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{body}");
    assert_eq!(entries[0]["tenant_id"], a.tenant_id.as_str());
    assert_eq!(entries[0]["resource_id"], pending.id.as_str());
    assert_eq!(entries[0]["actor_type"], "system");

    // The name is free again for anyone.
    let again = a.client.zone_create(&zone("abandoned.example")).await;
    assert_eq!(again.unwrap().status().as_u16(), 201);
    app.stop().await;
}
