//! The value types of single settings: environment, logging, and which DNS backend.

use std::net::SocketAddr;

use super::secret::Secret;

/// Deployment environment (`ENVIRONMENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Nothing required; SQLite and generated secrets under the data directory.
    Development,
    /// Like production.
    Staging,
    /// Every required setting must be given.
    Production,
}

/// Log verbosity (`LOG_LEVEL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Request lifecycle and major actions.
    Info,
    /// Recoverable problems.
    Warning,
    /// Failures only.
    Error,
}

/// Log line format (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable.
    Text,
    /// One JSON object per line.
    Json,
}

/// PowerDNS zone kind (`PDNS_ZONE_KIND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneKind {
    /// Replication through the PowerDNS backend database.
    Native,
    /// AXFR/NOTIFY to secondaries.
    Master,
}

/// Where zones are published (`DNS_BACKEND`).
#[derive(Debug, Clone)]
pub enum BackendConfig {
    /// PowerDNS over its HTTP API.
    PowerDns {
        /// `PDNS_API_URL`, without `/api/v1`.
        api_url: String,
        /// `PDNS_API_KEY`.
        api_key: Secret,
        /// `PDNS_SERVER_ID`.
        server_id: String,
        /// `PDNS_ZONE_KIND`.
        zone_kind: ZoneKind,
    },
    /// The built-in authoritative server.
    Embedded {
        /// `EMBEDDED_DNS_ADDRESS` (UDP and TCP).
        address: SocketAddr,
        /// `EMBEDDED_ALIAS_RESOLVERS`: where ALIAS targets are looked up (none: not expanded).
        alias_resolvers: Vec<SocketAddr>,
    },
}
