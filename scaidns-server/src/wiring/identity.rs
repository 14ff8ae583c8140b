//! The identity provider from configuration: the configuration's plain OpenID Connect settings
//! turned into the OIDC adapter's, the provider of `serve`, the directory of `scaidns sync`, and
//! the ScaiKey self-registration client of `scaidns register-scaikey`. The registration's values
//! are this module's own, so the CLI names no adapter type.

use std::sync::Arc;
use std::time::Duration;

use scaidns_core::adapters::oidc::directory::ScaiKeyDirectory;
use scaidns_core::adapters::oidc::http::HttpClient;
use scaidns_core::adapters::oidc::registration;
use scaidns_core::adapters::oidc::user_admin::ScaiKeyUserAdmin;
use scaidns_core::adapters::oidc::{ClaimNames, OidcConfig, OidcProvider};
use scaidns_core::ports::SystemClock;
use scaidns_core::service::ScaiDns;
use scaidns_core::service::identity_sync::{SyncOptions, SyncProgress, SyncReport};
use serde::{Deserialize, Serialize};

use super::StartError;
use crate::config::{Config, OidcSettings};

/// The OIDC adapter's configuration from the settings read.
fn oidc_config(settings: &OidcSettings) -> OidcConfig {
    let mut c = OidcConfig::new(settings.issuer.clone());
    c.discovery_url.clone_from(&settings.discovery_url);
    c.client_id.clone_from(&settings.client_id);
    c.client_secret.clone_from(&settings.client_secret);
    c.audience.clone_from(&settings.audience);
    let defaults = ClaimNames::default();
    c.claims = ClaimNames {
        tenant: settings.tenant_claim.clone().unwrap_or(defaults.tenant),
        email: settings.email_claim.clone().unwrap_or(defaults.email),
        roles: settings.roles_claim.clone(),
        scopes: settings.scopes_claim.clone(),
    };
    if let Some(scopes) = &settings.scopes {
        c.scopes.clone_from(scopes);
    }
    c.jwks_cache_ttl = settings.jwks_cache_ttl;
    c.token_cache_ttl = settings.token_cache_ttl;
    c.jwks_refetch_floor = settings.jwks_refetch_floor;
    c.trust_admin_claims = settings.trust_admin_claims;
    c
}

/// The provider of `config.identity`, if any, with its metadata and keys fetched in the
/// background so the first bearer request does not wait for them.
pub(super) fn identity_provider(config: &Config) -> Result<Option<Arc<OidcProvider>>, StartError> {
    let Some(settings) = &config.identity.oidc else {
        return Ok(None);
    };
    if let Some(why) = settings.admin_claims_distrusted {
        tracing::warn!(
            issuer = %settings.issuer,
            "platform-admin claims in tokens are not trusted: {why}"
        );
    }
    let provider = Arc::new(
        OidcProvider::new(oidc_config(settings), Arc::new(SystemClock))
            .map_err(|e| StartError::Config(format!("identity provider: {}", e.message())))?,
    );
    let warm = Arc::clone(&provider);
    tokio::spawn(async move {
        if let Err(e) = warm.warm_up().await {
            tracing::warn!(error = %e.message(), "identity provider not reachable at start-up");
        }
    });
    Ok(Some(provider))
}

/// ScaiKey's user administration (`/admin/users/` writes), when ScaiKey is the configured
/// provider with client credentials and an application id; `None` keeps users local.
pub(super) fn user_admin(
    config: &Config,
    provider: &Arc<OidcProvider>,
) -> Option<Arc<ScaiKeyUserAdmin>> {
    let identity = &config.identity;
    let (Some(settings), Some(base), Some(app)) = (
        identity.oidc.as_ref(),
        identity.scaikey_url.as_deref(),
        identity.application_id.as_deref(),
    ) else {
        return None;
    };
    let is_scaikey = settings.issuer.trim_end_matches('/') == base.trim_end_matches('/');
    if !is_scaikey || settings.client_id.is_none() || settings.client_secret.is_none() {
        return None;
    }
    Some(Arc::new(ScaiKeyUserAdmin::new(
        Arc::clone(provider),
        base,
        app,
    )))
}

/// `scaidns sync`: mirrors the provider's directory (ScaiKey) into the store. `None` when the
/// settings it needs are missing.
pub async fn identity_sync(
    config: &Config,
    service: &ScaiDns,
    options: SyncOptions,
    progress: &dyn SyncProgress,
) -> Option<Result<SyncReport, scaidns_core::Error>> {
    let identity = &config.identity;
    let (Some(settings), Some(base), Some(app)) = (
        identity.oidc.as_ref(),
        identity.scaikey_url.clone(),
        identity.application_id.clone(),
    ) else {
        return None;
    };
    let provider = match OidcProvider::new(oidc_config(settings), Arc::new(SystemClock)) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let directory = ScaiKeyDirectory::new(&provider, &base, &app);
    Some(service.identity_sync(&directory, options, progress).await)
}

/// What `register-scaikey` asks ScaiKey for.
#[derive(Debug, Clone)]
pub struct RegistrationRequest {
    /// Application name.
    pub name: String,
    /// Public URL of ScaiDNS.
    pub public_url: String,
    /// `GLOBAL`, `PARTNER` or `TENANT`.
    pub scope: String,
    /// Contact e-mail.
    pub contact_email: Option<String>,
}

/// A submitted request, kept on disk between runs; holds the one-time status token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegistrationTicket(registration::RegistrationTicket);

impl RegistrationTicket {
    /// The request's id.
    pub fn request_id(&self) -> &str {
        &self.0.request_id
    }
}

/// Credentials of an approved registration.
#[derive(Clone)]
pub struct RegisteredCredentials {
    /// `SCAIKEY_CLIENT_ID`.
    pub client_id: String,
    /// `SCAIKEY_CLIENT_SECRET`.
    pub client_secret: Option<String>,
    /// `SCAIKEY_APPLICATION_ID`.
    pub application_id: Option<String>,
    /// `SCAIKEY_WEBHOOK_SECRET`, when ScaiKey generated one.
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for RegisteredCredentials {
    // The secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredCredentials")
            .field("client_id", &self.client_id)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

/// The state of a request.
#[derive(Debug, Clone)]
pub enum RegistrationStatus {
    /// Waiting for an administrator.
    Pending,
    /// Approved, with the credentials.
    Approved(RegisteredCredentials),
    /// `REJECTED`, `CANCELLED`, `EXPIRED` (or anything else final).
    Closed(String),
}

/// The ScaiKey self-registration client of `scaidns register-scaikey`.
#[derive(Debug)]
pub struct ScaiKeyRegistration {
    http: HttpClient,
    base: String,
}

impl ScaiKeyRegistration {
    /// A client of the ScaiKey at `base`.
    pub fn new(base: &str) -> Result<Self, StartError> {
        let http = HttpClient::new(Duration::from_secs(15))
            .map_err(|e| StartError::Config(format!("cannot set up TLS: {e}")))?;
        Ok(Self {
            http,
            base: base.to_owned(),
        })
    }

    /// Submits `request`.
    pub async fn submit(
        &self,
        request: &RegistrationRequest,
    ) -> Result<RegistrationTicket, scaidns_core::Error> {
        let request = registration::RegistrationRequest {
            name: request.name.clone(),
            public_url: request.public_url.clone(),
            scope: request.scope.clone(),
            contact_email: request.contact_email.clone(),
        };
        registration::submit(&self.http, &self.base, &request)
            .await
            .map(RegistrationTicket)
    }

    /// Reads the status of the request of `ticket`.
    pub async fn status(
        &self,
        ticket: &RegistrationTicket,
    ) -> Result<RegistrationStatus, scaidns_core::Error> {
        Ok(
            match registration::status(&self.http, &self.base, &ticket.0).await? {
                registration::RegistrationStatus::Pending => RegistrationStatus::Pending,
                registration::RegistrationStatus::Closed(status) => {
                    RegistrationStatus::Closed(status)
                }
                registration::RegistrationStatus::Approved(creds) => {
                    RegistrationStatus::Approved(RegisteredCredentials {
                        client_id: creds.client_id,
                        client_secret: creds.client_secret,
                        application_id: creds.application_id,
                        webhook_secret: creds.webhook_secret,
                    })
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_settings_keep_the_adapters_defaults() {
        let mut settings = OidcSettings::new("https://scaikey.example/");
        settings.tenant_claim = Some("org".to_owned());
        let c = oidc_config(&settings);
        assert_eq!(
            c.discovery_url(),
            "https://scaikey.example/.well-known/openid-configuration"
        );
        assert_eq!(c.claims.tenant, "org");
        assert_eq!(c.claims.email, ClaimNames::default().email);
        assert_eq!(c.scopes, OidcConfig::new("x").scopes);
        assert_eq!(c.token_cache_ttl, settings.token_cache_ttl);
    }
}
