//! Which servers an ownership check may ask, and how many. The NS set of a pending zone is
//! whatever its claimant published, so without limits a claim could aim the platform's queries
//! at its internal network (loopback, RFC 1918, cloud metadata at 169.254.169.254) or at many
//! hosts that never answer. A check therefore asks at most [`MAX_NS_HOSTS`] NS hosts and
//! [`MAX_ADDRESSES`] addresses, within [`CHECK_BUDGET`], and only public unicast addresses
//! unless the operator allows private ones (`VALIDATION_ALLOW_PRIVATE_TARGETS`, for test rigs
//! and private deployments).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ipnet::{Ipv4Net, Ipv6Net};

/// NS hosts of a zone that a check resolves (the rest are ignored).
pub const MAX_NS_HOSTS: usize = 8;
/// Authoritative addresses a check asks for the challenge.
pub const MAX_ADDRESSES: usize = 16;
/// Time one check may take, all lookups together.
pub const CHECK_BUDGET: Duration = Duration::from_secs(10);

/// IPv4 ranges never queried by default: "this network", RFC 1918, CGNAT (RFC 6598), loopback,
/// link-local, IETF protocol assignments, the documentation and benchmarking nets, multicast,
/// and the reserved 240/4 (with the broadcast address).
const WITHHELD_V4: &[Ipv4Net] = &[
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 2, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 51, 100, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(203, 0, 113, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// IPv6 ranges never queried by default: unspecified, loopback, local-use NAT64, discard,
/// IETF protocol assignments (Teredo among them), documentation, unique-local, link-local,
/// the deprecated site-local and multicast. Addresses embedding an IPv4 address (mapped,
/// NAT64, 6to4) are judged by that address.
const WITHHELD_V6: &[Ipv6Net] = &[
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128),
    Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128),
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// NAT64's well-known prefix (RFC 6052).
const NAT64: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);
/// 6to4 (RFC 3056).
const SIX_TO_FOUR: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16);

/// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`) or 6to4
/// (`2002::/16`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        Some(v4)
    } else if NAT64.contains(&ip) {
        Some(low32)
    } else if SIX_TO_FOUR.contains(&ip) {
        Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32))
    } else {
        None
    }
}

/// Whether `ip` is a public unicast address, the only kind a check asks by default.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !WITHHELD_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => !WITHHELD_V6.iter().any(|net| net.contains(&v6)),
        },
    }
}

/// The addresses a check asks, from each NS host's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Targets {
    /// At most [`MAX_ADDRESSES`], distinct, taken from the hosts in turn so every host is
    /// represented before any host gets a second address.
    pub addresses: Vec<IpAddr>,
    /// Addresses left out because they are not public (never queried, never shown).
    pub withheld: usize,
}

/// Picks the addresses to ask from `per_host` (each NS host's addresses, in host order).
pub fn select(per_host: &[Vec<IpAddr>], allow_private: bool) -> Targets {
    let mut targets = Targets::default();
    let mut seen = std::collections::HashSet::new();
    let rounds = per_host.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        for ip in per_host.iter().filter_map(|host| host.get(round)) {
            if !seen.insert(*ip) {
                continue;
            }
            if !allow_private && !is_public(*ip) {
                targets.withheld += 1;
            } else if targets.addresses.len() < MAX_ADDRESSES {
                targets.addresses.push(*ip);
            }
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_and_reserved_addresses_are_not_public() {
        for s in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.254",
            "169.254.169.254",
            "192.0.0.8",
            "192.0.2.53",
            "198.51.100.1",
            "203.0.113.9",
            "198.18.0.1",
            "224.0.0.251",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fd00::53",
            "fc00::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::53",
            "3fff::1",
            "2001::1",
            "100::1",
            "64:ff9b:1::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
        ] {
            assert!(!is_public(ip(s)), "{s} must be withheld");
        }
    }

    #[test]
    fn public_addresses_are_asked() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "9.9.9.9",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "193.0.14.129",
            "2001:4860:4860::8888",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(is_public(ip(s)), "{s} is public");
        }
    }

    #[test]
    fn at_most_sixteen_addresses_spread_over_the_hosts() {
        let per_host: Vec<Vec<IpAddr>> = (0..8u8)
            .map(|h| (1..=5u8).map(|a| ip(&format!("8.8.{h}.{a}"))).collect())
            .collect();
        let t = select(&per_host, false);
        assert_eq!(t.addresses.len(), MAX_ADDRESSES);
        assert_eq!(t.withheld, 0);
        // Two rounds over eight hosts: every host is asked at its first two addresses.
        for h in 0..8u8 {
            assert!(t.addresses.contains(&ip(&format!("8.8.{h}.1"))));
            assert!(t.addresses.contains(&ip(&format!("8.8.{h}.2"))));
        }
    }

    #[test]
    fn private_addresses_are_withheld_unless_allowed() {
        let per_host = vec![
            vec![ip("127.0.0.1"), ip("8.8.8.8")],
            vec![ip("10.0.0.1"), ip("8.8.8.8")],
        ];
        let strict = select(&per_host, false);
        assert_eq!(strict.addresses, vec![ip("8.8.8.8")]);
        assert_eq!(strict.withheld, 2);
        let open = select(&per_host, true);
        assert_eq!(
            open.addresses,
            vec![ip("127.0.0.1"), ip("10.0.0.1"), ip("8.8.8.8")]
        );
        assert_eq!(open.withheld, 0);
    }
}
