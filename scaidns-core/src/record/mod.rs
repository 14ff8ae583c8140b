//! Resource records: owner names, types, TTLs, canonical content, and RRset grouping.

pub mod content;
pub mod name;
pub mod rtype;
pub mod ttl;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use content::RecordContent;
pub use name::RecordName;
pub use rtype::RecordType;
pub use ttl::{Ttl, TtlPolicy};

use crate::ids::{RecordId, ZoneId};

/// One stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Id.
    pub id: RecordId,
    /// Owning zone.
    pub zone_id: ZoneId,
    /// Absolute owner name.
    pub name: RecordName,
    /// Type and canonical content.
    pub content: RecordContent,
    /// TTL (shared by the whole RRset, interface decision 10).
    pub ttl: Ttl,
    /// Kept but not served.
    pub disabled: bool,
    /// System-managed (SOA, apex NS): not editable through the record endpoints.
    pub system: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Record {
    /// The record's type.
    pub fn rtype(&self) -> RecordType {
        self.content.rtype()
    }
}
