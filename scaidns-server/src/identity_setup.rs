//! Attaches the configured identity provider to the service at start-up, and fetches its
//! metadata and keys in the background so the first bearer request does not wait for them.

use std::sync::Arc;

use scaidns_core::adapters::oidc::OidcProvider;
use scaidns_core::ports::SystemClock;
use scaidns_core::service::ScaiDns;

use crate::app::StartError;
use crate::config::Config;

/// `service` with the provider of `config.identity`, if any.
pub fn with_identity_provider(service: ScaiDns, config: &Config) -> Result<ScaiDns, StartError> {
    let Some(oidc) = config.identity.oidc.clone() else {
        return Ok(service);
    };
    let provider = Arc::new(
        OidcProvider::new(oidc, Arc::new(SystemClock))
            .map_err(|e| StartError::Config(format!("identity provider: {}", e.message())))?,
    );
    let warm = Arc::clone(&provider);
    tokio::spawn(async move {
        if let Err(e) = warm.warm_up().await {
            tracing::warn!(error = %e.message(), "identity provider not reachable at start-up");
        }
    });
    Ok(service.with_identity_provider(provider))
}
