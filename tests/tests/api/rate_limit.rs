//! Rate limits: per-key limits with `X-RateLimit-*` headers and 429, counted in real Redis when
//! `REDIS_URL` is set, and a Redis outage degrading to in-process counting instead of failing.

use std::time::Duration;

use chrono::{Timelike, Utc};
use scaidns_server::config::Secret;
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};

fn redis_url() -> String {
    std::env::var("SCAIDNS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Keeps a short burst inside one one-minute window.
async fn avoid_window_edge() {
    let second = Utc::now().second();
    if second >= 55 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - second))).await;
    }
}

/// A key of the platform admin limited to `limit` requests per minute.
async fn limited_key(app: &TestApp, limit: u32) -> (String, String) {
    let key = app
        .client
        .api_key_create(&scaidns_client::types::ApiKeyCreateRequest {
            name: "limited".into(),
            description: None,
            permission_source: None,
            permission_source_id: Some(app.admin_user_id.clone()),
            scopes: vec![],
            rate_limit: Some(limit),
            ip_whitelist: vec![],
            expires_at: None,
        })
        .await
        .expect("api_key_create")
        .into_inner();
    (key.id, key.key)
}

async fn get(app: &TestApp, key: &str) -> reqwest::Response {
    app.http
        .get(app.url("/api/v1/domains"))
        .header("X-API-Key", key)
        .send()
        .await
        .expect("request")
}

fn header(resp: &reqwest::Response, name: &str) -> u64 {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing or not a number"))
}

async fn exhaust(app: &TestApp, key: &str, limit: u64) {
    avoid_window_edge().await;
    for used in 1..=limit {
        let resp = get(app, key).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(header(&resp, "x-ratelimit-limit"), limit);
        assert_eq!(header(&resp, "x-ratelimit-remaining"), limit - used);
        assert!((1..=60).contains(&header(&resp, "x-ratelimit-reset")));
    }
    let resp = get(app, key).await;
    assert_eq!(resp.status(), 429);
    assert!(header(&resp, "retry-after") >= 1);
    assert_eq!(header(&resp, "x-ratelimit-remaining"), 0);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "rate_limited");
    assert!(body["request_id"].is_string());
}

#[tokio::test]
async fn key_limit_in_process() {
    let app = spawn_app().await;
    let (id, key) = limited_key(&app, 3).await;
    exhaust(&app, &key, 3).await;
    // The refused request is no use of the key.
    let used = app.client.api_key_get(&id).await.unwrap().into_inner();
    assert_eq!(used.use_count, 3);
    // Another key has its own budget.
    assert_eq!(get(&app, &app.admin_key).await.status(), 200);
}

#[tokio::test]
async fn key_limit_counted_in_redis() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.redis_url = Some(Secret::new(redis_url()))
    })
    .await;
    let (id, key) = limited_key(&app, 2).await;
    exhaust(&app, &key, 2).await;

    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("scaidns:ratelimit:key:{id}:*"))
        .query_async(&mut conn)
        .await
        .expect("KEYS");
    assert_eq!(keys.len(), 1, "one window counter for the key");
    let count: u64 = redis::cmd("GET")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .expect("GET");
    assert_eq!(count, 3, "two allowed requests and the refused one");
    let ttl: i64 = redis::cmd("TTL")
        .arg(&keys[0])
        .query_async(&mut conn)
        .await
        .expect("TTL");
    assert!((1..=61).contains(&ttl));

    let ready: serde_json::Value = app
        .http
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("ready")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["checks"]["redis"], "ok");
}

#[tokio::test]
async fn redis_outage_degrades_to_in_process() {
    // Nothing listens on port 1: every Redis call fails fast.
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.redis_url = Some(Secret::new("redis://127.0.0.1:1"))
    })
    .await;
    let (_, key) = limited_key(&app, 2).await;
    exhaust(&app, &key, 2).await;

    // Redis is shared by every replica and has a fallback: degraded, still in rotation.
    let resp = app
        .http
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("ready");
    assert_eq!(resp.status(), 200);
    let ready: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(ready["status"], "degraded");
    assert_ne!(ready["checks"]["redis"], "ok");
}

#[tokio::test]
async fn anonymous_token_endpoints_are_limited_per_address() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.rate_limit_api_key_per_minute = 2
    })
    .await;
    avoid_window_edge().await;
    let body =
        serde_json::json!({"code": "c", "code_verifier": "v", "redirect_uri": "http://x/cb"});
    for _ in 0..2 {
        let resp = app
            .http
            .post(app.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_ne!(resp.status(), 429);
        assert!(resp.headers().contains_key("x-ratelimit-remaining"));
    }
    let resp = app
        .http
        .post(app.url("/api/v1/auth/refresh"))
        .json(&serde_json::json!({"refresh_token": "r"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(header(&resp, "retry-after") >= 1);
}
