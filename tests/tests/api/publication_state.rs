//! The publication state in write answers (issue 16, item 4, and its review): a write that
//! committed is answered as such even when reading when the retry loop runs next fails, and a
//! tenant sees why a change is not published as a category, never PowerDNS's address.

use reqwest::Method;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestBackend, TestOptions, spawn_app_with};
use serde_json::json;

use crate::util::{active_zone, call};

#[tokio::test]
async fn a_committed_write_is_answered_even_when_the_retry_time_cannot_be_read() {
    let mut pdns = PdnsServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("db.sqlite3").display());
    let app = spawn_app_with(TestOptions {
        database_url: Some(url.clone()),
        backend: TestBackend::PowerDns {
            api_url: pdns.api_url.clone(),
            api_key: pdns.api_key.clone(),
        },
    })
    .await;
    let tenant = app.tenant_with_user("retryless").await;
    let zone = active_zone(&app, &tenant, "retryless.test").await;
    pdns.stop().await;
    // The job table is gone: `next_retry_at` cannot be read after the write commits.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("ALTER TABLE jobs RENAME TO jobs_elsewhere")
        .execute(&pool)
        .await
        .unwrap();

    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        Some(json!({"name": "www", "type": "A", "content": "192.0.2.1"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["sync_status"], "pending", "{body}");
    assert!(body["next_retry_at"].is_null(), "{body}");
    // A category: not the PowerDNS URL, port or request line.
    assert_eq!(body["sync_error"], "PowerDNS unreachable", "{body}");
    let api_port = pdns.api_url.rsplit(':').next().unwrap().to_owned();
    let (_, shown) = call(
        &app,
        &tenant.key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    let text = shown.to_string();
    assert!(
        !text.contains("/api/v1/servers") && !text.contains(&api_port),
        "{text}"
    );
    app.stop().await;
}
