//! Secondary zones: where their content comes from (the primaries, RFC 5936 zone transfer)
//! and the TSIG key (RFC 8945) that authenticates the transfer.
//!
//! The TSIG secret is kept in the store (the backend needs it to sign its requests) and
//! never leaves the control plane otherwise: `Debug` redacts it, the API and audit views
//! show only the key's name and algorithm.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ownership::targets::is_public;

/// Most primaries one secondary zone may name.
pub const MAX_PRIMARIES: usize = 8;

/// Where a secondary zone transfers from.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondarySource {
    /// Primaries, `ip` or `ip:port` (`[v6]:port`), in the order they are tried.
    pub primaries: Vec<String>,
    /// Key that signs the transfer requests, when the primary asks for one.
    pub tsig: Option<TsigKey>,
}

/// A TSIG key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsigKey {
    /// Key name (a DNS name, without trailing dot).
    pub name: String,
    /// Algorithm, e.g. `hmac-sha256`.
    pub algorithm: String,
    /// Shared secret, base64.
    pub secret: String,
}

impl fmt::Debug for TsigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TsigKey")
            .field("name", &self.name)
            .field("algorithm", &self.algorithm)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl fmt::Debug for SecondarySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecondarySource")
            .field("primaries", &self.primaries)
            .field("tsig", &self.tsig)
            .finish()
    }
}

/// TSIG algorithms accepted (RFC 8945 §6; the ones PowerDNS signs with).
pub const TSIG_ALGORITHMS: &[&str] = &[
    "hmac-md5",
    "hmac-sha1",
    "hmac-sha224",
    "hmac-sha256",
    "hmac-sha384",
    "hmac-sha512",
];

/// Input of a secondary zone as the API takes it.
#[derive(Debug, Clone, Default)]
pub struct SecondaryInput {
    /// `ip` or `ip:port` strings.
    pub primaries: Vec<String>,
    /// TSIG key name.
    pub tsig_key_name: Option<String>,
    /// TSIG algorithm (default `hmac-sha256`).
    pub tsig_algorithm: Option<String>,
    /// TSIG secret, base64.
    pub tsig_secret: Option<String>,
}

impl SecondaryInput {
    /// Whether any secondary-only field was given.
    pub fn is_empty(&self) -> bool {
        self.primaries.is_empty()
            && self.tsig_key_name.is_none()
            && self.tsig_algorithm.is_none()
            && self.tsig_secret.is_none()
    }
}

impl SecondarySource {
    /// Validates the input: 1..=[`MAX_PRIMARIES`] addresses, public unless `allow_private`,
    /// and a complete TSIG key (name and secret together; secret valid base64).
    pub fn parse(input: SecondaryInput, allow_private: bool) -> Result<Self> {
        if input.primaries.is_empty() {
            return Err(Error::invalid(
                "primaries",
                "a secondary zone needs at least one primary (IP or IP:port)",
            ));
        }
        if input.primaries.len() > MAX_PRIMARIES {
            return Err(Error::invalid(
                "primaries",
                format!("at most {MAX_PRIMARIES} primaries"),
            ));
        }
        let mut primaries = Vec::with_capacity(input.primaries.len());
        for raw in &input.primaries {
            let primary = parse_primary(raw.trim())?;
            if !allow_private && !is_public(primary.ip()) {
                return Err(Error::invalid(
                    "primaries",
                    format!(
                        "{raw}: loopback, private and reserved addresses are refused \
                         (an operator may allow them with SECONDARY_ALLOW_PRIVATE_PRIMARIES)"
                    ),
                ));
            }
            let text = if primary.port() == 53 {
                primary.ip().to_string()
            } else {
                primary.to_string()
            };
            if !primaries.contains(&text) {
                primaries.push(text);
            }
        }
        let tsig = match (input.tsig_key_name, input.tsig_secret) {
            (None, None) if input.tsig_algorithm.is_none() => None,
            (Some(name), Some(secret)) => Some(TsigKey::parse(
                &name,
                input.tsig_algorithm.as_deref(),
                &secret,
            )?),
            (None, _) => {
                return Err(Error::invalid(
                    "tsig_key_name",
                    "tsig_key_name is required with tsig_secret or tsig_algorithm",
                ));
            }
            (Some(_), None) => {
                return Err(Error::invalid(
                    "tsig_secret",
                    "tsig_secret is required with tsig_key_name",
                ));
            }
        };
        Ok(Self { primaries, tsig })
    }
}

fn parse_primary(raw: &str) -> Result<SocketAddr> {
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    match raw.parse::<SocketAddr>() {
        Ok(addr) if addr.port() != 0 => Ok(addr),
        _ => Err(Error::invalid(
            "primaries",
            format!("{raw:?} is not an IP address or IP:port ([IPv6]:port)"),
        )),
    }
}

/// The label between a TSIG key's given name and its zone in the name PowerDNS knows it by.
/// Zone names hold no `_`, so the last such label splits a wire name back into the two.
const TSIG_NAMESPACE_LABEL: &str = "_scaidns";

impl TsigKey {
    /// The key's name in PowerDNS and on the wire (the TSIG RR's owner, RFC 8945 §4.2), which
    /// the primary must know the key by: `<given name>._scaidns.<zone>.`. PowerDNS's key names
    /// are global, so the zone's name (one live zone per name) keeps two tenants' keys of the
    /// same given name apart.
    pub fn wire_name(&self, zone: &crate::name::ZoneName) -> String {
        format!("{}.{TSIG_NAMESPACE_LABEL}.{}", self.name, zone.fqdn())
    }

    /// 422 (`tsig_key_name`) when [`Self::wire_name`] for `zone` is longer than a DNS name:
    /// refused before anything is stored, rather than by PowerDNS once the zone goes live.
    pub(crate) fn check_wire_name(&self, zone: &crate::name::ZoneName) -> Result<()> {
        let wire = self.wire_name(zone);
        if wire.trim_end_matches('.').len() > 253 {
            return Err(Error::invalid(
                "tsig_key_name",
                format!(
                    "too long for this zone: PowerDNS names the key <tsig_key_name>.{TSIG_NAMESPACE_LABEL}.<zone>, at most 253 characters"
                ),
            ));
        }
        Ok(())
    }

    /// Whether `wire_name` (with or without trailing dot) is a key [`Self::wire_name`] made
    /// for `zone`: the keys removed with it.
    pub fn is_wire_name_of(wire_name: &str, zone: &crate::name::ZoneName) -> bool {
        let wire = wire_name.trim_end_matches('.').to_ascii_lowercase();
        wire.strip_suffix(zone.as_str())
            .and_then(|head| head.strip_suffix('.'))
            .and_then(|head| head.strip_suffix(TSIG_NAMESPACE_LABEL))
            .is_some_and(|head| head.len() > 1 && head.ends_with('.'))
    }

    fn parse(name: &str, algorithm: Option<&str>, secret: &str) -> Result<Self> {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        let name_ok = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !name_ok {
            return Err(Error::invalid(
                "tsig_key_name",
                "must be a DNS name of letters, digits, '-' and '_' labels",
            ));
        }
        let algorithm = algorithm
            .unwrap_or("hmac-sha256")
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if !TSIG_ALGORITHMS.contains(&algorithm.as_str()) {
            return Err(Error::invalid(
                "tsig_algorithm",
                format!("must be one of {}", TSIG_ALGORITHMS.join(", ")),
            ));
        }
        let secret = secret.trim();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(secret)
            .map_err(|_| Error::invalid("tsig_secret", "must be valid base64"))?;
        if decoded.is_empty() || secret.len() > 1024 {
            return Err(Error::invalid(
                "tsig_secret",
                "must be a non-empty base64 key of at most 1024 characters",
            ));
        }
        Ok(Self {
            name,
            algorithm,
            secret: secret.to_owned(),
        })
    }
}

/// A secondary zone's transfer state, as the backend reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TransferState {
    /// SOA serial of the copy held (`None` before the first successful transfer).
    pub serial: Option<u32>,
    /// When the backend last checked the primary successfully.
    pub last_transfer_at: Option<DateTime<Utc>>,
    /// Why the copy is missing or stale, when the backend can tell.
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(primaries: &[&str]) -> SecondaryInput {
        SecondaryInput {
            primaries: primaries.iter().map(|s| (*s).to_owned()).collect(),
            ..SecondaryInput::default()
        }
    }

    #[test]
    fn primaries_are_parsed_and_private_ones_refused_by_default() {
        let s = SecondarySource::parse(input(&["192.0.2.1", "[2001:db8::1]:5300"]), true).unwrap();
        assert_eq!(s.primaries, ["192.0.2.1", "[2001:db8::1]:5300"]);
        assert!(SecondarySource::parse(input(&["127.0.0.1:5300"]), false).is_err());
        assert!(SecondarySource::parse(input(&["10.0.0.1"]), false).is_err());
        assert!(SecondarySource::parse(input(&["127.0.0.1:5300"]), true).is_ok());
        assert!(SecondarySource::parse(input(&["ns1.example.com"]), true).is_err());
        assert!(SecondarySource::parse(input(&[]), true).is_err());
        assert!(SecondarySource::parse(input(&["1.2.3.4:0"]), true).is_err());
    }

    #[test]
    fn tsig_wire_names_are_per_zone() {
        let key = TsigKey {
            name: "xfr".into(),
            algorithm: "hmac-sha256".into(),
            secret: "c2VjcmV0".into(),
        };
        let a = crate::name::ZoneName::parse("a.example").unwrap();
        let b = crate::name::ZoneName::parse("b.example").unwrap();
        assert_eq!(key.wire_name(&a), "xfr._scaidns.a.example.");
        assert_ne!(key.wire_name(&a), key.wire_name(&b));
        assert!(TsigKey::is_wire_name_of(&key.wire_name(&a), &a));
        assert!(!TsigKey::is_wire_name_of(&key.wire_name(&a), &b));
        assert!(!TsigKey::is_wire_name_of("xfr.", &a));
        assert!(!TsigKey::is_wire_name_of("_scaidns.a.example.", &a));
        // A given name that spells the namespace label cannot reach another zone's key: zone
        // names hold no '_', so the last `_scaidns` label always splits off the zone.
        let apex = crate::name::ZoneName::parse("example.net").unwrap();
        let sub = crate::name::ZoneName::parse("a.example.net").unwrap();
        let sneaky = TsigKey {
            name: "xfr._scaidns.a".into(),
            ..key.clone()
        };
        assert_ne!(sneaky.wire_name(&apex), key.wire_name(&sub));
        assert!(!TsigKey::is_wire_name_of(&sneaky.wire_name(&apex), &sub));
        assert!(!TsigKey::is_wire_name_of(&key.wire_name(&sub), &apex));
        assert!(crate::name::ZoneName::parse("x_y.example").is_err());
        let long = TsigKey {
            name: [
                "k".repeat(63),
                "k".repeat(63),
                "k".repeat(63),
                "k".repeat(50),
            ]
            .join("."),
            ..key.clone()
        };
        assert!(long.check_wire_name(&a).is_err());
        assert!(key.check_wire_name(&a).is_ok());
    }

    #[test]
    fn tsig_needs_name_and_valid_base64_and_is_redacted() {
        let mut i = input(&["192.0.2.1"]);
        i.tsig_key_name = Some("xfr.".into());
        i.tsig_secret = Some("not base64!".into());
        assert!(SecondarySource::parse(i.clone(), true).is_err());
        i.tsig_secret = Some("c2VjcmV0LWtleS1ieXRlcw==".into());
        let s = SecondarySource::parse(i.clone(), true).unwrap();
        let key = s.tsig.unwrap();
        assert_eq!(
            (key.name.as_str(), key.algorithm.as_str()),
            ("xfr", "hmac-sha256")
        );
        assert!(!format!("{key:?}").contains("c2Vj"));
        i.tsig_key_name = None;
        assert!(SecondarySource::parse(i.clone(), true).is_err());
        i.tsig_key_name = Some("xfr".into());
        i.tsig_algorithm = Some("rot13".into());
        assert!(SecondarySource::parse(i, true).is_err());
    }
}
