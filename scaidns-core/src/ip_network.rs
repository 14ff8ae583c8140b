//! Networks written by people: an API key's IP allow-list and the server's trusted proxies both
//! accept a CIDR block or a bare address, read here one way.

use std::net::IpAddr;

use ipnet::IpNet;

/// `raw` (trimmed) as a network: a CIDR block with its host bits cleared, or a bare address as
/// its own /32 or /128. `None` when it is neither.
pub fn parse(raw: &str) -> Option<IpNet> {
    let s = raw.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .ok()
        .map(|net| net.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_bare_addresses() {
        assert_eq!(parse(" 10.1.2.3/8 "), Some("10.0.0.0/8".parse().unwrap()));
        assert_eq!(parse("192.0.2.7"), Some("192.0.2.7/32".parse().unwrap()));
        assert_eq!(
            parse("2001:db8::1"),
            Some("2001:db8::1/128".parse().unwrap())
        );
        assert_eq!(parse("not-an-address"), None);
        assert_eq!(parse("10.0.0.0/33"), None);
    }
}
