//! Zone import under a hostile or careless client: a huge text of bad lines makes a short
//! answer, typos of body fields are refused, a create-only key cannot change existing records,
//! and a zone's own BIND export replaces it with nothing to do.

use reqwest::Method;
use scaidns_tests::spawn_app;
use serde_json::json;

use crate::util::{active_zone, call, ok, refused};

fn path(zone: &str, what: &str) -> String {
    format!("/api/v1/domains/{zone}/import/{what}")
}

#[tokio::test]
async fn a_text_of_many_bad_lines_lists_a_thousand_and_counts_the_rest() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let id = active_zone(&app, &alpha, "bad-lines.test").await;
    let content = "x\n".repeat(5000);
    let (status, body) = call(
        &app,
        &alpha.key,
        Method::POST,
        &path(&id, "text"),
        Some(json!({"content": content})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let detail = body["detail"].as_array().expect("detail list");
    assert_eq!(detail.len(), 1001);
    assert_eq!(detail[1000]["more"], 4000);
    let (status, body) = call(
        &app,
        &alpha.key,
        Method::POST,
        &path(&id, "preview"),
        Some(json!({"content": content})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"].as_array().unwrap().len(), 1000);
    assert_eq!(body["more_errors"], 4000);
}

#[tokio::test]
async fn unknown_body_fields_are_refused() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let id = active_zone(&app, &alpha, "typo.test").await;
    for what in ["text", "preview"] {
        let (status, body) = call(
            &app,
            &alpha.key,
            Method::POST,
            &path(&id, what),
            Some(json!({"content": "a A 192.0.2.1", "mod": "replace"})),
        )
        .await;
        assert_eq!(status, 422, "{what}: {body}");
    }
    let (_, body) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{id}/records"),
        None,
    )
    .await;
    assert!(body["data"].as_array().unwrap().is_empty(), "{body}");
}

#[tokio::test]
async fn a_create_only_key_cannot_change_existing_records() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let id = active_zone(&app, &alpha, "create-only.test").await;
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": "www 300 A 192.0.2.1"}),
    )
    .await;
    let key = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "creator", "scopes": ["domains:read", "records:read", "records:create"]}),
    )
    .await;
    let key = key["key"].as_str().unwrap().to_owned();
    let disable = json!([{"name": "www", "type": "A", "content": "192.0.2.1", "disabled": true}]);
    for what in ["preview", "text"] {
        refused(
            call(
                &app,
                &key,
                Method::POST,
                &path(&id, what),
                Some(json!({"content": disable.to_string(), "format": "json"})),
            )
            .await,
            403,
            "permission_denied",
        );
    }
    // A TTL change is a change too; a new record is fine.
    refused(
        call(
            &app,
            &key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": "www 600 A 192.0.2.1"})),
        )
        .await,
        403,
        "permission_denied",
    );
    ok(
        &app,
        &key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": "new A 192.0.2.2"}),
    )
    .await;
    let (_, body) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{id}/records"),
        None,
    )
    .await;
    let www = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"].as_str().unwrap().starts_with("www."))
        .unwrap()
        .clone();
    assert_eq!(
        (www["disabled"].clone(), www["ttl"].clone()),
        (json!(false), json!(300))
    );
}

#[tokio::test]
async fn replacing_a_zone_with_its_own_export_changes_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let id = active_zone(&app, &alpha, "roundtrip.test").await;
    let records = format!("/api/v1/domains/{id}/records");
    for record in [
        json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        json!({"name": "old", "type": "A", "content": "192.0.2.9", "disabled": true}),
        json!({"name": "@", "type": "ALIAS", "content": "target.example.net."}),
    ] {
        ok(&app, &alpha.key, Method::POST, &records, record).await;
    }
    let (status, export) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{id}/export"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{export}");
    let text = export["zone_file"].as_str().expect("zone_file").to_owned();
    assert!(
        text.contains("; disabled: ") && text.contains("; alias: "),
        "{text}"
    );
    let preview = ok(
        &app,
        &alpha.key,
        Method::POST,
        &path(&id, "preview"),
        json!({"content": text, "mode": "replace"}),
    )
    .await;
    for list in ["adds", "changes", "deletes", "errors"] {
        assert!(
            preview[list].as_array().unwrap().is_empty(),
            "{list}: {preview}"
        );
    }
    assert_eq!(preview["unchanged"], 3, "{preview}");
}

#[tokio::test]
async fn the_preview_etag_only_applies_the_import_previewed() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let id = active_zone(&app, &alpha, "etag.test").await;
    let body = json!({"content": "a A 192.0.2.1", "mode": "replace"});
    let resp = app
        .http
        .post(app.url(&path(&id, "preview")))
        .header("x-api-key", &alpha.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let apply = |body: serde_json::Value, tag: String| {
        app.http
            .post(app.url(&path(&id, "text")))
            .header("x-api-key", &alpha.key)
            .header("if-match", tag)
            .json(&body)
            .send()
    };
    // Same zone, another content or mode: refused.
    for other in [
        json!({"content": "b A 192.0.2.2", "mode": "replace"}),
        json!({"content": "a A 192.0.2.1", "mode": "merge"}),
        json!({"content": "a A 192.0.2.1", "mode": "replace", "skip_unsupported": true}),
    ] {
        let resp = apply(other, etag.clone()).await.unwrap();
        assert_eq!(resp.status(), 412);
    }
    let resp = apply(body.clone(), etag.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    // The zone moved on: the same tag is stale.
    let resp = apply(body, etag).await.unwrap();
    assert_eq!(resp.status(), 412);
}
