//! Typed configuration from environment variables with the deployment guide's names (seed
//! `operations/deployment`, interface decisions 3, 14, 24, 25), plus an optional `.env`.
//!
//! Loading collects every problem before failing, so an operator fixes a broken environment
//! in one pass: missing required settings are listed together, malformed ones each name their
//! variable. Secrets are wrapped in [`Secret`] and never print.

//!
//! The value types live in `values`, the readers of each group of settings in `sections`,
//! identity-provider settings in `identity`.

mod catalogue;
mod env_file;
mod identity;
mod reader;
mod secret;
mod sections;
#[cfg(test)]
mod tests;
mod values;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;

pub use catalogue::{REQUIRED, SETTINGS, Setting, UNSET, env_example, setting};
pub use identity::{IdentityConfig, OidcSettings};
use reader::Reader;
pub use reader::{normalize_database_url, parse_server};
pub use secret::Secret;
pub use sections::origin;
pub use values::{BackendConfig, Environment, LogFormat, LogLevel, ZoneKind};

/// Largest request body accepted unless `MAX_BODY_BYTES` says otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Items (creates, updates and deletes together) one bulk request may carry unless
/// `BULK_MAX_ITEMS` says otherwise.
pub const DEFAULT_BULK_MAX_ITEMS: usize = 10_000;

/// Largest zone import body unless `IMPORT_MAX_BYTES` says otherwise.
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Everything the server reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ENVIRONMENT`.
    pub environment: Environment,
    /// The identity provider and webhook settings.
    pub identity: IdentityConfig,
    /// `DATABASE_URL`, normalized to `mysql://…` or `sqlite:…` (may hold a password).
    pub database_url: Secret,
    /// `DATABASE_POOL_SIZE`.
    pub database_pool_size: u32,
    /// `REDIS_URL`: rate limits are counted there when set, in-process otherwise.
    pub redis_url: Option<Secret>,
    /// `REDIS_MAX_CONNECTIONS`: most connections the rate-limit counters open to Redis.
    pub redis_max_connections: usize,
    /// `AUTH_CACHE_MAX_STALENESS`: how long an authenticated key may be reused on one replica
    /// after a change made on another (zero: no cache).
    pub auth_cache_max_staleness: std::time::Duration,
    /// `ZONE_CACHE_MAX_STALENESS`: how long a zone's row may be reused for the record list on
    /// one replica after a change made on another (zero: no cache).
    pub zone_cache_max_staleness: std::time::Duration,
    /// `RECORD_CACHE_MAX_RECORDS`: most records the record cache holds, all zones together
    /// (zero: no cache); about 2 KB of memory each at most.
    pub record_cache_max_records: usize,
    /// `RATE_LIMIT_API_KEY_PER_MINUTE`: for keys without their own `rate_limit`.
    pub rate_limit_api_key_per_minute: u32,
    /// `RATE_LIMIT_API_KEY_MAX`: no key's own `rate_limit` may exceed it (default 10× the
    /// per-key default).
    pub rate_limit_api_key_max: u32,
    /// `RATE_LIMIT_USER_PER_MINUTE`: for JWT users.
    pub rate_limit_user_per_minute: u32,
    /// `CONFIG_MAX_STALENESS`: how long a replica reuses its platform-configuration snapshot.
    pub config_max_staleness: std::time::Duration,
    /// The platform configuration keys whose variable is set (their source is `env`).
    pub config_env_keys: Vec<&'static str>,
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
    /// `RUST_LOG`: a finer filter than `LOG_LEVEL` (from the environment or `.env`).
    pub log_filter: Option<String>,
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
    /// `VALIDATION_BY_DELEGATION`.
    pub validation_by_delegation: bool,
    /// `SECONDARY_ALLOW_PRIVATE_PRIMARIES`: secondary zones may transfer from loopback,
    /// private and other non-public primaries (off: only public ones).
    pub secondary_allow_private_primaries: bool,
    /// `WEBHOOK_ALLOW_INSECURE_TARGETS`: webhook subscriptions may use `http` and reach
    /// loopback, private and other non-public addresses (off: `https` to public ones only).
    pub webhook_allow_insecure_targets: bool,
    /// `WEBHOOK_TIMEOUT_SECONDS`: time one webhook delivery may take.
    pub webhook_timeout: std::time::Duration,
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
    /// `IMPORT_MAX_BYTES`: the largest body of the zone import routes.
    pub import_max_bytes: usize,
    /// `BULK_MAX_ITEMS`: the most records one bulk change or one import may carry (more: 413).
    pub bulk_max_items: usize,
    /// `IDEMPOTENCY_TTL_SECONDS`: how long the answer of a write sent with an `Idempotency-Key`
    /// is replayed to its repeats.
    pub idempotency_ttl_seconds: u32,
    /// `DELETED_ZONE_RETENTION_DAYS`.
    pub deleted_zone_retention_days: u32,
    /// `PENDING_ZONE_RETENTION_DAYS`: days a pending zone is kept after its challenge expired.
    pub pending_zone_retention_days: u32,
    /// `ZONE_HISTORY_RETENTION_DAYS`: days a zone's history entries are kept.
    pub zone_history_retention_days: u32,
    /// `ZONE_HISTORY_MAX_ENTRIES`: history entries kept per zone, newest first.
    pub zone_history_max_entries: u32,
    /// `WEBHOOK_RETENTION_DAYS`: days settled webhook events and their deliveries are kept.
    pub webhook_retention_days: u32,
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
    /// `RUN_JOBS`: whether `serve` also runs the background jobs (off with dedicated workers).
    pub run_jobs: bool,
    /// `ARQ_MAX_JOBS`: how many background jobs one worker runs at once.
    pub max_jobs: usize,
    /// `CORS_ORIGINS`: the browser origins allowed to call the API (empty: no CORS).
    pub cors_origins: Vec<String>,
    /// `DEBUG`: a development aid (DEBUG logs unless `LOG_LEVEL` says otherwise).
    pub debug: bool,
    /// A `DEBUG` value that is not a boolean (other programs' conventions, `express:*`): left
    /// alone, warned about at start.
    pub ignored_debug: Option<String>,
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
    /// A `.env` that could not be read: the file, line and variable.
    pub env_file: Option<String>,
}

impl ConfigError {
    fn render(&self) -> String {
        if let Some(problem) = &self.env_file {
            return format!("invalid configuration: {problem}");
        }
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

/// `DATA_DIR` when it is not set.
pub const DEFAULT_DATA_DIR: &str = "./data";

impl Config {
    /// Loads from the process environment (after an optional `.env`, which never overrides
    /// variables already set). `dev` forces development mode (`--dev`).
    pub fn from_env(dev: bool) -> Result<Self, ConfigError> {
        Self::from_vars(&Self::variables(&env_file::default_path())?, dev)
    }

    /// The process environment with the variables of the `.env` at `env_file` that it does not
    /// set. A missing file is normal; a malformed one stops everything (env_file).
    pub fn variables(env_file: &Path) -> Result<HashMap<String, String>, ConfigError> {
        let file = env_file::read(env_file).map_err(|problem| ConfigError {
            missing: Vec::new(),
            invalid: Vec::new(),
            env_file: Some(problem),
        })?;
        let mut vars: HashMap<String, String> = std::env::vars().collect();
        env_file::merge(&mut vars, file);
        Ok(vars)
    }

    /// The value of one setting as the commands see it: the environment, else the `.env` at
    /// `env_file` (for commands that need a few settings, not a whole server configuration).
    pub fn lookup(env_file: &Path, name: &str) -> Result<Option<String>, ConfigError> {
        let vars = Self::variables(env_file)?;
        let reader = Reader {
            vars: &vars,
            missing: Vec::new(),
            invalid: Vec::new(),
        };
        Ok(reader.get(name))
    }

    /// Loads from `vars`. In development, generates missing secrets into the data directory.
    pub fn from_vars(vars: &HashMap<String, String>, dev: bool) -> Result<Self, ConfigError> {
        let mut r = Reader {
            vars,
            missing: Vec::new(),
            invalid: Vec::new(),
        };
        let environment = sections::environment(&mut r, dev);
        let devmode = environment == Environment::Development;
        let data_dir = PathBuf::from(
            r.get("DATA_DIR")
                .unwrap_or_else(|| DEFAULT_DATA_DIR.to_owned()),
        );
        let database_url = sections::database_url(&mut r, devmode, &data_dir);
        let api_key_pepper = sections::secret(
            &mut r,
            devmode,
            &data_dir,
            "API_KEY_PEPPER",
            "api_key_pepper",
        );
        let session_secret = sections::secret(
            &mut r,
            devmode,
            &data_dir,
            "SESSION_SECRET",
            "session_secret",
        );
        let external_url = if devmode {
            r.get("EXTERNAL_URL")
        } else {
            r.required("EXTERNAL_URL")
        };
        let backend = sections::backend(&mut r, devmode);
        let bind_address = sections::bind_address(&mut r);
        let (debug, ignored_debug) = sections::debug(&r);
        let (log_level, log_format) = sections::logging(&mut r, debug);
        let log_filter = r.get("RUST_LOG");
        let platform_nameservers = sections::platform_nameservers(&mut r);
        let validation_resolvers = sections::validation_resolvers(&mut r, devmode);
        let trusted_proxies = sections::trusted_proxies(&mut r);
        let (ttl_min, ttl_max) = sections::ttl_bounds(&mut r);
        let identity = IdentityConfig::from_vars(vars, &mut r.invalid);
        let key_rate = r.number("RATE_LIMIT_API_KEY_PER_MINUTE", 100, 1);
        let config_env_keys = scaidns_core::service::platform_config::CATALOGUE
            .iter()
            .filter(|k| k.env.is_some_and(|var| r.get(var).is_some()))
            .map(|k| k.key)
            .collect();
        let config = Config {
            config_env_keys,
            environment,
            identity,
            database_url: Secret::new(database_url),
            database_pool_size: r.number("DATABASE_POOL_SIZE", 20, 1),
            redis_url: r.get("REDIS_URL").map(Secret::new),
            redis_max_connections: r.number("REDIS_MAX_CONNECTIONS", 20, 1),
            auth_cache_max_staleness: r.parse(
                "AUTH_CACHE_MAX_STALENESS",
                std::time::Duration::from_secs(1),
                reader::duration,
            ),
            config_max_staleness: r.parse(
                "CONFIG_MAX_STALENESS",
                std::time::Duration::from_secs(1),
                reader::duration,
            ),
            zone_cache_max_staleness: r.parse(
                "ZONE_CACHE_MAX_STALENESS",
                std::time::Duration::from_secs(1),
                reader::duration,
            ),
            record_cache_max_records: r.number(
                "RECORD_CACHE_MAX_RECORDS",
                scaidns_core::service::DEFAULT_RECORD_CACHE_RECORDS,
                0,
            ),
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
            log_filter,
            platform_nameservers,
            validation_resolvers,
            validation_nameserver_port: r.number("VALIDATION_NAMESERVER_PORT", 53, 1),
            validation_expiry_hours: r.number("VALIDATION_EXPIRY_HOURS", 72, 1),
            validation_challenge_ttl: r.number("VALIDATION_CHALLENGE_TTL", 3600, 1),
            validation_allow_private_targets: r.flag("VALIDATION_ALLOW_PRIVATE_TARGETS", false),
            validation_by_delegation: r.flag("VALIDATION_BY_DELEGATION", false),
            secondary_allow_private_primaries: r.flag("SECONDARY_ALLOW_PRIVATE_PRIMARIES", false),
            webhook_allow_insecure_targets: r.flag("WEBHOOK_ALLOW_INSECURE_TARGETS", false),
            webhook_timeout: std::time::Duration::from_secs(u64::from(r.number(
                "WEBHOOK_TIMEOUT_SECONDS",
                10_u32,
                1,
            ))),
            ttl_min,
            ttl_max,
            metrics_enabled: r.flag("METRICS_ENABLED", false),
            metrics_token: r.get("METRICS_TOKEN").map(Secret::new),
            max_body_bytes: r.number("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024),
            import_max_bytes: r.number("IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES, 1024),
            bulk_max_items: r.number("BULK_MAX_ITEMS", DEFAULT_BULK_MAX_ITEMS, 1),
            idempotency_ttl_seconds: r.number("IDEMPOTENCY_TTL_SECONDS", 86_400, 60),
            deleted_zone_retention_days: r.number("DELETED_ZONE_RETENTION_DAYS", 30, 0),
            pending_zone_retention_days: r.number("PENDING_ZONE_RETENTION_DAYS", 7, 0),
            zone_history_retention_days: r.number("ZONE_HISTORY_RETENTION_DAYS", 90, 1),
            zone_history_max_entries: r.number("ZONE_HISTORY_MAX_ENTRIES", 1000, 1),
            webhook_retention_days: r.number("WEBHOOK_RETENTION_DAYS", 30, 1),
            dnssec_default_algorithm: sections::dnssec_algorithm(&mut r),
            dnssec_ksk_lifetime_days: r.number("DNSSEC_KSK_LIFETIME_DAYS", 365, 1),
            dnssec_zsk_lifetime_days: r.number("DNSSEC_ZSK_LIFETIME_DAYS", 30, 1),
            dnssec_rollover_overlap_days: r.number("DNSSEC_ROLLOVER_OVERLAP_DAYS", 7, 1),
            validation_check_interval_seconds: r.number("VALIDATION_CHECK_INTERVAL_SECONDS", 60, 1),
            trusted_proxies,
            auto_migrate: r.flag("AUTO_MIGRATE", true),
            run_jobs: r.flag("RUN_JOBS", true),
            max_jobs: r.number("ARQ_MAX_JOBS", 10, 1),
            cors_origins: sections::cors_origins(&mut r),
            debug,
            ignored_debug,
            data_dir,
        };
        if r.invalid.is_empty() {
            // The relations the platform configuration keeps (TTL bounds around the default
            // zone TTL, key lifetimes beyond the rollover), judged on the starting values.
            let service = crate::wiring::service_config(&config);
            r.invalid
                .extend(scaidns_core::service::platform_config::broken_relations(
                    &service,
                ));
        }
        if r.missing.is_empty() && r.invalid.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError {
                missing: r.missing,
                invalid: r.invalid,
                env_file: None,
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
