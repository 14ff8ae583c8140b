//! What keeps the credential safe and the calls bounded: no redirects followed, a bounded
//! token refresh, no call sent without its token.

use std::time::Duration;

use scaidns_client::{Client, codes};
use serde_json::json;

use crate::server::{Reply, ScriptedServer, envelope};
use crate::{empty_zone_page, new_record};

#[tokio::test]
async fn redirects_are_not_followed_so_the_key_stays_home() {
    let elsewhere = ScriptedServer::start(|_, _| crate::server::json(200, empty_zone_page())).await;
    let target = format!("{}/api/v1/domains", elsewhere.url);
    let server = ScriptedServer::start(move |_, _| {
        Reply::Json(302, vec![("location", target.clone())], String::new())
    })
    .await;
    let error = scaidns_client::Error::from(
        crate::client(&server.url, 1)
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("a redirect is not an answer"),
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(server.attempts(), 1);
    assert_eq!(
        elsewhere.attempts(),
        0,
        "nothing, and no X-API-Key, reached the other host"
    );
}

#[tokio::test]
async fn a_hung_refresh_times_out_and_nothing_is_sent() {
    let server = ScriptedServer::start(|_, _| crate::server::json(200, empty_zone_page())).await;
    let client = Client::builder()
        .base_url(&server.url)
        .timeout(Duration::from_millis(50))
        .token_refresh(std::future::pending)
        .build()
        .unwrap();
    // The outer bound only turns a hang (no refresh timeout) into a failure.
    let call = client.zone_list(None, None, None, None, None, None, None);
    let error = scaidns_client::Error::from(
        tokio::time::timeout(Duration::from_secs(30), call)
            .await
            .expect("the refresh is bounded by the client's timeout")
            .expect_err("the refresh never answers"),
    );
    assert_eq!(error.code(), codes::CLIENT);
    assert!(error.message().contains("timed out"), "{}", error.message());
    assert_eq!(server.attempts(), 0);
}

#[tokio::test]
async fn a_refreshed_token_that_cannot_be_a_header_fails_the_call() {
    let server = ScriptedServer::start(|_, _| crate::server::json(200, empty_zone_page())).await;
    let client = Client::builder()
        .base_url(&server.url)
        .token_refresh(|| async { Ok("bad\ntoken".to_owned()) })
        .build()
        .unwrap();
    let error = scaidns_client::Error::from(
        client
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("no usable token"),
    );
    assert_eq!(error.code(), codes::CLIENT);
    assert!(
        error.message().contains("not a valid header value"),
        "{}",
        error.message()
    );
    assert_eq!(server.attempts(), 0, "nothing sent unauthenticated");
}

#[tokio::test]
async fn a_refresh_failing_after_a_401_is_the_error() {
    let server =
        ScriptedServer::start(|_, _| envelope(401, "token_expired", json!("expired"), "r")).await;
    let client = Client::builder()
        .base_url(&server.url)
        .bearer_token("stale")
        .token_refresh(|| async { Err("identity provider down".into()) })
        .build()
        .unwrap();
    let error = scaidns_client::Error::from(
        client
            .record_create("z1", &new_record())
            .await
            .expect_err("no fresh token"),
    );
    assert_eq!(error.code(), codes::CLIENT);
    assert!(error.message().contains("401"), "{}", error.message());
    assert!(
        error.message().contains("identity provider down"),
        "{}",
        error.message()
    );
    assert_eq!(server.attempts(), 1, "not replayed without a fresh token");
}
