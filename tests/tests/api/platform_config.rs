//! Platform configuration (`/api/v1/admin/config`) and authoritative domains: the catalogue
//! with sources, values set through the API winning and used by the code that reads them
//! (challenge TTL, zone default TTL, TTL bounds, rate limits), refusals, and a second replica
//! picking a change up within the staleness bound.

use std::time::{Duration, Instant};

use reqwest::Method;
use scaidns_tests::{TestOptions, spawn_app, spawn_app_with, spawn_replica};
use serde_json::json;

use crate::tenant_admin::get;
use crate::util::{call, ok, refused, send};

async fn set(app: &scaidns_tests::TestApp, key: &str, value: &str) -> serde_json::Value {
    ok(
        app,
        &app.admin_key,
        Method::PATCH,
        &format!("/api/v1/admin/config/{key}"),
        json!({"value": value}),
    )
    .await
}

#[tokio::test]
async fn values_set_through_the_api_are_stored_shown_and_used() {
    let app = spawn_app().await;
    let admin = app.admin_key.clone();
    let all = get(&app, &admin, "/api/v1/admin/config").await;
    let keys: Vec<&str> = all["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    for expected in [
        "validation.challenge_ttl",
        "validation.expiry_hours",
        "ttl.min",
        "ttl.max",
        "zone.default_ttl",
        "rate_limit.api_key_per_minute",
        "rate_limit.user_per_minute",
        "dnssec.ksk_lifetime_days",
        "dnssec.zsk_lifetime_days",
    ] {
        assert!(keys.contains(&expected), "{expected} in {keys:?}");
    }
    let ttl = get(
        &app,
        &admin,
        "/api/v1/admin/config/validation.challenge_ttl",
    )
    .await;
    assert_eq!(
        (&ttl["value"], &ttl["source"], &ttl["type"], &ttl["applies"]),
        (
            &json!("3600"),
            &json!("default"),
            &json!("integer"),
            &json!("immediately")
        )
    );

    let changed = set(&app, "validation.challenge_ttl", "7200").await;
    assert_eq!(
        (&changed["value"], &changed["source"]),
        (&json!("7200"), &json!("api"))
    );
    assert_eq!(changed["default"], "3600");
    assert_eq!(changed["updated_by"], "admin@scaidns.test");
    // The next challenge recommends the new TTL.
    let alpha = app.tenant_with_user("alpha").await;
    let zone = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "cfg.test"}),
    )
    .await;
    assert_eq!(zone["validation"]["dns_record"]["ttl"], 7200, "{zone}");

    // Zone default TTL and the TTL bounds apply to the next write.
    set(&app, "zone.default_ttl", "900").await;
    let zone = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "ttl.test"}),
    )
    .await;
    assert_eq!(zone["default_ttl"], 900);
    set(&app, "ttl.min", "300").await;
    let zone_id = zone["id"].as_str().unwrap();
    let low = call(
        &app,
        &admin,
        Method::POST,
        &format!("/api/v1/domains/{zone_id}/records"),
        Some(json!({"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 200})),
    )
    .await;
    assert_eq!(low.0, 422, "{}", low.1);
    // Bounds that contradict each other or the zone default are refused.
    refused(
        call(
            &app,
            &admin,
            Method::PATCH,
            "/api/v1/admin/config/ttl.min",
            Some(json!({"value": "1000"})),
        )
        .await,
        422,
        "invalid_input",
    );

    // The API-key default rate limit governs the very next request.
    set(&app, "rate_limit.api_key_per_minute", "5000").await;
    let resp = send(&app, &alpha.key, Method::GET, "/api/v1/domains", None).await;
    assert_eq!(resp.headers()["x-ratelimit-limit"], "5000");

    // Refusals: unknown key, wrong type, out of range, no value.
    refused(
        call(
            &app,
            &admin,
            Method::GET,
            "/api/v1/admin/config/no.such.key",
            None,
        )
        .await,
        404,
        "config_key_not_found",
    );
    refused(
        call(
            &app,
            &admin,
            Method::PATCH,
            "/api/v1/admin/config/no.such.key",
            Some(json!({"value": "1"})),
        )
        .await,
        404,
        "config_key_not_found",
    );
    for bad in [
        json!({"value": "soon"}),
        json!({"value": "0"}),
        json!({"value": "86401"}),
        json!({"value": 7}),
        json!({}),
    ] {
        let got = call(
            &app,
            &admin,
            Method::PATCH,
            "/api/v1/admin/config/validation.challenge_ttl",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(got.0, 422, "{bad}: {}", got.1);
    }
    assert_eq!(
        get(
            &app,
            &admin,
            "/api/v1/admin/config/validation.challenge_ttl"
        )
        .await["value"],
        "7200",
        "refusals change nothing"
    );
    // A tenant admin reads and changes nothing here.
    refused(
        call(
            &app,
            &alpha.key,
            Method::PATCH,
            "/api/v1/admin/config/ttl.min",
            Some(json!({"value": "1"})),
        )
        .await,
        403,
        "permission_denied",
    );
}

#[tokio::test]
async fn another_replica_applies_a_change_within_the_staleness_bound() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("replicas.sqlite3").display());
    let options = || TestOptions {
        database_url: Some(url.clone()),
        ..TestOptions::default()
    };
    let first = spawn_app_with(options()).await;
    let second = spawn_replica(&first, options(), |_| {}).await;
    let alpha = first.tenant_with_user("alpha").await;
    let seen = |app: &scaidns_tests::TestApp| {
        let key = alpha.key.clone();
        let app_url = app.url("/api/v1/domains");
        let http = app.http.clone();
        async move {
            let resp = http
                .get(app_url)
                .header("x-api-key", key)
                .send()
                .await
                .unwrap();
            resp.headers()["x-ratelimit-limit"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(seen(&second).await, "100");
    set(&first, "rate_limit.api_key_per_minute", "4321").await;
    assert_eq!(
        seen(&first).await,
        "4321",
        "at once on the replica that made it"
    );
    // No change feed between these two: the snapshot's bound (AUTH_CACHE_MAX_STALENESS, 1 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if seen(&second).await == "4321" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second replica never applied the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn authoritative_domains_are_replaced_canonical_and_checked() {
    let app = spawn_app().await;
    let admin = app.admin_key.clone();
    let path = "/api/v1/admin/authoritative-domains";
    assert_eq!(get(&app, &admin, path).await["domains"], json!([]));
    let put = ok(
        &app,
        &admin,
        Method::PUT,
        path,
        json!({"domains": ["Example.NET.", "example.com"]}),
    )
    .await;
    assert_eq!(put["domains"], json!(["example.com", "example.net"]));
    assert_eq!(
        get(&app, &admin, path).await["domains"],
        json!(["example.com", "example.net"])
    );
    for bad in [
        json!({"domains": ["com"]}),
        json!({"domains": ["a.test", "A.test."]}),
        json!({"domains": "a.test"}),
    ] {
        let got = call(&app, &admin, Method::PUT, path, Some(bad.clone())).await;
        assert_eq!(got.0, 422, "{bad}: {}", got.1);
    }
    assert_eq!(
        get(&app, &admin, path).await["domains"],
        json!(["example.com", "example.net"])
    );
}
