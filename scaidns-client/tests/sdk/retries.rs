//! Which calls are sent again, and how often.

use serde_json::json;

use crate::server::{Reply, ScriptedServer, envelope, json};
use crate::{client, empty_zone_page, new_record, record_written};

#[tokio::test]
async fn rate_limited_get_is_sent_again_after_retry_after() {
    let server = ScriptedServer::start(|n, _| match n {
        0 => Reply::Json(
            429,
            vec![("retry-after", "0".into())],
            json!({"code": "rate_limited", "detail": "slow down", "request_id": "r0"}).to_string(),
        ),
        _ => json(200, empty_zone_page()),
    })
    .await;
    let list = client(&server.url, 3)
        .zone_list(None, None, None, None, None, None, None)
        .await
        .expect("the second attempt succeeds");
    assert_eq!(list.into_inner().total, 0);
    assert_eq!(server.attempts(), 2);
}

#[tokio::test]
async fn unavailable_get_is_retried_with_backoff_until_the_attempts_run_out() {
    let server = ScriptedServer::start(|n, _| match n {
        0 | 1 => envelope(503, "not_ready", json!("starting"), "r"),
        _ => json(200, empty_zone_page()),
    })
    .await;
    client(&server.url, 3)
        .zone_list(None, None, None, None, None, None, None)
        .await
        .expect("the third attempt succeeds");
    assert_eq!(server.attempts(), 3);

    let always = ScriptedServer::start(|_, _| envelope(503, "not_ready", json!("down"), "r")).await;
    let error = scaidns_client::Error::from(
        client(&always.url, 4)
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("never ready"),
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(always.attempts(), 4);
}

#[tokio::test]
async fn post_without_idempotency_key_is_sent_once() {
    let server = ScriptedServer::start(|_, _| envelope(503, "not_ready", json!("down"), "r")).await;
    let error = client(&server.url, 5)
        .record_create("z1", &new_record())
        .await
        .expect_err("unavailable");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.attempts(), 1);

    let dropping = ScriptedServer::start(|_, _| Reply::Drop).await;
    let error = scaidns_client::Error::from(
        client(&dropping.url, 5)
            .record_create("z1", &new_record())
            .await
            .expect_err("connection dropped"),
    );
    assert!(error.is_communication(), "{error}");
    assert_eq!(dropping.attempts(), 1);
}

#[tokio::test]
async fn post_with_idempotency_key_is_sent_once_until_the_server_honours_keys() {
    let server = ScriptedServer::start(|n, _| match n {
        0 => Reply::Drop,
        _ => json(201, record_written("192.0.2.10")),
    })
    .await;
    let error = scaidns_client::Error::from(
        client(&server.url, 3)
            .with_idempotency_key("create-www-1")
            .expect("key")
            .record_create("z1", &new_record())
            .await
            .expect_err("the dropped connection is the answer"),
    );
    assert!(error.is_communication(), "{error}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "a keyed POST is not retried");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].header("idempotency-key"), Some("create-www-1"));
    assert!(requests[0].body.contains("192.0.2.10"));

    let patched = ScriptedServer::start(|_, _| envelope(503, "not_ready", json!("x"), "r")).await;
    client(&patched.url, 3)
        .with_idempotency_key("patch-1")
        .expect("key")
        .zone_update("z1", &crate::zone_update())
        .await
        .expect_err("unavailable");
    assert_eq!(patched.attempts(), 1, "a keyed PATCH is not retried");
    assert_eq!(
        patched.requests()[0].header("idempotency-key"),
        Some("patch-1")
    );
}

#[tokio::test]
async fn retries_off_sends_once_and_long_retry_after_is_not_waited_for() {
    let server = ScriptedServer::start(|_, _| {
        Reply::Json(
            429,
            vec![("retry-after", "120".into())],
            json!({"code": "rate_limited", "detail": "slow down", "request_id": "r9"}).to_string(),
        )
    })
    .await;
    // The policy's longest wait is 2 s: a 120 s Retry-After is handed to the caller instead.
    let error = scaidns_client::Error::from(
        client(&server.url, 3)
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("rate limited"),
    );
    assert!(error.is_rate_limited());
    assert_eq!(
        error.retry_after(),
        Some(std::time::Duration::from_secs(120))
    );
    assert_eq!(server.attempts(), 1);

    let legacy = scaidns_client::Client::with_api_key(&server.url, "k").expect("client");
    legacy
        .zone_list(None, None, None, None, None, None, None)
        .await
        .expect_err("rate limited");
    assert_eq!(server.attempts(), 2);
}

#[test]
fn generated_calls_stay_send_and_streams_unpin() {
    fn send<T: Send>(_: &T) {}
    fn unpin<T: Unpin>(_: &T) {}
    let client = client("http://127.0.0.1:1", 2);
    send(&client.zone_list(None, None, None, None, None, None, None));
    send(&client.zones_stream());
    unpin(&client.zones_stream());
}

#[tokio::test]
async fn delete_is_retried_and_patch_without_key_is_not() {
    let server = ScriptedServer::start(|n, request| match (n, request.method.as_str()) {
        (0, "DELETE") => envelope(503, "not_ready", json!("starting"), "r"),
        (_, "DELETE") => Reply::Json(204, vec![], String::new()),
        _ => envelope(503, "not_ready", json!("starting"), "r"),
    })
    .await;
    let client = client(&server.url, 3);
    client
        .record_delete("z1", "r1")
        .await
        .expect("second attempt");
    assert_eq!(server.attempts(), 2);
    client
        .zone_update("z1", &crate::zone_update())
        .await
        .expect_err("unavailable");
    assert_eq!(server.attempts(), 3, "the PATCH was sent once");
}
