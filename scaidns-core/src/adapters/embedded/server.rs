//! The embedded backend's DNS listener: UDP and TCP on one address (RFC 1035 §4.2, RFC 7766),
//! answered by hickory's [`Catalog`] of in-memory zone handlers.
//!
//! The catalog sits behind an async `RwLock` so zones can be replaced while the server runs: a
//! query holds a read guard while it is answered; a zone change takes the write guard only to
//! swap one zone's handler, which was built beforehand.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::Catalog;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::RwLock;

use crate::ports::backend::{BackendError, BackendErrorKind};

/// How long an idle TCP client may hold a connection.
const TCP_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Responses queued per TCP connection (hickory's own default in its tests and binary).
const TCP_RESPONSE_BUFFER: usize = 32;

/// Answers queries from the shared catalog.
pub(super) struct CatalogHandler {
    pub catalog: Arc<RwLock<Catalog>>,
}

#[async_trait::async_trait]
impl RequestHandler for CatalogHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        let catalog = self.catalog.read().await;
        catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

/// A running DNS listener of the embedded backend. Dropping it stops the listener.
pub struct EmbeddedServerHandle {
    local_addr: SocketAddr,
    server: Server<CatalogHandler>,
}

impl std::fmt::Debug for EmbeddedServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedServerHandle")
            .field("local_addr", &self.local_addr)
            .finish()
    }
}

impl EmbeddedServerHandle {
    /// The address both the UDP socket and the TCP listener are bound to (the real port when
    /// port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting queries and waits for the listener tasks to end.
    pub async fn shutdown(mut self) -> Result<(), BackendError> {
        self.server.shutdown_gracefully().await.map_err(|e| {
            BackendError::new(BackendErrorKind::Unavailable, format!("DNS listener: {e}"))
        })
    }
}

/// Binds UDP and TCP on `addr` (the same port for both) and starts answering.
pub(super) async fn serve(
    catalog: Arc<RwLock<Catalog>>,
    addr: SocketAddr,
) -> Result<EmbeddedServerHandle, BackendError> {
    let (udp, tcp) = bind_pair(addr).await?;
    let local_addr = udp.local_addr().map_err(|e| bind_error(addr, &e))?;
    let mut server = Server::new(CatalogHandler { catalog });
    server.register_socket(udp);
    server.register_listener(tcp, TCP_IDLE_TIMEOUT, TCP_RESPONSE_BUFFER);
    tracing::info!(%local_addr, "embedded DNS server listening on UDP and TCP");
    Ok(EmbeddedServerHandle { local_addr, server })
}

/// With port 0 the OS picks a free UDP port, which may be taken for TCP; pick again then.
async fn bind_pair(addr: SocketAddr) -> Result<(UdpSocket, TcpListener), BackendError> {
    const ATTEMPTS: usize = 10;
    let mut last_error = None;
    for _ in 0..ATTEMPTS {
        let udp = UdpSocket::bind(addr)
            .await
            .map_err(|e| bind_error(addr, &e))?;
        let bound = udp.local_addr().map_err(|e| bind_error(addr, &e))?;
        match TcpListener::bind(bound).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if addr.port() == 0 => last_error = Some(e),
            Err(e) => return Err(bind_error(addr, &e)),
        }
    }
    let error = last_error.unwrap_or_else(|| std::io::Error::other("no free port"));
    Err(bind_error(addr, &error))
}

fn bind_error(addr: SocketAddr, error: &std::io::Error) -> BackendError {
    BackendError::new(
        BackendErrorKind::Unavailable,
        format!("cannot listen for DNS on {addr}: {error}"),
    )
}
