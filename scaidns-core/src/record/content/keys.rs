//! Key-carrying content with base64 data: KEY (RFC 2535/3445) and CDNSKEY (RFC 7344) in the
//! DNSKEY layout, CERT (RFC 4398), IPSECKEY (RFC 4025), DHCID (RFC 4701) and OPENPGPKEY
//! (RFC 7929).
//!
//! `named` accepts base64 split by blanks, algorithm mnemonics and CERT type mnemonics; PowerDNS
//! 4.7's API refuses all three, so they are read here and written out as PowerDNS prints them:
//! numbers, then base64 in one piece with padding.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::address::check_v6;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{
    algorithm_field, base64, base64_fields, fields, invalid, u8_field, u16_field,
};

/// KEY or CDNSKEY data (the DNSKEY layout, RFC 4034 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyData {
    /// Flags (257 = key-signing key; 0 with algorithm 0 = CDNSKEY "delete").
    pub flags: u16,
    /// Protocol (3 for DNSSEC).
    pub protocol: u8,
    /// Algorithm number.
    pub algorithm: u8,
    /// Public key.
    pub public_key: Vec<u8>,
}

impl fmt::Display for KeyData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.flags,
            self.protocol,
            self.algorithm,
            base64(&self.public_key)
        )
    }
}

pub(crate) fn parse_key(input: &str, rtype: &str) -> Result<KeyData> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [flags, protocol, algorithm, key @ ..] = f.as_slice() else {
        return Err(invalid(format!(
            "{rtype} content must be 'flags protocol algorithm base64-key', like 257 3 13 mdss…Q=="
        )));
    };
    Ok(KeyData {
        flags: u16_field(flags, &format!("{rtype} flags"))?,
        protocol: u8_field(protocol, &format!("{rtype} protocol"))?,
        algorithm: algorithm_field(algorithm, &format!("{rtype} algorithm"))?,
        public_key: base64_fields(key, &format!("{rtype} public key"))?,
    })
}

/// CERT data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cert {
    /// Certificate type (1 = PKIX, 3 = PGP, …).
    pub cert_type: u16,
    /// Key tag.
    pub key_tag: u16,
    /// Algorithm number.
    pub algorithm: u8,
    /// Certificate or CRL.
    pub data: Vec<u8>,
}

impl fmt::Display for Cert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.cert_type,
            self.key_tag,
            self.algorithm,
            base64(&self.data)
        )
    }
}

/// Certificate type mnemonics (RFC 4398 §2.1).
const CERT_TYPES: &[(&str, u16)] = &[
    ("PKIX", 1),
    ("SPKI", 2),
    ("PGP", 3),
    ("IPKIX", 4),
    ("ISPKI", 5),
    ("IPGP", 6),
    ("ACPKIX", 7),
    ("IACPKIX", 8),
    ("URI", 253),
    ("OID", 254),
];

pub(crate) fn parse_cert(input: &str) -> Result<Cert> {
    let f = fields(input, "CERT content")?;
    let [cert_type, key_tag, algorithm, data @ ..] = f.as_slice() else {
        return Err(invalid(
            "CERT content must be 'type key-tag algorithm base64', like PKIX 0 0 MIIB…",
        ));
    };
    let upper = cert_type.to_ascii_uppercase();
    let cert_type = match CERT_TYPES.iter().find(|(m, _)| *m == upper) {
        Some((_, n)) => *n,
        None if cert_type.bytes().all(|b| b.is_ascii_digit()) => u16_field(cert_type, "CERT type")?,
        None => {
            return Err(invalid(
                "CERT type must be a number or one of PKIX, SPKI, PGP, IPKIX, ISPKI, IPGP, \
                 ACPKIX, IACPKIX, URI, OID",
            ));
        }
    };
    Ok(Cert {
        cert_type,
        key_tag: u16_field(key_tag, "CERT key tag")?,
        algorithm: algorithm_field(algorithm, "CERT algorithm")?,
        data: base64_fields(data, "CERT certificate")?,
    })
}

/// Where an IPsec gateway is (RFC 4025 §2.3-2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Gateway {
    /// Type 0: none.
    None,
    /// Type 1.
    V4(Ipv4Addr),
    /// Type 2.
    V6(Ipv6Addr),
    /// Type 3: a domain name.
    Name(HostName),
}

impl Gateway {
    /// The gateway type number.
    pub fn kind(&self) -> u8 {
        match self {
            Gateway::None => 0,
            Gateway::V4(_) => 1,
            Gateway::V6(_) => 2,
            Gateway::Name(_) => 3,
        }
    }
}

/// IPSECKEY data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ipseckey {
    /// Lower is preferred.
    pub precedence: u8,
    /// Public key algorithm (0 = no key).
    pub algorithm: u8,
    /// The gateway.
    pub gateway: Gateway,
    /// Public key (may be empty).
    pub public_key: Vec<u8>,
}

impl fmt::Display for Ipseckey {
    /// PowerDNS writes no gateway field for type 0 and no key field for an empty key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.precedence,
            self.gateway.kind(),
            self.algorithm
        )?;
        match &self.gateway {
            Gateway::None => {}
            Gateway::V4(a) => write!(f, " {a}")?,
            Gateway::V6(a) => write!(f, " {a}")?,
            Gateway::Name(n) => write!(f, " {n}")?,
        }
        if !self.public_key.is_empty() {
            write!(f, " {}", base64(&self.public_key))?;
        }
        Ok(())
    }
}

pub(crate) fn parse_ipseckey(input: &str, zone: Option<&ZoneName>) -> Result<Ipseckey> {
    let f = fields(input, "IPSECKEY content")?;
    let [precedence, kind, algorithm, rest @ ..] = f.as_slice() else {
        return Err(invalid(
            "IPSECKEY content must be 'precedence gateway-type algorithm gateway base64-key', \
             like 10 1 2 192.0.2.38 AQNR…",
        ));
    };
    let precedence = u8_field(precedence, "IPSECKEY precedence")?;
    let kind = u8_field(kind, "IPSECKEY gateway type")?;
    let algorithm = u8_field(algorithm, "IPSECKEY algorithm")?;
    let (gateway, key) = match (kind, rest) {
        // RFC 4025 §3.1 writes "." for "no gateway"; PowerDNS writes nothing.
        (0, [".", key @ ..]) | (0, key) => (Gateway::None, key),
        (1..=3, [gw, key @ ..]) => (parse_gateway(kind, gw, zone)?, key),
        (1..=3, []) => return Err(invalid("IPSECKEY gateway is missing")),
        _ => {
            return Err(invalid(
                "IPSECKEY gateway type must be 0 (none), 1 (IPv4), 2 (IPv6) or 3 (name)",
            ));
        }
    };
    let public_key = if key.is_empty() {
        Vec::new()
    } else {
        base64_fields(key, "IPSECKEY public key")?
    };
    Ok(Ipseckey {
        precedence,
        algorithm,
        gateway,
        public_key,
    })
}

fn parse_gateway(kind: u8, token: &str, zone: Option<&ZoneName>) -> Result<Gateway> {
    Ok(match kind {
        1 => Gateway::V4(token.parse().map_err(|_| {
            invalid("IPSECKEY gateway of type 1 must be an IPv4 address like 192.0.2.38")
        })?),
        2 => {
            let addr: Ipv6Addr = token.parse().map_err(|_| {
                invalid("IPSECKEY gateway of type 2 must be an IPv6 address like 2001:db8::1")
            })?;
            check_v6(addr, "IPSECKEY gateway")?;
            Gateway::V6(addr)
        }
        _ => Gateway::Name(parse_name(
            token,
            NameRule::Domain,
            false,
            zone,
            "IPSECKEY gateway",
        )?),
    })
}

/// DHCID and OPENPGPKEY: the whole content is base64, possibly split by blanks.
pub(crate) fn parse_blob(input: &str, what: &str) -> Result<Vec<u8>> {
    let f = fields(input, what)?;
    base64_fields(&f, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_certs() {
        let k = parse_key("257 3 ECDSAP256SHA256 AQID BA==", "CDNSKEY").unwrap();
        assert_eq!(k.to_string(), "257 3 13 AQIDBA==");
        assert_eq!(
            parse_key("0 3 0 AA", "CDNSKEY").unwrap().to_string(),
            "0 3 0 AA=="
        );
        let c = parse_cert("pkix 0 RSASHA256 MIIB IjAN").unwrap();
        assert_eq!(c.to_string(), "1 0 8 MIIBIjAN");
        for bad in ["257 3 13", "257 3 13 !!!", "x 0 0 AA==", "1 0 NOPE AA=="] {
            assert!(
                parse_key(bad, "KEY").is_err() || parse_cert(bad).is_err(),
                "{bad}"
            );
        }
        assert!(parse_cert("BOGUS 0 0 AA==").is_err());
    }

    #[test]
    fn ipseckey_gateways() {
        let c = |s: &str| parse_ipseckey(s, None).unwrap().to_string();
        assert_eq!(c("10 0 2 . AQID"), "10 0 2 AQID");
        assert_eq!(c("10 0 2 AQID"), "10 0 2 AQID");
        assert_eq!(c("10 1 0 192.0.2.38"), "10 1 0 192.0.2.38");
        assert_eq!(
            c("10 2 2 2001:0DB8:0:8002::2000:1 AQID"),
            "10 2 2 2001:db8:0:8002::2000:1 AQID"
        );
        assert_eq!(
            c("10 3 2 GW.example.com AQID"),
            "10 3 2 gw.example.com. AQID"
        );
        for bad in [
            "10 1 2",
            "10 4 2 x AQID",
            "10 1 2 gw.example. AQID",
            "10 2 2 ::ffff:1.2.3.4",
        ] {
            assert!(parse_ipseckey(bad, None).is_err(), "{bad}");
        }
    }
}
