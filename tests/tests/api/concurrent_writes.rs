//! Concurrent writers of one zone are never refused (issue 12): writes without `If-Match` take
//! turns on the zone and each applies on top of the previous one; only a write that sent a
//! stale `If-Match` fails, with 412 and no change. Through the HTTP API, publishing to a real
//! PowerDNS, on SQLite, MariaDB and PostgreSQL; the end state is checked in the store and in
//! PowerDNS, and the SOA serial PowerDNS serves is watched during the run: it never goes back.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::{Method, StatusCode};
use scaidns_client::Client;
use scaidns_client::types::{DomainCreateRequest, DomainUpdateRequest, RecordUpdateRequest};
use scaidns_tests::db::TestDb;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{
    TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured, spawn_replica,
};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::domains::{record, zone};

const WRITERS: usize = 50;
const CREATES_EACH: usize = 2;

/// A server on `database_url` (SQLite when `None`) publishing to `pdns`, rate limits lifted.
async fn app_on(pdns: &PdnsServer, database_url: Option<String>) -> TestApp {
    spawn_app_configured(
        TestOptions {
            database_url,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        unthrottled,
    )
    .await
}

/// Rate limits lifted: the load is the point.
fn unthrottled(c: &mut scaidns_server::config::Config) {
    c.rate_limit_api_key_per_minute = 1_000_000;
    c.rate_limit_api_key_max = 1_000_000;
    c.rate_limit_user_per_minute = 1_000_000;
}

/// An active (published) zone.
async fn live_zone(client: &Client, name: &str) -> String {
    client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            skip_validation: Some(true),
            template_id: None,
            template_variables: Default::default(),
            ..zone(name)
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

/// The zone as PowerDNS's own API answers it.
pub(crate) async fn pdns_zone(pdns: &PdnsServer, zone: &str) -> Value {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    http.get(format!(
        "{}/api/v1/servers/localhost/zones/{zone}.",
        pdns.api_url
    ))
    .header("X-API-Key", &pdns.api_key)
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

/// What PowerDNS serves for `zone`: (name, type) → sorted contents, SOA serial apart.
pub(crate) async fn served(
    pdns: &PdnsServer,
    zone: &str,
) -> (BTreeMap<(String, String), Vec<String>>, u64) {
    let body = pdns_zone(pdns, zone).await;
    let mut rrsets = BTreeMap::new();
    let mut serial = 0;
    for rrset in body["rrsets"].as_array().unwrap() {
        let rtype = rrset["type"].as_str().unwrap().to_owned();
        let contents: Vec<String> = rrset["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["content"].as_str().unwrap().to_owned())
            .collect();
        if rtype == "SOA" {
            serial = contents[0]
                .split_whitespace()
                .nth(2)
                .unwrap()
                .parse()
                .unwrap();
            continue;
        }
        let name = rrset["name"]
            .as_str()
            .unwrap()
            .trim_end_matches('.')
            .to_owned();
        let mut sorted = contents;
        sorted.sort();
        rrsets.insert((name, rtype), sorted);
    }
    (rrsets, serial)
}

/// The SOA serials PowerDNS serves for `zone` while `done` is unset, each one recorded when it
/// differs from the last: publications must only ever raise it.
async fn watch_serials(
    api_url: String,
    api_key: String,
    zone: String,
    done: Arc<AtomicBool>,
) -> Vec<u64> {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!(
        "{api_url}/api/v1/servers/localhost/zones/{zone}.?rrset_name={zone}.&rrset_type=SOA"
    );
    let mut seen: Vec<u64> = Vec::new();
    while !done.load(Ordering::SeqCst) {
        // Polling, not waiting for an outcome: leave PowerDNS to the writers in between.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let Ok(resp) = http.get(&url).header("X-API-Key", &api_key).send().await else {
            continue;
        };
        let Ok(body) = resp.json::<Value>().await else {
            continue;
        };
        let serial = body["rrsets"][0]["records"][0]["content"]
            .as_str()
            .and_then(|soa| soa.split_whitespace().nth(2))
            .and_then(|s| s.parse().ok());
        if let Some(serial) = serial
            && seen.last() != Some(&serial)
        {
            seen.push(serial);
        }
    }
    seen
}

/// The store's A records of `zone_id`: (name, type) → sorted contents.
async fn stored_a(client: &Client, zone_id: &str) -> BTreeMap<(String, String), Vec<String>> {
    // One page holds them all (a few hundred at most).
    let list = client
        .record_list(
            zone_id,
            Some(false),
            None,
            None,
            Some(1000),
            None,
            Some("A"),
        )
        .await
        .unwrap()
        .into_inner();
    assert!(list.total <= 1000, "more A records than one page");
    let mut rrsets: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in list.data {
        rrsets.entry((r.name, r.type_)).or_default().push(r.content);
    }
    rrsets.values_mut().for_each(|v| v.sort());
    rrsets
}

fn only_a(
    served: BTreeMap<(String, String), Vec<String>>,
) -> BTreeMap<(String, String), Vec<String>> {
    served.into_iter().filter(|((_, t), _)| t == "A").collect()
}

/// 50 writers at once through `apps` (replicas of one store, writer `w` through
/// `apps[w % apps.len()]`), every writer adding one address to each of the same
/// `CREATES_EACH` RRsets and one RRset of its own: all are answered 201, the store and PowerDNS
/// hold every one, and the SOA serial PowerDNS serves only ever rises.
async fn fifty_writers_are_never_refused(pdns: &PdnsServer, apps: &[TestApp]) {
    let first = &apps[0];
    let name = "busy.example";
    let zone_id = live_zone(&first.client, name).await;
    let (_, serial_before) = served(pdns, name).await;

    let done = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_serials(
        pdns.api_url.clone(),
        pdns.api_key.clone(),
        name.to_owned(),
        Arc::clone(&done),
    ));
    let mut writers = JoinSet::new();
    for w in 0..WRITERS {
        let client = apps[w % apps.len()].client.clone();
        let zone_id = zone_id.clone();
        writers.spawn(async move {
            let mut refused = Vec::new();
            let shared = (0..CREATES_EACH).map(|r| (format!("host{r}"), format!("10.0.{w}.{r}")));
            let own = std::iter::once((format!("own{w}"), format!("10.1.{w}.0")));
            for (host, address) in shared.chain(own) {
                let body = record(&host, "A", &address);
                if let Err(e) = client.record_create(&zone_id, &body).await {
                    refused.push(format!("writer {w} {host} {address}: {e:?}"));
                }
            }
            refused
        });
    }
    let refused: Vec<String> = writers.join_all().await.into_iter().flatten().collect();
    done.store(true, Ordering::SeqCst);
    let serials = watcher.await.unwrap();
    assert!(
        serials.windows(2).all(|w| w[0] < w[1]),
        "the served SOA serial went back: {serials:?}"
    );
    assert!(
        refused.is_empty(),
        "{} refused: {refused:#?}",
        refused.len()
    );

    let a_set = |host: String, mut contents: Vec<String>| {
        contents.sort();
        ((format!("{host}.{name}"), "A".to_owned()), contents)
    };
    let expected: BTreeMap<(String, String), Vec<String>> = (0..CREATES_EACH)
        .map(|r| {
            let contents = (0..WRITERS).map(|w| format!("10.0.{w}.{r}")).collect();
            a_set(format!("host{r}"), contents)
        })
        .chain((0..WRITERS).map(|w| a_set(format!("own{w}"), vec![format!("10.1.{w}.0")])))
        .collect();
    for app in apps {
        assert_eq!(stored_a(&app.client, &zone_id).await, expected);
    }
    let (served_now, serial_after) = served(pdns, name).await;
    assert_eq!(only_a(served_now), expected);
    assert!(
        serial_after > serial_before,
        "{serial_before} → {serial_after}"
    );
    // A replica's read of the zone waits for the outcome it is recording, if any: once every
    // replica has read it, the last read sees every outcome recorded.
    let mut z = None;
    for app in apps {
        z = Some(
            app.client
                .zone_get(&zone_id, None)
                .await
                .unwrap()
                .into_inner(),
        );
    }
    assert_eq!(z.unwrap().sync_status.to_string(), "in_sync");
}

/// Updates and deletes of distinct records of one zone, and updates of the zone itself, all at
/// once: none refused, none lost.
async fn concurrent_updates_and_deletes_all_apply(database_url: Option<String>) {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, database_url).await;
    let name = "churn.example";
    let zone_id = live_zone(&app.client, name).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        let created = app
            .client
            .record_create(
                &zone_id,
                &record(&format!("r{i}"), "A", &format!("192.0.2.{i}")),
            )
            .await
            .unwrap()
            .into_inner();
        ids.push(created.id);
    }

    let mut tasks = JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        let client = app.client.clone();
        let (zone_id, id) = (zone_id.clone(), id.clone());
        tasks.spawn(async move {
            let result = if i % 2 == 0 {
                let update = RecordUpdateRequest {
                    ptr: None,
                    content: Some(format!("198.51.100.{i}")),
                    ttl: None,
                    disabled: None,
                };
                client.record_update(&zone_id, &id, &update).await.map(drop)
            } else {
                client.record_delete(&zone_id, &id).await.map(drop)
            };
            result.err().map(|e| format!("record {i}: {e:?}"))
        });
    }
    // Zone updates in the middle of it take their turn too.
    for d in 0..5 {
        let client = app.client.clone();
        let zone_id = zone_id.clone();
        tasks.spawn(async move {
            let update = DomainUpdateRequest {
                description: Some(format!("update {d}")),
                default_ttl: None,
                settings: None,
            };
            let result = client.zone_update(&zone_id, &update).await;
            result.err().map(|e| format!("zone update {d}: {e:?}"))
        });
    }
    let refused: Vec<String> = tasks.join_all().await.into_iter().flatten().collect();
    assert!(refused.is_empty(), "{refused:#?}");

    let expected: BTreeMap<(String, String), Vec<String>> = (0..40)
        .step_by(2)
        .map(|i| {
            (
                (format!("r{i}.{name}"), "A".to_owned()),
                vec![format!("198.51.100.{i}")],
            )
        })
        .collect();
    assert_eq!(stored_a(&app.client, &zone_id).await, expected);
    assert_eq!(only_a(served(&pdns, name).await.0), expected);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_on_sqlite_are_never_refused() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, None).await;
    fifty_writers_are_never_refused(&pdns, std::slice::from_ref(&app)).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_on_mariadb_are_never_refused() {
    let db = TestDb::mysql().await;
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, Some(db.url.clone())).await;
    fifty_writers_are_never_refused(&pdns, std::slice::from_ref(&app)).await;
    app.stop().await;
}

/// Two replicas on one MariaDB and one PowerDNS, the writers split between them: publications
/// of the two interleave, yet none is lost and PowerDNS ends with what the store holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_through_two_replicas_on_mariadb_lose_nothing() {
    fifty_writers_through_two_replicas_lose_nothing(TestDb::mysql().await).await;
}

/// The same on PostgreSQL, whose publishing turn (a transaction holding the zone's lock row,
/// taken beside each write) runs under another isolation level than MariaDB's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_writers_through_two_replicas_on_postgres_lose_nothing() {
    fifty_writers_through_two_replicas_lose_nothing(TestDb::postgres().await).await;
}

async fn fifty_writers_through_two_replicas_lose_nothing(db: TestDb) {
    let pdns = PdnsServer::start().await;
    let first = app_on(&pdns, Some(db.url.clone())).await;
    let second = spawn_replica(
        &first,
        TestOptions {
            database_url: Some(db.url.clone()),
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        unthrottled,
    )
    .await;
    let apps = [first, second];
    fifty_writers_are_never_refused(&pdns, &apps).await;
    for app in apps {
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_and_deletes_on_sqlite_all_apply() {
    concurrent_updates_and_deletes_all_apply(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_and_deletes_on_mariadb_all_apply() {
    let db = TestDb::mysql().await;
    concurrent_updates_and_deletes_all_apply(Some(db.url.clone())).await;
}

/// One raw request with the admin key and an optional `If-Match`.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app
        .http
        .request(method, app.url(path))
        .header("x-api-key", &app.admin_key);
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

fn etag_of(resp: &reqwest::Response) -> String {
    resp.headers()["etag"].to_str().unwrap().to_owned()
}

async fn assert_precondition_failed(resp: reqwest::Response) {
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "precondition_failed", "{body}");
    assert!(body["request_id"].is_string(), "{body}");
}

/// A write that sent a stale `If-Match` gets 412 and changes nothing; a current one applies.
#[tokio::test]
async fn a_stale_if_match_is_refused_with_412_and_changes_nothing() {
    let app = spawn_app().await;
    let zone_id = live_zone(&app.client, "tagged.example").await;
    let records = format!("/api/v1/domains/{zone_id}/records");
    let domain = format!("/api/v1/domains/{zone_id}");

    let listed = send(&app, Method::GET, &records, None, None).await;
    assert_eq!(listed.status(), StatusCode::OK);
    let stale = etag_of(&listed);
    let got = send(&app, Method::GET, &domain, None, None).await;
    // The zone's tag also names its answer's bytes (`"<generation>.<digest>"`).
    assert!(
        etag_of(&got).starts_with(&format!("{}.", stale.trim_end_matches('"'))),
        "the zone and its records share one version"
    );

    // A current tag applies (weak form accepted too), and moves the version on.
    let www = json!({"name": "www", "type": "A", "content": "192.0.2.1"});
    let created = send(
        &app,
        Method::POST,
        &records,
        Some(&format!("W/{stale}")),
        Some(www),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let www_id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let record_path = format!("{records}/{www_id}");
    let current = etag_of(&send(&app, Method::GET, &record_path, None, None).await);
    assert_ne!(current, stale);

    // Every write with the stale tag: 412, nothing changed, the version unmoved.
    let api = json!({"name": "api", "type": "A", "content": "192.0.2.2"});
    assert_precondition_failed(send(&app, Method::POST, &records, Some(&stale), Some(api)).await)
        .await;
    let update = json!({"content": "192.0.2.9"});
    let describe = json!({"description": "stale"});
    assert_precondition_failed(
        send(&app, Method::PATCH, &domain, Some(&stale), Some(describe)).await,
    )
    .await;
    assert_precondition_failed(
        send(
            &app,
            Method::PATCH,
            &record_path,
            Some(&stale),
            Some(update.clone()),
        )
        .await,
    )
    .await;
    assert_precondition_failed(send(&app, Method::DELETE, &record_path, Some(&stale), None).await)
        .await;
    // A tag that is no version of ours matches nothing.
    assert_precondition_failed(
        send(
            &app,
            Method::PATCH,
            &record_path,
            Some("\"nonsense\""),
            Some(update.clone()),
        )
        .await,
    )
    .await;

    let after = send(&app, Method::GET, &records, None, None).await;
    assert_eq!(etag_of(&after), current);
    let body: Value = after.json().await.unwrap();
    let contents: BTreeSet<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, BTreeSet::from(["192.0.2.1"]));
    let zone: Value = send(&app, Method::GET, &domain, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(zone["status"], "active");
    assert!(zone["description"].is_null(), "{zone}");

    // The current tag, or `*`, applies.
    let patched = send(
        &app,
        Method::PATCH,
        &record_path,
        Some(&current),
        Some(update),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let deleted = send(&app, Method::DELETE, &record_path, Some("*"), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    app.stop().await;
}

/// Audit entries of `action` (the app is fresh, so all of them are this test's).
async fn audit_count(app: &TestApp, action: &str) -> usize {
    let path = format!("/api/v1/admin/audit-logs?action={action}&page_size=100");
    let body: Value = send(app, Method::GET, &path, None, None)
        .await
        .json()
        .await
        .unwrap();
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

/// Issue 14 item 2: two writers holding the same `ETag` write at once; exactly one applies,
/// the other gets 412 with the current version in its error, and nothing of the loser's
/// change reaches the store, PowerDNS or the audit log. Every answer of a write carries the
/// new `ETag`, and every other kind of zone write (zone update, delete, restore, DNSSEC,
/// validation) honours a stale `If-Match` the same way.
#[tokio::test]
async fn two_writers_with_one_etag_one_applies_the_other_gets_412() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, None).await;
    let zone_id = live_zone(&app.client, "race.example").await;
    let records = format!("/api/v1/domains/{zone_id}/records");
    let domain = format!("/api/v1/domains/{zone_id}");
    let tag = etag_of(&send(&app, Method::GET, &domain, None, None).await);

    let write = |content: &'static str| {
        let (app, records, tag) = (&app, records.clone(), tag.clone());
        async move {
            let body = json!({"name": "www", "type": "A", "content": content});
            send(app, Method::POST, &records, Some(&tag), Some(body)).await
        }
    };
    let (a, b) = tokio::join!(write("192.0.2.1"), write("192.0.2.2"));
    let (won, lost) = match (a.status(), b.status()) {
        (StatusCode::CREATED, StatusCode::PRECONDITION_FAILED) => (a, b),
        (StatusCode::PRECONDITION_FAILED, StatusCode::CREATED) => (b, a),
        other => panic!("expected one 201 and one 412, got {other:?}"),
    };
    let new_tag = etag_of(&won);
    assert_ne!(new_tag, tag, "a write answers with the new version");
    let winner: Value = won.json().await.unwrap();
    let lost: Value = lost.json().await.unwrap();
    assert_eq!(lost["code"], "precondition_failed", "{lost}");
    assert!(
        lost["detail"].as_str().unwrap().contains(&new_tag),
        "the error names the current version: {lost}"
    );

    // Store: only the winner's record. PowerDNS: the same. Audit: one record.create.
    let listed: Value = send(&app, Method::GET, &records, None, None)
        .await
        .json()
        .await
        .unwrap();
    let www: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "A")
        .map(|r| r["content"].as_str().unwrap())
        .collect();
    assert_eq!(www, vec![winner["content"].as_str().unwrap()]);
    let (rrsets, _) = served(&pdns, "race.example").await;
    assert_eq!(
        rrsets.get(&("www.race.example".to_owned(), "A".to_owned())),
        Some(&vec![winner["content"].as_str().unwrap().to_owned()])
    );
    assert_eq!(audit_count(&app, "record.create").await, 1);

    // Every other zone write with the stale tag: 412, and the zone unchanged and served.
    let stale = Some(tag.as_str());
    for (method, path, body) in [
        (
            Method::PATCH,
            domain.clone(),
            Some(json!({"description": "stale"})),
        ),
        (Method::DELETE, domain.clone(), None),
        (Method::DELETE, format!("{domain}?hard=true"), None),
        (
            Method::POST,
            format!("{domain}/dnssec/enable"),
            Some(json!({})),
        ),
        (Method::POST, format!("{domain}/dnssec/disable"), None),
        (Method::POST, format!("{domain}/dnssec/rotate-zsk"), None),
        (Method::POST, format!("{domain}/dnssec/rotate-ksk"), None),
    ] {
        let got = send(&app, method.clone(), &path, stale, body).await;
        assert_eq!(
            got.status(),
            StatusCode::PRECONDITION_FAILED,
            "{method} {path}"
        );
    }
    let zone: Value = send(&app, Method::GET, &domain, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(zone["status"], "active", "{zone}");
    assert!(zone["description"].is_null(), "{zone}");
    assert_eq!(audit_count(&app, "domain.delete").await, 0);
    assert!(pdns_zone(&pdns, "race.example").await["rrsets"].is_array());

    // The current tag applies: a soft delete, then a restore with the tag the delete left.
    let deleted = send(&app, Method::DELETE, &domain, Some(&new_tag), None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let restore = format!("{domain}/restore");
    assert_precondition_failed(send(&app, Method::POST, &restore, Some(&new_tag), None).await)
        .await;
    let gone = format!("{domain}?include_deleted=true");
    let after_delete = etag_of(&send(&app, Method::GET, &gone, None, None).await);
    let restored = send(&app, Method::POST, &restore, Some(&after_delete), None).await;
    assert_eq!(restored.status(), StatusCode::OK);
    assert_ne!(etag_of(&restored), after_delete);
    app.stop().await;
}

/// A pending zone's validation start and cancel honour `If-Match` too.
#[tokio::test]
async fn validation_writes_honour_if_match() {
    let app = spawn_app().await;
    let created: Value = send(
        &app,
        Method::POST,
        "/api/v1/domains",
        None,
        Some(json!({"name": "pending.example", "skip_validation": false})),
    )
    .await
    .json()
    .await
    .unwrap();
    let zone_id = created["id"].as_str().unwrap();
    let domain = format!("/api/v1/domains/{zone_id}");
    let tag = etag_of(&send(&app, Method::GET, &domain, None, None).await);
    let validation = format!("{domain}/validation");
    let txt = json!({"validation_type": "txt_record"});
    let started = send(
        &app,
        Method::POST,
        &validation,
        Some(&tag),
        Some(txt.clone()),
    )
    .await;
    assert_eq!(started.status(), StatusCode::CREATED);
    // The start moved the version on: the old tag is stale for the next start and the cancel.
    assert_precondition_failed(send(&app, Method::POST, &validation, Some(&tag), Some(txt)).await)
        .await;
    assert_precondition_failed(send(&app, Method::DELETE, &validation, Some(&tag), None).await)
        .await;
    let current = etag_of(&send(&app, Method::GET, &domain, None, None).await);
    assert_ne!(current, tag);
    let cancelled = send(&app, Method::DELETE, &validation, Some(&current), None).await;
    assert_eq!(cancelled.status(), StatusCode::NO_CONTENT);
    app.stop().await;
}
