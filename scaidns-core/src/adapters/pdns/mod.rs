//! [`DnsBackend`] and [`DnssecKeyBackend`] over the PowerDNS Authoritative HTTP API (4.7 and newer; `spec/powerdns.md`).
//!
//! Zones are created with `soa_edit_api: DEFAULT`, so PowerDNS bumps the SOA serial on every
//! PATCH (YYYYMMDDnn, RFC 1912 §2.2 style), and `api_rectify: true`, so signed zones stay
//! consistent. Two PowerDNS behaviours shape this adapter:
//!
//! - PowerDNS has no locking across requests; concurrent PATCHes to one zone have produced
//!   duplicate records (pdns #7128, #10448). Writes are therefore serialised per zone inside
//!   this backend (one process writing is the deployment model; several writers would need the
//!   store's generation check as well).
//! - A PATCH that replaces the SOA computes the new serial from the serial *in the new content*,
//!   not from the zone's current one; the store keeps a placeholder serial there. Such a PATCH
//!   is therefore preceded by a read of the current serial, which is written into the new SOA so
//!   that the serial never goes backwards (RFC 1982 ordering as secondaries see it).
//!
//! The pieces: [`config`] (settings), `zones` (zone content, the [`DnsBackend`] side), `keys`
//! (cryptokeys, the [`DnssecKeyBackend`] side), `client` (HTTP) and `types` (the API's JSON).

mod client;
pub mod config;
mod keys;
mod secondary;
mod types;
mod zones;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

pub use client::PdnsApiKey;
use client::PdnsClient;
pub use config::{PdnsConfig, PdnsZoneKind};

use crate::name::ZoneName;
#[cfg(doc)]
use crate::ports::DnssecKeyBackend;
use crate::ports::backend::BackendError;
#[cfg(doc)]
use crate::ports::backend::DnsBackend;

/// The PowerDNS backend.
#[derive(Debug)]
pub struct PowerDnsBackend {
    client: PdnsClient,
    zone_kind: PdnsZoneKind,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// DNSSEC types PowerDNS manages itself (from keys and rectify); never touched as RRsets.
const DNSSEC_TYPES: &[&str] = &[
    "DNSKEY",
    "RRSIG",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "CDS",
    "CDNSKEY",
];

impl PowerDnsBackend {
    /// A backend for the server described by `config`. No request is made yet; use
    /// [`DnsBackend::health`] to check reachability.
    pub fn new(config: PdnsConfig) -> Result<Self, BackendError> {
        let client = PdnsClient::new(
            &config.api_url,
            &config.server_id,
            &config.api_key,
            config.timeout,
        )?;
        Ok(Self {
            client,
            zone_kind: config.zone_kind,
            locks: Mutex::new(HashMap::new()),
        })
    }

    /// Serialises writes to one zone (see the module docs).
    async fn lock(&self, zone: &ZoneName) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
            // Drop locks nobody holds or waits for, so the map stays as small as the set of
            // zones being written right now.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            Arc::clone(locks.entry(zone.fqdn().to_owned()).or_default())
        };
        lock.lock_owned().await
    }
}

/// The PowerDNS zone id of `zone` (`spec/powerdns.md` §8.2): every byte outside
/// `[A-Za-z0-9.-]` becomes `=XX`, the trailing dot is kept, and the root zone is `=2E`.
/// `ZoneName` only holds letters, digits, hyphens and dots, so this is the name itself today;
/// the encoding keeps URLs right should names with `_` or `/` (RFC 2317) ever be allowed.
pub fn zone_id(zone: &ZoneName) -> String {
    encode_zone_id(zone.fqdn())
}

fn encode_zone_id(fqdn: &str) -> String {
    if fqdn == "." {
        return "=2E".to_owned();
    }
    let mut id = String::with_capacity(fqdn.len());
    for byte in fqdn.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            id.push(char::from(byte));
        } else {
            id.push_str(&format!("={byte:02X}"));
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_ids_follow_powerdns_encoding() {
        assert_eq!(encode_zone_id("example.org."), "example.org.");
        assert_eq!(
            encode_zone_id("0/26.2.0.192.in-addr.arpa."),
            "0=2F26.2.0.192.in-addr.arpa."
        );
        assert_eq!(encode_zone_id("_tcp.example.org."), "=5Ftcp.example.org.");
        assert_eq!(encode_zone_id("."), "=2E");
        assert_eq!(
            zone_id(&ZoneName::parse("Example.COM").unwrap()),
            "example.com."
        );
    }
}
