//! Liveness and readiness, inside and outside the API prefix.

use scaidns_server::config::Secret;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};

/// Metrics are off by default; these tests scrape them.
async fn spawn_app() -> TestApp {
    spawn_app_configured(TestOptions::default(), |c| c.metrics_enabled = true).await
}

#[tokio::test]
async fn live_and_ready_answer_without_credentials() {
    let app = spawn_app().await;
    let live = app.client.health_live().await.expect("live").into_inner();
    assert_eq!(live.status, "ok");
    let ready = app
        .client
        .health_ready(None)
        .await
        .expect("ready")
        .into_inner();
    assert_eq!(ready.status, "ok");
    assert_eq!(ready.checks.get("database").map(String::as_str), Some("ok"));
    assert_eq!(
        ready.checks.get("dns_backend").map(String::as_str),
        Some("ok")
    );
    for path in ["/health/live", "/health/ready"] {
        let resp = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers().contains_key("x-request-id"));
    }
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("scaidns_http_requests_total"), "{metrics}");
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_backend_calls_zones_and_records() {
    let app = spawn_app().await;
    let zone = app
        .client
        .zone_create(&scaidns_client::types::DomainCreateRequest {
            name: "metrics.test".into(),
            domain_type: None,
            default_ttl: None,
            description: None,
            settings: None,
            skip_validation: None,
        })
        .await
        .expect("zone_create")
        .into_inner();
    assert_eq!(zone.status.to_string(), "active");
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |prefix: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {metrics}"))
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{prefix} has no value"))
    };
    assert_eq!(line("scaidns_zones{status=\"active\"}"), 1.0);
    assert_eq!(line("scaidns_zones{status=\"deleted\"}"), 0.0);
    // SOA and the two platform NS records.
    assert_eq!(line("scaidns_records "), 3.0);
    assert!(
        line(
            "scaidns_pdns_requests_total{backend=\"embedded\",operation=\"create_zone\",outcome=\"ok\"}"
        ) >= 1.0
    );
    assert!(metrics.contains("scaidns_pdns_request_duration_seconds_bucket"));
    app.stop().await;
}

#[tokio::test]
async fn a_shared_outage_degrades_readiness_but_keeps_the_replica_in_rotation() {
    // Nothing listens on port 1: PowerDNS and Redis are both down for every replica.
    let options = TestOptions {
        backend: TestBackend::PowerDns {
            api_url: "http://127.0.0.1:1".into(),
            api_key: "unused".into(),
        },
        ..TestOptions::default()
    };
    let app = spawn_app_configured(options, |c| {
        c.redis_url = Some(Secret::new("redis://127.0.0.1:1"))
    })
    .await;
    for path in ["/health/ready", "/api/v1/health/ready"] {
        let resp = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "degraded", "{path}: {body}");
        assert_eq!(body["checks"]["database"], "ok", "{body}");
        assert_ne!(body["checks"]["dns_backend"], "ok", "{body}");
        assert_ne!(body["checks"]["redis"], "ok", "{body}");

        // The strict form (spec §13) still answers 503 for any failing dependency.
        let strict = format!("{path}?strict=true");
        let resp = app.http.get(app.url(&strict)).send().await.unwrap();
        assert_eq!(resp.status(), 503, "{strict}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["status"], "degraded", "{strict}: {body}");
    }
    app.stop().await;
}
