//! Outbound change webhooks (issue 14 item 5) through the HTTP API, delivered by a worker on
//! the same database whose clock the test moves, to a subscriber the test runs: signed events
//! in order, again after an outage, only what a grantee may read, nothing of another tenant,
//! and no delivery to an address the checker refuses.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Route, handler};
use reqwest::Method;
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::adapters::webhook_http::HttpWebhookSender;
use scaidns_core::ports::{Clock, ManualClock};
use scaidns_core::service::webhook_delivery::DeliveryReport;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_tests::{TestApp, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::util::{active_zone, call, ok, refused};

/// One request the subscriber received.
#[derive(Debug, Clone)]
struct Received {
    signature: String,
    event: String,
    body: Vec<u8>,
    answered: u16,
}

/// A subscriber on loopback answering `status` (settable) to every POST.
#[derive(Clone)]
struct Subscriber {
    url: String,
    status: Arc<AtomicU16>,
    received: Arc<Mutex<Vec<Received>>>,
}

#[handler]
async fn hook(req: &poem::Request, body: poem::Body, state: Data<&Subscriber>) -> StatusCode {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let body = body.into_vec().await.unwrap_or_default();
    let answered = state.status.load(Ordering::SeqCst);
    state.received.lock().unwrap().push(Received {
        signature: header("x-scaidns-signature"),
        event: header("x-scaidns-event"),
        body,
        answered,
    });
    StatusCode::from_u16(answered).unwrap()
}

impl Subscriber {
    async fn start() -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let subscriber = Self {
            url: format!("http://{addr}/hook"),
            status: Arc::new(AtomicU16::new(200)),
            received: Arc::default(),
        };
        let app = Route::new()
            .at("/hook", poem::post(hook))
            .data(subscriber.clone());
        tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
        subscriber
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The events answered 2xx, in the order they arrived, each checked against `secret`.
    fn delivered(&self, secret: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == 200)
            .map(|r| {
                scaidns_core::identity::webhook::verify(
                    Some(&r.signature),
                    &r.body,
                    secret.as_bytes(),
                    now,
                )
                .expect("a valid signature");
                let event: Value = serde_json::from_slice(&r.body).unwrap();
                assert_eq!(event["type"], r.event.as_str());
                event
            })
            .collect()
    }
}

/// A server on a database the test names, without the in-process job runner (the test's
/// worker is the only one delivering), and a worker on that database with a clock of its own.
async fn app_and_worker(
    allow_insecure: bool,
) -> (TestApp, ScaiDns, Arc<ManualClock>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("hooks.sqlite3").display());
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(url.clone()),
            ..TestOptions::default()
        },
        |c| c.run_jobs = false,
    )
    .await;
    // Ahead of the server's clock, so what the server queues during the test is due.
    let clock = Arc::new(ManualClock::new(chrono::Utc::now() + Duration::minutes(10)));
    let worker = ScaiDns::new(
        Arc::new(SqlStore::connect(&url).await.unwrap()),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        clock.clone(),
        ServiceConfig {
            webhook_allow_insecure_targets: allow_insecure,
            ..ServiceConfig::default()
        },
    )
    .with_webhook_sender(Arc::new(
        HttpWebhookSender::new(std::time::Duration::from_secs(5)).unwrap(),
    ));
    (app, worker, clock, dir)
}

async fn subscribe(app: &TestApp, key: &str, url: &str, events: Value) -> (String, String) {
    let (status, body) = call(
        app,
        key,
        Method::POST,
        "/api/v1/webhook-subscriptions",
        Some(json!({"url": url, "events": events, "description": "test hook"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() >= 6 + 64,
        "{secret}"
    );
    (body["id"].as_str().unwrap().to_owned(), secret)
}

async fn add(app: &TestApp, key: &str, zone: &str, name: &str, content: &str) -> String {
    let r = ok(
        app,
        key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": name, "type": "A", "content": content, "ttl": 300}),
    )
    .await;
    r["id"].as_str().unwrap().to_owned()
}

async fn deliveries(app: &TestApp, key: &str, subscription: &str) -> Vec<Value> {
    let (status, body) = call(
        app,
        key,
        Method::GET,
        &format!("/api/v1/webhook-subscriptions/{subscription}/deliveries?page_size=100"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

/// `type name` of each event.
fn summary(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let name = e["after"]["name"]
                .as_str()
                .or(e["before"]["name"].as_str())
                .or(e["zone"]["name"].as_str())
                .unwrap_or_default();
            format!("{} {name}", e["type"].as_str().unwrap())
        })
        .collect()
}

/// Runs the worker's job until `done` holds of the subscriber, a bounded number of times.
async fn deliver_until(worker: &ScaiDns, mut done: impl FnMut() -> bool) -> DeliveryReport {
    let mut total = DeliveryReport::default();
    for _ in 0..20 {
        let report = worker.deliver_webhooks("test-worker").await.unwrap();
        total.delivered += report.delivered;
        total.failed += report.failed;
        total.skipped += report.skipped;
        if done() {
            return total;
        }
    }
    panic!("not delivered after 20 passes: {total:?}");
}

#[tokio::test]
async fn a_subscriber_gets_signed_events_in_order_and_again_after_an_outage() {
    let (app, worker, clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-a").await;
    let zone = active_zone(&app, &a, "hooks-a.example").await;
    let (sub, secret) =
        subscribe(&app, &a.key, &hooks.url, json!(["record.*", "zone.delete"])).await;

    // The secret was in the creation answer only.
    let one = call(
        &app,
        &a.key,
        Method::GET,
        &format!("/api/v1/webhook-subscriptions/{sub}"),
        None,
    )
    .await;
    assert_eq!(one.0, 200);
    assert!(
        one.1.get("secret").is_none() && !one.1.to_string().contains(&secret),
        "{}",
        one.1
    );
    let list = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/webhook-subscriptions",
        None,
    )
    .await;
    assert_eq!(list.1["total"], 1);
    assert!(!list.1.to_string().contains(&secret));
    let audit = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    assert!(
        !audit.1.to_string().contains(&secret),
        "the audit log carries no secret"
    );

    let www = add(&app, &a.key, &zone, "www", "192.0.2.1").await;
    add(&app, &a.key, &zone, "api", "192.0.2.2").await;
    ok(
        &app,
        &a.key,
        Method::DELETE,
        &format!("/api/v1/domains/{zone}/records/{www}"),
        json!(null),
    )
    .await;

    let report = worker
        .worker_run_once(&WorkerConfig::new("test-worker"))
        .await
        .unwrap();
    let run = report
        .iter()
        .find(|r| r.job == "deliver_webhooks")
        .expect("the job ran");
    assert_eq!(
        run.outcome,
        Ok("3 webhooks delivered, 0 failed, 0 skipped".to_owned())
    );
    let events = hooks.delivered(&secret, clock.now());
    assert_eq!(
        summary(&events),
        [
            "record.create www.hooks-a.example",
            "record.create api.hooks-a.example",
            "record.delete www.hooks-a.example"
        ]
    );
    let generations: Vec<i64> = events
        .iter()
        .map(|e| e["zone"]["generation"].as_i64().unwrap())
        .collect();
    assert!(
        generations.windows(2).all(|w| w[0] < w[1]),
        "{generations:?}"
    );
    assert_eq!(events[0]["zone"]["id"], zone.as_str());
    assert_eq!(events[0]["tenant_id"], a.tenant_id.as_str());
    assert_eq!(events[0]["actor"]["type"], "api_key");
    assert!(events[0]["request_id"].is_string());
    assert_eq!(events[2]["before"]["content"], "192.0.2.1");

    // The subscriber is down: the first event fails and holds back the second.
    hooks.answer(500);
    add(&app, &a.key, &zone, "mail", "192.0.2.3").await;
    add(&app, &a.key, &zone, "ftp", "192.0.2.4").await;
    let report = worker.deliver_webhooks("test-worker").await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 1));
    let log = deliveries(&app, &a.key, &sub).await;
    let (ftp, mail) = (&log[0], &log[1]);
    assert_eq!(
        (
            mail["status"].as_str(),
            mail["attempts"].as_u64(),
            mail["response_code"].as_u64()
        ),
        (Some("pending"), Some(1), Some(500))
    );
    assert_eq!(
        (ftp["status"].as_str(), ftp["attempts"].as_u64()),
        (Some("pending"), Some(0))
    );
    assert_eq!(mail["last_error"], "HTTP 500");

    // Back up: nothing before the backoff is over, then both, in order.
    hooks.answer(200);
    assert_eq!(
        worker.deliver_webhooks("test-worker").await.unwrap(),
        DeliveryReport::default()
    );
    clock.advance(Duration::seconds(31));
    deliver_until(&worker, || hooks.delivered(&secret, clock.now()).len() == 5).await;
    let events = hooks.delivered(&secret, clock.now());
    assert_eq!(
        summary(&events[3..]),
        [
            "record.create mail.hooks-a.example",
            "record.create ftp.hooks-a.example"
        ]
    );
    let log = deliveries(&app, &a.key, &sub).await;
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");

    // Redelivery by id sends the same event again.
    let first = log.last().unwrap();
    let again = ok(
        &app,
        &a.key,
        Method::POST,
        &format!(
            "/api/v1/webhook-subscriptions/{sub}/deliveries/{}/redeliver",
            first["id"].as_str().unwrap()
        ),
        json!(null),
    )
    .await;
    assert_eq!(again["status"], "pending");
    deliver_until(&worker, || hooks.delivered(&secret, clock.now()).len() == 6).await;
    assert_eq!(
        hooks.delivered(&secret, clock.now())[5]["id"],
        events[0]["id"]
    );

    // A test delivery goes out whatever the events asked for.
    let test = ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/webhook-subscriptions/{sub}/test"),
        json!(null),
    )
    .await;
    assert_eq!(test["event"], "test");
    deliver_until(&worker, || {
        hooks.received().last().is_some_and(|r| r.event == "test")
    })
    .await;
}

#[tokio::test]
async fn a_delivery_failing_for_a_day_marks_the_subscription_failing_until_updated() {
    let (app, worker, clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-fail").await;
    let zone = active_zone(&app, &a, "hooks-fail.example").await;
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["*"])).await;
    hooks.answer(503);
    add(&app, &a.key, &zone, "www", "192.0.2.1").await;
    for _ in 0..40 {
        worker.deliver_webhooks("test-worker").await.unwrap();
        clock.advance(Duration::hours(1));
    }
    let path = format!("/api/v1/webhook-subscriptions/{sub}");
    let got = call(&app, &a.key, Method::GET, &path, None).await.1;
    assert_eq!(got["status"], "failing", "{got}");
    let log = deliveries(&app, &a.key, &sub).await;
    assert_eq!(log[0]["status"], "failed");
    let attempts = hooks.received().len();
    assert!(
        (10..40).contains(&attempts),
        "backoff spaced the attempts: {attempts}"
    );

    // Failing: later events are not even queued; an update turns it on again.
    add(&app, &a.key, &zone, "api", "192.0.2.2").await;
    assert_eq!(deliveries(&app, &a.key, &sub).await.len(), 1);
    let updated = ok(&app, &a.key, Method::PATCH, &path, json!({"active": true})).await;
    assert_eq!(updated["status"], "active");
    hooks.answer(200);
    add(&app, &a.key, &zone, "ftp", "192.0.2.3").await;
    deliver_until(&worker, || {
        hooks.received().iter().any(|r| r.answered == 200)
    })
    .await;
}

#[tokio::test]
async fn the_outbox_holds_an_event_exactly_when_the_change_committed() {
    let (app, _worker, _clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-tx").await;
    let zone = active_zone(&app, &a, "hooks-tx.example").await;
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["record.*"])).await;
    add(&app, &a.key, &zone, "www", "192.0.2.1").await;
    // Refused changes (a CNAME beside other data, a duplicate) commit nothing: no event.
    let records = format!("/api/v1/domains/{zone}/records");
    let cname = call(
        &app,
        &a.key,
        Method::POST,
        &records,
        Some(json!({"name": "www", "type": "CNAME", "content": "x.example."})),
    )
    .await;
    assert!(cname.0 >= 400 && cname.0 < 500, "{}", cname.1);
    let bulk = call(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records/bulk"),
        Some(json!({"records": [{"name": "ok", "type": "A", "content": "192.0.2.9"}, {"name": "bad", "type": "A", "content": "nope"}]})),
    )
    .await;
    assert!(bulk.0 >= 400 && bulk.0 < 500, "{}", bulk.1);
    let log = deliveries(&app, &a.key, &sub).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["event"], "record.create");
    // Another path (the bulk change) emits through the same outbox, one event per record.
    let (status, body) = call(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records/bulk"),
        Some(json!({"records": [{"name": "b1", "type": "A", "content": "192.0.2.11"}, {"name": "b2", "type": "A", "content": "192.0.2.12"}]})),
    )
    .await;
    assert!(status < 300, "{body}");
    assert_eq!(deliveries(&app, &a.key, &sub).await.len(), 3);
}

#[tokio::test]
async fn a_grantees_subscription_carries_only_its_records_events() {
    let (app, worker, clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-grant").await;
    let zone = active_zone(&app, &a, "hooks-grant.example").await;
    // A user whose only tenant-wide permission is webhooks:*, with a grant on `*.dev` records.
    let role = call(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/roles",
        Some(json!({"name": "hook-keeper", "permissions": ["webhooks:*"]})),
    )
    .await;
    assert_eq!(role.0, 201, "{}", role.1);
    let (user, key) = user_without_role(&app, "grantee@hooks-grant.test", &a.tenant_id).await;
    ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/roles/users/{user}"),
        json!({"role_name": "hook-keeper", "scope": "tenant", "scope_id": a.tenant_id}),
    )
    .await;
    let grant = crate::grants::grant_user(
        &app,
        &a.key,
        &zone,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let (sub, secret) = subscribe(&app, &key, &hooks.url, json!(["record.*"])).await;
    add(&app, &a.key, &zone, "api.dev", "192.0.2.1").await;
    add(&app, &a.key, &zone, "www", "192.0.2.2").await;
    let report = deliver_until(&worker, || hooks.received().len() == 1).await;
    assert_eq!((report.delivered, report.skipped), (1, 1), "{report:?}");
    assert_eq!(
        summary(&hooks.delivered(&secret, clock.now())),
        ["record.create api.dev.hooks-grant.example"]
    );
    let log = deliveries(&app, &key, &sub).await;
    assert_eq!(log[0]["status"], "skipped");

    // Its creator lost the grant: nothing more.
    ok(
        &app,
        &a.key,
        Method::DELETE,
        &format!(
            "/api/v1/domains/{zone}/access-grants/{}",
            grant["id"].as_str().unwrap()
        ),
        json!(null),
    )
    .await;
    add(&app, &a.key, &zone, "db.dev", "192.0.2.3").await;
    let report = worker.deliver_webhooks("test-worker").await.unwrap();
    assert_eq!((report.delivered, report.skipped), (0, 1), "{report:?}");
    assert_eq!(hooks.received().len(), 1);
}

/// A comments change (PowerDNS-compatible API) is a record event: a grantee's subscription
/// carries it only for the RRsets its grant reads, and never the comments' text.
#[tokio::test]
async fn a_grantees_subscription_carries_only_its_rrsets_comment_events() {
    let (app, worker, clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-notes").await;
    let zone = active_zone(&app, &a, "hooks-notes.example").await;
    let role = call(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/roles",
        Some(json!({"name": "hook-keeper", "permissions": ["webhooks:*"]})),
    )
    .await;
    assert_eq!(role.0, 201, "{}", role.1);
    let (user, key) = user_without_role(&app, "grantee@hooks-notes.test", &a.tenant_id).await;
    ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/roles/users/{user}"),
        json!({"role_name": "hook-keeper", "scope": "tenant", "scope_id": a.tenant_id}),
    )
    .await;
    crate::grants::grant_user(
        &app,
        &a.key,
        &zone,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let (_, secret) = subscribe(&app, &key, &hooks.url, json!(["record.comments_update"])).await;
    add(&app, &a.key, &zone, "api.dev", "192.0.2.1").await;
    add(&app, &a.key, &zone, "www", "192.0.2.2").await;
    let comments = |name: &str| {
        json!({"name": format!("{name}.hooks-notes.example."), "type": "A",
            "changetype": "REPLACE", "comments": [{"content": "secret note"}]})
    };
    let (status, body) = call(
        &app,
        &a.key,
        Method::PATCH,
        "/api/v1/servers/localhost/zones/hooks-notes.example.",
        Some(json!({"rrsets": [comments("www"), comments("api.dev")]})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let report = deliver_until(&worker, || hooks.received().len() == 1).await;
    assert_eq!((report.delivered, report.skipped), (1, 1), "{report:?}");
    let events = hooks.delivered(&secret, clock.now());
    assert_eq!(
        summary(&events),
        ["record.comments_update api.dev.hooks-notes.example"]
    );
    assert_eq!(events[0]["after"]["comments"], 1);
    assert!(!events[0].to_string().contains("secret note"), "{events:?}");
}

#[tokio::test]
async fn other_tenants_and_narrow_keys_cannot_reach_a_subscription() {
    let (app, _worker, _clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-own").await;
    let b = app.tenant_with_user("hooks-other").await;
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["zone.*"])).await;
    let test = ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/webhook-subscriptions/{sub}/test"),
        json!(null),
    )
    .await;
    let base = format!("/api/v1/webhook-subscriptions/{sub}");
    let delivery = format!(
        "{base}/deliveries/{}/redeliver",
        test["id"].as_str().unwrap()
    );
    for (method, path, body) in [
        (Method::GET, base.clone(), None),
        (Method::PATCH, base.clone(), Some(json!({"active": false}))),
        (Method::DELETE, base.clone(), None),
        (Method::POST, format!("{base}/test"), None),
        (Method::GET, format!("{base}/deliveries"), None),
        (Method::POST, delivery.clone(), None),
    ] {
        let got = call(&app, &b.key, method.clone(), &path, body.clone()).await;
        refused(got, 404, "webhook_subscription_not_found");
    }
    let listed = call(
        &app,
        &b.key,
        Method::GET,
        "/api/v1/webhook-subscriptions",
        None,
    )
    .await;
    assert_eq!(listed.1["total"], 0);
    // A key of the owning tenant narrowed to records:read may not touch it.
    let narrow = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "narrow", "scopes": ["records:read"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap();
    refused(
        call(&app, narrow, Method::GET, &base, None).await,
        403,
        "permission_denied",
    );
    refused(
        call(
            &app,
            narrow,
            Method::POST,
            "/api/v1/webhook-subscriptions",
            Some(json!({"url": hooks.url, "events": ["*"]})),
        )
        .await,
        403,
        "permission_denied",
    );
    // Bad input: unknown events, an empty list.
    for events in [json!(["user.*"]), json!([]), json!(["record"])] {
        let got = call(
            &app,
            &a.key,
            Method::POST,
            "/api/v1/webhook-subscriptions",
            Some(json!({"url": hooks.url, "events": events})),
        )
        .await;
        assert_eq!(got.0, 422, "{}", got.1);
    }
    // The owner deletes it.
    assert_eq!(call(&app, &a.key, Method::DELETE, &base, None).await.0, 204);
    assert_eq!(call(&app, &a.key, Method::GET, &base, None).await.0, 404);
}

#[tokio::test]
async fn insecure_targets_are_refused_without_the_flag() {
    let strict = spawn_app_configured(TestOptions::default(), |c| {
        c.webhook_allow_insecure_targets = false;
        c.run_jobs = false;
    })
    .await;
    let a = strict.tenant_with_user("hooks-strict").await;
    for url in [
        "http://hooks.example.com/",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
        "https://user:pw@hooks.example.com/",
        "ftp://hooks.example.com/",
    ] {
        let got = call(
            &strict,
            &a.key,
            Method::POST,
            "/api/v1/webhook-subscriptions",
            Some(json!({"url": url, "events": ["*"]})),
        )
        .await;
        assert_eq!(got.0, 422, "{url}: {}", got.1);
    }

    // Checked again at delivery, by what the name resolves to then: a subscription the server
    // accepted (its flag is on), sent by a worker without the flag, reaches nothing.
    let (app, worker, _clock, _dir) = app_and_worker(false).await;
    let hooks = Subscriber::start().await;
    let port = hooks
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches("/hook")
        .to_owned();
    let b = app.tenant_with_user("hooks-rebind").await;
    let zone = active_zone(&app, &b, "hooks-rebind.example").await;
    let (loopback, _) = subscribe(
        &app,
        &b.key,
        &format!("https://localhost:{port}/hook"),
        json!(["record.*"]),
    )
    .await;
    let (plain, _) = subscribe(&app, &b.key, &hooks.url, json!(["record.*"])).await;
    add(&app, &b.key, &zone, "www", "192.0.2.1").await;
    let report = worker.deliver_webhooks("strict").await.unwrap();
    assert_eq!((report.delivered, report.failed), (0, 2), "{report:?}");
    assert!(
        hooks.received().is_empty(),
        "nothing reached the subscriber"
    );
    let log = deliveries(&app, &b.key, &loopback).await;
    assert!(
        log[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("not a public address"),
        "{log:?}"
    );
    let log = deliveries(&app, &b.key, &plain).await;
    assert!(
        log[0]["last_error"].as_str().unwrap().contains("https"),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_change_that_fails_inside_its_transaction_leaves_no_event() {
    // Zone deletion publishes inside its transaction, after its audit entries (and so its
    // events) are written: PowerDNS down makes that transaction fail or commit as a whole.
    let mut pdns = scaidns_tests::pdns::PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            backend: scaidns_tests::TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
            ..TestOptions::default()
        },
        |c| c.run_jobs = false,
    )
    .await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-crash").await;
    let zone = active_zone(&app, &a, "hooks-crash.example").await;
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["zone.*"])).await;
    let path = format!("/api/v1/domains/{zone}");
    pdns.stop().await;
    let attempt = call(&app, &a.key, Method::DELETE, &path, None).await;
    let still_there = call(&app, &a.key, Method::GET, &path, None).await.0 == 200;
    let events = |log: Vec<Value>| log.iter().filter(|d| d["event"] == "zone.delete").count();
    assert_eq!(
        events(deliveries(&app, &a.key, &sub).await),
        usize::from(!still_there),
        "an event exactly when the deletion committed ({} {})",
        attempt.0,
        attempt.1
    );
    pdns.restart().await;
    if still_there {
        assert_eq!(call(&app, &a.key, Method::DELETE, &path, None).await.0, 204);
        assert_eq!(events(deliveries(&app, &a.key, &sub).await), 1);
    }
}

#[tokio::test]
async fn subscriptions_are_capped_and_a_narrow_key_cannot_read_through_one() {
    let (app, _worker, _clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-cap").await;
    // A key that may manage webhooks but not read records would otherwise get every record
    // change its user may read.
    let narrow = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "hooks-only", "scopes": ["webhooks:*"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap();
    let create = json!({"url": hooks.url, "events": ["record.*"]});
    refused(
        call(
            &app,
            narrow,
            Method::POST,
            "/api/v1/webhook-subscriptions",
            Some(create.clone()),
        )
        .await,
        403,
        "permission_denied",
    );
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["zone.*"])).await;
    // Another tenant, through its own subscription, cannot redeliver (or learn of) A's delivery.
    let b = app.tenant_with_user("hooks-cap-other").await;
    let (b_sub, _) = subscribe(&app, &b.key, &hooks.url, json!(["zone.*"])).await;
    let a_test = ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/webhook-subscriptions/{sub}/test"),
        json!(null),
    )
    .await;
    refused(
        call(
            &app,
            &b.key,
            Method::POST,
            &format!(
                "/api/v1/webhook-subscriptions/{b_sub}/deliveries/{}/redeliver",
                a_test["id"].as_str().unwrap()
            ),
            None,
        )
        .await,
        404,
        "webhook_delivery_not_found",
    );
    refused(
        call(
            &app,
            narrow,
            Method::PATCH,
            &format!("/api/v1/webhook-subscriptions/{sub}"),
            Some(json!({"events": ["*"]})),
        )
        .await,
        403,
        "permission_denied",
    );
    // Every change fans out to each subscription in its own transaction: their number is
    // bounded per tenant.
    let limit = scaidns_core::service::webhook_subscriptions::MAX_SUBSCRIPTIONS_PER_TENANT;
    for _ in 1..limit {
        subscribe(&app, &a.key, &hooks.url, json!(["zone.*"])).await;
    }
    refused(
        call(
            &app,
            &a.key,
            Method::POST,
            "/api/v1/webhook-subscriptions",
            Some(create),
        )
        .await,
        409,
        "webhook_subscription_limit",
    );
    let listed = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/webhook-subscriptions",
        None,
    )
    .await;
    assert_eq!(listed.1["total"], limit);
}

#[tokio::test]
async fn old_delivered_events_are_pruned_and_pending_ones_stay() {
    let (app, worker, clock, _dir) = app_and_worker(true).await;
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user("hooks-prune").await;
    let zone = active_zone(&app, &a, "hooks-prune.example").await;
    let (sub, _) = subscribe(&app, &a.key, &hooks.url, json!(["record.*"])).await;
    add(&app, &a.key, &zone, "old", "192.0.2.1").await;
    deliver_until(&worker, || hooks.received().len() == 1).await;
    // The next one fails and waits for its retry.
    hooks.answer(503);
    add(&app, &a.key, &zone, "stuck", "192.0.2.2").await;
    deliver_until(&worker, || hooks.received().len() == 2).await;
    let statuses = |log: Vec<Value>| -> Vec<String> {
        log.iter()
            .map(|d| format!("{} {}", d["event_type"], d["status"]))
            .collect()
    };
    let before = deliveries(&app, &a.key, &sub).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert_eq!(before[0]["status"], "pending", "{before:?}");
    assert_eq!(before[1]["status"], "delivered", "{before:?}");
    // Turned off meanwhile, so that the pass below sends nothing and the pending delivery
    // stays pending while the retention passes.
    ok(
        &app,
        &a.key,
        Method::PATCH,
        &format!("/api/v1/webhook-subscriptions/{sub}"),
        json!({"active": false}),
    )
    .await;

    // A day short of the retention nothing goes; past it, the delivered event goes and the
    // pending one stays, through the worker's hourly job.
    clock.advance(Duration::days(29));
    assert_eq!(worker.prune_webhook_deliveries().await.unwrap(), 0);
    clock.advance(Duration::days(2));
    let runs = worker
        .worker_run_once(&WorkerConfig::new("prune-worker"))
        .await
        .unwrap();
    let pruned = runs
        .iter()
        .find(|r| r.job == "prune_webhook_deliveries")
        .expect("the job ran");
    assert_eq!(pruned.outcome, Ok("1 webhook events pruned".to_owned()));
    let after = deliveries(&app, &a.key, &sub).await;
    assert_eq!(
        statuses(after.clone()),
        vec![statuses(before.clone())[0].clone()]
    );
    assert_eq!(after[0]["id"], before[0]["id"]);
    // The removed delivery is gone for redelivery too.
    refused(
        call(
            &app,
            &a.key,
            Method::POST,
            &format!(
                "/api/v1/webhook-subscriptions/{sub}/deliveries/{}/redeliver",
                before[1]["id"].as_str().unwrap()
            ),
            None,
        )
        .await,
        404,
        "webhook_delivery_not_found",
    );

    // At least once: the old pending delivery still goes out once the subscriber is back.
    ok(
        &app,
        &a.key,
        Method::PATCH,
        &format!("/api/v1/webhook-subscriptions/{sub}"),
        json!({"active": true}),
    )
    .await;
    hooks.answer(200);
    deliver_until(&worker, || {
        hooks
            .received()
            .iter()
            .any(|r| r.answered == 200 && r.body.windows(5).any(|w| w == b"stuck"))
    })
    .await;
}

/// 40 creates of one tenant at once: exactly the cap is created, every other one is refused
/// with the documented 409, on the engine `app` runs on. This checks the answers end to end;
/// the race itself is the store contract's `concurrent_creates_stop_at_the_cap`, which
/// fails on MariaDB and PostgreSQL without the per-tenant lock (here the requests seldom
/// overlap inside the insert's transaction, and SQLite serialises writes anyway).
async fn forty_creates_at_once_leave_exactly_the_cap(app: &TestApp, tenant: &str) {
    let hooks = Subscriber::start().await;
    let a = app.tenant_with_user(tenant).await;
    let mut creates = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let request = app
            .http
            .post(app.url("/api/v1/webhook-subscriptions"))
            .header("x-api-key", a.key.clone())
            .json(&json!({"url": hooks.url, "events": ["zone.*"]}));
        creates.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        });
    }
    let answers = creates.join_all().await;
    let limit = scaidns_core::service::webhook_subscriptions::MAX_SUBSCRIPTIONS_PER_TENANT;
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created as u64, limit, "{answers:?}");
    for answer in answers.into_iter().filter(|(status, _)| *status != 201) {
        refused(answer, 409, "webhook_subscription_limit");
    }
    let listed = call(
        app,
        &a.key,
        Method::GET,
        "/api/v1/webhook-subscriptions",
        None,
    )
    .await;
    assert_eq!(listed.1["total"], limit);
}

#[tokio::test]
async fn concurrent_creates_stop_at_the_cap_on_sqlite() {
    let (app, _worker, _clock, _dir) = app_and_worker(true).await;
    forty_creates_at_once_leave_exactly_the_cap(&app, "hooks-race").await;
}

#[tokio::test]
async fn concurrent_creates_stop_at_the_cap_on_mariadb() {
    let db = scaidns_tests::db::TestDb::mysql().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(db.url.clone()),
            ..TestOptions::default()
        },
        |c| c.run_jobs = false,
    )
    .await;
    forty_creates_at_once_leave_exactly_the_cap(&app, "hooks-race-mariadb").await;
    app.stop().await;
}
