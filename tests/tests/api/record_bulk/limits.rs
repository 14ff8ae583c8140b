//! The item limit, empty batches, `If-Match`, and bulk-delete's count.

use reqwest::Method;
use scaidns_tests::{TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use super::{a, api_records, failures, ids};
use crate::util::{active_zone, call, ok};

#[tokio::test]
async fn bulk_delete_counts_and_the_limits_hold() {
    let app = spawn_app_configured(TestOptions::default(), |c| c.bulk_max_items = 5).await;
    let tenant = app.tenant_with_user("limits").await;
    let zone = active_zone(&app, &tenant, "limits.test").await;
    let bulk = format!("/api/v1/domains/{zone}/records/bulk");
    let bulk_delete = format!("/api/v1/domains/{zone}/records/bulk-delete");

    let six: Vec<Value> = (0..6).map(|i| a(&format!("x{i}"), "192.0.2.1")).collect();
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(json!({"records": six})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("too_many_items")),
        "{body}"
    );
    // The three lists count together.
    let (status, _) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(json!({"records": [a("y", "192.0.2.1")], "delete": ["a", "b", "c", "d", "e"]})),
    )
    .await;
    assert_eq!(status, 413);
    let (status, body) = call(&app, &tenant.key, Method::POST, &bulk, Some(json!({}))).await;
    assert_eq!(status, 422, "{body}");
    // A field the request does not have is refused, not ignored.
    for request in [
        json!({"update": [{"id": "r_x", "name": "moved", "disabled": true}]}),
        json!({"delete": [], "continue": true}),
    ] {
        let (status, body) = call(&app, &tenant.key, Method::POST, &bulk, Some(request)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_body")),
            "{body}"
        );
    }
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        Some(json!({"record_ids": ["r_x"], "ids": ["r_y"]})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_body")),
        "{body}"
    );
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        Some(json!({"record_ids": []})),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let five: Vec<Value> = (0..5).map(|i| a(&format!("x{i}"), "192.0.2.1")).collect();
    let created = ok(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        json!({"records": five}),
    )
    .await;
    let created = ids(&created, "created");
    assert_eq!(created.len(), 5);

    // If-Match is honoured like on single writes.
    let stale = app
        .http
        .post(app.url(&bulk_delete))
        .header("x-api-key", &tenant.key)
        .header("if-match", "\"1\"")
        .json(&json!({"record_ids": [created[0]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);

    // An unknown id refuses the whole delete; the known ones stay.
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        Some(json!({"record_ids": [created[0], created[1], "r_unknown"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("delete".to_owned(), 2, "record_not_found".to_owned())]
    );
    assert_eq!(api_records(&app, &zone).await.len(), 7);

    let body = ok(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        json!({"record_ids": [created[0], created[1], created[2], created[3]]}),
    )
    .await;
    assert_eq!(body["deleted"], 4, "{body}");
    assert_eq!(body["total_errors"], 0, "{body}");
    assert!(body["sync_status"].is_string(), "{body}");
    assert_eq!(api_records(&app, &zone).await.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn ten_thousand_items_fit_in_one_request_beyond_the_default_body_limit() {
    let app = spawn_app_configured(TestOptions::default(), |_| {}).await;
    let tenant = app.tenant_with_user("big").await;
    let zone = active_zone(&app, &tenant, "big.test").await;
    let long = "x".repeat(200);
    let creates: Vec<Value> = (0..10_000)
        .map(|i| {
            json!({"name": format!("t{i}"), "type": "TXT",
                   "content": format!("\"{long}\" \"{i}{long}\"")})
        })
        .collect();
    let body = json!({ "records": creates });
    // More than the 4 MiB every other route accepts.
    assert!(body.to_string().len() > 4 * 1024 * 1024);
    let (status, answer) = call(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records/bulk"),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{}", answer["code"]);
    assert_eq!(answer["total_created"], 10_000);
    assert_eq!(api_records(&app, &zone).await.len(), 10_002);
    app.stop().await;
}

#[tokio::test]
async fn one_id_named_thousands_of_times_is_one_delete() {
    let app = spawn_app_configured(TestOptions::default(), |_| {}).await;
    let tenant = app.tenant_with_user("copies").await;
    let zone = active_zone(&app, &tenant, "copies.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let www = ok(
        &app,
        &tenant.key,
        Method::POST,
        &records,
        a("www", "192.0.2.1"),
    )
    .await;
    let www = www["id"].as_str().unwrap().to_owned();
    let copies = vec![www; 5_000];
    let body = ok(
        &app,
        &tenant.key,
        Method::POST,
        &format!("{records}/bulk"),
        json!({ "delete": copies }),
    )
    .await;
    assert_eq!(
        (body["deleted"].as_u64(), body["total_errors"].as_u64()),
        (Some(1), Some(0)),
        "{body}"
    );
    assert_eq!(
        api_records(&app, &zone).await.len(),
        2,
        "the two NS records stay"
    );
    app.stop().await;
}

#[tokio::test]
async fn checking_stops_at_200_refusals_and_says_the_list_is_incomplete() {
    let app = spawn_app_configured(TestOptions::default(), |_| {}).await;
    let tenant = app.tenant_with_user("stops").await;
    let zone = active_zone(&app, &tenant, "stops.test").await;
    let mut creates = Vec::new();
    for i in 0..210 {
        creates.push(a(&format!("n{i}"), "192.0.2.1"));
        creates.push(
            json!({"name": format!("n{i}"), "type": "CNAME", "content": "elsewhere.example."}),
        );
    }
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records/bulk"),
        Some(json!({"records": creates, "continue_on_error": true})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("bulk_check_stopped")),
        "{body}"
    );
    assert_eq!(body["detail"]["complete"], false, "{body}");
    assert_eq!(
        body["detail"]["failures"].as_array().map(Vec::len),
        Some(200)
    );
    assert_eq!(api_records(&app, &zone).await.len(), 2, "nothing applied");
    app.stop().await;
}

#[tokio::test]
async fn a_body_of_many_small_values_is_refused_before_it_is_parsed() {
    let app = spawn_app_configured(TestOptions::default(), |c| c.bulk_max_items = 5).await;
    let tenant = app.tenant_with_user("values").await;
    let zone = active_zone(&app, &tenant, "values.test").await;
    // Numbers where ids belong: parsed, this would be a 422 about the type.
    let zeros = vec![0; 1_000];
    for (path, body) in [
        ("bulk", json!({ "delete": zeros })),
        ("bulk-delete", json!({ "record_ids": zeros })),
    ] {
        let (status, answer) = call(
            &app,
            &tenant.key,
            Method::POST,
            &format!("/api/v1/domains/{zone}/records/{path}"),
            Some(body),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (413, Some("too_many_items")),
            "{path}: {answer}"
        );
    }
    app.stop().await;
}
