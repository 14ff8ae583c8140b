//! A (RFC 1035 §3.4.1) and AAAA (RFC 3596) content.
//!
//! PowerDNS 4.7 renders IPv6 with glibc's `inet_ntop`, which is RFC 5952 (lowercase, longest zero
//! run compressed) except that IPv4-mapped and IPv4-compatible addresses come out dotted
//! (`::ffff:192.0.2.1`, `::192.0.2.1`) — a form its own API then refuses as input. Those
//! addresses (deprecated by RFC 4291 §2.5.5) are rejected so every stored address round-trips.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::record::content::lex::invalid;

pub(crate) fn parse_a(input: &str) -> Result<Ipv4Addr> {
    input
        .parse()
        .map_err(|_| invalid("A content must be an IPv4 address like 192.0.2.1 (no leading zeros)"))
}

pub(crate) fn parse_aaaa(input: &str) -> Result<Ipv6Addr> {
    let addr: Ipv6Addr = input
        .parse()
        .map_err(|_| invalid("AAAA content must be an IPv6 address like 2001:db8::1"))?;
    check_v6(addr, "AAAA content")?;
    Ok(addr)
}

/// Refuses the addresses `inet_ntop` renders in dotted form.
pub(crate) fn check_v6(addr: Ipv6Addr, what: &str) -> Result<()> {
    let w = addr.segments();
    let mapped = w[..5].iter().all(|&x| x == 0) && w[5] == 0xffff;
    let compatible = w[..6].iter().all(|&x| x == 0) && w[6] != 0;
    if mapped || compatible {
        return Err(invalid(format!(
            "{what} must be a native IPv6 address; IPv4-mapped and IPv4-compatible addresses \
             like ::ffff:192.0.2.1 are not accepted (use an A record)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4() {
        assert_eq!(parse_a("192.0.2.1").unwrap().to_string(), "192.0.2.1");
        for bad in [
            "192.0.2.01",
            "192.0.2",
            "192.0.2.256",
            "host",
            "",
            "2001:db8::1",
        ] {
            let e = parse_a(bad).unwrap_err();
            assert_eq!(e.field(), Some("content"));
            assert!(
                e.message().starts_with("A content must be an IPv4 address"),
                "{bad}"
            );
        }
    }

    #[test]
    fn ipv6_renders_like_inet_ntop() {
        for (input, want) in [
            ("2001:DB8::1", "2001:db8::1"),
            ("2001:0db8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("::", "::"),
            ("::1", "::1"),
            ("::2", "::2"),
            ("1::", "1::"),
            ("::ffff:1:2:3", "::ffff:1:2:3"),
        ] {
            assert_eq!(parse_aaaa(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn ipv6_rejects_dotted_forms() {
        for bad in [
            "::ffff:192.0.2.1",
            "::ffff:c000:201",
            "::c000:201",
            "::1:2",
            "::192.0.2.1",
            "192.0.2.1",
            "x",
        ] {
            let e = parse_aaaa(bad).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("AAAA content must be"), "{bad}");
        }
    }
}
