//! Gaps a security review found in the issue-8 rules, each attack driven over HTTP and refused,
//! next to the legitimate use that must keep working.

use reqwest::Method;
use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

use crate::util::call;

async fn ok(app: &TestApp, key: &str, method: Method, path: &str, body: Value) -> Value {
    let (status, body) = call(app, key, method, path, Some(body)).await;
    assert!(matches!(status, 200 | 201 | 204), "{path}: {status} {body}");
    body
}

/// Asserts a refusal with `status` and `code`.
fn refused(got: (u16, Value), status: u16, code: &str) {
    assert_eq!(
        (got.0, got.1["code"].as_str()),
        (status, Some(code)),
        "{}",
        got.1
    );
}

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

/// A live zone of `tenant`, created by its admin (given `validation_bypass` for the first).
async fn live_zone(app: &TestApp, tenant: &scaidns_tests::TenantUser, name: &str) -> String {
    let perms = ok(
        app,
        &tenant.key,
        Method::GET,
        &format!("/api/v1/roles/users/{}/permissions", tenant.user_id),
        json!({}),
    )
    .await;
    if !perms.to_string().contains("validation_bypass") {
        app.assign_role(&tenant.user_id, "validation_bypass", &tenant.tenant_id)
            .await;
    }
    let zone = ok(
        app,
        &tenant.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": name, "skip_validation": true}),
    )
    .await;
    assert_eq!(zone["status"], "active", "{zone}");
    id(&zone)
}

/// Review item 2: a conflict with another tenant's zone names neither the zone nor whether it
/// lies above or below.
#[tokio::test]
async fn zone_overlap_does_not_name_another_tenants_zone() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("hidden").await;
    let b = app.tenant_with_user("prober").await;
    live_zone(&app, &a, "secret-project.example.com").await;
    live_zone(&app, &a, "open.example").await;
    for (name, field) in [("example.com", "name"), ("deep.open.example", "name")] {
        let (status, body) = call(
            &app,
            &b.key,
            Method::POST,
            "/api/v1/domains",
            Some(json!({"name": name})),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("zone_overlap")),
            "{body}"
        );
        let text = body.to_string();
        assert!(text.contains(field), "{text}");
        for leak in [
            "secret-project",
            "open.example,",
            "inside",
            "contains",
            &a.tenant_id,
        ] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
    app.stop().await;
}

/// Review item 3: hard-deleting a pending zone never removes another tenant's live zone of the
/// same name from DNS.
#[tokio::test]
async fn purging_a_pending_zone_leaves_the_live_zone_of_its_name_served() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("server").await;
    let b = app.tenant_with_user("claimer").await;
    // B's pending claim first (pending claims block nobody), then A's zone goes live.
    let pending = ok(
        &app,
        &b.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "shared.example"}),
    )
    .await;
    assert_eq!(pending["status"], "pending_validation");
    live_zone(&app, &a, "shared.example").await;
    let dns = app.dns_addr.expect("embedded DNS");
    let soa = scaidns_tests::dns::query(dns, "shared.example.", "SOA").await;
    assert_eq!(soa.answer_texts("SOA").len(), 1);

    let (status, body) = call(
        &app,
        &b.key,
        Method::DELETE,
        &format!("/api/v1/domains/{}?hard=true", id(&pending)),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let soa = scaidns_tests::dns::query(dns, "shared.example.", "SOA").await;
    assert_eq!(
        soa.answer_texts("SOA").len(),
        1,
        "A's zone must still answer"
    );
    app.stop().await;
}

/// Review item 7: a platform admin's key scoped to zone work is not a platform admin: it cannot
/// restore a zone across another tenant's live zone, which the unscoped admin may.
#[tokio::test]
async fn a_scoped_platform_admin_key_cannot_place_zones_across_tenants() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("holder").await;
    let b = app.tenant_with_user("returner").await;
    let inner = live_zone(&app, &b, "app.big.example").await;
    let (status, _) = call(
        &app,
        &b.key,
        Method::DELETE,
        &format!("/api/v1/domains/{inner}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    live_zone(&app, &a, "big.example").await;

    let (scoped, _) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "zones only", "scopes": ["domains:read", "domains:update"]}),
    )
    .await;
    let restore = format!("/api/v1/domains/{inner}/restore");
    refused(
        call(&app, &scoped, Method::POST, &restore, None).await,
        409,
        "zone_overlap",
    );
    // The admin itself may (interface decision 12).
    let restored = ok(&app, &app.admin_key, Method::POST, &restore, json!({})).await;
    assert_eq!(restored["status"], "active", "{restored}");
    app.stop().await;
}

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

/// Review item 8: a record-limited grantee sees the zone but not its ownership challenge.
#[tokio::test]
async fn a_record_limited_grantee_cannot_read_the_ownership_challenge() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("challenged").await;
    let zone = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "pending.example"}),
    )
    .await;
    let zone = id(&zone);
    let limited = bare_user(&app, &a.key, "www@challenged.test", &a.tenant_id).await;
    let whole = bare_user(&app, &a.key, "all@challenged.test", &a.tenant_id).await;
    for (user, pattern) in [(&limited, json!("www")), (&whole, Value::Null)] {
        ok(
            &app,
            &a.key,
            Method::POST,
            &format!("/api/v1/domains/{zone}/access-grants"),
            json!({"grant_type": "user", "grantee_id": user, "role": "read_only", "record_pattern": pattern}),
        )
        .await;
    }
    let (limited_key, _) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "www", "permission_source_id": limited}),
    )
    .await;
    let (whole_key, _) = key_for(
        &app,
        &app.admin_key,
        json!({"name": "all", "permission_source_id": whole}),
    )
    .await;
    let path = format!("/api/v1/domains/{zone}/validation");
    let seen = ok(
        &app,
        &limited_key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        json!({}),
    )
    .await;
    assert_eq!(seen["name"], "pending.example");
    let (status, body) = call(&app, &limited_key, Method::GET, &path, None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("permission_denied")),
        "{body}"
    );
    assert!(!body.to_string().contains("scaidns-verify"), "{body}");
    let challenge = ok(&app, &whole_key, Method::GET, &path, json!({})).await;
    assert!(
        challenge.to_string().contains("scaidns-verify"),
        "{challenge}"
    );
    app.stop().await;
}
