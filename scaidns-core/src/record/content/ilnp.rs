//! ILNP content (RFC 6742): NID and L64 (preference and a 64-bit value written as four
//! colon-separated hex groups), L32 (preference and an IPv4-style locator) and LP
//! (preference and a name). PowerDNS prints the 64-bit groups as four uppercase digits.

use std::net::Ipv4Addr;

use crate::error::Result;
use crate::name::ZoneName;
use crate::record::content::hostname::{HostName, NameRule, parse_name};
use crate::record::content::lex::{fields, invalid, u16_field};

fn two<'a>(input: &'a str, rtype: &str, example: &str) -> Result<(u16, &'a str)> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [pref, value] = f.as_slice() else {
        return Err(invalid(format!(
            "{rtype} content must be 'preference value', like {example}"
        )));
    };
    Ok((u16_field(pref, &format!("{rtype} preference"))?, value))
}

/// NID or L64: preference and the 64-bit identifier or locator.
pub(crate) fn parse_64(input: &str, rtype: &str) -> Result<(u16, u64)> {
    let (pref, value) = two(input, rtype, "10 2001:0DB8:1140:1000")?;
    let err = || {
        invalid(format!(
            "{rtype} value must be four groups of 1 to 4 hexadecimal digits, like 2001:0DB8:1140:1000"
        ))
    };
    let groups: Vec<&str> = value.split(':').collect();
    if groups.len() != 4 {
        return Err(err());
    }
    let mut out = 0u64;
    for g in groups {
        if g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        out = out << 16 | u64::from(u16::from_str_radix(g, 16).map_err(|_| err())?);
    }
    Ok((pref, out))
}

pub(crate) fn render_64(pref: u16, value: u64) -> String {
    let g = |i: u32| (value >> (48 - 16 * i)) & 0xffff;
    format!("{pref} {:04X}:{:04X}:{:04X}:{:04X}", g(0), g(1), g(2), g(3))
}

pub(crate) fn parse_l32(input: &str) -> Result<(u16, Ipv4Addr)> {
    let (pref, value) = two(input, "L32", "10 10.1.2.0")?;
    let locator = value
        .parse()
        .map_err(|_| invalid("L32 locator must be written like an IPv4 address, like 10.1.2.0"))?;
    Ok((pref, locator))
}

/// Preference and a name: LP (RFC 6742), KX (RFC 2230), AFSDB (RFC 1183, the subtype first).
pub(crate) fn parse_pref_name(
    input: &str,
    rtype: &str,
    example: &str,
    zone: Option<&ZoneName>,
) -> Result<(u16, HostName)> {
    let (pref, name) = two(input, rtype, example)?;
    Ok((
        pref,
        parse_name(
            name,
            NameRule::Domain,
            false,
            zone,
            &format!("{rtype} name"),
        )?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators() {
        let (p, v) = parse_64("10 14:4fff:ff20:ee64", "NID").unwrap();
        assert_eq!(render_64(p, v), "10 0014:4FFF:FF20:EE64");
        for bad in [
            "10 1:2:3",
            "10 1:2:3:4:5",
            "10 12345:1:1:1",
            "10 g:1:1:1",
            "10",
        ] {
            assert!(parse_64(bad, "L64").is_err(), "{bad}");
        }
        assert_eq!(parse_l32("1 10.1.2.0").unwrap().1.to_string(), "10.1.2.0");
        assert!(parse_l32("1 10.1.2").is_err());
        let (p, n) = parse_pref_name("10 L64-Subnet.example.com", "LP", "", None).unwrap();
        assert_eq!((p, n.as_str()), (10, "l64-subnet.example.com."));
    }
}
