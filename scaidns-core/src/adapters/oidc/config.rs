//! Settings of the OIDC adapter (interface decision 17).

use std::time::Duration;

/// Which claims carry what (`OIDC_CLAIM_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// Tenant claim (`OIDC_CLAIM_TENANT`, default `tenant_id`).
    pub tenant: String,
    /// E-mail claim (`OIDC_CLAIM_EMAIL`, default `email`).
    pub email: String,
    /// Roles claim (`OIDC_CLAIM_ROLES`); unset reads `roles`, then ScaiKey's `role`.
    pub roles: Option<String>,
    /// Scopes claim (`OIDC_CLAIM_SCOPES`); unset reads `scope` (space-separated, RFC 9068),
    /// then `scp`.
    pub scopes: Option<String>,
}

impl Default for ClaimNames {
    fn default() -> Self {
        Self {
            tenant: "tenant_id".to_owned(),
            email: "email".to_owned(),
            roles: None,
            scopes: None,
        }
    }
}

/// The adapter's settings.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer (`SCAIKEY_URL` or `OIDC_ISSUER`); tokens must carry the issuer that its
    /// discovery document names.
    pub issuer: String,
    /// Discovery document (`OIDC_DISCOVERY_URL`); default `<issuer>/.well-known/openid-configuration`.
    pub discovery_url: Option<String>,
    /// ScaiDNS's OAuth client id (`SCAIKEY_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Its secret (`SCAIKEY_CLIENT_SECRET`).
    pub client_secret: Option<String>,
    /// Required `aud` (`OIDC_AUDIENCE`, default the client id); `None` skips the check.
    pub audience: Option<String>,
    /// Claim names.
    pub claims: ClaimNames,
    /// Whether a `platform_admin` role or `platform:admin` scope in this issuer's tokens makes a
    /// platform admin: whoever controls the issuer then controls the platform. Off by default;
    /// the wiring turns it on for ScaiKey and, for another issuer, on `OIDC_TRUST_ADMIN_CLAIMS`.
    pub trust_admin_claims: bool,
    /// Scopes the frontend requests.
    pub scopes: Vec<String>,
    /// How long fetched keys are fresh (`SCAIKEY_JWKS_CACHE_TTL`, 3600 s).
    pub jwks_cache_ttl: Duration,
    /// How long a verified token stays cached (`SCAIKEY_TOKEN_CACHE_TTL`, 60 s), never past
    /// its `exp`.
    pub token_cache_ttl: Duration,
    /// Least time between two JWKS fetches, so a flood of tokens with unknown `kid`s (or an
    /// outage) cannot hammer the provider.
    pub jwks_refetch_floor: Duration,
    /// Clock-skew allowance on `exp` and `nbf`.
    pub leeway: Duration,
    /// Time limit of one call to the provider.
    pub http_timeout: Duration,
}

impl OidcConfig {
    /// Settings for `issuer` with every default.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            discovery_url: None,
            client_id: None,
            client_secret: None,
            audience: None,
            claims: ClaimNames::default(),
            trust_admin_claims: false,
            scopes: vec!["openid".into(), "profile".into(), "email".into()],
            jwks_cache_ttl: Duration::from_secs(3600),
            token_cache_ttl: Duration::from_secs(60),
            jwks_refetch_floor: Duration::from_secs(30),
            leeway: Duration::from_secs(60),
            http_timeout: Duration::from_secs(10),
        }
    }

    /// The discovery document's URL (OpenID Connect Discovery 1.0 §4, RFC 8414 §3).
    pub fn discovery_url(&self) -> String {
        self.discovery_url
            .clone()
            .unwrap_or_else(|| format!("{}/.well-known/openid-configuration", self.issuer))
    }
}

impl std::fmt::Debug for OidcConfig {
    // The client secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("discovery_url", &self.discovery_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("audience", &self.audience)
            .field("claims", &self.claims)
            .field("trust_admin_claims", &self.trust_admin_claims)
            .field("jwks_cache_ttl", &self.jwks_cache_ttl)
            .field("token_cache_ttl", &self.token_cache_ttl)
            .finish_non_exhaustive()
    }
}
