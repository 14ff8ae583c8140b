//! The structured form of every supported record type, and its canonical rendering.
//!
//! `Display` writes the text PowerDNS 4.7 stores; the per-type modules hold the parsers and the
//! RFC references.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::RecordType;
use crate::record::content::apl::{AplItem, parse_apl, render_apl};
use crate::record::content::csync::{Csync, parse_csync};
use crate::record::content::eui::{parse_eui, render_eui};
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::keys::{
    Cert, Ipseckey, KeyData, parse_blob, parse_cert, parse_ipseckey, parse_key,
};
use crate::record::content::lex::base64;
use crate::record::content::lex::{invalid, quote};
use crate::record::content::loc::{Loc, parse_loc};
use crate::record::content::naptr::{Naptr, parse_naptr};
use crate::record::content::soa::{Soa, parse_soa};
use crate::record::content::svcb::{Svcb, parse_svcb, render_svcb};
use crate::record::content::{address, caa, generic, ilnp, mx_srv, sshfp_tlsa_ds, strings, txt};

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
    /// AFS database: subtype and host.
    Afsdb(u16, HostName),
    /// Address prefix list.
    Apl(Vec<AplItem>),
    /// Certificate.
    Cert(Cert),
    /// Child DS: key tag, algorithm, digest type, digest.
    Cds(u16, u8, u8, Vec<u8>),
    /// Child DNSKEY.
    Cdnskey(KeyData),
    /// Child-to-parent synchronisation.
    Csync(Csync),
    /// DHCP identifier.
    Dhcid(Vec<u8>),
    /// 48-bit MAC address (6 octets).
    Eui48(Vec<u8>),
    /// 64-bit identifier (8 octets).
    Eui64(Vec<u8>),
    /// Host information: cpu, os.
    Hinfo(Vec<u8>, Vec<u8>),
    /// IPsec key.
    Ipseckey(Ipseckey),
    /// Legacy key.
    Key(KeyData),
    /// Key exchanger: preference and host.
    Kx(u16, HostName),
    /// ILNP 32-bit locator: preference and locator.
    L32(u16, Ipv4Addr),
    /// ILNP 64-bit locator: preference and locator.
    L64(u16, u64),
    /// Location.
    Loc(Loc),
    /// ILNP locator pointer: preference and name.
    Lp(u16, HostName),
    /// Mailing list: responsible mailbox, error mailbox.
    Minfo(HostName, HostName),
    /// Mail rename.
    Mr(HostName),
    /// ILNP node identifier: preference and identifier.
    Nid(u16, u64),
    /// OpenPGP key.
    Openpgpkey(Vec<u8>),
    /// Responsible person: mailbox name, TXT name.
    Rp(HostName, HostName),
    /// S/MIME association: usage, selector, matching type, data.
    Smimea(u8, u8, u8, Vec<u8>),
    /// SPF text (TXT layout).
    Spf(Vec<Vec<u8>>),
    /// URI: priority, weight, target.
    Uri(u16, u16, Vec<u8>),
    /// Zone digest: serial, scheme, hash algorithm, digest.
    Zonemd(u32, u8, u8, Vec<u8>),
    /// RFC 3597 generic data of a `TYPEnnn` type.
    Generic(u16, Vec<u8>),
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
                let (usage, selector, matching_type, data) =
                    sshfp_tlsa_ds::parse_tlsa(input, "TLSA")?;
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
                let (key_tag, algorithm, digest_type, digest) =
                    sshfp_tlsa_ds::parse_ds(input, "DS")?;
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
            RecordType::AFSDB => {
                let (subtype, host) =
                    ilnp::parse_pref_name(input, "AFSDB", "1 afsdb.example.com.", zone)?;
                Rdata::Afsdb(subtype, host)
            }
            RecordType::APL => Rdata::Apl(parse_apl(input)?),
            RecordType::CERT => Rdata::Cert(parse_cert(input)?),
            RecordType::CDS => {
                let (t, a, d, digest) = sshfp_tlsa_ds::parse_ds(input, "CDS")?;
                Rdata::Cds(t, a, d, digest)
            }
            RecordType::CDNSKEY => Rdata::Cdnskey(parse_key(input, "CDNSKEY")?),
            RecordType::CSYNC => Rdata::Csync(parse_csync(input)?),
            RecordType::DHCID => Rdata::Dhcid(parse_blob(input, "DHCID content")?),
            RecordType::EUI48 => Rdata::Eui48(parse_eui(input, 6, "EUI48")?),
            RecordType::EUI64 => Rdata::Eui64(parse_eui(input, 8, "EUI64")?),
            RecordType::HINFO => {
                let (cpu, os) = strings::parse_hinfo(input)?;
                Rdata::Hinfo(cpu, os)
            }
            RecordType::IPSECKEY => Rdata::Ipseckey(parse_ipseckey(input, zone)?),
            RecordType::KEY => Rdata::Key(parse_key(input, "KEY")?),
            RecordType::KX => {
                let (pref, host) = ilnp::parse_pref_name(input, "KX", "10 kx.example.com.", zone)?;
                Rdata::Kx(pref, host)
            }
            RecordType::L32 => {
                let (pref, locator) = ilnp::parse_l32(input)?;
                Rdata::L32(pref, locator)
            }
            RecordType::L64 => {
                let (pref, locator) = ilnp::parse_64(input, "L64")?;
                Rdata::L64(pref, locator)
            }
            RecordType::LOC => Rdata::Loc(parse_loc(input)?),
            RecordType::LP => {
                let (pref, host) =
                    ilnp::parse_pref_name(input, "LP", "10 l64-subnet.example.com.", zone)?;
                Rdata::Lp(pref, host)
            }
            RecordType::MINFO => {
                let (a, b) = two_names(input, rtype, false, zone)?;
                Rdata::Minfo(a, b)
            }
            RecordType::MR => Rdata::Mr(name(NameRule::Domain, "MR target")?),
            RecordType::NID => {
                let (pref, id) = ilnp::parse_64(input, "NID")?;
                Rdata::Nid(pref, id)
            }
            RecordType::OPENPGPKEY => Rdata::Openpgpkey(parse_blob(input, "OPENPGPKEY content")?),
            RecordType::RP => {
                // RFC 1183 §2.2: `.` stands for "no mailbox" / "no TXT record".
                let (a, b) = two_names(input, rtype, true, zone)?;
                Rdata::Rp(a, b)
            }
            RecordType::SMIMEA => {
                let (u, s, m, d) = sshfp_tlsa_ds::parse_tlsa(input, "SMIMEA")?;
                Rdata::Smimea(u, s, m, d)
            }
            RecordType::SPF => Rdata::Spf(txt::parse_txt(input)?),
            RecordType::URI => {
                let (priority, weight, target) = strings::parse_uri(input)?;
                Rdata::Uri(priority, weight, target)
            }
            RecordType::ZONEMD => {
                let (serial, scheme, alg, digest) = sshfp_tlsa_ds::parse_zonemd(input)?;
                Rdata::Zonemd(serial, scheme, alg, digest)
            }
            RecordType::Generic(code) => {
                Rdata::Generic(code, generic::parse_generic(input, rtype.as_str())?)
            }
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
            Rdata::Afsdb(..) => RecordType::AFSDB,
            Rdata::Apl(_) => RecordType::APL,
            Rdata::Cert(_) => RecordType::CERT,
            Rdata::Cds(..) => RecordType::CDS,
            Rdata::Cdnskey(_) => RecordType::CDNSKEY,
            Rdata::Csync(_) => RecordType::CSYNC,
            Rdata::Dhcid(_) => RecordType::DHCID,
            Rdata::Eui48(_) => RecordType::EUI48,
            Rdata::Eui64(_) => RecordType::EUI64,
            Rdata::Hinfo(..) => RecordType::HINFO,
            Rdata::Ipseckey(_) => RecordType::IPSECKEY,
            Rdata::Key(_) => RecordType::KEY,
            Rdata::Kx(..) => RecordType::KX,
            Rdata::L32(..) => RecordType::L32,
            Rdata::L64(..) => RecordType::L64,
            Rdata::Loc(_) => RecordType::LOC,
            Rdata::Lp(..) => RecordType::LP,
            Rdata::Minfo(..) => RecordType::MINFO,
            Rdata::Mr(_) => RecordType::MR,
            Rdata::Nid(..) => RecordType::NID,
            Rdata::Openpgpkey(_) => RecordType::OPENPGPKEY,
            Rdata::Rp(..) => RecordType::RP,
            Rdata::Smimea(..) => RecordType::SMIMEA,
            Rdata::Spf(_) => RecordType::SPF,
            Rdata::Uri(..) => RecordType::URI,
            Rdata::Zonemd(..) => RecordType::ZONEMD,
            Rdata::Generic(code, _) => RecordType::Generic(*code),
        }
    }
}

/// Two name fields (MINFO, RP); `root_ok` allows `.`.
fn two_names(
    input: &str,
    rtype: RecordType,
    root_ok: bool,
    zone: Option<&ZoneName>,
) -> Result<(HostName, HostName)> {
    let f = crate::record::content::lex::fields(input, &format!("{rtype} content"))?;
    let [a, b] = f.as_slice() else {
        return Err(invalid(format!(
            "{rtype} content must be two names, like {}",
            rtype.example()
        )));
    };
    Ok((
        parse_name(
            a,
            NameRule::Domain,
            root_ok,
            zone,
            &format!("{rtype} mailbox"),
        )?,
        parse_name(
            b,
            NameRule::Domain,
            root_ok,
            zone,
            &format!("{rtype} second name"),
        )?,
    ))
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
            Rdata::Cname(n)
            | Rdata::Ns(n)
            | Rdata::Ptr(n)
            | Rdata::Dname(n)
            | Rdata::Alias(n)
            | Rdata::Mr(n) => write!(f, "{n}"),
            Rdata::Txt(strings) | Rdata::Spf(strings) => f.write_str(&txt::render_txt(strings)),
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
            }
            | Rdata::Smimea(usage, selector, matching_type, data) => {
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
            }
            | Rdata::Cds(key_tag, algorithm, digest_type, digest) => {
                write!(
                    f,
                    "{key_tag} {algorithm} {digest_type} {}",
                    hex::encode(digest)
                )
            }
            Rdata::Https(s) | Rdata::Svcb(s) => f.write_str(&render_svcb(s)),
            Rdata::Afsdb(n, host) | Rdata::Kx(n, host) | Rdata::Lp(n, host) => {
                write!(f, "{n} {host}")
            }
            Rdata::Apl(items) => f.write_str(&render_apl(items)),
            Rdata::Cert(c) => write!(f, "{c}"),
            Rdata::Cdnskey(k) | Rdata::Key(k) => write!(f, "{k}"),
            Rdata::Csync(c) => write!(f, "{c}"),
            Rdata::Dhcid(b) | Rdata::Openpgpkey(b) => f.write_str(&base64(b)),
            Rdata::Eui48(b) | Rdata::Eui64(b) => f.write_str(&render_eui(b)),
            Rdata::Hinfo(cpu, os) => write!(f, "{} {}", quote(cpu), quote(os)),
            Rdata::Ipseckey(k) => write!(f, "{k}"),
            Rdata::L32(pref, locator) => write!(f, "{pref} {locator}"),
            Rdata::L64(pref, v) | Rdata::Nid(pref, v) => f.write_str(&ilnp::render_64(*pref, *v)),
            Rdata::Loc(l) => write!(f, "{l}"),
            Rdata::Minfo(a, b) | Rdata::Rp(a, b) => write!(f, "{a} {b}"),
            Rdata::Uri(priority, weight, target) => {
                write!(f, "{priority} {weight} {}", quote(target))
            }
            Rdata::Zonemd(serial, scheme, alg, digest) => {
                write!(f, "{serial} {scheme} {alg} {}", hex::encode(digest))
            }
            Rdata::Generic(_, data) => f.write_str(&generic::render_generic(data)),
        }
    }
}
