//! The DNS backend: where the store's intended state is published and answered from
//! (PowerDNS, or the embedded server).

use async_trait::async_trait;

use crate::name::ZoneName;
use crate::zone::secondary::{SecondarySource, TransferState};
use crate::zone::{RrSet, RrSetChange};

/// Everything needed to create a zone in a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSpec {
    /// Apex.
    pub name: ZoneName,
    /// Full initial content, including the SOA and the apex NS RRset.
    pub rrsets: Vec<RrSet>,
    /// Opaque owner marker (the tenant id); never used for access control.
    pub account: String,
}

/// Everything needed to create a secondary zone in a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondarySpec {
    /// Apex.
    pub name: ZoneName,
    /// Primaries and TSIG key.
    pub source: SecondarySource,
    /// Opaque owner marker (the tenant id); never used for access control.
    pub account: String,
}

/// Why a backend call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendErrorKind {
    /// Unreachable, timed out, or a server-side failure: worth retrying.
    Unavailable,
    /// The backend refused the data (validation): retrying the same change will not help.
    Rejected,
    /// The zone (or key) does not exist there.
    NotFound,
    /// The zone already exists there.
    Conflict,
    /// The backend cannot do this at all.
    Unsupported,
}

/// A backend failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    /// Class.
    pub kind: BackendErrorKind,
    /// Description (never contains credentials).
    pub message: String,
}

impl BackendError {
    /// A new error.
    pub fn new(kind: BackendErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Whether retrying later may succeed.
    pub fn is_transient(&self) -> bool {
        self.kind == BackendErrorKind::Unavailable
    }
}

/// A place where zones are published and answered from.
#[async_trait]
pub trait DnsBackend: Send + Sync + std::fmt::Debug {
    /// Short name for logs and health output (`powerdns`, `embedded`).
    fn name(&self) -> &'static str;

    /// Whether the backend is reachable and working.
    async fn health(&self) -> Result<(), BackendError>;

    /// Creates a zone with its full content. If the zone already exists its content is replaced,
    /// so a retried creation converges.
    async fn create_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError>;

    /// Removes a zone; removing an absent zone succeeds.
    async fn delete_zone(&self, zone: &ZoneName) -> Result<(), BackendError>;

    /// All RRsets of a zone (SOA and NS included, DNSSEC records excluded), or `None` when the
    /// zone does not exist.
    async fn get_zone(&self, zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError>;

    /// Names of every zone the backend holds.
    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError>;

    /// Applies `changes` to an existing zone atomically, in order; the SOA serial rises.
    async fn apply(&self, zone: &ZoneName, changes: &[RrSetChange]) -> Result<(), BackendError>;

    /// Tells secondaries that the zone changed (no-op where there are none).
    async fn notify(&self, _zone: &ZoneName) -> Result<(), BackendError> {
        Ok(())
    }

    /// Whether the backend can hold secondary zones (transfer them from a primary).
    fn supports_secondaries(&self) -> bool {
        false
    }

    /// Creates a secondary zone, or makes an existing one transfer from `spec`'s primaries with
    /// its key; asks for a first transfer. Never touches the zone's records.
    async fn create_secondary_zone(&self, _spec: &SecondarySpec) -> Result<(), BackendError> {
        Err(no_secondaries())
    }

    /// The transfer state of a secondary zone, or `None` when the backend lacks the zone.
    async fn transfer_state(
        &self,
        _zone: &ZoneName,
    ) -> Result<Option<TransferState>, BackendError> {
        Err(no_secondaries())
    }

    /// Asks for a transfer of a secondary zone now (it happens in the background).
    async fn retrieve(&self, _zone: &ZoneName) -> Result<(), BackendError> {
        Err(no_secondaries())
    }
}

/// Where the NOTIFY that follows a publication goes when it need not be sent before the write
/// answers: the server's NOTIFY task (`scaidns-server`'s `wiring::notify_queue`), which sends
/// it through [`DnsBackend::notify`] soon after. A NOTIFY only prompts the secondaries to ask for
/// what is already published, so no answer depends on it; without a queue the writer sends it
/// itself before answering. A NOTIFY asked for explicitly (the PowerDNS-compatible `notify`
/// call) is always sent at once, so that its refusal reaches the caller.
pub trait NotifyQueue: Send + Sync + std::fmt::Debug {
    /// Queues `zone`'s NOTIFY.
    fn queue(&self, zone: &ZoneName);
}

/// The refusal of a backend without secondary zones.
pub fn no_secondaries() -> BackendError {
    BackendError::new(
        BackendErrorKind::Unsupported,
        "secondary zones need the PowerDNS backend (DNS_BACKEND=powerdns); this backend cannot transfer zones",
    )
}

/// The backend of a process that publishes nothing: operator commands that only touch the store
/// (`bootstrap`, `assign-admin`, `sync`). Every call answers `Unsupported`, so a code path that
/// would publish fails loudly instead of writing to a server nobody reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBackend;

impl NoBackend {
    fn refuse<T>() -> Result<T, BackendError> {
        Err(BackendError::new(
            BackendErrorKind::Unsupported,
            "this command has no DNS backend; it changes the store only",
        ))
    }
}

#[async_trait]
impl DnsBackend for NoBackend {
    fn name(&self) -> &'static str {
        "none"
    }

    async fn health(&self) -> Result<(), BackendError> {
        Self::refuse()
    }

    async fn create_zone(&self, _spec: &ZoneSpec) -> Result<(), BackendError> {
        Self::refuse()
    }

    async fn delete_zone(&self, _zone: &ZoneName) -> Result<(), BackendError> {
        Self::refuse()
    }

    async fn get_zone(&self, _zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
        Self::refuse()
    }

    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
        Self::refuse()
    }

    async fn apply(&self, _zone: &ZoneName, _changes: &[RrSetChange]) -> Result<(), BackendError> {
        Self::refuse()
    }
}
