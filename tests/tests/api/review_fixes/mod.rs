//! Gaps a security review found in the issue-8 rules, each attack driven over HTTP and refused,
//! next to the legitimate use that must keep working.
//!
//! Review item 1 is here with the shared helpers; `zones` holds the items about zones (2, 3, 7,
//! 8), `roles_and_keys` those about roles, key limits and refusals (4, 5, 6).

mod roles_and_keys;
mod zones;

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

use crate::util::{call, ok, refused};

fn id(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

/// A key for `user`, issued by `with`; returns (secret, id).
async fn key_for(app: &TestApp, with: &str, body: Value) -> (String, String) {
    let key = ok(app, with, Method::POST, "/api/v1/api-keys", body).await;
    (key["key"].as_str().unwrap().to_owned(), id(&key))
}

/// A user of `tenant` without any role.
async fn bare_user(app: &TestApp, with: &str, email: &str, tenant: &str) -> String {
    let user = ok(
        app,
        with,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": email, "tenant_id": tenant}),
    )
    .await;
    id(&user)
}

async fn assign(app: &TestApp, with: &str, subject: &str, body: Value) -> Value {
    ok(
        app,
        with,
        Method::POST,
        &format!("/api/v1/roles/{subject}"),
        body,
    )
    .await
}

/// Review item 1: a key minted to act as an empty user or group, by someone allowed to, does not
/// follow that principal's later powers beyond what its creator holds now.
#[tokio::test]
async fn a_key_acting_as_another_principal_stays_within_its_creator() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let (ta, tenant) = (alpha.key.clone(), alpha.tenant_id.clone());
    ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/roles",
        json!({"name": "onboarder", "permissions": ["users:create", "users:read", "api_keys:*"]}),
    )
    .await;
    let x = bare_user(&app, &ta, "x@alpha.test", &tenant).await;
    let assignment = assign(
        &app,
        &ta,
        &format!("users/{x}"),
        json!({"role_name": "onboarder", "scope": "tenant", "scope_id": tenant}),
    )
    .await;
    let (x_key, _) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "x", "permission_source_id": x}),
    )
    .await;

    // X makes V, who holds nothing, and a key acting as V: allowed, V holds nothing.
    let v = bare_user(&app, &x_key, "v@alpha.test", &tenant).await;
    let (as_v, _) = key_for(
        &app,
        &x_key,
        json!({"name": "as v", "permission_source_id": v}),
    )
    .await;
    // An empty group, and a group key for it.
    let group = ok(
        &app,
        &ta,
        Method::POST,
        "/api/v1/admin/groups",
        json!({"name": "later"}),
    )
    .await;
    let group = id(&group);
    let (as_group, _) = key_for(
        &app,
        &x_key,
        json!({"name": "as group", "permission_source": "group", "permission_source_id": group}),
    )
    .await;
    // V's own key, issued by the platform admin, to compare with.
    let (v_own, v_own_id) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "v", "permission_source_id": v}),
    )
    .await;

    // Later V and the group are made tenant admins.
    let tenant_admin = json!({"role_name": "tenant_admin", "scope": "tenant", "scope_id": tenant});
    assign(&app, &ta, &format!("users/{v}"), tenant_admin.clone()).await;
    assign(&app, &ta, &format!("groups/{group}"), tenant_admin).await;
    let zone = json!({"name": "later.example", "skip_validation": false});
    let created = ok(&app, &v_own, Method::POST, "/api/v1/domains", zone.clone()).await;
    assert_eq!(created["name"], "later.example");

    // The attack: X's keys act with V's and the group's new powers.
    for key in [&as_v, &as_group] {
        let zone = json!({"name": "mine.example"});
        refused(
            call(&app, key, Method::POST, "/api/v1/domains", Some(zone)).await,
            403,
            "permission_denied",
        );
        let zones = ok(&app, key, Method::GET, "/api/v1/domains", json!({})).await;
        assert_eq!(zones["total"], 0, "{zones}");
        refused(
            call(
                &app,
                key,
                Method::POST,
                &format!("/api/v1/roles/users/{x}"),
                Some(json!({"role_name": "tenant_admin", "scope": "tenant", "scope_id": tenant})),
            )
            .await,
            403,
            "permission_denied",
        );
    }
    // Nor by renewing V's own key, whose secret would carry V's full powers.
    refused(
        call(
            &app,
            &as_v,
            Method::POST,
            &format!("/api/v1/api-keys/{v_own_id}/regenerate"),
            None,
        )
        .await,
        403,
        "permission_not_held",
    );
    // A key bounded by another creator mints keys only for its own user: a key it made for
    // anyone else could be bounded by one of them only.
    refused(
        call(
            &app,
            &as_v,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "hop", "permission_source_id": x})),
        )
        .await,
        403,
        "permission_denied",
    );
    // What X holds and V now holds too still works.
    let made = ok(
        &app,
        &as_v,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "w@alpha.test", "tenant_id": tenant}),
    )
    .await;
    assert_eq!(made["email"], "w@alpha.test");

    // Once X loses the role, the key acting as V loses it too.
    let (status, _) = call(
        &app,
        &ta,
        Method::DELETE,
        &format!("/api/v1/roles/users/{x}/assignments/{}", id(&assignment)),
        None,
    )
    .await;
    assert_eq!(status, 204);
    refused(
        call(
            &app,
            &as_v,
            Method::POST,
            "/api/v1/admin/users",
            Some(json!({"email": "u@alpha.test", "tenant_id": tenant})),
        )
        .await,
        403,
        "permission_denied",
    );
    app.stop().await;
}
