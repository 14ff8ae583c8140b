//! Users (`/api/v1/admin/users/`, issue 11 item 2) through the HTTP API: with the ScaiKey
//! stand-in every write is proxied to its admin API and mirrored into the cache in the same
//! request; a ScaiKey outage is 502 with a retry hint and changes nothing here; without ScaiKey
//! users are local and the ScaiKey-only operations are 409 `identity_provider_not_configured`.
//! Attacks: a tenant admin stays in its tenant, cannot touch a platform admin's account, and a
//! narrowed key cannot write; passwords and invitation tokens never come back.

use std::collections::HashMap;

use reqwest::Method;
use scaidns_server::config::IdentityConfig;
use scaidns_tests::scaikey::{APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::util::{call, ok, refused};

const PASSWORD: &str = "correct-horse-battery";

/// A server using the stand-in as ScaiKey (issuer, client credentials, application), with the
/// tenant `tnt_acme` known to both sides; answers the app and the local tenant id.
pub(crate) async fn scaikey_app(scaikey: &ScaiKey) -> (TestApp, String) {
    scaikey.directory(|d| d.tenants.push(json!({"id": "tnt_acme", "name": "Acme"})));
    let vars: HashMap<String, String> = [
        ("SCAIKEY_URL", scaikey.issuer()),
        ("SCAIKEY_CLIENT_ID", CLIENT_ID),
        ("SCAIKEY_CLIENT_SECRET", CLIENT_SECRET),
        ("SCAIKEY_APPLICATION_ID", APPLICATION_ID),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let mut invalid = Vec::new();
    let identity = IdentityConfig::from_vars(&vars, &mut invalid);
    assert!(invalid.is_empty(), "{invalid:?}");
    let app = spawn_app_configured(TestOptions::default(), move |c| c.identity = identity).await;
    let tenant = ok(
        &app,
        &app.admin_key.clone(),
        Method::POST,
        "/api/v1/admin/tenants",
        json!({"name": "Acme", "slug": "acme", "scaikey_tenant_id": "tnt_acme"}),
    )
    .await;
    let id = tenant["id"].as_str().unwrap().to_owned();
    (app, id)
}

async fn user_count(app: &TestApp, tenant: &str) -> u64 {
    let path = format!("/api/v1/admin/users?tenant_id={tenant}");
    let (status, body) = call(app, &app.admin_key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

async fn actions(app: &TestApp, user_id: &str) -> Vec<String> {
    let path = format!("/api/v1/admin/audit-logs?resource_id={user_id}&page_size=100");
    let (status, body) = call(app, &app.admin_key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_write_is_proxied_to_scaikey_and_mirrored() {
    let scaikey = ScaiKey::start().await;
    let (app, tenant) = scaikey_app(&scaikey).await;
    let key = app.admin_key.clone();

    // Create with a password: ScaiKey gets it (and the application to assign), the answer
    // never shows it.
    let (status, created) = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users",
        Some(
            json!({"email": "Ada@Acme.test", "first_name": "Ada", "last_name": "L",
                    "password": PASSWORD, "tenant_id": tenant}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(!created.to_string().contains(PASSWORD));
    let upstream_id = created["scaikey_user_id"].as_str().unwrap().to_owned();
    assert!(upstream_id.starts_with("usr_"), "{created}");
    assert_eq!(created["email"], "ada@acme.test");
    let sent = scaikey.admin_calls();
    let last = sent.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.tenant.as_str()),
        ("POST", "tnt_acme")
    );
    assert_eq!(last.body["password"], PASSWORD);
    assert_eq!(last.body["application_id"], APPLICATION_ID);
    assert_eq!(
        scaikey.directory_user(&upstream_id).unwrap()["email"],
        "ada@acme.test"
    );
    let id = created["id"].as_str().unwrap().to_owned();

    // Read by either id.
    for by in [&id, &upstream_id] {
        let (status, got) = call(
            &app,
            &key,
            Method::GET,
            &format!("/api/v1/admin/users/{by}"),
            None,
        )
        .await;
        assert_eq!(
            (status, got["id"].as_str()),
            (200, Some(id.as_str())),
            "{got}"
        );
    }

    // Without a password ScaiKey invites; its invitation token is never passed on.
    let (status, invited) = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users/invite",
        Some(json!({"email": "bob@acme.test", "first_name": "Bob", "tenant_id": tenant})),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert!(!invited.to_string().contains("inv_"), "{invited}");
    let bob = invited["id"].as_str().unwrap().to_owned();
    let bob_upstream = invited["scaikey_user_id"].as_str().unwrap().to_owned();
    assert_eq!(
        scaikey.admin_calls().last().unwrap().body["send_invite"],
        true
    );

    // List: search and status filters.
    let list = |q: &str| format!("/api/v1/admin/users?tenant_id={tenant}&{q}");
    let (_, found) = call(&app, &key, Method::GET, &list("search=BOB"), None).await;
    assert_eq!(
        (found["total"].as_u64(), found["data"][0]["id"].as_str()),
        (Some(1), Some(bob.as_str()))
    );

    // Update: ScaiKey first, then the cache.
    let (status, updated) = call(
        &app,
        &key,
        Method::PATCH,
        &format!("/api/v1/admin/users/{id}"),
        Some(json!({"first_name": "Augusta"})),
    )
    .await;
    assert_eq!(
        (status, updated["first_name"].as_str()),
        (200, Some("Augusta")),
        "{updated}"
    );
    assert_eq!(
        scaikey.directory_user(&upstream_id).unwrap()["first_name"],
        "Augusta"
    );

    // Password reset: forwarded, never echoed or audited.
    let (status, reset) = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/admin/users/{id}/password"),
        Some(json!({"password": "another-long-secret"})),
    )
    .await;
    assert_eq!(status, 200, "{reset}");
    assert!(!reset.to_string().contains("another-long-secret"));
    let last = scaikey.admin_calls().last().cloned().unwrap();
    assert_eq!(last.path, format!("/{upstream_id}/password"));
    assert_eq!(last.body["password"], "another-long-secret");
    let (status, short) = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/admin/users/{id}/password"),
        Some(json!({"password": "short"})),
    )
    .await;
    assert_eq!(status, 422, "{short}");

    // Resend the invitation.
    let (status, _) = call(
        &app,
        &key,
        Method::POST,
        &format!("/api/v1/admin/users/{bob_upstream}/resend-invite"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        scaikey.directory_user(&bob_upstream).unwrap()["invites_sent"],
        2
    );

    // Disable (DELETE), then enable again with PATCH.
    let (status, disabled) = call(
        &app,
        &key,
        Method::DELETE,
        &format!("/api/v1/admin/users/{bob}"),
        None,
    )
    .await;
    assert_eq!(
        (status, disabled["status"].as_str()),
        (200, Some("inactive")),
        "{disabled}"
    );
    assert_eq!(
        scaikey.directory_user(&bob_upstream).unwrap()["status"],
        "SUSPENDED"
    );
    let (_, found) = call(&app, &key, Method::GET, &list("status=inactive"), None).await;
    assert_eq!(found["data"][0]["id"].as_str(), Some(bob.as_str()));
    let (status, enabled) = call(
        &app,
        &key,
        Method::PATCH,
        &format!("/api/v1/admin/users/{bob}"),
        Some(json!({"status": "active"})),
    )
    .await;
    assert_eq!(
        (status, enabled["status"].as_str()),
        (200, Some("active")),
        "{enabled}"
    );
    assert_eq!(
        scaikey.directory_user(&bob_upstream).unwrap()["status"],
        "ACTIVE"
    );

    // Every change audited; no password in the log.
    assert!(
        actions(&app, &id)
            .await
            .contains(&"user.password_reset".to_owned())
    );
    let bob_actions = actions(&app, &bob).await;
    for action in [
        "user.invite",
        "user.invite_resend",
        "user.deactivate",
        "user.update",
    ] {
        assert!(
            bob_actions.contains(&action.to_owned()),
            "{action}: {bob_actions:?}"
        );
    }
    let (_, log) = call(
        &app,
        &key,
        Method::GET,
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    let log = log.to_string();
    assert!(!log.contains(PASSWORD) && !log.contains("another-long-secret"));

    // ScaiKey's own refusal of a taken e-mail is a 409.
    scaikey.directory(|d| {
        d.users
            .entry("tnt_acme".into())
            .or_default()
            .push(json!({"id": "usr_taken", "email": "taken@acme.test"}));
    });
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users",
        Some(json!({"email": "taken@acme.test", "tenant_id": tenant})),
    )
    .await;
    refused((status, body), 409, "user_exists");
}

#[tokio::test]
async fn a_scaikey_outage_is_502_and_changes_nothing() {
    let scaikey = ScaiKey::start().await;
    let (app, tenant) = scaikey_app(&scaikey).await;
    let key = app.admin_key.clone();
    let user = ok(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "ada@acme.test", "first_name": "Ada", "tenant_id": tenant}),
    )
    .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let before = user_count(&app, &tenant).await;
    scaikey.set_down(true);
    let path = format!("/api/v1/admin/users/{id}");
    let attempts = [
        (
            Method::POST,
            "/api/v1/admin/users".to_owned(),
            Some(json!({"email": "new@acme.test", "tenant_id": tenant})),
        ),
        (
            Method::POST,
            "/api/v1/admin/users/invite".to_owned(),
            Some(json!({"email": "inv@acme.test", "tenant_id": tenant})),
        ),
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"first_name": "Changed"})),
        ),
        (Method::DELETE, path.clone(), None),
        (
            Method::POST,
            format!("{path}/password"),
            Some(json!({"password": PASSWORD})),
        ),
        (Method::POST, format!("{path}/resend-invite"), None),
    ];
    for (method, target, body) in attempts {
        let resp = crate::util::send(&app, &key, method.clone(), &target, body).await;
        assert_eq!(resp.status().as_u16(), 502, "{method} {target}");
        assert!(
            resp.headers().contains_key("retry-after"),
            "{method} {target}"
        );
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["code"], "identity_provider_unavailable");
    }
    let (_, after) = call(&app, &key, Method::GET, &path, None).await;
    assert_eq!(
        (after["first_name"].as_str(), after["status"].as_str()),
        (Some("Ada"), Some("active"))
    );
    assert_eq!(user_count(&app, &tenant).await, before);
    assert_eq!(actions(&app, &id).await, ["user.create"]);
}

#[tokio::test]
async fn without_scaikey_users_are_local() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let user = ok(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "local@example.test", "first_name": "Lo"}),
    )
    .await;
    assert_eq!(user["scaikey_user_id"], Value::Null);
    let id = user["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/users/{id}");
    let updated = ok(
        &app,
        &key,
        Method::PATCH,
        &path,
        json!({"last_name": "Cal"}),
    )
    .await;
    assert_eq!(updated["last_name"], "Cal");
    let (status, disabled) = call(&app, &key, Method::DELETE, &path, None).await;
    assert_eq!(
        (status, disabled["status"].as_str()),
        (200, Some("inactive"))
    );
    let scaikey_only = [
        (
            format!("{path}/password"),
            Some(json!({"password": PASSWORD})),
        ),
        (format!("{path}/resend-invite"), None),
        (
            "/api/v1/admin/users/invite".to_owned(),
            Some(json!({"email": "i@example.test"})),
        ),
        (
            "/api/v1/admin/users".to_owned(),
            Some(json!({"email": "p@example.test", "password": PASSWORD})),
        ),
    ];
    for (target, body) in scaikey_only {
        let (status, body) = call(&app, &key, Method::POST, &target, body).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("identity_provider_not_configured")),
            "{target}: {body}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains("SCAIKEY_URL"),
            "{body}"
        );
    }
    let (_, listed) = call(
        &app,
        &key,
        Method::GET,
        "/api/v1/admin/users?search=nobody",
        None,
    )
    .await;
    assert_eq!(listed["total"], 0);
}

#[tokio::test]
async fn a_tenant_admin_stays_in_its_tenant_and_off_platform_admins() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("alpha").await;
    let b = app.tenant_with_user("beta").await;
    let p = &app.admin_key;

    // Another tenant's users: invisible, untouchable, not creatable.
    let b_user = format!("/api/v1/admin/users/{}", b.user_id);
    let list_b = format!("/api/v1/admin/users?tenant_id={}", b.tenant_id);
    refused(
        call(&app, &a.key, Method::GET, &list_b, None).await,
        403,
        "permission_denied",
    );
    let (_, own) = call(&app, &a.key, Method::GET, "/api/v1/admin/users", None).await;
    assert!(
        own["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["tenant_id"] == a.tenant_id.as_str())
    );
    for (method, target, body) in [
        (Method::GET, b_user.clone(), None),
        (
            Method::PATCH,
            b_user.clone(),
            Some(json!({"first_name": "X"})),
        ),
        (Method::DELETE, b_user.clone(), None),
        (
            Method::POST,
            format!("{b_user}/password"),
            Some(json!({"password": PASSWORD})),
        ),
        (Method::POST, format!("{b_user}/resend-invite"), None),
    ] {
        let (status, body) = call(&app, &a.key, method.clone(), &target, body).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("user_not_found")),
            "{method} {target}"
        );
    }
    let (status, _) = call(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/admin/users",
        Some(json!({"email": "intruder@beta.test", "tenant_id": b.tenant_id})),
    )
    .await;
    assert_eq!(status, 403);
    let (_, b_after) = call(&app, p, Method::GET, &b_user, None).await;
    assert_eq!(
        (b_after["first_name"].as_str(), b_after["status"].as_str()),
        (Some("Test"), Some("active"))
    );

    // A platform admin inside tenant A: its account is the platform's business.
    let boss = ok(
        &app,
        p,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "boss@alpha.test", "tenant_id": a.tenant_id}),
    )
    .await;
    app.service()
        .assign_platform_admin("boss@alpha.test", true)
        .await
        .unwrap();
    let boss_path = format!("/api/v1/admin/users/{}", boss["id"].as_str().unwrap());
    for (method, target, body) in [
        (
            Method::PATCH,
            boss_path.clone(),
            Some(json!({"status": "inactive"})),
        ),
        (Method::DELETE, boss_path.clone(), None),
        (
            Method::POST,
            format!("{boss_path}/password"),
            Some(json!({"password": PASSWORD})),
        ),
    ] {
        refused(
            call(&app, &a.key, method, &target, body).await,
            403,
            "platform_admin_protected",
        );
    }
    let (_, boss_after) = call(&app, p, Method::GET, &boss_path, None).await;
    assert_eq!(
        (
            boss_after["status"].as_str(),
            boss_after["is_platform_admin"].as_bool()
        ),
        (Some("active"), Some(true))
    );

    // No field makes a user platform admin; nobody disables themselves.
    let member = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "m@alpha.test", "is_platform_admin": true, "is_tenant_admin": true}),
    )
    .await;
    assert_eq!(
        (
            member["is_platform_admin"].as_bool(),
            member["tenant_id"].as_str()
        ),
        (Some(false), Some(a.tenant_id.as_str()))
    );
    let m_path = format!("/api/v1/admin/users/{}", member["id"].as_str().unwrap());
    let patched = ok(
        &app,
        &a.key,
        Method::PATCH,
        &m_path,
        json!({"is_platform_admin": true}),
    )
    .await;
    assert_eq!(patched["is_platform_admin"], false);
    refused(
        call(
            &app,
            &a.key,
            Method::DELETE,
            &format!("/api/v1/admin/users/{}", a.user_id),
            None,
        )
        .await,
        409,
        "cannot_disable_self",
    );

    // A key narrowed to users:read reads but cannot write.
    let narrow = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "reader", "scopes": ["users:read"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap().to_owned();
    assert_eq!(call(&app, &narrow, Method::GET, &m_path, None).await.0, 200);
    let (status, _) = call(&app, &narrow, Method::DELETE, &m_path, None).await;
    assert_eq!(status, 403);
    let (_, m_after) = call(&app, p, Method::GET, &m_path, None).await;
    assert_eq!(m_after["status"], "active");
}
