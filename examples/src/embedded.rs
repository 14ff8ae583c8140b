//! The core embedded in a program: an in-memory SQLite store, the embedded authoritative DNS
//! server on a loopback port, and the service on top. Every call goes through the same
//! authorization as the HTTP API, so the example bootstraps an admin and acts with its key.

use std::net::SocketAddr;
use std::sync::Arc;

use scaidns_core::adapters::embedded::{EmbeddedBackend, EmbeddedServerHandle};
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::{Store, SystemClock};
use scaidns_core::service::records::RecordCreate;
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::service::{RequestMeta, ScaiDns, ServiceConfig};

/// A running embedded ScaiDNS.
pub struct Embedded {
    /// The service.
    pub service: ScaiDns,
    /// The DNS listener; dropping it stops answering.
    pub dns: EmbeddedServerHandle,
}

impl std::fmt::Debug for Embedded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedded")
            .field("dns", &self.dns.local_addr())
            .finish_non_exhaustive()
    }
}

/// Starts the core with DNS on `dns_addr` (port 0 picks a free one) and serves `zone` with an
/// A record for `www` pointing at `address`.
///
/// # Errors
/// Any core error (a name or address that does not parse, a port that is taken, …).
pub async fn serve_zone(
    dns_addr: SocketAddr,
    zone: &str,
    address: &str,
) -> Result<Embedded, scaidns_core::Error> {
    let store = SqlStore::connect("sqlite::memory:").await?;
    store.migrate().await?;
    let backend = EmbeddedBackend::new();
    let dns = backend
        .serve(dns_addr)
        .await
        .map_err(|e| scaidns_core::Error::internal(e.to_string()))?;
    let service = ScaiDns::new(
        Arc::new(store),
        Arc::new(backend),
        Arc::new(HickoryResolver::new()),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    );

    // The first admin and its key; a platform admin's zones are active at once.
    let boot = service.bootstrap("admin@example.com").await?;
    let ctx = service
        .authenticate_api_key(boot.secret.expose(), RequestMeta::default())
        .await?;
    let created = service
        .zone_create(
            &ctx,
            ZoneCreate {
                name: zone.to_owned(),
                ..ZoneCreate::default()
            },
        )
        .await?;
    service
        .record_create(
            &ctx,
            created.zone.id,
            RecordCreate {
                name: "www".into(),
                rtype: "A".into(),
                content: address.to_owned(),
                ttl: Some(300),
                disabled: None,
            },
            &scaidns_core::zone::precondition::IfMatch::Any,
        )
        .await?;
    Ok(Embedded { service, dns })
}
