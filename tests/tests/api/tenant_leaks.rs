//! The tenant boundary of identity and audit (issue 8, items 7, 8 and 9), attacked over HTTP:
//! a conflict must not hand one tenant another tenant's ids; an identity-provider account must
//! not take over, or move, a local user of another tenant by e-mail (webhook and sync alike);
//! a platform admin's change to a tenant's resource is in that tenant's audit log.

use std::sync::Arc;

use scaidns_core::adapters::oidc::directory::ScaiKeyDirectory;
use scaidns_core::adapters::oidc::{OidcConfig, OidcProvider};
use scaidns_core::ports::SystemClock;
use scaidns_core::service::identity_sync::{NoProgress, SyncOptions};
use scaidns_server::config::Secret;
use scaidns_tests::scaikey::directory::delivery;
use scaidns_tests::scaikey::{APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::util::call;

const SECRET: &str = "whsec_tenant_leaks";

/// Every audit entry `key` may read.
async fn audit_log(app: &TestApp, key: &str) -> Vec<Value> {
    let (status, body) = call(
        app,
        key,
        "GET",
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_user_conflict_does_not_name_another_tenants_user() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;

    // Alpha's admin tries beta's user's address.
    let (status, body) = call(
        &app,
        &alpha.key,
        "POST",
        "/api/v1/admin/users",
        Some(json!({"email": "user@beta.test"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "user_exists", "{body}");
    assert!(
        !body.to_string().contains(&beta.user_id),
        "another tenant's user id in {body}"
    );

    // Whoever can see beta (the platform admin) is told which user it is.
    let (status, body) = call(
        &app,
        &app.admin_key,
        "POST",
        "/api/v1/admin/users",
        Some(json!({"email": "user@beta.test", "tenant_id": alpha.tenant_id})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["detail"]["conflicts"], json!([beta.user_id]), "{body}");
}

#[tokio::test]
async fn a_platform_admins_change_is_in_the_owning_tenants_audit_log() {
    let app = spawn_app().await;
    let beta = app.tenant_with_user("beta").await;
    let (status, zone) = call(
        &app,
        &beta.key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "beta-owned.test"})),
    )
    .await;
    assert_eq!(status, 201, "{zone}");
    let zone_id = zone["id"].as_str().unwrap().to_owned();

    // The platform admin changes beta's zone and adds a record to it.
    let path = format!("/api/v1/domains/{zone_id}");
    let (status, body) = call(
        &app,
        &app.admin_key,
        "PATCH",
        &path,
        Some(json!({"description": "changed by the platform"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, record) = call(
        &app,
        &app.admin_key,
        "POST",
        &format!("{path}/records"),
        Some(json!({"name": "www", "type": "A", "content": "192.0.2.1"})),
    )
    .await;
    assert_eq!(status, 201, "{record}");

    // Beta's admin sees both, by the platform admin.
    let entries = audit_log(&app, &beta.key).await;
    for (action, resource) in [
        ("domain.update", zone_id.as_str()),
        ("record.create", record["id"].as_str().unwrap()),
    ] {
        let e = entries
            .iter()
            .find(|e| e["action"] == action && e["resource_id"] == resource)
            .unwrap_or_else(|| panic!("{action} missing from beta's log: {entries:#?}"));
        assert_eq!(e["tenant_id"], beta.tenant_id.as_str(), "{e}");
        assert_eq!(e["actor_type"], "api_key", "{e}");
        assert_eq!(e["actor_email"], "admin@scaidns.test", "{e}");
    }
}

fn webhook_app() -> impl std::future::Future<Output = TestApp> {
    spawn_app_configured(TestOptions::default(), |c| {
        c.identity.webhook_secret = Some(Secret::new(SECRET));
    })
}

async fn webhook(app: &TestApp, id: &str, event_type: &str, data: Value) -> Value {
    let d = delivery(
        SECRET,
        id,
        event_type,
        data,
        None,
        chrono::Utc::now().timestamp(),
    );
    let mut req = app
        .http
        .post(app.url("/api/v1/webhooks/scaikey"))
        .body(d.body.clone());
    for (k, v) in &d.headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.unwrap()
}

async fn local_user(app: &TestApp, email: &str) -> scaidns_core::tenant::User {
    app.service()
        .store()
        .get_user_by_email(email)
        .await
        .unwrap()
        .expect("local user")
}

#[tokio::test]
async fn a_webhook_does_not_take_over_another_tenants_user_by_email() {
    let app = webhook_app().await;
    let victim = app.tenant_with_user("victim").await;
    let before = local_user(&app, "user@victim.test").await;

    // A provider account of another tenant with the victim's address.
    let answer = webhook(
        &app,
        "evt_takeover",
        "user.created",
        json!({"id": "usr_attacker", "email": "user@victim.test",
               "tenant": {"id": "tnt_attacker", "name": "Attacker", "slug": "attacker"}}),
    )
    .await;
    assert_eq!(answer["success"], false, "{answer}");

    let after = local_user(&app, "user@victim.test").await;
    assert_eq!(after.tenant_id, before.tenant_id, "the user was moved");
    assert_eq!(after.scaikey_user_id, None, "the user was linked");
    // The victim's key still acts in the victim's tenant.
    let (status, me) = call(&app, &victim.key, "GET", "/api/v1/me", None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me["data"]["tenant"]["id"],
        victim.tenant_id.as_str(),
        "{me}"
    );

    // The victim's admins see the attempt; the log says why.
    let entries = audit_log(&app, &victim.key).await;
    let refused = entries
        .iter()
        .find(|e| e["action"] == "user.link_refused")
        .unwrap_or_else(|| panic!("no report in {entries:#?}"));
    assert_eq!(refused["resource_id"], victim.user_id.as_str());
    assert_eq!(refused["actor_type"], "webhook");
    assert_eq!(refused["details"]["after"]["reason"], "other_tenant");
}

#[tokio::test]
async fn a_webhook_links_same_tenant_rows_only_on_an_email_not_called_unverified() {
    let app = webhook_app().await;
    // The tenant as the provider knows it, then a local user made by an admin.
    let created = webhook(
        &app,
        "evt_tenant",
        "tenant.created",
        json!({"id": "tnt_home", "name": "Home", "slug": "home"}),
    )
    .await;
    assert_eq!(created["success"], true, "{created}");
    let home = app
        .service()
        .store()
        .get_tenant_by_scaikey_id("tnt_home")
        .await
        .unwrap()
        .unwrap();
    let (status, body) = call(
        &app,
        &app.admin_key,
        "POST",
        "/api/v1/admin/users",
        Some(json!({"email": "grace@home.test", "tenant_id": home.id.to_string()})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let user = |verified: bool| {
        json!({"id": "usr_grace", "email": "grace@home.test", "email_verified": verified,
               "tenant": {"id": "tnt_home"}})
    };

    let unverified = webhook(&app, "evt_unverified", "user.created", user(false)).await;
    assert_eq!(unverified["success"], false, "{unverified}");
    assert_eq!(
        local_user(&app, "grace@home.test").await.scaikey_user_id,
        None
    );

    let verified = webhook(&app, "evt_verified", "user.created", user(true)).await;
    assert_eq!(verified["success"], true, "{verified}");
    let linked = local_user(&app, "grace@home.test").await;
    assert_eq!(linked.scaikey_user_id.as_deref(), Some("usr_grace"));
    assert_eq!(linked.tenant_id, home.id);

    // The provider later reports the account in another tenant: the row stays home.
    let moved = webhook(
        &app,
        "evt_moved",
        "user.updated",
        json!({"id": "usr_grace", "email": "grace@home.test", "first_name": "Grace",
               "tenant": {"id": "tnt_elsewhere", "name": "Elsewhere", "slug": "elsewhere"}}),
    )
    .await;
    assert_eq!(moved["success"], true, "{moved}");
    let after = local_user(&app, "grace@home.test").await;
    assert_eq!(after.tenant_id, home.id, "the user followed the provider");
    assert_eq!(after.first_name.as_deref(), Some("Grace"));
    let reports = audit_log(&app, &app.admin_key).await;
    let reasons: Vec<(&Value, &Value)> = reports
        .iter()
        .filter(|e| e["resource_id"] == linked.id.to_string().as_str())
        .filter(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.ends_with("_refused"))
        })
        .map(|e| (&e["action"], &e["details"]["after"]["reason"]))
        .collect();
    assert!(
        reasons.contains(&(&json!("user.link_refused"), &json!("email_unverified"))),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(
            &json!("user.tenant_change_refused"),
            &json!("tenant_changed")
        )),
        "{reasons:?}"
    );
    let entry = reports
        .iter()
        .find(|e| e["action"] == "user.tenant_change_refused")
        .unwrap();
    assert_eq!(entry["tenant_id"], home.id.to_string().as_str());
}

#[tokio::test]
async fn sync_does_not_take_over_another_tenants_user_and_carries_on() {
    let scaikey = ScaiKey::start().await;
    scaikey.directory(|d| {
        d.tenants = vec![json!({"id": "tnt_other", "name": "Other", "slug": "other"})];
        d.users.insert(
            "tnt_other".into(),
            vec![
                json!({"id": "usr_squatter", "email": "user@victim.test", "status": "ACTIVE"}),
                json!({"id": "usr_fine", "email": "fine@other.test", "status": "ACTIVE"}),
            ],
        );
    });
    let app = spawn_app().await;
    let victim = app.tenant_with_user("victim").await;

    let mut oidc = OidcConfig::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    let provider = OidcProvider::new(oidc, Arc::new(SystemClock)).unwrap();
    let directory = ScaiKeyDirectory::new(&provider, scaikey.issuer(), APPLICATION_ID);
    let report = app
        .service()
        .identity_sync(&directory, SyncOptions { users_only: true }, &NoProgress)
        .await
        .expect("the sync carries on past the conflict");
    assert_eq!(report.counts.conflicts, 1);
    assert_eq!(report.counts.users.created, 1, "{report:?}");

    let row = local_user(&app, "user@victim.test").await;
    assert_eq!(row.tenant_id.to_string(), victim.tenant_id);
    assert_eq!(row.scaikey_user_id, None);
    let entries = audit_log(&app, &victim.key).await;
    let refused = entries
        .iter()
        .find(|e| e["action"] == "user.link_refused")
        .unwrap_or_else(|| panic!("no report in {entries:#?}"));
    assert_eq!(refused["actor_id"], "scaidns-sync");
    assert_eq!(
        refused["details"]["after"]["scaikey_user_id"],
        "usr_squatter"
    );
}
