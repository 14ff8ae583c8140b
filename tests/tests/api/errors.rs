//! Every error has the one envelope `{detail, code, request_id}` and a 4xx status for client
//! mistakes — never a 500 or a plain-text body.

use reqwest::{Method, StatusCode};
use scaidns_tests::{TestApp, spawn_app};
use serde_json::Value;

async fn envelope(resp: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(resp.status(), status);
    let header_id = resp
        .headers()
        .get("x-request-id")
        .expect("X-Request-Id")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = resp.json().await.expect("JSON error body");
    assert!(
        body["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    assert_eq!(
        body["request_id"].as_str(),
        Some(header_id.as_str()),
        "{body}"
    );
    assert!(!body["detail"].is_null(), "{body}");
    body
}

fn req(app: &TestApp, method: Method, path: &str) -> reqwest::RequestBuilder {
    app.http
        .request(method, app.url(path))
        .header("x-api-key", &app.admin_key)
}

#[tokio::test]
async fn routing_errors_use_the_envelope() {
    let app = spawn_app().await;
    let body = envelope(
        req(&app, Method::GET, "/api/v1/nope").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["code"], "not_found");
    let body = envelope(
        req(&app, Method::GET, "/nowhere").send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["code"], "not_found");
    let body = envelope(
        req(&app, Method::PUT, "/api/v1/api-keys")
            .send()
            .await
            .unwrap(),
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
    assert_eq!(body["code"], "method_not_allowed");
    app.stop().await;
}

#[tokio::test]
async fn body_problems_are_422_naming_the_problem() {
    let app = spawn_app().await;
    let malformed = req(&app, Method::POST, "/api/v1/api-keys/")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    envelope(malformed, StatusCode::UNPROCESSABLE_ENTITY).await;
    let wrong_type = req(&app, Method::POST, "/api/v1/api-keys")
        .json(&serde_json::json!({"name": "k", "rate_limit": "lots"}))
        .send()
        .await
        .unwrap();
    envelope(wrong_type, StatusCode::UNPROCESSABLE_ENTITY).await;
    let missing = req(&app, Method::POST, "/api/v1/admin/tenants")
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    envelope(missing, StatusCode::UNPROCESSABLE_ENTITY).await;
    let invalid = req(&app, Method::POST, "/api/v1/admin/tenants")
        .json(&serde_json::json!({"name": "x", "slug": "Not A Slug"}))
        .send()
        .await
        .unwrap();
    let body = envelope(invalid, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["body", "slug"]),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let app = spawn_app().await;
    let body = envelope(
        req(&app, Method::GET, "/api/v1/api-keys?page=abc")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["code"], "invalid_query");
    let body = envelope(
        req(&app, Method::GET, "/api/v1/api-keys?page_size=1000")
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        body["detail"][0]["loc"],
        serde_json::json!(["query", "page_size"])
    );
    app.stop().await;
}

#[tokio::test]
async fn credentials_problems_are_401_and_request_ids_are_kept() {
    let app = spawn_app().await;
    let none = app
        .http
        .get(app.url("/api/v1/api-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(none, StatusCode::UNAUTHORIZED).await["code"],
        "not_authenticated"
    );
    let bad = app
        .http
        .get(app.url("/api/v1/api-keys"))
        .header("x-api-key", "sdk_live_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(bad, StatusCode::UNAUTHORIZED).await["code"],
        "invalid_api_key"
    );
    let bearer = app
        .http
        .get(app.url("/api/v1/api-keys"))
        .bearer_auth("eyJ.x.y")
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(bearer, StatusCode::UNAUTHORIZED).await["code"],
        "jwt_not_configured"
    );
    let traced = app
        .http
        .get(app.url("/api/v1/nope"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        envelope(traced, StatusCode::NOT_FOUND).await["request_id"],
        "trace-me-42"
    );
    app.stop().await;
}
