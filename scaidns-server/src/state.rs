//! What every handler shares: the core service, the configuration and the metrics.

use std::sync::Arc;

use scaidns_core::ports::rate_limiter::RateLimiter;
use scaidns_core::service::ScaiDns;

use crate::config::Config;
use crate::metrics::Metrics;

/// Shared application state, handed to handlers through `poem::web::Data`.
#[derive(Clone)]
pub struct AppState {
    /// The core service.
    pub service: ScaiDns,
    /// Start-up configuration.
    pub config: Arc<Config>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Per-caller request counts.
    pub rate_limiter: Arc<dyn RateLimiter>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("environment", &self.config.environment)
            .finish_non_exhaustive()
    }
}
