//! MX (RFC 1035 §3.3.9, null MX RFC 7505) and SRV (RFC 2782) content: numbers first, then an
//! RFC 1123 host name. `.` is allowed as the target ("no mail" / "no service").

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{fields, invalid, u16_field};

pub(crate) fn parse_mx(input: &str, zone: Option<&ZoneName>) -> Result<(u16, HostName)> {
    let f = fields(input, "MX content")?;
    let [pref, host] = f.as_slice() else {
        return Err(invalid(
            "MX content must be 'preference host', like 10 mail.example.com.",
        ));
    };
    let pref = u16_field(pref, "MX preference")?;
    let host = parse_name(host, NameRule::Host, true, zone, "MX exchange")?;
    Ok((pref, host))
}

/// SRV fields: priority, weight, port, target.
pub(crate) fn parse_srv(input: &str, zone: Option<&ZoneName>) -> Result<(u16, u16, u16, HostName)> {
    let f = fields(input, "SRV content")?;
    let [prio, weight, port, target] = f.as_slice() else {
        return Err(invalid(
            "SRV content must be 'priority weight port target', like 10 5 5060 sip.example.com.",
        ));
    };
    Ok((
        u16_field(prio, "SRV priority")?,
        u16_field(weight, "SRV weight")?,
        u16_field(port, "SRV port")?,
        parse_name(target, NameRule::Host, true, zone, "SRV target")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> ZoneName {
        ZoneName::parse("example.com").unwrap()
    }

    #[test]
    fn mx() {
        let (p, h) = parse_mx("  010\t Mail.Example.com ", Some(&zone())).unwrap();
        assert_eq!((p, h.as_str()), (10, "mail.example.com."));
        assert!(parse_mx("0 .", None).unwrap().1.is_root());
        assert_eq!(
            parse_mx("5 @", Some(&zone())).unwrap().1.as_str(),
            "example.com."
        );
        for bad in [
            "mail.example.com",
            "10",
            "65536 a.",
            "10 192.0.2.1",
            "10 a_b.example.com",
            "10 a b",
        ] {
            let e = parse_mx(bad, None).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
        }
        assert!(
            parse_mx("10 192.0.2.1", None)
                .unwrap_err()
                .message()
                .contains("not an address")
        );
    }

    #[test]
    fn srv() {
        let (p, w, port, t) = parse_srv("10  5 5060 SIP.example.com", None).unwrap();
        assert_eq!((p, w, port, t.as_str()), (10, 5, 5060, "sip.example.com."));
        assert!(parse_srv("0 0 0 .", None).unwrap().3.is_root());
        for bad in [
            "10 5 sip.example.com.",
            "10 5 70000 a.",
            "1 2 3 2001:db8::1",
            "1 2 3 _x.example.com",
        ] {
            assert_eq!(
                parse_srv(bad, None).unwrap_err().field(),
                Some("content"),
                "{bad}"
            );
        }
    }
}
