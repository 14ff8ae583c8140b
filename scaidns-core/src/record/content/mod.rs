//! Record content (RDATA) in PowerDNS's canonical presentation form.
//!
//! PowerDNS 4.x refuses content that differs from its own rendering (`Not in expected format`),
//! and the store compares what it holds with what the backend returns. So user input is parsed
//! leniently (RFC 1035 §5.1 presentation format, plus the relaxations of interface decision 9)
//! into a typed [`Rdata`], and rendered once into the exact text PowerDNS 4.7 stores. Rendering
//! is idempotent: parsing canonical text gives the same text back.

mod address;
mod apl;
mod caa;
mod csync;
mod eui;
mod generic;
pub mod hickory;
pub mod hickory_text;
mod hostname;
mod ilnp;
mod keys;
mod lex;
mod loc;
mod mx_srv;
mod naptr;
mod rdata;
mod soa;
mod sshfp_tlsa_ds;
mod strings;
mod svcb;
mod txt;
pub(crate) mod type_codes;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use apl::AplItem;
pub use csync::Csync;
pub use hostname::HostName;
pub use keys::{Cert, Gateway, Ipseckey, KeyData};
pub use loc::Loc;
pub use naptr::Naptr;
pub use rdata::Rdata;
pub use soa::Soa;
pub use svcb::{SvcKey, SvcParam, Svcb};

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::RecordType;

/// Longest content text PowerDNS's SQL schemas hold (`records.content VARCHAR(64000)`).
pub const MAX_CONTENT_LEN: usize = 64_000;

/// Canonical record content of one type: the parsed form and its PowerDNS text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ContentRepr", into = "ContentRepr")]
pub struct RecordContent {
    rdata: Rdata,
    text: String,
}

impl RecordContent {
    /// Parses lenient user input of type `rtype` inside `zone` into canonical form. `@` in a
    /// host-name field means the zone apex.
    pub fn parse(rtype: RecordType, input: &str, zone: &ZoneName) -> Result<Self> {
        Self::build(Rdata::parse(rtype, input, Some(zone))?)
    }

    /// Rebuilds content read back from the store or a backend, where no zone context is needed
    /// (canonical text never contains `@`). Input is still checked and normalised.
    pub fn from_stored(rtype: RecordType, text: &str) -> Result<Self> {
        Self::build(Rdata::parse(rtype, text, None)?)
    }

    /// Content from structured data, checked exactly as text input is.
    pub fn from_rdata(rdata: &Rdata) -> Result<Self> {
        Self::from_stored(rdata.rtype(), &rdata.to_string())
    }

    fn build(rdata: Rdata) -> Result<Self> {
        let text = rdata.to_string();
        if text.len() > MAX_CONTENT_LEN {
            return Err(lex::invalid(format!(
                "{} content must be at most {MAX_CONTENT_LEN} characters once written out",
                rdata.rtype()
            )));
        }
        Ok(Self { rdata, text })
    }

    /// The record type.
    pub fn rtype(&self) -> RecordType {
        self.rdata.rtype()
    }

    /// Canonical text, exactly as PowerDNS 4.7 stores and returns it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed form.
    pub fn rdata(&self) -> &Rdata {
        &self.rdata
    }

    /// The host name this content points at (absolute, trailing dot): the target of CNAME,
    /// DNAME, NS, PTR, ALIAS, MX, SRV, NAPTR, HTTPS and SVCB. `None` for other types and for
    /// the root `.`.
    pub fn target(&self) -> Option<&str> {
        let t = &self.text;
        let name = match self.rtype() {
            RecordType::CNAME
            | RecordType::DNAME
            | RecordType::NS
            | RecordType::PTR
            | RecordType::ALIAS => Some(t.as_str()),
            RecordType::MX => t.split(' ').nth(1),
            RecordType::SRV => t.split(' ').nth(3),
            // The replacement is the last field, and names never contain blanks.
            RecordType::NAPTR => t.rsplit(' ').next(),
            RecordType::HTTPS | RecordType::SVCB => t.split(' ').nth(1),
            RecordType::AFSDB | RecordType::KX | RecordType::LP => t.split(' ').nth(1),
            RecordType::MR => Some(t.as_str()),
            _ => None,
        };
        name.filter(|n| *n != ".")
    }
}

impl std::fmt::Display for RecordContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Serialised form: type and canonical text, re-validated on the way in.
#[derive(Serialize, Deserialize)]
struct ContentRepr {
    #[serde(rename = "type")]
    rtype: RecordType,
    content: String,
}

impl TryFrom<ContentRepr> for RecordContent {
    type Error = crate::error::Error;
    fn try_from(value: ContentRepr) -> Result<Self> {
        Self::from_stored(value.rtype, &value.content)
    }
}

impl From<RecordContent> for ContentRepr {
    fn from(value: RecordContent) -> Self {
        Self {
            rtype: value.rtype(),
            content: value.text,
        }
    }
}
