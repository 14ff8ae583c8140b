//! Resource records: owner names, types, TTLs, canonical content, and RRset grouping.
//!
//! The record model of RFC 1035 §3.2 (owner, type, class IN, TTL, RDATA) with RFC 2181's
//! clarifications: records of one name and type form an RRset with a single TTL (§5.2), and
//! TTLs are 32-bit unsigned seconds (§8). Content is kept in the canonical presentation form
//! PowerDNS stores ([`content`]); types PowerDNS has no name for are RFC 3597 generic types.

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
