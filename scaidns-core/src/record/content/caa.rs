//! CAA content (RFC 8659): `flags tag "value"`.
//!
//! Tags are ASCII letters and digits (§4.1); the registered ones are written lowercase because
//! matching is case-insensitive and PowerDNS keeps whatever case it is given. The value may be
//! typed without quotes; it is stored quoted, with PowerDNS's escaping.

use crate::error::Result;
use crate::record::content::lex::{invalid, u8_field, unquote};

/// Tags registered with IANA (RFC 8659, RFC 8657, RFC 9495).
const KNOWN_TAGS: &[&str] = &[
    "issue",
    "issuewild",
    "iodef",
    "issuemail",
    "issuevmc",
    "contactemail",
    "contactphone",
];

/// Longest tag PowerDNS and RFC 8659 §4.1 expect (SHOULD be no more than 15).
const MAX_TAG: usize = 15;

/// CAA fields: flags, tag, value.
pub(crate) fn parse_caa(input: &str) -> Result<(u8, String, Vec<u8>)> {
    let usage =
        || invalid("CAA content must be 'flags tag value', like 0 issue \"letsencrypt.org\"");
    let (flags, rest) = input.split_once(char::is_whitespace).ok_or_else(usage)?;
    let (tag, value) = rest
        .trim_start()
        .split_once(char::is_whitespace)
        .ok_or_else(usage)?;
    let value = value.trim();
    let flags = u8_field(flags, "CAA flags")?;
    let tag = canonical_tag(tag)?;
    let value = if value.starts_with('"') {
        unquote(value, "CAA value")?
    } else {
        value.as_bytes().to_vec()
    };
    Ok((flags, tag, value))
}

fn canonical_tag(tag: &str) -> Result<String> {
    if tag.is_empty() || tag.len() > MAX_TAG || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(format!(
            "CAA tag must be 1 to {MAX_TAG} letters or digits, like issue, issuewild or iodef"
        )));
    }
    let lower = tag.to_ascii_lowercase();
    Ok(if KNOWN_TAGS.contains(&lower.as_str()) {
        lower
    } else {
        tag.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::content::lex::quote;

    fn canon(input: &str) -> String {
        let (f, t, v) = parse_caa(input).unwrap();
        format!("{f} {t} {}", quote(&v))
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(
            canon("0 issue \"letsencrypt.org\""),
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(
            canon("0  ISSUE\tletsencrypt.org"),
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(canon("128 IssueWild \";\""), "128 issuewild \";\"");
        assert_eq!(
            canon("0 iodef mailto:security@example.com"),
            "0 iodef \"mailto:security@example.com\""
        );
        assert_eq!(
            canon("0 issue letsencrypt.org; validationmethods=dns-01"),
            "0 issue \"letsencrypt.org; validationmethods=dns-01\""
        );
        assert_eq!(canon("0 issue \"\""), "0 issue \"\"");
        assert_eq!(canon("0 Custom1 \"a\\\"b\""), "0 Custom1 \"a\\\"b\"");
    }

    #[test]
    fn rejections() {
        for bad in [
            "0 issue",
            "issue \"x\"",
            "256 issue \"x\"",
            "0 is-sue \"x\"",
            "0 issue \"a\" \"b\"",
            "0 issue \"open",
        ] {
            let e = parse_caa(bad).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("CAA"), "{bad}: {e}");
        }
    }
}
