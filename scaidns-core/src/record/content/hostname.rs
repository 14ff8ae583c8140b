//! Domain names inside RDATA (RFC 1035 §3.3): CNAME/DNAME/NS/PTR/ALIAS targets, MX exchanges,
//! SRV targets (RFC 2782), NAPTR replacements (RFC 3403), SVCB targets (RFC 9460), SOA names.
//!
//! Interface decision 9: a host name in content is absolute whether or not it ends with `.`,
//! and `@` means the zone apex. Names are stored as lowercase A-labels with a trailing dot,
//! which is PowerDNS's canonical form. MX, NS and SRV targets must also be RFC 1123 host names
//! (PowerDNS 4.7 refuses underscores and edge hyphens there).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::name::ZoneName;
use crate::name::{map_uts46, to_ascii_fqdn};
use crate::record::content::lex::invalid;

/// An absolute domain name in canonical form (lowercase, trailing dot), or the root `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostName(String);

impl HostName {
    /// The root name `.` (null MX, "no service" SRV, SVCB "same as owner").
    pub fn root() -> Self {
        Self(".".to_owned())
    }

    /// Canonical text with trailing dot.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root `.`.
    pub fn is_root(&self) -> bool {
        self.0 == "."
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How strict the label syntax is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// RFC 1123 host name: letters, digits, inner hyphens.
    Host,
    /// Any domain name made of letters, digits, hyphens and underscores (RFC 8552 labels).
    Domain,
}

/// Parses one name field. `root_ok` allows `.`; `what` names the field in messages.
pub(crate) fn parse_name(
    token: &str,
    rule: NameRule,
    root_ok: bool,
    zone: Option<&ZoneName>,
    what: &str,
) -> Result<HostName> {
    // Mapped first (UTS #46): `mail。` is `mail.`, `＠` is `@`, and fullwidth digits are
    // digits, so the address check below sees what a resolver would.
    let mapped = map_uts46(token, "content").map_err(|e| {
        invalid(format!(
            "{what} '{token}' is not a valid name ({})",
            e.message()
        ))
    })?;
    if mapped == "@" {
        return zone
            .map(|z| HostName(z.fqdn().to_owned()))
            .ok_or_else(|| invalid(format!("{what} cannot be '@' here; write the zone name")));
    }
    if mapped == "." {
        return if root_ok {
            Ok(HostName::root())
        } else {
            Err(invalid(format!(
                "{what} must be a host name like host.example.com., not the root '.'"
            )))
        };
    }
    let bare = mapped.strip_suffix('.').unwrap_or(&mapped);
    if bare.parse::<Ipv4Addr>().is_ok() || bare.parse::<Ipv6Addr>().is_ok() {
        return Err(invalid(format!(
            "{what} must be a host name, not an address ('{token}')"
        )));
    }
    let fqdn = to_ascii_fqdn(&mapped, "content").map_err(|e| {
        invalid(format!(
            "{what} '{token}' is not a valid name ({})",
            e.message()
        ))
    })?;
    for label in fqdn.trim_end_matches('.').split('.') {
        check_label(label, rule, what, token)?;
    }
    Ok(HostName(fqdn))
}

fn check_label(label: &str, rule: NameRule, what: &str, token: &str) -> Result<()> {
    let ok = match rule {
        NameRule::Host => {
            label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        }
        NameRule::Domain => label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
    };
    if ok {
        return Ok(());
    }
    let allowed = match rule {
        NameRule::Host => "letters, digits and inner hyphens",
        NameRule::Domain => "letters, digits, hyphens and underscores",
    };
    Err(invalid(format!(
        "{what} '{token}' is not a valid host name: label '{label}' may contain only {allowed}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> ZoneName {
        ZoneName::parse("example.com").unwrap()
    }

    fn host(s: &str) -> Result<HostName> {
        parse_name(s, NameRule::Host, false, Some(&zone()), "target")
    }

    #[test]
    fn canonicalises_names() {
        assert_eq!(
            host("Mail.Example.COM").unwrap().as_str(),
            "mail.example.com."
        );
        assert_eq!(
            host("mail.example.com.").unwrap().as_str(),
            "mail.example.com."
        );
        assert_eq!(
            host("mail").unwrap().as_str(),
            "mail.",
            "content names are absolute"
        );
        assert_eq!(host("@").unwrap().as_str(), "example.com.");
        assert_eq!(
            host("bücher.example").unwrap().as_str(),
            "xn--bcher-kva.example."
        );
        let d = parse_name("_sip._udp.example.com", NameRule::Domain, false, None, "t").unwrap();
        assert_eq!(d.as_str(), "_sip._udp.example.com.");
        assert!(
            parse_name(".", NameRule::Host, true, None, "t")
                .unwrap()
                .is_root()
        );
    }

    #[test]
    fn every_label_separator_is_a_dot() {
        for stop in ['\u{3002}', '\u{FF0E}', '\u{FF61}'] {
            assert_eq!(
                host(&format!("mail{stop}example{stop}com{stop}"))
                    .unwrap()
                    .as_str(),
                "mail.example.com."
            );
            assert!(host(&format!("a{stop}{stop}b")).is_err());
            assert!(host(&format!("mail.example.com{stop}{stop}")).is_err());
            let root = parse_name(&stop.to_string(), NameRule::Host, true, None, "t").unwrap();
            assert!(root.is_root(), "{stop:?} alone is the root");
            let address = host(&format!("192{stop}0{stop}2{stop}1")).unwrap_err();
            assert!(address.message().contains("not an address"), "{address}");
        }
        assert!(
            host("１９２．０．２．１").is_err(),
            "fullwidth digits are digits"
        );
        assert_eq!(host("＠").unwrap().as_str(), "example.com.");
    }

    #[test]
    fn rejects_addresses_root_and_bad_labels() {
        let e = host("192.0.2.1").unwrap_err();
        assert!(
            e.message().contains("must be a host name, not an address"),
            "{e}"
        );
        assert_eq!(e.field(), Some("content"));
        assert!(host("192.0.2.1.").is_err());
        assert!(host("2001:db8::1").is_err());
        assert!(host(".").unwrap_err().message().contains("not the root"));
        for bad in [
            "_x.example.net",
            "-a.example.net",
            "a-.example.net",
            "*.example.net",
            "a..b",
            "a/b.c",
        ] {
            assert!(host(bad).is_err(), "{bad}");
        }
        assert!(parse_name("@", NameRule::Host, false, None, "t").is_err());
        assert!(
            parse_name(
                &format!("{}.com", "a".repeat(64)),
                NameRule::Domain,
                false,
                None,
                "t"
            )
            .is_err()
        );
    }
}
