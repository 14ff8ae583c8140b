//! The client's address, for rate limits and the audit log. It is the TCP peer;
//! `X-Forwarded-For` is believed only when the peer is one of `TRUSTED_PROXIES`, and then the
//! right-most address not itself a trusted proxy is taken (the left-most entries are whatever
//! the client chose to send).

use std::net::IpAddr;

use poem::Request;

/// The client's address, honouring `X-Forwarded-For` only from trusted proxies.
pub fn client_ip(req: &Request, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| canonical(a.ip()))?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded = req.header("x-forwarded-for").unwrap_or_default();
    let hops: Vec<IpAddr> = forwarded
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .map(canonical)
        .collect();
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !is_trusted(ip))
            .unwrap_or(peer),
    )
}

/// IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}
