//! Access grants end to end: a user with no role reaches one zone, and inside it only the
//! records its grant's pattern and types cover; a PATCH of the grant changes that at once, an
//! expired grant stops applying, and a group's grant applies to its members only.

use std::time::Duration;

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

use crate::util::{active_zone, call, ok};

/// A user of `tenant` without any role, and its key.
pub(crate) async fn user_without_role(
    app: &TestApp,
    email: &str,
    tenant: &str,
) -> (String, String) {
    let user = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": email, "tenant_id": tenant}),
    )
    .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let key = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "k", "permission_source_id": id}),
    )
    .await;
    (id, key["key"].as_str().unwrap().to_owned())
}

/// A grant on `zone` to the user `grantee`, made with `granter`'s key; `fields` are the rest
/// of the grant (role, record pattern and types, expiry). Returns the grant.
pub(crate) async fn grant_user(
    app: &TestApp,
    granter: &str,
    zone: &str,
    grantee: &str,
    fields: Value,
) -> Value {
    let mut body = json!({"grant_type": "user", "grantee_id": grantee});
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    ok(
        app,
        granter,
        Method::POST,
        &format!("/api/v1/domains/{zone}/access-grants"),
        body,
    )
    .await
}

/// `name type` of every record `key` sees in `zone`.
async fn visible_records(app: &TestApp, key: &str, zone: &str) -> Vec<String> {
    let (status, body) = call(
        app,
        key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/records"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut out: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["display_name"].as_str().unwrap(),
                r["type"].as_str().unwrap()
            )
        })
        .collect();
    out.sort();
    out
}

async fn zone_names(app: &TestApp, key: &str) -> Vec<String> {
    let (_, body) = call(app, key, Method::GET, "/api/v1/domains", None).await;
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["name"].as_str().unwrap().to_owned())
        .collect()
}

fn record(name: &str, rtype: &str, content: &str) -> Value {
    json!({"name": name, "type": rtype, "content": content})
}

#[tokio::test]
async fn a_grant_reaches_one_zone_and_only_the_records_it_covers() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let ta = alpha.key.clone();
    let zone = active_zone(&app, &alpha, "grants.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let mut ids = std::collections::HashMap::new();
    for (name, rtype, content) in [
        ("api.dev", "A", "192.0.2.1"),
        ("db.dev", "AAAA", "2001:db8::1"),
        ("api.dev", "TXT", "hello"),
        ("www", "A", "192.0.2.2"),
    ] {
        let r = ok(
            &app,
            &ta,
            Method::POST,
            &records,
            record(name, rtype, content),
        )
        .await;
        ids.insert(
            format!("{name} {rtype}"),
            r["id"].as_str().unwrap().to_owned(),
        );
    }
    let (user, key) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;

    // No role, no grant: nothing exists.
    assert!(zone_names(&app, &key).await.is_empty());
    assert_eq!(call(&app, &key, Method::GET, &records, None).await.0, 404);

    let grants = format!("/api/v1/domains/{zone}/access-grants");
    let grant = ok(
        &app,
        &ta,
        Method::POST,
        &grants,
        json!({
        "grant_type": "user", "grantee_id": user, "role": "record_editor",
        "record_pattern": "*.dev", "record_types": ["A", "AAAA"]}),
    )
    .await;
    let grant = format!("{grants}/{}", grant["id"].as_str().unwrap());

    assert_eq!(zone_names(&app, &key).await, vec!["grants.test"]);
    assert_eq!(
        visible_records(&app, &key, &zone).await,
        vec!["api.dev A", "db.dev AAAA"]
    );
    // A record outside the grant is invisible, like an unknown one.
    let www = format!("{records}/{}", ids["www A"]);
    assert_eq!(call(&app, &key, Method::GET, &www, None).await.0, 404);

    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &records,
        Some(record("new.dev", "A", "192.0.2.9")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for (name, rtype, content) in [("www2", "A", "192.0.2.3"), ("new.dev", "TXT", "no")] {
        let (status, body) = call(
            &app,
            &key,
            Method::POST,
            &records,
            Some(record(name, rtype, content)),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("permission_denied")),
            "{name} {rtype}"
        );
    }
    // record_editor holds no delete on the zone at all: 403 before any record is looked at.
    assert_eq!(call(&app, &key, Method::DELETE, &www, None).await.0, 403);
    let api_a = format!("{records}/{}", ids["api.dev A"]);
    assert_eq!(call(&app, &key, Method::DELETE, &api_a, None).await.0, 403);
    // Updating a covered record works.
    let (status, body) = call(
        &app,
        &key,
        Method::PATCH,
        &api_a,
        Some(json!({"content": "192.0.2.7"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The grant's PATCH applies from the next request on.
    ok(
        &app,
        &ta,
        Method::PATCH,
        &grant,
        json!({"role": "domain_manager", "record_pattern": "api.*"}),
    )
    .await;
    assert_eq!(visible_records(&app, &key, &zone).await, vec!["api.dev A"]);
    // Now allowed to delete, but only inside the pattern: outside it the record is invisible.
    assert_eq!(call(&app, &key, Method::DELETE, &www, None).await.0, 404);
    assert_eq!(call(&app, &key, Method::DELETE, &api_a, None).await.0, 204);
    ok(
        &app,
        &ta,
        Method::PATCH,
        &grant,
        json!({"record_pattern": null, "record_types": []}),
    )
    .await;
    assert_eq!(visible_records(&app, &key, &zone).await.len(), 4);
    // A past expiry is refused as on create; ending a grant is a delete.
    let (status, err) = call(
        &app,
        &ta,
        Method::PATCH,
        &grant,
        Some(json!({"expires_at": "2020-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (422, Some("invalid_input")),
        "{err}"
    );
    assert_eq!(visible_records(&app, &key, &zone).await.len(), 4);
    assert_eq!(call(&app, &key, Method::DELETE, &grant, None).await.0, 403);
    assert_eq!(call(&app, &ta, Method::DELETE, &grant, None).await.0, 204);
    assert_eq!(call(&app, &key, Method::GET, &records, None).await.0, 404);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_grant_stops_applying() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "brief.test").await;
    let (user, key) = user_without_role(&app, "brief@alpha.test", &alpha.tenant_id).await;
    let expires = chrono::Utc::now() + chrono::Duration::seconds(2);
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/access-grants"),
        json!({
        "grant_type": "user", "grantee_id": user, "role": "read_only",
        "expires_at": expires.to_rfc3339()}),
    )
    .await;
    let zone_path = format!("/api/v1/domains/{zone}");
    assert_eq!(call(&app, &key, Method::GET, &zone_path, None).await.0, 200);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status = call(&app, &key, Method::GET, &zone_path, None).await.0;
        if status == 404 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the grant never expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(chrono::Utc::now() >= expires, "stopped before expires_at");
    assert!(zone_names(&app, &key).await.is_empty());
    // The expired grant is listed only on request.
    let list = format!("/api/v1/domains/{zone}/access-grants");
    let (_, body) = call(&app, &alpha.key, Method::GET, &list, None).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 0);
    let (_, body) = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("{list}?include_expired=true"),
        None,
    )
    .await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_group_grant_applies_to_the_group_members() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let ta = alpha.key.clone();
    let zone = active_zone(&app, &alpha, "team.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    ok(
        &app,
        &ta,
        Method::POST,
        &records,
        record("a.dev", "A", "192.0.2.1"),
    )
    .await;
    ok(
        &app,
        &ta,
        Method::POST,
        &records,
        record("www", "A", "192.0.2.2"),
    )
    .await;
    let (member, member_key) = user_without_role(&app, "member@alpha.test", &alpha.tenant_id).await;
    let (_, outsider_key) = user_without_role(&app, "outsider@alpha.test", &alpha.tenant_id).await;
    let group = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "devs"}),
    )
    .await;
    let group = group["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("/api/v1/admin/groups/{group}/members"),
        json!({"user_id": member}),
    )
    .await;
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("/api/v1/domains/{zone}/access-grants"),
        json!({
        "grant_type": "group", "grantee_id": group, "role": "read_only",
        "record_pattern": "*.dev"}),
    )
    .await;

    assert_eq!(
        visible_records(&app, &member_key, &zone).await,
        vec!["a.dev A"]
    );
    assert_eq!(
        call(&app, &outsider_key, Method::GET, &records, None)
            .await
            .0,
        404
    );
    let (status, _) = call(
        &app,
        &member_key,
        Method::POST,
        &records,
        Some(record("b.dev", "A", "192.0.2.3")),
    )
    .await;
    assert_eq!(status, 403, "read_only may not create");

    // Leaving the group ends the access.
    let (status, _) = call(
        &app,
        &ta,
        Method::DELETE,
        &format!("/api/v1/admin/groups/{group}/members/{member}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        call(&app, &member_key, Method::GET, &records, None).await.0,
        404
    );
    app.stop().await;
}
