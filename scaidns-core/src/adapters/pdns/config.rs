//! Connection settings of one PowerDNS server and the kind of zones created there.

use std::time::Duration;

use super::client::PdnsApiKey;

/// How PowerDNS should treat the zones ScaiDNS creates (interface decision 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdnsZoneKind {
    /// Replicated by the database; PowerDNS sends no NOTIFY by itself.
    #[default]
    Native,
    /// PowerDNS sends NOTIFY to secondaries and answers AXFR.
    Master,
}

impl PdnsZoneKind {
    /// The `kind` value of the PowerDNS API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Native => "Native",
            Self::Master => "Master",
        }
    }
}

impl std::str::FromStr for PdnsZoneKind {
    type Err = crate::error::Error;
    fn from_str(s: &str) -> crate::error::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "native" => Ok(Self::Native),
            "master" | "primary" => Ok(Self::Master),
            other => Err(crate::error::Error::invalid(
                "PDNS_ZONE_KIND",
                format!("'{other}' is not one of: native, master"),
            )),
        }
    }
}

/// Connection settings for one PowerDNS server.
#[derive(Debug, Clone)]
pub struct PdnsConfig {
    /// Base URL without `/api/v1` (`http://127.0.0.1:8081`).
    pub api_url: String,
    /// `X-API-Key` value.
    pub api_key: PdnsApiKey,
    /// Server id in API paths (`localhost` unless PowerDNS is behind a multi-server proxy).
    pub server_id: String,
    /// Kind of the zones created.
    pub zone_kind: PdnsZoneKind,
    /// Per-request timeout (connect included).
    pub timeout: Duration,
}

impl PdnsConfig {
    /// Settings with the defaults: server `localhost`, `Native` zones, 10 s timeout.
    pub fn new(api_url: impl Into<String>, api_key: impl Into<PdnsApiKey>) -> Self {
        Self {
            api_url: api_url.into(),
            api_key: api_key.into(),
            server_id: "localhost".to_owned(),
            zone_kind: PdnsZoneKind::Native,
            timeout: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_kind_parses() {
        assert_eq!(
            "native".parse::<PdnsZoneKind>().unwrap(),
            PdnsZoneKind::Native
        );
        assert_eq!(
            "Master".parse::<PdnsZoneKind>().unwrap(),
            PdnsZoneKind::Master
        );
        assert!("slave".parse::<PdnsZoneKind>().is_err());
    }
}
