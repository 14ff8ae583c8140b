//! Review items about zones: overlap conflicts name no foreign zone (2), purging a pending zone
//! spares the live zone of its name (3), a scoped platform key cannot place zones across tenants
//! (7), a record-limited grantee cannot read the ownership challenge (8).

use super::*;

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
        crate::grants::grant_user(
            &app,
            &a.key,
            &zone,
            user,
            json!({"role": "read_only", "record_pattern": pattern}),
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
