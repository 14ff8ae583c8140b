//! SVCB and HTTPS content (RFC 9460): `priority target key=value…`.
//!
//! Supported keys are the ones RFC 9460 §14.3.2 defines — mandatory, alpn, no-default-alpn, port,
//! ipv4hint, ech, ipv6hint — in the form PowerDNS 4.7 prints: keys sorted by number, lists
//! comma-separated and unquoted, `ech` quoted base64, `no-default-alpn` without a value.
//! Generic `keyNNNN` keys are refused: PowerDNS 4.7 reads them as wire format and renders them
//! differently from what was sent, and nothing needs them yet.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::address::check_v6;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{MAX_CHARSTR, fields, invalid, maybe_quoted, u16_field};

/// A service-binding record (shared by SVCB and HTTPS).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Svcb {
    /// 0 is alias mode; anything else is service mode, lower preferred.
    pub priority: u16,
    /// Target name; `.` means the owner name (service mode) or "no service" (alias mode).
    pub target: HostName,
    /// Parameters, sorted by key number, each key at most once.
    pub params: Vec<SvcParam>,
}

/// SvcParamKeys of RFC 9460 §14.3.2, in key-number order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SvcKey {
    /// Keys a client must understand (key0).
    Mandatory,
    /// Application protocols (key1).
    Alpn,
    /// The default protocol is not offered (key2).
    NoDefaultAlpn,
    /// Alternative port (key3).
    Port,
    /// IPv4 address hints (key4).
    Ipv4Hint,
    /// Encrypted ClientHello configuration (key5).
    Ech,
    /// IPv6 address hints (key6).
    Ipv6Hint,
}

impl SvcKey {
    const ALL: [SvcKey; 7] = [
        SvcKey::Mandatory,
        SvcKey::Alpn,
        SvcKey::NoDefaultAlpn,
        SvcKey::Port,
        SvcKey::Ipv4Hint,
        SvcKey::Ech,
        SvcKey::Ipv6Hint,
    ];

    /// The presentation name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SvcKey::Mandatory => "mandatory",
            SvcKey::Alpn => "alpn",
            SvcKey::NoDefaultAlpn => "no-default-alpn",
            SvcKey::Port => "port",
            SvcKey::Ipv4Hint => "ipv4hint",
            SvcKey::Ech => "ech",
            SvcKey::Ipv6Hint => "ipv6hint",
        }
    }

    /// The key number.
    pub const fn number(self) -> u16 {
        self as u16
    }

    fn parse(name: &str, rtype: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == lower).ok_or_else(|| {
            invalid(format!(
                "{rtype} parameter '{name}' is not supported; use mandatory, alpn, no-default-alpn, \
                 port, ipv4hint, ech or ipv6hint"
            ))
        })
    }
}

/// One SvcParam with its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SvcParam {
    /// `mandatory=alpn,port` (sorted by key number).
    Mandatory(Vec<SvcKey>),
    /// `alpn=h2,h3` (order kept: it is the server's preference).
    Alpn(Vec<String>),
    /// `no-default-alpn`.
    NoDefaultAlpn,
    /// `port=8443`.
    Port(u16),
    /// `ipv4hint=192.0.2.1,192.0.2.2`.
    Ipv4Hint(Vec<Ipv4Addr>),
    /// `ech="<base64>"`.
    Ech(Vec<u8>),
    /// `ipv6hint=2001:db8::1`.
    Ipv6Hint(Vec<Ipv6Addr>),
}

impl SvcParam {
    /// The key.
    pub fn key(&self) -> SvcKey {
        match self {
            SvcParam::Mandatory(_) => SvcKey::Mandatory,
            SvcParam::Alpn(_) => SvcKey::Alpn,
            SvcParam::NoDefaultAlpn => SvcKey::NoDefaultAlpn,
            SvcParam::Port(_) => SvcKey::Port,
            SvcParam::Ipv4Hint(_) => SvcKey::Ipv4Hint,
            SvcParam::Ech(_) => SvcKey::Ech,
            SvcParam::Ipv6Hint(_) => SvcKey::Ipv6Hint,
        }
    }
}

pub(crate) fn parse_svcb(input: &str, rtype: &str, zone: Option<&ZoneName>) -> Result<Svcb> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [priority, target, raw_params @ ..] = f.as_slice() else {
        return Err(invalid(format!(
            "{rtype} content must be 'priority target [key=value …]', like 1 . alpn=h2,h3"
        )));
    };
    let priority = u16_field(priority, &format!("{rtype} priority"))?;
    let target = parse_name(
        target,
        NameRule::Domain,
        true,
        zone,
        &format!("{rtype} target"),
    )?;
    let mut params = raw_params
        .iter()
        .map(|p| parse_param(p, rtype))
        .collect::<Result<Vec<_>>>()?;
    params.sort_by_key(SvcParam::key);
    check_params(priority, &params, rtype)?;
    Ok(Svcb {
        priority,
        target,
        params,
    })
}

fn parse_param(raw: &str, rtype: &str) -> Result<SvcParam> {
    let (name, value) = match raw.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (raw, None),
    };
    let key = SvcKey::parse(name, rtype)?;
    let what = format!("{rtype} {}", key.as_str());
    let value = match (key, value) {
        (SvcKey::NoDefaultAlpn, None) => return Ok(SvcParam::NoDefaultAlpn),
        (SvcKey::NoDefaultAlpn, Some(_)) => return Err(invalid(format!("{what} takes no value"))),
        (_, None) => {
            return Err(invalid(format!(
                "{what} needs a value, like {}=…",
                key.as_str()
            )));
        }
        (_, Some(v)) => String::from_utf8(maybe_quoted(v, &what)?)
            .map_err(|_| invalid(format!("{what} must be ASCII text")))?,
    };
    if value.is_empty() {
        return Err(invalid(format!(
            "{what} needs a value, like {}=…",
            key.as_str()
        )));
    }
    let list = || value.split(',').map(str::trim);
    Ok(match key {
        SvcKey::Mandatory => {
            let mut keys = list()
                .map(|k| SvcKey::parse(k, rtype))
                .collect::<Result<Vec<_>>>()?;
            keys.sort();
            if keys.windows(2).any(|w| w[0] == w[1]) {
                return Err(invalid(format!("{what} lists a key twice")));
            }
            SvcParam::Mandatory(keys)
        }
        SvcKey::Alpn => SvcParam::Alpn(list().map(|id| alpn_id(id, &what)).collect::<Result<_>>()?),
        SvcKey::NoDefaultAlpn => SvcParam::NoDefaultAlpn,
        SvcKey::Port => SvcParam::Port(u16_field(&value, &what)?),
        SvcKey::Ipv4Hint => SvcParam::Ipv4Hint(
            list()
                .map(|a| {
                    a.parse().map_err(|_| {
                        invalid(format!("{what} must be IPv4 addresses like 192.0.2.1"))
                    })
                })
                .collect::<Result<_>>()?,
        ),
        SvcKey::Ipv6Hint => SvcParam::Ipv6Hint(
            list()
                .map(|a| {
                    let addr = a.parse().map_err(|_| {
                        invalid(format!("{what} must be IPv6 addresses like 2001:db8::1"))
                    })?;
                    check_v6(addr, &what).map(|()| addr)
                })
                .collect::<Result<_>>()?,
        ),
        SvcKey::Ech => SvcParam::Ech(
            STANDARD
                .decode(&value)
                .or_else(|_| STANDARD_NO_PAD.decode(&value))
                .map_err(|_| invalid(format!("{what} must be base64 (an ECHConfigList)")))?,
        ),
    })
}

/// An ALPN id as written unquoted in the content and in a BIND file: no whitespace, no escape
/// or quote, no `,` (the list separator), and none of `;`, `(`, `)`, which a master file reads
/// as a comment or a group (no registered ALPN id uses any of them).
fn alpn_id(id: &str, what: &str) -> Result<String> {
    let ok = !id.is_empty()
        && id.len() <= MAX_CHARSTR
        && id.bytes().all(|b| {
            b.is_ascii_graphic() && !matches!(b, b'\\' | b'"' | b',' | b';' | b'(' | b')')
        });
    if ok {
        Ok(id.to_owned())
    } else {
        Err(invalid(format!(
            "{what} must be protocol ids like h2 or h3, separated by commas"
        )))
    }
}

/// Self-consistency rules of RFC 9460 §2.4.3, §7.1.1 and §8.
fn check_params(priority: u16, params: &[SvcParam], rtype: &str) -> Result<()> {
    if priority == 0 && !params.is_empty() {
        return Err(invalid(format!(
            "{rtype} priority 0 (alias mode) takes no parameters"
        )));
    }
    if params.windows(2).any(|w| w[0].key() == w[1].key()) {
        return Err(invalid(format!(
            "{rtype} content must not repeat a parameter"
        )));
    }
    let has = |k: SvcKey| params.iter().any(|p| p.key() == k);
    if has(SvcKey::NoDefaultAlpn) && !has(SvcKey::Alpn) {
        return Err(invalid(format!(
            "{rtype} no-default-alpn needs an alpn parameter too"
        )));
    }
    if let Some(SvcParam::Mandatory(keys)) = params.first() {
        if keys.contains(&SvcKey::Mandatory) {
            return Err(invalid(format!(
                "{rtype} mandatory must not list mandatory itself"
            )));
        }
        if let Some(missing) = keys.iter().find(|k| !has(**k)) {
            return Err(invalid(format!(
                "{rtype} mandatory lists {} but that parameter is missing",
                missing.as_str()
            )));
        }
    }
    Ok(())
}

pub(crate) fn render_svcb(s: &Svcb) -> String {
    let mut out = format!("{} {}", s.priority, s.target);
    for p in &s.params {
        let key = p.key().as_str();
        let _ = match p {
            SvcParam::Mandatory(keys) => {
                write!(
                    out,
                    " {key}={}",
                    keys.iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
            SvcParam::Alpn(ids) => write!(out, " {key}={}", ids.join(",")),
            SvcParam::NoDefaultAlpn => write!(out, " {key}"),
            SvcParam::Port(port) => write!(out, " {key}={port}"),
            SvcParam::Ipv4Hint(a) => write!(out, " {key}={}", join(a)),
            SvcParam::Ech(bytes) => write!(out, " {key}=\"{}\"", STANDARD.encode(bytes)),
            SvcParam::Ipv6Hint(a) => write!(out, " {key}={}", join(a)),
        };
    }
    out
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECH: &str = "AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA";

    fn canon(input: &str) -> String {
        render_svcb(&parse_svcb(input, "HTTPS", None).unwrap())
    }

    #[test]
    fn canonical_forms_match_powerdns() {
        assert_eq!(canon("1 . alpn=h2,h3"), "1 . alpn=h2,h3");
        assert_eq!(canon("1  .  ALPN=\"h3,h2\""), "1 . alpn=h3,h2");
        assert_eq!(canon("0 SVC.example.com"), "0 svc.example.com.");
        assert_eq!(canon("1 . port=443 alpn=h2"), "1 . alpn=h2 port=443");
        assert_eq!(
            canon("1 . no-default-alpn alpn=h2"),
            "1 . alpn=h2 no-default-alpn"
        );
        assert_eq!(
            canon("1 . port=443 alpn=h2 mandatory=port,alpn"),
            "1 . mandatory=alpn,port alpn=h2 port=443"
        );
        assert_eq!(
            canon("1 . ipv6hint=2001:DB8::1 ipv4hint=192.0.2.2,192.0.2.1"),
            "1 . ipv4hint=192.0.2.2,192.0.2.1 ipv6hint=2001:db8::1"
        );
        assert_eq!(
            canon(&format!("1 . ech={ECH}")),
            format!("1 . ech=\"{ECH}\"")
        );
        assert_eq!(
            canon(&format!("1 . ech=\"{ECH}\"")),
            format!("1 . ech=\"{ECH}\"")
        );
    }

    #[test]
    fn rejections() {
        for bad in [
            "1",
            "0 . alpn=h2",
            "1 . port=1 port=2",
            "1 . port=65536",
            "1 . key65000=\"abc\"",
            "1 . dohpath=/q{?dns}",
            "1 . no-default-alpn",
            "1 . no-default-alpn=x alpn=h2",
            "1 . mandatory=mandatory",
            "1 . mandatory=port",
            "1 . alpn=",
            "1 . alpn",
            "1 . ech=\"!!\"",
            "1 . ipv6hint=::ffff:192.0.2.1",
            "1 . ipv4hint=2001:db8::1",
            "1 192.0.2.1 alpn=h2",
            // A BIND file would read these as a comment or a group.
            "1 . alpn=h2;x",
            "1 . alpn=a(",
            "1 . alpn=b)",
            "1 . alpn=\"h2 x\"",
        ] {
            let e = parse_svcb(bad, "SVCB", None).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("SVCB"), "{bad}: {e}");
        }
    }
}
