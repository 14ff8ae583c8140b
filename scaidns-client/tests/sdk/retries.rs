//! Which calls are sent again, and how often.

use std::time::Duration;

use scaidns_client::{Client, RetryPolicy};
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
async fn post_with_idempotency_key_is_sent_again_with_the_same_key() {
    let server = ScriptedServer::start(|n, _| match n {
        0 => Reply::Drop,
        _ => json(201, record_written("192.0.2.10")),
    })
    .await;
    client(&server.url, 3)
        .with_idempotency_key("create-www-1")
        .expect("key")
        .record_create("z1", &new_record())
        .await
        .expect("the retry after the dropped connection gets the answer");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "a keyed POST is retried");
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("idempotency-key"), Some("create-www-1"));
        assert!(request.body.contains("192.0.2.10"));
    }

    let patched = ScriptedServer::start(|_, _| envelope(503, "not_ready", json!("x"), "r")).await;
    client(&patched.url, 3)
        .with_idempotency_key("patch-1")
        .expect("key")
        .zone_update("z1", &crate::zone_update())
        .await
        .expect_err("unavailable");
    assert_eq!(patched.attempts(), 3, "a keyed PATCH is retried");
    assert!(
        patched
            .requests()
            .iter()
            .all(|r| r.header("idempotency-key") == Some("patch-1"))
    );
}

#[tokio::test]
async fn keyed_write_waits_out_idempotency_in_progress_and_other_conflicts_stand() {
    let in_progress = || {
        Reply::Json(
            409,
            vec![("retry-after", "0".into())],
            json!({"code": "idempotency_in_progress", "detail": "running", "request_id": "r"})
                .to_string(),
        )
    };
    let server = ScriptedServer::start(move |n, _| match n {
        0 | 1 => in_progress(),
        _ => json(201, record_written("192.0.2.10")),
    })
    .await;
    client(&server.url, 3)
        .with_idempotency_key("create-www-2")
        .expect("key")
        .record_create("z1", &new_record())
        .await
        .expect("the first copy's answer, once it finished");
    assert_eq!(
        server.attempts(),
        3,
        "409 in progress is retried after Retry-After"
    );

    // Without a key the same 409 is the answer; so is any 409 without Retry-After.
    let unkeyed = ScriptedServer::start(move |_, _| in_progress()).await;
    client(&unkeyed.url, 3)
        .record_create("z1", &new_record())
        .await
        .expect_err("conflict");
    assert_eq!(unkeyed.attempts(), 1);
    let duplicate =
        ScriptedServer::start(|_, _| envelope(409, "duplicate_record", json!("exists"), "r")).await;
    client(&duplicate.url, 3)
        .with_idempotency_key("create-www-3")
        .expect("key")
        .record_create("z1", &new_record())
        .await
        .expect_err("conflict");
    assert_eq!(duplicate.attempts(), 1, "a plain conflict is final");
}

#[tokio::test]
async fn automatic_keys_are_fresh_per_call_and_kept_across_its_retries() {
    let server = ScriptedServer::start(|n, _| match n {
        0 | 2 => Reply::Drop,
        _ => json(201, record_written("192.0.2.10")),
    })
    .await;
    let keyed = Client::builder()
        .base_url(&server.url)
        .api_key("sdk_test_key")
        .retry(RetryPolicy::new(3).base_delay(Duration::from_millis(1)))
        .idempotency_keys(true)
        .build()
        .expect("client");
    keyed
        .record_create("z1", &new_record())
        .await
        .expect("first call");
    keyed
        .record_create("z1", &new_record())
        .await
        .expect("second call");
    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            r.header("idempotency-key")
                .expect("every POST carries a key")
                .to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[0], keys[1], "a call's retry repeats its key");
    assert_eq!(keys[2], keys[3]);
    assert_ne!(keys[0], keys[2], "each call has its own key");

    // API key creation answers with the secret: the server refuses keys there, none is sent.
    let secrets = ScriptedServer::start(|_, _| envelope(503, "not_ready", json!("x"), "r")).await;
    let keyed = Client::builder()
        .base_url(&secrets.url)
        .api_key("sdk_test_key")
        .retry(RetryPolicy::new(3).base_delay(Duration::from_millis(1)))
        .idempotency_keys(true)
        .build()
        .expect("client");
    keyed
        .api_key_create(&crate::api_key_request())
        .await
        .expect_err("unavailable");
    assert_eq!(secrets.attempts(), 1, "an unkeyed POST is sent once");
    assert_eq!(secrets.requests()[0].header("idempotency-key"), None);
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
