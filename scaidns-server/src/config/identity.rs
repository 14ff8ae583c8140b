//! Identity-provider settings (interface decision 17, spec api-identity §15): `SCAIKEY_URL` is
//! the issuer of ScaiKey; any other OpenID Connect provider comes through `OIDC_ISSUER` and an
//! optional `OIDC_DISCOVERY_URL`. With neither, no provider is contacted (interface decision
//! 25) and bearer tokens are refused with 401 `jwt_not_configured`.

use std::collections::HashMap;
use std::time::Duration;

use super::reader::Reader;
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
    /// admins: `OIDC_TRUST_ADMIN_CLAIMS`, by default on for ScaiKey (the issuer and the
    /// discovery document are `SCAIKEY_URL`'s) and off for any other issuer; always off when no
    /// audience is checked.
    pub trust_admin_claims: bool,
    /// Why admin claims are not trusted although ScaiKey or `OIDC_TRUST_ADMIN_CLAIMS` asked
    /// for it; the wiring logs it at start.
    pub admin_claims_distrusted: Option<&'static str>,
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
            admin_claims_distrusted: None,
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

impl IdentityConfig {
    /// Reads the identity settings; malformed values are appended to `invalid`.
    pub fn from_vars(
        vars: &HashMap<String, String>,
        invalid: &mut Vec<(&'static str, String)>,
    ) -> Self {
        let mut r = Reader {
            vars,
            missing: Vec::new(),
            invalid: Vec::new(),
        };
        let read = Self::read(&mut r);
        invalid.append(&mut r.invalid);
        read
    }

    fn read(r: &mut Reader<'_>) -> Self {
        let scaikey_url = r
            .get("SCAIKEY_URL")
            .map(|u| u.trim_end_matches('/').to_owned());
        let issuer = r.get("OIDC_ISSUER").or_else(|| scaikey_url.clone());
        for (name, value) in [("SCAIKEY_URL", &scaikey_url), ("OIDC_ISSUER", &issuer)] {
            if let Some(url) = value
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                r.invalid
                    .push((name, format!("'{url}' is not an http(s) URL")));
            }
        }
        let oidc = issuer.map(|issuer| {
            let mut c = OidcSettings::new(issuer);
            c.discovery_url = r.get("OIDC_DISCOVERY_URL");
            c.client_id = r
                .get("SCAIKEY_CLIENT_ID")
                .or_else(|| r.get("OIDC_CLIENT_ID"));
            c.client_secret = r
                .get("SCAIKEY_CLIENT_SECRET")
                .or_else(|| r.get("OIDC_CLIENT_SECRET"));
            c.audience = r.get("OIDC_AUDIENCE").or_else(|| c.client_id.clone());
            c.tenant_claim = r.get("OIDC_CLAIM_TENANT");
            c.email_claim = r.get("OIDC_CLAIM_EMAIL");
            c.roles_claim = r.get("OIDC_CLAIM_ROLES");
            c.scopes_claim = r.get("OIDC_CLAIM_SCOPES");
            c.scopes = r
                .get("OIDC_SCOPES")
                .map(|scopes| scopes.split_whitespace().map(str::to_owned).collect());
            c.jwks_cache_ttl = seconds(r, "SCAIKEY_JWKS_CACHE_TTL", 3600);
            c.token_cache_ttl = seconds(r, "SCAIKEY_TOKEN_CACHE_TTL", 60);
            c.jwks_refetch_floor = seconds(r, "OIDC_JWKS_REFETCH_FLOOR", 30);
            let default = is_scaikey(&c, scaikey_url.as_deref());
            let wanted = r.flag("OIDC_TRUST_ADMIN_CLAIMS", default);
            // Without an audience check, a token the same issuer made for any other
            // application would pass, and its admin claims with it.
            c.trust_admin_claims = wanted && c.audience.is_some();
            if wanted && !c.trust_admin_claims {
                c.admin_claims_distrusted = Some(
                    "no audience is checked (set SCAIKEY_CLIENT_ID or OIDC_AUDIENCE): tokens \
                     for other applications of the issuer would pass",
                );
            }
            c
        });
        Self {
            oidc,
            scaikey_url,
            application_id: r.get("SCAIKEY_APPLICATION_ID"),
            webhook_secret: r.get("SCAIKEY_WEBHOOK_SECRET").map(Secret::new),
        }
    }
}

/// Whoever controls the issuer controls the platform through the admin claims: ScaiKey is part
/// of the deployment, any other provider has to be trusted explicitly. It is ScaiKey when both
/// the issuer and the discovery document are `SCAIKEY_URL`'s.
fn is_scaikey(c: &OidcSettings, scaikey_url: Option<&str>) -> bool {
    let Some(scaikey) = scaikey_url else {
        return false;
    };
    let discovery_ok = c
        .discovery_url
        .as_deref()
        .is_none_or(|d| d == scaikey || d.starts_with(&format!("{scaikey}/")));
    c.issuer == scaikey && discovery_ok
}

fn seconds(r: &mut Reader<'_>, name: &'static str, default: u64) -> Duration {
    Duration::from_secs(r.number(name, default, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> (IdentityConfig, Vec<(&'static str, String)>) {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut invalid = Vec::new();
        let c = IdentityConfig::from_vars(&vars, &mut invalid);
        (c, invalid)
    }

    #[test]
    fn nothing_configured_means_no_provider() {
        let (c, invalid) = read(&[]);
        assert!(c.oidc.is_none() && invalid.is_empty());
    }

    #[test]
    fn scaikey_url_is_the_issuer_and_the_client_id_the_audience() {
        let (c, invalid) = read(&[
            ("SCAIKEY_URL", "https://scaikey.example/"),
            ("SCAIKEY_CLIENT_ID", "app_1"),
            ("SCAIKEY_TOKEN_CACHE_TTL", "5"),
        ]);
        let oidc = c.oidc.unwrap();
        assert_eq!(oidc.issuer, "https://scaikey.example");
        assert_eq!(oidc.discovery_url, None);
        assert_eq!(oidc.audience.as_deref(), Some("app_1"));
        assert_eq!(oidc.token_cache_ttl, Duration::from_secs(5));
        assert!(invalid.is_empty());
    }

    fn trusted(pairs: &[(&str, &str)]) -> bool {
        let (c, invalid) = read(pairs);
        assert!(invalid.is_empty(), "{invalid:?}");
        c.oidc.unwrap().trust_admin_claims
    }

    #[test]
    fn admin_claims_are_trusted_from_scaikey_and_from_others_only_when_told() {
        let aud = ("SCAIKEY_CLIENT_ID", "app_1");
        assert!(trusted(&[("SCAIKEY_URL", "https://scaikey.example/"), aud]));
        assert!(trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_ISSUER", "https://scaikey.example/"),
            (
                "OIDC_DISCOVERY_URL",
                "https://scaikey.example/.well-known/openid-configuration"
            ),
            aud,
        ]));
        // Another issuer, even beside a configured ScaiKey, is not ScaiKey.
        assert!(!trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_ISSUER", "https://idp.example"),
            aud,
        ]));
        // Nor is ScaiKey's issuer name with another provider's discovery document.
        for elsewhere in [
            "https://idp.example/.well-known/openid-configuration",
            "https://scaikey.example.evil/.well-known/openid-configuration",
        ] {
            assert!(!trusted(&[
                ("SCAIKEY_URL", "https://scaikey.example"),
                ("OIDC_DISCOVERY_URL", elsewhere),
                aud,
            ]));
        }
        assert!(!trusted(&[("OIDC_ISSUER", "https://idp.example"), aud]));
        assert!(trusted(&[
            ("OIDC_ISSUER", "https://idp.example"),
            ("OIDC_AUDIENCE", "scaidns"),
            ("OIDC_TRUST_ADMIN_CLAIMS", "true"),
        ]));
        assert!(!trusted(&[
            ("SCAIKEY_URL", "https://scaikey.example"),
            ("OIDC_TRUST_ADMIN_CLAIMS", "false"),
            aud,
        ]));
        let (_, invalid) = read(&[
            ("OIDC_ISSUER", "https://idp.example"),
            ("OIDC_TRUST_ADMIN_CLAIMS", "maybe"),
        ]);
        assert_eq!(invalid[0].0, "OIDC_TRUST_ADMIN_CLAIMS");
    }

    #[test]
    fn admin_claims_are_never_trusted_without_an_audience() {
        for pairs in [
            &[("SCAIKEY_URL", "https://scaikey.example")][..],
            &[
                ("OIDC_ISSUER", "https://idp.example"),
                ("OIDC_TRUST_ADMIN_CLAIMS", "true"),
            ][..],
        ] {
            let (c, _) = read(pairs);
            let oidc = c.oidc.unwrap();
            assert!(!oidc.trust_admin_claims, "{pairs:?}");
            assert!(oidc.admin_claims_distrusted.unwrap().contains("audience"));
        }
        let (c, _) = read(&[("OIDC_ISSUER", "https://idp.example")]);
        assert_eq!(c.oidc.unwrap().admin_claims_distrusted, None);
    }

    #[test]
    fn other_providers_and_bad_values() {
        let (c, invalid) = read(&[
            ("OIDC_ISSUER", "https://idp.example/realms/x"),
            ("OIDC_AUDIENCE", "scaidns"),
            ("OIDC_CLAIM_TENANT", "org"),
            ("SCAIKEY_JWKS_CACHE_TTL", "soon"),
        ]);
        let oidc = c.oidc.unwrap();
        assert_eq!(oidc.tenant_claim.as_deref(), Some("org"));
        assert_eq!(oidc.audience.as_deref(), Some("scaidns"));
        assert_eq!(invalid.len(), 1);
    }
}
