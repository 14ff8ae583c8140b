//! Zone names (RFC 1034 §3.1, RFC 1035 §2.3.4, IDNA per RFC 5891 via UTS #46).
//!
//! A `ZoneName` is stored in canonical form: lowercase A-labels (punycode) with a trailing dot,
//! exactly as PowerDNS names zones. Input may be Unicode, mixed case, with or without the dot.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest presentation-form name without the trailing dot (RFC 1035: 255 octets on the wire).
pub const MAX_NAME_LEN: usize = 253;
/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// A validated, canonical zone apex name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneName(String);

/// What family a zone name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReverseKind {
    /// Not a reverse zone.
    Forward,
    /// Under `in-addr.arpa.`.
    Ipv4,
    /// Under `ip6.arpa.`.
    Ipv6,
}

impl ZoneName {
    /// Parses user input into a canonical zone name.
    pub fn parse(input: &str) -> Result<Self> {
        let fqdn = to_ascii_fqdn(input, "name").map_err(|e| invalid_name(e.message()))?;
        let labels: Vec<&str> = fqdn.trim_end_matches('.').split('.').collect();
        if labels.len() < 2 {
            return Err(invalid_name(
                "a zone name needs at least two labels (e.g. example.com)",
            ));
        }
        for label in &labels {
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return Err(invalid_name(format!(
                    "label '{label}' may contain only letters, digits and hyphens"
                )));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(invalid_name(format!(
                    "label '{label}' may not start or end with a hyphen"
                )));
            }
        }
        Ok(Self(fqdn))
    }

    /// The name with its trailing dot (`example.com.`), as PowerDNS and zone files use it.
    pub fn fqdn(&self) -> &str {
        &self.0
    }

    /// The name without the trailing dot (`example.com`), as the API shows it.
    pub fn as_str(&self) -> &str {
        self.0.strip_suffix('.').unwrap_or(&self.0)
    }

    /// Whether this is a forward, IPv4-reverse or IPv6-reverse zone.
    pub fn reverse_kind(&self) -> ReverseKind {
        if self.0.ends_with(".in-addr.arpa.") || self.0 == "in-addr.arpa." {
            ReverseKind::Ipv4
        } else if self.0.ends_with(".ip6.arpa.") || self.0 == "ip6.arpa." {
            ReverseKind::Ipv6
        } else {
            ReverseKind::Forward
        }
    }

    /// Whether `fqdn` (canonical, with trailing dot) is this zone's apex or lies below it.
    pub fn contains_fqdn(&self, fqdn: &str) -> bool {
        fqdn == self.0
            || fqdn
                .strip_suffix(self.0.as_str())
                .is_some_and(|head| head.ends_with('.'))
    }

    /// Whether `other` is this zone, a zone below it, or a zone above it.
    pub fn overlaps(&self, other: &ZoneName) -> bool {
        self.contains_fqdn(&other.0) || other.contains_fqdn(&self.0)
    }
}

/// Maps user input to ASCII as UTS #46 does (non-transitional), before anything looks at its
/// structure: case folding, width folding and, above all, the label separators. U+3002, U+FF0E
/// and U+FF61 are full stops to every IDNA client, so `victim.example。` must be checked as
/// `victim.example.`, not as some other name that slips past overlap and emptiness checks.
/// Nothing is checked here but the mapping itself: every ASCII character survives, so the
/// caller's own rules (labels, `*`, `@`, `_`) decide on the mapped text. ASCII input is only
/// lowercased, so existing A-labels pass as written.
pub(crate) fn map_uts46(input: &str, field: &str) -> Result<String> {
    let trimmed = input.trim();
    if trimmed.is_ascii() {
        return Ok(trimmed.to_ascii_lowercase());
    }
    let mapped = idna::uts46::Uts46::new()
        .to_ascii(
            trimmed.as_bytes(),
            idna::uts46::AsciiDenyList::EMPTY,
            idna::uts46::Hyphens::Allow,
            idna::uts46::DnsLength::Ignore,
        )
        .map_err(|_| Error::invalid(field, "is not a valid internationalised domain name"))?;
    // Mapping can yield characters outside ASCII only on error, but the checks below rely on
    // ASCII, so say so rather than assume it.
    if !mapped.is_ascii() {
        return Err(Error::invalid(
            field,
            "is not a valid internationalised domain name",
        ));
    }
    Ok(mapped.into_owned())
}

/// Maps `input` ([`map_uts46`]) and checks the structure of the result: not empty, no empty
/// label, lengths; returns the name with exactly one trailing dot. `field` names the input in
/// errors.
pub(crate) fn to_ascii_fqdn(input: &str, field: &str) -> Result<String> {
    let mapped = map_uts46(input, field)?;
    let bare = mapped.strip_suffix('.').unwrap_or(&mapped);
    if bare.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if bare.split('.').any(str::is_empty) {
        return Err(Error::invalid(field, "must not contain empty labels"));
    }
    if bare.len() > MAX_NAME_LEN {
        return Err(Error::invalid(
            field,
            format!("is longer than {MAX_NAME_LEN} characters"),
        ));
    }
    if let Some(label) = bare.split('.').find(|l| l.len() > MAX_LABEL_LEN) {
        return Err(Error::invalid(
            field,
            format!("label '{label}' is longer than {MAX_LABEL_LEN} characters"),
        ));
    }
    Ok(format!("{bare}."))
}

fn invalid_name(message: impl Into<String>) -> Error {
    Error::new(
        crate::error::ErrorKind::InvalidInput,
        "invalid_domain_name",
        message,
    )
    .with_field("name")
}

impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ZoneName({})", self.0)
    }
}

impl TryFrom<String> for ZoneName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<ZoneName> for String {
    fn from(value: ZoneName) -> Self {
        value.0
    }
}

impl std::str::FromStr for ZoneName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_case_dot_and_idna() {
        assert_eq!(
            ZoneName::parse("Example.COM").unwrap().fqdn(),
            "example.com."
        );
        assert_eq!(
            ZoneName::parse("example.com.").unwrap().as_str(),
            "example.com"
        );
        assert_eq!(
            ZoneName::parse(" bücher.example ").unwrap().fqdn(),
            "xn--bcher-kva.example."
        );
    }

    #[test]
    fn rejects_bad_names() {
        for bad in [
            "",
            ".",
            "com",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "a b.com",
            "*.example.com",
        ] {
            assert!(ZoneName::parse(bad).is_err(), "{bad} accepted");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(ZoneName::parse(&long_label).is_err());
        let long_name = format!("{}com", "abcdefghi.".repeat(26));
        assert!(ZoneName::parse(&long_name).is_err());
        let err = ZoneName::parse("a_b.com").unwrap_err();
        assert_eq!(err.code(), "invalid_domain_name");
        assert_eq!(err.field(), Some("name"));
    }

    /// The IDNA label separators other than U+002E (UTS #46 maps each to '.').
    const FULL_STOPS: [char; 3] = ['\u{3002}', '\u{FF0E}', '\u{FF61}'];

    #[test]
    fn every_label_separator_is_a_dot() {
        for stop in FULL_STOPS {
            let trailing = ZoneName::parse(&format!("sub.victim.example{stop}")).unwrap();
            assert_eq!(trailing.fqdn(), "sub.victim.example.", "{stop:?}");
            let inner = ZoneName::parse(&format!("sub{stop}victim{stop}example")).unwrap();
            assert_eq!(inner, trailing, "{stop:?}");
            let victim = ZoneName::parse("victim.example").unwrap();
            assert!(victim.overlaps(&inner), "{stop:?}");
            for bad in [
                format!("a{stop}{stop}b"),
                format!("a.{stop}b"),
                format!("{stop}a.b"),
                format!("a.b{stop}{stop}"),
                format!("a.b.{stop}"),
                stop.to_string(),
            ] {
                assert!(ZoneName::parse(&bad).is_err(), "{bad:?} accepted");
            }
        }
    }

    #[test]
    fn maps_before_checking_structure() {
        // Fullwidth letters and digits fold to ASCII; the result is checked like ASCII input.
        assert_eq!(
            ZoneName::parse("ＥＸＡＭＰＬＥ．ｃｏｍ").unwrap().fqdn(),
            "example.com."
        );
        assert_eq!(
            ZoneName::parse("Bücher。Example").unwrap().fqdn(),
            "xn--bcher-kva.example."
        );
        assert!(ZoneName::parse("a_b。com").is_err());
        let empty = ZoneName::parse("a。。com").unwrap_err();
        assert_eq!(
            (empty.code(), empty.field()),
            ("invalid_domain_name", Some("name"))
        );
        assert!(ZoneName::parse("ä..com").is_err());
        assert!(ZoneName::parse("ä.com..").is_err());
        // Length limits apply to the A-label form.
        let long = format!("{}.com", "ü".repeat(60));
        assert!(ZoneName::parse(&long).is_err());
    }

    #[test]
    fn detects_reverse_zones() {
        assert_eq!(
            ZoneName::parse("2.0.192.in-addr.arpa")
                .unwrap()
                .reverse_kind(),
            ReverseKind::Ipv4
        );
        assert_eq!(
            ZoneName::parse("8.b.d.0.1.0.0.2.ip6.arpa")
                .unwrap()
                .reverse_kind(),
            ReverseKind::Ipv6
        );
        assert_eq!(
            ZoneName::parse("arpa.example").unwrap().reverse_kind(),
            ReverseKind::Forward
        );
    }

    #[test]
    fn overlap_is_label_aligned() {
        let a = ZoneName::parse("example.com").unwrap();
        let b = ZoneName::parse("eu.example.com").unwrap();
        let c = ZoneName::parse("notexample.com").unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
    }
}
