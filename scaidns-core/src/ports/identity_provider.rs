//! The identity provider: verifies access tokens (RFC 7519 JWTs signed with keys from a JWKS,
//! RFC 7517) and brokers the OAuth 2.0 authorization-code flow with PKCE (RFC 7636) for the
//! frontend. ScaiKey is one such provider; any OpenID Connect provider is another. The adapter
//! lives in `adapters::oidc`; the core only sees verified claims.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What a verified access token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// `sub`: the provider's user id.
    pub subject: String,
    /// `iss`.
    pub issuer: String,
    /// The tenant claim (ScaiKey tenant id), if present.
    pub tenant: Option<String>,
    /// The e-mail claim, if present.
    pub email: Option<String>,
    /// `email_verified` (OpenID Connect Core §5.1), when the provider says.
    pub email_verified: Option<bool>,
    /// `given_name`, if present.
    pub given_name: Option<String>,
    /// `family_name`, if present.
    pub family_name: Option<String>,
    /// Roles claim values. Only `platform_admin` means something to ScaiDNS, and only from a
    /// trusted provider ([`Self::grants_platform_admin`]); other roles come from its own
    /// assignments.
    pub roles: Vec<String>,
    /// OAuth scopes granted to the token.
    pub scopes: Vec<String>,
    /// `exp`.
    pub expires_at: DateTime<Utc>,
    /// Whether the provider that verified this token is trusted to make platform admins
    /// through its claims (ScaiKey by default, another issuer only when configured). Set by
    /// the adapter that checked the signature, so a token is judged by its own issuer's setting.
    pub admin_claims_trusted: bool,
}

/// The role (in the roles claim) that makes a platform admin (seed 004).
pub const PLATFORM_ADMIN_ROLE: &str = "platform_admin";
/// The scope (in the scopes claim) that makes a platform admin (seed 004).
pub const PLATFORM_ADMIN_SCOPE: &str = "platform:admin";

impl TokenClaims {
    /// Whether the token makes its bearer a platform admin for this request: its issuer is
    /// trusted for that, and its roles claim holds `platform_admin` or its scopes claim
    /// `platform:admin`.
    pub fn grants_platform_admin(&self) -> bool {
        self.admin_claims_trusted
            && (self.roles.iter().any(|r| r == PLATFORM_ADMIN_ROLE)
                || self.scopes.iter().any(|s| s == PLATFORM_ADMIN_SCOPE))
    }
}

/// Why a token was refused. Each maps to a 401 with a stable code and a message that tells an
/// attacker nothing about which key or claim value was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// Not a JWT, unsupported `typ`/`alg`, or a claim of the wrong shape.
    Malformed,
    /// `exp` (plus leeway) has passed.
    Expired,
    /// `nbf` (minus leeway) is still ahead.
    NotYetValid,
    /// Bad signature or unknown key.
    Invalid,
    /// `iss` is not the configured issuer.
    Issuer,
    /// `aud` does not name ScaiDNS.
    Audience,
}

impl TokenRejection {
    /// The stable error code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed => "token_malformed",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::Invalid => "token_invalid",
            Self::Issuer => "token_issuer",
            Self::Audience => "token_audience",
        }
    }

    /// The 401 error.
    pub fn into_error(self) -> Error {
        let message = match self {
            Self::Malformed => "Bearer token is malformed",
            Self::Expired => "Bearer token has expired",
            Self::NotYetValid => "Bearer token is not valid yet",
            Self::Invalid => "Bearer token is invalid",
            Self::Issuer => "Bearer token was issued by another issuer",
            Self::Audience => "Bearer token is not meant for this service",
        };
        Error::unauthenticated(self.code(), message)
    }
}

/// The outcome of verifying a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// Valid.
    Valid(Box<TokenClaims>),
    /// Refused.
    Rejected(TokenRejection),
}

/// The OAuth settings the frontend needs (`GET /api/v1/auth/config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSettings {
    /// Where the browser is sent to log in.
    pub authorization_endpoint: String,
    /// The provider's token endpoint.
    pub token_endpoint: String,
    /// Where the browser is sent to log out, if the provider has one.
    pub end_session_endpoint: Option<String>,
    /// The provider's JWKS.
    pub jwks_uri: String,
    /// The issuer.
    pub issuer: String,
    /// ScaiDNS's OAuth client id.
    pub client_id: String,
    /// Scopes to request.
    pub scopes: Vec<String>,
}

/// Tokens from the provider's token endpoint (RFC 6749 §5.1).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// The refresh token (rotated on each use at ScaiKey).
    pub refresh_token: Option<String>,
    /// Normally `Bearer`.
    pub token_type: String,
    /// Seconds the access token lives.
    pub expires_in: Option<u64>,
    /// The OIDC ID token.
    pub id_token: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    // Tokens are credentials: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// An identity provider.
#[async_trait]
pub trait IdentityProvider: Send + Sync + std::fmt::Debug {
    /// Verifies an access token. `Err` only when the provider's keys have never been obtained
    /// (503 `identity_provider_unavailable`); a bad token is `Ok(Verified::Rejected(…))`.
    async fn verify(&self, token: &str) -> Result<Verified>;

    /// Whether signing keys are loaded (readiness).
    async fn keys_loaded(&self) -> bool;

    /// The frontend's OAuth settings.
    async fn oauth_settings(&self) -> Result<OAuthSettings>;

    /// Exchanges an authorization code and its PKCE verifier for tokens. 401 `invalid_grant`
    /// when the provider refuses; 502 `identity_provider_unavailable` when it cannot be reached.
    async fn exchange_code(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<TokenSet>;

    /// Exchanges a refresh token for new tokens (same errors).
    async fn refresh(&self, refresh_token: &str) -> Result<TokenSet>;
}
