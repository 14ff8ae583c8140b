//! A DNSSEC key as the signing backend holds it (public parts only) and the parameters of a new
//! one. Kept in the model because key metadata ([`super::DnssecKey`]) is built from them and the
//! rollover machine decides their flags; the backend port only carries them.

use serde::{Deserialize, Serialize};

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
