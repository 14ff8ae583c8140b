//! `Idempotency-Key` on writes (issue 15): a repeat gets the first answer and changes nothing,
//! a reused key is 422, a repeat while the first runs is 409 (held deterministically by a
//! frozen PowerDNS), another principal's key is its own, answers expire after the retention
//! (a worker on the same database with a clock the test moves), a write whose client hung up
//! finishes and its retry replays it, and the SDK's keyed retry after a dropped connection
//! creates exactly one record.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use reqwest::Method;
use scaidns_client::{Client, RetryPolicy};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::ManualClock;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TenantUser, TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::domains::record;
use crate::util::{active_zone, call, refused};

/// A keyed raw call: status, the headers a replay must repeat, the JSON body.
async fn keyed(
    app: &TestApp,
    api_key: &str,
    idem: &str,
    path: &str,
    body: Value,
) -> (u16, Option<String>, bool, Value) {
    let resp = app
        .http
        .post(app.url(path))
        .header("x-api-key", api_key)
        .header("idempotency-key", idem)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    (
        status,
        location,
        replayed,
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// The records of `zone` at `label`, as the API lists them.
async fn named(app: &TestApp, key: &str, zone: &str, label: &str) -> Vec<Value> {
    let (status, list) = call(
        app,
        key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/records?page_size=1000"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            let name = r["name"].as_str().unwrap_or_default();
            name == label || name.starts_with(&format!("{label}."))
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_repeat_gets_the_first_answer_and_a_reused_key_is_refused() {
    let app = scaidns_tests::spawn_app().await;
    let a = app.tenant_with_user("idem-a").await;
    let b = app.tenant_with_user("idem-b").await;
    let zone_a = active_zone(&app, &a, "idem-a.example").await;
    let zone_b = active_zone(&app, &b, "idem-b.example").await;
    let path_a = format!("/api/v1/domains/{zone_a}/records");
    let www = json!({"name": "www", "type": "A", "content": "192.0.2.10"});

    let first = keyed(&app, &a.key, "create-www", &path_a, www.clone()).await;
    assert_eq!(first.0, 201, "{}", first.3);
    assert!(!first.2, "a first answer is not a replay");
    let again = keyed(&app, &a.key, "create-www", &path_a, www.clone()).await;
    assert_eq!((again.0, &again.1, &again.3), (201, &first.1, &first.3));
    assert!(again.2, "the repeat says it is a replay");
    assert_eq!(
        named(&app, &a.key, &zone_a, "www").await.len(),
        1,
        "the repeat created nothing"
    );

    // The same key on a different request: refused, nothing written.
    let other = json!({"name": "www", "type": "A", "content": "192.0.2.99"});
    let reused = keyed(&app, &a.key, "create-www", &path_a, other.clone()).await;
    refused((reused.0, reused.3), 422, "idempotency_key_reused");
    assert_eq!(named(&app, &a.key, &zone_a, "www").await.len(), 1);

    // Another principal with the same key runs its own request; it never sees A's answer.
    let path_b = format!("/api/v1/domains/{zone_b}/records");
    let theirs = keyed(&app, &b.key, "create-www", &path_b, www.clone()).await;
    assert_eq!(theirs.0, 201, "{}", theirs.3);
    assert!(!theirs.2);
    assert_ne!(theirs.3["id"], first.3["id"]);
    // Even when B sends A's exact request (which B may not make): B's own answer, a 404.
    let probing = keyed(&app, &b.key, "create-www", &path_a, www.clone()).await;
    assert!(!probing.2, "no other principal's answer is replayed");
    assert_ne!(probing.0, 201);

    // Refusals are final answers too: a repeat replays them.
    let bad = json!({"name": "mail", "type": "A", "content": "not-an-address"});
    let refusal = keyed(&app, &a.key, "bad-mail", &path_a, bad.clone()).await;
    assert_eq!(refusal.0, 422);
    let repeat = keyed(&app, &a.key, "bad-mail", &path_a, bad).await;
    assert_eq!((repeat.0, repeat.2, &repeat.3), (422, true, &refusal.3));

    // Without credentials: 401 before anything about the key.
    let anonymous = app
        .http
        .post(app.url(&path_a))
        .header("idempotency-key", "has space")
        .json(&www)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // Malformed keys, and keys on an endpoint whose answer is a secret shown once.
    for bad_key in ["has space", &"k".repeat(256)] {
        let got = keyed(&app, &a.key, bad_key, &path_a, www.clone()).await;
        refused((got.0, got.3), 422, "invalid_idempotency_key");
    }
    let secret = keyed(
        &app,
        &a.key,
        "new-key",
        "/api/v1/api-keys",
        json!({"name": "ci"}),
    )
    .await;
    refused((secret.0, secret.3), 422, "idempotency_key_unsupported");
}

/// A server publishing to `pdns`.
async fn on_powerdns(pdns: &PdnsServer) -> TestApp {
    spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await
}

/// Polls (bounded) until `tenant`'s API key holds the claim of `key`.
async fn wait_for_claim(app: &TestApp, tenant: &TenantUser, key: &str) {
    let principal = format!("key:{}/{}", tenant.key_id, tenant.tenant_id);
    for _ in 0..1200 {
        if is_claimed(app.service(), &principal, key).await {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(25)).await;
    }
    panic!("the first request never claimed its key");
}

/// PowerDNS serves exactly one `www` A record in `zone`.
async fn assert_one_www_record(pdns: &PdnsServer, zone: &str) {
    let served = crate::concurrent_writes::pdns_zone(pdns, zone).await;
    let owner = format!("www.{zone}.");
    let sets: Vec<&Value> = served["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == owner.as_str() && s["type"] == "A")
        .collect();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["records"].as_array().unwrap().len(), 1);
}

/// Whether `principal`'s `key` is held in the store (reads only).
async fn is_claimed(service: &ScaiDns, principal: &str, key: &str) -> bool {
    service
        .store()
        .idempotency_key_held(principal, key, chrono::Utc::now())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_repeat_while_the_first_runs_is_409_then_replays_its_answer() {
    let pdns = PdnsServer::start().await;
    let app = on_powerdns(&pdns).await;
    let a = app.tenant_with_user("idem-run").await;
    let zone = active_zone(&app, &a, "idem-run.example").await;
    let path = format!("/api/v1/domains/{zone}/records");
    let www = json!({"name": "www", "type": "A", "content": "192.0.2.10"});

    // PowerDNS frozen: the first request claims its key, then hangs publishing.
    pdns.pause();
    let first = {
        let (http, url, key, body) = (app.http.clone(), app.url(&path), a.key.clone(), www.clone());
        tokio::spawn(async move {
            let resp = http
                .post(url)
                .header("x-api-key", key)
                .header("idempotency-key", "slow-www")
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        })
    };
    wait_for_claim(&app, &a, "slow-www").await;

    let busy = keyed(&app, &a.key, "slow-www", &path, www.clone()).await;
    refused((busy.0, busy.3), 409, "idempotency_in_progress");

    pdns.resume();
    let (status, body) = first.await.unwrap();
    assert_eq!(status, 201, "{body}");
    let replay = keyed(&app, &a.key, "slow-www", &path, www).await;
    assert_eq!((replay.0, replay.2, &replay.3), (201, true, &body));

    // PowerDNS holds the one record.
    assert_one_www_record(&pdns, "idem-run.example").await;
}

#[tokio::test]
async fn a_write_whose_client_hung_up_finishes_and_its_retry_replays() {
    let pdns = PdnsServer::start().await;
    let app = on_powerdns(&pdns).await;
    let a = app.tenant_with_user("idem-drop").await;
    let zone = active_zone(&app, &a, "idem-drop.example").await;
    let path = format!("/api/v1/domains/{zone}/records");
    let www = json!({"name": "www", "type": "A", "content": "192.0.2.30"});

    // PowerDNS frozen: the write commits, then hangs publishing; its client hangs up then.
    pdns.pause();
    let first = {
        let (http, url, key, body) = (app.http.clone(), app.url(&path), a.key.clone(), www.clone());
        tokio::spawn(async move {
            http.post(url)
                .header("x-api-key", key)
                .header("idempotency-key", "dropped-www")
                .json(&body)
                .send()
                .await
        })
    };
    wait_for_claim(&app, &a, "dropped-www").await;
    first.abort();
    assert!(
        first.await.unwrap_err().is_cancelled(),
        "the client hung up unanswered"
    );
    pdns.resume();

    // The write went on without its client: a retry waits for it, then gets its answer.
    let mut retry = keyed(&app, &a.key, "dropped-www", &path, www.clone()).await;
    for _ in 0..1200 {
        if retry.0 != 409 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(25)).await;
        retry = keyed(&app, &a.key, "dropped-www", &path, www.clone()).await;
    }
    assert_eq!((retry.0, retry.2), (201, true), "{}", retry.3);
    let www_records = named(&app, &a.key, &zone, "www").await;
    assert_eq!(www_records.len(), 1, "exactly one record");
    assert_eq!(www_records[0]["id"], retry.3["id"]);
    assert_one_www_record(&pdns, "idem-drop.example").await;
}

#[tokio::test]
async fn answers_expire_after_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("idem.sqlite3").display());
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(url.clone()),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let a = app.tenant_with_user("idem-ttl").await;
    let zone = active_zone(&app, &a, "idem-ttl.example").await;
    let path = format!("/api/v1/domains/{zone}/records");
    let first = keyed(
        &app,
        &a.key,
        "daily",
        &path,
        json!({"name": "a", "type": "A", "content": "192.0.2.1"}),
    )
    .await;
    assert_eq!(first.0, 201);

    // A worker on the same database whose clock the test moves.
    let clock = Arc::new(ManualClock::new(
        chrono::Utc::now() + Duration::hours(24) - Duration::minutes(5),
    ));
    let worker = ScaiDns::new(
        Arc::new(SqlStore::connect(&url).await.unwrap()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        clock.clone(),
        ServiceConfig::default(),
    );
    let config = WorkerConfig::new("idempotency-test");
    let outcome = |runs: Vec<scaidns_core::service::worker::JobRun>| {
        runs.into_iter()
            .find(|r| r.job == "expire_idempotency_keys")
            .expect("the job ran")
            .outcome
    };
    let second = json!({"name": "b", "type": "A", "content": "192.0.2.2"});

    // Within 24 hours: kept, so the key still belongs to the first request.
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(outcome(runs), Ok("0 idempotency keys expired".to_owned()));
    let reused = keyed(&app, &a.key, "daily", &path, second.clone()).await;
    refused((reused.0, reused.3), 422, "idempotency_key_reused");

    // Past 24 hours: removed, and the key is free for a new request.
    clock.advance(Duration::hours(1) + Duration::minutes(10));
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(outcome(runs), Ok("1 idempotency keys expired".to_owned()));
    let fresh = keyed(&app, &a.key, "daily", &path, second).await;
    assert_eq!((fresh.0, fresh.2), (201, false), "{}", fresh.3);
}

/// A proxy to `target` that forwards the first request whole, lets the server answer it in
/// full, and then closes the client's connection without relaying the answer (the answer is
/// lost on the way back); later connections pass through. Counts the requests it forwarded.
async fn dropping_proxy(target: std::net::SocketAddr) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let forwarded = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&forwarded);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut server = TcpStream::connect(target).await.unwrap();
                if n == 0 {
                    let request = read_message(&mut client).await;
                    server.write_all(&request).await.unwrap();
                    let _answer = read_message(&mut server).await;
                    // Dropping `client` closes the connection unanswered.
                } else {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    (format!("http://{addr}"), forwarded)
}

/// One HTTP/1.1 message with a `Content-Length` body, read whole.
async fn read_message(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the peer closed mid-message");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if buf.len() >= end + 4 + length {
                return buf;
            }
        }
    }
}

#[tokio::test]
async fn the_sdk_retries_a_keyed_create_after_a_dropped_connection_once() {
    let app = scaidns_tests::spawn_app().await;
    let a = app.tenant_with_user("idem-sdk").await;
    let zone = active_zone(&app, &a, "idem-sdk.example").await;
    let target = app.base_url.trim_start_matches("http://").parse().unwrap();
    let sdk = |url: &str, keys: bool| {
        Client::builder()
            .base_url(url)
            .api_key(&a.key)
            .retry(RetryPolicy::new(3).base_delay(StdDuration::from_millis(10)))
            .idempotency_keys(keys)
            .build()
            .unwrap()
    };

    // With a key: the answer is lost, the retry gets the stored answer, one record exists.
    let (url, forwarded) = dropping_proxy(target).await;
    let created = sdk(&url, true)
        .record_create(&zone, &record("www", "A", "192.0.2.10"))
        .await
        .expect("the retry gets the first answer")
        .into_inner();
    assert_eq!(
        forwarded.load(Ordering::SeqCst),
        2,
        "sent, then retried once"
    );
    let www = named(&app, &a.key, &zone, "www").await;
    assert_eq!(www.len(), 1, "exactly one record");
    assert_eq!(www[0]["id"], json!(created.id));

    // Without a key: not retried, the caller hears of the dropped connection.
    let (url, forwarded) = dropping_proxy(target).await;
    let error = scaidns_client::Error::from(
        sdk(&url, false)
            .record_create(&zone, &record("mail", "A", "192.0.2.20"))
            .await
            .expect_err("the dropped connection is the answer"),
    );
    assert!(error.is_communication(), "{error}");
    assert_eq!(
        forwarded.load(Ordering::SeqCst),
        1,
        "a POST without a key is sent once"
    );
    let mail = named(&app, &a.key, &zone, "mail").await;
    assert_eq!(
        mail.len(),
        1,
        "the server applied it once; the caller may look before retrying"
    );
}

/// Which writes take a key: the client's list (by operation id), the server's path rules and the
/// committed spec say the same for every `POST` and `PATCH`.
#[test]
fn keyless_operations_match_the_spec() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/scaidns.json");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut keyless_seen = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !matches!(method.as_str(), "post" | "patch") {
                continue;
            }
            let id = op["operationId"].as_str().unwrap();
            let declared = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            let client_keys = !scaidns_client::KEYLESS_OPERATIONS.contains(&id);
            let anonymous = op["security"].as_array().is_none_or(Vec::is_empty);
            let server_keys = !anonymous
                && !scaidns_server::idempotency::returns_secret(path)
                && !scaidns_server::idempotency::reads_only(path);
            assert_eq!(declared, client_keys, "{id}: spec vs client list");
            assert_eq!(declared, server_keys, "{id}: spec vs server rules");
            if !declared {
                keyless_seen.push(id.to_owned());
            }
        }
    }
    let mut listed: Vec<String> = scaidns_client::KEYLESS_OPERATIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    listed.sort();
    keyless_seen.sort();
    assert_eq!(listed, keyless_seen, "every listed operation exists");
}
