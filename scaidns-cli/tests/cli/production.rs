//! `scaidns` as a production process with nothing but the settings a test gives it: shared by
//! the operator tests and the scale-out cluster, so both start the binary the same way.

use std::path::Path;

use tokio::process::Command;

/// `scaidns args…` in production mode in `dir` (no `.env` is read from elsewhere) with a
/// cleared environment: the database at `database_url`, the PowerDNS API at `pdns_api_url`
/// with `pdns_key`, fixed secrets and JSON logs. Callers add what their topology needs.
pub fn production_command(
    dir: &Path,
    database_url: &str,
    pdns_api_url: &str,
    pdns_key: &str,
    args: &[&str],
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scaidns"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("ENVIRONMENT", "production")
        .env("DATABASE_URL", database_url)
        .env("PDNS_API_URL", pdns_api_url)
        .env("PDNS_API_KEY", pdns_key)
        .env("API_KEY_PEPPER", "production-test-pepper-0123456789abcdef")
        .env("SESSION_SECRET", "production-test-session-0123456789abcdef")
        .env("EXTERNAL_URL", "https://dns.example.test")
        .env("LOG_FORMAT", "json");
    command
}
