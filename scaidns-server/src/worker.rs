//! The background worker: [`run`] repeats the core's job pass (`ScaiDns::worker_run_once`)
//! until shut down. Jobs are leased in the database, so the copy inside `scaidns serve` and any
//! number of `scaidns worker` processes can run side by side without running a job twice.

use std::time::Duration;

use scaidns_core::dnssec::Algorithm;
use scaidns_core::dnssec::rollover::RolloverPolicy;
use scaidns_core::service::ScaiDns;
use scaidns_core::service::dnssec::DnssecConfig;
use scaidns_core::service::retention;
use scaidns_core::service::worker::{SYNC_INTERVAL, WorkerConfig};

use crate::config::Config;

/// Pause between passes: the shortest job interval, the retry queue's.
pub const PASS_INTERVAL: Duration = Duration::from_secs(SYNC_INTERVAL.num_seconds().unsigned_abs());

/// The DNSSEC policy from the configuration.
pub fn dnssec_config(config: &Config) -> DnssecConfig {
    let days = |n: u32| chrono::Duration::days(i64::from(n));
    DnssecConfig {
        default_algorithm: Algorithm::from_number(
            i64::from(config.dnssec_default_algorithm),
            "DNSSEC_DEFAULT_ALGORITHM",
        )
        .unwrap_or(Algorithm::EcdsaP256Sha256),
        policy: RolloverPolicy {
            ksk_lifetime: days(config.dnssec_ksk_lifetime_days),
            zsk_lifetime: days(config.dnssec_zsk_lifetime_days),
            overlap: days(config.dnssec_rollover_overlap_days),
            ..RolloverPolicy::default()
        },
    }
}

/// The worker settings from the configuration; `owner` names this process in job leases.
pub fn worker_config(config: &Config, owner: impl Into<String>) -> WorkerConfig {
    let mut worker = WorkerConfig::new(owner);
    worker.validation_check_interval =
        chrono::Duration::seconds(i64::from(config.validation_check_interval_seconds));
    worker.deleted_zone_retention = retention::days(config.deleted_zone_retention_days);
    worker.pending_zone_retention = retention::days(config.pending_zone_retention_days);
    worker.max_jobs = config.max_jobs;
    worker
}

/// A lease owner name unique to this process: host, process id and a random suffix.
pub fn owner_name(role: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".to_owned());
    format!(
        "{role}@{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Runs passes every [`PASS_INTERVAL`] forever (cancel the task to stop).
pub async fn run(service: ScaiDns, worker: WorkerConfig) {
    let mut tick = tokio::time::interval(PASS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        pass(&service, &worker).await;
    }
}

/// One pass, logged.
pub async fn pass(service: &ScaiDns, worker: &WorkerConfig) {
    match service.worker_run_once(worker).await {
        Ok(runs) => {
            for run in runs {
                match run.outcome {
                    Ok(summary) => tracing::debug!(job = %run.job, %summary, "job done"),
                    Err(error) => tracing::warn!(job = %run.job, %error, "job failed"),
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "worker pass failed"),
    }
}
