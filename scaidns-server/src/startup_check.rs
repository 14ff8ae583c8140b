//! Checks made once at start whose failure must not stop the process but must not pass
//! unnoticed either: a PowerDNS that refuses `PDNS_API_KEY` would otherwise leave every write
//! `pending` behind a clean start.

use scaidns_core::service::ScaiDns;
use scaidns_core::service::health::Check;
use scaidns_core::service::worker::SYNC_INTERVAL;

use crate::config::{BackendConfig, Config};

/// Asks the PowerDNS API once, in the background, and logs a warning naming the variable to
/// check when it does not answer as it should. In the background because a PowerDNS that hangs
/// must not hold back the API listener or the retry loop for the length of a request timeout:
/// both work without it (writes are saved and retried).
pub fn spawn_powerdns(service: &ScaiDns, config: &Config) {
    if !matches!(config.backend, BackendConfig::PowerDns { .. }) {
        return;
    }
    tokio::spawn(powerdns(service.clone()));
}

async fn powerdns(service: ScaiDns) {
    let Check::Failed(why) = service.health_ready().await.dns_backend else {
        return;
    };
    let refused = why.contains("401") || why.contains("403");
    let warning = if refused {
        format!(
            "PowerDNS refused PDNS_API_KEY ({why}): check PDNS_API_KEY against api-key in \
             pdns.conf; until then every change is saved but stays pending"
        )
    } else {
        format!(
            "PowerDNS API does not answer ({why}): check PDNS_API_URL and that PowerDNS runs \
             with api=yes and webserver=yes; changes are saved and retried every {} s",
            SYNC_INTERVAL.num_seconds()
        )
    };
    tracing::warn!("{warning}");
}
