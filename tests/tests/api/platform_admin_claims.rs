//! Platform admin from the token (seed 004, issue 11 item 1): a `platform_admin` role or a
//! `platform:admin` scope makes its bearer a platform admin for the request, trusted by default
//! only from ScaiKey (`SCAIKEY_URL`) and from another issuer only with
//! `OIDC_TRUST_ADMIN_CLAIMS=true`; the first such request of a user is audited once. Also
//! `/auth/validate` and `/me/context` (spec api-identity §3.4). The settings are read the way
//! the server reads them (`IdentityConfig::from_vars`), so the trust default is what is tested;
//! trust needs a checked audience and, while on, the configured issuer.

use std::collections::HashMap;

use jsonwebtoken::Algorithm;
use scaidns_core::tenant::{TenantStatus, UserStatus};
use scaidns_server::config::IdentityConfig;
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey};
use scaidns_tests::{TestApp, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

/// A server whose identity settings are `vars` plus the stand-in's client credentials (so its
/// client id is the audience checked).
async fn app_with_vars(vars: &[(&str, &str)]) -> TestApp {
    let mut all = vars.to_vec();
    all.extend([
        ("SCAIKEY_CLIENT_ID", CLIENT_ID),
        ("SCAIKEY_CLIENT_SECRET", CLIENT_SECRET),
    ]);
    app_with_only(&all).await
}

/// A server whose identity settings are exactly `vars`.
async fn app_with_only(vars: &[(&str, &str)]) -> TestApp {
    let all: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
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
    // No credentials needed. `valid` is what a request with the token would get: a tenant
    // ScaiDNS does not know is refused.
    let good = token(&scaikey, "usr_ada", json!({"roles": ["platform_admin"]}));
    let (status, body) = post(json!({"token": good})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"valid": false, "reason": "unknown_tenant"}));
    let tenant_id = tenant(&app, "acme").await;
    let (status, body) = post(json!({"token": good})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["valid"], true, "{body}");
    assert_eq!(body["sub"], "usr_ada");
    assert_eq!(body["tenant_id"], "tnt_acme");
    assert!(body["exp"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    assert_eq!(body["claims"]["iss"], scaikey.issuer());
    assert_eq!(body["claims"]["roles"], json!(["platform_admin"]));
    // The deployment's trust setting is nobody's business.
    assert!(body["claims"].get("platform_admin").is_none(), "{body}");
    assert!(body.get("reason").is_none(), "{body}");
    // Validating creates no user: a user first seen by a request is.
    let store = app.service().store().clone();
    assert!(
        store
            .get_user_by_scaikey_id("usr_ada")
            .await
            .unwrap()
            .is_none()
    );
    // A user first seen needs an e-mail to be created.
    let mut no_email = scaikey.claims("usr_nomail", "tnt_acme", "x@acme.test");
    no_email.as_object_mut().unwrap().remove("email");
    let (_, body) = post(json!({"token": scaikey.mint(&no_email, Algorithm::ES256)})).await;
    assert_eq!(body, json!({"valid": false, "reason": "email_required"}));

    // A disabled user, then a suspended tenant: refused as a request would be.
    let (status, me) = get(&app, "/api/v1/me", &good).await;
    assert_eq!(status, 200, "{me}");
    let mut user = store
        .get_user_by_scaikey_id("usr_ada")
        .await
        .unwrap()
        .unwrap();
    user.status = UserStatus::Inactive;
    store.update_user(&user, &[]).await.unwrap();
    let (_, body) = post(json!({"token": good})).await;
    assert_eq!(body, json!({"valid": false, "reason": "user_inactive"}));
    let mut acme = store
        .get_tenant(tenant_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    acme.status = TenantStatus::Suspended;
    store.update_tenant(&acme, &[]).await.unwrap();
    let (_, body) = post(json!({"token": good})).await;
    assert_eq!(body, json!({"valid": false, "reason": "tenant_suspended"}));

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
    let who = json!({"tenant_id": "tnt_acme", "email": "svc@acme.test"});
    let mut with_role = who.clone();
    with_role["roles"] = json!(["platform_admin"]);
    // The user asked its provider for the admin scope, or set itself the admin role: each
    // path alone, the other absent from the token.
    let by_scope = idp.token("platform:admin", &who).await;
    let by_role = idp.token("", &with_role).await;
    let plain = idp.token("", &who).await;
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
        assert!(!acts_as_platform_admin(&app, &plain).await);
        for tok in [&by_scope, &by_role] {
            assert_eq!(
                acts_as_platform_admin(&app, tok).await,
                honoured,
                "{trust:?}"
            );
        }
        let entries = audited(&app, "user.platform_admin_claim").await;
        assert_eq!(entries.len(), usize::from(honoured), "{entries:#?}");
        app.stop().await;
    }
}

#[tokio::test]
async fn without_an_audience_check_admin_claims_are_ignored() {
    // A ScaiKey token for another application of the same ScaiKey would pass a server that
    // checks no audience, so its admin claims must not count, even when asked to.
    let scaikey = ScaiKey::start().await;
    let mut claims = scaikey.claims("usr_other_app", "tnt_acme", "other@acme.test");
    claims["aud"] = json!("another-application");
    claims["roles"] = json!(["platform_admin"]);
    claims["scope"] = json!("platform:admin");
    let tok = scaikey.mint(&claims, Algorithm::ES256);
    for trust in [None, Some("true")] {
        let mut vars = vec![("SCAIKEY_URL", scaikey.issuer())];
        vars.extend(trust.map(|t| ("OIDC_TRUST_ADMIN_CLAIMS", t)));
        let app = app_with_only(&vars).await;
        tenant(&app, "acme").await;
        assert!(!acts_as_platform_admin(&app, &tok).await, "{trust:?}");
        assert!(audited(&app, "user.platform_admin_claim").await.is_empty());
        app.stop().await;
    }
}

#[tokio::test]
async fn admin_claims_need_the_configured_issuer_and_scaikeys_discovery() {
    let scaikey = ScaiKey::start().await;
    let idp = ScaiKey::start().await;
    let admin_claim = json!({"roles": ["platform_admin"]});
    let idp_discovery = format!("{}/.well-known/openid-configuration", idp.issuer());

    // SCAIKEY_URL with another provider's discovery document is not ScaiKey: the tokens it
    // vouches for are accepted, their admin claims are not trusted by default.
    let app = app_with_vars(&[
        ("SCAIKEY_URL", scaikey.issuer()),
        ("OIDC_DISCOVERY_URL", &idp_discovery),
    ])
    .await;
    tenant(&app, "acme").await;
    assert!(!acts_as_platform_admin(&app, &token(&idp, "usr_mallory", admin_claim.clone())).await);
    app.stop().await;

    // Trusted, but the discovery document names another issuer than the configured one:
    // every token is refused, not only its claims.
    let app = app_with_vars(&[
        ("SCAIKEY_URL", scaikey.issuer()),
        ("OIDC_DISCOVERY_URL", &idp_discovery),
        ("OIDC_TRUST_ADMIN_CLAIMS", "true"),
    ])
    .await;
    tenant(&app, "acme").await;
    for sub in ["usr_mallory", "usr_plain"] {
        let claims = if sub == "usr_plain" {
            json!({})
        } else {
            admin_claim.clone()
        };
        let (status, body) = get(&app, "/api/v1/me", &token(&idp, sub, claims)).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["code"], "token_issuer", "{body}");
    }
    assert!(audited(&app, "user.platform_admin_claim").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_key_made_by_a_claim_admin_has_no_platform_rights() {
    let scaikey = ScaiKey::start().await;
    let app = app_with_vars(&[("SCAIKEY_URL", scaikey.issuer())]).await;
    tenant(&app, "acme").await;
    let admin = token(&scaikey, "usr_root", json!({"roles": ["platform_admin"]}));
    assert!(acts_as_platform_admin(&app, &admin).await);
    let (_, me) = get(&app, "/api/v1/me", &admin).await;
    let user_id = me["data"]["id"].as_str().unwrap().to_owned();
    let resp = app
        .http
        .post(app.url("/api/v1/api-keys"))
        .bearer_auth(&admin)
        .json(&json!({
            "name": "from-the-claim",
            "permission_source_id": user_id,
            "scopes": ["platform:admin", "domains:read"],
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let key = body["key"].as_str().expect("the key").to_owned();
    // The key is bound by the user's stored rights, which hold no platform admin.
    let resp = app
        .http
        .get(app.url("/api/v1/admin/tenants"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let ctx: Value = app
        .http
        .get(app.url("/api/v1/me/context"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ctx["data"]["permissions"]["platform"], json!([]), "{ctx}");
    assert_eq!(ctx["data"]["user"]["is_platform_admin"], false, "{ctx}");
    app.stop().await;
}
