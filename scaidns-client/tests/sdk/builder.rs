//! The builder's headers: user agent, API key, bearer token and its refresh.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use scaidns_client::{BuildError, Client};
use serde_json::json;

use crate::server::{ScriptedServer, envelope, json};
use crate::{empty_zone_page, new_record, record_written};

#[tokio::test]
async fn sends_user_agent_and_api_key() {
    let server = ScriptedServer::start(|_, _| json(200, empty_zone_page())).await;
    let client = Client::builder()
        .base_url(format!("{}/", server.url))
        .api_key("sdk_live_abc")
        .user_agent("billing-sync/1.4")
        .build()
        .unwrap();
    client
        .zone_list(None, None, None, None, None, None, None)
        .await
        .unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.header("user-agent"), Some("billing-sync/1.4"));
    assert_eq!(sent.header("x-api-key"), Some("sdk_live_abc"));
    assert_eq!(sent.header("authorization"), None);
    assert!(
        sent.target.starts_with("/api/v1/domains"),
        "{}",
        sent.target
    );
    // The default names the SDK.
    let plain = Client::builder().base_url(&server.url).build().unwrap();
    plain
        .zone_list(None, None, None, None, None, None, None)
        .await
        .unwrap();
    assert_eq!(
        server.requests()[1].header("user-agent"),
        Some(scaidns_client::USER_AGENT)
    );
}

#[test]
fn refuses_what_cannot_be_sent() {
    assert!(matches!(
        Client::builder().build(),
        Err(BuildError::MissingBaseUrl)
    ));
    assert!(matches!(
        Client::builder()
            .base_url("http://x")
            .api_key("a\nb")
            .build(),
        Err(BuildError::InvalidCredential)
    ));
    assert!(matches!(
        Client::builder()
            .base_url("http://x")
            .user_agent("a\r\n")
            .build(),
        Err(BuildError::InvalidHeader)
    ));
    for bad in ["not a url", "ftp://x.test", "127.0.0.1:8000", "http://"] {
        assert!(
            matches!(
                Client::builder().base_url(bad).build(),
                Err(BuildError::InvalidBaseUrl(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        Client::builder()
            .base_url("http://x")
            .api_key("k")
            .bearer_token("t")
            .build(),
        Err(BuildError::ConflictingCredentials)
    ));
    assert!(matches!(
        Client::builder()
            .base_url("http://x")
            .token_refresh(|| async { Ok("t".to_owned()) })
            .api_key("k")
            .build(),
        Err(BuildError::ConflictingCredentials)
    ));
}

#[tokio::test]
async fn bearer_token_is_refreshed_once_after_a_401() {
    let server = ScriptedServer::start(|_, request| match request.header("authorization") {
        Some("Bearer fresh-1") => json(201, record_written("192.0.2.10")),
        _ => envelope(401, "token_expired", json!("expired"), "r"),
    })
    .await;
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    let client = Client::builder()
        .base_url(&server.url)
        .bearer_token("stale")
        .token_refresh(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok(format!("fresh-{n}")) }
        })
        .build()
        .unwrap();
    // A POST is replayed too: a 401 applied nothing.
    client
        .record_create("z1", &new_record())
        .await
        .expect("the renewed token is accepted");
    let auth: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer stale", "Bearer fresh-1"]);
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refresh_callback_supplies_the_first_token_and_its_failure_is_the_error() {
    let server = ScriptedServer::start(|_, _| json(200, empty_zone_page())).await;
    let client = Client::builder()
        .base_url(&server.url)
        .token_refresh(|| async { Ok("first".to_owned()) })
        .build()
        .unwrap();
    client
        .zone_list(None, None, None, None, None, None, None)
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer first")
    );

    let failing = Client::builder()
        .base_url(&server.url)
        .token_refresh(|| async { Err("identity provider down".into()) })
        .build()
        .unwrap();
    let error = scaidns_client::Error::from(
        failing
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("no token"),
    );
    assert_eq!(error.code(), scaidns_client::codes::CLIENT);
    assert!(error.message().contains("identity provider down"));
    assert_eq!(server.attempts(), 1, "nothing sent without a token");
}
