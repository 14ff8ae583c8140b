//! Prometheus metrics (spec api-zones §13): request counts by route and status, request
//! latency, API-key use. Routes are labelled by their pattern (`/api/v1/domains/:domain_id`),
//! never the raw path, so ids cannot blow up the label space.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The server's metrics registry.
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    api_key_usage: IntCounterVec,
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
        let api_key_usage = IntCounterVec::new(
            Opts::new(
                "scaidns_api_key_usage_total",
                "Successful API-key authentications",
            ),
            &["key_id"],
        )
        .expect("valid metric");
        for c in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(api_key_usage.clone()),
        ] {
            registry.register(c).expect("unique metric");
        }
        Self {
            registry,
            http_requests,
            http_duration,
            api_key_usage,
        }
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
    pub fn observe_api_key(&self, key_id: &str) {
        self.api_key_usage.with_label_values(&[key_id]).inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}
