//! NAPTR content (RFC 3403 §4.1): `order preference "flags" "service" "regexp" replacement`.
//!
//! Flags are single characters from A-Z and 0-9 and compare case-insensitively, so they are
//! stored uppercase. Flags and service may be typed without quotes; all three strings are stored
//! quoted. The replacement is a domain name, `.` when the regexp does the rewriting.

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{MAX_CHARSTR, fields, invalid, maybe_quoted, u16_field};

/// Parsed NAPTR fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Naptr {
    /// Processing order (lower first).
    pub order: u16,
    /// Preference among equal orders.
    pub preference: u16,
    /// Flags (`S`, `A`, `U`, `P`), uppercase.
    pub flags: Vec<u8>,
    /// Service parameters, e.g. `SIP+D2U` or `E2U+sip`.
    pub services: Vec<u8>,
    /// Substitution expression.
    pub regexp: Vec<u8>,
    /// Next name to look up, or the root.
    pub replacement: HostName,
}

pub(crate) fn parse_naptr(input: &str, zone: Option<&ZoneName>) -> Result<Naptr> {
    let f = fields(input, "NAPTR content")?;
    let [order, pref, flags, services, regexp, replacement] = f.as_slice() else {
        return Err(invalid(
            "NAPTR content must be 'order preference \"flags\" \"service\" \"regexp\" replacement', \
             like 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
        ));
    };
    let flags = maybe_quoted(flags, "NAPTR flags")?.to_ascii_uppercase();
    if !flags.iter().all(u8::is_ascii_alphanumeric) {
        return Err(invalid(
            "NAPTR flags must be letters or digits, like \"S\", \"A\" or \"U\"",
        ));
    }
    let services = maybe_quoted(services, "NAPTR service")?;
    let regexp = maybe_quoted(regexp, "NAPTR regexp")?;
    for (bytes, what) in [
        (&flags, "flags"),
        (&services, "service"),
        (&regexp, "regexp"),
    ] {
        if bytes.len() > MAX_CHARSTR {
            return Err(invalid(format!(
                "NAPTR {what} must be at most {MAX_CHARSTR} bytes"
            )));
        }
    }
    Ok(Naptr {
        order: u16_field(order, "NAPTR order")?,
        preference: u16_field(pref, "NAPTR preference")?,
        flags,
        services,
        regexp,
        replacement: parse_name(
            replacement,
            NameRule::Domain,
            true,
            zone,
            "NAPTR replacement",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_input() {
        let n = parse_naptr("100  10 s SIP+D2U \"\" _SIP._udp.example.com", None).unwrap();
        assert_eq!((n.order, n.preference), (100, 10));
        assert_eq!(n.flags, b"S");
        assert_eq!(n.services, b"SIP+D2U");
        assert!(n.regexp.is_empty());
        assert_eq!(n.replacement.as_str(), "_sip._udp.example.com.");
        let u = parse_naptr(
            r#"100 10 "u" "E2U+sip" "!^\\+1(.*)$!sip:\\1@example.com!" ."#,
            None,
        )
        .unwrap();
        assert_eq!(u.regexp, br"!^\+1(.*)$!sip:\1@example.com!");
        assert!(u.replacement.is_root());
    }

    #[test]
    fn rejections() {
        for bad in [
            "100 10 \"S\" \"SIP+D2U\" \"\"",
            "100 10 \"S+\" \"SIP+D2U\" \"\" .",
            "70000 10 \"S\" \"x\" \"\" .",
            "1 1 \"S\" \"x\" \"\" 192.0.2.1",
            "1 1 \"S\" \"x\" \"a b\" c d",
        ] {
            let e = parse_naptr(bad, None).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("NAPTR"), "{bad}: {e}");
        }
    }
}
