//! The `IdentityProvider` and `IdentityDirectory` contracts, written against the port traits
//! and run against the OIDC adapter talking to the ScaiKey stand-in: token verification
//! accepted and refused (bad signature, expired, not yet valid, wrong audience, wrong issuer,
//! malformed), JWKS rotation, the provider's outage, the OAuth code exchange and refresh, and
//! the directory listing followed across pages. The server is not involved: the port is called
//! directly. The suite lives here rather than in the core's contract binary because the
//! stand-in belongs to this crate (see docs/decisions.md).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::Algorithm;
use scaidns_core::adapters::oidc::directory::ScaiKeyDirectory;
use scaidns_core::adapters::oidc::{OidcConfig, OidcProvider};
use scaidns_core::ports::identity_provider::{IdentityProvider, TokenRejection, Verified};
use scaidns_core::ports::idp_directory::IdentityDirectory;
use scaidns_core::ports::{Clock, ManualClock};
use scaidns_tests::scaikey::{APPLICATION_ID, CLIENT_ID, CLIENT_SECRET, ScaiKey, s256};
use serde_json::{Value, json};

/// An implementation of the ports under test, the stand-in it talks to, and the clock it reads.
struct Fixture {
    scaikey: ScaiKey,
    clock: Arc<ManualClock>,
    provider: Arc<OidcProvider>,
}

impl Fixture {
    fn provider(&self) -> &dyn IdentityProvider {
        self.provider.as_ref()
    }
}

/// The OIDC adapter configured as the server configures it for ScaiKey, with no floor between
/// two JWKS fetches (so a rotation is seen at once) and no token cache (so each verification
/// reaches the keys).
async fn oidc() -> Fixture {
    let scaikey = ScaiKey::start().await;
    let mut config = OidcConfig::new(scaikey.issuer());
    config.client_id = Some(CLIENT_ID.into());
    config.client_secret = Some(CLIENT_SECRET.into());
    config.audience = Some(CLIENT_ID.into());
    config.jwks_refetch_floor = Duration::ZERO;
    config.token_cache_ttl = Duration::ZERO;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let provider = OidcProvider::new(config, Arc::clone(&clock) as Arc<dyn Clock>).unwrap();
    Fixture {
        scaikey,
        clock,
        provider: Arc::new(provider),
    }
}

async fn rejection(provider: &dyn IdentityProvider, token: &str) -> TokenRejection {
    match provider.verify(token).await.expect("keys reachable") {
        Verified::Rejected(why) => why,
        Verified::Valid(claims) => panic!("accepted: {claims:?}"),
    }
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

#[tokio::test]
async fn valid_tokens_of_every_algorithm_are_accepted_with_their_claims() {
    let f = oidc().await;
    let claims = f.scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test");
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
        let token = f.scaikey.mint(&claims, alg);
        let Verified::Valid(got) = f.provider().verify(&token).await.unwrap() else {
            panic!("{alg:?} refused");
        };
        assert_eq!(got.subject, "usr_ada");
        assert_eq!(got.issuer, f.scaikey.issuer());
        assert_eq!(got.tenant.as_deref(), Some("tnt_acme"));
        assert_eq!(got.email.as_deref(), Some("ada@acme.test"));
        assert_eq!(got.scopes, ["openid", "profile", "email"]);
        assert_eq!(
            got.expires_at.timestamp(),
            claims["exp"].as_i64().unwrap(),
            "{alg:?}"
        );
    }
    assert!(f.provider().keys_loaded().await);
}

#[tokio::test]
async fn tokens_are_refused_for_each_reason() {
    let f = oidc().await;
    let p = f.provider();
    let claims = f.scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test");
    let now = f.clock.now().timestamp();

    // Signed by a key that is not published, under a published key's id.
    assert_eq!(
        rejection(p, &f.scaikey.forge(&claims)).await,
        TokenRejection::Invalid
    );
    let expired = with(claims.clone(), "exp", json!(now - 3600));
    assert_eq!(
        rejection(p, &f.scaikey.mint(&expired, Algorithm::RS256)).await,
        TokenRejection::Expired
    );
    let early = with(claims.clone(), "nbf", json!(now + 3600));
    assert_eq!(
        rejection(p, &f.scaikey.mint(&early, Algorithm::RS256)).await,
        TokenRejection::NotYetValid
    );
    let elsewhere = with(claims.clone(), "aud", json!("app_other"));
    assert_eq!(
        rejection(p, &f.scaikey.mint(&elsewhere, Algorithm::ES256)).await,
        TokenRejection::Audience
    );
    let foreign = with(claims.clone(), "iss", json!("http://127.0.0.1:1"));
    assert_eq!(
        rejection(p, &f.scaikey.mint(&foreign, Algorithm::EdDSA)).await,
        TokenRejection::Issuer
    );
    assert_eq!(rejection(p, "not.a.jwt").await, TokenRejection::Malformed);
    // The same token is accepted while valid and refused once the clock passes its expiry
    // (and the leeway).
    let token = f.scaikey.mint(&claims, Algorithm::RS256);
    assert!(matches!(
        p.verify(&token).await.unwrap(),
        Verified::Valid(_)
    ));
    f.clock.advance(chrono::Duration::hours(2));
    assert_eq!(rejection(p, &token).await, TokenRejection::Expired);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_when_a_token_names_it() {
    let f = oidc().await;
    let claims = f.scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test");
    let before = f.scaikey.mint(&claims, Algorithm::ES256);
    assert!(matches!(
        f.provider().verify(&before).await.unwrap(),
        Verified::Valid(_)
    ));
    let fetches = f.scaikey.jwks_fetches();

    f.scaikey.rotate(Algorithm::ES256);
    let after = f.scaikey.mint(&claims, Algorithm::ES256);
    assert_ne!(before, after);
    assert!(matches!(
        f.provider().verify(&after).await.unwrap(),
        Verified::Valid(_)
    ));
    assert!(
        f.scaikey.jwks_fetches() > fetches,
        "the new key was fetched"
    );
    // The old key is still published, so tokens it signed stay valid until they expire.
    assert!(matches!(
        f.provider().verify(&before).await.unwrap(),
        Verified::Valid(_)
    ));
}

#[tokio::test]
async fn an_unreachable_provider_is_unavailable_not_a_refusal() {
    let f = oidc().await;
    f.scaikey.set_down(true);
    let token = f.scaikey.mint(
        &f.scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test"),
        Algorithm::RS256,
    );
    let err = f.provider().verify(&token).await.unwrap_err();
    assert_eq!(err.code(), "identity_provider_unavailable");
    assert!(!f.provider().keys_loaded().await);
    assert!(f.provider().oauth_settings().await.is_err());
    // Once it answers again, the same token verifies.
    f.scaikey.set_down(false);
    assert!(matches!(
        f.provider().verify(&token).await.unwrap(),
        Verified::Valid(_)
    ));
}

#[tokio::test]
async fn oauth_settings_code_exchange_and_one_time_refresh() {
    let f = oidc().await;
    let p = f.provider();
    let settings = p.oauth_settings().await.unwrap();
    assert_eq!(settings.issuer, f.scaikey.issuer());
    assert_eq!(settings.client_id, CLIENT_ID);
    assert_eq!(
        settings.token_endpoint,
        format!("{}/oauth/token", f.scaikey.issuer())
    );

    let redirect = "https://dns.example/callback";
    let verifier = "a-verifier-of-enough-length-for-pkce-0123456789";
    let claims = f.scaikey.claims("usr_ada", "tnt_acme", "ada@acme.test");
    let code = f
        .scaikey
        .issue_code(redirect, &s256(verifier), claims.clone());
    // A wrong PKCE verifier is refused; the right one gets tokens.
    let wrong = f.scaikey.issue_code(redirect, &s256(verifier), claims);
    let err = p
        .exchange_code(&wrong, "another-verifier", redirect)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_grant");
    let tokens = p.exchange_code(&code, verifier, redirect).await.unwrap();
    assert!(matches!(
        p.verify(&tokens.access_token).await.unwrap(),
        Verified::Valid(_)
    ));
    // A code works once.
    assert_eq!(
        p.exchange_code(&code, verifier, redirect)
            .await
            .unwrap_err()
            .code(),
        "invalid_grant"
    );

    let refresh = tokens.refresh_token.expect("a refresh token");
    let renewed = p.refresh(&refresh).await.unwrap();
    assert!(renewed.refresh_token.is_some_and(|r| r != refresh));
    assert_eq!(
        p.refresh(&refresh).await.unwrap_err().code(),
        "invalid_grant"
    );
}

#[tokio::test]
async fn the_directory_lists_everything_across_pages() {
    let f = oidc().await;
    f.scaikey.directory(|d| {
        d.partners = vec![json!({"id": "prt_msp", "name": "MSP", "slug": "msp"})];
        d.tenants = vec![
            json!({"id": "tnt_acme", "name": "Acme", "slug": "acme", "partner_id": "prt_msp"}),
            json!({"id": "tnt_beta", "name": "Beta", "slug": "beta"}),
            json!({"id": "tnt_gamma", "name": "Gamma", "slug": "gamma"}),
        ];
        d.users.insert(
            "tnt_acme".into(),
            (1..=5)
                .map(|i| json!({"id": format!("usr_{i}"), "email": format!("u{i}@acme.test")}))
                .collect(),
        );
        d.groups.insert(
            "tnt_acme".into(),
            vec![json!({"id": "grp_ops", "name": "ops", "group_type": "SECURITY"})],
        );
        d.members
            .insert("grp_ops".into(), vec!["usr_1".into(), "usr_4".into()]);
    });
    let directory = ScaiKeyDirectory::new(&f.provider, f.scaikey.issuer(), APPLICATION_ID);
    let directory: &dyn IdentityDirectory = &directory;

    let partners = directory.partners().await.unwrap();
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].id, "prt_msp");
    let tenants = directory.tenants().await.unwrap();
    assert_eq!(
        tenants.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        ["tnt_acme", "tnt_beta", "tnt_gamma"],
        "all pages followed"
    );
    let users = directory.effective_users("tnt_acme").await.unwrap();
    assert_eq!(
        users.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        ["usr_1", "usr_2", "usr_3", "usr_4", "usr_5"]
    );
    assert_eq!(users[2].email.as_deref(), Some("u3@acme.test"));
    assert!(
        directory
            .effective_users("tnt_beta")
            .await
            .unwrap()
            .is_empty()
    );
    let groups = directory.groups("tnt_acme").await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].id.as_str(), groups[0].name.as_str()),
        ("grp_ops", "ops")
    );
    assert_eq!(
        directory
            .group_members("tnt_acme", "grp_ops")
            .await
            .unwrap(),
        ["usr_1", "usr_4"]
    );
}

#[tokio::test]
async fn the_directory_of_an_unreachable_provider_is_an_error() {
    let f = oidc().await;
    f.scaikey.set_down(true);
    let directory = ScaiKeyDirectory::new(&f.provider, f.scaikey.issuer(), APPLICATION_ID);
    let directory: &dyn IdentityDirectory = &directory;
    assert!(directory.tenants().await.is_err());
}
