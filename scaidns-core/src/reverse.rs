//! Reverse zones from address blocks (spec §8.1, issue 10 item 1): which zone a CIDR block
//! becomes, which block a reverse zone name stands for, and where an address's PTR lives.
//!
//! IPv4 zones are octet-aligned (/8, /16, /24: RFC 1035 §3.5) or, below /24, RFC 2317 classless
//! zones named `<first>-<length>.<parent /24>` (`0-25.2.0.192.in-addr.arpa`). A classless zone
//! answers only through CNAMEs in its parent /24 (`10.2.0.192.in-addr.arpa CNAME
//! 10.0-25.2.0.192.in-addr.arpa.`), so its plan lists them. IPv6 zones sit on nibble boundaries
//! (RFC 3596 §2.5). Pure: no store, no network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::error::{Error, Result};
use crate::name::ZoneName;
use crate::zone::DomainType;

/// Field name errors about a CIDR name.
const FIELD: &str = "cidr";

/// Most RFC 2317 CNAMEs (or aligned zones) one plan lists: a /25 needs 128, a /9 128 /16s.
const MAX_LISTED: usize = 128;

/// The zone a CIDR block becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReverseZonePlan {
    /// The block, canonical (`192.0.2.0/24`).
    pub cidr: IpNet,
    /// The zone's name.
    pub zone_name: ZoneName,
    /// `reverse_ipv4` or `reverse_ipv6`.
    pub domain_type: DomainType,
    /// For an RFC 2317 zone: the octet-aligned /24 whose CNAMEs make it answer.
    pub parent_zone: Option<ZoneName>,
    /// For an RFC 2317 zone: the CNAMEs its parent needs, one per address.
    pub parent_cnames: Vec<ParentCname>,
}

/// One CNAME an RFC 2317 zone needs in its parent /24.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentCname {
    /// Owner in the parent, absolute with trailing dot (`10.2.0.192.in-addr.arpa.`).
    pub name: String,
    /// Target in the classless zone, absolute with trailing dot.
    pub target: String,
}

impl ReverseZonePlan {
    /// First address of the block.
    pub fn start_ip(&self) -> IpAddr {
        self.cidr.network()
    }

    /// Last address of the block.
    pub fn end_ip(&self) -> IpAddr {
        self.cidr.broadcast()
    }

    /// Addresses in the block (saturates at `u128::MAX` for a /0 that no plan holds).
    pub fn ip_count(&self) -> u128 {
        let host_bits = u32::from(self.cidr.max_prefix_len() - self.cidr.prefix_len());
        1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
    }
}

/// What a CIDR block asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CidrPlan {
    /// One zone.
    Zone(ReverseZonePlan),
    /// An IPv4 /9–/15 or /17–/23: no single zone; these aligned zones cover it.
    NotAligned(Vec<ReverseZonePlan>),
}

/// Reads `input` (`192.0.2.0/24`, `2001:db8::/48`) and plans its zone. 422 on malformed input,
/// host bits set, or an unsupported length, each saying which.
pub fn plan_cidr(input: &str) -> Result<CidrPlan> {
    let text = input.trim();
    let net: IpNet = text.parse().map_err(|_| {
        if text.contains('/') {
            invalid(format!(
                "'{text}' is not a CIDR block: give an address and a prefix length, like 192.0.2.0/24 or 2001:db8::/48"
            ))
        } else {
            invalid(format!(
                "'{text}' has no prefix length: give a CIDR block, like 192.0.2.0/24 or 2001:db8::/48"
            ))
        }
    })?;
    if net.trunc() != net {
        return Err(Error::new(
            crate::error::ErrorKind::InvalidInput,
            "cidr_host_bits_set",
            format!(
                "'{text}' has host bits set: the block starts at {}",
                net.trunc()
            ),
        )
        .with_field(FIELD));
    }
    match net {
        IpNet::V4(v4) => plan_v4(v4),
        IpNet::V6(v6) => plan_v6(v6).map(CidrPlan::Zone),
    }
}

fn plan_v4(net: Ipv4Net) -> Result<CidrPlan> {
    let len = net.prefix_len();
    match len {
        8 | 16 | 24 => Ok(CidrPlan::Zone(aligned_v4(net))),
        25..=32 => Ok(CidrPlan::Zone(classless_v4(net))),
        9..=15 | 17..=23 => {
            let aligned = if len < 16 { 16 } else { 24 };
            let zones = net
                .subnets(aligned)
                .map_err(|_| Error::internal("aligned prefix shorter than the block"))?
                .take(MAX_LISTED)
                .map(aligned_v4)
                .collect();
            Ok(CidrPlan::NotAligned(zones))
        }
        _ => Err(unsupported(format!(
            "IPv4 /{len} is not supported: reverse zones are /8, /16, /24 or /25–/32"
        ))),
    }
}

fn aligned_v4(net: Ipv4Net) -> ReverseZonePlan {
    let octets = usize::from(net.prefix_len() / 8);
    let labels: Vec<String> = net.network().octets()[..octets]
        .iter()
        .rev()
        .map(u8::to_string)
        .collect();
    ReverseZonePlan {
        cidr: IpNet::V4(net),
        zone_name: arpa(&format!("{}.in-addr.arpa.", labels.join("."))),
        domain_type: DomainType::ReverseIpv4,
        parent_zone: None,
        parent_cnames: Vec::new(),
    }
}

fn classless_v4(net: Ipv4Net) -> ReverseZonePlan {
    let [a, b, c, first] = net.network().octets();
    let parent = format!("{c}.{b}.{a}.in-addr.arpa.");
    let zone = format!("{first}-{}.{parent}", net.prefix_len());
    // Every address, network and broadcast included: a classless zone serves them all.
    let parent_cnames = (first..=net.broadcast().octets()[3])
        .map(|last| ParentCname {
            name: format!("{last}.{parent}"),
            target: format!("{last}.{zone}"),
        })
        .collect();
    ReverseZonePlan {
        cidr: IpNet::V4(net),
        zone_name: arpa(&zone),
        domain_type: DomainType::ReverseIpv4,
        parent_zone: Some(arpa(&parent)),
        parent_cnames,
    }
}

fn plan_v6(net: Ipv6Net) -> Result<ReverseZonePlan> {
    let len = net.prefix_len();
    if !len.is_multiple_of(4) || !(4..=124).contains(&len) {
        return Err(unsupported(format!(
            "IPv6 /{len} is not supported: reverse zones sit on nibble boundaries, /4 to /124 in steps of 4"
        )));
    }
    let nibbles = nibbles(net.network());
    let labels: Vec<String> = nibbles[..usize::from(len / 4)]
        .iter()
        .rev()
        .map(|n| format!("{n:x}"))
        .collect();
    Ok(ReverseZonePlan {
        cidr: IpNet::V6(net),
        zone_name: arpa(&format!("{}.ip6.arpa.", labels.join("."))),
        domain_type: DomainType::ReverseIpv6,
        parent_zone: None,
        parent_cnames: Vec::new(),
    })
}

fn nibbles(ip: Ipv6Addr) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in ip.octets().iter().enumerate() {
        out[i * 2] = byte >> 4;
        out[i * 2 + 1] = byte & 0xf;
    }
    out
}

fn arpa(fqdn: &str) -> ZoneName {
    // Built only from digits, hex nibbles, one hyphen and the arpa suffix: always valid.
    ZoneName::parse(fqdn).unwrap_or_else(|_| unreachable!("reverse name {fqdn} is valid"))
}

fn invalid(message: String) -> Error {
    Error::new(
        crate::error::ErrorKind::InvalidInput,
        "invalid_cidr",
        message,
    )
    .with_field(FIELD)
}

fn unsupported(message: String) -> Error {
    Error::new(
        crate::error::ErrorKind::InvalidInput,
        "cidr_unsupported_prefix",
        message,
    )
    .with_field(FIELD)
}

/// The block a reverse zone name stands for: `2.0.192.in-addr.arpa` → `192.0.2.0/24`,
/// `64-26.2.0.192.in-addr.arpa` → `192.0.2.64/26`, nibble names under `ip6.arpa`. `None` for
/// a forward zone or a reverse name that is no block (`in-addr.arpa` itself, bad labels).
pub fn zone_block(zone: &ZoneName) -> Option<IpNet> {
    let name = zone.fqdn();
    if let Some(head) = name.strip_suffix(".in-addr.arpa.") {
        let labels: Vec<&str> = head.split('.').collect();
        if let Some((first, len)) = labels
            .first()
            .and_then(|l| l.split_once('-'))
            .filter(|_| labels.len() == 4)
        {
            // Canonical numbers only, as below: `064-26` or `02` would name a block twice.
            let first = canonical_decimal(first)?;
            let len = canonical_decimal(len)?;
            let [c, b, a] = [labels[1], labels[2], labels[3]].map(canonical_decimal);
            let net = Ipv4Net::new(Ipv4Addr::new(a?, b?, c?, first), len).ok()?;
            return (len >= 25 && net.trunc() == net).then_some(IpNet::V4(net));
        }
        if labels.len() > 3 {
            return None;
        }
        let octets = reversed_octets(&labels)?;
        let len = u8::try_from(labels.len() * 8).ok()?;
        return Ipv4Net::new(Ipv4Addr::from(octets), len)
            .ok()
            .map(IpNet::V4);
    }
    let head = name.strip_suffix(".ip6.arpa.")?;
    let labels: Vec<&str> = head.split('.').collect();
    let bits = reversed_nibbles(&labels)?;
    let len = u8::try_from(labels.len() * 4).ok()?;
    Ipv6Net::new(Ipv6Addr::from(bits), len).ok().map(IpNet::V6)
}

/// The address bytes named by reversed decimal labels (`["2", "0", "192"]` → 192.0.2.0): at
/// most four labels, each a canonical decimal octet.
fn reversed_octets(labels: &[&str]) -> Option<[u8; 4]> {
    if labels.len() > 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, l) in labels.iter().rev().enumerate() {
        octets[i] = canonical_decimal(l)?;
    }
    Some(octets)
}

/// The address bits named by reversed nibble labels (one hex digit each, at most 32).
fn reversed_nibbles(labels: &[&str]) -> Option<u128> {
    if labels.len() > 32 {
        return None;
    }
    let mut bits: u128 = 0;
    for (i, l) in labels.iter().rev().enumerate() {
        let n = u8::from_str_radix(l, 16).ok().filter(|_| l.len() == 1)?;
        bits |= u128::from(n) << (124 - 4 * i);
    }
    Some(bits)
}

fn canonical_decimal(label: &str) -> Option<u8> {
    let n: u8 = label.parse().ok()?;
    (n.to_string() == label).then_some(n)
}

/// Reads an address in any textual form (IPv6 compressed or not, any case). 422 otherwise.
pub fn parse_ip(input: &str, field: &str) -> Result<IpAddr> {
    // `::ffff:192.0.2.10` is the IPv4 address: its PTR lives in the in-addr.arpa tree.
    input
        .trim()
        .parse::<IpAddr>()
        .map(|ip| ip.to_canonical())
        .map_err(|_| Error::invalid(field, format!("'{}' is not an IP address", input.trim())))
}

/// The top label of `ip`'s reverse tree (`192.in-addr.arpa`, `2.ip6.arpa`, no trailing dot):
/// every zone that can hold the address ends with it.
pub fn top_zone_label(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("{}.in-addr.arpa", v4.octets()[0]),
        IpAddr::V6(v6) => format!("{:x}.ip6.arpa", v6.octets()[0] >> 4),
    }
}

/// The absolute owner name (trailing dot) of `ip`'s PTR in `zone`, or `None` when `ip` lies
/// outside the zone's block. In an RFC 2317 zone the owner is `<last octet>.<zone>`.
pub fn ptr_owner(zone: &ZoneName, ip: IpAddr) -> Option<String> {
    let block = zone_block(zone)?;
    if !block.contains(&ip) {
        return None;
    }
    match (block, ip) {
        (IpNet::V4(net), IpAddr::V4(v4)) if net.prefix_len() > 24 => {
            Some(format!("{}.{}", v4.octets()[3], zone.fqdn()))
        }
        _ => Some(standard_ptr_name(ip)),
    }
}

/// `ip`'s name in the reverse tree (`10.2.0.192.in-addr.arpa.`, 32 nibbles under `ip6.arpa.`).
pub fn standard_ptr_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(73);
            for n in nibbles(v6).iter().rev() {
                s.push_str(&format!("{n:x}."));
            }
            s.push_str("ip6.arpa.");
            s
        }
    }
}

/// The address whose PTR sits at `owner` (absolute, trailing dot) in `zone`; `None` when the
/// name is no single address of the zone's block (an intermediate name, a CNAME owner's
/// neighbour, garbage).
pub fn ip_of_owner(zone: &ZoneName, owner: &str) -> Option<IpAddr> {
    let block = zone_block(zone)?;
    let ip = match block {
        IpNet::V4(net) if net.prefix_len() > 24 => {
            let last = owner.strip_suffix(zone.fqdn())?.strip_suffix('.')?;
            let [a, b, c, _] = net.network().octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, canonical_decimal(last)?))
        }
        IpNet::V4(_) => {
            let head = owner.strip_suffix(".in-addr.arpa.")?;
            let labels: Vec<&str> = head.split('.').collect();
            if labels.len() != 4 {
                return None;
            }
            IpAddr::V4(Ipv4Addr::from(reversed_octets(&labels)?))
        }
        IpNet::V6(_) => {
            let head = owner.strip_suffix(".ip6.arpa.")?;
            let labels: Vec<&str> = head.split('.').collect();
            if labels.len() != 32 {
                return None;
            }
            IpAddr::V6(Ipv6Addr::from(reversed_nibbles(&labels)?))
        }
    };
    block.contains(&ip).then_some(ip)
}

/// The reverse zone names that could hold `ip`'s PTR, most specific first: for IPv4 the /24,
/// /16 and /8 names (classless zones are found by their block, see [`zone_block`]); for IPv6
/// every nibble boundary from /124 up to /4.
pub fn candidate_zone_names(ip: IpAddr) -> Vec<String> {
    let full = standard_ptr_name(ip);
    let labels: Vec<&str> = full.trim_end_matches('.').split('.').collect();
    // Drop the address's own label, keep at least one label above `in-addr.arpa`/`ip6.arpa`.
    (1..labels.len() - 2)
        .map(|skip| format!("{}.", labels[skip..].join(".")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(plan: CidrPlan) -> ReverseZonePlan {
        match plan {
            CidrPlan::Zone(z) => z,
            CidrPlan::NotAligned(_) => panic!("not aligned"),
        }
    }

    #[test]
    fn octet_aligned_ipv4() {
        for (cidr, name) in [
            ("192.0.2.0/24", "2.0.192.in-addr.arpa"),
            ("10.0.0.0/16", "0.10.in-addr.arpa"),
            ("10.0.0.0/8", "10.in-addr.arpa"),
        ] {
            let z = zone(plan_cidr(cidr).unwrap());
            assert_eq!(z.zone_name.as_str(), name);
            assert_eq!(z.domain_type, DomainType::ReverseIpv4);
            assert!(z.parent_cnames.is_empty());
            assert_eq!(zone_block(&z.zone_name), Some(cidr.parse().unwrap()));
        }
        let z = zone(plan_cidr(" 192.0.2.0/24 ").unwrap());
        assert_eq!(z.start_ip().to_string(), "192.0.2.0");
        assert_eq!(z.end_ip().to_string(), "192.0.2.255");
        assert_eq!(z.ip_count(), 256);
    }

    #[test]
    fn classless_ipv4_lists_parent_cnames() {
        let z = zone(plan_cidr("192.0.2.64/26").unwrap());
        assert_eq!(z.zone_name.as_str(), "64-26.2.0.192.in-addr.arpa");
        assert_eq!(
            z.parent_zone.as_ref().map(ZoneName::as_str),
            Some("2.0.192.in-addr.arpa")
        );
        assert_eq!(z.parent_cnames.len(), 64);
        assert_eq!(
            z.parent_cnames[0],
            ParentCname {
                name: "64.2.0.192.in-addr.arpa.".into(),
                target: "64.64-26.2.0.192.in-addr.arpa.".into()
            }
        );
        assert_eq!(
            zone(plan_cidr("192.0.2.0/25").unwrap()).zone_name.as_str(),
            "0-25.2.0.192.in-addr.arpa"
        );
        let one = zone(plan_cidr("192.0.2.7/32").unwrap());
        assert_eq!(one.zone_name.as_str(), "7-32.2.0.192.in-addr.arpa");
        assert_eq!(one.parent_cnames.len(), 1);
        assert_eq!(
            zone_block(&z.zone_name),
            Some("192.0.2.64/26".parse().unwrap())
        );
    }

    #[test]
    fn unaligned_ipv4_lists_aligned_zones() {
        let CidrPlan::NotAligned(zones) = plan_cidr("10.0.0.0/15").unwrap() else {
            panic!("aligned")
        };
        let names: Vec<&str> = zones.iter().map(|z| z.zone_name.as_str()).collect();
        assert_eq!(names, ["0.10.in-addr.arpa", "1.10.in-addr.arpa"]);
        let CidrPlan::NotAligned(zones) = plan_cidr("192.0.0.0/22").unwrap() else {
            panic!("aligned")
        };
        assert_eq!(zones.len(), 4);
        assert_eq!(zones[3].zone_name.as_str(), "3.0.192.in-addr.arpa");
        let CidrPlan::NotAligned(zones) = plan_cidr("10.0.0.0/9").unwrap() else {
            panic!("aligned")
        };
        assert_eq!(zones.len(), 128);
    }

    #[test]
    fn ipv6_nibbles() {
        let z = zone(plan_cidr("2001:db8:abcd::/48").unwrap());
        assert_eq!(z.zone_name.as_str(), "d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa");
        assert_eq!(z.domain_type, DomainType::ReverseIpv6);
        assert_eq!(zone_block(&z.zone_name), Some(z.cidr));
        assert_eq!(
            zone(plan_cidr("2000::/4").unwrap()).zone_name.as_str(),
            "2.ip6.arpa"
        );
        assert!(plan_cidr("2001:db8::/124").is_ok());
    }

    #[test]
    fn bad_blocks_name_the_problem() {
        for (input, code) in [
            ("192.0.2.1/24", "cidr_host_bits_set"),
            ("192.0.2.0", "invalid_cidr"),
            ("192.0.2.0/33", "invalid_cidr"),
            ("banana", "invalid_cidr"),
            ("", "invalid_cidr"),
            ("10.0.0.0/7", "cidr_unsupported_prefix"),
            ("0.0.0.0/0", "cidr_unsupported_prefix"),
            ("2001:db8::/50", "cidr_unsupported_prefix"),
            ("2001:db8::/128", "cidr_unsupported_prefix"),
            ("::/0", "cidr_unsupported_prefix"),
        ] {
            let e = plan_cidr(input).unwrap_err();
            assert_eq!((e.code(), e.field()), (code, Some("cidr")), "{input}");
        }
    }

    #[test]
    fn ptr_owners_and_back() {
        let v4 = ZoneName::parse("2.0.192.in-addr.arpa").unwrap();
        let ip: IpAddr = "192.0.2.10".parse().unwrap();
        let owner = ptr_owner(&v4, ip).unwrap();
        assert_eq!(owner, "10.2.0.192.in-addr.arpa.");
        assert_eq!(ip_of_owner(&v4, &owner), Some(ip));
        assert_eq!(ptr_owner(&v4, "192.0.3.10".parse().unwrap()), None);
        assert_eq!(ip_of_owner(&v4, "2.0.192.in-addr.arpa."), None);

        let classless = ZoneName::parse("64-26.2.0.192.in-addr.arpa").unwrap();
        let ip: IpAddr = "192.0.2.70".parse().unwrap();
        let owner = ptr_owner(&classless, ip).unwrap();
        assert_eq!(owner, "70.64-26.2.0.192.in-addr.arpa.");
        assert_eq!(ip_of_owner(&classless, &owner), Some(ip));
        assert_eq!(ptr_owner(&classless, "192.0.2.10".parse().unwrap()), None);

        let v6 = ZoneName::parse("8.b.d.0.1.0.0.2.ip6.arpa").unwrap();
        for text in ["2001:db8::1", "2001:0DB8:0000::0001"] {
            let ip = parse_ip(text, "ip").unwrap();
            let owner = ptr_owner(&v6, ip).unwrap();
            assert!(owner.starts_with("1.0.0.0."), "{owner}");
            assert_eq!(ip_of_owner(&v6, &owner), Some(ip));
        }
        assert!(parse_ip("2001:db8::g", "ip").is_err());
    }

    #[test]
    fn candidates_run_most_specific_first() {
        let c = candidate_zone_names("192.0.2.10".parse().unwrap());
        assert_eq!(
            c,
            [
                "2.0.192.in-addr.arpa.",
                "0.192.in-addr.arpa.",
                "192.in-addr.arpa."
            ]
        );
        let c = candidate_zone_names("2001:db8::1".parse().unwrap());
        assert_eq!(c.len(), 31);
        assert!(c[30].ends_with("2.ip6.arpa.") && c[30].len() == "2.ip6.arpa.".len());
    }

    #[test]
    fn forward_names_are_no_block() {
        assert_eq!(zone_block(&ZoneName::parse("example.com").unwrap()), None);
        for odd in [
            "064-26.2.0.192.in-addr.arpa",
            "64-026.2.0.192.in-addr.arpa",
            "64-26.02.0.192.in-addr.arpa",
        ] {
            assert_eq!(zone_block(&ZoneName::parse(odd).unwrap()), None, "{odd}");
        }
        assert_eq!(
            zone_block(&ZoneName::parse("01.2.in-addr.arpa").unwrap()),
            None
        );
    }
}
