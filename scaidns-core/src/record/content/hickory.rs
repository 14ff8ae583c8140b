//! Conversion of canonical content into hickory-proto's `RData`, for the embedded DNS server.
//!
//! hickory types stay behind this module so a hickory upgrade touches one place (DESIGN.md
//! convention 6). hickory's own types are used where it has them (CERT, CSYNC, HINFO,
//! OPENPGPKEY, SMIMEA and the older ones). The rest go out as opaque RDATA in the RFC 3597
//! sense, which encodes identically on the wire: DS, CDS, CDNSKEY and KEY (hickory only models
//! them with its DNSSEC features), and the types hickory has no model for (DNAME, AFSDB, APL,
//! DHCID, EUI48/64, IPSECKEY, KX, L32, L64, LOC, LP, MINFO, MR, NID, RP, SPF, URI, ZONEMD and
//! generic `TYPEnnn`). Names inside them are written uncompressed (RFC 3597 §4).
//! ALIAS has no wire form at all: the server resolves it to A/AAAA itself.

use hickory_proto::rr::rdata::caa::CAA;
use hickory_proto::rr::rdata::svcb::{self as hsvcb, SvcParamKey, SvcParamValue};
use hickory_proto::rr::rdata::{self as h, NULL};
use hickory_proto::rr::{Name, RData, RecordType as HType};

use crate::error::{Error, ErrorKind, Result};
use crate::record::RecordContent;
use crate::record::content::{Gateway, HostName, Rdata, SvcKey, SvcParam, Svcb, apl, loc};

/// The wire-level record type of a ScaiDNS type (ALIAS is a PowerDNS pseudo-type with code 65401).
pub fn record_type(rtype: crate::record::RecordType) -> HType {
    HType::from(rtype.code())
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
        } => opaque(
            HType::DS,
            ds_wire(*key_tag, *algorithm, *digest_type, digest),
        ),
        Rdata::Cds(key_tag, algorithm, digest_type, digest) => opaque(
            HType::CDS,
            ds_wire(*key_tag, *algorithm, *digest_type, digest),
        ),
        Rdata::Alias(_) => {
            return Err(Error::new(
                ErrorKind::Internal,
                "alias_not_served",
                "ALIAS has no wire form; resolve its target to A/AAAA records instead",
            ));
        }
        Rdata::Https(s) => RData::HTTPS(h::HTTPS(svcb(s)?)),
        Rdata::Svcb(s) => RData::SVCB(svcb(s)?),
        Rdata::Cert(c) => RData::CERT(h::CERT::new(
            c.cert_type.into(),
            c.key_tag,
            c.algorithm.into(),
            c.data.clone(),
        )),
        Rdata::Csync(c) => {
            let mut csync = h::CSYNC::new(
                c.serial,
                c.flags & 1 != 0,
                c.flags & 2 != 0,
                c.types.iter().map(|t| HType::from(*t)),
            );
            csync.reserved_flags = c.flags & !3;
            RData::CSYNC(csync)
        }
        Rdata::Hinfo(cpu, os) => RData::HINFO(h::HINFO::from_bytes(
            cpu.clone().into_boxed_slice(),
            os.clone().into_boxed_slice(),
        )),
        Rdata::Openpgpkey(key) => RData::OPENPGPKEY(h::OPENPGPKEY::new(key.clone())),
        Rdata::Smimea(usage, selector, matching_type, data) => RData::SMIMEA(h::SMIMEA::new(
            (*usage).into(),
            (*selector).into(),
            (*matching_type).into(),
            data.clone(),
        )),
        other => opaque(record_type(other.rtype()), opaque_wire(other)?),
    })
}

fn ds_wire(key_tag: u16, algorithm: u8, digest_type: u8, digest: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(4 + digest.len());
    bytes.extend_from_slice(&key_tag.to_be_bytes());
    bytes.push(algorithm);
    bytes.push(digest_type);
    bytes.extend_from_slice(digest);
    bytes
}

/// RDATA of the types sent opaque (see the module docs), in their RFC wire layout.
fn opaque_wire(rdata: &Rdata) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    match rdata {
        Rdata::Dname(n) | Rdata::Mr(n) => out = wire_name(n)?,
        Rdata::Afsdb(pref, n) | Rdata::Kx(pref, n) | Rdata::Lp(pref, n) => {
            out.extend_from_slice(&pref.to_be_bytes());
            out.extend(wire_name(n)?);
        }
        Rdata::Minfo(a, b) | Rdata::Rp(a, b) => {
            out.extend(wire_name(a)?);
            out.extend(wire_name(b)?);
        }
        Rdata::Apl(items) => out = apl::wire(items),
        Rdata::Loc(l) => out = loc::wire(l),
        Rdata::Cdnskey(k) | Rdata::Key(k) => {
            out.extend_from_slice(&k.flags.to_be_bytes());
            out.push(k.protocol);
            out.push(k.algorithm);
            out.extend_from_slice(&k.public_key);
        }
        Rdata::Dhcid(b) | Rdata::Eui48(b) | Rdata::Eui64(b) | Rdata::Generic(_, b) => {
            out.clone_from(b);
        }
        Rdata::Ipseckey(k) => {
            out.push(k.precedence);
            out.push(k.gateway.kind());
            out.push(k.algorithm);
            match &k.gateway {
                Gateway::None => {}
                Gateway::V4(a) => out.extend_from_slice(&a.octets()),
                Gateway::V6(a) => out.extend_from_slice(&a.octets()),
                Gateway::Name(n) => out.extend(wire_name(n)?),
            }
            out.extend_from_slice(&k.public_key);
        }
        Rdata::L32(pref, locator) => {
            out.extend_from_slice(&pref.to_be_bytes());
            out.extend_from_slice(&locator.octets());
        }
        Rdata::L64(pref, value) | Rdata::Nid(pref, value) => {
            out.extend_from_slice(&pref.to_be_bytes());
            out.extend_from_slice(&value.to_be_bytes());
        }
        Rdata::Spf(strings) => {
            for s in strings {
                out.push(
                    u8::try_from(s.len()).map_err(|_| {
                        Error::internal("canonical SPF holds a string over 255 bytes")
                    })?,
                );
                out.extend_from_slice(s);
            }
        }
        Rdata::Uri(priority, weight, target) => {
            out.extend_from_slice(&priority.to_be_bytes());
            out.extend_from_slice(&weight.to_be_bytes());
            out.extend_from_slice(target);
        }
        Rdata::Zonemd(serial, scheme, alg, digest) => {
            out.extend_from_slice(&serial.to_be_bytes());
            out.push(*scheme);
            out.push(*alg);
            out.extend_from_slice(digest);
        }
        other => {
            return Err(Error::internal(format!(
                "{} has a hickory type and is not sent opaque",
                other.rtype()
            )));
        }
    }
    Ok(out)
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
    // `NULL::with` refuses empty data; RFC 3597 `\# 0` is legal.
    let rdata = if rdata.is_empty() {
        NULL::new()
    } else {
        NULL::with(rdata)
    };
    RData::Unknown { code, rdata }
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
