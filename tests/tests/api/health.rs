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
            cidr: None,
            name: "metrics.test".into(),
            domain_type: None,
            default_ttl: None,
            description: None,
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
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

/// The sum of every sample of `series` whose labels contain all of `labels`.
pub(crate) fn sample_sum(metrics: &str, series: &str, labels: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|l| {
            l.strip_prefix(series)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|l| labels.iter().all(|label| l.contains(label)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The server's `/metrics` text (metrics must be enabled).
pub(crate) async fn scrape(app: &TestApp) -> String {
    let resp = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_database_operations_validation_checks_and_worker_jobs() {
    use scaidns_tests::scripted_dns::{ScriptedDns, Table};
    use std::net::Ipv4Addr;

    // A resolver that knows nothing: every ownership check fails at once, without the network.
    let resolver = Ipv4Addr::new(127, 0, 0, 2);
    let dns = ScriptedDns::start(&[resolver], &[], Table::default()).await;
    let (at, port) = (dns.at(resolver), dns.port);
    let app = spawn_app_configured(TestOptions::default(), move |c| {
        c.metrics_enabled = true;
        c.validation_resolvers = vec![at];
        c.validation_nameserver_port = port;
    })
    .await;

    // The in-process worker runs its first pass at start; every job is counted and timed by
    // name (a bounded label), polled with a bound.
    // Waits for both figures it asserts: the run is counted before it is timed.
    let counted_and_timed = |metrics: &str| {
        sample_sum(
            metrics,
            "scaidns_worker_jobs_total",
            &["job=\"sync_pending_zones\"", "outcome=\"ok\""],
        ) >= 1.0
            && sample_sum(
                metrics,
                "scaidns_worker_jobs_duration_seconds_count",
                &["job=\"sync_pending_zones\""],
            ) >= 1.0
    };
    let mut metrics = String::new();
    for _ in 0..3000 {
        metrics = scrape(&app).await;
        if counted_and_timed(&metrics) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(counted_and_timed(&metrics), "{metrics}");

    // Database operations move with a request, by store operation; none is labelled by zone.
    let before = sample_sum(&metrics, "scaidns_db_queries_total", &[]);
    let timed_before = sample_sum(&metrics, "scaidns_db_query_duration_seconds_count", &[]);
    let tenant = app.tenant_with_user("metered").await;
    let created = tenant
        .client
        .zone_create(&scaidns_client::types::DomainCreateRequest {
            cidr: None,
            name: "metered-zone.test".into(),
            domain_type: None,
            default_ttl: None,
            description: None,
            settings: None,
            skip_validation: None,
            template_id: None,
            template_variables: Default::default(),
            primaries: Vec::new(),
            tsig_algorithm: None,
            tsig_key_name: None,
            tsig_secret: None,
        })
        .await
        .unwrap()
        .into_inner();
    let metrics = scrape(&app).await;
    assert!(sample_sum(&metrics, "scaidns_db_queries_total", &[]) > before);
    assert!(sample_sum(&metrics, "scaidns_db_query_duration_seconds_count", &[]) > timed_before);
    assert!(
        sample_sum(
            &metrics,
            "scaidns_db_queries_total",
            &["operation=\"zones::write\"", "outcome=\"ok\""]
        ) >= 1.0,
        "{metrics}"
    );
    assert!(!metrics.contains("metered-zone"), "{metrics}");
    assert!(!metrics.contains(&created.id), "{metrics}");

    // A check that finds no TXT record counts as invalid. The worker's re-check may count
    // checks of its own meanwhile, so the count grows by at least this one.
    let invalid = ["result=\"invalid\""];
    let invalid_before = sample_sum(&metrics, "scaidns_validation_checks_total", &invalid);
    let check = tenant
        .client
        .validation_check(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(!check.is_valid, "{}", check.message);
    let metrics = scrape(&app).await;
    assert!(
        sample_sum(&metrics, "scaidns_validation_checks_total", &invalid) >= invalid_before + 1.0,
        "{metrics}"
    );
    app.stop().await;
}
