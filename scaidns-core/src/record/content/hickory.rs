//! Conversion of canonical content into hickory-proto's `RData`, for the embedded DNS server.
//!
//! hickory types stay behind this module so a hickory upgrade touches one place (DESIGN.md
//! convention 6). DS (hickory only models it with its DNSSEC features) and DNAME (no hickory
//! type) go out as opaque RDATA in the RFC 3597 sense, which encodes identically on the wire.
//! ALIAS has no wire form at all: the server resolves it to A/AAAA itself.

use hickory_proto::rr::rdata::caa::CAA;
use hickory_proto::rr::rdata::svcb::{self as hsvcb, SvcParamKey, SvcParamValue};
use hickory_proto::rr::rdata::{self as h, NULL};
use hickory_proto::rr::{Name, RData, RecordType as HType};

use crate::error::{Error, ErrorKind, Result};
use crate::record::RecordContent;
use crate::record::content::{HostName, Rdata, SvcKey, SvcParam, Svcb};

/// The wire-level record type of a ScaiDNS type (ALIAS is a PowerDNS pseudo-type with code 65401).
pub fn record_type(rtype: crate::record::RecordType) -> HType {
    use crate::record::RecordType as T;
    match rtype {
        T::A => HType::A,
        T::AAAA => HType::AAAA,
        T::MX => HType::MX,
        T::CNAME => HType::CNAME,
        T::TXT => HType::TXT,
        T::NS => HType::NS,
        T::SRV => HType::SRV,
        T::PTR => HType::PTR,
        T::SOA => HType::SOA,
        T::CAA => HType::CAA,
        T::SSHFP => HType::SSHFP,
        T::TLSA => HType::TLSA,
        T::DNAME => HType::DNAME,
        T::NAPTR => HType::NAPTR,
        T::DS => HType::DS,
        T::ALIAS => HType::Unknown(65401),
        T::HTTPS => HType::HTTPS,
        T::SVCB => HType::SVCB,
    }
}

/// hickory `RData` for canonical content. ALIAS is refused (code `alias_not_served`).
pub fn to_rdata(content: &RecordContent) -> Result<RData> {
    Ok(match content.rdata() {
        Rdata::A(a) => RData::A(h::A(*a)),
        Rdata::Aaaa(a) => RData::AAAA(h::AAAA(*a)),
        Rdata::Mx {
            preference,
            exchange,
        } => RData::MX(h::MX::new(*preference, name(exchange)?)),
        Rdata::Cname(n) => RData::CNAME(h::CNAME(name(n)?)),
        Rdata::Txt(strings) => RData::TXT(h::TXT::from_bytes(
            strings.iter().map(Vec::as_slice).collect(),
        )),
        Rdata::Ns(n) => RData::NS(h::NS(name(n)?)),
        Rdata::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(h::SRV::new(*priority, *weight, *port, name(target)?)),
        Rdata::Ptr(n) => RData::PTR(h::PTR(name(n)?)),
        Rdata::Soa(s) => RData::SOA(h::SOA::new(
            name(&s.mname)?,
            name(&s.rname)?,
            s.serial,
            // Same 32 bits on the wire; hickory types these timers as signed.
            s.refresh.cast_signed(),
            s.retry.cast_signed(),
            s.expire.cast_signed(),
            s.minimum,
        )),
        Rdata::Caa { flags, tag, value } => {
            let mut caa = CAA::new_issue(false, None, Vec::new());
            caa.issuer_critical = flags & 0x80 != 0;
            caa.reserved_flags = flags & 0x7f;
            caa.tag.clone_from(tag);
            caa.value.clone_from(value);
            RData::CAA(caa)
        }
        Rdata::Sshfp {
            algorithm,
            fingerprint_type,
            fingerprint,
        } => RData::SSHFP(h::SSHFP::new(
            (*algorithm).into(),
            (*fingerprint_type).into(),
            fingerprint.clone(),
        )),
        Rdata::Tlsa {
            usage,
            selector,
            matching_type,
            data,
        } => RData::TLSA(h::TLSA::new(
            (*usage).into(),
            (*selector).into(),
            (*matching_type).into(),
            data.clone(),
        )),
        Rdata::Dname(n) => opaque(HType::DNAME, wire_name(n)?),
        Rdata::Naptr(n) => RData::NAPTR(h::NAPTR::new(
            n.order,
            n.preference,
            n.flags.clone().into_boxed_slice(),
            n.services.clone().into_boxed_slice(),
            n.regexp.clone().into_boxed_slice(),
            name(&n.replacement)?,
        )),
        Rdata::Ds {
            key_tag,
            algorithm,
            digest_type,
            digest,
        } => {
            let mut bytes = Vec::with_capacity(4 + digest.len());
            bytes.extend_from_slice(&key_tag.to_be_bytes());
            bytes.push(*algorithm);
            bytes.push(*digest_type);
            bytes.extend_from_slice(digest);
            opaque(HType::DS, bytes)
        }
        Rdata::Alias(_) => {
            return Err(Error::new(
                ErrorKind::Internal,
                "alias_not_served",
                "ALIAS has no wire form; resolve its target to A/AAAA records instead",
            ));
        }
        Rdata::Https(s) => RData::HTTPS(h::HTTPS(svcb(s)?)),
        Rdata::Svcb(s) => RData::SVCB(svcb(s)?),
    })
}

fn name(n: &HostName) -> Result<Name> {
    dns_name(n.as_str())
        .map_err(|e| Error::internal(format!("canonical name '{n}' rejected by hickory: {e}")))
}

/// The hickory name of a canonical absolute name, built label by label from its octets. DNS
/// allows any octets in a label (RFC 2181 §11) and PowerDNS serves names such as `-a.example.`
/// that ScaiDNS accepts; hickory's text parser refuses labels with an edge hyphen, so it is not
/// used for names that are already checked.
pub fn dns_name(fqdn: &str) -> std::result::Result<Name, String> {
    let bare = fqdn.strip_suffix('.').unwrap_or(fqdn);
    if bare.is_empty() {
        return Ok(Name::root());
    }
    Name::from_labels(bare.split('.').map(str::as_bytes)).map_err(|e| format!("'{fqdn}': {e}"))
}

fn opaque(code: HType, rdata: Vec<u8>) -> RData {
    RData::Unknown {
        code,
        rdata: NULL::with(rdata),
    }
}

/// Uncompressed wire form of a canonical name (RFC 1035 §3.1); labels are plain ASCII.
fn wire_name(n: &HostName) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(n.as_str().len() + 1);
    for label in n.as_str().split('.').filter(|l| !l.is_empty()) {
        let len = u8::try_from(label.len())
            .map_err(|_| Error::internal(format!("canonical name '{n}' has an over-long label")))?;
        out.push(len);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    Ok(out)
}

fn svcb(s: &Svcb) -> Result<hsvcb::SVCB> {
    let params = s
        .params
        .iter()
        .map(|p| {
            let value = match p {
                SvcParam::Mandatory(keys) => SvcParamValue::Mandatory(hsvcb::Mandatory(
                    keys.iter().map(|k| key(*k)).collect(),
                )),
                SvcParam::Alpn(ids) => SvcParamValue::Alpn(hsvcb::Alpn(ids.clone())),
                SvcParam::NoDefaultAlpn => SvcParamValue::NoDefaultAlpn,
                SvcParam::Port(port) => SvcParamValue::Port(*port),
                SvcParam::Ipv4Hint(a) => {
                    SvcParamValue::Ipv4Hint(hsvcb::IpHint(a.iter().map(|x| h::A(*x)).collect()))
                }
                SvcParam::Ech(bytes) => {
                    SvcParamValue::EchConfigList(hsvcb::EchConfigList(bytes.clone()))
                }
                SvcParam::Ipv6Hint(a) => {
                    SvcParamValue::Ipv6Hint(hsvcb::IpHint(a.iter().map(|x| h::AAAA(*x)).collect()))
                }
            };
            (key(p.key()), value)
        })
        .collect();
    Ok(hsvcb::SVCB::new(s.priority, name(&s.target)?, params))
}

fn key(k: SvcKey) -> SvcParamKey {
    SvcParamKey::from(k.number())
}
