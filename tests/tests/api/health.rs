//! Liveness and readiness, inside and outside the API prefix.

use scaidns_tests::spawn_app;

#[tokio::test]
async fn live_and_ready_answer_without_credentials() {
    let app = spawn_app().await;
    let live = app.client.health_live().await.expect("live").into_inner();
    assert_eq!(live.status, "ok");
    let ready = app.client.health_ready().await.expect("ready").into_inner();
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
