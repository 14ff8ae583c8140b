//! Zone history (issue 14 item 4): every generation step keeps its RRset changes; the history
//! list and one step, a diff between any two generations, and a restore that brings a zone
//! back after a destructive import (in the store and in PowerDNS) as one audited change with
//! `If-Match`. Grantees see only their records' history, other tenants nothing, and what
//! retention removed is 410.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Duration;
use reqwest::Method;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::ManualClock;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::zone_history::HistoryRetention;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::concurrent_writes::served;
use crate::grants::user_without_role;
use crate::util::{active_zone, call, every_record, ok, refused, send};

fn history(zone: &str) -> String {
    format!("/api/v1/domains/{zone}/history")
}

async fn add(
    app: &TestApp,
    key: &str,
    zone: &str,
    name: &str,
    rtype: &str,
    content: &str,
) -> Value {
    ok(
        app,
        key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": name, "type": rtype, "content": content}),
    )
    .await
}

async fn generation(app: &TestApp, key: &str, zone: &str) -> i64 {
    // The zone's generation is its ETag.
    let resp = send(
        app,
        key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let tag = resp.headers()["etag"].to_str().unwrap().to_owned();
    // The zone's tag is `"<generation>.<digest>"`.
    let generation = tag.trim_matches('"').split('.').next().unwrap_or_default();
    generation.parse().expect("a generation ETag")
}

/// (name, type) → sorted contents of every record the admin lists (SOA apart).
async fn listed(app: &TestApp, zone: &str) -> BTreeMap<(String, String), Vec<String>> {
    let path = format!("/api/v1/domains/{zone}/records?include_system=true");
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &every_record(app, &app.admin_key, &path).await {
        let (name, rtype) = (r["name"].as_str().unwrap(), r["type"].as_str().unwrap());
        if rtype != "SOA" {
            out.entry((name.to_owned(), rtype.to_owned()))
                .or_default()
                .push(format!("{} {}", r["ttl"], r["content"].as_str().unwrap()));
        }
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

fn keys(changes: &Value) -> Vec<String> {
    changes
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["name"].as_str().unwrap(),
                c["type"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn every_step_is_kept_and_any_two_generations_diff_either_way() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "history.test").await;
    let g1 = generation(&app, &alpha.key, &zone).await;
    let www = add(&app, &alpha.key, &zone, "www", "A", "192.0.2.1").await;
    let record = format!(
        "/api/v1/domains/{zone}/records/{}",
        www["id"].as_str().unwrap()
    );
    ok(
        &app,
        &alpha.key,
        Method::PATCH,
        &record,
        json!({"content": "192.0.2.2"}),
    )
    .await;
    let (status, _) = call(&app, &alpha.key, Method::DELETE, &record, None).await;
    assert_eq!(status, 204);
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/import/text"),
        json!({"content": "mail 300 IN MX 10 mx.history.test.\n"}),
    )
    .await;
    let top = generation(&app, &alpha.key, &zone).await;
    assert_eq!(top, g1 + 4);

    let (status, list) = call(&app, &alpha.key, Method::GET, &history(&zone), None).await;
    assert_eq!(status, 200, "{list}");
    let actions: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..4],
        [
            "zone.import",
            "record.delete",
            "record.update",
            "record.create"
        ],
        "{list}"
    );
    assert_eq!(list["data"][0]["generation"], top);
    assert_eq!(list["data"][0]["added"], 1);
    assert_eq!(list["data"][1]["removed"], 1);
    assert_eq!(list["data"][2]["changed"], 1);
    assert_eq!(list["data"][0]["actor_type"], "api_key");
    // Paged.
    let (_, first) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{}?page_size=2", history(&zone)),
        None,
    )
    .await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["total"], list["total"]);

    // One step, with its RRsets before and after.
    let (status, step) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{}/{}", history(&zone), g1 + 2),
        None,
    )
    .await;
    assert_eq!(status, 200, "{step}");
    assert_eq!(keys(&step["changes"]), ["www.history.test A"]);
    assert_eq!(
        step["changes"][0]["before"]["records"][0]["content"],
        "192.0.2.1"
    );
    assert_eq!(
        step["changes"][0]["after"]["records"][0]["content"],
        "192.0.2.2"
    );
    // The zone's first step holds what it was created with.
    let (_, first_step) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{}/{g1}", history(&zone)),
        None,
    )
    .await;
    assert_eq!(first_step["action"], "domain.create", "{first_step}");
    assert!(keys(&first_step["changes"]).contains(&"history.test NS".to_owned()));
    let unknown = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{}/{}", history(&zone), top + 1),
        None,
    )
    .await;
    refused(unknown, 404, "generation_not_found");

    // Diffs: forwards, backwards, across a round trip.
    let diff = |from: i64, to: i64| format!("/api/v1/domains/{zone}/diff?from={from}&to={to}");
    let (status, forward) = call(&app, &alpha.key, Method::GET, &diff(g1, top), None).await;
    assert_eq!(status, 200, "{forward}");
    assert_eq!(
        keys(&forward["changes"]),
        ["mail.history.test MX"],
        "www came and went"
    );
    let (_, back) = call(&app, &alpha.key, Method::GET, &diff(g1 + 2, g1), None).await;
    assert_eq!(keys(&back["changes"]), ["www.history.test A"]);
    assert_eq!(
        back["changes"][0]["before"]["records"][0]["content"],
        "192.0.2.2"
    );
    assert!(back["changes"][0]["after"].is_null());
    let (_, none) = call(&app, &alpha.key, Method::GET, &diff(top, top), None).await;
    assert_eq!(none["changes"], json!([]));
    refused(
        call(&app, &alpha.key, Method::GET, &diff(0, top), None).await,
        400,
        "invalid_query",
    );
    refused(
        call(&app, &alpha.key, Method::GET, &diff(g1, top + 1), None).await,
        400,
        "invalid_query",
    );
    app.stop().await;
}

#[tokio::test]
async fn a_restore_brings_a_zone_back_after_a_destructive_import_in_the_store_and_in_powerdns() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "restore.test").await;
    for (name, rtype, content) in [
        ("www", "A", "192.0.2.1"),
        ("www", "A", "192.0.2.2"),
        ("@", "MX", "10 mail.restore.test."),
        ("@", "TXT", "v=spf1 mx -all"),
        ("mail", "A", "192.0.2.25"),
        ("ftp", "CNAME", "www.restore.test."),
        ("sub", "NS", "ns1.elsewhere.example."),
    ] {
        add(&app, &alpha.key, &zone, name, rtype, content).await;
    }
    let good = generation(&app, &alpha.key, &zone).await;
    let before = listed(&app, &zone).await;
    let (in_pdns_before, _) = served(&pdns, "restore.test").await;
    assert!(in_pdns_before.len() >= 6, "{in_pdns_before:?}");

    // A replace import that drops almost everything.
    let imported = ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/import/text"),
        json!({"content": "www 60 IN A 198.51.100.7\n", "mode": "replace"}),
    )
    .await;
    assert!(imported["deleted"].as_u64().unwrap() >= 6, "{imported}");
    let wrecked = listed(&app, &zone).await;
    assert_ne!(wrecked, before);
    let after_import = generation(&app, &alpha.key, &zone).await;

    // A stale If-Match changes nothing.
    let restore = format!("{}/{good}/restore", history(&zone));
    let resp = app
        .http
        .post(app.url(&restore))
        .header("x-api-key", &alpha.key)
        .header("if-match", format!("\"{good}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    assert_eq!(listed(&app, &zone).await, wrecked);
    assert_eq!(generation(&app, &alpha.key, &zone).await, after_import);

    // The current ETag restores, as one new generation.
    let resp = app
        .http
        .post(app.url(&restore))
        .header("x-api-key", &alpha.key)
        .header("if-match", format!("\"{after_import}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", after_import + 1)
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["restored_generation"], good);
    assert_eq!(body["generation"], after_import + 1);
    assert_eq!(body["sync_status"], "in_sync", "{body}");

    // Identical RRsets (TTLs included) in the store and in PowerDNS.
    assert_eq!(listed(&app, &zone).await, before);
    let (in_pdns_after, _) = served(&pdns, "restore.test").await;
    assert_eq!(in_pdns_after, in_pdns_before);

    // One step in the history, audited.
    let (_, list) = call(&app, &alpha.key, Method::GET, &history(&zone), None).await;
    assert_eq!(list["data"][0]["action"], "zone.history_restore", "{list}");
    let (status, audit) = call(
        &app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/admin/audit-logs?action=zone.history_restore&resource_id={zone}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{audit}");
    assert_eq!(audit["data"].as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(
        audit["data"][0]["details"]["after"]["restored_generation"],
        good
    );

    // Restoring the state it is in changes nothing.
    let again = call(
        &app,
        &alpha.key,
        Method::POST,
        &format!("{}/{}/restore", history(&zone), after_import + 1),
        None,
    )
    .await;
    assert_eq!(again.0, 200, "{}", again.1);
    assert_eq!(again.1["changes"], json!([]));
    assert_eq!(generation(&app, &alpha.key, &zone).await, after_import + 1);
    app.stop().await;
}

#[tokio::test]
async fn a_restore_the_rules_refuse_now_is_422_and_changes_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "rules.test").await;
    let short = ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 120}),
    )
    .await;
    let with_short = generation(&app, &alpha.key, &zone).await;
    let record = format!(
        "/api/v1/domains/{zone}/records/{}",
        short["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, &alpha.key, Method::DELETE, &record, None)
            .await
            .0,
        204
    );
    // The platform now refuses TTLs under 300 s: the old RRset cannot come back as it was.
    ok(
        &app,
        &app.admin_key,
        Method::PATCH,
        "/api/v1/admin/config/ttl.min",
        json!({"value": "300"}),
    )
    .await;
    let now = generation(&app, &alpha.key, &zone).await;
    let got = call(
        &app,
        &alpha.key,
        Method::POST,
        &format!("{}/{with_short}/restore", history(&zone)),
        None,
    )
    .await;
    assert_eq!(got.0, 422, "{}", got.1);
    assert!(
        got.1["detail"].to_string().contains("www.rules.test"),
        "{}",
        got.1
    );
    assert_eq!(generation(&app, &alpha.key, &zone).await, now);
    app.stop().await;
}

#[tokio::test]
async fn grantees_see_their_records_history_only_and_other_tenants_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "granted.test").await;
    add(&app, &alpha.key, &zone, "api.dev", "A", "192.0.2.1").await;
    let dev_step = generation(&app, &alpha.key, &zone).await;
    let www = add(&app, &alpha.key, &zone, "www", "A", "192.0.2.2").await;
    let www_step = generation(&app, &alpha.key, &zone).await;
    add(&app, &alpha.key, &zone, "db.dev", "A", "192.0.2.3").await;
    let top = generation(&app, &alpha.key, &zone).await;

    let (user, key) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &zone,
        &user,
        json!({"role": "domain_manager", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;

    let (status, list) = call(&app, &key, Method::GET, &history(&zone), None).await;
    assert_eq!(status, 200, "{list}");
    let generations: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["generation"].as_i64().unwrap())
        .collect();
    assert_eq!(
        generations,
        [top, dev_step],
        "only the steps touching *.dev A"
    );
    assert_eq!(list["total"], 2);
    refused(
        call(
            &app,
            &key,
            Method::GET,
            &format!("{}/{www_step}", history(&zone)),
            None,
        )
        .await,
        404,
        "generation_not_found",
    );
    let (_, diff) = call(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/diff?from=1&to={top}"),
        None,
    )
    .await;
    assert_eq!(
        keys(&diff["changes"]),
        ["api.dev.granted.test A", "db.dev.granted.test A"],
        "{diff}"
    );

    // A restore that changes a record outside the grant is refused and changes nothing…
    let (status, _) = call(
        &app,
        &key,
        Method::POST,
        &format!("{}/{dev_step}/restore", history(&zone)),
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(generation(&app, &alpha.key, &zone).await, top);
    // …one within it is allowed.
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &format!("{}/{www_step}/restore", history(&zone)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(keys(&body["changes"]), ["db.dev.granted.test A"]);
    let www_path = format!(
        "/api/v1/domains/{zone}/records/{}",
        www["id"].as_str().unwrap()
    );
    assert_eq!(
        call(&app, &alpha.key, Method::GET, &www_path, None).await.0,
        200
    );

    // A key narrowed to domain reads sees no history.
    let narrow = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "narrow", "scopes": ["domains:read"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap();
    assert_eq!(
        call(&app, narrow, Method::GET, &history(&zone), None)
            .await
            .0,
        403
    );
    let (status, _) = call(
        &app,
        narrow,
        Method::POST,
        &format!("{}/{dev_step}/restore", history(&zone)),
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Another tenant: the zone does not exist.
    let beta = app.tenant_with_user("beta").await;
    for (method, path) in [
        (Method::GET, history(&zone)),
        (Method::GET, format!("{}/{dev_step}", history(&zone))),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from=1&to=2"),
        ),
        (
            Method::POST,
            format!("{}/{dev_step}/restore", history(&zone)),
        ),
    ] {
        let resp = send(&app, &beta.key, method, &path, None).await;
        assert_eq!(resp.status(), 404, "{path}");
    }
    assert_eq!(generation(&app, &alpha.key, &zone).await, top + 1);
    app.stop().await;
}

#[tokio::test]
async fn history_past_the_retention_or_the_cap_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("history.sqlite3").display());
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(url.clone()),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "retained.test").await;
    let first = generation(&app, &alpha.key, &zone).await;
    for i in 1..=3 {
        add(&app, &alpha.key, &zone, &format!("h{i}"), "A", "192.0.2.1").await;
    }
    let top = generation(&app, &alpha.key, &zone).await;

    // A worker on the same database whose clock and limits the test sets.
    // Its clock runs ahead of the app's in-process worker, so the hourly job is due.
    let worker = |ahead: Duration, max_entries: u32| {
        let url = url.clone();
        async move {
            let clock = Arc::new(ManualClock::new(chrono::Utc::now() + ahead));
            ScaiDns::new(
                Arc::new(SqlStore::connect(&url).await.unwrap()),
                Arc::new(EmbeddedBackend::new()),
                Arc::new(HickoryResolver::new()),
                clock,
                ServiceConfig {
                    zone_history: HistoryRetention {
                        max_age: Duration::days(90),
                        max_entries,
                    },
                    ..ServiceConfig::default()
                },
            )
        }
    };
    let pruned = |runs: Vec<scaidns_core::service::worker::JobRun>| {
        runs.into_iter()
            .find(|r| r.job == "prune_zone_history")
            .expect("the job ran")
            .outcome
    };

    // The cap: the newest two steps stay.
    let capped = worker(Duration::hours(2), 2).await;
    let runs = capped
        .worker_run_once(&WorkerConfig::new("cap"))
        .await
        .unwrap();
    assert_eq!(pruned(runs), Ok("2 zone history entries pruned".to_owned()));
    let restore = |g: i64| format!("{}/{g}/restore", history(&zone));
    refused(
        call(&app, &alpha.key, Method::POST, &restore(first), None).await,
        410,
        "history_expired",
    );
    refused(
        call(
            &app,
            &alpha.key,
            Method::GET,
            &format!("/api/v1/domains/{zone}/diff?from={first}&to={top}"),
            None,
        )
        .await,
        410,
        "history_expired",
    );
    refused(
        call(
            &app,
            &alpha.key,
            Method::GET,
            &format!("{}/{first}", history(&zone)),
            None,
        )
        .await,
        410,
        "history_expired",
    );
    assert_eq!(
        generation(&app, &alpha.key, &zone).await,
        top,
        "nothing restored"
    );
    let (_, list) = call(&app, &alpha.key, Method::GET, &history(&zone), None).await;
    assert_eq!(list["total"], 2);
    let (status, _) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/diff?from={}&to={top}", top - 1),
        None,
    )
    .await;
    assert_eq!(status, 200);

    // The retention: 91 days on, nothing is kept.
    let later = worker(Duration::days(91), 1000).await;
    let runs = later
        .worker_run_once(&WorkerConfig::new("age"))
        .await
        .unwrap();
    assert_eq!(pruned(runs), Ok("2 zone history entries pruned".to_owned()));
    refused(
        call(&app, &alpha.key, Method::POST, &restore(top - 1), None).await,
        410,
        "history_expired",
    );
    let (_, list) = call(&app, &alpha.key, Method::GET, &history(&zone), None).await;
    assert_eq!(list["total"], 0);
    app.stop().await;
}

#[tokio::test]
async fn hostile_generations_and_pages_are_4xx_in_the_envelope() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "hostile.test").await;
    add(&app, &alpha.key, &zone, "www", "A", "192.0.2.1").await;
    let top = generation(&app, &alpha.key, &zone).await;
    let max = i64::MAX;
    let min = i64::MIN;
    let paths = [
        (Method::GET, format!("{}/abc", history(&zone))),
        (
            Method::GET,
            format!("{}/99999999999999999999999", history(&zone)),
        ),
        (Method::GET, format!("{}/{max}", history(&zone))),
        (Method::GET, format!("{}/{min}", history(&zone))),
        (Method::GET, format!("{}/-1", history(&zone))),
        (Method::GET, format!("{}/0", history(&zone))),
        (Method::GET, format!("{}?page=0", history(&zone))),
        (Method::GET, format!("{}?page_size=0", history(&zone))),
        (Method::GET, format!("{}?page_size=100000", history(&zone))),
        (Method::GET, format!("{}?page=-1", history(&zone))),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from={min}&to={max}"),
        ),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from={max}&to={min}"),
        ),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from=-1&to=1"),
        ),
        (Method::GET, format!("/api/v1/domains/{zone}/diff?from=1")),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from=x&to=1"),
        ),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from=1&to=99999999999999999999999"),
        ),
        (Method::POST, format!("{}/{max}/restore", history(&zone))),
        (Method::POST, format!("{}/{min}/restore", history(&zone))),
        (Method::POST, format!("{}/-1/restore", history(&zone))),
        (Method::POST, format!("{}/abc/restore", history(&zone))),
        (Method::GET, "/api/v1/domains/not-a-uuid/history".to_owned()),
        (
            Method::POST,
            "/api/v1/domains/not-a-uuid/history/1/restore".to_owned(),
        ),
    ];
    for (method, path) in paths {
        let (status, body) = call(&app, &alpha.key, method.clone(), &path, None).await;
        assert!(
            (400..500).contains(&status) && status != 410,
            "{method} {path}: {status} {body}"
        );
        assert!(body["code"].is_string(), "{method} {path}: {body}");
    }
    // A page far past the end is an empty page, as on every list.
    let (status, far) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{}?page=4294967295", history(&zone)),
        None,
    )
    .await;
    assert_eq!((status, far["data"].clone()), (200, json!([])), "{far}");
    assert_eq!(generation(&app, &alpha.key, &zone).await, top);
    app.stop().await;
}

#[tokio::test]
async fn a_write_only_key_or_a_deleted_zone_restores_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "writeonly.test").await;
    let first = generation(&app, &alpha.key, &zone).await;
    add(&app, &alpha.key, &zone, "secret", "TXT", "old-token").await;
    let top = generation(&app, &alpha.key, &zone).await;
    let restore = format!("{}/{first}/restore", history(&zone));

    // A key that may change records but not read them would read the old ones through the
    // restore's answer.
    let write_only = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "write-only",
               "scopes": ["records:create", "records:update", "records:delete"]}),
    )
    .await;
    let write_only = write_only["key"].as_str().unwrap();
    let (status, body) = call(&app, write_only, Method::POST, &restore, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(!body.to_string().contains("old-token"), "{body}");
    assert_eq!(generation(&app, &alpha.key, &zone).await, top);

    // A deleted zone has no history to read or restore.
    let (status, _) = call(
        &app,
        &alpha.key,
        Method::DELETE,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert!((200..300).contains(&status), "{status}");
    for (method, path) in [
        (Method::POST, restore.clone()),
        (Method::GET, history(&zone)),
        (
            Method::GET,
            format!("/api/v1/domains/{zone}/diff?from={first}&to={top}"),
        ),
    ] {
        let (status, body) = call(&app, &alpha.key, method, &path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    app.stop().await;
}
