//! The OpenID Connect identity provider: ScaiKey, or any provider that publishes OpenID
//! Connect Discovery (RFC 8414) metadata.
//!
//! Access tokens are JWTs (RFC 7519; RFC 9068 `at+jwt` accepted) signed with a key from the
//! provider's JWK Set (RFC 7517), which is cached ([`jwks`]). Verified tokens are cached by their
//! hash ([`token_cache`]). The authorization-code exchange with PKCE (RFC 7636) and refresh go
//! to the discovered token endpoint with ScaiDNS's client credentials (RFC 6749 §2.3.1).

pub mod claims;
pub mod config;
pub mod directory;
pub mod http;
pub mod jwks;
pub mod registration;
mod service_token;
pub mod token_cache;
pub mod user_admin;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::Mutex;

pub use config::{ClaimNames, OidcConfig};

use self::http::{BasicAuth, HttpClient, HttpError};
use self::jwks::{JwksCache, Lookup};
use self::token_cache::TokenCache;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::Clock;
use crate::ports::identity_provider::{
    IdentityProvider, OAuthSettings, TokenRejection, TokenSet, Verified,
};

/// Signature algorithms accepted (no HMAC: the provider's keys are public).
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The provider metadata ScaiDNS uses (OpenID Connect Discovery 1.0 §3).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// The issuer tokens carry.
    pub issuer: String,
    /// Authorization endpoint.
    pub authorization_endpoint: String,
    /// Token endpoint.
    pub token_endpoint: String,
    /// JWK Set.
    pub jwks_uri: String,
    /// Logout endpoint, if any.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

fn unavailable(reason: impl std::fmt::Display) -> Error {
    tracing::warn!(%reason, "identity provider unavailable");
    Error::new(
        ErrorKind::Unavailable,
        "identity_provider_unavailable",
        "The identity provider cannot be reached",
    )
}

/// An OpenID Connect provider.
pub struct OidcProvider {
    config: OidcConfig,
    http: HttpClient,
    clock: Arc<dyn Clock>,
    discovery: Mutex<(Option<Discovery>, Option<Instant>)>,
    jwks: JwksCache,
    tokens: TokenCache,
}

impl std::fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProvider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl OidcProvider {
    /// A provider; nothing is fetched until first use (or [`Self::warm_up`]).
    pub fn new(config: OidcConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        let http = HttpClient::new(config.http_timeout)
            .map_err(|e| Error::internal(format!("cannot set up TLS: {e}")))?;
        Ok(Self {
            jwks: JwksCache::new(config.jwks_cache_ttl, config.jwks_refetch_floor),
            tokens: TokenCache::new(config.token_cache_ttl),
            config,
            http,
            clock,
            discovery: Mutex::new((None, None)),
        })
    }

    /// The settings.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The HTTP client (shared with the directory client).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Fetches the discovery document and the keys, so the first request does not wait.
    pub async fn warm_up(&self) -> Result<()> {
        let discovery = self.discovery().await?;
        self.jwks
            .lookup(&self.http, &discovery.jwks_uri, Some(""), |_| false)
            .await;
        Ok(())
    }

    /// The discovery document, fetched once (retried no more often than the refetch floor).
    pub async fn discovery(&self) -> Result<Discovery> {
        let mut slot = self.discovery.lock().await;
        if let Some(doc) = &slot.0 {
            return Ok(doc.clone());
        }
        if slot
            .1
            .is_some_and(|at| at.elapsed() < self.config.jwks_refetch_floor)
        {
            return Err(unavailable("discovery failed recently"));
        }
        slot.1 = Some(Instant::now());
        let url = self.config.discovery_url();
        let doc: Discovery = self.http.get_json(&url, None).await.map_err(unavailable)?;
        if doc.issuer.trim_end_matches('/') != self.config.issuer {
            let effect = if self.config.trust_admin_claims {
                "every token is refused while platform-admin claims are trusted"
            } else {
                "tokens must carry the discovered one"
            };
            tracing::warn!(
                configured = %self.config.issuer,
                discovered = %doc.issuer,
                "the discovery document names another issuer; {effect}"
            );
        }
        slot.0 = Some(doc.clone());
        Ok(doc)
    }

    async fn verify_uncached(&self, token: &str) -> Result<Verified> {
        use TokenRejection as R;
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return Ok(Verified::Rejected(R::Malformed));
        };
        let typ_ok = header.typ.as_deref().is_none_or(|t| {
            let t = t.to_ascii_lowercase();
            matches!(t.as_str(), "jwt" | "at+jwt" | "application/at+jwt")
        });
        if !typ_ok {
            return Ok(Verified::Rejected(R::Malformed));
        }
        if !ALGORITHMS.contains(&header.alg) {
            return Ok(Verified::Rejected(R::Invalid));
        }
        let discovery = self.discovery().await?;
        // Admin claims are trusted for the configured issuer only: an issuer the discovery
        // document substitutes for it must not be able to make platform admins.
        if self.config.trust_admin_claims
            && discovery.issuer.trim_end_matches('/') != self.config.issuer
        {
            return Ok(Verified::Rejected(R::Issuer));
        }
        let alg = header.alg;
        let jwk = match self
            .jwks
            .lookup(
                &self.http,
                &discovery.jwks_uri,
                header.kid.as_deref(),
                |k| key_fits(k, alg),
            )
            .await
        {
            Lookup::Found(jwk) => jwk,
            Lookup::Unknown => return Ok(Verified::Rejected(R::Invalid)),
            Lookup::Unavailable => return Err(unavailable("no signing keys")),
        };
        let Ok(key) = DecodingKey::from_jwk(&jwk) else {
            return Ok(Verified::Rejected(R::Invalid));
        };
        let mut validation = Validation::new(alg);
        // exp and nbf are checked against the service clock in `claims`.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[discovery.issuer.as_str()]);
        match &self.config.audience {
            Some(aud) => validation.set_audience(&[aud.as_str()]),
            None => validation.validate_aud = false,
        }
        let payload = match jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation) {
            Ok(data) => data.claims,
            Err(e) => return Ok(Verified::Rejected(rejection(e.kind()))),
        };
        let now = self.clock.now();
        match claims::map_claims(
            &payload,
            &self.config.claims,
            // A token without a checked audience may have been made for another application.
            self.config.trust_admin_claims && self.config.audience.is_some(),
            now,
            self.config.leeway,
        ) {
            Ok(claims) => {
                self.tokens.put(token, &claims, now);
                Ok(Verified::Valid(Box::new(claims)))
            }
            Err(why) => Ok(Verified::Rejected(why)),
        }
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<TokenSet> {
        let discovery = self.discovery().await?;
        let client_id = self
            .config
            .client_id
            .as_deref()
            .ok_or_else(|| unavailable("SCAIKEY_CLIENT_ID is not set"))?;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        let basic = match self.config.client_secret.as_deref() {
            Some(secret) => Some(BasicAuth {
                user: client_id,
                password: secret,
            }),
            // A public client names itself in the form (RFC 6749 §4.1.3).
            None => {
                fields.push(("client_id", client_id));
                None
            }
        };
        match self
            .http
            .post_form::<TokenSet>(&discovery.token_endpoint, &fields, basic)
            .await
        {
            Ok(set) => Ok(set),
            Err(HttpError::Status { status, .. }) if status.is_client_error() => Err(
                Error::unauthenticated("invalid_grant", "The identity provider refused the grant"),
            ),
            Err(e) => Err(Error::new(
                ErrorKind::Upstream,
                "identity_provider_unavailable",
                format!(
                    "The identity provider's token endpoint failed: {}",
                    short(&e)
                ),
            )),
        }
    }
}

/// An error without any response body (which may echo credentials).
fn short(err: &HttpError) -> String {
    match err {
        HttpError::Status { status, .. } => format!("status {status}"),
        HttpError::Unreachable { reason, .. } => reason.clone(),
        HttpError::Decode { .. } => "unexpected answer".to_owned(),
    }
}

/// Whether `jwk` can verify `alg` (key type, and the key's own `alg` when it names one).
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    if let Some(key_alg) = jwk.common.key_algorithm
        && key_alg.to_string() != format!("{alg:?}")
    {
        return false;
    }
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256
        ),
        AlgorithmParameters::EllipticCurve(_) => {
            matches!(alg, Algorithm::ES256 | Algorithm::ES384)
        }
        AlgorithmParameters::OctetKeyPair(_) => alg == Algorithm::EdDSA,
        _ => false,
    }
}

fn rejection(kind: &jsonwebtoken::errors::ErrorKind) -> TokenRejection {
    use jsonwebtoken::errors::ErrorKind as K;
    match kind {
        K::InvalidIssuer => TokenRejection::Issuer,
        K::InvalidAudience => TokenRejection::Audience,
        K::MissingRequiredClaim(c) if c == "iss" => TokenRejection::Issuer,
        K::MissingRequiredClaim(c) if c == "aud" => TokenRejection::Audience,
        K::ExpiredSignature => TokenRejection::Expired,
        K::ImmatureSignature => TokenRejection::NotYetValid,
        K::InvalidToken | K::Base64(_) | K::Json(_) | K::Utf8(_) => TokenRejection::Malformed,
        _ => TokenRejection::Invalid,
    }
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    async fn verify(&self, token: &str) -> Result<Verified> {
        if let Some(claims) = self.tokens.get(token) {
            return Ok(Verified::Valid(Box::new(claims)));
        }
        self.verify_uncached(token).await
    }

    async fn keys_loaded(&self) -> bool {
        self.jwks.loaded().await
    }

    async fn oauth_settings(&self) -> Result<OAuthSettings> {
        let d = self.discovery().await?;
        Ok(OAuthSettings {
            authorization_endpoint: d.authorization_endpoint,
            token_endpoint: d.token_endpoint,
            end_session_endpoint: d.end_session_endpoint,
            jwks_uri: d.jwks_uri,
            issuer: d.issuer,
            client_id: self.config.client_id.clone().unwrap_or_default(),
            scopes: self.config.scopes.clone(),
        })
    }

    async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<TokenSet> {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ])
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .await
    }
}
