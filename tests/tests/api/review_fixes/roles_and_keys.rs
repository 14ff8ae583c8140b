//! Review items about roles and keys: a custom role stays in its tenant (4), a throttled key
//! mints no unthrottled one (5), refusals name no other principal's ids (6).

use super::*;

/// Review item 4: a tenant's custom role is held only inside that tenant, and changing it is
/// checked wherever it is held, so its tenant admin cannot widen powers elsewhere through it.
#[tokio::test]
async fn a_custom_role_cannot_carry_powers_outside_its_tenant() {
    use scaidns_core::rbac::{RoleAssignment, RoleScope, Subject};
    let app = spawn_app().await;
    let a = app.tenant_with_user("roleowner").await;
    let b = app.tenant_with_user("elsewhere").await;
    let role = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/roles",
        json!({"name": "helper", "permissions": ["domains:read"]}),
    )
    .await;
    let helper = format!("users/{}", a.user_id);
    let path = format!("/api/v1/roles/{helper}");
    for scope in [
        json!({"role_name": "helper", "scope": "platform"}),
        json!({"role_name": "helper", "scope": "tenant", "scope_id": b.tenant_id}),
    ] {
        let (status, body) = call(&app, &app.admin_key, Method::POST, &path, Some(scope)).await;
        assert_eq!(
            (status, body["detail"][0]["loc"][1].as_str()),
            (422, Some("role_name")),
            "{body}"
        );
    }
    // Inside its tenant it is assigned as before.
    assign(
        &app,
        &app.admin_key,
        &helper,
        json!({"role_name": "helper", "scope": "tenant", "scope_id": a.tenant_id}),
    )
    .await;

    // One held in another tenant already (placed before the rule): widening it is refused.
    let b_tenant: scaidns_core::ids::TenantId = b.tenant_id.parse().unwrap();
    app.service()
        .store()
        .insert_role_assignment(
            &RoleAssignment {
                id: scaidns_core::ids::RoleAssignmentId::new(),
                role_id: id(&role).parse().unwrap(),
                role_name: "helper".into(),
                subject: Subject::User(a.user_id.parse().unwrap()),
                scope: RoleScope::Tenant(b_tenant),
                tenant_id: b_tenant,
                created_by: None,
                created_at: chrono::Utc::now(),
            },
            &[],
        )
        .await
        .unwrap();
    let role_path = format!("/api/v1/roles/{}", id(&role));
    refused(
        call(
            &app,
            &a.key,
            Method::PATCH,
            &role_path,
            Some(json!({"permissions": ["domains:read", "domains:delete"]})),
        )
        .await,
        403,
        "permission_not_held",
    );
    // Narrowing it, or changing what holds in its own tenant only, still works for the admin.
    let narrowed = ok(
        &app,
        &a.key,
        Method::PATCH,
        &role_path,
        json!({"description": "reads zones"}),
    )
    .await;
    assert_eq!(narrowed["description"], "reads zones");
    app.stop().await;
}

/// Review item 5: a throttled key mints no key allowed more requests than itself.
#[tokio::test]
async fn a_throttled_key_cannot_mint_an_unthrottled_one() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("throttled").await;
    let (slow, _) = key_for(&app, &a.key, json!({"name": "slow", "rate_limit": 5})).await;
    refused(
        call(
            &app,
            &slow,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "faster", "rate_limit": 10})),
        )
        .await,
        403,
        "rate_limit_not_held",
    );
    let child = ok(
        &app,
        &slow,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "child"}),
    )
    .await;
    assert_eq!(child["rate_limit"], 5, "{child}");
    app.stop().await;
}

/// Review item 6: refusals name no ids of other principals: a missing permission is named
/// without where its holder holds it, and another tenant's user answers like an unknown id.
#[tokio::test]
async fn refusals_name_no_other_principals_ids() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("keyshop").await;
    let b = app.tenant_with_user("faraway").await;
    ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/roles",
        json!({"name": "keys", "permissions": ["api_keys:*"]}),
    )
    .await;
    let km = bare_user(&app, &a.key, "km@keyshop.test", &a.tenant_id).await;
    assign(
        &app,
        &a.key,
        &format!("users/{km}"),
        json!({"role_name": "keys", "scope": "tenant", "scope_id": a.tenant_id}),
    )
    .await;
    let (km_key, _) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "km", "permission_source_id": km}),
    )
    .await;

    let (status, body) = call(
        &app,
        &km_key,
        Method::POST,
        "/api/v1/api-keys",
        Some(json!({"name": "as admin", "permission_source_id": a.user_id})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_not_held")),
        "{body}"
    );
    let text = body.to_string();
    assert!(text.contains("domains:read"), "{text}");
    assert!(
        !text.contains(&a.tenant_id) && !text.contains("tenant "),
        "{text}"
    );

    let unknown = "01900000-0000-7000-8000-000000000000";
    let mut answers = Vec::new();
    for user in [b.user_id.as_str(), unknown] {
        let body = json!({"name": "probe", "permission_source_id": user});
        answers.push(call(&app, &km_key, Method::POST, "/api/v1/api-keys", Some(body)).await);
    }
    for (status, body) in &answers {
        assert_eq!(
            (*status, body["code"].as_str()),
            (422, Some("invalid_input")),
            "{body}"
        );
    }
    assert_eq!(answers[0].1["detail"], answers[1].1["detail"]);
    app.stop().await;
}
