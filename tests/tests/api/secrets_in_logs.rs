//! Secrets never reach a log line: a whole session (bootstrap, key creation and use, a wrong
//! key, regeneration, a zone with records) is run with every log level captured, and none of
//! the secrets it handled appear in the output. A second session does the same for the user
//! passwords a ScaiDNS proxies to ScaiKey (create with a password, password reset): they reach
//! the stand-in and nowhere else — not the logs, the audit log, or any answer. A secondary zone
//! with a TSIG secret runs on a PowerDNS-backed app in the same capture: the secret is in no log
//! line, audit entry or answer.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::scaikey::ScaiKey;
use scaidns_tests::{TestBackend, TestOptions, spawn_app, spawn_app_configured};
use serde_json::json;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;

use crate::admin_users::scaikey_app;
use crate::util::call;

/// Log output of the whole test process while at least one test is `active` (a counter, so the
/// two sessions here may run at once; other tests' lines only add to what is checked).
#[derive(Clone, Default)]
struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    active: Arc<AtomicUsize>,
}

impl Capture {
    fn start(&self) {
        self.active.fetch_add(1, Ordering::SeqCst);
    }
    /// Stops capturing for this test and answers everything captured so far.
    fn finish(&self) -> String {
        self.active.fetch_sub(1, Ordering::SeqCst);
        String::from_utf8_lossy(&self.buf.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.active.load(Ordering::Relaxed) > 0 {
            self.buf.lock().unwrap().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A process-wide subscriber: a thread-local one misses events whose callsites other tests
/// registered first.
fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        let active = Arc::clone(&capture.active);
        // Disabled events cost a flag check, so the rest of the suite does not pay for TRACE.
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .with_filter(tracing_subscriber::filter::filter_fn(move |_| {
                    active.load(Ordering::Relaxed) > 0
                })),
        );
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
        capture
    })
}

#[tokio::test]
async fn no_secret_is_logged() {
    let capture = capture();
    capture.start();
    let app = spawn_app().await;
    let post = |path: &str, key: &str, body: serde_json::Value| {
        app.http
            .post(app.url(path))
            .header("x-api-key", key.to_owned())
            .json(&body)
            .send()
    };
    let created: serde_json::Value = post(
        "/api/v1/api-keys",
        &app.admin_key,
        json!({"name": "logged?", "permission_source_id": app.admin_user_id}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let second = created["key"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap().to_owned();
    let regenerated: serde_json::Value = post(
        &format!("/api/v1/api-keys/{id}/regenerate"),
        &second,
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let third = regenerated["key"].as_str().unwrap().to_owned();
    let zone: serde_json::Value = post("/api/v1/domains", &third, json!({"name": "logs.test"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let zone = zone["id"].as_str().unwrap();
    let record = post(
        &format!("/api/v1/domains/{zone}/records"),
        &third,
        json!({"name": "www", "type": "A", "content": "192.0.2.7"}),
    )
    .await
    .unwrap();
    assert_eq!(record.status(), 201);
    let wrong = "sdk_live_ThisIsNotAValidKeyButLooksLikeOne0000000";
    assert_eq!(
        post("/api/v1/domains", wrong, json!({"name": "x.test"}))
            .await
            .unwrap()
            .status(),
        401
    );
    let stale = post("/api/v1/domains", &second, json!({"name": "y.test"}))
        .await
        .unwrap();
    assert_eq!(stale.status(), 401);
    let admin_key = app.admin_key.clone();
    app.stop().await;
    let tsig_secret = secondary_with_tsig().await;

    let logs = capture.finish();
    assert!(
        logs.contains("ScaiDNS API listening") && logs.contains("status=401"),
        "the server's logs were not captured: {logs}"
    );
    for (what, secret) in [
        ("admin key", admin_key.as_str()),
        ("second key", second.as_str()),
        ("regenerated key", third.as_str()),
        ("wrong key", wrong),
        ("pepper", "development-pepper"),
        ("session secret", "development-session-secret"),
        ("TSIG secret", tsig_secret),
    ] {
        assert!(!logs.contains(secret), "the {what} appears in the logs");
    }
}

#[tokio::test]
async fn no_user_password_is_logged_audited_or_answered() {
    const CREATED: &str = "first-Password-4-ScaiKey";
    const RESET: &str = "second-Password-4-ScaiKey";
    let capture = capture();
    capture.start();
    let scaikey = ScaiKey::start().await;
    let (app, tenant) = scaikey_app(&scaikey).await;
    let key = app.admin_key.clone();
    let mut answers = Vec::new();

    let (status, created) = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users",
        Some(json!({"email": "pw@acme.test", "password": CREATED, "tenant_id": tenant})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    answers.push(created);
    let (status, reset) = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/admin/users/{id}/password"),
        Some(json!({"password": RESET})),
    )
    .await;
    assert_eq!(status, 200, "{reset}");
    answers.push(reset);
    // A refused reset (ScaiKey never heard of the user) must not echo the password either.
    let (status, refused) = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users/usr_nobody/password",
        Some(json!({"password": RESET})),
    )
    .await;
    assert_eq!(status, 404, "{refused}");
    answers.push(refused);
    for read in [
        format!("/api/v1/admin/users/{id}"),
        format!("/api/v1/admin/users?tenant_id={tenant}"),
        format!("/api/v1/admin/audit-logs?resource_id={id}&page_size=100"),
    ] {
        let (status, body) = call(&app, &key, Method::GET, &read, None).await;
        assert_eq!(status, 200, "{read}: {body}");
        answers.push(body);
    }
    // The passwords did reach ScaiKey, so their absence elsewhere means something.
    let sent = scaikey.admin_calls();
    assert!(sent.iter().any(|c| c.body["password"] == CREATED));
    assert!(sent.iter().any(|c| c.body["password"] == RESET));
    let audit = answers.last().unwrap().to_string();
    assert!(
        audit.contains("user.create") && audit.contains("user.password_reset"),
        "the audit log lacks the user changes: {audit}"
    );
    app.stop().await;

    let logs = capture.finish();
    assert!(
        logs.contains("/api/v1/admin/users"),
        "the server's logs were not captured: {logs}"
    );
    for secret in [CREATED, RESET] {
        assert!(
            !logs.contains(secret),
            "a user password appears in the logs"
        );
        for answer in &answers {
            assert!(!answer.to_string().contains(secret), "{answer}");
        }
    }
}

/// Creates, reads, retrieves and deletes a secondary zone with a TSIG key on a PowerDNS-backed
/// app, asserting the secret is in none of the answers nor in the audit log; returns the secret
/// for the caller's log check.
async fn secondary_with_tsig() -> &'static str {
    const SECRET: &str = "bG9nZ2VkLXRzaWctc2VjcmV0LW5ldmVyLWVjaG9lZCE=";
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
    let call = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| {
        let mut req = app
            .http
            .request(method, app.url(&path))
            .header("x-api-key", app.admin_key.clone());
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        }
    };
    let (status, created) = call(
        Method::POST,
        "/api/v1/domains".into(),
        Some(json!({
            "name": "tsig-logs.test",
            "domain_type": "secondary",
            // Nothing answers there: the transfer fails, which logs too.
            "primaries": ["127.0.0.1:9"],
            "tsig_key_name": "logs-key",
            "tsig_algorithm": "hmac-sha256",
            "tsig_secret": SECRET,
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(created.contains("logs-key"), "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut answers = vec![created];
    for (method, path) in [
        (Method::GET, format!("/api/v1/domains/{id}")),
        (Method::GET, "/api/v1/domains".to_owned()),
        (Method::POST, format!("/api/v1/domains/{id}/retrieve")),
        (Method::GET, format!("/api/v1/domains/{id}/records")),
        (Method::DELETE, format!("/api/v1/domains/{id}")),
        (
            Method::GET,
            "/api/v1/admin/audit-logs?page_size=100".to_owned(),
        ),
    ] {
        let (status, body) = call(method.clone(), path.clone(), None).await;
        assert!(status < 500, "{method} {path}: {status} {body}");
        answers.push(body);
    }
    assert!(
        answers.last().unwrap().contains("domain.create"),
        "the audit log was not read: {}",
        answers.last().unwrap()
    );
    for answer in &answers {
        assert!(
            !answer.contains(SECRET),
            "the TSIG secret is in an answer: {answer}"
        );
    }
    app.stop().await;
    SECRET
}
