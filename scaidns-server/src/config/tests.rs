//! Loading the configuration: every problem at once, defaults, redaction.

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
    let err = Config::from_vars(&vars(&[("PDNS_API_URL", "http://x:8081")]), false).unwrap_err();
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
            ("DATABASE_URL", "oracle://x"),
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
fn start_up_values_keep_the_configuration_relations() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    // The default zone TTL (3600) must lie within the bounds.
    let err =
        Config::from_vars(&vars(&[("DATA_DIR", data), ("TTL_MIN", "7200")]), true).unwrap_err();
    assert_eq!(err.invalid[0].0, "TTL_MIN", "{:?}", err.invalid);
    // A ZSK that would not outlive its rollover (7 days overlap plus propagation).
    let err = Config::from_vars(
        &vars(&[("DATA_DIR", data), ("DNSSEC_ZSK_LIFETIME_DAYS", "7")]),
        true,
    )
    .unwrap_err();
    assert_eq!(
        err.invalid[0].0, "DNSSEC_ZSK_LIFETIME_DAYS",
        "{:?}",
        err.invalid
    );
    assert!(
        Config::from_vars(
            &vars(&[("DATA_DIR", data), ("DNSSEC_ZSK_LIFETIME_DAYS", "8")]),
            true
        )
        .is_ok()
    );
}

#[test]
fn configuration_keys_whose_variable_is_set_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
    assert!(c.config_env_keys.is_empty());
    let c = Config::from_vars(
        &vars(&[
            ("DATA_DIR", data),
            ("VALIDATION_CHALLENGE_TTL", "600"),
            ("TTL_MAX", " "),
        ]),
        true,
    )
    .unwrap();
    assert_eq!(c.config_env_keys, ["validation.challenge_ttl"]);
    let service = crate::wiring::service_config(&c);
    assert_eq!(service.validation.challenge_ttl, 600);
    assert_eq!(service.env_keys, ["validation.challenge_ttl"]);
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

#[test]
fn postgres_urls_are_accepted() {
    for raw in [
        "postgres://u:pw@db:5432/scaidns",
        "postgresql://u:pw@db:5432/scaidns",
        "postgresql+asyncpg://u:pw@db:5432/scaidns",
    ] {
        assert_eq!(
            normalize_database_url(raw).unwrap(),
            "postgres://u:pw@db:5432/scaidns"
        );
    }
}

#[test]
fn serve_runs_the_jobs_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
    assert!(c.run_jobs);
    let c = Config::from_vars(&vars(&[("DATA_DIR", data), ("RUN_JOBS", "false")]), true).unwrap();
    assert!(!c.run_jobs);
}

#[test]
fn the_bulk_item_limit_defaults_to_ten_thousand_and_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
    assert_eq!(c.bulk_max_items, 10_000);
    let c =
        Config::from_vars(&vars(&[("DATA_DIR", data), ("BULK_MAX_ITEMS", "50")]), true).unwrap();
    assert_eq!(c.bulk_max_items, 50);
    let err =
        Config::from_vars(&vars(&[("DATA_DIR", data), ("BULK_MAX_ITEMS", "0")]), true).unwrap_err();
    assert_eq!(err.invalid[0].0, "BULK_MAX_ITEMS");
}

#[test]
fn retentions_are_validated_and_huge_ones_saturate() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let c = Config::from_vars(&vars(&[("DATA_DIR", data)]), true).unwrap();
    assert_eq!(c.webhook_retention_days, 30);
    let service = crate::wiring::service_config(&c);
    assert_eq!(service.webhook_retention, chrono::Duration::days(30));
    let err = Config::from_vars(
        &vars(&[("DATA_DIR", data), ("WEBHOOK_RETENTION_DAYS", "0")]),
        true,
    )
    .unwrap_err();
    assert_eq!(err.invalid[0].0, "WEBHOOK_RETENTION_DAYS");
    // The largest values an operator can write start, and their cut-offs keep everything
    // rather than overflowing the worker's date arithmetic.
    let max = u32::MAX.to_string();
    let max = max.as_str();
    let c = Config::from_vars(
        &vars(&[
            ("DATA_DIR", data),
            ("WEBHOOK_RETENTION_DAYS", max),
            ("DELETED_ZONE_RETENTION_DAYS", max),
            ("PENDING_ZONE_RETENTION_DAYS", max),
        ]),
        true,
    )
    .unwrap();
    let now = chrono::Utc::now();
    let service = crate::wiring::service_config(&c);
    let worker = crate::worker::worker_config(&c, "test");
    for age in [
        service.webhook_retention,
        worker.deleted_zone_retention,
        worker.pending_zone_retention,
    ] {
        assert_eq!(
            scaidns_core::service::retention::oldest_kept(now, age),
            scaidns_core::service::retention::EARLIEST_CUT_OFF
        );
    }
}

/// A valid production configuration plus `extra`.
fn production_with(extra: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
    let mut v = production_basics();
    v.push(("DNS_BACKEND", "embedded"));
    v.extend_from_slice(extra);
    Config::from_vars(&vars(&v), false)
}

#[test]
fn cors_origins_as_the_guide_writes_them_or_as_a_list() {
    assert!(production_with(&[]).unwrap().cors_origins.is_empty());
    let c = production_with(&[(
        "CORS_ORIGINS",
        r#"["https://app.example.com", "http://localhost:3000/"]"#,
    )])
    .unwrap();
    assert_eq!(
        c.cors_origins,
        vec!["https://app.example.com", "http://localhost:3000"]
    );
    let c =
        production_with(&[("CORS_ORIGINS", "https://a.example, https://B.example:8443")]).unwrap();
    assert_eq!(
        c.cors_origins,
        vec!["https://a.example", "https://b.example:8443"]
    );
    assert!(
        production_with(&[("CORS_ORIGINS", "[]")])
            .unwrap()
            .cors_origins
            .is_empty()
    );
}

#[test]
fn malformed_cors_origins_stop_start_up_naming_the_variable() {
    for bad in [
        r#"["https://app.example.com""#,
        r#"[1, 2]"#,
        "*",
        r#"["*"]"#,
        "app.example.com",
        "https://app.example.com/path",
        "https://app.example.com?x=1",
        "https://user@app.example.com",
        "https://app.example.com#top",
        "ftp://app.example.com",
    ] {
        let err = production_with(&[("CORS_ORIGINS", bad)]).unwrap_err();
        assert_eq!(err.invalid.len(), 1, "{bad}: {err}");
        assert_eq!(err.invalid[0].0, "CORS_ORIGINS", "{bad}");
        assert!(err.to_string().contains("CORS_ORIGINS"), "{err}");
    }
}

#[test]
fn debug_makes_logs_verbose_unless_the_level_is_given() {
    let c = production_with(&[]).unwrap();
    assert!(!c.debug);
    assert_eq!(c.log_level, LogLevel::Info);
    let c = production_with(&[("DEBUG", "true")]).unwrap();
    assert!(c.debug);
    assert_eq!(c.log_level, LogLevel::Debug);
    let c = production_with(&[("DEBUG", "true"), ("LOG_LEVEL", "WARNING")]).unwrap();
    assert_eq!(c.log_level, LogLevel::Warning);
    assert_eq!(c.ignored_debug, None);
    // Node's convention (`DEBUG=express:*`) may be set on the host: ignored, warned at start.
    let c = production_with(&[("DEBUG", "express:*")]).unwrap();
    assert!(!c.debug);
    assert_eq!(c.log_level, LogLevel::Info);
    assert_eq!(c.ignored_debug.as_deref(), Some("express:*"));
}

#[test]
fn cors_origins_are_stored_as_browsers_send_them() {
    let c = production_with(&[(
        "CORS_ORIGINS",
        "HTTPS://App.Example.com:443, http://[::1]:8080/, https://xn--bcher-kva.example",
    )])
    .unwrap();
    assert_eq!(
        c.cors_origins,
        vec![
            "https://app.example.com",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example"
        ]
    );
}

#[test]
fn redis_connections_and_worker_concurrency() {
    let c = production_with(&[]).unwrap();
    assert_eq!((c.redis_max_connections, c.max_jobs), (20, 10));
    let c = production_with(&[("REDIS_MAX_CONNECTIONS", "4"), ("ARQ_MAX_JOBS", "1")]).unwrap();
    assert_eq!((c.redis_max_connections, c.max_jobs), (4, 1));
    let err =
        production_with(&[("REDIS_MAX_CONNECTIONS", "0"), ("ARQ_MAX_JOBS", "many")]).unwrap_err();
    let named: Vec<_> = err.invalid.iter().map(|(n, _)| *n).collect();
    assert_eq!(named, vec!["REDIS_MAX_CONNECTIONS", "ARQ_MAX_JOBS"]);
    assert_eq!(crate::worker::worker_config(&c, "w").max_jobs, 1);
}

#[test]
fn the_record_cache_bound_is_read_and_a_bad_one_refused_at_start_up() {
    let c = production_with(&[]).unwrap();
    assert_eq!(c.record_cache_max_records, 30_000);
    let c = production_with(&[("RECORD_CACHE_MAX_RECORDS", "0")]).unwrap();
    assert_eq!(c.record_cache_max_records, 0);
    for bad in ["-1", "lots", "1e6"] {
        let err = production_with(&[("RECORD_CACHE_MAX_RECORDS", bad)]).unwrap_err();
        let named: Vec<_> = err.invalid.iter().map(|(n, _)| *n).collect();
        assert_eq!(named, vec!["RECORD_CACHE_MAX_RECORDS"], "{bad}");
    }
}

/// The catalogue's defaults are the readers' defaults: setting a variable to the default the
/// catalogue (and so `.env.example` and the documentation) names changes nothing.
#[test]
fn the_catalogue_defaults_are_the_readers_defaults() {
    // Defaults described in words, not values.
    const DESCRIBED: &[&str] = &[
        "OIDC_ISSUER",
        "OIDC_DISCOVERY_URL",
        "OIDC_AUDIENCE",
        "OIDC_SCOPES",
        "OIDC_CLAIM_ROLES",
        "OIDC_CLAIM_SCOPES",
        "OIDC_TRUST_ADMIN_CLAIMS",
        "RATE_LIMIT_API_KEY_MAX",
    ];
    let unset = format!("{:?}", production_with(&[]).unwrap());
    let mut compared = 0;
    for s in super::SETTINGS {
        // DNS_BACKEND is set by production_with; the CLI's settings are not the server's.
        if [super::REQUIRED, super::UNSET].contains(&s.default)
            || DESCRIBED.contains(&s.name)
            || s.name == "DNS_BACKEND"
            || s.section == "CLI client settings"
        {
            continue;
        }
        if s.name == "PLATFORM_NAMESERVERS" {
            // Unset leaves the list empty here and the core's own default applies.
            let core = scaidns_core::service::ServiceConfig::default().default_nameservers;
            assert_eq!(core.join(","), s.default, "{}", s.name);
            compared += 1;
            continue;
        }
        let value = if s.default == "empty" { "" } else { s.default };
        let mut v = production_basics();
        v.push(("DNS_BACKEND", "embedded"));
        v.push((s.name, value));
        let mut set = Config::from_vars(&vars(&v), false)
            .unwrap_or_else(|e| panic!("{}={value}: {e}", s.name));
        // Which API-settable keys came from the environment is recorded, not a value.
        set.config_env_keys.clear();
        assert_eq!(
            format!("{set:?}"),
            unset,
            "{}={value} is not the default",
            s.name
        );
        compared += 1;
    }
    assert!(compared > 40, "only {compared} defaults compared");
}
