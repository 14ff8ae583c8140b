//! Privilege rules (issue 8, items 1, 2 and 10), each attack driven over HTTP and refused, next
//! to the legitimate use that must keep working: nobody makes a key act as a principal holding
//! more than they do; a record-restricted grantee neither widens its grant nor runs zone-wide
//! operations; a delegation (`NS` below the apex, `DNAME`) needs the whole subtree.
//!
//! The key rules are here with the shared helpers; the grant and delegation rules in `grants`.

mod grants;

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

use crate::util::{active_zone, call, ok, refused};

/// A user of `tenant` without any role, and its key (issued by the platform admin).
async fn user_with_key(app: &TestApp, email: &str, tenant: &str) -> (String, String, String) {
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
    (
        id,
        key["key"].as_str().unwrap().to_owned(),
        key["id"].as_str().unwrap().to_owned(),
    )
}

async fn grant(app: &TestApp, with: &str, zone: &str, body: Value) -> (u16, Value) {
    call(
        app,
        with,
        Method::POST,
        &format!("/api/v1/domains/{zone}/access-grants"),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_key_manager_cannot_mint_or_revive_keys_that_act_as_more() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let ta = alpha.key.clone();
    ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/roles",
        json!({"name": "key-manager", "permissions": ["api_keys:*"]}),
    )
    .await;
    let (km, km_key, _) = user_with_key(&app, "km@alpha.test", &alpha.tenant_id).await;
    ok(
        &app,
        &ta,
        Method::POST,
        &format!("/api/v1/roles/users/{km}"),
        json!({"role_name": "key-manager", "scope": "tenant", "scope_id": alpha.tenant_id}),
    )
    .await;
    let (nr, nr_key, _) = user_with_key(&app, "nr@alpha.test", &alpha.tenant_id).await;

    // The attack: a key acting as the tenant admin.
    let keys = "/api/v1/api-keys";
    let as_admin = call(
        &app,
        &km_key,
        Method::POST,
        keys,
        Some(json!({"name": "mine now", "permission_source_id": alpha.user_id})),
    )
    .await;
    refused(as_admin, 403, "permission_not_held");
    // Nor a fresh secret for the admin's own key, nor bringing it back once revoked.
    let admin_key = format!("{keys}/{}", alpha.key_id);
    refused(
        call(
            &app,
            &km_key,
            Method::POST,
            &format!("{admin_key}/regenerate"),
            None,
        )
        .await,
        403,
        "permission_not_held",
    );
    // Revoking only takes powers away: a key manager may.
    let (status, body) = call(
        &app,
        &km_key,
        Method::POST,
        &format!("{admin_key}/revoke"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("revoked")),
        "{body}"
    );
    refused(
        call(
            &app,
            &km_key,
            Method::POST,
            &format!("{admin_key}/activate"),
            None,
        )
        .await,
        403,
        "permission_not_held",
    );
    let body = ok(
        &app,
        &app.admin_key,
        Method::POST,
        &format!("{admin_key}/activate"),
        json!({}),
    )
    .await;
    assert_eq!(body["status"], "active");

    // A group key for a group holding what the key manager lacks.
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
        json!({"role_name": "tenant_admin", "scope": "tenant", "scope_id": alpha.tenant_id}),
    )
    .await;
    refused(
        call(
            &app,
            &km_key,
            Method::POST,
            keys,
            Some(
                json!({"name": "ops", "permission_source": "group", "permission_source_id": group}),
            ),
        )
        .await,
        403,
        "permission_not_held",
    );

    // Allowed: a key for a user holding nothing more than the key manager.
    let minted = ok(
        &app,
        &km_key,
        Method::POST,
        keys,
        json!({"name": "for nr", "permission_source_id": nr}),
    )
    .await;
    assert_eq!(minted["permission_source_id"], json!(nr));
    assert!(minted["key"].as_str().is_some_and(|k| !k.is_empty()));
    // A tenant admin, holding everything the group holds, may make the group key; a platform
    // admin may act as the tenant admin.
    let group_key = ok(
        &app,
        &ta,
        Method::POST,
        keys,
        json!({"name": "ops", "permission_source": "group", "permission_source_id": group}),
    )
    .await;
    assert_eq!(group_key["permission_source"], "group");
    let for_admin = ok(
        &app,
        &app.admin_key,
        Method::POST,
        keys,
        json!({"name": "for ta", "permission_source_id": alpha.user_id}),
    )
    .await;
    assert_eq!(for_admin["permission_source_id"], json!(alpha.user_id));

    // rate_limit: above the platform maximum never; above the default only for key managers.
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            keys,
            Some(json!({"name": "x", "rate_limit": 1001})),
        )
        .await,
        422,
        "invalid_input",
    );
    refused(
        call(
            &app,
            &nr_key,
            Method::POST,
            keys,
            Some(json!({"name": "fast", "rate_limit": 500})),
        )
        .await,
        403,
        "permission_denied",
    );
    let slow = ok(
        &app,
        &nr_key,
        Method::POST,
        keys,
        json!({"name": "slow", "rate_limit": 10}),
    )
    .await;
    assert_eq!(slow["rate_limit"], 10);
    let fast = ok(
        &app,
        &km_key,
        Method::POST,
        keys,
        json!({"name": "fast", "rate_limit": 1000}),
    )
    .await;
    assert_eq!(fast["rate_limit"], 1000);
    app.stop().await;
}
