//! Bearer tokens from the identity provider (ScaiKey stand-in): validation and each refusal
//! reason, key rotation and the refetch floor, tenant resolution and users on first sight, the
//! OAuth proxy with PKCE, and a provider outage that must not lock out known users.

use std::time::Duration;

use jsonwebtoken::Algorithm;
use scaidns_server::config::OidcSettings;
use scaidns_tests::scaikey::{CLIENT_ID, CLIENT_SECRET, ScaiKey, s256};
use scaidns_tests::{TestApp, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

async fn app_with(scaikey: &ScaiKey, tune: impl FnOnce(&mut OidcSettings)) -> TestApp {
    let mut oidc = OidcSettings::new(scaikey.issuer());
    oidc.client_id = Some(CLIENT_ID.into());
    oidc.client_secret = Some(CLIENT_SECRET.into());
    oidc.audience = Some(CLIENT_ID.into());
    tune(&mut oidc);
    spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.oidc = Some(oidc)
    })
    .await
}

/// A tenant known to ScaiDNS under the provider id `tnt_<slug>`.
async fn tenant(app: &TestApp, slug: &str) -> String {
    let t = app
        .client
        .tenant_create(&scaidns_client::types::TenantCreateRequest {
            name: format!("Tenant {slug}"),
            slug: slug.to_owned(),
            scaikey_tenant_id: Some(format!("tnt_{slug}")),
            partner_id: None,
            settings: None,
        })
        .await
        .unwrap()
        .into_inner();
    t.id
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn refused(app: &TestApp, token: &str, status: u16, code: &str) {
    let (got, body) = me(app, token).await;
    assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
}

#[tokio::test]
async fn valid_tokens_of_every_algorithm_act_as_a_user_created_on_first_sight() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |_| {}).await;
    let tenant_id = tenant(&app, "acme").await;
    let claims = scaikey.claims("usr_ada", "tnt_acme", "Ada@Acme.test");

    let (status, body) = me(&app, &scaikey.mint(&claims, Algorithm::RS256)).await;
    assert_eq!(status, 200, "{body}");
    let user = &body["data"];
    assert_eq!(user["email"], "ada@acme.test");
    assert_eq!(user["scaikey_user_id"], "usr_ada");
    assert_eq!(user["tenant"]["id"], tenant_id.as_str());
    assert_eq!(user["auth_method"], "jwt");
    assert_eq!(user["is_platform_admin"], false);
    assert_eq!(user["is_tenant_admin"], false);

    for alg in [Algorithm::ES256, Algorithm::EdDSA] {
        let (status, body) = me(&app, &scaikey.mint(&claims, alg)).await;
        assert_eq!(status, 200, "{alg:?}: {body}");
        assert_eq!(
            body["data"]["id"], user["id"],
            "the same user, not a new one"
        );
    }
    // typ JWT and no typ are accepted as well as at+jwt.
    for typ in [Some("JWT"), None] {
        let token = scaikey.mint_typed(&claims, Algorithm::RS256, typ);
        assert_eq!(me(&app, &token).await.0, 200);
    }
    // /me answers the same.
    let token = scaikey.mint(&claims, Algorithm::ES256);
    let resp = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["id"], user["id"]);

    // The first sight is audited.
    let audit = app
        .http
        .get(app.url("/api/v1/admin/audit-logs?action=user.create"))
        .header("X-API-Key", &app.admin_key)
        .send()
        .await
        .unwrap();
    if audit.status() == 200 {
        let audit: Value = audit.json().await.unwrap();
        assert!(audit.to_string().contains("usr_ada") || audit.to_string().contains("ada@"));
    }
}

#[tokio::test]
async fn each_refusal_has_its_reason() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |_| {}).await;
    tenant(&app, "acme").await;
    let good = scaikey.claims("usr_bob", "tnt_acme", "bob@acme.test");
    let now = chrono::Utc::now().timestamp();
    let with = |patch: Value| {
        let mut c = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };

    let expired = with(json!({"exp": now - 120}));
    refused(
        &app,
        &scaikey.mint(&expired, Algorithm::RS256),
        401,
        "token_expired",
    )
    .await;
    // Within the 60 s leeway an expired token still passes.
    let barely = with(json!({"exp": now - 30}));
    assert_eq!(
        me(&app, &scaikey.mint(&barely, Algorithm::RS256)).await.0,
        200
    );
    let early = with(json!({"nbf": now + 600}));
    refused(
        &app,
        &scaikey.mint(&early, Algorithm::ES256),
        401,
        "token_not_yet_valid",
    )
    .await;
    let other_aud = with(json!({"aud": "app_someone_else"}));
    refused(
        &app,
        &scaikey.mint(&other_aud, Algorithm::RS256),
        401,
        "token_audience",
    )
    .await;
    let other_iss = with(json!({"iss": "https://evil.example"}));
    refused(
        &app,
        &scaikey.mint(&other_iss, Algorithm::RS256),
        401,
        "token_issuer",
    )
    .await;
    refused(&app, &scaikey.forge(&good), 401, "token_invalid").await;
    refused(&app, "not.a.jwt", 401, "token_malformed").await;
    refused(&app, "garbage", 401, "token_malformed").await;
    let id_typed = scaikey.mint_typed(&good, Algorithm::RS256, Some("logout+jwt"));
    refused(&app, &id_typed, 401, "token_malformed").await;
    let no_sub = with(json!({"sub": ""}));
    refused(
        &app,
        &scaikey.mint(&no_sub, Algorithm::RS256),
        401,
        "token_malformed",
    )
    .await;

    // A refusal says nothing about the expected values.
    let (_, body) = me(&app, &scaikey.mint(&other_aud, Algorithm::RS256)).await;
    assert!(!body.to_string().contains(CLIENT_ID), "{body}");
}

#[tokio::test]
async fn unknown_tenants_are_forbidden_and_suspended_users_too() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |_| {}).await;
    tenant(&app, "acme").await;
    let stranger = scaikey.claims("usr_x", "tnt_nowhere", "x@nowhere.test");
    refused(
        &app,
        &scaikey.mint(&stranger, Algorithm::RS256),
        403,
        "unknown_tenant",
    )
    .await;
    let mut no_tenant = scaikey.claims("usr_y", "tnt_acme", "y@acme.test");
    no_tenant.as_object_mut().unwrap().remove("tenant_id");
    refused(
        &app,
        &scaikey.mint(&no_tenant, Algorithm::RS256),
        403,
        "unknown_tenant",
    )
    .await;
}

#[tokio::test]
async fn rotated_keys_are_fetched_once_and_unknown_kids_cannot_hammer_the_provider() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |c| {
        c.jwks_refetch_floor = Duration::from_millis(500);
        c.token_cache_ttl = Duration::ZERO;
    })
    .await;
    tenant(&app, "acme").await;
    let claims = scaikey.claims("usr_rot", "tnt_acme", "rot@acme.test");
    assert_eq!(
        me(&app, &scaikey.mint(&claims, Algorithm::RS256)).await.0,
        200
    );
    let fetched = scaikey.jwks_fetches();
    assert!(fetched >= 1);

    // Past the floor, a token signed with a new key makes ScaiDNS fetch the keys again.
    tokio::time::sleep(Duration::from_millis(600)).await;
    scaikey.rotate(Algorithm::RS256);
    assert_eq!(
        me(&app, &scaikey.mint(&claims, Algorithm::RS256)).await.0,
        200
    );
    assert_eq!(scaikey.jwks_fetches(), fetched + 1);

    // Within the floor, more new kids are refused without another fetch.
    scaikey.rotate(Algorithm::ES256);
    let token = scaikey.mint(&claims, Algorithm::ES256);
    for _ in 0..5 {
        refused(&app, &token, 401, "token_invalid").await;
    }
    assert_eq!(
        scaikey.jwks_fetches(),
        fetched + 1,
        "no fetch inside the floor"
    );

    // After the floor, the same token passes.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(me(&app, &token).await.0, 200);
    assert_eq!(scaikey.jwks_fetches(), fetched + 2);
}

#[tokio::test]
async fn a_provider_outage_does_not_lock_out_known_users() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |c| {
        // Keys are always stale and tokens never cached: every request would refetch.
        c.jwks_cache_ttl = Duration::ZERO;
        c.token_cache_ttl = Duration::ZERO;
        c.jwks_refetch_floor = Duration::ZERO;
    })
    .await;
    tenant(&app, "acme").await;
    let claims = scaikey.claims("usr_kim", "tnt_acme", "kim@acme.test");
    assert_eq!(
        me(&app, &scaikey.mint(&claims, Algorithm::RS256)).await.0,
        200
    );

    scaikey.set_down(true);
    for alg in [Algorithm::RS256, Algorithm::EdDSA] {
        let (status, body) = me(&app, &scaikey.mint(&claims, alg)).await;
        assert_eq!(status, 200, "{body}");
    }
    // API keys never depend on the provider.
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .header("X-API-Key", &app.admin_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["auth_method"], "api_key");
    assert_eq!(body["data"]["is_platform_admin"], true);
}

#[tokio::test]
async fn bearer_tokens_without_a_provider_are_refused() {
    let app = scaidns_tests::spawn_app().await;
    let resp = app
        .http
        .get(app.url("/api/v1/auth/me"))
        .bearer_auth("eyJhbGciOiJSUzI1NiJ9.e30.sig")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "jwt_not_configured");
    let resp = app
        .http
        .get(app.url("/api/v1/auth/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
}

#[tokio::test]
async fn the_oauth_proxy_exchanges_codes_with_pkce_and_rotates_refresh_tokens() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |_| {}).await;
    tenant(&app, "acme").await;

    let config: Value = app
        .http
        .get(app.url("/api/v1/auth/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["client_id"], CLIENT_ID);
    assert_eq!(config["issuer"], scaikey.issuer());
    assert_eq!(
        config["token_endpoint"],
        format!("{}/oauth/token", scaikey.issuer())
    );
    assert!(
        config["userinfo_endpoint"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/auth/me")
    );

    let verifier = "a-very-long-pkce-code-verifier-with-enough-entropy-0123456789";
    let redirect = "https://dns.example/oauth/callback";
    let claims = scaikey.claims("usr_pkce", "tnt_acme", "pkce@acme.test");
    let post = |path: &str, body: Value| app.http.post(app.url(path)).json(&body).send();

    // A wrong verifier is refused, and the code is spent.
    let code = scaikey.issue_code(redirect, &s256(verifier), claims.clone());
    let resp = post(
        "/api/v1/auth/token",
        json!({"code": code, "code_verifier": "wrong", "redirect_uri": redirect}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_grant");

    let code = scaikey.issue_code(redirect, &s256(verifier), claims.clone());
    let resp = post(
        "/api/v1/auth/token",
        json!({"code": code, "code_verifier": verifier, "redirect_uri": redirect}),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let tokens: Value = resp.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(me(&app, access).await.0, 200);

    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let resp = post("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let renewed: Value = resp.json().await.unwrap();
    assert_ne!(renewed["refresh_token"], tokens["refresh_token"]);
    // The old refresh token is spent.
    let resp = post("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let resp = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"status": "ok"}));
}

/// A local user (made before the provider was connected) is linked to the token of the same
/// e-mail, but never when the provider says that e-mail is unverified.
#[tokio::test]
async fn local_users_link_to_tokens_only_on_a_verified_email() {
    let scaikey = ScaiKey::start().await;
    let app = app_with(&scaikey, |_| {}).await;
    let tenant_id = tenant(&app, "acme").await;
    let local = app
        .client
        .user_create(&scaidns_client::types::UserCreateRequest {
            display_name: None,
            password: None,
            email: "ops@acme.test".into(),
            first_name: None,
            last_name: None,
            tenant_id: Some(tenant_id),
        })
        .await
        .unwrap()
        .into_inner();
    let mut unverified = scaikey.claims("usr_attacker", "tnt_acme", "ops@acme.test");
    unverified["email_verified"] = json!(false);
    refused(
        &app,
        &scaikey.mint(&unverified, Algorithm::RS256),
        403,
        "user_conflict",
    )
    .await;

    let mut verified = scaikey.claims("usr_ops", "tnt_acme", "ops@acme.test");
    verified["email_verified"] = json!(true);
    let (status, body) = me(&app, &scaikey.mint(&verified, Algorithm::RS256)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.to_string().contains(&local.id), "{body}");
}
