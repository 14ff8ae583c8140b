//! The command line, as clap definitions only; `commands/` does the work.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// ScaiDNS: multi-tenant control plane for authoritative DNS.
#[derive(Debug, Parser)]
#[command(name = "scaidns", version, about)]
pub struct Cli {
    /// Server root URL for client commands.
    #[arg(
        long,
        global = true,
        env = "SCAIDNS_URL",
        default_value = "http://127.0.0.1:8000"
    )]
    pub url: String,
    /// API key for client commands.
    #[arg(long, global = true, env = "SCAIDNS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Same as `--output json`.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The effective output format.
    pub fn output(&self) -> Output {
        if self.json { Output::Json } else { self.output }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Tables and sentences.
    Text,
    /// One JSON document.
    Json,
}

/// Operator flags shared by commands that use the configuration directly.
#[derive(Debug, Args)]
pub struct LocalArgs {
    /// Development mode: SQLite and generated secrets under ./data, nothing required.
    #[arg(long)]
    pub dev: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server (and, on the embedded backend, the DNS server).
    Serve {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// Do not run database migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
    },
    /// Create the platform tenant, its first admin and that admin's API key (once).
    Bootstrap {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// The admin's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Manage API keys.
    #[command(name = "api-keys", subcommand)]
    ApiKeys(ApiKeysCommand),
    // Zone, record and validation commands join here, one variant per group.
}

/// `scaidns api-keys …`
#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// List keys.
    List {
        /// Include revoked keys.
        #[arg(long)]
        include_revoked: bool,
        /// Fetch every page.
        #[arg(long)]
        all: bool,
    },
    /// Create a key; prints the secret once.
    Create {
        /// Label.
        #[arg(long)]
        name: String,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// User the key acts for (default: yourself).
        #[arg(long)]
        user: Option<String>,
        /// Permission the key is narrowed to (repeatable).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Allowed client network, CIDR (repeatable).
        #[arg(long = "allow-ip")]
        ip_whitelist: Vec<String>,
        /// Requests per minute.
        #[arg(long)]
        rate_limit: Option<u32>,
        /// Expiry, RFC 3339 (e.g. 2027-01-01T00:00:00Z).
        #[arg(long)]
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Revoke a key (reversible).
    Revoke {
        /// Key id.
        key_id: String,
    },
}
