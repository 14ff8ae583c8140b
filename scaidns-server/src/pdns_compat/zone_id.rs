//! PowerDNS's zone ids: the name with its trailing dot, every byte outside `[A-Za-z0-9.-]`
//! written `=XX` (upper-case hex), so `0/26.2.0.192.in-addr.arpa.` is
//! `0=2F26.2.0.192.in-addr.arpa.`. Clients build them (octoDNS) or take them from a list.

/// The id of the zone named `fqdn`.
pub fn encode(fqdn: &str) -> String {
    let mut out = String::with_capacity(fqdn.len());
    for b in fqdn.bytes() {
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

/// The zone name an id stands for (`None` when an `=` is not followed by two hex digits or
/// the bytes are not UTF-8). A percent-encoded id arrives decoded by the router.
pub fn decode(id: &str) -> Option<String> {
    let bytes = id.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let hex = id.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_as_powerdns_writes_them() {
        assert_eq!(encode("example.org."), "example.org.");
        assert_eq!(
            encode("0/26.2.0.192.in-addr.arpa."),
            "0=2F26.2.0.192.in-addr.arpa."
        );
        assert_eq!(encode("_tcp.example.org."), "=5Ftcp.example.org.");
        assert_eq!(
            decode("0=2F26.2.0.192.in-addr.arpa.").as_deref(),
            Some("0/26.2.0.192.in-addr.arpa.")
        );
        assert_eq!(decode("bad=2"), None);
        assert_eq!(decode("bad=ZZ.x"), None);
    }
}
