//! APL content (RFC 3123): blank-separated `[!]family:address/prefix` items, family 1 (IPv4)
//! or 2 (IPv6).
//!
//! On the wire an item keeps only the address octets its prefix covers, without trailing
//! zero octets; PowerDNS prints what the wire holds, so `1:192.0.2.1/24` is `1:192.0.2.0/24`.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::Result;
use crate::record::content::address::check_v6;
use crate::record::content::lex::{fields, invalid};

/// One address prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AplItem {
    /// `!`: the prefix is excluded.
    pub negation: bool,
    /// Address family: 1 IPv4, 2 IPv6.
    pub family: u16,
    /// Prefix length.
    pub prefix: u8,
    /// The address octets the wire carries (AFDPART).
    pub afd: Vec<u8>,
}

impl AplItem {
    fn full_address(&self, len: usize) -> Vec<u8> {
        let mut bytes = self.afd.clone();
        bytes.resize(len, 0);
        bytes
    }
}

impl fmt::Display for AplItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negation {
            f.write_str("!")?;
        }
        if self.family == 1 {
            let b = self.full_address(4);
            write!(
                f,
                "1:{}/{}",
                Ipv4Addr::new(b[0], b[1], b[2], b[3]),
                self.prefix
            )
        } else {
            let b: [u8; 16] = self.full_address(16).try_into().unwrap_or([0; 16]);
            write!(f, "2:{}/{}", Ipv6Addr::from(b), self.prefix)
        }
    }
}

pub(crate) fn parse_apl(input: &str) -> Result<Vec<AplItem>> {
    fields(input, "APL content")?
        .into_iter()
        .map(parse_item)
        .collect()
}

pub(crate) fn render_apl(items: &[AplItem]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_item(token: &str) -> Result<AplItem> {
    let usage = || {
        invalid(format!(
            "APL item '{token}' must be [!]family:address/prefix, like 1:192.0.2.0/24 or \
             !2:2001:db8::/32"
        ))
    };
    let (negation, rest) = match token.strip_prefix('!') {
        Some(r) => (true, r),
        None => (false, token),
    };
    let (family, rest) = rest.split_once(':').ok_or_else(usage)?;
    let (address, prefix) = rest.rsplit_once('/').ok_or_else(usage)?;
    let prefix: u8 = if prefix.bytes().all(|b| b.is_ascii_digit()) && prefix.len() <= 3 {
        prefix.parse().map_err(|_| usage())?
    } else {
        return Err(usage());
    };
    let (family, octets, max) = match family {
        "1" => {
            let a: Ipv4Addr = address.parse().map_err(|_| usage())?;
            (1, a.octets().to_vec(), 32)
        }
        "2" => {
            let a: Ipv6Addr = address.parse().map_err(|_| usage())?;
            (2, a.octets().to_vec(), 128)
        }
        _ => return Err(usage()),
    };
    if prefix > max {
        return Err(invalid(format!(
            "APL item '{token}': the prefix of family {family} must be at most {max}"
        )));
    }
    // PowerDNS keeps the prefix bits only: 1:192.0.2.255/25 is 1:192.0.2.128/25.
    let mut afd: Vec<u8> = octets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let bits = usize::from(prefix).saturating_sub(i * 8).min(8);
            b & !(0xffu8
                .checked_shr(u32::try_from(bits).unwrap_or(8))
                .unwrap_or(0))
        })
        .collect();
    afd.truncate(usize::from(prefix).div_ceil(8));
    while afd.last() == Some(&0) {
        afd.pop();
    }
    let item = AplItem {
        negation,
        family,
        prefix,
        afd,
    };
    if family == 2 {
        let b: [u8; 16] = item.full_address(16).try_into().unwrap_or([0; 16]);
        let addr = Ipv6Addr::from(b);
        if !addr.is_unspecified() {
            check_v6(addr, "APL address")?;
        }
    }
    Ok(item)
}

/// Wire form (RFC 3123 §4).
pub(crate) fn wire(items: &[AplItem]) -> Vec<u8> {
    let mut out = Vec::new();
    for item in items {
        out.extend_from_slice(&item.family.to_be_bytes());
        out.push(item.prefix);
        let len = u8::try_from(item.afd.len()).unwrap_or(0);
        out.push(if item.negation { 0x80 | len } else { len });
        out.extend_from_slice(&item.afd);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        render_apl(&parse_apl(s).unwrap())
    }

    #[test]
    fn keeps_the_prefix_octets() {
        assert_eq!(
            canon("1:192.0.2.0/24   !2:2001:DB8:0:0::/32"),
            "1:192.0.2.0/24 !2:2001:db8::/32"
        );
        assert_eq!(canon("1:192.0.2.1/24"), "1:192.0.2.0/24");
        assert_eq!(canon("1:192.0.2.255/25"), "1:192.0.2.128/25");
        assert_eq!(canon("2:2001:db8::1/127"), "2:2001:db8::/127");
        assert_eq!(canon("1:0.0.0.0/0 2:::/0"), "1:0.0.0.0/0 2:::/0");
        let w = wire(&parse_apl("!1:192.0.2.0/24").unwrap());
        assert_eq!(w, vec![0, 1, 24, 0x83, 192, 0, 2]);
        for bad in [
            "3:1.2.3.4/8",
            "1:1.2.3.4/33",
            "1:1.2.3.4",
            "2:::ffff:1.2.3.4/128",
            "x",
        ] {
            assert!(parse_apl(bad).is_err(), "{bad}");
        }
    }
}
