//! The read caches seen from outside (issue 12, reads): a cached key, grant or membership never
//! outlives its revocation on the replica that made it, under concurrent load; a deleted record
//! or zone is gone from the very next list; the list rendered once for the callers who see the
//! whole zone is never what a caller with narrowed grants gets; the records list answers its
//! zone's generation as `ETag` and 304 to an `If-None-Match` naming it; key use batched in
//! memory is written at a clean stop. (Other replicas: `scaidns-core/tests/service`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use scaidns_tests::{
    TenantUser, TestApp, TestOptions, spawn_app, spawn_app_configured, spawn_app_with,
};
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::util::call;

async fn ok(app: &TestApp, key: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, body) = call(app, key, method, path, Some(body)).await;
    assert!(matches!(status, 200 | 201 | 204), "{path}: {status} {body}");
    body
}

/// A server whose key rate limits do not get in the way of the load.
async fn unthrottled() -> TestApp {
    spawn_app_configured(TestOptions::default(), |config| {
        config.rate_limit_api_key_per_minute = 1_000_000;
        config.rate_limit_api_key_max = 1_000_000;
    })
    .await
}

fn id(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

/// An active zone of `tenant`, with one record.
async fn live_zone(app: &TestApp, tenant: &TenantUser, name: &str) -> String {
    app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
        .await;
    let zone = ok(
        app,
        &tenant.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": name, "skip_validation": true}),
    )
    .await;
    let zone = id(&zone);
    ok(
        app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
    )
    .await;
    zone
}

/// Readers listing `path` with `key` until stopped; each reports whether it ever saw a success
/// after a refusal (a cache serving what was already revoked).
struct Load {
    stop: Arc<AtomicBool>,
    readers: Vec<tokio::task::JoinHandle<bool>>,
}

impl Load {
    fn start(app: &TestApp, key: &str, path: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let readers = (0..4)
            .map(|_| {
                let (http, url, key, stop) = (
                    app.http.clone(),
                    app.url(path),
                    key.to_owned(),
                    Arc::clone(&stop),
                );
                tokio::spawn(async move {
                    let (mut refused, mut regressed) = (false, false);
                    while !stop.load(Ordering::Relaxed) {
                        let resp = http.get(&url).header("x-api-key", &key).send().await;
                        let Ok(resp) = resp else { continue };
                        let status = resp.status().as_u16();
                        regressed |= refused && status == 200;
                        refused |= matches!(status, 401 | 403 | 404);
                    }
                    regressed
                })
            })
            .collect();
        Self { stop, readers }
    }

    async fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        for reader in self.readers {
            assert!(
                !reader.await.unwrap(),
                "a reader was let in again after a refusal"
            );
        }
    }
}

#[tokio::test]
async fn a_revoked_key_is_refused_on_the_next_request_under_load() {
    let app = unthrottled().await;
    let alpha = app.tenant_with_user("revoked").await;
    let zone = live_zone(&app, &alpha, "revoked.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let load = Load::start(&app, &alpha.key, &records);
    for _ in 0..20 {
        assert_eq!(
            call(&app, &alpha.key, Method::GET, &records, None).await.0,
            200
        );
    }
    ok(
        &app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/api-keys/{}/revoke", alpha.key_id),
        json!({}),
    )
    .await;
    let (status, body) = call(&app, &alpha.key, Method::GET, &records, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("api_key_revoked"))
    );
    load.finish().await;
    app.stop().await;
}

#[tokio::test]
async fn a_removed_grant_or_membership_is_refused_on_the_next_request() {
    let app = unthrottled().await;
    let alpha = app.tenant_with_user("ungranted").await;
    let zone = live_zone(&app, &alpha, "ungranted.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let grants = format!("/api/v1/domains/{zone}/access-grants");

    // A grant of the user's own, removed under load.
    let (user, key) = user_without_role(&app, "grantee@ungranted.test", &alpha.tenant_id).await;
    let grant = ok(
        &app,
        &alpha.key,
        Method::POST,
        &grants,
        json!({"grant_type": "user", "grantee_id": user, "role": "read_only"}),
    )
    .await;
    assert_eq!(call(&app, &key, Method::GET, &records, None).await.0, 200);
    let load = Load::start(&app, &key, &records);
    let (status, _) = call(
        &app,
        &alpha.key,
        Method::DELETE,
        &format!("{grants}/{}", id(&grant)),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(call(&app, &key, Method::GET, &records, None).await.0, 404);
    load.finish().await;

    // A group's grant, reaching the user until it leaves the group.
    let (member, member_key) =
        user_without_role(&app, "member@ungranted.test", &alpha.tenant_id).await;
    let group = ok(
        &app,
        &alpha.key,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "readers"}),
    )
    .await;
    let group = id(&group);
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/admin/groups/{group}/members"),
        json!({"user_id": member}),
    )
    .await;
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &grants,
        json!({"grant_type": "group", "grantee_id": group, "role": "read_only"}),
    )
    .await;
    assert_eq!(
        call(&app, &member_key, Method::GET, &records, None).await.0,
        200
    );
    let load = Load::start(&app, &member_key, &records);
    let (status, _) = call(
        &app,
        &alpha.key,
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
    load.finish().await;
    app.stop().await;
}

fn names(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["display_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deleted_record_is_gone_from_the_next_list_under_load() {
    let app = unthrottled().await;
    let alpha = app.tenant_with_user("deleted").await;
    let zone = live_zone(&app, &alpha, "deleted.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let load = Load::start(&app, &alpha.key, &records);
    for round in 0..5 {
        let name = format!("gone{round}");
        let created = ok(
            &app,
            &alpha.key,
            Method::POST,
            &records,
            json!({"name": name, "type": "A", "content": "192.0.2.9"}),
        )
        .await;
        let (_, listed) = call(&app, &alpha.key, Method::GET, &records, None).await;
        assert!(names(&listed).contains(&name), "{listed}");
        let (status, _) = call(
            &app,
            &alpha.key,
            Method::DELETE,
            &format!("{records}/{}", id(&created)),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (_, listed) = call(&app, &alpha.key, Method::GET, &records, None).await;
        assert!(!names(&listed).contains(&name), "{listed}");
    }
    load.finish().await;
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_zone_is_not_found_on_the_next_list_under_load() {
    let app = unthrottled().await;
    let alpha = app.tenant_with_user("zonegone").await;
    let zone = live_zone(&app, &alpha, "zonegone.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let load = Load::start(&app, &alpha.key, &records);
    for _ in 0..20 {
        assert_eq!(
            call(&app, &alpha.key, Method::GET, &records, None).await.0,
            200
        );
    }
    let (status, _) = call(
        &app,
        &alpha.key,
        Method::DELETE,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = call(&app, &alpha.key, Method::GET, &records, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("domain_not_found"))
    );
    load.finish().await;
    app.stop().await;
}

#[tokio::test]
async fn a_narrowed_grantee_never_gets_the_list_rendered_for_the_whole_zone() {
    let app = unthrottled().await;
    let alpha = app.tenant_with_user("narrowed").await;
    let zone = live_zone(&app, &alpha, "narrowed.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        json!({"name": "mail", "type": "A", "content": "192.0.2.3"}),
    )
    .await;
    let (user, key) = user_without_role(&app, "www@narrowed.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &zone,
        &user,
        json!({"role": "read_only", "record_pattern": "www"}),
    )
    .await;
    // Both orders: the whole list rendered first, then the narrowed one, and back.
    for _ in 0..2 {
        let (status, whole) = call(&app, &alpha.key, Method::GET, &records, None).await;
        assert_eq!(status, 200);
        let mut all = names(&whole);
        all.sort();
        assert_eq!(all, ["mail", "www"], "{whole}");
        let (status, narrowed) = call(&app, &key, Method::GET, &records, None).await;
        assert_eq!(status, 200);
        assert_eq!(names(&narrowed), ["www"], "{narrowed}");
        assert_eq!(narrowed["total"], 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn the_records_list_answers_its_generation_and_304_while_unchanged() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("etag").await;
    let zone = live_zone(&app, &alpha, "etag.test").await;
    let records = app.url(&format!("/api/v1/domains/{zone}/records"));
    let get = |tag: Option<String>| {
        let mut req = app.http.get(&records).header("x-api-key", &alpha.key);
        if let Some(tag) = tag {
            req = req.header("if-none-match", tag);
        }
        req.send()
    };
    let first = get(None).await.unwrap();
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    tag.trim_matches('"').parse::<i64>().expect("a generation");

    let again = get(Some(tag.clone())).await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());

    // The zone's own tag names the same generation (and a digest of its answer).
    let zone_get = app
        .http
        .get(app.url(&format!("/api/v1/domains/{zone}")))
        .header("x-api-key", &alpha.key)
        .send()
        .await
        .unwrap();
    let zone_tag = zone_get.headers()["etag"].to_str().unwrap();
    assert!(
        zone_tag.starts_with(&format!("{}.", tag.trim_end_matches('"'))),
        "{zone_tag} {tag}"
    );

    // A change makes a new generation: the old tag gets the full list again.
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "new", "type": "A", "content": "192.0.2.2"}),
    )
    .await;
    let changed = get(Some(tag.clone())).await.unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), tag);
    let body: Value = changed.json().await.unwrap();
    assert!(names(&body).contains(&"new".to_owned()), "{body}");

    // Without credentials there is no 304 to learn anything from.
    let anonymous = app
        .http
        .get(&records)
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn key_use_is_written_at_a_clean_stop() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("uses.sqlite3").display());
    let app = spawn_app_with(TestOptions {
        database_url: Some(url.clone()),
        ..TestOptions::default()
    })
    .await;
    let alpha = app.tenant_with_user("used").await;
    for _ in 0..3 {
        assert_eq!(
            call(&app, &alpha.key, Method::GET, "/api/v1/domains", None)
                .await
                .0,
            200
        );
    }
    app.stop().await;

    let store = scaidns_core::adapters::sql::SqlStore::connect(&url)
        .await
        .unwrap();
    use scaidns_core::ports::store::ApiKeyStore;
    let key = store
        .get_api_key(alpha.key_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(key.last_used_at.is_some());
    assert_eq!(key.use_count, 3);
}
