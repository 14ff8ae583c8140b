//! RRsets as a DNS backend publishes them: the flat, presentation-form shape that zone rules
//! produce and that every backend (PowerDNS, the embedded server) takes and gives back. They
//! belong to the model so the rules can speak them without knowing about any port.

use serde::{Deserialize, Serialize};

use crate::record::RecordType;

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
