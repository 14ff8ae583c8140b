//! The signing backend's DNSSEC keys: a port of its own, apart from [`super::DnsBackend`],
//! because only some backends sign (PowerDNS does, the embedded server does not). A service
//! built without it answers every DNSSEC call with `dnssec_unsupported`, instead of each
//! backend having to refuse key calls one by one.

use async_trait::async_trait;

use super::backend::BackendError;
use crate::dnssec::{BackendKey, NewKey};
use crate::name::ZoneName;

/// Where a zone's DNSSEC keys are created, flagged and removed.
#[async_trait]
pub trait DnssecKeyBackend: Send + Sync + std::fmt::Debug {
    /// The zone's DNSSEC keys.
    async fn list_keys(&self, zone: &ZoneName) -> Result<Vec<BackendKey>, BackendError>;

    /// Creates a key.
    async fn add_key(&self, zone: &ZoneName, key: &NewKey) -> Result<BackendKey, BackendError>;

    /// Sets a key's active and published flags.
    async fn set_key_state(
        &self,
        zone: &ZoneName,
        key_id: u32,
        active: bool,
        published: bool,
    ) -> Result<(), BackendError>;

    /// Deletes a key.
    async fn remove_key(&self, zone: &ZoneName, key_id: u32) -> Result<(), BackendError>;
}
