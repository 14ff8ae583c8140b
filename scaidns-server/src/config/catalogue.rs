//! The one list of every setting ScaiDNS reads: name, default and a one-line description.
//! `.env.example` is rendered from it, and tests hold `docs/configuration.md` and the readers
//! in this module to it, so the code, the example file and the documentation cannot drift.

/// One environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The variable.
    pub name: &'static str,
    /// `required`, `—` (unset means off or not used), or the value taken when unset.
    pub default: &'static str,
    /// What it does, in one line.
    pub description: &'static str,
    /// The heading of `docs/configuration.md` it is documented under.
    pub section: &'static str,
}

/// The default of a setting that must be given outside development.
pub const REQUIRED: &str = "required";

/// The default of a setting that is simply unset unless given.
pub const UNSET: &str = "—";

const fn s(
    section: &'static str,
    name: &'static str,
    default: &'static str,
    description: &'static str,
) -> Setting {
    Setting {
        name,
        default,
        description,
        section,
    }
}

const MODES: &str = "Modes";
const DATABASE: &str = "Database";
const BACKEND: &str = "DNS backend";
const HTTP: &str = "HTTP server";
const IDENTITY: &str = "Secrets and identity";
const ZONES: &str = "Records, zones and validation";
const DNSSEC: &str = "DNSSEC";
const REDIS: &str = "Rate limits and Redis";
const LOGGING: &str = "Logging";
const CLI: &str = "CLI client settings";

/// Every setting, in the order of `docs/configuration.md`.
pub const SETTINGS: &[Setting] = &[
    s(
        MODES,
        "ENVIRONMENT",
        "production",
        "development, staging or production; outside development the required settings must be set",
    ),
    s(
        MODES,
        "DEBUG",
        "false",
        "Development aid: logs at DEBUG unless LOG_LEVEL is set; warned about outside development; never sent to clients",
    ),
    s(
        MODES,
        "DATA_DIR",
        super::DEFAULT_DATA_DIR,
        "Development only: where the SQLite database and generated secrets live",
    ),
    s(
        DATABASE,
        "DATABASE_URL",
        REQUIRED,
        "mysql://, mysql+asyncmy://, postgres:// or sqlite: URL of the application database",
    ),
    s(
        DATABASE,
        "DATABASE_POOL_SIZE",
        "20",
        "Connections in the database pool (at least 1)",
    ),
    s(
        DATABASE,
        "AUTO_MIGRATE",
        "true",
        "Run pending migrations at start",
    ),
    s(
        DATABASE,
        "RUN_JOBS",
        "true",
        "Whether scaidns serve also runs the background jobs in-process",
    ),
    s(
        DATABASE,
        "ARQ_MAX_JOBS",
        "10",
        "Background jobs one worker (or serve's in-process copy) runs at once (at least 1)",
    ),
    s(
        BACKEND,
        "DNS_BACKEND",
        "powerdns",
        "powerdns, or embedded for the built-in in-memory server",
    ),
    s(
        BACKEND,
        "PDNS_API_URL",
        UNSET,
        "PowerDNS HTTP API base URL without /api/v1 (required with PowerDNS)",
    ),
    s(
        BACKEND,
        "PDNS_API_KEY",
        UNSET,
        "The PowerDNS api-key (required with PowerDNS)",
    ),
    s(
        BACKEND,
        "PDNS_SERVER_ID",
        "localhost",
        "PowerDNS server id in API paths",
    ),
    s(
        BACKEND,
        "PDNS_ZONE_KIND",
        "native",
        "Kind of zones created in PowerDNS: native or master",
    ),
    s(
        BACKEND,
        "EMBEDDED_DNS_ADDRESS",
        "127.0.0.1:1053",
        "UDP and TCP address of the embedded authoritative server",
    ),
    s(
        BACKEND,
        "EMBEDDED_ALIAS_RESOLVERS",
        "empty",
        "Comma-separated resolvers the embedded backend looks ALIAS targets up through",
    ),
    s(
        BACKEND,
        "PLATFORM_NAMESERVERS",
        "ns1.scaidns.test.,ns2.scaidns.test.",
        "Comma-separated host names of every zone's apex NS RRset until set through the API",
    ),
    s(
        HTTP,
        "BIND_ADDRESS",
        "127.0.0.1:8000",
        "Address the API listens on (ip:port)",
    ),
    s(
        HTTP,
        "EXTERNAL_URL",
        REQUIRED,
        "The public URL of the API, used in links and OAuth redirects",
    ),
    s(
        HTTP,
        "CORS_ORIGINS",
        "[]",
        "Browser origins allowed to call the API: a JSON array or a comma-separated list (empty: no CORS headers)",
    ),
    s(
        HTTP,
        "TRUSTED_PROXIES",
        "empty",
        "Comma-separated IPs or CIDR blocks of reverse proxies whose X-Forwarded-For is believed",
    ),
    s(
        HTTP,
        "METRICS_ENABLED",
        "false",
        "Serve Prometheus metrics at /metrics",
    ),
    s(
        HTTP,
        "METRICS_TOKEN",
        UNSET,
        "Bearer token /metrics asks for when set",
    ),
    s(
        HTTP,
        "MAX_BODY_BYTES",
        "4194304",
        "Largest request body on any route without its own limit (at least 1024)",
    ),
    s(
        HTTP,
        "IDEMPOTENCY_TTL_SECONDS",
        "86400",
        "Seconds the answer of a write sent with an Idempotency-Key is replayed to its repeats",
    ),
    s(
        HTTP,
        "BULK_MAX_ITEMS",
        "10000",
        "Most items one bulk record request or zone import may carry",
    ),
    s(
        HTTP,
        "IMPORT_MAX_BYTES",
        "33554432",
        "Largest body of the zone import routes (at least 1024)",
    ),
    s(
        IDENTITY,
        "API_KEY_PEPPER",
        REQUIRED,
        "Secret mixed into API-key hashes; changing it invalidates every key",
    ),
    s(
        IDENTITY,
        "SESSION_SECRET",
        REQUIRED,
        "Secret for server-side session state",
    ),
    s(
        IDENTITY,
        "SCAIKEY_URL",
        UNSET,
        "ScaiKey base URL; its issuer is used for bearer tokens",
    ),
    s(
        IDENTITY,
        "OIDC_ISSUER",
        "SCAIKEY_URL",
        "Any other OpenID Connect issuer",
    ),
    s(
        IDENTITY,
        "OIDC_DISCOVERY_URL",
        "issuer + /.well-known/openid-configuration",
        "The discovery document, when it lives elsewhere",
    ),
    s(
        IDENTITY,
        "SCAIKEY_CLIENT_ID",
        UNSET,
        "OAuth client id of ScaiDNS at ScaiKey",
    ),
    s(
        IDENTITY,
        "OIDC_CLIENT_ID",
        UNSET,
        "OAuth client id of ScaiDNS at another provider",
    ),
    s(
        IDENTITY,
        "SCAIKEY_CLIENT_SECRET",
        UNSET,
        "OAuth client secret at ScaiKey",
    ),
    s(
        IDENTITY,
        "OIDC_CLIENT_SECRET",
        UNSET,
        "OAuth client secret at another provider",
    ),
    s(
        IDENTITY,
        "OIDC_AUDIENCE",
        "the client id",
        "Audience a token must carry",
    ),
    s(
        IDENTITY,
        "OIDC_SCOPES",
        "provider default",
        "Space-separated scopes requested at login",
    ),
    s(
        IDENTITY,
        "OIDC_CLAIM_TENANT",
        "tenant_id",
        "Claim naming the tenant",
    ),
    s(
        IDENTITY,
        "OIDC_CLAIM_EMAIL",
        "email",
        "Claim with the e-mail address",
    ),
    s(
        IDENTITY,
        "OIDC_CLAIM_ROLES",
        "roles, then role",
        "Claim with role names",
    ),
    s(
        IDENTITY,
        "OIDC_CLAIM_SCOPES",
        "scope, then scp",
        "Claim with scopes",
    ),
    s(
        IDENTITY,
        "OIDC_TRUST_ADMIN_CLAIMS",
        "true when the issuer is SCAIKEY_URL and OIDC_DISCOVERY_URL is unset or under SCAIKEY_URL, else false",
        "Whether a platform_admin role or platform:admin scope claim makes a platform admin",
    ),
    s(
        IDENTITY,
        "SCAIKEY_JWKS_CACHE_TTL",
        "3600",
        "Seconds the signing keys are cached",
    ),
    s(
        IDENTITY,
        "SCAIKEY_TOKEN_CACHE_TTL",
        "60",
        "Seconds a verified token is cached",
    ),
    s(
        IDENTITY,
        "OIDC_JWKS_REFETCH_FLOOR",
        "30",
        "Least seconds between two key refetches for an unknown key id",
    ),
    s(
        IDENTITY,
        "SCAIKEY_APPLICATION_ID",
        UNSET,
        "ScaiKey application id whose users scaidns sync reads",
    ),
    s(
        IDENTITY,
        "SCAIKEY_WEBHOOK_SECRET",
        UNSET,
        "HMAC-SHA256 secret of ScaiKey webhooks (unset: webhooks answer 503)",
    ),
    s(
        ZONES,
        "TTL_MIN",
        "60",
        "Smallest TTL (seconds) of a record or a zone default",
    ),
    s(ZONES, "TTL_MAX", "604800", "Largest TTL (seconds)"),
    s(
        ZONES,
        "VALIDATION_RESOLVERS",
        "1.1.1.1,8.8.8.8,9.9.9.9",
        "Comma-separated recursive resolvers for ownership validation (development: empty)",
    ),
    s(
        ZONES,
        "VALIDATION_NAMESERVER_PORT",
        "53",
        "Port the zone's nameservers are asked on for the challenge TXT",
    ),
    s(
        ZONES,
        "VALIDATION_EXPIRY_HOURS",
        "72",
        "Lifetime of a challenge in hours",
    ),
    s(
        ZONES,
        "VALIDATION_CHALLENGE_TTL",
        "3600",
        "TTL recommended for the challenge TXT record",
    ),
    s(
        ZONES,
        "VALIDATION_CHECK_INTERVAL_SECONDS",
        "60",
        "How often the worker re-checks pending challenges",
    ),
    s(
        ZONES,
        "VALIDATION_ALLOW_PRIVATE_TARGETS",
        "false",
        "Whether ownership checks may query non-public nameserver addresses",
    ),
    s(
        ZONES,
        "VALIDATION_BY_DELEGATION",
        "false",
        "Whether a zone may be proven by its parent's delegation to the platform nameservers",
    ),
    s(
        ZONES,
        "SECONDARY_ALLOW_PRIVATE_PRIMARIES",
        "false",
        "Whether secondary zones may transfer from non-public primary addresses",
    ),
    s(
        ZONES,
        "WEBHOOK_ALLOW_INSECURE_TARGETS",
        "false",
        "Whether webhook subscriptions may use http and reach non-public addresses",
    ),
    s(
        ZONES,
        "WEBHOOK_TIMEOUT_SECONDS",
        "10",
        "Time one webhook delivery may take: connecting, sending and reading the answer",
    ),
    s(
        ZONES,
        "WEBHOOK_RETENTION_DAYS",
        "30",
        "Days delivered or given-up webhook events and their delivery log are kept",
    ),
    s(
        ZONES,
        "DELETED_ZONE_RETENTION_DAYS",
        "30",
        "Days soft-deleted zones are kept before they are purged",
    ),
    s(
        ZONES,
        "PENDING_ZONE_RETENTION_DAYS",
        "7",
        "Days a zone pending validation is kept after its challenge expired",
    ),
    s(
        ZONES,
        "ZONE_HISTORY_RETENTION_DAYS",
        "90",
        "Days a zone's history (each change's RRsets before and after) is kept for diff and restore",
    ),
    s(
        ZONES,
        "ZONE_HISTORY_MAX_ENTRIES",
        "1000",
        "History entries kept per zone, newest first",
    ),
    s(
        DNSSEC,
        "DNSSEC_DEFAULT_ALGORITHM",
        "13",
        "Algorithm number for new keys: 8, 10, 13, 14 or 15",
    ),
    s(
        DNSSEC,
        "DNSSEC_KSK_LIFETIME_DAYS",
        "365",
        "Age at which a KSK rollover starts",
    ),
    s(
        DNSSEC,
        "DNSSEC_ZSK_LIFETIME_DAYS",
        "30",
        "Age at which a ZSK rollover starts",
    ),
    s(
        DNSSEC,
        "DNSSEC_ROLLOVER_OVERLAP_DAYS",
        "7",
        "How long old and new keys are published together",
    ),
    s(
        REDIS,
        "REDIS_URL",
        UNSET,
        "Redis for shared rate-limit counters and change notices (unset: in-process)",
    ),
    s(
        REDIS,
        "REDIS_MAX_CONNECTIONS",
        "20",
        "Most connections one process opens to Redis for rate-limit counting (at least 1)",
    ),
    s(
        REDIS,
        "AUTH_CACHE_MAX_STALENESS",
        "1s",
        "How long a replica reuses an authenticated API key without reading the store",
    ),
    s(
        REDIS,
        "CONFIG_MAX_STALENESS",
        "1s",
        "How long a replica uses its snapshot of the settings changed through the API",
    ),
    s(
        REDIS,
        "ZONE_CACHE_MAX_STALENESS",
        "1s",
        "How long a replica lists a zone's records from its cache",
    ),
    s(
        REDIS,
        "RECORD_CACHE_MAX_RECORDS",
        "30000",
        "Most records the record cache holds, all zones together (0: no cache)",
    ),
    s(
        REDIS,
        "RATE_LIMIT_API_KEY_PER_MINUTE",
        "100",
        "Requests per minute for an API key without its own rate_limit",
    ),
    s(
        REDIS,
        "RATE_LIMIT_API_KEY_MAX",
        "10 × RATE_LIMIT_API_KEY_PER_MINUTE",
        "The highest rate_limit any key may have",
    ),
    s(
        REDIS,
        "RATE_LIMIT_USER_PER_MINUTE",
        "1000",
        "Requests per minute for a bearer-token user",
    ),
    s(
        LOGGING,
        "LOG_LEVEL",
        "INFO",
        "DEBUG, INFO, WARNING or ERROR",
    ),
    s(
        LOGGING,
        "LOG_FORMAT",
        "text",
        "text, or json for one JSON object per line",
    ),
    s(
        LOGGING,
        "RUST_LOG",
        UNSET,
        "A finer tracing filter that replaces LOG_LEVEL",
    ),
    s(
        CLI,
        "SCAIDNS_URL",
        "http://127.0.0.1:8000",
        "Server root for client commands (--url)",
    ),
    s(
        CLI,
        "SCAIDNS_API_KEY",
        UNSET,
        "API key for client commands (--api-key)",
    ),
    s(
        CLI,
        "SCAIDNS_PROFILE",
        UNSET,
        "Profile of the CLI config file for client commands (--profile); default its default_profile, else default",
    ),
    s(
        CLI,
        "SCAIDNS_CONFIG",
        "~/.config/scaidns/config.toml",
        "Path of the CLI config file (profiles with url and api_key; scaidns login writes it); XDG_CONFIG_HOME is respected",
    ),
];

/// The setting called `name`.
pub fn setting(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// The text of `.env.example`: every setting under its section, with its description and
/// default. Required settings are left empty and uncommented (a copy fails at start until they
/// are filled in); the others are commented out at their default.
pub fn env_example() -> String {
    let mut out = String::from(
        "# ScaiDNS settings: copy to .env (or set them in the environment; the environment wins).\n\
         # Generated from scaidns-server/src/config/catalogue.rs; see docs/configuration.md.\n",
    );
    let mut section = "";
    for setting in SETTINGS {
        if setting.section != section {
            section = setting.section;
            out.push_str(&format!("\n# --- {section} ---\n"));
        }
        out.push_str(&format!(
            "# {}. Default: {}\n",
            setting.description, setting.default
        ));
        // Defaults that are prose or name another setting have no value to write.
        let literal = !setting.default.contains(' ')
            && setting.default != UNSET
            && setting.default != "empty"
            && self::setting(setting.default).is_none();
        match setting.default {
            REQUIRED => out.push_str(&format!("{}=\n", setting.name)),
            default if literal => out.push_str(&format!("#{}={default}\n", setting.name)),
            _ => out.push_str(&format!("#{}=\n", setting.name)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

    /// The code that reads settings: the configuration readers and the CLI's flags.
    const READERS: &[&str] = &[
        include_str!("mod.rs"),
        include_str!("sections.rs"),
        include_str!("identity.rs"),
        include_str!("../../../scaidns-cli/src/cli.rs"),
        include_str!("../../../scaidns-cli/src/commands/identity.rs"),
    ];

    fn is_variable(s: &str) -> bool {
        let mut parts = s.split('_');
        s.contains('_')
            && parts.all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            })
    }

    /// `"NAME"` literals in `text` that look like variable names.
    fn quoted_names(text: &str) -> BTreeSet<&str> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| is_variable(s))
            .collect()
    }

    #[test]
    fn names_are_unique_and_described() {
        let mut seen = BTreeSet::new();
        for s in SETTINGS {
            assert!(seen.insert(s.name), "{} listed twice", s.name);
            assert!(!s.description.is_empty() && !s.description.contains('\n'));
        }
    }

    /// Every variable the code reads is in the catalogue, and every catalogued one is read.
    #[test]
    fn the_code_reads_exactly_the_catalogue() {
        let read: BTreeSet<&str> = READERS.iter().flat_map(|t| quoted_names(t)).collect();
        let listed: BTreeSet<&str> = SETTINGS.iter().map(|s| s.name).collect();
        let unlisted: Vec<_> = read.difference(&listed).collect();
        assert!(
            unlisted.is_empty(),
            "read but not in the catalogue: {unlisted:?}"
        );
        // DEBUG and ENVIRONMENT have no underscore: look for them as literals directly.
        let unread: Vec<_> = listed
            .iter()
            .filter(|name| !READERS.iter().any(|t| t.contains(&format!("\"{name}\""))))
            .collect();
        assert!(unread.is_empty(), "catalogued but never read: {unread:?}");
    }

    /// `.env.example` is the catalogue's rendering (`EXPECTORATE=overwrite` rewrites it).
    #[test]
    fn env_example_is_current() {
        let path = format!("{ROOT}/.env.example");
        let expected = env_example();
        if std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite") {
            std::fs::write(&path, &expected).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            ".env.example is out of date; regenerate with EXPECTORATE=overwrite cargo test -p scaidns-server --lib catalogue"
        );
        // And it parses as a .env: every line a comment, blank, or NAME=.
        let vars = super::super::env_file::read(std::path::Path::new(&path)).unwrap();
        let required: BTreeSet<&str> = SETTINGS
            .iter()
            .filter(|s| s.default == REQUIRED)
            .map(|s| s.name)
            .collect();
        let set: BTreeSet<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(set, required);
    }

    /// `docs/configuration.md` documents each setting once, under its section, with its
    /// default, and documents nothing the catalogue does not have.
    #[test]
    fn the_documentation_matches_the_catalogue() {
        let docs = std::fs::read_to_string(format!("{ROOT}/docs/configuration.md")).unwrap();
        let mut section = "";
        let mut documented: Vec<(String, &str, String)> = Vec::new();
        for line in docs.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                section = heading.trim();
                continue;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 4 || !cells[1].starts_with('`') {
                continue;
            }
            let names = cells[1].split('`').skip(1).step_by(2).filter(|n| {
                n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
            for name in names {
                documented.push((name.to_owned(), section, cells[2].replace('`', "")));
            }
        }
        for s in SETTINGS {
            let rows: Vec<_> = documented.iter().filter(|(n, ..)| *n == s.name).collect();
            assert_eq!(rows.len(), 1, "{} documented {} times", s.name, rows.len());
            let (_, section, default) = rows[0];
            assert_eq!(*section, s.section, "{} under the wrong heading", s.name);
            // The cell is the default itself, optionally followed by a remark in parentheses or
            // after a semicolon: `4194304` (4 MiB), required (dev: none), `powerdns`; in …
            let value = default.split([';', '(']).next().unwrap_or_default().trim();
            assert_eq!(
                value, s.default,
                "{}: the documented default '{default}' is not the catalogue's",
                s.name
            );
        }
        for (name, ..) in &documented {
            assert!(
                setting(name).is_some(),
                "{name} documented but not in the catalogue"
            );
        }
    }
}
