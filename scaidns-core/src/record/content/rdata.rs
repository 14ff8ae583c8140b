//! The structured form of every supported record type, and its canonical rendering.
//!
//! `Display` writes the text PowerDNS 4.7 stores; the per-type modules hold the parsers and the
//! RFC references.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::RecordType;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{invalid, quote};
use crate::record::content::naptr::{Naptr, parse_naptr};
use crate::record::content::soa::{Soa, parse_soa};
use crate::record::content::svcb::{Svcb, parse_svcb, render_svcb};
use crate::record::content::{address, caa, mx_srv, sshfp_tlsa_ds, txt};

/// Parsed record data of one of the supported types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rdata {
    /// IPv4 address.
    A(Ipv4Addr),
    /// IPv6 address.
    Aaaa(Ipv6Addr),
    /// Mail exchanger.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// Mail host, or `.` for "no mail" (RFC 7505).
        exchange: HostName,
    },
    /// Alias of another name.
    Cname(HostName),
    /// Character-strings, each at most 255 bytes.
    Txt(Vec<Vec<u8>>),
    /// Name server.
    Ns(HostName),
    /// Service location.
    Srv {
        /// Lower is tried first.
        priority: u16,
        /// Load share among equal priorities.
        weight: u16,
        /// Port.
        port: u16,
        /// Host, or `.` for "no service".
        target: HostName,
    },
    /// Reverse pointer.
    Ptr(HostName),
    /// Start of authority.
    Soa(Soa),
    /// Certification authority authorization.
    Caa {
        /// Flags (128 = issuer critical).
        flags: u8,
        /// Property tag.
        tag: String,
        /// Property value.
        value: Vec<u8>,
    },
    /// SSH host key fingerprint.
    Sshfp {
        /// Key algorithm.
        algorithm: u8,
        /// Fingerprint hash type.
        fingerprint_type: u8,
        /// Fingerprint.
        fingerprint: Vec<u8>,
    },
    /// DANE certificate association.
    Tlsa {
        /// Certificate usage.
        usage: u8,
        /// Selector.
        selector: u8,
        /// Matching type.
        matching_type: u8,
        /// Certificate association data.
        data: Vec<u8>,
    },
    /// Subtree redirection.
    Dname(HostName),
    /// Naming authority pointer.
    Naptr(Naptr),
    /// Delegation signer.
    Ds {
        /// Key tag of the child's key.
        key_tag: u16,
        /// DNSSEC algorithm.
        algorithm: u8,
        /// Digest algorithm.
        digest_type: u8,
        /// Digest.
        digest: Vec<u8>,
    },
    /// Apex alias resolved by the server.
    Alias(HostName),
    /// HTTPS service binding.
    Https(Svcb),
    /// General service binding.
    Svcb(Svcb),
}

impl Rdata {
    /// Parses lenient input; `zone` resolves `@` (without it, `@` is refused).
    pub fn parse(rtype: RecordType, input: &str, zone: Option<&ZoneName>) -> Result<Self> {
        let input = input.trim();
        if input.is_empty() {
            return Err(invalid(format!(
                "{rtype} content must not be empty (example: {})",
                rtype.example()
            )));
        }
        let name = |rule, what: &str| parse_name(input, rule, false, zone, what);
        Ok(match rtype {
            RecordType::A => Rdata::A(address::parse_a(input)?),
            RecordType::AAAA => Rdata::Aaaa(address::parse_aaaa(input)?),
            RecordType::MX => {
                let (preference, exchange) = mx_srv::parse_mx(input, zone)?;
                Rdata::Mx {
                    preference,
                    exchange,
                }
            }
            RecordType::CNAME => Rdata::Cname(name(NameRule::Domain, "CNAME target")?),
            RecordType::TXT => Rdata::Txt(txt::parse_txt(input)?),
            RecordType::NS => Rdata::Ns(name(NameRule::Host, "NS content")?),
            RecordType::SRV => {
                let (priority, weight, port, target) = mx_srv::parse_srv(input, zone)?;
                Rdata::Srv {
                    priority,
                    weight,
                    port,
                    target,
                }
            }
            RecordType::PTR => Rdata::Ptr(name(NameRule::Domain, "PTR target")?),
            RecordType::SOA => Rdata::Soa(parse_soa(input, zone)?),
            RecordType::CAA => {
                let (flags, tag, value) = caa::parse_caa(input)?;
                Rdata::Caa { flags, tag, value }
            }
            RecordType::SSHFP => {
                let (algorithm, fingerprint_type, fingerprint) = sshfp_tlsa_ds::parse_sshfp(input)?;
                Rdata::Sshfp {
                    algorithm,
                    fingerprint_type,
                    fingerprint,
                }
            }
            RecordType::TLSA => {
                let (usage, selector, matching_type, data) = sshfp_tlsa_ds::parse_tlsa(input)?;
                Rdata::Tlsa {
                    usage,
                    selector,
                    matching_type,
                    data,
                }
            }
            RecordType::DNAME => Rdata::Dname(name(NameRule::Domain, "DNAME target")?),
            RecordType::NAPTR => Rdata::Naptr(parse_naptr(input, zone)?),
            RecordType::DS => {
                let (key_tag, algorithm, digest_type, digest) = sshfp_tlsa_ds::parse_ds(input)?;
                Rdata::Ds {
                    key_tag,
                    algorithm,
                    digest_type,
                    digest,
                }
            }
            RecordType::ALIAS => Rdata::Alias(name(NameRule::Domain, "ALIAS target")?),
            RecordType::HTTPS => Rdata::Https(parse_svcb(input, "HTTPS", zone)?),
            RecordType::SVCB => Rdata::Svcb(parse_svcb(input, "SVCB", zone)?),
        })
    }

    /// The record type.
    pub fn rtype(&self) -> RecordType {
        match self {
            Rdata::A(_) => RecordType::A,
            Rdata::Aaaa(_) => RecordType::AAAA,
            Rdata::Mx { .. } => RecordType::MX,
            Rdata::Cname(_) => RecordType::CNAME,
            Rdata::Txt(_) => RecordType::TXT,
            Rdata::Ns(_) => RecordType::NS,
            Rdata::Srv { .. } => RecordType::SRV,
            Rdata::Ptr(_) => RecordType::PTR,
            Rdata::Soa(_) => RecordType::SOA,
            Rdata::Caa { .. } => RecordType::CAA,
            Rdata::Sshfp { .. } => RecordType::SSHFP,
            Rdata::Tlsa { .. } => RecordType::TLSA,
            Rdata::Dname(_) => RecordType::DNAME,
            Rdata::Naptr(_) => RecordType::NAPTR,
            Rdata::Ds { .. } => RecordType::DS,
            Rdata::Alias(_) => RecordType::ALIAS,
            Rdata::Https(_) => RecordType::HTTPS,
            Rdata::Svcb(_) => RecordType::SVCB,
        }
    }
}

impl fmt::Display for Rdata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rdata::A(a) => write!(f, "{a}"),
            Rdata::Aaaa(a) => write!(f, "{a}"),
            Rdata::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            Rdata::Cname(n) | Rdata::Ns(n) | Rdata::Ptr(n) | Rdata::Dname(n) | Rdata::Alias(n) => {
                write!(f, "{n}")
            }
            Rdata::Txt(strings) => f.write_str(&txt::render_txt(strings)),
            Rdata::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}"),
            Rdata::Soa(s) => write!(
                f,
                "{} {} {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
            Rdata::Caa { flags, tag, value } => write!(f, "{flags} {tag} {}", quote(value)),
            Rdata::Sshfp {
                algorithm,
                fingerprint_type,
                fingerprint,
            } => {
                write!(
                    f,
                    "{algorithm} {fingerprint_type} {}",
                    hex::encode(fingerprint)
                )
            }
            Rdata::Tlsa {
                usage,
                selector,
                matching_type,
                data,
            } => {
                write!(
                    f,
                    "{usage} {selector} {matching_type} {}",
                    hex::encode(data)
                )
            }
            Rdata::Naptr(n) => write!(
                f,
                "{} {} {} {} {} {}",
                n.order,
                n.preference,
                quote(&n.flags),
                quote(&n.services),
                quote(&n.regexp),
                n.replacement
            ),
            Rdata::Ds {
                key_tag,
                algorithm,
                digest_type,
                digest,
            } => {
                write!(
                    f,
                    "{key_tag} {algorithm} {digest_type} {}",
                    hex::encode(digest)
                )
            }
            Rdata::Https(s) | Rdata::Svcb(s) => f.write_str(&render_svcb(s)),
        }
    }
}
