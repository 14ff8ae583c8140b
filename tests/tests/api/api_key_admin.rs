//! API keys managed through RBAC: a tenant admin (`api_keys:*` on its tenant) manages the keys
//! of its tenant's users and issues group keys, which act with the group's role assignments;
//! a user without a role manages only its own keys; nobody reaches another tenant's.

use reqwest::Method;
use scaidns_tests::spawn_app;
use serde_json::{Value, json};

use crate::util::{call, ok};

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_tenant_admin_manages_its_users_keys_and_a_plain_user_only_its_own() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let ta = alpha.key.clone();
    let user = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "plain@alpha.test"}),
    )
    .await;
    let user = user["id"].as_str().unwrap().to_owned();

    // The tenant admin issues the user's key, sees it, revokes, activates, regenerates.
    let key = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "for-plain", "permission_source_id": user}),
    )
    .await;
    let key_id = key["id"].as_str().unwrap().to_owned();
    assert_eq!(key["permission_source_id"], user.as_str());
    let listed = ok(&app, &ta, Method::GET, "/api/v1/api-keys", json!(null)).await;
    assert!(
        ids(&listed).contains(&key_id.as_str()) && ids(&listed).contains(&alpha.key_id.as_str())
    );
    let path = format!("/api/v1/api-keys/{key_id}");
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("{path}/revoke"),
        json!(null),
    )
    .await;
    let plain_key = key["key"].as_str().unwrap();
    assert_eq!(
        call(&app, plain_key, Method::GET, "/api/v1/me", None)
            .await
            .0,
        401
    );
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("{path}/activate"),
        json!(null),
    )
    .await;
    let fresh = ok(
        &app,
        &ta,
        Method::POST,
        &format!("{path}/regenerate"),
        json!(null),
    )
    .await;
    let plain_key = fresh["key"].as_str().unwrap().to_owned();
    assert_eq!(
        call(&app, &plain_key, Method::GET, "/api/v1/me", None)
            .await
            .0,
        200
    );

    // The plain user: its own keys only; the admin's key does not exist for it.
    let own = ok(
        &app,
        &plain_key,
        Method::GET,
        "/api/v1/api-keys",
        json!(null),
    )
    .await;
    assert_eq!(ids(&own), vec![key_id.as_str()]);
    let admins = format!("/api/v1/api-keys/{}", alpha.key_id);
    assert_eq!(
        call(&app, &plain_key, Method::GET, &admins, None).await.0,
        404
    );
    assert_eq!(
        call(
            &app,
            &plain_key,
            Method::POST,
            &format!("{admins}/revoke"),
            None
        )
        .await
        .0,
        404
    );
    let (status, _) = call(
        &app,
        &plain_key,
        Method::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "x", "permission_source_id": alpha.user_id})),
    )
    .await;
    assert_eq!(status, 403);
    // It still manages its own key.
    ok(
        &app,
        &plain_key,
        Method::POST,
        &format!("{path}/regenerate"),
        json!(null),
    )
    .await;

    // Another tenant's admin reaches none of it.
    assert_eq!(call(&app, &beta.key, Method::GET, &path, None).await.0, 404);
    assert_eq!(
        call(&app, &beta.key, Method::DELETE, &path, None).await.0,
        404
    );
    let (status, _) = call(
        &app,
        &beta.key,
        Method::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "x", "permission_source_id": user})),
    )
    .await;
    // Like an unknown id: other tenants' user ids are not confirmed.
    assert_eq!(status, 422);

    assert_eq!(call(&app, &ta, Method::DELETE, &path, None).await.0, 204);
    app.stop().await;
}

#[tokio::test]
async fn a_group_key_acts_with_the_groups_roles() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let ta = alpha.key.clone();
    ok(
        &app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/roles/users/{}", alpha.user_id),
        json!({"role_name": "validation_bypass", "scope": "tenant", "scope_id": alpha.tenant_id}),
    )
    .await;
    ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "group-key.test"}),
    )
    .await;
    let group = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "ops"}),
    )
    .await;
    let group = group["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("/api/v1/roles/groups/{group}"),
        json!({"role_name": "read_only", "scope": "tenant", "scope_id": alpha.tenant_id}),
    )
    .await;

    let key = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "ops", "permission_source": "group", "permission_source_id": group}),
    )
    .await;
    assert_eq!(key["permission_source"], "group");
    let group_key = key["key"].as_str().unwrap();
    let zones = ok(&app, group_key, Method::GET, "/api/v1/domains", json!(null)).await;
    assert_eq!(zones["data"][0]["name"], "group-key.test", "{zones}");
    let (status, _) = call(
        &app,
        group_key,
        Method::POST,
        "/api/v1/domains",
        Some(json!({"name": "nope.test"})),
    )
    .await;
    assert_eq!(status, 403, "read_only may not create zones");

    // Groups of other tenants are unknown; a user without api_keys:create gets 403.
    let beta_group = ok(
        &app,
        &beta.key,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "b"}),
    )
    .await;
    let (status, body) = call(
        &app,
        &ta,
        Method::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "x", "permission_source": "group",
                    "permission_source_id": beta_group["id"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let plain = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "p@alpha.test"}),
    )
    .await;
    let plain_key = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "p", "permission_source_id": plain["id"]}),
    )
    .await;
    let (status, _) = call(
        &app,
        plain_key["key"].as_str().unwrap(),
        Method::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "x", "permission_source": "group", "permission_source_id": group})),
    )
    .await;
    assert_eq!(status, 403);
    app.stop().await;
}
