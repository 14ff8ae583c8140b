//! The service's optional DNSSEC key port and the mapping of its failures onto the API's
//! errors. A service built without the port (the embedded backend cannot sign) answers every
//! DNSSEC change with the error a refusing backend would have produced, `dnssec_unsupported`.

use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::ports::backend::{BackendError, BackendErrorKind};
use crate::ports::dnssec_keys::DnssecKeyBackend;
use crate::service::ScaiDns;

impl ScaiDns {
    /// Lets the service manage DNSSEC keys through `keys` (the PowerDNS backend).
    #[must_use]
    pub fn with_dnssec_keys(mut self, keys: Arc<dyn DnssecKeyBackend>) -> Self {
        self.dnssec_keys = Some(keys);
        self
    }

    /// The DNSSEC key port, when the service has one.
    pub(crate) fn dnssec_key_backend(&self) -> Option<&Arc<dyn DnssecKeyBackend>> {
        self.dnssec_keys.as_ref()
    }

    /// The DNSSEC key port, or the `dnssec_unsupported` error.
    pub(crate) fn require_dnssec_keys(&self) -> Result<&Arc<dyn DnssecKeyBackend>> {
        self.dnssec_keys.as_ref().ok_or_else(unsupported)
    }
}

fn unsupported() -> Error {
    Error::conflict(
        "dnssec_unsupported",
        "DNSSEC requires the PowerDNS backend (DNS_BACKEND=powerdns); this server publishes to the embedded backend, which cannot sign zones",
    )
}

/// Maps a backend failure of a DNSSEC call onto the API's errors.
pub(crate) fn dnssec_backend_error(e: &BackendError) -> Error {
    match e.kind {
        BackendErrorKind::Unsupported => unsupported(),
        BackendErrorKind::NotFound => Error::conflict(
            "zone_not_published",
            "the domain is not published in the DNS backend yet (its sync is pending); retry once it is in sync",
        ),
        BackendErrorKind::Unavailable => Error::new(
            ErrorKind::Upstream,
            "backend_unavailable",
            format!("the DNS backend is unavailable: {}", e.message),
        ),
        _ => Error::new(
            ErrorKind::Upstream,
            "backend_rejected",
            format!("the DNS backend refused the DNSSEC change: {}", e.message),
        ),
    }
}
