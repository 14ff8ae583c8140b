//! Typed configuration from environment variables with the deployment guide's names (seed
//! `operations/deployment`, interface decisions 3, 14, 24, 25), plus an optional `.env`.
//!
//! Loading collects every problem before failing, so an operator fixes a broken environment
//! in one pass: missing required settings are listed together, malformed ones each name their
//! variable. Secrets are wrapped in [`Secret`] and never print.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ipnet::IpNet;

/// A value that must never appear in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

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
    },
}

/// Everything the server reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ENVIRONMENT`.
    pub environment: Environment,
    /// The identity provider and webhook settings.
    pub identity: crate::identity_config::IdentityConfig,
    /// `DATABASE_URL`, normalized to `mysql://…` or `sqlite:…` (may hold a password).
    pub database_url: Secret,
    /// `DATABASE_POOL_SIZE`.
    pub database_pool_size: u32,
    /// `REDIS_URL`: rate limits are counted there when set, in-process otherwise.
    pub redis_url: Option<Secret>,
    /// `RATE_LIMIT_API_KEY_PER_MINUTE`: for keys without their own `rate_limit`.
    pub rate_limit_api_key_per_minute: u32,
    /// `RATE_LIMIT_API_KEY_MAX`: no key's own `rate_limit` may exceed it (default 10× the
    /// per-key default).
    pub rate_limit_api_key_max: u32,
    /// `RATE_LIMIT_USER_PER_MINUTE`: for JWT users.
    pub rate_limit_user_per_minute: u32,
    /// The DNS backend.
    pub backend: BackendConfig,
    /// `BIND_ADDRESS`.
    pub bind_address: SocketAddr,
    /// `EXTERNAL_URL`.
    pub external_url: Option<String>,
    /// `API_KEY_PEPPER`.
    pub api_key_pepper: Secret,
    /// `SESSION_SECRET`.
    pub session_secret: Secret,
    /// `LOG_LEVEL`.
    pub log_level: LogLevel,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `PLATFORM_NAMESERVERS`, absolute with trailing dot.
    pub platform_nameservers: Vec<String>,
    /// `VALIDATION_RESOLVERS`.
    pub validation_resolvers: Vec<SocketAddr>,
    /// `VALIDATION_NAMESERVER_PORT`.
    pub validation_nameserver_port: u16,
    /// `VALIDATION_EXPIRY_HOURS`.
    pub validation_expiry_hours: u32,
    /// `VALIDATION_CHALLENGE_TTL` (seconds).
    pub validation_challenge_ttl: u32,
    /// `VALIDATION_ALLOW_PRIVATE_TARGETS`: ownership checks may query loopback, private and
    /// other non-public nameserver addresses (off: only public ones).
    pub validation_allow_private_targets: bool,
    /// `TTL_MIN`: smallest TTL a record or zone default may have (seconds).
    pub ttl_min: u32,
    /// `TTL_MAX`: largest TTL a record or zone default may have (seconds).
    pub ttl_max: u32,
    /// `METRICS_ENABLED`: `/metrics` is served only when set (off by default).
    pub metrics_enabled: bool,
    /// `METRICS_TOKEN`: when set, `/metrics` wants it as a bearer token.
    pub metrics_token: Option<Secret>,
    /// `MAX_BODY_BYTES`: the largest request body any route accepts unless it has its own.
    pub max_body_bytes: usize,
    /// `DELETED_ZONE_RETENTION_DAYS`.
    pub deleted_zone_retention_days: u32,
    /// `PENDING_ZONE_RETENTION_DAYS`: days a pending zone is kept after its challenge expired.
    pub pending_zone_retention_days: u32,
    /// `DNSSEC_DEFAULT_ALGORITHM` (8, 10, 13, 14 or 15).
    pub dnssec_default_algorithm: u8,
    /// `DNSSEC_KSK_LIFETIME_DAYS`.
    pub dnssec_ksk_lifetime_days: u32,
    /// `DNSSEC_ZSK_LIFETIME_DAYS`.
    pub dnssec_zsk_lifetime_days: u32,
    /// `DNSSEC_ROLLOVER_OVERLAP_DAYS`.
    pub dnssec_rollover_overlap_days: u32,
    /// `VALIDATION_CHECK_INTERVAL_SECONDS`: how often the worker re-checks open challenges.
    pub validation_check_interval_seconds: u32,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `AUTO_MIGRATE`: run migrations at start.
    pub auto_migrate: bool,
    /// `DATA_DIR`: where development mode keeps its database and secrets.
    pub data_dir: PathBuf,
}

/// Why the configuration could not be loaded. Its `Display` is the one start-up message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    /// Required variables that are not set.
    pub missing: Vec<&'static str>,
    /// `(variable, problem)` for malformed values.
    pub invalid: Vec<(&'static str, String)>,
}

impl ConfigError {
    fn render(&self) -> String {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "missing required settings: {}",
                self.missing.join(", ")
            ));
        }
        if self.missing.iter().any(|m| m.starts_with("PDNS_")) {
            parts.push(
                "or set DNS_BACKEND=embedded to run the built-in in-memory DNS server instead \
                 of PowerDNS"
                    .to_owned(),
            );
        }
        for (var, problem) in &self.invalid {
            parts.push(format!("{var}: {problem}"));
        }
        format!("invalid configuration: {}", parts.join("; "))
    }
}

/// Reads and parses variables, remembering every problem.
struct Reader<'a> {
    vars: &'a HashMap<String, String>,
    missing: Vec<&'static str>,
    invalid: Vec<(&'static str, String)>,
}

impl Reader<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn required(&mut self, name: &'static str) -> Option<String> {
        let value = self.get(name);
        if value.is_none() {
            self.missing.push(name);
        }
        value
    }

    fn parse<T>(
        &mut self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        match self.get(name) {
            None => default,
            Some(raw) => parse(&raw).unwrap_or_else(|problem| {
                self.invalid.push((name, problem));
                default
            }),
        }
    }

    fn number<T: FromStr + Copy + fmt::Display + PartialOrd>(
        &mut self,
        name: &'static str,
        default: T,
        min: T,
    ) -> T {
        self.parse(name, default, |raw| match raw.parse::<T>() {
            Ok(v) if v >= min => Ok(v),
            _ => Err(format!("'{raw}' is not a number of at least {min}")),
        })
    }

    fn flag(&mut self, name: &'static str, default: bool) -> bool {
        self.parse(name, default, |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(format!("'{raw}' is not a boolean (true/false)")),
            }
        })
    }
}

fn one_of<T: Copy>(raw: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(raw))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("'{raw}' is not one of {}", names.join(", "))
        })
}

/// `ip` or `ip:port` (IPv6 with a port as `[::1]:53`).
pub fn parse_server(raw: &str, default_port: u16) -> Result<SocketAddr, String> {
    let s = raw.trim();
    s.parse::<SocketAddr>()
        .or_else(|_| {
            s.parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, default_port))
        })
        .map_err(|_| format!("'{s}' is not an IP address or IP:port"))
}

fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Accepts the seed's SQLAlchemy-style URLs and maps them onto what sqlx understands.
pub fn normalize_database_url(raw: &str) -> Result<String, String> {
    let (scheme, rest) = raw.split_once(':').ok_or_else(|| "not a URL".to_owned())?;
    match scheme.to_ascii_lowercase().as_str() {
        "mysql" | "mariadb" | "mysql+asyncmy" | "mysql+aiomysql" | "mysql+pymysql" => {
            Ok(format!("mysql:{rest}"))
        }
        "sqlite" | "sqlite+aiosqlite" => Ok(format!("sqlite:{rest}")),
        other => Err(format!(
            "unsupported database '{other}' (use mysql://, mariadb://, mysql+asyncmy:// or sqlite:)"
        )),
    }
}

impl Config {
    /// Loads from the process environment (after an optional `.env`, which never overrides
    /// variables already set). `dev` forces development mode (`--dev`).
    pub fn from_env(dev: bool) -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is reported by the variables it lacks.
        let _ = dotenvy::dotenv();
        let vars: HashMap<String, String> = std::env::vars().collect();
        Self::from_vars(&vars, dev)
    }

    /// Loads from `vars`. In development, generates missing secrets into the data directory.
    pub fn from_vars(vars: &HashMap<String, String>, dev: bool) -> Result<Self, ConfigError> {
        let mut r = Reader {
            vars,
            missing: Vec::new(),
            invalid: Vec::new(),
        };
        let environment = if dev {
            Environment::Development
        } else {
            r.parse("ENVIRONMENT", Environment::Production, |raw| {
                one_of(
                    raw,
                    &[
                        ("development", Environment::Development),
                        ("staging", Environment::Staging),
                        ("production", Environment::Production),
                    ],
                )
            })
        };
        let devmode = environment == Environment::Development;
        let data_dir = PathBuf::from(r.get("DATA_DIR").unwrap_or_else(|| "./data".to_owned()));

        let database_url = match r.get("DATABASE_URL") {
            Some(raw) => normalize_database_url(&raw).unwrap_or_else(|p| {
                r.invalid.push(("DATABASE_URL", p));
                String::new()
            }),
            None if devmode => format!("sqlite:{}", data_dir.join("scaidns.sqlite3").display()),
            None => {
                r.missing.push("DATABASE_URL");
                String::new()
            }
        };
        let secret = |r: &mut Reader<'_>, name: &'static str, file: &str| -> Secret {
            match r.get(name) {
                Some(v) => Secret::new(v),
                None if devmode => match dev_secret(&data_dir, file) {
                    Ok(s) => s,
                    Err(e) => {
                        r.invalid.push((
                            name,
                            format!("could not create {}: {e}", data_dir.join(file).display()),
                        ));
                        Secret::new("")
                    }
                },
                None => {
                    r.missing.push(name);
                    Secret::new("")
                }
            }
        };
        let api_key_pepper = secret(&mut r, "API_KEY_PEPPER", "api_key_pepper");
        let session_secret = secret(&mut r, "SESSION_SECRET", "session_secret");
        let external_url = if devmode {
            r.get("EXTERNAL_URL")
        } else {
            r.required("EXTERNAL_URL")
        };

        // Outside development the embedded (in-memory) server is never a silent fallback: without
        // DNS_BACKEND=embedded the PowerDNS settings are required.
        let default_backend = if r.get("PDNS_API_URL").is_some() || !devmode {
            "powerdns"
        } else {
            "embedded"
        };
        let backend_name = r.parse("DNS_BACKEND", default_backend, |raw| {
            one_of(raw, &[("powerdns", "powerdns"), ("embedded", "embedded")])
        });
        let backend = if backend_name == "powerdns" {
            let api_url = r.required("PDNS_API_URL").unwrap_or_default();
            let api_key = Secret::new(r.required("PDNS_API_KEY").unwrap_or_default());
            let server_id = r
                .get("PDNS_SERVER_ID")
                .unwrap_or_else(|| "localhost".to_owned());
            let zone_kind = r.parse("PDNS_ZONE_KIND", ZoneKind::Native, |raw| {
                one_of(
                    raw,
                    &[("native", ZoneKind::Native), ("master", ZoneKind::Master)],
                )
            });
            if !(api_url.is_empty()
                || api_url.starts_with("http://")
                || api_url.starts_with("https://"))
            {
                r.invalid.push((
                    "PDNS_API_URL",
                    "must start with http:// or https://".to_owned(),
                ));
            }
            BackendConfig::PowerDns {
                api_url: api_url.trim_end_matches('/').to_owned(),
                api_key,
                server_id,
                zone_kind,
            }
        } else {
            let address = r.parse(
                "EMBEDDED_DNS_ADDRESS",
                SocketAddr::from(([127, 0, 0, 1], 1053)),
                |raw| parse_server(raw, 53),
            );
            BackendConfig::Embedded { address }
        };

        let bind_address = r.parse(
            "BIND_ADDRESS",
            SocketAddr::from(([127, 0, 0, 1], 8000)),
            |raw| {
                raw.parse::<SocketAddr>()
                    .map_err(|_| format!("'{raw}' is not an IP:port"))
            },
        );
        let log_level = r.parse("LOG_LEVEL", LogLevel::Info, |raw| {
            one_of(
                raw,
                &[
                    ("DEBUG", LogLevel::Debug),
                    ("INFO", LogLevel::Info),
                    ("WARNING", LogLevel::Warning),
                    ("WARN", LogLevel::Warning),
                    ("ERROR", LogLevel::Error),
                ],
            )
        });
        let log_format = r.parse("LOG_FORMAT", LogFormat::Text, |raw| {
            one_of(raw, &[("text", LogFormat::Text), ("json", LogFormat::Json)])
        });
        let platform_nameservers = r.parse("PLATFORM_NAMESERVERS", Vec::new(), |raw| {
            list(raw)
                .map(|ns| {
                    let ns = ns.to_ascii_lowercase();
                    if ns.contains('.') && !ns.contains(char::is_whitespace) {
                        Ok(if ns.ends_with('.') {
                            ns
                        } else {
                            format!("{ns}.")
                        })
                    } else {
                        Err(format!("'{ns}' is not a host name"))
                    }
                })
                .collect()
        });
        // No traffic leaves the machine by default outside production (interface decision 25).
        let default_resolvers = if devmode {
            Vec::new()
        } else {
            ["1.1.1.1", "8.8.8.8", "9.9.9.9"]
                .iter()
                .filter_map(|s| parse_server(s, 53).ok())
                .collect()
        };
        let validation_resolvers = r.parse("VALIDATION_RESOLVERS", default_resolvers, |raw| {
            list(raw).map(|s| parse_server(s, 53)).collect()
        });
        let trusted_proxies = r.parse("TRUSTED_PROXIES", Vec::new(), |raw| {
            list(raw)
                .map(|s| {
                    s.parse::<IpNet>()
                        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                        .map_err(|_| format!("'{s}' is not an IP address or CIDR block"))
                })
                .collect()
        });

        let ttl_min = r.number("TTL_MIN", 60_u32, 0);
        let ttl_max = r.number("TTL_MAX", 604_800_u32, 1);
        if ttl_min > ttl_max {
            r.invalid.push((
                "TTL_MAX",
                format!("{ttl_max} is smaller than TTL_MIN ({ttl_min})"),
            ));
        }
        let identity = crate::identity_config::IdentityConfig::from_vars(vars, &mut r.invalid);
        let key_rate = r.number("RATE_LIMIT_API_KEY_PER_MINUTE", 100, 1);
        let config = Config {
            environment,
            identity,
            database_url: Secret::new(database_url),
            database_pool_size: r.number("DATABASE_POOL_SIZE", 20, 1),
            redis_url: r.get("REDIS_URL").map(Secret::new),
            rate_limit_api_key_per_minute: key_rate,
            rate_limit_api_key_max: r.number(
                "RATE_LIMIT_API_KEY_MAX",
                key_rate.saturating_mul(10),
                key_rate,
            ),
            rate_limit_user_per_minute: r.number("RATE_LIMIT_USER_PER_MINUTE", 1000, 1),
            backend,
            bind_address,
            external_url,
            api_key_pepper,
            session_secret,
            log_level,
            log_format,
            platform_nameservers,
            validation_resolvers,
            validation_nameserver_port: r.number("VALIDATION_NAMESERVER_PORT", 53, 1),
            validation_expiry_hours: r.number("VALIDATION_EXPIRY_HOURS", 72, 1),
            validation_challenge_ttl: r.number("VALIDATION_CHALLENGE_TTL", 3600, 1),
            validation_allow_private_targets: r.flag("VALIDATION_ALLOW_PRIVATE_TARGETS", false),
            ttl_min,
            ttl_max,
            metrics_enabled: r.flag("METRICS_ENABLED", false),
            metrics_token: r.get("METRICS_TOKEN").map(Secret::new),
            max_body_bytes: r.number(
                "MAX_BODY_BYTES",
                crate::body_limit::DEFAULT_MAX_BODY_BYTES,
                1024,
            ),
            deleted_zone_retention_days: r.number("DELETED_ZONE_RETENTION_DAYS", 30, 0),
            pending_zone_retention_days: r.number("PENDING_ZONE_RETENTION_DAYS", 7, 0),
            dnssec_default_algorithm: r.parse("DNSSEC_DEFAULT_ALGORITHM", 13, |raw| {
                match raw.parse::<u8>() {
                    Ok(n @ (8 | 10 | 13 | 14 | 15)) => Ok(n),
                    _ => Err(format!("'{raw}' is not one of 8, 10, 13, 14, 15")),
                }
            }),
            dnssec_ksk_lifetime_days: r.number("DNSSEC_KSK_LIFETIME_DAYS", 365, 1),
            dnssec_zsk_lifetime_days: r.number("DNSSEC_ZSK_LIFETIME_DAYS", 30, 1),
            dnssec_rollover_overlap_days: r.number("DNSSEC_ROLLOVER_OVERLAP_DAYS", 7, 1),
            validation_check_interval_seconds: r.number("VALIDATION_CHECK_INTERVAL_SECONDS", 60, 1),
            trusted_proxies,
            auto_migrate: r.flag("AUTO_MIGRATE", true),
            data_dir,
        };
        if r.missing.is_empty() && r.invalid.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError {
                missing: r.missing,
                invalid: r.invalid,
            })
        }
    }

    /// A development configuration rooted at `data_dir` with an in-memory-free SQLite file and
    /// the embedded backend on `dns_address`; used by tests and `serve --dev`.
    pub fn development(data_dir: &Path, database_url: &str, dns_address: SocketAddr) -> Self {
        let mut vars = HashMap::new();
        vars.insert("DATA_DIR".to_owned(), data_dir.display().to_string());
        vars.insert("DATABASE_URL".to_owned(), database_url.to_owned());
        vars.insert("EMBEDDED_DNS_ADDRESS".to_owned(), dns_address.to_string());
        vars.insert("API_KEY_PEPPER".to_owned(), "development-pepper".to_owned());
        vars.insert(
            "SESSION_SECRET".to_owned(),
            "development-session-secret".to_owned(),
        );
        match Self::from_vars(&vars, true) {
            Ok(c) => c,
            // Every value above is valid, so this cannot happen; keep a usable fallback anyway.
            Err(e) => unreachable!("development defaults are valid: {e}"),
        }
    }

    /// Whether this is development mode.
    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }
}

/// Reads `dir/name`, or creates it with 32 random bytes (hex) and mode 0600.
fn dev_secret(dir: &Path, name: &str) -> std::io::Result<Secret> {
    let path = dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(dir)?;
    let value = hex::encode(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&path)?, value.as_bytes())?;
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn production_lists_every_missing_setting_at_once() {
        let err = Config::from_vars(&vars(&[]), false).unwrap_err();
        assert_eq!(
            err.missing,
            vec![
                "DATABASE_URL",
                "API_KEY_PEPPER",
                "SESSION_SECRET",
                "EXTERNAL_URL",
                "PDNS_API_URL",
                "PDNS_API_KEY"
            ]
        );
        let err =
            Config::from_vars(&vars(&[("PDNS_API_URL", "http://x:8081")]), false).unwrap_err();
        assert!(err.missing.contains(&"PDNS_API_KEY"));
    }

    fn production_basics() -> Vec<(&'static str, &'static str)> {
        vec![
            ("ENVIRONMENT", "production"),
            ("DATABASE_URL", "mysql://u:pw@db:3306/scaidns"),
            ("API_KEY_PEPPER", "pepper-value"),
            ("SESSION_SECRET", "session-value"),
            ("EXTERNAL_URL", "https://dns.example"),
        ]
    }

    #[test]
    fn production_never_falls_back_to_the_embedded_backend() {
        for environment in ["production", "staging"] {
            let mut v = production_basics();
            v[0].1 = environment;
            let err = Config::from_vars(&vars(&v), false).unwrap_err();
            assert_eq!(err.missing, vec!["PDNS_API_URL", "PDNS_API_KEY"]);
            let shown = err.to_string();
            for name in ["PDNS_API_URL", "PDNS_API_KEY", "DNS_BACKEND=embedded"] {
                assert!(shown.contains(name), "{shown}");
            }
        }
        let mut v = production_basics();
        v.push(("PDNS_API_URL", "http://pdns:8081"));
        let err = Config::from_vars(&vars(&v), false).unwrap_err();
        assert_eq!(err.missing, vec!["PDNS_API_KEY"]);
        // Other problems are listed with it, in the one message.
        let mut v = production_basics();
        v.remove(1);
        let err = Config::from_vars(&vars(&v), false).unwrap_err();
        assert_eq!(
            err.missing,
            vec!["DATABASE_URL", "PDNS_API_URL", "PDNS_API_KEY"]
        );
        // Chosen explicitly, the embedded server is allowed.
        let mut v = production_basics();
        v.push(("DNS_BACKEND", "embedded"));
        let c = Config::from_vars(&vars(&v), false).unwrap();
        assert!(matches!(c.backend, BackendConfig::Embedded { .. }));
    }

    #[test]
    fn metrics_are_off_by_default_and_the_body_limit_is_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
        assert!(!c.metrics_enabled);
        assert!(c.metrics_token.is_none());
        assert_eq!(c.max_body_bytes, 4 * 1024 * 1024);
        let c = Config::from_vars(
            &vars(&[
                ("DATA_DIR", data),
                ("METRICS_ENABLED", "true"),
                ("METRICS_TOKEN", "scrape-secret"),
                ("MAX_BODY_BYTES", "65536"),
            ]),
            true,
        )
        .unwrap();
        assert!(c.metrics_enabled);
        assert_eq!(c.max_body_bytes, 65_536);
        assert!(!format!("{c:?}").contains("scrape-secret"));
        let err = Config::from_vars(&vars(&[("DATA_DIR", data), ("MAX_BODY_BYTES", "10")]), true)
            .unwrap_err();
        assert_eq!(err.invalid[0].0, "MAX_BODY_BYTES");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        let err = Config::from_vars(
            &vars(&[
                ("ENVIRONMENT", "development"),
                ("DATA_DIR", "/nonexistent/should-not-be-used"),
                ("API_KEY_PEPPER", "p"),
                ("SESSION_SECRET", "s"),
                ("DATABASE_URL", "postgres://x"),
                ("LOG_LEVEL", "loud"),
                ("VALIDATION_RESOLVERS", "1.1.1.1, nope"),
            ]),
            false,
        )
        .unwrap_err();
        let names: Vec<_> = err.invalid.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            vec!["DATABASE_URL", "LOG_LEVEL", "VALIDATION_RESOLVERS"]
        );
        assert!(err.to_string().contains("LOG_LEVEL"));
    }

    #[test]
    fn ttl_bounds_are_configurable_and_ordered() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
        assert_eq!((c.ttl_min, c.ttl_max), (60, 604_800));
        let c = Config::from_vars(
            &vars(&[("DATA_DIR", data), ("TTL_MIN", "30"), ("TTL_MAX", "86400")]),
            true,
        )
        .unwrap();
        assert_eq!((c.ttl_min, c.ttl_max), (30, 86_400));
        let err = Config::from_vars(
            &vars(&[("DATA_DIR", data), ("TTL_MIN", "600"), ("TTL_MAX", "300")]),
            true,
        )
        .unwrap_err();
        assert_eq!(err.invalid[0].0, "TTL_MAX");
    }

    #[test]
    fn production_defaults_and_secret_redaction() {
        let c = Config::from_vars(
            &vars(&[
                ("DATABASE_URL", "mysql+asyncmy://u:pw@db:3306/scaidns"),
                ("API_KEY_PEPPER", "pepper-value"),
                ("SESSION_SECRET", "session-value"),
                ("EXTERNAL_URL", "https://dns.example"),
                ("PDNS_API_URL", "http://pdns:8081/"),
                ("PDNS_API_KEY", "pdns-key"),
                ("VALIDATION_RESOLVERS", "192.0.2.1, 192.0.2.2:5353"),
            ]),
            false,
        )
        .unwrap();
        assert_eq!(c.database_url.expose(), "mysql://u:pw@db:3306/scaidns");
        assert!(
            matches!(&c.backend, BackendConfig::PowerDns { api_url, .. } if api_url == "http://pdns:8081")
        );
        assert_eq!(c.validation_resolvers[1], "192.0.2.2:5353".parse().unwrap());
        let shown = format!("{c:?}");
        for secret in ["pepper-value", "session-value", "pdns-key", "pw@db"] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn development_needs_nothing_and_keeps_its_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let v = vars(&[("DATA_DIR", dir.path().to_str().unwrap())]);
        let a = Config::from_vars(&v, true).unwrap();
        let b = Config::from_vars(&v, true).unwrap();
        assert_eq!(a.api_key_pepper, b.api_key_pepper);
        assert!(a.validation_resolvers.is_empty());
        assert!(matches!(a.backend, BackendConfig::Embedded { .. }));
        assert!(a.database_url.expose().starts_with("sqlite:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("api_key_pepper"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
