//! What every handler shares: the core service, the configuration and the metrics.

use std::sync::Arc;

use scaidns_core::service::{ScaiDns, Throttle};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::wiring::StartError;

/// Shared application state, handed to handlers through `poem::web::Data`.
#[derive(Clone)]
pub struct AppState {
    /// The core service.
    pub service: ScaiDns,
    /// Start-up configuration.
    pub config: Arc<Config>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The service's rate limiter: a state, hence the app, cannot exist without one.
    pub throttle: Throttle,
    /// Keyed writes running in their own tasks, waited for at shutdown.
    pub keyed_tasks: crate::keyed_tasks::KeyedTasks,
}

impl AppState {
    /// The state of `service`; refuses a service built without a rate limiter (such as an
    /// operator command's), since the server must never serve unthrottled.
    pub fn new(
        service: ScaiDns,
        config: Arc<Config>,
        metrics: Arc<Metrics>,
    ) -> Result<Self, StartError> {
        let throttle = service.throttle().ok_or_else(|| {
            StartError::Config("the server needs a service with a rate limiter".to_owned())
        })?;
        Ok(Self {
            service,
            config,
            metrics,
            throttle,
            keyed_tasks: crate::keyed_tasks::KeyedTasks::default(),
        })
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("environment", &self.config.environment)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::Needs;

    #[tokio::test]
    async fn a_service_without_a_rate_limiter_makes_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("state.db").display());
        let config = Config::development(dir.path(), &url, "127.0.0.1:0".parse().unwrap());
        // An operator command's service: no rate limiter.
        let service = crate::wiring::service(&config, Needs::Store).await.unwrap();
        let refused = AppState::new(service, Arc::new(config), Arc::new(Metrics::new()));
        assert!(matches!(refused, Err(StartError::Config(_))));
    }
}
