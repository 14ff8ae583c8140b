//! Structured logs on stdout (`LOG_FORMAT=text|json`, `LOG_LEVEL`). `RUST_LOG`, when set (in
//! the environment or `.env`, like every other setting), overrides the level for finer control.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat, LogLevel};

/// Installs the global subscriber; a second call (tests) is a no-op. `filter` is `RUST_LOG`.
pub fn init(level: LogLevel, format: LogFormat, filter: Option<&str>) {
    let level = match level {
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warning => "warn",
        LogLevel::Error => "error",
    };
    let filter = filter
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| {
            EnvFilter::new(format!(
                "{level},sqlx=warn,hickory_server=warn,hickory_proto=warn"
            ))
        });
    // Colours only for a person at a terminal: a file or journald would keep the escapes.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Installs the subscriber `config` asks for, and warns when `DEBUG` is on outside development
/// (the deployment guide: "never in production").
pub fn init_for(config: &Config) {
    init(
        config.log_level,
        config.log_format,
        config.log_filter.as_deref(),
    );
    if let Some(raw) = &config.ignored_debug {
        tracing::warn!(
            value = %raw,
            "DEBUG is not a boolean (true/false); ignored"
        );
    }
    if config.debug && !config.is_development() {
        tracing::warn!(
            environment = ?config.environment,
            "DEBUG is on outside development: logs are verbose; turn it off in production"
        );
    }
}
