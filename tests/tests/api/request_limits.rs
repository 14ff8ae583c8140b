//! Limits a caller cannot talk its way past: the request-body bound (streamed, with or without
//! `Content-Length`, authenticated or not), `/metrics` (off unless enabled, behind its token,
//! no per-key or per-tenant series), and a production start that never falls back to the
//! in-memory DNS server.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use scaidns_server::config::{Config, Secret};
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ATTACK_BYTES: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// What the server answered to a chunked upload of [`ATTACK_BYTES`], and how much of it had
/// been sent when the whole answer was in.
struct Streamed {
    status: u16,
    body: Value,
    sent_when_answered: u64,
    upload_finished_first: bool,
}

/// Streams a chunked `POST path` of [`ATTACK_BYTES`] (no `Content-Length`) while reading the
/// answer on the same connection; stops sending once the answer is complete.
async fn stream_chunked(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Streamed {
    let addr = app.base_url.trim_start_matches("http://").to_owned();
    let (mut rd, mut wr) = TcpStream::connect(&addr).await.unwrap().into_split();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let sent = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let writer = {
        let (sent, stop, finished) = (sent.clone(), stop.clone(), finished.clone());
        tokio::spawn(async move {
            wr.write_all(head.as_bytes()).await?;
            // JSON that never ends: a list opened and then whitespace.
            let mut chunk = vec![b' '; CHUNK];
            chunk[0] = b'[';
            while sent.load(Ordering::SeqCst) < ATTACK_BYTES && !stop.load(Ordering::SeqCst) {
                wr.write_all(format!("{CHUNK:x}\r\n").as_bytes()).await?;
                wr.write_all(&chunk).await?;
                wr.write_all(b"\r\n").await?;
                sent.fetch_add(CHUNK as u64, Ordering::SeqCst);
                chunk[0] = b' ';
            }
            if !stop.load(Ordering::SeqCst) {
                finished.store(true, Ordering::SeqCst);
                wr.write_all(b"0\r\n\r\n").await?;
            }
            Ok::<_, std::io::Error>(())
        })
    };
    let mut answer = Vec::new();
    let mut buf = vec![0_u8; 16 * 1024];
    let (status, body) = loop {
        if let Some(parsed) = complete_response(&answer) {
            break parsed;
        }
        let n = rd.read(&mut buf).await.expect("the server answers");
        assert!(
            n > 0,
            "connection closed before a full answer: {}",
            String::from_utf8_lossy(&answer)
        );
        answer.extend_from_slice(&buf[..n]);
    };
    let upload_finished_first = finished.load(Ordering::SeqCst);
    let sent_when_answered = sent.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    drop(rd);
    // The writer ends on its own: it was told to stop, or the server closed the connection.
    let _ = writer.await;
    Streamed {
        status,
        body,
        sent_when_answered,
        upload_finished_first,
    }
}

/// `(status, JSON body)` once `raw` holds a whole response with a `Content-Length`.
fn complete_response(raw: &[u8]) -> Option<(u16, Value)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))?
        .trim()
        .parse()
        .ok()?;
    let body = raw.get(end + 4..end + 4 + length)?;
    Some((status, serde_json::from_slice(body).unwrap_or(Value::Null)))
}

fn assert_refused_while_streaming(s: &Streamed, what: &str, status: u16, code: &str) {
    assert_eq!(s.status, status, "{what}: {}", s.body);
    assert_eq!(s.body["code"], code, "{what}: {}", s.body);
    assert!(s.body["request_id"].is_string(), "{what}: {}", s.body);
    assert!(
        !s.upload_finished_first && s.sent_when_answered < ATTACK_BYTES,
        "{what}: the answer came only after {} bytes: the body was read whole",
        s.sent_when_answered
    );
}

#[tokio::test]
async fn an_endless_chunked_body_is_refused_while_it_is_still_being_sent() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.identity.webhook_secret = Some(Secret::new("webhook-secret"));
    })
    .await;
    let webhook = stream_chunked(&app, "/api/v1/webhooks/scaikey", &[]).await;
    assert_refused_while_streaming(&webhook, "webhook", 413, "body_too_large");
    let key = app.admin_key.clone();
    let domains = stream_chunked(&app, "/api/v1/domains", &[("X-API-Key", &key)]).await;
    assert_refused_while_streaming(&domains, "domain create", 413, "body_too_large");
    // Without credentials the refusal comes even earlier, before the body is read at all.
    let anonymous = stream_chunked(&app, "/api/v1/domains", &[]).await;
    assert_refused_while_streaming(&anonymous, "anonymous", 401, "not_authenticated");
    // Nothing was created from the refused bodies, and the server still serves.
    let zones = app
        .client
        .zone_list(None, None, None, None, None, None, None)
        .await;
    assert_eq!(zones.expect("zone_list").into_inner().total, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_any_body_is_sent() {
    let app = spawn_app().await;
    let addr = app.base_url.trim_start_matches("http://").to_owned();
    let mut conn = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/webhooks/scaikey HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/json\r\nContent-Length: {ATTACK_BYTES}\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0_u8; 4096];
    let (status, body) = loop {
        if let Some(parsed) = complete_response(&answer) {
            break parsed;
        }
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed without an answer");
        answer.extend_from_slice(&buf[..n]);
    };
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("body_too_large"))
    );
    app.stop().await;
}

#[tokio::test]
async fn the_limit_is_configurable_and_bodies_within_it_pass() {
    let app = spawn_app_configured(TestOptions::default(), |c| c.max_body_bytes = 2048).await;
    let create = |description: String| {
        app.http
            .post(app.url("/api/v1/domains"))
            .header("X-API-Key", &app.admin_key)
            .json(&serde_json::json!({"name": "limits.test", "description": description}))
            .send()
    };
    let refused = create("x".repeat(4000)).await.unwrap();
    assert_eq!(refused.status(), 413);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "body_too_large");
    let accepted = create("small".into()).await.unwrap();
    assert_eq!(accepted.status(), 201);
    app.stop().await;
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.http.get(app.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn metrics_are_off_unless_enabled() {
    let app = spawn_app().await;
    let (status, body) = scrape(&app, None).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("scaidns_"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn metrics_want_their_token_and_name_no_key_or_tenant() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.metrics_enabled = true;
        c.metrics_token = Some(Secret::new("scrape-token"));
    })
    .await;
    let tenant = app.tenant_with_user("metered").await;
    for client in [&app.client, &tenant.client] {
        client.auth_me().await.expect("auth_me");
    }
    let (status, body) = scrape(&app, None).await;
    assert_eq!(status, 401, "{body}");
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(envelope["code"], "not_authenticated");
    assert_eq!(scrape(&app, Some("scrape-tokeN")).await.0, 401);
    // An API key is not a scrape token.
    assert_eq!(scrape(&app, Some(&app.admin_key)).await.0, 401);
    let (status, metrics) = scrape(&app, Some("scrape-token")).await;
    assert_eq!(status, 200, "{metrics}");
    let uses = metrics
        .lines()
        .find_map(|l| l.strip_prefix("scaidns_api_key_usage_total "))
        .unwrap_or_else(|| panic!("no aggregate key counter in {metrics}"));
    assert!(uses.parse::<f64>().unwrap() >= 3.0, "{uses}");
    let labels = metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('{').and_then(|(_, rest)| rest.split_once('}')))
        .flat_map(|(labels, _)| labels.split(',').filter_map(|kv| kv.split_once('=')))
        .map(|(name, _)| name);
    for name in labels {
        assert!(
            !["key", "tenant", "user"].iter().any(|w| name.contains(w)),
            "label {name} names a key, tenant or user"
        );
    }
    for secret in [
        tenant.key_id.as_str(),
        tenant.tenant_id.as_str(),
        tenant.user_id.as_str(),
        app.admin_user_id.as_str(),
        app.platform_tenant_id.as_str(),
    ] {
        assert!(!metrics.contains(secret), "{secret} in {metrics}");
    }
    app.stop().await;
}

#[test]
fn production_without_powerdns_settings_refuses_to_start_and_names_them() {
    let vars: HashMap<String, String> = [
        ("ENVIRONMENT", "production"),
        ("DATABASE_URL", "sqlite:/nonexistent/scaidns.sqlite3"),
        ("API_KEY_PEPPER", "pepper"),
        ("SESSION_SECRET", "session"),
        ("EXTERNAL_URL", "https://dns.example"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let err = Config::from_vars(&vars, false).unwrap_err();
    assert_eq!(err.missing, vec!["PDNS_API_URL", "PDNS_API_KEY"]);
    let message = err.to_string();
    for name in ["PDNS_API_URL", "PDNS_API_KEY", "DNS_BACKEND=embedded"] {
        assert!(message.contains(name), "{message}");
    }
    let mut explicit = vars;
    explicit.insert("DNS_BACKEND".into(), "embedded".into());
    assert!(Config::from_vars(&explicit, false).is_ok());
}

#[tokio::test]
async fn a_wrong_method_is_answered_with_the_allowed_ones() {
    let app = spawn_app().await;
    let resp = app
        .http
        .delete(app.url("/api/v1/domains"))
        .header("X-API-Key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let allow = resp.headers()["allow"].to_str().unwrap().to_owned();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    assert_eq!(allow, "GET, POST, HEAD");
    let resp = app.http.post(app.url("/health/live")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, HEAD");
    app.stop().await;
}
