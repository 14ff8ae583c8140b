//! Record content (RDATA) in PowerDNS's canonical presentation form. (Placeholder: the
//! per-type parsers replace this module.)

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::record::RecordType;
use crate::zone::ZoneName;

/// Canonical record content of one type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordContent {
    rtype: RecordType,
    text: String,
}

impl RecordContent {
    /// Parses lenient user input of type `rtype` inside `zone` into canonical form.
    pub fn parse(rtype: RecordType, input: &str, _zone: &ZoneName) -> Result<Self> {
        Ok(Self { rtype, text: input.trim().to_owned() })
    }

    /// The record type.
    pub fn rtype(&self) -> RecordType {
        self.rtype
    }

    /// Canonical text, exactly as PowerDNS 4.7 stores and returns it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host name this content points at (CNAME, DNAME, NS, PTR, MX, SRV, ALIAS …), if any.
    pub fn target(&self) -> Option<&str> {
        None
    }
}
