//! The system-managed SOA and apex NS of a zone (interface decision 5).
//!
//! MNAME is the first platform nameserver, RNAME `hostmaster.<zone>.`, timers
//! `3600 600 604800 600`. The serial in the store is a placeholder: the backend owns it
//! (PowerDNS through SOA-EDIT-API, the embedded backend with its own counter).

use crate::name::ZoneName;

/// SOA timers (RFC 1035 §3.3.13), seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SoaTimers {
    /// Refresh.
    pub refresh: u32,
    /// Retry.
    pub retry: u32,
    /// Expire.
    pub expire: u32,
    /// Negative-caching TTL (RFC 2308).
    pub minimum: u32,
}

impl Default for SoaTimers {
    fn default() -> Self {
        Self {
            refresh: 3600,
            retry: 600,
            expire: 604_800,
            minimum: 600,
        }
    }
}

/// Canonical SOA content for `zone` with `serial`.
pub fn soa_content(zone: &ZoneName, primary_ns: &str, serial: u32, timers: SoaTimers) -> String {
    let mname = if primary_ns.ends_with('.') {
        primary_ns.to_owned()
    } else {
        format!("{primary_ns}.")
    };
    format!(
        "{} hostmaster.{} {} {} {} {} {}",
        mname.to_ascii_lowercase(),
        zone.fqdn(),
        serial,
        timers.refresh,
        timers.retry,
        timers.expire,
        timers.minimum
    )
}

/// Replaces the serial (third field) of canonical SOA content, so two SOAs can be compared
/// without the backend-owned serial.
pub fn with_serial(content: &str, serial: u32) -> String {
    let mut fields: Vec<&str> = content.split_whitespace().collect();
    let serial = serial.to_string();
    if fields.len() == 7 {
        fields[2] = &serial;
    }
    fields.join(" ")
}

/// The serial of canonical SOA content, if well formed.
pub fn serial_of(content: &str) -> Option<u32> {
    content.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_rewrites_soa() {
        let zone = ZoneName::parse("example.com").unwrap();
        let soa = soa_content(&zone, "NS1.Example.net", 0, SoaTimers::default());
        assert_eq!(
            soa,
            "ns1.example.net. hostmaster.example.com. 0 3600 600 604800 600"
        );
        assert_eq!(serial_of(&with_serial(&soa, 2026)), Some(2026));
    }
}
