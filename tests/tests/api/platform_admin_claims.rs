//! Platform admin from the token (seed 004, issue 11 item 1): a `platform_admin` role or a
//! `platform:admin` scope makes its bearer a platform admin for the request, trusted by default
//! only from ScaiKey (`SCAIKEY_URL`) and from another issuer only with
//! `OIDC_TRUST_ADMIN_CLAIMS=true`; the first such request of a user is audited once. Also
//! `/auth/validate` and `/me/context` (spec api-identity §3.4). The settings are read the way
//! the server reads them (`IdentityConfig::from_vars`), so the trust default is what is tested.

use std::collections::HashMap;

use jsonwebtoken::Algorithm;
use scaidns_server::config::IdentityConfig;
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestApp, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

/// A server whose identity settings are `vars` plus the stand-in's client credentials.
async fn app_with_vars(vars: &[(&str, &str)]) -> TestApp {
    let mut all: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.insert("SCAIKEY_CLIENT_ID".into(), CLIENT_ID.into());
    all.insert("SCAIKEY_CLIENT_SECRET".into(), CLIENT_SECRET.into());
    let mut invalid = Vec::new();
    let identity = IdentityConfig::from_vars(&all, &mut invalid);
    assert!(invalid.is_empty(), "{invalid:?}");
    spawn_app_configured(TestOptions::default(), move |c| c.identity = identity).await
}

async fn tenant(app: &TestApp, slug: &str) -> String {
    app.client
        .tenant_create(&scaidns_client::types::TenantCreateRequest {
            name: format!("Tenant {slug}"),
            slug: slug.to_owned(),
            scaikey_tenant_id: Some(format!("tnt_{slug}")),
            partner_id: None,
            settings: None,
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

async fn get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
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

/// Entries of `action` in the whole log, as the platform admin sees it.
async fn audited(app: &TestApp, action: &str) -> Vec<Value> {
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/admin/audit-logs?action={action}")))
        .header("X-API-Key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

/// A token of a user of tenant `acme` whose `extra` claims are set.
fn token(scaikey: &ScaiKey, sub: &str, extra: Value) -> String {
    let mut claims = scaikey.claims(sub, "tnt_acme", &format!("{sub}@acme.test"));
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    scaikey.mint(&claims, Algorithm::ES256)
}

/// Whether `token` acts as a platform admin: `/me` says so and a platform-only list answers.
async fn acts_as_platform_admin(app: &TestApp, token: &str) -> bool {
    let (status, me) = get(app, "/api/v1/me", token).await;
    assert_eq!(status, 200, "{me}");
    let (status, tenants) = get(app, "/api/v1/admin/tenants", token).await;
    let flag = me["data"]["is_platform_admin"].as_bool().unwrap();
    assert_eq!(
        flag,
        status == 200,
        "/me and the tenant list disagree: {tenants}"
    );
    if !flag {
        assert_eq!(status, 403, "{tenants}");
    }
    flag
}

#[tokio::test]
async fn scaikey_claims_make_platform_admins_audited_once_per_user() {
    let scaikey = ScaiKey::start().await;
    let app = app_with_vars(&[("SCAIKEY_URL", scaikey.issuer())]).await;
    tenant(&app, "acme").await;

    // The seed's two shapes (roles array, space-separated scope), and one token without.
    let by_role = token(&scaikey, "usr_root", json!({"roles": ["platform_admin"]}));
    let by_scope = token(
        &scaikey,
        "usr_ops",
        json!({"scope": "openid email platform:admin"}),
    );
    let plain = token(&scaikey, "usr_joe", json!({"roles": ["tenant_admin"]}));
    assert!(acts_as_platform_admin(&app, &by_role).await);
    assert!(acts_as_platform_admin(&app, &by_scope).await);
    assert!(!acts_as_platform_admin(&app, &plain).await);
    // Near misses are not the claim.
    let lookalike = token(
        &scaikey,
        "usr_eve",
        json!({"roles": ["Platform_Admin", "platform_admins"], "scope": "platform:admins"}),
    );
    assert!(!acts_as_platform_admin(&app, &lookalike).await);

    // Many requests, one entry per user, naming the claim that did it.
    for _ in 0..3 {
        assert!(acts_as_platform_admin(&app, &by_role).await);
    }
    let entries = audited(&app, "user.platform_admin_claim").await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let root = entries
        .iter()
        .find(|e| e["details"]["after"]["subject"] == "usr_root")
        .expect("usr_root audited");
    assert_eq!(root["details"]["after"]["issuer"], scaikey.issuer());
    assert_eq!(root["actor_email"], "usr_root@acme.test");

    // The claim lasts as long as the token: the same user without it is an ordinary user, and
    // nothing was stored on the user.
    let without = token(&scaikey, "usr_root", json!({}));
    assert!(!acts_as_platform_admin(&app, &without).await);

    // /me/context shows the request's permissions: everything for the claim, not for others.
    let (status, ctx) = get(&app, "/api/v1/me/context", &by_role).await;
    assert_eq!(status, 200, "{ctx}");
    assert_eq!(ctx["data"]["user"]["is_platform_admin"], true);
    let platform = ctx["data"]["permissions"]["platform"].as_array().unwrap();
    assert!(platform.contains(&json!("platform:admin")), "{ctx}");
    let (_, ctx) = get(&app, "/api/v1/me/context", &plain).await;
    assert_eq!(ctx["data"]["permissions"]["platform"], json!([]), "{ctx}");
    assert_eq!(ctx["data"]["tenant"]["slug"], "acme");
    assert_eq!(ctx["data"]["tenant"]["status"], "active");
    app.stop().await;
}

#[tokio::test]
async fn another_issuer_is_trusted_only_when_configured() {
    // The stand-in plays a generic OpenID Connect provider: it is not SCAIKEY_URL.
    let idp = ScaiKey::start().await;
    let admin_claim = json!({"roles": ["platform_admin"], "scope": "platform:admin"});

    // Not trusted: the claim is ignored, the request is not refused.
    let app = app_with_vars(&[("OIDC_ISSUER", idp.issuer())]).await;
    tenant(&app, "acme").await;
    let tok = token(&idp, "usr_mallory", admin_claim.clone());
    assert!(!acts_as_platform_admin(&app, &tok).await);
    assert!(audited(&app, "user.platform_admin_claim").await.is_empty());
    app.stop().await;

    // ScaiKey configured beside it does not lend the other issuer its trust.
    let scaikey = ScaiKey::start().await;
    let app = app_with_vars(&[
        ("SCAIKEY_URL", scaikey.issuer()),
        ("OIDC_ISSUER", idp.issuer()),
    ])
    .await;
    tenant(&app, "acme").await;
    assert!(!acts_as_platform_admin(&app, &token(&idp, "usr_mallory", admin_claim.clone())).await);
    // ScaiKey's own tokens are not accepted by a server verifying another issuer.
    let (status, body) = get(
        &app,
        "/api/v1/me",
        &token(&scaikey, "usr_x", admin_claim.clone()),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    app.stop().await;

    // Trusted explicitly: honoured.
    let app = app_with_vars(&[
        ("OIDC_ISSUER", idp.issuer()),
        ("OIDC_TRUST_ADMIN_CLAIMS", "true"),
    ])
    .await;
    tenant(&app, "acme").await;
    assert!(acts_as_platform_admin(&app, &token(&idp, "usr_trent", admin_claim)).await);
    assert_eq!(audited(&app, "user.platform_admin_claim").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn validate_answers_for_another_service() {
    let scaikey = ScaiKey::start().await;
    let app = app_with_vars(&[("SCAIKEY_URL", scaikey.issuer())]).await;
    let post = |body: Value| {
        let req = app.http.post(app.url("/api/v1/auth/validate")).json(&body);
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // No credentials needed; the tenant need not be known here (only the token is checked).
    let good = token(&scaikey, "usr_ada", json!({"roles": ["platform_admin"]}));
    let (status, body) = post(json!({"token": good})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], true);
    assert_eq!(body["sub"], "usr_ada");
    assert_eq!(body["tenant_id"], "tnt_acme");
    assert!(body["exp"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    assert_eq!(body["claims"]["iss"], scaikey.issuer());
    assert_eq!(body["claims"]["platform_admin"], true);
    assert!(body.get("reason").is_none(), "{body}");

    let mut expired = scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test");
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    for (token, reason) in [
        (scaikey.mint(&expired, Algorithm::RS256), "token_expired"),
        (scaikey.forge(&expired), "token_invalid"),
        ("not.a.jwt".to_owned(), "token_malformed"),
        (String::new(), "token_malformed"),
    ] {
        let (status, body) = post(json!({"token": token})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"valid": false, "reason": reason}));
    }
    // A body without the token is the caller's mistake.
    let (status, body) = post(json!({"jwt": "x"})).await;
    assert_eq!(status, 422, "{body}");
    app.stop().await;

    // Without a provider there is nothing to validate against.
    let bare = spawn_app_configured(TestOptions::default(), |_| {}).await;
    let resp = bare
        .http
        .post(bare.url("/api/v1/auth/validate"))
        .json(&json!({"token": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "identity_provider_not_configured");
    bare.stop().await;
}

#[tokio::test]
async fn me_context_with_a_narrow_api_key_shows_only_its_scopes() {
    let app = spawn_app_configured(TestOptions::default(), |_| {}).await;
    let t = app.tenant_with_user("ctx").await;
    let resp = t
        .client
        .api_key_create(&scaidns_client::types::ApiKeyCreateRequest {
            name: "reader".into(),
            description: None,
            permission_source: None,
            permission_source_id: Some(t.user_id.clone()),
            scopes: vec!["domains:read".into()],
            rate_limit: None,
            ip_whitelist: vec![],
            expires_at: None,
        })
        .await;
    let key = resp.unwrap().into_inner().key;
    let body: Value = app
        .http
        .get(app.url("/api/v1/me/context"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["user"]["auth_method"], "api_key", "{body}");
    assert_eq!(
        body["data"]["permissions"]["tenant"],
        json!(["domains:read"])
    );
    assert_eq!(body["data"]["permissions"]["platform"], json!([]));
    assert_eq!(body["data"]["tenant"]["slug"], "ctx");
    assert_eq!(body["data"]["tenant"]["is_platform"], false);
    app.stop().await;
}

#[tokio::test]
async fn a_real_generic_provider_is_honoured_only_when_trusted() {
    let idp = scaidns_tests::oidc_provider::OidcProvider::start().await;
    let claims = json!({
        "tenant_id": "tnt_acme", "email": "svc@acme.test", "roles": ["platform_admin"],
    });
    // The user asked its provider for the admin scope and role: both are in the token.
    let tok = idp.token("platform:admin", &claims).await;
    for (trust, honoured) in [(None, false), (Some("true"), true)] {
        let mut vars = vec![
            ("OIDC_ISSUER", idp.issuer()),
            ("OIDC_AUDIENCE", scaidns_tests::oidc_provider::AUDIENCE),
        ];
        if let Some(trust) = trust {
            vars.push(("OIDC_TRUST_ADMIN_CLAIMS", trust));
        }
        let app = app_with_vars(&vars).await;
        tenant(&app, "acme").await;
        assert_eq!(
            acts_as_platform_admin(&app, &tok).await,
            honoured,
            "{trust:?}"
        );
        let entries = audited(&app, "user.platform_admin_claim").await;
        assert_eq!(entries.len(), usize::from(honoured), "{entries:#?}");
        app.stop().await;
    }
}
