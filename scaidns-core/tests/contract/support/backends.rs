//! DNS backend fixtures: PowerDNS 4.7 (a private instance per behaviour) and the embedded
//! backend (served on 127.0.0.1:0), each with the address that answers DNS queries for it.

use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;

use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::ports::backend::DnsBackend;

use crate::support::contract::UnderTest;
use crate::support::pdns::PdnsServer;

/// A backend under test, the address answering for it, and whatever keeps it running.
pub struct Served {
    /// The port under test.
    pub backend: Arc<dyn DnsBackend>,
    /// Where its zones are served over UDP and TCP.
    pub dns: SocketAddr,
    _keep: Box<dyn Any + Send>,
}

impl UnderTest for Served {
    type Subject = Served;

    fn subject(&self) -> &Served {
        self
    }
}

/// PowerDNS on free loopback ports.
pub async fn powerdns() -> Served {
    let server = PdnsServer::start().await;
    Served {
        backend: Arc::new(server.backend()),
        dns: server.dns_addr,
        _keep: Box::new(server),
    }
}

/// The embedded backend on a free loopback port.
pub async fn embedded() -> Served {
    let backend = EmbeddedBackend::new();
    let handle = backend
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("embedded listener");
    Served {
        dns: handle.local_addr(),
        backend: Arc::new(backend),
        _keep: Box::new(handle),
    }
}
