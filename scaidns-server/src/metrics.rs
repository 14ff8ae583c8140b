//! Prometheus metrics (spec api-zones §13): request counts by route and status, request
//! latency, API-key use. Routes are labelled by their pattern (`/api/v1/domains/:domain_id`),
//! never the raw path, so ids cannot blow up the label space. No series names a key, a user or
//! a tenant: whoever scrapes the platform must not learn who its customers are or how busy
//! each one is (API-key use is one platform-wide counter).
//!
//! Database operations, validation checks and worker jobs are measured in the core and the SQL
//! store and reported through the core's observer port, which the wiring implements on
//! [`Metrics`] (`wiring/observer.rs`): the core does not depend on this crate's metrics library.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The server's metrics registry.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    api_key_usage: IntCounter,
    webhook_events: IntCounterVec,
    backend_requests: IntCounterVec,
    backend_duration: HistogramVec,
    zones: IntGaugeVec,
    records: IntGauge,
    notifies_queued: IntGauge,
    db_queries: IntCounterVec,
    db_duration: HistogramVec,
    validation_checks: IntCounterVec,
    worker_jobs: IntCounterVec,
    worker_duration: HistogramVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every ScaiDNS metric registered.
    #[allow(clippy::expect_used)] // Static names and label sets: failure is a programming error.
    pub fn new() -> Self {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "scaidns_http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "path", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "scaidns_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "path"],
        )
        .expect("valid metric");
        let api_key_usage = IntCounter::new(
            "scaidns_api_key_usage_total",
            "Successful API-key authentications (all keys together)",
        )
        .expect("valid metric");
        let webhook_events = IntCounterVec::new(
            Opts::new(
                "scaidns_webhook_events_total",
                "ScaiKey webhook deliveries by event type and outcome",
            ),
            &["event_type", "status"],
        )
        .expect("valid metric");
        let backend_requests = IntCounterVec::new(
            Opts::new(
                "scaidns_pdns_requests_total",
                "DNS-backend calls by backend, operation and outcome (ok, unavailable, error)",
            ),
            &["backend", "operation", "outcome"],
        )
        .expect("valid metric");
        let backend_duration = HistogramVec::new(
            HistogramOpts::new(
                "scaidns_pdns_request_duration_seconds",
                "DNS-backend call latency",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
            ]),
            &["backend", "operation"],
        )
        .expect("valid metric");
        let zones = IntGaugeVec::new(Opts::new("scaidns_zones", "Zones by status"), &["status"])
            .expect("valid metric");
        let records =
            IntGauge::new("scaidns_records", "Records in all zones").expect("valid metric");
        let notifies_queued = IntGauge::new(
            "scaidns_notifies_queued",
            "Zones whose NOTIFY waits to be sent (PDNS_ZONE_KIND=master)",
        )
        .expect("valid metric");
        // Counted per store operation (`zones::get_zone`, a fixed list of about 200 names),
        // timed without that label: a histogram per operation would multiply the series by
        // the bucket count for little use.
        let db_queries = IntCounterVec::new(
            Opts::new(
                "scaidns_db_queries_total",
                "Database operations by store operation and outcome (ok, error)",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let db_duration = HistogramVec::new(
            HistogramOpts::new(
                "scaidns_db_query_duration_seconds",
                "Database operation latency by outcome",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
            ]),
            &["outcome"],
        )
        .expect("valid metric");
        let validation_checks = IntCounterVec::new(
            Opts::new(
                "scaidns_validation_checks_total",
                "Domain-ownership checks by result (valid, invalid)",
            ),
            &["result"],
        )
        .expect("valid metric");
        let worker_jobs = IntCounterVec::new(
            Opts::new(
                "scaidns_worker_jobs_total",
                "Background job runs by job and outcome (ok, error)",
            ),
            &["job", "outcome"],
        )
        .expect("valid metric");
        let worker_duration = HistogramVec::new(
            HistogramOpts::new(
                "scaidns_worker_jobs_duration_seconds",
                "Background job latency by job",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0]),
            &["job"],
        )
        .expect("valid metric");
        for c in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(api_key_usage.clone()),
            Box::new(webhook_events.clone()),
            Box::new(backend_requests.clone()),
            Box::new(backend_duration.clone()),
            Box::new(zones.clone()),
            Box::new(records.clone()),
            Box::new(notifies_queued.clone()),
            Box::new(db_queries.clone()),
            Box::new(db_duration.clone()),
            Box::new(validation_checks.clone()),
            Box::new(worker_jobs.clone()),
            Box::new(worker_duration.clone()),
        ] {
            registry.register(c).expect("unique metric");
        }
        Self {
            registry,
            http_requests,
            http_duration,
            api_key_usage,
            webhook_events,
            backend_requests,
            backend_duration,
            zones,
            records,
            notifies_queued,
            db_queries,
            db_duration,
            validation_checks,
            worker_jobs,
            worker_duration,
        }
    }

    /// Records one DNS-backend call.
    pub fn observe_backend(
        &self,
        backend: &str,
        operation: &str,
        outcome: &str,
        elapsed: Duration,
    ) {
        self.backend_requests
            .with_label_values(&[backend, operation, outcome])
            .inc();
        self.backend_duration
            .with_label_values(&[backend, operation])
            .observe(elapsed.as_secs_f64());
    }

    /// Sets the zone and record counts (read from the store when scraped).
    pub fn set_inventory(&self, zones: &[(&str, u64)], records: u64) {
        for (status, count) in zones {
            self.zones
                .with_label_values(&[status])
                .set(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        self.records.set(i64::try_from(records).unwrap_or(i64::MAX));
    }

    /// The gauge of zones whose NOTIFY waits to be sent (`wiring::notify_queue` keeps it).
    pub fn notifies_queued(&self) -> IntGauge {
        self.notifies_queued.clone()
    }

    /// Records one finished request.
    pub fn observe_request(&self, method: &str, path: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .with_label_values(&[method, path, &status.to_string()])
            .inc();
        self.http_duration
            .with_label_values(&[method, path])
            .observe(elapsed.as_secs_f64());
    }

    /// Records one authenticated API-key use.
    pub fn observe_api_key(&self) {
        self.api_key_usage.inc();
    }

    /// Records one webhook delivery. Only signed deliveries reach a real event type, and it is
    /// cut short, so the label space stays small.
    pub fn observe_webhook(&self, event_type: &str, status: &str) {
        let event_type: String = event_type.chars().take(64).collect();
        self.webhook_events
            .with_label_values(&[event_type.as_str(), status])
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

fn outcome(ok: bool) -> &'static str {
    if ok { "ok" } else { "error" }
}

impl Metrics {
    /// Records one store operation.
    pub fn observe_db_query(&self, operation: &str, ok: bool, elapsed: Duration) {
        let outcome = outcome(ok);
        self.db_queries
            .with_label_values(&[operation, outcome])
            .inc();
        self.db_duration
            .with_label_values(&[outcome])
            .observe(elapsed.as_secs_f64());
    }

    /// Records one ownership check's result.
    pub fn observe_validation_check(&self, result: &str) {
        self.validation_checks.with_label_values(&[result]).inc();
    }

    /// Records one background job run.
    /// `job` is a name from the core's fixed job list, so the label space stays bounded.
    pub fn observe_worker_job(&self, job: &'static str, ok: bool, elapsed: Duration) {
        self.worker_jobs
            .with_label_values(&[job, outcome(ok)])
            .inc();
        self.worker_duration
            .with_label_values(&[job])
            .observe(elapsed.as_secs_f64());
    }
}

/// Whether an `Authorization` header carries `Bearer <expected>`. Both sides are hashed first,
/// so the comparison takes the same time whatever the token's length or content.
pub fn bearer_matches(header: Option<&str>, expected: &str) -> bool {
    let Some(given) = header.and_then(|h| {
        let (scheme, token) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }) else {
        return false;
    };
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    bool::from(given.ct_eq(&expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrape_token_is_a_bearer_token() {
        assert!(bearer_matches(Some("Bearer s3cret"), "s3cret"));
        assert!(bearer_matches(Some("bearer  s3cret "), "s3cret"));
        assert!(!bearer_matches(Some("Bearer s3cre"), "s3cret"));
        assert!(!bearer_matches(Some("Basic s3cret"), "s3cret"));
        assert!(!bearer_matches(Some("s3cret"), "s3cret"));
        assert!(!bearer_matches(None, "s3cret"));
    }

    #[test]
    fn key_use_is_counted_without_naming_the_key() {
        let m = Metrics::new();
        m.observe_api_key();
        m.observe_api_key();
        let text = m.render();
        assert!(text.contains("scaidns_api_key_usage_total 2"), "{text}");
        assert!(!text.contains("key_id"), "{text}");
    }
}
