//! Which endpoints a delivery may reach. A subscription URL is chosen by a tenant, so without a
//! check a delivery could aim the platform's requests at its internal network (loopback,
//! RFC 1918, link-local cloud metadata). A URL must be `https` and every address its host
//! resolves to at delivery must be public (`crate::ownership::targets::is_public`, the
//! classification ownership checks use); the caller then connects to the address checked, so
//! a second resolution cannot swap it. `WEBHOOK_ALLOW_INSECURE_TARGETS` lifts both rules for
//! test rigs and private deployments.

use std::net::IpAddr;

use crate::error::{Error, Result};
use crate::ownership::targets::is_public;

/// Longest accepted URL.
pub const MAX_URL_LEN: usize = 2048;

/// A subscription URL taken apart for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL as given.
    pub url: String,
    /// The host to resolve (an IP literal resolves to itself).
    pub host: String,
    /// The port to connect to.
    pub port: u16,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("url", message)
}

/// Parses and checks `raw` as a subscription URL: absolute, `https` (or `http` when insecure
/// targets are allowed), with a host, without credentials, and not an IP literal that is not
/// public (the resolved addresses are checked again at every delivery).
pub fn endpoint(raw: &str, allow_insecure: bool) -> Result<Endpoint> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(invalid(format!("at most {MAX_URL_LEN} characters")));
    }
    let url = url::Url::parse(raw).map_err(|e| invalid(format!("not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure => {}
        _ => return Err(invalid("the URL must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the URL must not carry credentials"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(invalid("the URL has no host")),
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        check_address(ip, allow_insecure)?;
    }
    let port = url
        .port_or_known_default()
        .ok_or_else(|| invalid("the URL has no port"))?;
    Ok(Endpoint {
        url: url.to_string(),
        host,
        port,
    })
}

/// Refuses `ip` unless it is public or insecure targets are allowed. Besides what
/// [`is_public`] withholds, the deprecated IPv4-compatible block `::/96` (`::127.0.0.1`) is
/// refused: some stacks still route it to the embedded IPv4 address.
pub fn check_address(ip: IpAddr, allow_insecure: bool) -> Result<()> {
    let v4_compatible = matches!(ip, IpAddr::V6(v6) if u128::from(v6) >> 32 == 0);
    if allow_insecure || (is_public(ip) && !v4_compatible) {
        Ok(())
    } else {
        Err(invalid(format!(
            "the URL's host resolves to {ip}, which is not a public address"
        )))
    }
}

/// The address to connect to: the first of `resolved` when every one is allowed (one bad
/// address refuses them all, so a host cannot mix a public address with an internal one).
pub fn pick_address(resolved: &[IpAddr], allow_insecure: bool) -> Result<IpAddr> {
    for ip in resolved {
        check_address(*ip, allow_insecure)?;
    }
    resolved
        .first()
        .copied()
        .ok_or_else(|| invalid("the URL's host does not resolve"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_https_endpoints_without_the_flag() {
        assert!(endpoint("https://hooks.example.com/scaidns", false).is_ok());
        for bad in [
            "http://hooks.example.com/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://10.0.0.1/",
            "https://169.254.169.254/latest",
            "https://user:pw@hooks.example.com/",
            "ftp://hooks.example.com/",
            "not a url",
        ] {
            assert!(endpoint(bad, false).is_err(), "{bad}");
        }
        // Other spellings of internal addresses: decimal, octal and hex IPv4 hosts (the URL
        // parser normalises them), IPv4-mapped, -compatible and NAT64 IPv6, the unspecified
        // addresses.
        for bad in [
            "https://2130706433/",
            "https://0177.0.0.1/",
            "https://0x7f.1/",
            "https://0.0.0.0/",
            "https://[::]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:a9fe:a9fe]/",
            "https://[::127.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[2002:7f00:1::]/",
            "https://[fd00::1]/",
            "https://:pw@hooks.example.com/",
        ] {
            assert!(endpoint(bad, false).is_err(), "{bad}");
        }
        // An IDN host is kept in its ASCII form, the one resolved and checked at delivery.
        assert_eq!(
            endpoint("https://bücher.example/h", false).unwrap().host,
            "xn--bcher-kva.example"
        );
        assert!(endpoint("http://127.0.0.1:8080/", true).is_ok());
        let e = endpoint("https://hooks.example.com:8443/x", false).unwrap();
        assert_eq!((e.host.as_str(), e.port), ("hooks.example.com", 8443));
    }

    #[test]
    fn every_resolved_address_must_be_public() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            pick_address(&[ip("93.184.215.14")], false).unwrap(),
            ip("93.184.215.14")
        );
        assert!(pick_address(&[ip("93.184.215.14"), ip("127.0.0.1")], false).is_err());
        assert!(pick_address(&[ip("fe80::1")], false).is_err());
        assert!(pick_address(&[ip("224.0.0.1")], false).is_err());
        // A name that resolves (or rebinds) to an internal address in any of these forms.
        for internal in [
            "0.0.0.0",
            "::",
            "::ffff:10.0.0.1",
            "::10.0.0.1",
            "64:ff9b::7f00:1",
            "100.64.0.1",
        ] {
            assert!(pick_address(&[ip(internal)], false).is_err(), "{internal}");
        }
        assert!(pick_address(&[], true).is_err());
        assert!(pick_address(&[ip("127.0.0.1")], true).is_ok());
    }
}
