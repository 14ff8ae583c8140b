//! Every malformed request to the zone side gets a 4xx in the envelope: bad JSON, wrong types,
//! missing fields (named), bad enums, bad query parameters, invalid content, unknown and
//! non-UUID ids, unknown routes and wrong methods.

use reqwest::{Method, StatusCode};
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::domains::zone;

struct Sent {
    status: StatusCode,
    body: Value,
}

impl Sent {
    /// The located field of the first problem, as `a.b.0`.
    fn field(&self) -> String {
        self.body["detail"][0]["loc"]
            .as_array()
            .map(|l| {
                l.iter()
                    .skip(1)
                    .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .unwrap_or_default()
    }
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<&str>) -> Sent {
    let mut req = app
        .http
        .request(method.clone(), app.url(path))
        .header("x-api-key", &app.admin_key);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let request_id = resp.headers().get("x-request-id").cloned();
    let text = resp.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{method} {path}: {status} body is not JSON: {text}"));
    assert!(
        status.is_client_error(),
        "{method} {path}: expected 4xx, got {status}: {body}"
    );
    assert!(
        body["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    assert!(!body["detail"].is_null(), "{body}");
    assert_eq!(
        request_id
            .and_then(|v| v.to_str().ok().map(str::to_owned))
            .as_deref(),
        body["request_id"].as_str(),
        "{body}"
    );
    Sent { status, body }
}

#[tokio::test]
async fn bodies() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("body.test"))
        .await
        .unwrap()
        .into_inner();
    let records = format!("/api/v1/domains/{}/records", z.id);
    let cases: &[(Method, &str, &str, &str)] = &[
        (Method::POST, "/api/v1/domains", "{not json", ""),
        (Method::POST, "/api/v1/domains", "[]", ""),
        (Method::POST, "/api/v1/domains", "{}", "name"),
        (Method::POST, "/api/v1/domains", r#"{"name": 5}"#, "name"),
        (
            Method::POST,
            "/api/v1/domains",
            r#"{"name": "x.test", "default_ttl": "1h"}"#,
            "default_ttl",
        ),
        (
            Method::POST,
            "/api/v1/domains",
            r#"{"name": "x.test", "domain_type": "weird"}"#,
            "domain_type",
        ),
        (
            Method::POST,
            "/api/v1/domains",
            r#"{"name": "x.test", "skip_validation": "yes"}"#,
            "skip_validation",
        ),
        (
            Method::POST,
            "/api/v1/domains",
            r#"{"name": "not a name"}"#,
            "name",
        ),
        (
            Method::POST,
            "/api/v1/domains",
            r#"{"name": "x.test", "default_ttl": 5}"#,
            "default_ttl",
        ),
        (
            Method::POST,
            &records,
            r#"{"type": "A", "content": "192.0.2.1"}"#,
            "name",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "content": "192.0.2.1"}"#,
            "type",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "type": "A"}"#,
            "content",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "type": "A", "content": "192.0.2.1", "ttl": "x"}"#,
            "ttl",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "type": "A", "content": "192.0.2.1", "disabled": 1}"#,
            "disabled",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "type": "A", "content": "not-an-ip"}"#,
            "content",
        ),
        (
            Method::POST,
            &records,
            r#"{"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 99999999}"#,
            "ttl",
        ),
        (
            Method::PATCH,
            &format!("/api/v1/domains/{}", z.id),
            r#"{"default_ttl": true}"#,
            "default_ttl",
        ),
        (
            Method::POST,
            &format!("/api/v1/domains/{}/validation", z.id),
            r#"{"validation_type": "smoke"}"#,
            "validation_type",
        ),
        (
            Method::PUT,
            "/api/v1/admin/nameservers",
            "{}",
            "nameservers",
        ),
        (
            Method::PUT,
            "/api/v1/admin/nameservers",
            r#"{"nameservers": "ns1.example."}"#,
            "nameservers",
        ),
        (
            Method::PUT,
            "/api/v1/admin/nameservers",
            r#"{"nameservers": ["ns1.example.", 7]}"#,
            "nameservers.1",
        ),
        (
            Method::PUT,
            "/api/v1/admin/nameservers",
            r#"{"nameservers": []}"#,
            "nameservers",
        ),
    ];
    for (method, path, body, field) in cases {
        let sent = send(&app, method.clone(), path, Some(body)).await;
        assert_eq!(
            sent.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {}",
            sent.body
        );
        if !field.is_empty() {
            assert_eq!(
                sent.field(),
                *field,
                "{method} {path} {body}: {}",
                sent.body
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn queries_ids_routes_and_methods() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("query.test"))
        .await
        .unwrap()
        .into_inner();
    let missing = "00000000-0000-7000-8000-000000000000";
    let bad_queries = [
        "/api/v1/domains?page=0",
        "/api/v1/domains?page=x",
        "/api/v1/domains?page_size=101",
        "/api/v1/domains?status=bogus",
        "/api/v1/domains?domain_type=weird",
        "/api/v1/domains?include_deleted=maybe",
        &format!("/api/v1/domains/{}/records?type=NOPE", z.id),
        &format!("/api/v1/domains/{}/records?include_system=perhaps", z.id),
        &format!("/api/v1/domains/{}?include_deleted=2", z.id),
        &format!("/api/v1/domains/{}?hard=sure", z.id),
    ];
    for path in bad_queries {
        let method = if path.contains("hard=") {
            Method::DELETE
        } else {
            Method::GET
        };
        let sent = send(&app, method, path, None).await;
        assert_eq!(
            sent.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            sent.body
        );
    }
    let unknown = [
        (Method::GET, format!("/api/v1/domains/{missing}")),
        (Method::GET, "/api/v1/domains/not-a-uuid".to_owned()),
        (Method::PATCH, format!("/api/v1/domains/{missing}")),
        (Method::DELETE, "/api/v1/domains/123".to_owned()),
        (Method::POST, format!("/api/v1/domains/{missing}/restore")),
        (Method::GET, format!("/api/v1/domains/{missing}/records")),
        (
            Method::GET,
            format!("/api/v1/domains/{}/records/{missing}", z.id),
        ),
        (
            Method::GET,
            format!("/api/v1/domains/{}/records/nope", z.id),
        ),
        (
            Method::DELETE,
            format!("/api/v1/domains/{}/records/{missing}", z.id),
        ),
        (Method::GET, format!("/api/v1/domains/{}/validation", z.id)),
        (Method::GET, "/api/v1/domains/x/validation".to_owned()),
        (Method::GET, "/api/v1/zones".to_owned()),
        (Method::GET, "/api/v1/domains/a/b/c/d".to_owned()),
    ];
    for (method, path) in unknown {
        let body = (method == Method::PATCH).then_some("{}");
        let sent = send(&app, method.clone(), &path, body).await;
        assert_eq!(
            sent.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            sent.body
        );
    }
    // A malformed id answers exactly like an unknown one.
    let malformed = send(&app, Method::GET, "/api/v1/domains/not-a-uuid", None).await;
    let unknown = send(
        &app,
        Method::GET,
        &format!("/api/v1/domains/{missing}"),
        None,
    )
    .await;
    assert_eq!(malformed.body["code"], "domain_not_found");
    assert_eq!(malformed.body["detail"], unknown.body["detail"]);
    assert_eq!(malformed.body["code"], unknown.body["code"]);
    for (method, path) in [
        (Method::PUT, format!("/api/v1/domains/{}", z.id)),
        (Method::DELETE, "/api/v1/domains".to_owned()),
        (Method::PUT, format!("/api/v1/domains/{}/records", z.id)),
        (Method::GET, format!("/api/v1/domains/{}/restore", z.id)),
        (Method::DELETE, "/api/v1/admin/nameservers".to_owned()),
    ] {
        let sent = send(&app, method.clone(), &path, None).await;
        assert_eq!(
            sent.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {}",
            sent.body
        );
    }
    // A body that is not JSON at all, declared as something else.
    let resp = app
        .http
        .post(app.url("/api/v1/domains"))
        .header("x-api-key", &app.admin_key)
        .header("content-type", "text/plain")
        .body("example.com")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    app.stop().await;
}

#[tokio::test]
async fn configured_ttl_policy_and_challenge_ttl_apply() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.ttl_min = 300;
        c.ttl_max = 7200;
        c.validation_challenge_ttl = 900;
    })
    .await;
    let z = app
        .client
        .zone_create(&zone("policy.test"))
        .await
        .unwrap()
        .into_inner();
    let records = format!("/api/v1/domains/{}/records", z.id);
    for ttl in [120, 86_400] {
        let body =
            json!({"name": "www", "type": "A", "content": "192.0.2.1", "ttl": ttl}).to_string();
        let sent = send(&app, Method::POST, &records, Some(&body)).await;
        assert_eq!(
            (sent.status, sent.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, "ttl".into()),
            "{}",
            sent.body
        );
    }
    let mut pending = zone("pending-policy.test");
    pending.skip_validation = Some(false);
    let created = app.client.zone_create(&pending).await.unwrap().into_inner();
    assert_eq!(created.validation.expect("challenge").dns_record.ttl, 900);
    let v = app
        .client
        .validation_get(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.dns_record.ttl, 900);
    app.stop().await;
}
