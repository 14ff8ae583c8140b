//! Storage of DNSSEC key metadata: the rollover state lives here, the keys themselves in the
//! DNS backend ([`super::dnssec_keys`]). Joins [`super::store::Store`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::AuditEvent;
use crate::dnssec::DnssecKey;
use crate::error::Result;
use crate::ids::{DnssecKeyId, ZoneId};
use crate::zone::precondition::IfMatch;

/// One atomic change to a zone's DNSSEC keys.
#[derive(Debug, Clone, PartialEq)]
pub struct DnssecKeyWrite {
    /// The zone.
    pub zone_id: ZoneId,
    /// Ids of the zone's keys as the caller read them: when the stored set differs, the write
    /// fails with 409 `dnssec_changed` (another request or worker changed the keys meanwhile).
    pub expected: Vec<DnssecKeyId>,
    /// Keys to insert or replace (by id).
    pub upsert: Vec<DnssecKey>,
    /// Keys to delete.
    pub delete: Vec<DnssecKeyId>,
    /// New value of the zone's `dnssec_enabled`; when set, the zone's generation is bumped too,
    /// so a concurrent zone write holding the old flag fails its generation check.
    pub dnssec_enabled: Option<bool>,
    /// When the change happens (the zone's `updated_at` when the flag changes).
    pub now: DateTime<Utc>,
    /// Audit entries, written in the same transaction.
    pub audit: Vec<AuditEvent>,
    /// The caller's `If-Match` on the zone's generation, checked under the zone's row lock
    /// (412 `precondition_failed`), so a zone write that lands after the caller's read is seen.
    pub if_match: IfMatch,
}

/// DNSSEC key metadata.
#[async_trait]
pub trait DnssecKeyStore: Send + Sync {
    /// A zone's keys, oldest first.
    async fn list_dnssec_keys(&self, zone_id: ZoneId) -> Result<Vec<DnssecKey>>;

    /// Applies a [`DnssecKeyWrite`]. 404 when the zone does not exist; 409 `dnssec_changed`.
    async fn write_dnssec_keys(&self, write: DnssecKeyWrite) -> Result<()>;

    /// Every zone that has at least one key (for the rollover job).
    async fn zones_with_dnssec_keys(&self) -> Result<Vec<ZoneId>>;
}
