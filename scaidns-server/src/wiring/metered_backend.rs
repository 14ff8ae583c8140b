//! Counts and times every DNS-backend call (`scaidns_pdns_requests_total`,
//! `scaidns_pdns_request_duration_seconds`, spec api-zones §13) by wrapping the backend port, so
//! the adapters stay free of metrics. The DNSSEC key port is wrapped the same way.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use scaidns_core::dnssec::{BackendKey, NewKey};
use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::SecondarySpec;
use scaidns_core::ports::{BackendError, DnsBackend, DnssecKeyBackend, ZoneSpec};
use scaidns_core::zone::secondary::TransferState;
use scaidns_core::zone::{RrSet, RrSetChange};

use crate::metrics::Metrics;

/// A backend whose calls are recorded in [`Metrics`].
#[derive(Debug)]
pub struct MeteredBackend {
    inner: Arc<dyn DnsBackend>,
    metrics: Arc<Metrics>,
}

impl MeteredBackend {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn DnsBackend>, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }

    async fn timed<T>(
        &self,
        operation: &str,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        timed(&self.metrics, self.inner.name(), operation, call).await
    }
}

#[async_trait]
impl DnsBackend for MeteredBackend {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn health(&self) -> Result<(), BackendError> {
        self.timed("health", self.inner.health()).await
    }

    async fn create_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        self.timed("create_zone", self.inner.create_zone(spec))
            .await
    }

    async fn delete_zone(&self, zone: &ZoneName) -> Result<(), BackendError> {
        self.timed("delete_zone", self.inner.delete_zone(zone))
            .await
    }

    async fn get_zone(&self, zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
        self.timed("get_zone", self.inner.get_zone(zone)).await
    }

    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
        self.timed("list_zones", self.inner.list_zones()).await
    }

    async fn apply(&self, zone: &ZoneName, changes: &[RrSetChange]) -> Result<(), BackendError> {
        self.timed("apply", self.inner.apply(zone, changes)).await
    }

    async fn notify(&self, zone: &ZoneName) -> Result<(), BackendError> {
        self.timed("notify", self.inner.notify(zone)).await
    }

    fn supports_secondaries(&self) -> bool {
        self.inner.supports_secondaries()
    }

    async fn create_secondary_zone(&self, spec: &SecondarySpec) -> Result<(), BackendError> {
        self.timed(
            "create_secondary_zone",
            self.inner.create_secondary_zone(spec),
        )
        .await
    }

    async fn transfer_state(&self, zone: &ZoneName) -> Result<Option<TransferState>, BackendError> {
        self.timed("transfer_state", self.inner.transfer_state(zone))
            .await
    }

    async fn retrieve(&self, zone: &ZoneName) -> Result<(), BackendError> {
        self.timed("retrieve", self.inner.retrieve(zone)).await
    }
}

/// A DNSSEC key port whose calls are recorded in [`Metrics`] under the backend's name.
#[derive(Debug)]
pub struct MeteredDnssecKeys {
    inner: Arc<dyn DnssecKeyBackend>,
    backend: &'static str,
    metrics: Arc<Metrics>,
}

impl MeteredDnssecKeys {
    /// Wraps `inner`, the key port of the backend called `backend` in the metrics.
    pub fn new(
        inner: Arc<dyn DnssecKeyBackend>,
        backend: &'static str,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            inner,
            backend,
            metrics,
        }
    }
}

#[async_trait]
impl DnssecKeyBackend for MeteredDnssecKeys {
    async fn list_keys(&self, zone: &ZoneName) -> Result<Vec<BackendKey>, BackendError> {
        timed(
            &self.metrics,
            self.backend,
            "list_keys",
            self.inner.list_keys(zone),
        )
        .await
    }

    async fn add_key(&self, zone: &ZoneName, key: &NewKey) -> Result<BackendKey, BackendError> {
        timed(
            &self.metrics,
            self.backend,
            "add_key",
            self.inner.add_key(zone, key),
        )
        .await
    }

    async fn set_key_state(
        &self,
        zone: &ZoneName,
        key_id: u32,
        active: bool,
        published: bool,
    ) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            self.backend,
            "set_key_state",
            self.inner.set_key_state(zone, key_id, active, published),
        )
        .await
    }

    async fn remove_key(&self, zone: &ZoneName, key_id: u32) -> Result<(), BackendError> {
        timed(
            &self.metrics,
            self.backend,
            "remove_key",
            self.inner.remove_key(zone, key_id),
        )
        .await
    }
}

async fn timed<T>(
    metrics: &Metrics,
    backend: &str,
    operation: &str,
    call: impl Future<Output = Result<T, BackendError>>,
) -> Result<T, BackendError> {
    let started = Instant::now();
    let result = call.await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) if e.is_transient() => "unavailable",
        Err(_) => "error",
    };
    metrics.observe_backend(backend, operation, outcome, started.elapsed());
    result
}
