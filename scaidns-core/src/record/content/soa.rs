//! SOA content (RFC 1035 §3.3.13): `mname rname serial refresh retry expire minimum`.
//!
//! SOA is system-managed (interface decision 5), so this parser mostly reads back what the
//! platform and PowerDNS wrote. RNAME may be typed as a mail address (`hostmaster@example.com`);
//! a local part containing dots cannot be written without escapes and is refused.

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{fields, invalid, u32_field};

/// Parsed SOA fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Soa {
    /// Primary name server.
    pub mname: HostName,
    /// Responsible mailbox, as a name (`hostmaster.example.com.`).
    pub rname: HostName,
    /// Serial (owned by the backend).
    pub serial: u32,
    /// Refresh, seconds.
    pub refresh: u32,
    /// Retry, seconds.
    pub retry: u32,
    /// Expire, seconds.
    pub expire: u32,
    /// Negative-caching TTL (RFC 2308), seconds.
    pub minimum: u32,
}

pub(crate) fn parse_soa(input: &str, zone: Option<&ZoneName>) -> Result<Soa> {
    let f = fields(input, "SOA content")?;
    let [mname, rname, serial, refresh, retry, expire, minimum] = f.as_slice() else {
        return Err(invalid(
            "SOA content must be 'mname rname serial refresh retry expire minimum', \
             like ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
        ));
    };
    let rname = match rname.split_once('@') {
        Some((local, _)) if local.contains('.') => {
            return Err(invalid(
                "SOA rname mailbox must not contain dots before the '@'",
            ));
        }
        Some((local, domain)) => format!("{local}.{domain}"),
        None => (*rname).to_owned(),
    };
    Ok(Soa {
        mname: parse_name(mname, NameRule::Host, false, zone, "SOA mname")?,
        rname: parse_name(&rname, NameRule::Domain, false, zone, "SOA rname")?,
        serial: u32_field(serial, "SOA serial")?,
        refresh: u32_field(refresh, "SOA refresh")?,
        retry: u32_field(retry, "SOA retry")?,
        expire: u32_field(expire, "SOA expire")?,
        minimum: u32_field(minimum, "SOA minimum")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let z = ZoneName::parse("example.com").unwrap();
        let s = parse_soa(
            "NS1.example.net  hostmaster@Example.com 2026010101 3600 600 604800 600",
            Some(&z),
        )
        .unwrap();
        assert_eq!(s.mname.as_str(), "ns1.example.net.");
        assert_eq!(s.rname.as_str(), "hostmaster.example.com.");
        assert_eq!(
            (s.serial, s.refresh, s.retry, s.expire, s.minimum),
            (2026010101, 3600, 600, 604800, 600)
        );
    }

    #[test]
    fn rejections() {
        for bad in [
            "ns1. host. 1 2 3 4",
            "ns1. host. 1 2 3 4 4294967296",
            "192.0.2.1 host. 1 2 3 4 5",
            "ns1. first.last@example.com 1 2 3 4 5",
            ". host. 1 2 3 4 5",
        ] {
            let e = parse_soa(bad, None).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("SOA"), "{bad}: {e}");
        }
    }
}
