//! The typed error carries the server's envelope.

use serde_json::json;

use crate::server::{ScriptedServer, envelope};
use crate::{client, new_zone};
use scaidns_client::Error;

#[tokio::test]
async fn envelope_fields_and_helpers() {
    let server = ScriptedServer::start(|n, _| match n {
        0 => envelope(404, "domain_not_found", json!("Zone not found"), "req-404"),
        1 => envelope(
            409,
            "domain_exists",
            json!({"message": "shop.test exists", "field": "name"}),
            "req-409",
        ),
        2 => envelope(412, "generation_mismatch", json!("changed"), "req-412"),
        _ => envelope(
            422,
            "validation_error",
            json!([{"loc": ["body", "name"], "msg": "not a domain name", "type": "value_error"}]),
            "req-422",
        ),
    })
    .await;
    let client = client(&server.url, 1);

    let missing = Error::from(client.zone_get("nope", None).await.expect_err("404"));
    assert!(missing.is_not_found() && !missing.is_conflict());
    assert_eq!(missing.code(), "domain_not_found");
    assert_eq!(missing.detail(), &json!("Zone not found"));
    assert_eq!(missing.request_id(), Some("req-404"));
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));

    let taken = Error::from(
        client
            .zone_create(&new_zone("shop.test"))
            .await
            .expect_err("409"),
    );
    assert!(taken.is_conflict());
    assert_eq!(taken.message(), "shop.test exists");
    assert!(taken.to_string().contains("domain_exists"), "{taken}");

    let stale = Error::from(client.zone_get("z", None).await.expect_err("412"));
    assert!(stale.is_precondition_failed());

    let invalid = Error::from(client.zone_create(&new_zone("-")).await.expect_err("422"));
    assert_eq!(invalid.code(), "validation_error");
    assert_eq!(invalid.message(), "not a domain name");
    assert_eq!(invalid.request_id(), Some("req-422"));
}

#[tokio::test]
async fn no_server_is_a_communication_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let error = Error::from(
        client(&url, 2)
            .zone_list(None, None, None, None, None, None, None)
            .await
            .expect_err("nothing listens"),
    );
    assert!(error.is_communication());
    assert_eq!(error.status(), None);
    assert!(std::error::Error::source(&error).is_some());
}
