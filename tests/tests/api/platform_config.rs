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
    let origin = spawn_app_with(options()).await;
    // The replica that makes the change would not re-read on its own for an hour: seeing the
    // change at once there comes from the change itself.
    let second = spawn_replica(&origin, options(), |_| {}).await;
    let first = spawn_replica(&origin, options(), |c| {
        c.config_max_staleness = Duration::from_secs(3600);
    })
    .await;
    let alpha = origin.tenant_with_user("alpha").await;
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
    assert_eq!(seen(&first).await, "100", "read once at the first request");
    set(&first, "rate_limit.api_key_per_minute", "4321").await;
    assert_eq!(
        seen(&first).await,
        "4321",
        "at once on the replica that made it"
    );
    // No change feed between these two: the snapshot's bound (CONFIG_MAX_STALENESS, 1 s).
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
    origin.stop().await;
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

#[tokio::test]
async fn concurrent_changes_to_related_keys_never_store_a_broken_relation() {
    let app = spawn_app().await;
    let admin = app.admin_key.clone();
    let value =
        |body: serde_json::Value| -> u32 { body["value"].as_str().unwrap().parse().unwrap() };
    // Each change alone is fine against the other key's current value; together they would
    // leave the zone default TTL above ttl.max.
    for round in 0..5_u32 {
        set(&app, "zone.default_ttl", "3600").await;
        set(&app, "ttl.max", &(100_000 + round).to_string()).await;
        let (a, b) = tokio::join!(
            call(
                &app,
                &admin,
                Method::PATCH,
                "/api/v1/admin/config/zone.default_ttl",
                Some(json!({"value": "5000"})),
            ),
            call(
                &app,
                &admin,
                Method::PATCH,
                "/api/v1/admin/config/ttl.max",
                Some(json!({"value": "4000"})),
            ),
        );
        // One of them wins; the other is judged against it and refused.
        let mut codes = [a.0, b.0];
        codes.sort_unstable();
        assert_eq!(codes, [200, 422], "{a:?} {b:?}");
        let default = value(get(&app, &admin, "/api/v1/admin/config/zone.default_ttl").await);
        let max = value(get(&app, &admin, "/api/v1/admin/config/ttl.max").await);
        assert!(
            default <= max,
            "round {round}: default {default} > ttl.max {max}"
        );
    }
}

#[tokio::test]
async fn stored_values_that_break_the_bounds_or_each_other_fall_back_on_load() {
    let app = spawn_app().await;
    let store = app.service().store();
    let row = |value: u32| {
        json!({"value": value, "updated_at": "2026-01-01T00:00:00Z", "updated_by": null})
            .to_string()
    };
    // Written behind the API's back: a challenge TTL above its bound, reversed TTL bounds.
    store
        .put_setting("config.validation.challenge_ttl", &row(999_999), &[])
        .await
        .unwrap();
    store
        .put_setting("config.ttl.min", &row(9000), &[])
        .await
        .unwrap();
    store
        .put_setting("config.ttl.max", &row(8000), &[])
        .await
        .unwrap();
    store
        .put_setting("config.rate_limit.user_per_minute", &row(77), &[])
        .await
        .unwrap();
    // A change through the API reloads the snapshot at once.
    set(&app, "dnssec.zsk_lifetime_days", "40").await;
    let live = app.service().settings();
    assert_eq!(
        live.validation.challenge_ttl, 3600,
        "out of bounds: default"
    );
    assert_eq!(
        (live.ttl_policy.min, live.ttl_policy.max),
        (60, 604_800),
        "contradicting: defaults"
    );
    assert_eq!(live.user_rate_limit_per_minute, 77, "a sound value applies");
    assert_eq!(live.dnssec.policy.zsk_lifetime, chrono::Duration::days(40));
}
