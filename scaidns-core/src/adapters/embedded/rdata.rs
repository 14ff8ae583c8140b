//! Canonical record content (PowerDNS presentation form) to hickory RDATA, for the embedded
//! server only.
//!
//! hickory's own presentation parser ([`RData::try_from_str`], the zone-file grammar of
//! RFC 1035 §5.1) covers almost every type ScaiDNS stores. The two it cannot parse in this build
//! are carried as RFC 3597 opaque RDATA, which is byte-for-byte what a typed encoder would emit:
//! DS (its parser is behind hickory's DNSSEC features) and DNAME (no parser at all).
//!
//! This is a stop-gap until `record::content` offers a shared conversion; it deliberately does
//! not validate beyond what encoding needs.

use hickory_server::proto::rr::rdata::NULL;
use hickory_server::proto::rr::{Name, RData, RecordType as HickoryType};

use crate::record::RecordType;

/// Converts `content` of `rtype` to RDATA.
pub(super) fn to_rdata(rtype: RecordType, content: &str) -> Result<RData, String> {
    match rtype {
        RecordType::DS => opaque(HickoryType::DS, ds_wire(content)?),
        RecordType::DNAME => opaque(HickoryType::DNAME, name_wire(content)?),
        // ALIAS is answered by nothing; see the module docs of `embedded`.
        RecordType::ALIAS => Err("ALIAS is not served by the embedded backend".to_owned()),
        other => {
            let hickory_type: HickoryType = other
                .as_str()
                .parse()
                .map_err(|_| format!("unsupported record type {other}"))?;
            RData::try_from_str(hickory_type, content).map_err(|e| format!("{other} '{content}': {e}"))
        }
    }
}

fn opaque(code: HickoryType, wire: Vec<u8>) -> Result<RData, String> {
    Ok(RData::Unknown { code, rdata: NULL::with(wire) })
}

/// DS RDATA (RFC 4034 §5.1): key tag, algorithm, digest type, digest.
fn ds_wire(content: &str) -> Result<Vec<u8>, String> {
    let bad = || format!("DS '{content}': expected '<key tag> <algorithm> <digest type> <hex digest>'");
    let mut fields = content.split_whitespace();
    let tag: u16 = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
    let algorithm: u8 = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
    let digest_type: u8 = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
    let digest_hex: String = fields.collect();
    let digest = hex::decode(&digest_hex).map_err(|_| bad())?;
    if digest.is_empty() {
        return Err(bad());
    }
    let mut wire = Vec::with_capacity(4 + digest.len());
    wire.extend_from_slice(&tag.to_be_bytes());
    wire.push(algorithm);
    wire.push(digest_type);
    wire.extend_from_slice(&digest);
    Ok(wire)
}

/// An uncompressed domain name (RFC 1035 §3.1); DNAME targets must not be compressed
/// (RFC 6672 §2.5).
fn name_wire(content: &str) -> Result<Vec<u8>, String> {
    let name = Name::from_ascii(content.trim()).map_err(|e| format!("'{content}': {e}"))?;
    if !name.is_fqdn() {
        return Err(format!("'{content}' must be absolute (end with a dot)"));
    }
    let mut wire = Vec::new();
    for label in name.iter() {
        let len = u8::try_from(label.len()).map_err(|_| format!("'{content}': label too long"))?;
        wire.push(len);
        wire.extend_from_slice(label);
    }
    wire.push(0);
    Ok(wire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_types() {
        for (rtype, content) in [
            (RecordType::A, "192.0.2.10"),
            (RecordType::AAAA, "2001:db8::10"),
            (RecordType::CNAME, "target.example.net."),
            (RecordType::NS, "ns1.example.net."),
            (RecordType::MX, "10 mail.example.org."),
            (RecordType::TXT, "\"v=spf1 -all\""),
            (RecordType::TXT, "\"part one\" \"part two\""),
            (RecordType::SOA, "ns1.example.net. hostmaster.example.org. 5 3600 600 604800 600"),
            (RecordType::SRV, "10 5 5060 sip.example.org."),
            (RecordType::PTR, "host.example.org."),
            (RecordType::CAA, "0 issue \"letsencrypt.org\""),
            (RecordType::DS, "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            (RecordType::DNAME, "example.net."),
        ] {
            let rdata = to_rdata(rtype, content).unwrap_or_else(|e| panic!("{rtype} {content}: {e}"));
            assert_eq!(rdata.record_type().to_string(), rtype.as_str(), "{content}");
        }
    }

    #[test]
    fn txt_strings_are_split_and_unquoted() {
        let RData::TXT(txt) = to_rdata(RecordType::TXT, "\"a b\" \"c\"").unwrap() else {
            panic!("not TXT");
        };
        let strings: Vec<&[u8]> = txt.txt_data.iter().map(|s| s.as_ref()).collect();
        assert_eq!(strings, vec![b"a b".as_slice(), b"c".as_slice()]);
    }

    #[test]
    fn rejects_garbage() {
        assert!(to_rdata(RecordType::A, "not-an-ip").is_err());
        assert!(to_rdata(RecordType::MX, "mail.example.org.").is_err());
        assert!(to_rdata(RecordType::DS, "1 2 3 zz").is_err());
        assert!(to_rdata(RecordType::ALIAS, "target.example.net.").is_err());
    }
}
