//! `/api/v1/admin/groups`: a tenant admin manages its tenant's local groups and members;
//! other tenants' groups are invisible; groups mirrored from ScaiKey are read-only.

use scaidns_tests::spawn_app;
use serde_json::json;

use crate::util::call;

#[tokio::test]
async fn tenant_admins_manage_local_groups_and_members_of_their_tenant_only() {
    use reqwest::Method as M;
    let app = spawn_app().await;
    let acme = app.tenant_with_user("acme").await;
    let beta = app.tenant_with_user("beta").await;

    let (status, group) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/admin/groups/",
        Some(json!({"name": "ops", "description": "Operators"})),
    )
    .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(
        (group["group_type"].as_str(), group["tenant_id"].as_str()),
        (Some("SECURITY"), Some(acme.tenant_id.as_str()))
    );
    let id = group["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/groups/{id}");

    let (status, dup) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/admin/groups",
        Some(json!({"name": "ops"})),
    )
    .await;
    assert_eq!((status, dup["code"].as_str()), (409, Some("group_exists")));
    let (_, list) = call(&app, &acme.key, M::GET, "/api/v1/admin/groups", None).await;
    assert_eq!(list["total"], 1);

    let (status, updated) = call(
        &app,
        &acme.key,
        M::PATCH,
        &path,
        Some(json!({"name": "operators", "group_type": "distribution_list"})),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["group_type"], "DISTRIBUTION_LIST");

    let members = format!("{path}/members");
    let (status, m) = call(
        &app,
        &acme.key,
        M::POST,
        &members,
        Some(json!({"user_id": acme.user_id})),
    )
    .await;
    assert_eq!(
        (status, m["user_ids"].clone()),
        (200, json!([acme.user_id]))
    );
    // Users of another tenant cannot join.
    let (status, _) = call(
        &app,
        &acme.key,
        M::POST,
        &members,
        Some(json!({"user_id": beta.user_id})),
    )
    .await;
    assert_eq!(status, 422);

    // The other tenant sees nothing.
    assert_eq!(call(&app, &beta.key, M::GET, &path, None).await.0, 404);
    assert_eq!(call(&app, &beta.key, M::DELETE, &path, None).await.0, 404);
    let (_, other) = call(&app, &beta.key, M::GET, "/api/v1/admin/groups", None).await;
    assert_eq!(other["total"], 0);

    let (status, _) = call(
        &app,
        &acme.key,
        M::DELETE,
        &format!("{members}/{}", acme.user_id),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, m) = call(&app, &acme.key, M::GET, &members, None).await;
    assert_eq!(m["user_ids"], json!([]));
    assert_eq!(call(&app, &acme.key, M::DELETE, &path, None).await.0, 204);
    assert_eq!(call(&app, &acme.key, M::GET, &path, None).await.0, 404);
}

/// Joining a group hands on what the group holds: a member manager without those permissions
/// cannot add anyone (itself included) to a group holding `tenant_admin`.
#[tokio::test]
async fn adding_members_cannot_escalate() {
    use reqwest::Method as M;
    let app = spawn_app().await;
    let acme = app.tenant_with_user("acme").await;
    let tenant = acme.tenant_id.clone();
    let (status, role) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/roles",
        Some(json!({"name": "group-keeper", "permissions": ["groups:*"]})),
    )
    .await;
    assert_eq!(status, 201, "{role}");
    let (_, keeper) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/admin/users",
        Some(json!({"email": "keeper@acme.test"})),
    )
    .await;
    let keeper_id = keeper["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &app,
        &acme.key,
        M::POST,
        &format!("/api/v1/roles/users/{keeper_id}"),
        Some(json!({"role_name": "group-keeper", "scope": "tenant", "scope_id": tenant})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, key) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "keeper", "permission_source_id": keeper_id})),
    )
    .await;
    assert_eq!(status, 201, "{key}");
    let keeper_key = key["key"].as_str().unwrap().to_owned();

    let (_, admins) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/admin/groups",
        Some(json!({"name": "admins"})),
    )
    .await;
    let admins = admins["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &app,
        &acme.key,
        M::POST,
        &format!("/api/v1/roles/groups/{admins}"),
        Some(json!({"role_name": "tenant_admin", "scope": "tenant", "scope_id": tenant})),
    )
    .await;
    assert_eq!(status, 201);
    let members = format!("/api/v1/admin/groups/{admins}/members");

    let (status, err) = call(
        &app,
        &keeper_key,
        M::POST,
        &members,
        Some(json!({"user_id": keeper_id})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (403, Some("permission_not_held")),
        "{err}"
    );
    let (_, list) = call(&app, &acme.key, M::GET, &members, None).await;
    assert_eq!(list["user_ids"], json!([]));

    // A group that holds nothing the keeper lacks is fine; the tenant admin may add anyone.
    let (_, plain) = call(
        &app,
        &acme.key,
        M::POST,
        "/api/v1/admin/groups",
        Some(json!({"name": "plain"})),
    )
    .await;
    let plain_members = format!(
        "/api/v1/admin/groups/{}/members",
        plain["id"].as_str().unwrap()
    );
    let (status, _) = call(
        &app,
        &keeper_key,
        M::POST,
        &plain_members,
        Some(json!({"user_id": keeper_id})),
    )
    .await;
    assert!((200..300).contains(&status), "{status}");
    let (status, _) = call(
        &app,
        &acme.key,
        M::POST,
        &members,
        Some(json!({"user_id": keeper_id})),
    )
    .await;
    assert!((200..300).contains(&status), "{status}");
}
