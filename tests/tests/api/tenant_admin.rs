//! Suspending a tenant (`PATCH /api/v1/admin/tenants/{id}`) against PowerDNS and the ScaiKey
//! stand-in: its API key, its users' tokens and its grantees are refused from the next request
//! on while its zones keep answering DNS; only platform admins may do it; resuming restores
//! access; each step is audited.

use jsonwebtoken::Algorithm;
use reqwest::Method;
use scaidns_server::config::OidcSettings;
use scaidns_tests::dns;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TenantUser, TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use crate::util::{active_zone, call, ok, refused};

/// A GET that must answer 200; its JSON body.
pub async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let (status, body) = call(app, key, Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn bearer(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let resp = app
        .http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A tenant known to the provider as `tnt_<slug>`, with a tenant admin and its key.
async fn provider_tenant(app: &TestApp, slug: &str) -> TenantUser {
    let key = &app.admin_key;
    let tenant = ok(
        app,
        key,
        Method::POST,
        "/api/v1/admin/tenants",
        json!({"name": slug, "slug": slug, "scaikey_tenant_id": format!("tnt_{slug}"),
               "settings": {"tier": "gold"}}),
    )
    .await;
    assert_eq!(tenant["settings"]["tier"], "gold");
    let tenant_id = tenant["id"].as_str().unwrap().to_owned();
    let user = ok(
        app,
        key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": format!("admin@{slug}.test"), "tenant_id": tenant_id}),
    )
    .await;
    let user_id = user["id"].as_str().unwrap().to_owned();
    app.assign_role(&user_id, "tenant_admin", &tenant_id).await;
    let issued = ok(
        app,
        key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "first", "permission_source_id": user_id}),
    )
    .await;
    let secret = issued["key"].as_str().unwrap().to_owned();
    TenantUser {
        tenant_id,
        user_id,
        client: app.client_with_key(&secret),
        key: secret,
        key_id: issued["id"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn a_suspended_tenant_is_refused_but_its_zones_keep_answering() {
    let pdns = PdnsServer::start().await;
    let scaikey = ScaiKey::start().await;
    let mut oidc = OidcSettings::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        move |c| c.identity.oidc = Some(oidc),
    )
    .await;
    let admin = app.admin_key.clone();
    let acme = provider_tenant(&app, "acme").await;
    let beta = provider_tenant(&app, "beta").await;
    let zone = active_zone(&app, &acme, "suspend.test").await;
    ok(
        &app,
        &acme.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "www", "type": "A", "content": "192.0.2.7"}),
    )
    .await;
    // A grantee: a user of acme who reads the zone through a grant alone.
    let grantee = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "grantee@acme.test", "tenant_id": acme.tenant_id}),
    )
    .await;
    let grantee_id = grantee["id"].as_str().unwrap();
    crate::grants::grant_user(
        &app,
        &acme.key,
        &zone,
        grantee_id,
        json!({"role": "read_only"}),
    )
    .await;
    let grantee_key = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "grantee", "permission_source_id": grantee_id}),
    )
    .await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = scaikey.mint(
        &scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test"),
        Algorithm::RS256,
    );
    let zone_path = format!("/api/v1/domains/{zone}");
    assert_eq!(bearer(&app, &token, "/api/v1/auth/me").await.0, 200);
    get(&app, &acme.key, &zone_path).await;
    get(&app, &grantee_key, &zone_path).await;
    refused(
        call(&app, &beta.key, Method::GET, &zone_path, None).await,
        404,
        "domain_not_found",
    );
    app.assign_role(&beta.user_id, "read_only", &acme.tenant_id)
        .await;
    get(&app, &beta.key, &zone_path).await;

    // The attacker view: no tenant admin changes a tenant's status, its own or another's.
    let acme_path = format!("/api/v1/admin/tenants/{}", acme.tenant_id);
    let beta_path = format!("/api/v1/admin/tenants/{}", beta.tenant_id);
    for (key, path) in [
        (&acme.key, &acme_path),
        (&beta.key, &acme_path),
        (&acme.key, &beta_path),
    ] {
        let got = call(
            &app,
            key,
            Method::PATCH,
            path,
            Some(json!({"status": "suspended"})),
        )
        .await;
        refused(got, 403, "permission_denied");
    }
    let platform = format!("/api/v1/admin/tenants/{}", app.platform_tenant_id);
    let got = call(
        &app,
        &admin,
        Method::PATCH,
        &platform,
        Some(json!({"status": "suspended"})),
    )
    .await;
    refused(got, 409, "platform_tenant");
    for bad in [
        json!({"status": "paused"}),
        json!({"settings": []}),
        json!({"name": ""}),
    ] {
        let got = call(&app, &admin, Method::PATCH, &acme_path, Some(bad.clone())).await;
        assert_eq!(got.0, 422, "{bad}: {}", got.1);
    }

    let suspended = ok(
        &app,
        &admin,
        Method::PATCH,
        &acme_path,
        json!({"status": "suspended"}),
    )
    .await;
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(suspended["settings"]["tier"], "gold", "untouched");
    // The very next request: the key, the token and the grantee are refused.
    refused(
        call(&app, &acme.key, Method::GET, &zone_path, None).await,
        403,
        "tenant_suspended",
    );
    let (status, body) = bearer(&app, &token, "/api/v1/auth/me").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("tenant_suspended")),
        "{body}"
    );
    refused(
        call(&app, &grantee_key, Method::GET, &zone_path, None).await,
        403,
        "tenant_suspended",
    );
    // Another tenant is unaffected.
    get(&app, &beta.key, "/api/v1/auth/me").await;
    // A user of beta holding a role in acme: acme's zones leave its view (404, as for a zone
    // it never saw), and its own tenant still works.
    refused(
        call(&app, &beta.key, Method::GET, &zone_path, None).await,
        404,
        "domain_not_found",
    );
    let own = active_zone(&app, &beta, "beta-own.test").await;
    get(&app, &beta.key, &format!("/api/v1/domains/{own}")).await;
    // PowerDNS still answers for the zone.
    let answer = dns::query(pdns.dns_addr, "www.suspend.test.", "A").await;
    assert_eq!(answer.answer_texts("A"), vec!["192.0.2.7"]);

    let resumed = ok(
        &app,
        &admin,
        Method::PATCH,
        &acme_path,
        json!({"status": "active"}),
    )
    .await;
    assert_eq!(resumed["status"], "active");
    get(&app, &acme.key, &zone_path).await;
    get(&app, &beta.key, &zone_path).await;
    get(&app, &grantee_key, &zone_path).await;
    assert_eq!(bearer(&app, &token, "/api/v1/auth/me").await.0, 200);

    let log = get(
        &app,
        &admin,
        &format!("/api/v1/admin/audit-logs?resource_id={}", acme.tenant_id),
    )
    .await;
    let actions: Vec<&str> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"tenant.suspend") && actions.contains(&"tenant.resume"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn tenants_are_created_with_a_partner_and_settings_and_filtered_by_status() {
    let app = scaidns_tests::spawn_app().await;
    let key = app.admin_key.clone();
    let got = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/tenants",
        Some(json!({"name": "P", "slug": "p", "partner_id": "prt_unknown"})),
    )
    .await;
    assert_eq!(
        (got.0, got.1["code"].as_str()),
        (422, Some("invalid_input")),
        "{}",
        got.1
    );
    let got = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/tenants",
        Some(json!({"name": "P", "slug": "p", "settings": "flat"})),
    )
    .await;
    assert_eq!(got.0, 422, "{}", got.1);
    let one = ok(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/tenants",
        json!({"name": "One", "slug": "one"}),
    )
    .await;
    ok(
        &app,
        &key,
        Method::POST,
        "/api/v1/admin/tenants",
        json!({"name": "Two", "slug": "two"}),
    )
    .await;
    let one_path = format!("/api/v1/admin/tenants/{}", one["id"].as_str().unwrap());
    let renamed = ok(
        &app,
        &key,
        Method::PATCH,
        &one_path,
        json!({"name": "Uno", "status": "suspended"}),
    )
    .await;
    assert_eq!(
        (&renamed["name"], &renamed["status"]),
        (&json!("Uno"), &json!("suspended"))
    );

    let suspended = get(&app, &key, "/api/v1/admin/tenants?status=suspended").await;
    assert_eq!(suspended["total"], 1);
    assert_eq!(suspended["data"][0]["id"], one["id"]);
    let active = get(&app, &key, "/api/v1/admin/tenants?status=active&search=tw").await;
    assert_eq!(active["total"], 1);
    assert_eq!(active["data"][0]["slug"], "two");
    let bad = call(
        &app,
        &key,
        Method::GET,
        "/api/v1/admin/tenants?status=gone",
        None,
    )
    .await;
    assert_eq!(bad.0, 400, "{}", bad.1);
    let missing = call(
        &app,
        &key,
        Method::PATCH,
        "/api/v1/admin/tenants/00000000-0000-0000-0000-000000000000",
        Some(json!({"name": "x"})),
    )
    .await;
    refused(missing, 404, "tenant_not_found");

    // A tenant a platform admin belongs to is not suspended: the admin would go with it.
    let held = app.tenant_with_user("held").await;
    app.service()
        .assign_platform_admin("user@held.test", true)
        .await
        .unwrap();
    let held_path = format!("/api/v1/admin/tenants/{}", held.tenant_id);
    let got = call(
        &app,
        &key,
        Method::PATCH,
        &held_path,
        Some(json!({"status": "suspended"})),
    )
    .await;
    refused(got, 409, "tenant_holds_platform_admins");
    assert_eq!(get(&app, &key, &held_path).await["status"], "active");
}
