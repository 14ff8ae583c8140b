//! The DNS backend: where the store's intended state is published and answered from
//! (PowerDNS, or the embedded server).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::record::RecordType;
use crate::zone::ZoneName;

/// One record of an RRset as a backend holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RrData {
    /// Canonical content (PowerDNS presentation form).
    pub content: String,
    /// Kept but not served.
    pub disabled: bool,
}

/// All records of one name and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RrSet {
    /// Absolute owner name, lowercase, trailing dot.
    pub name: String,
    /// Type.
    pub rtype: RecordType,
    /// TTL of the set.
    pub ttl: u32,
    /// Records, sorted by content.
    pub records: Vec<RrData>,
}

/// One change to a zone's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RrSetChange {
    /// Set the whole RRset (an empty `records` deletes it).
    Replace(RrSet),
    /// Remove the RRset.
    Delete {
        /// Absolute owner name.
        name: String,
        /// Type.
        rtype: RecordType,
    },
}

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
    /// The backend cannot do this at all (e.g. DNSSEC on the embedded backend).
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

/// Role of a DNSSEC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyRole {
    /// Key-signing key (flags 257).
    Ksk,
    /// Zone-signing key (flags 256).
    Zsk,
    /// Combined signing key.
    Csk,
}

/// A DNSSEC key as the backend reports it (public parts only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendKey {
    /// Backend's id of the key.
    pub id: u32,
    /// Role.
    pub role: KeyRole,
    /// Signs the zone.
    pub active: bool,
    /// DNSKEY published.
    pub published: bool,
    /// DNSSEC algorithm number (RFC 8624).
    pub algorithm: u8,
    /// Key size in bits.
    pub bits: u32,
    /// DNSKEY RDATA in presentation form (`257 3 13 <base64>`).
    pub dnskey: String,
    /// DS RDATA strings (`<tag> <alg> <digest type> <hex>`), KSK/CSK only.
    pub ds: Vec<String>,
}

/// Parameters of a new key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    /// Role.
    pub role: KeyRole,
    /// DNSSEC algorithm number.
    pub algorithm: u8,
    /// Key size for RSA (ignored otherwise).
    pub bits: Option<u32>,
    /// Sign with it at once.
    pub active: bool,
    /// Publish its DNSKEY.
    pub published: bool,
}

fn unsupported<T>() -> Result<T, BackendError> {
    Err(BackendError::new(
        BackendErrorKind::Unsupported,
        "DNSSEC requires the PowerDNS backend (DNS_BACKEND=powerdns)",
    ))
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

    /// The zone's DNSSEC keys.
    async fn list_keys(&self, _zone: &ZoneName) -> Result<Vec<BackendKey>, BackendError> {
        unsupported()
    }

    /// Creates a key.
    async fn add_key(&self, _zone: &ZoneName, _key: &NewKey) -> Result<BackendKey, BackendError> {
        unsupported()
    }

    /// Sets a key's active and published flags.
    async fn set_key_state(
        &self,
        _zone: &ZoneName,
        _key_id: u32,
        _active: bool,
        _published: bool,
    ) -> Result<(), BackendError> {
        unsupported()
    }

    /// Deletes a key.
    async fn remove_key(&self, _zone: &ZoneName, _key_id: u32) -> Result<(), BackendError> {
        unsupported()
    }
}
