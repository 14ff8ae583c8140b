//! Who may change what in a batch: a grant-limited caller, another tenant.

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::json;

use super::{a, api_records, failures};
use crate::util::{active_zone, call, ok};

/// A user of `tenant` whose only access is a `record_editor` grant on `*.dev` (A and AAAA).
async fn dev_grantee(app: &TestApp, tenant: &str, zone: &str, ta: &str) -> String {
    let user = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "dev@bulk.test", "tenant_id": tenant}),
    )
    .await;
    let user = user["id"].as_str().unwrap().to_owned();
    let key = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "dev", "permission_source_id": user}),
    )
    .await;
    crate::grants::grant_user(
        app,
        ta,
        zone,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A", "AAAA"]}),
    )
    .await;
    key["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_grant_limited_caller_cannot_slip_a_name_into_a_batch() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "grant.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let bulk = format!("{records}/bulk");
    let www = ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        a("www", "192.0.2.1"),
    )
    .await;
    let www = www["id"].as_str().unwrap().to_owned();
    let api = ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        a("api.dev", "192.0.2.2"),
    )
    .await;
    let api = api["id"].as_str().unwrap().to_owned();
    let key = dev_grantee(&app, &alpha.tenant_id, &zone, &alpha.key).await;
    let before = api_records(&app, &zone).await;

    // One name outside the grant refuses the whole batch.
    let request = json!({"records": [a("new.dev", "192.0.2.3"), a("www", "192.0.2.66")],
                         "update": [{"id": api, "content": "192.0.2.4"}]});
    let (status, body) = call(&app, &key, Method::POST, &bulk, Some(request.clone())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("bulk_rejected")),
        "{body}"
    );
    assert_eq!(body["detail"]["complete"], true, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("create".to_owned(), 1, "permission_denied".to_owned())]
    );
    assert_eq!(api_records(&app, &zone).await, before);

    // A record outside the grant is as unknown as one that does not exist: not "forbidden".
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &bulk,
        Some(json!({"update": [{"id": www, "content": "192.0.2.66"}]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("update".to_owned(), 0, "record_not_found".to_owned())]
    );
    assert!(!body.to_string().contains("www"), "{body}");

    // With continue_on_error the covered items apply and the other is listed.
    let mut request = request;
    request["continue_on_error"] = json!(true);
    let (status, body) = call(&app, &key, Method::POST, &bulk, Some(request)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        failures(&body["failures"]),
        [("create".to_owned(), 1, "permission_denied".to_owned())]
    );
    let after = api_records(&app, &zone).await;
    assert!(after.iter().any(|r| r.0 == "new.dev.grant.test"));
    assert!(
        after
            .iter()
            .any(|r| r.0 == "api.dev.grant.test" && r.3 == "192.0.2.4")
    );
    assert!(
        after
            .iter()
            .any(|r| r.0 == "www.grant.test" && r.3 == "192.0.2.1")
    );
    assert!(!after.iter().any(|r| r.3 == "192.0.2.66"));
    app.stop().await;
}

#[tokio::test]
async fn another_tenants_zone_and_records_are_unknown() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let alpha_zone = active_zone(&app, &alpha, "alpha-bulk.test").await;
    let beta_zone = active_zone(&app, &beta, "beta-bulk.test").await;
    let alpha_record = ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{alpha_zone}/records"),
        a("www", "192.0.2.1"),
    )
    .await;
    let alpha_record = alpha_record["id"].as_str().unwrap().to_owned();
    for (path, request) in [
        (
            "bulk",
            json!({"records": [a("evil", "192.0.2.66")], "delete": [alpha_record]}),
        ),
        ("bulk-delete", json!({"record_ids": [alpha_record]})),
    ] {
        let (status, body) = call(
            &app,
            &beta.key,
            Method::POST,
            &format!("/api/v1/domains/{alpha_zone}/records/{path}"),
            Some(request),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("domain_not_found")),
            "{path}: {body}"
        );
    }
    // Alpha's record id used in beta's own zone names nothing there.
    let (status, body) = call(
        &app,
        &beta.key,
        Method::POST,
        &format!("/api/v1/domains/{beta_zone}/records/bulk-delete"),
        Some(json!({"record_ids": [alpha_record]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("delete".to_owned(), 0, "record_not_found".to_owned())]
    );
    assert_eq!(
        api_records(&app, &alpha_zone).await.len(),
        3,
        "two NS and www"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refusal_names_only_the_records_in_the_way_that_the_caller_may_read() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "hidden.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    // A CNAME at a name the grantee reaches, of a type its grant does not cover: hidden from it.
    let cname = ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        json!({"name": "x.dev", "type": "CNAME", "content": "elsewhere.example."}),
    )
    .await;
    let cname = cname["id"].as_str().unwrap().to_owned();
    let key = dev_grantee(&app, &alpha.tenant_id, &zone, &alpha.key).await;

    // The zone's owner is told which record is in the way; the grantee only that one is.
    let (status, body) = call(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        Some(a("x.dev", "192.0.2.1")),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("cname_conflict")),
        "{body}"
    );
    assert_eq!(body["detail"]["conflicts"], json!([cname]), "{body}");
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &records,
        Some(a("x.dev", "192.0.2.1")),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("cname_conflict")),
        "{body}"
    );
    assert!(!body.to_string().contains(&cname), "{body}");

    let bulk = json!({"records": [a("x.dev", "192.0.2.1")]});
    let (status, body) = call(
        &app,
        &alpha.key,
        Method::POST,
        &format!("{records}/bulk"),
        Some(bulk.clone()),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["detail"]["failures"][0]["conflicts"],
        json!([cname]),
        "{body}"
    );
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &format!("{records}/bulk"),
        Some(bulk),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["detail"]["failures"][0]["code"], "cname_conflict",
        "{body}"
    );
    assert!(!body.to_string().contains(&cname), "{body}");
    app.stop().await;
}
