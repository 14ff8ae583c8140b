//! Identity-provider settings (interface decision 17, spec api-identity §15): `SCAIKEY_URL` is
//! the issuer of ScaiKey; any other OpenID Connect provider comes through `OIDC_ISSUER` and an
//! optional `OIDC_DISCOVERY_URL`. With neither, no provider is contacted (interface decision
//! 25) and bearer tokens are refused with 401 `jwt_not_configured`.

use std::collections::HashMap;
use std::time::Duration;

use super::secret::Secret;

/// The OpenID Connect provider's settings as read, in plain values; the wiring turns them into
/// the adapter's configuration. `None` means the adapter's default.
#[derive(Clone)]
pub struct OidcSettings {
    /// `SCAIKEY_URL` or `OIDC_ISSUER`, without a trailing `/`.
    pub issuer: String,
    /// `OIDC_DISCOVERY_URL`.
    pub discovery_url: Option<String>,
    /// `SCAIKEY_CLIENT_ID` / `OIDC_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `SCAIKEY_CLIENT_SECRET` / `OIDC_CLIENT_SECRET`.
    pub client_secret: Option<String>,
    /// `OIDC_AUDIENCE`, default the client id.
    pub audience: Option<String>,
    /// `OIDC_CLAIM_TENANT`.
    pub tenant_claim: Option<String>,
    /// `OIDC_CLAIM_EMAIL`.
    pub email_claim: Option<String>,
    /// `OIDC_CLAIM_ROLES`.
    pub roles_claim: Option<String>,
    /// `OIDC_CLAIM_SCOPES`.
    pub scopes_claim: Option<String>,
    /// `OIDC_SCOPES`, space-separated.
    pub scopes: Option<Vec<String>>,
    /// `SCAIKEY_JWKS_CACHE_TTL`.
    pub jwks_cache_ttl: Duration,
    /// `SCAIKEY_TOKEN_CACHE_TTL`.
    pub token_cache_ttl: Duration,
    /// `OIDC_JWKS_REFETCH_FLOOR`.
    pub jwks_refetch_floor: Duration,
    /// Whether the issuer's `platform_admin` role / `platform:admin` scope claims make platform
    /// admins: `OIDC_TRUST_ADMIN_CLAIMS`, by default on for ScaiKey (the issuer is
    /// `SCAIKEY_URL`) and off for any other issuer.
    pub trust_admin_claims: bool,
}

impl OidcSettings {
    /// Settings for `issuer` with every default.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            discovery_url: None,
            client_id: None,
            client_secret: None,
            audience: None,
            tenant_claim: None,
            email_claim: None,
            roles_claim: None,
            scopes_claim: None,
            scopes: None,
            jwks_cache_ttl: Duration::from_secs(3600),
            token_cache_ttl: Duration::from_secs(60),
            jwks_refetch_floor: Duration::from_secs(30),
            trust_admin_claims: false,
        }
    }
}

impl std::fmt::Debug for OidcSettings {
    // The client secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .field("trust_admin_claims", &self.trust_admin_claims)
            .finish_non_exhaustive()
    }
}

/// Everything identity-related the server reads.
#[derive(Debug, Clone, Default)]
pub struct IdentityConfig {
    /// The provider, when one is configured.
    pub oidc: Option<OidcSettings>,
    /// `SCAIKEY_URL` (the ScaiKey API base, also used by `scaidns sync`).
    pub scaikey_url: Option<String>,
    /// `SCAIKEY_APPLICATION_ID`.
    pub application_id: Option<String>,
    /// `SCAIKEY_WEBHOOK_SECRET`: webhooks answer 503 without it.
    pub webhook_secret: Option<Secret>,
}

fn get(vars: &HashMap<String, String>, name: &str) -> Option<String> {
    vars.get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn seconds(
    vars: &HashMap<String, String>,
    name: &'static str,
    default: u64,
    invalid: &mut Vec<(&'static str, String)>,
) -> Duration {
    match get(vars, name) {
        None => Duration::from_secs(default),
        Some(raw) => match raw.parse::<u64>() {
            Ok(v) => Duration::from_secs(v),
            Err(_) => {
                invalid.push((name, format!("'{raw}' is not a number of seconds")));
                Duration::from_secs(default)
            }
        },
    }
}

fn flag(
    vars: &HashMap<String, String>,
    name: &'static str,
    default: bool,
    invalid: &mut Vec<(&'static str, String)>,
) -> bool {
    match get(vars, name).map(|raw| raw.to_ascii_lowercase()) {
        None => default,
        Some(raw) => match raw.as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => {
                invalid.push((name, format!("'{raw}' is not a boolean (true/false)")));
                default
            }
        },
    }
}

impl IdentityConfig {
    /// Reads the identity settings; malformed values are appended to `invalid`.
    pub fn from_vars(
        vars: &HashMap<String, String>,
        invalid: &mut Vec<(&'static str, String)>,
    ) -> Self {
        let scaikey_url = get(vars, "SCAIKEY_URL").map(|u| u.trim_end_matches('/').to_owned());
        let issuer = get(vars, "OIDC_ISSUER").or_else(|| scaikey_url.clone());
        for (name, value) in [("SCAIKEY_URL", &scaikey_url), ("OIDC_ISSUER", &issuer)] {
            if let Some(url) = value
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                invalid.push((name, format!("'{url}' is not an http(s) URL")));
            }
        }
        let oidc = issuer.map(|issuer| {
            // Whoever controls the issuer controls the platform through these claims: ScaiKey
            // is part of the deployment, any other provider has to be trusted explicitly.
            let is_scaikey = scaikey_url.as_deref() == Some(issuer.trim_end_matches('/'));
            let trust_admin_claims = flag(vars, "OIDC_TRUST_ADMIN_CLAIMS", is_scaikey, invalid);
            let mut c = OidcSettings::new(issuer);
            c.trust_admin_claims = trust_admin_claims;
            c.discovery_url = get(vars, "OIDC_DISCOVERY_URL");
            c.client_id = get(vars, "SCAIKEY_CLIENT_ID").or_else(|| get(vars, "OIDC_CLIENT_ID"));
            c.client_secret =
                get(vars, "SCAIKEY_CLIENT_SECRET").or_else(|| get(vars, "OIDC_CLIENT_SECRET"));
            c.audience = get(vars, "OIDC_AUDIENCE").or_else(|| c.client_id.clone());
            c.tenant_claim = get(vars, "OIDC_CLAIM_TENANT");
            c.email_claim = get(vars, "OIDC_CLAIM_EMAIL");
            c.roles_claim = get(vars, "OIDC_CLAIM_ROLES");
            c.scopes_claim = get(vars, "OIDC_CLAIM_SCOPES");
            c.scopes = get(vars, "OIDC_SCOPES")
                .map(|scopes| scopes.split_whitespace().map(str::to_owned).collect());
            c.jwks_cache_ttl = seconds(vars, "SCAIKEY_JWKS_CACHE_TTL", 3600, invalid);
            c.token_cache_ttl = seconds(vars, "SCAIKEY_TOKEN_CACHE_TTL", 60, invalid);
            c.jwks_refetch_floor = seconds(vars, "OIDC_JWKS_REFETCH_FLOOR", 30, invalid);
            c
        });
        Self {
            oidc,
            scaikey_url,
            application_id: get(vars, "SCAIKEY_APPLICATION_ID"),
            webhook_secret: get(vars, "SCAIKEY_WEBHOOK_SECRET").map(Secret::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn nothing_configured_means_no_provider() {
        let mut invalid = Vec::new();
        let c = IdentityConfig::from_vars(&vars(&[]), &mut invalid);
        assert!(c.oidc.is_none() && invalid.is_empty());
    }

    #[test]
    fn scaikey_url_is_the_issuer_and_the_client_id_the_audience() {
        let mut invalid = Vec::new();
        let c = IdentityConfig::from_vars(
            &vars(&[
                ("SCAIKEY_URL", "https://scaikey.example/"),
                ("SCAIKEY_CLIENT_ID", "app_1"),
                ("SCAIKEY_TOKEN_CACHE_TTL", "5"),
            ]),
            &mut invalid,
        );
        let oidc = c.oidc.unwrap();
        assert_eq!(oidc.issuer, "https://scaikey.example");
        assert_eq!(oidc.discovery_url, None);
        assert_eq!(oidc.audience.as_deref(), Some("app_1"));
        assert_eq!(oidc.token_cache_ttl, Duration::from_secs(5));
        assert!(invalid.is_empty());
    }

    #[test]
    fn admin_claims_are_trusted_from_scaikey_and_from_others_only_when_told() {
        let trusted = |pairs: &[(&str, &str)]| {
            let mut invalid = Vec::new();
            let c = IdentityConfig::from_vars(&vars(pairs), &mut invalid);
            assert!(invalid.is_empty(), "{invalid:?}");
            c.oidc.unwrap().trust_admin_claims
        };
        assert!(trusted(&[("SCAIKEY_URL", "https://scaikey.example/")]));
        assert!(trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_ISSUER", "https://scaikey.example/"),
        ]));
        // Another issuer, even beside a configured ScaiKey, is not ScaiKey.
        assert!(!trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_ISSUER", "https://idp.example"),
        ]));
        assert!(!trusted(&[("OIDC_ISSUER", "https://idp.example")]));
        assert!(trusted(&[
            ("OIDC_ISSUER", "https://idp.example"),
            ("OIDC_TRUST_ADMIN_CLAIMS", "true"),
        ]));
        assert!(!trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_TRUST_ADMIN_CLAIMS", "false"),
        ]));
        let mut invalid = Vec::new();
        IdentityConfig::from_vars(
            &vars(&[
                ("OIDC_ISSUER", "https://idp.example"),
                ("OIDC_TRUST_ADMIN_CLAIMS", "maybe"),
            ]),
            &mut invalid,
        );
        assert_eq!(invalid[0].0, "OIDC_TRUST_ADMIN_CLAIMS");
    }

    #[test]
    fn other_providers_and_bad_values() {
        let mut invalid = Vec::new();
        let c = IdentityConfig::from_vars(
            &vars(&[
                ("OIDC_ISSUER", "https://idp.example/realms/x"),
                ("OIDC_AUDIENCE", "scaidns"),
                ("OIDC_CLAIM_TENANT", "org"),
                ("SCAIKEY_JWKS_CACHE_TTL", "soon"),
            ]),
            &mut invalid,
        );
        let oidc = c.oidc.unwrap();
        assert_eq!(oidc.tenant_claim.as_deref(), Some("org"));
        assert_eq!(oidc.audience.as_deref(), Some("scaidns"));
        assert_eq!(invalid.len(), 1);
    }
}
