//! Record owner names inside a zone (interface decision 9).
//!
//! Input: `@` is the apex; a name ending in `.`, equal to the zone, or ending in `.<zone>` is
//! absolute and must lie inside the zone; anything else is relative to the zone. A leading `*`
//! label makes a wildcard (RFC 4592); underscores are allowed for service labels (RFC 8552).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::name::{ZoneName, map_uts46, to_ascii_fqdn};

/// A canonical, absolute owner name (lowercase, trailing dot) known to lie inside its zone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordName(String);

impl RecordName {
    /// Parses a user-supplied owner name relative to `zone`. The input is mapped first (UTS #46,
    /// every label separator becomes '.'), so `x。` is the absolute `x.` and every decision
    /// below sees the name the DNS will see.
    pub fn parse(input: &str, zone: &ZoneName) -> Result<Self> {
        if input.trim().is_empty() {
            return Err(Error::invalid(
                "name",
                "must not be empty (use @ for the zone apex)",
            ));
        }
        let mapped = map_uts46(input, "name")?;
        if mapped == "@" {
            return Ok(Self::apex(zone));
        }
        let absolute = mapped.ends_with('.')
            || mapped == zone.as_str()
            || mapped.ends_with(&format!(".{}", zone.as_str()));
        let candidate = if absolute {
            mapped
        } else {
            format!("{mapped}.{}", zone.fqdn())
        };
        let fqdn = to_ascii_fqdn(&candidate, "name")?;
        if !zone.contains_fqdn(&fqdn) {
            return Err(Error::invalid(
                "name",
                format!(
                    "'{}' is outside the zone {}",
                    fqdn.trim_end_matches('.'),
                    zone
                ),
            ));
        }
        check_labels(&fqdn)?;
        Ok(Self(fqdn))
    }

    /// Rebuilds a name read back from storage or a backend. It must already be canonical:
    /// what was stored is what was checked, and a row that differs from its canonical form
    /// (written before the checks existed, or by hand) is reported rather than re-interpreted.
    pub fn from_fqdn(fqdn: &str, zone: &ZoneName) -> Result<Self> {
        let canonical = to_ascii_fqdn(fqdn, "name")?;
        if canonical.trim_end_matches('.') != fqdn.trim_end_matches('.') {
            return Err(Error::invalid(
                "name",
                format!("'{fqdn}' is not in canonical form"),
            ));
        }
        if !zone.contains_fqdn(&canonical) {
            return Err(Error::invalid(
                "name",
                format!("'{canonical}' is outside the zone {zone}"),
            ));
        }
        check_labels(&canonical)?;
        Ok(Self(canonical))
    }

    /// The zone apex.
    pub fn apex(zone: &ZoneName) -> Self {
        Self(zone.fqdn().to_owned())
    }

    /// Absolute name with trailing dot (`www.example.com.`).
    pub fn fqdn(&self) -> &str {
        &self.0
    }

    /// Absolute name without trailing dot (`www.example.com`), as the API shows it.
    pub fn as_str(&self) -> &str {
        self.0.strip_suffix('.').unwrap_or(&self.0)
    }

    /// The name relative to `zone` (`www`, or `@` for the apex).
    pub fn relative_to(&self, zone: &ZoneName) -> String {
        relative_name(zone, &self.0)
    }

    /// Whether this is the apex of `zone`.
    pub fn is_apex(&self, zone: &ZoneName) -> bool {
        self.0 == zone.fqdn()
    }

    /// Whether the first label is the wildcard `*`.
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }
}

/// An absolute owner name (`www.example.com.`, the trailing dot optional) relative to `zone`
/// (`www`, `@` for the apex), as grants match it; a name outside the zone comes back whole,
/// without its trailing dot. For names kept as plain strings (RRsets, history) as well as
/// [`RecordName::relative_to`].
pub fn relative_name(zone: &ZoneName, absolute: &str) -> String {
    let name = absolute.strip_suffix('.').unwrap_or(absolute);
    if name == zone.as_str() {
        return "@".to_owned();
    }
    name.strip_suffix(zone.as_str())
        .and_then(|head| head.strip_suffix('.'))
        .unwrap_or(name)
        .to_owned()
}

fn check_labels(fqdn: &str) -> Result<()> {
    for (i, label) in fqdn.trim_end_matches('.').split('.').enumerate() {
        if label == "*" {
            if i == 0 {
                continue;
            }
            return Err(Error::invalid(
                "name",
                "a wildcard '*' may only be the leftmost label",
            ));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::invalid(
                "name",
                format!(
                    "label '{label}' may contain only letters, digits, hyphens and underscores"
                ),
            ));
        }
    }
    Ok(())
}

impl fmt::Display for RecordName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RecordName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordName({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> ZoneName {
        ZoneName::parse("example.com").unwrap()
    }

    #[test]
    fn resolves_relative_absolute_and_apex() {
        let z = zone();
        assert_eq!(RecordName::parse("@", &z).unwrap().fqdn(), "example.com.");
        assert_eq!(
            RecordName::parse("WWW", &z).unwrap().fqdn(),
            "www.example.com."
        );
        assert_eq!(
            RecordName::parse("www.example.com", &z).unwrap().fqdn(),
            "www.example.com."
        );
        assert_eq!(
            RecordName::parse("www.example.com.", &z).unwrap().fqdn(),
            "www.example.com."
        );
        assert_eq!(
            RecordName::parse("example.com", &z).unwrap().fqdn(),
            "example.com."
        );
        assert_eq!(
            RecordName::parse("a.b", &z).unwrap().fqdn(),
            "a.b.example.com."
        );
        assert_eq!(
            RecordName::parse("_sip._tcp", &z).unwrap().fqdn(),
            "_sip._tcp.example.com."
        );
        assert!(RecordName::parse("*.dev", &z).unwrap().is_wildcard());
    }

    #[test]
    fn relative_display() {
        let z = zone();
        assert_eq!(RecordName::parse("@", &z).unwrap().relative_to(&z), "@");
        assert_eq!(RecordName::parse("a.b", &z).unwrap().relative_to(&z), "a.b");
        assert_eq!(relative_name(&z, "a.b.example.com."), "a.b");
        assert_eq!(relative_name(&z, "a.b.example.com"), "a.b");
        assert_eq!(relative_name(&z, "example.com."), "@");
        // A name that merely ends in the zone's letters is not inside it.
        assert_eq!(relative_name(&z, "badexample.com."), "badexample.com");
        assert_eq!(relative_name(&z, "www.other.org."), "www.other.org");
        assert_eq!(
            RecordName::parse("www", &z).unwrap().as_str(),
            "www.example.com"
        );
    }

    #[test]
    fn every_label_separator_is_a_dot() {
        let z = zone();
        for stop in ['\u{3002}', '\u{FF0E}', '\u{FF61}'] {
            // A trailing full stop makes the name absolute: `x。` is `x.`, outside the zone.
            let err = RecordName::parse(&format!("x{stop}"), &z).unwrap_err();
            assert_eq!(err.field(), Some("name"));
            assert!(err.message().contains("outside the zone"), "{err}");
            assert_eq!(
                RecordName::parse(&format!("a{stop}b"), &z).unwrap().fqdn(),
                "a.b.example.com."
            );
            assert_eq!(
                RecordName::parse(&format!("www{stop}example{stop}com{stop}"), &z)
                    .unwrap()
                    .fqdn(),
                "www.example.com."
            );
            assert_eq!(
                RecordName::parse(&format!("www{stop}example{stop}com"), &z)
                    .unwrap()
                    .fqdn(),
                "www.example.com.",
                "the zone suffix is recognised after mapping"
            );
            for bad in [
                format!("a{stop}{stop}b"),
                format!("{stop}a"),
                stop.to_string(),
            ] {
                assert!(RecordName::parse(&bad, &z).is_err(), "{bad:?} accepted");
            }
        }
        let idn = ZoneName::parse("bücher.example").unwrap();
        assert_eq!(
            RecordName::parse("www.Bücher.example", &idn)
                .unwrap()
                .fqdn(),
            "www.xn--bcher-kva.example."
        );
        assert_eq!(RecordName::parse("＠", &z).unwrap().fqdn(), "example.com.");
    }

    #[test]
    fn stored_names_must_be_canonical() {
        let z = zone();
        assert_eq!(
            RecordName::from_fqdn("www.example.com", &z).unwrap().fqdn(),
            "www.example.com."
        );
        for corrupt in [
            "x..example.com",
            "WWW.example.com",
            "x\u{3002}.example.com",
            "a b.example.com",
            "www.other.org",
        ] {
            assert!(RecordName::from_fqdn(corrupt, &z).is_err(), "{corrupt:?}");
        }
    }

    #[test]
    fn rejects_outside_and_malformed() {
        let z = zone();
        for bad in [
            "",
            "www.other.org.",
            "a.*",
            "a b",
            "x..y",
            "example.com.evil.",
            "notexample.com.",
        ] {
            let err = RecordName::parse(bad, &z).unwrap_err();
            assert_eq!(err.field(), Some("name"), "{bad}");
        }
        assert!(RecordName::parse(&"a".repeat(64), &z).is_err());
    }
}
