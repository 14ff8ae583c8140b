//! Stored content to hickory RDATA for the embedded server, through the core's own parser
//! ([`RecordContent`]) and its hickory conversion ([`crate::record::content::hickory`]).
//!
//! Content must already be canonical, exactly as PowerDNS 4.x demands (`Not in expected format`,
//! `spec/powerdns.md` §8.5): both backends then accept and refuse the same changes.

use hickory_server::proto::rr::RData;
use hickory_server::proto::rr::rdata::NULL;
use hickory_server::proto::serialize::binary::BinEncodable;

use crate::record::content::hickory;
use crate::record::{RecordContent, RecordType};

/// Parses `content` of `rtype` and checks it is in canonical form.
fn canonical(rtype: RecordType, content: &str) -> Result<RecordContent, String> {
    let parsed = RecordContent::from_stored(rtype, content)
        .map_err(|e| format!("{rtype} '{content}': {e}"))?;
    if !parsed.as_str().eq_ignore_ascii_case(content) {
        return Err(format!(
            "{rtype} '{content}': not in canonical form (expected '{}')",
            parsed.as_str()
        ));
    }
    Ok(parsed)
}

/// RDATA of canonical `content`. ALIAS, which has no wire form, becomes opaque RDATA of its
/// private type code (RFC 3597) holding the target: it makes the owner name exist, so address
/// queries there get NODATA rather than NXDOMAIN (see the module docs of `embedded`).
pub(super) fn to_rdata(rtype: RecordType, content: &str) -> Result<RData, String> {
    let parsed = canonical(rtype, content)?;
    if rtype == RecordType::ALIAS {
        let target = parsed.target().unwrap_or(content);
        let name = hickory::dns_name(target).map_err(|e| format!("ALIAS '{content}': {e}"))?;
        let wire = name
            .to_bytes()
            .map_err(|e| format!("ALIAS '{content}': {e}"))?;
        return Ok(RData::Unknown {
            code: hickory::record_type(rtype),
            rdata: NULL::with(wire),
        });
    }
    hickory::to_rdata(&parsed).map_err(|e| format!("{rtype} '{content}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_common_types() {
        for (rtype, content) in [
            (RecordType::A, "192.0.2.10"),
            (RecordType::AAAA, "2001:db8::10"),
            (RecordType::CNAME, "target.example.net."),
            (RecordType::NS, "ns1.example.net."),
            (RecordType::MX, "10 mail.example.org."),
            (RecordType::TXT, "\"v=spf1 -all\""),
            (RecordType::TXT, "\"part one\" \"part two\""),
            (
                RecordType::SOA,
                "ns1.example.net. hostmaster.example.org. 5 3600 600 604800 600",
            ),
            (
                RecordType::DS,
                "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
            (RecordType::DNAME, "example.net."),
        ] {
            let rdata =
                to_rdata(rtype, content).unwrap_or_else(|e| panic!("{rtype} {content}: {e}"));
            assert_eq!(rdata.record_type().to_string(), rtype.as_str(), "{content}");
        }
    }

    #[test]
    fn refuses_garbage_and_non_canonical_text() {
        assert!(to_rdata(RecordType::A, "not-an-ip").is_err());
        assert!(to_rdata(RecordType::MX, "mail.example.org.").is_err());
        assert!(to_rdata(RecordType::CNAME, "target.example.net").is_err());
        assert!(to_rdata(RecordType::ALIAS, "target.example.net").is_err());
        let alias = to_rdata(RecordType::ALIAS, "target.example.net.").unwrap();
        assert_eq!(u16::from(alias.record_type()), 65401);
    }
}
