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
        /// Do not run the background jobs (retry queue, validation re-checks, rollovers,
        /// purges) in this process: for deployments with dedicated `scaidns worker`s
        /// (same as RUN_JOBS=false).
        #[arg(long)]
        no_jobs: bool,
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
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    // Zone, record and validation commands join here, one variant per group.
    /// Manage zones.
    #[command(subcommand)]
    Domains(DomainsCommand),
    /// Prove ownership of a pending zone.
    #[command(subcommand)]
    Validation(ValidationCommand),
    /// Manage the records of a zone.
    #[command(subcommand)]
    Records(RecordsCommand),
    /// DNSSEC signing, key rollover and the DS hand-off.
    #[command(subcommand)]
    Dnssec(DnssecCommand),
    /// Reverse zones from a CIDR block.
    #[command(
        subcommand,
        name = "reverse-zones",
        after_help = "Example: scaidns reverse-zones create 192.0.2.0/24"
    )]
    ReverseZones(ReverseZonesCommand),
    /// PTR records by IP address.
    #[command(subcommand, after_help = "Example: scaidns ptr lookup 192.0.2.10")]
    Ptr(PtrCommand),
    /// Suspend, resume or change a tenant (platform admin).
    #[command(subcommand)]
    Tenants(TenantsCommand),
    /// Read the partners mirrored from the identity provider (platform admin).
    #[command(subcommand)]
    Partners(PartnersCommand),
    /// Read and change the platform configuration (platform admin).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run the background jobs (retry queue, validation, rollovers, purge); leased, so several
    /// workers may run at once. Needs the PowerDNS backend.
    Worker {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// Run one pass and exit (for cron and tests).
        #[arg(long)]
        once: bool,
    },
    /// Pull partners, tenants, users, groups and memberships from ScaiKey into the local cache;
    /// users ScaiKey no longer returns become inactive.
    Sync {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// Only the users assigned to the ScaiDNS application.
        #[arg(long)]
        users_only: bool,
    },
    /// Make a user a platform admin (the only way to make the first one), or take it back.
    #[command(name = "assign-admin")]
    AssignAdmin {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// The user's e-mail.
        #[arg(long, alias = "email")]
        user_email: String,
        /// Take platform admin away instead.
        #[arg(long)]
        revoke: bool,
    },
    /// Register ScaiDNS with ScaiKey's self-registration API, wait for approval, and offer to
    /// write the resulting SCAIKEY_* lines into .env.
    ///
    /// Example: scaidns register-scaikey --public-url https://dns.example.com
    #[command(name = "register-scaikey")]
    RegisterScaikey {
        /// Public URL of ScaiDNS (redirect and webhook URLs are derived from it); default
        /// EXTERNAL_URL from the environment or .env.
        #[arg(long)]
        public_url: Option<String>,
        /// ScaiKey base URL; default SCAIKEY_URL from the environment or .env.
        #[arg(long)]
        scaikey_url: Option<String>,
        /// Contact e-mail for the ScaiKey administrators.
        #[arg(long)]
        email: Option<String>,
        /// Application scope: GLOBAL, PARTNER or TENANT.
        #[arg(long, default_value = "GLOBAL")]
        scope: String,
        /// Application name.
        #[arg(long, default_value = "ScaiDNS")]
        name: String,
        /// Where the pending request is remembered (0600 file); default DATA_DIR from the
        /// environment or .env, else ./data.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        /// Seconds between status checks.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Seconds to wait for approval (0: check once and exit).
        #[arg(long, default_value_t = 600)]
        timeout: u64,
        /// Write the lines into the .env file without asking (without it, the command asks
        /// when run at a terminal and only prints them otherwise).
        #[arg(long, short = 'y')]
        yes: bool,
        /// The file the lines are written into.
        #[arg(long, default_value = ".env")]
        env_file: std::path::PathBuf,
    },
    /// Compare the store with PowerDNS zone by zone; exit 1 when they differ.
    Reconcile {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// Repair the differences (republish zones, fix key flags).
        #[arg(long)]
        fix: bool,
    },
}

/// `scaidns tenants …`
#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// Rename a tenant or replace its settings.
    #[command(after_help = "Example: scaidns tenants update 3f1c… --name \"Acme B.V.\"")]
    Update {
        /// Tenant id.
        tenant: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        /// New settings, a JSON object.
        #[arg(long)]
        settings: Option<String>,
    },
    /// Suspend a tenant: its keys, tokens and grantees are refused; its zones keep answering.
    #[command(after_help = "Example: scaidns tenants suspend 3f1c…")]
    Suspend {
        /// Tenant id.
        tenant: String,
    },
    /// Lift a suspension made with `suspend`.
    #[command(after_help = "Example: scaidns tenants resume 3f1c…")]
    Resume {
        /// Tenant id.
        tenant: String,
    },
}

/// `scaidns partners …`
#[derive(Debug, Subcommand)]
pub enum PartnersCommand {
    /// Every partner.
    #[command(after_help = "Example: scaidns partners list --json")]
    List,
    /// One partner by id or provider id (`prt_…`).
    #[command(after_help = "Example: scaidns partners show prt_msp")]
    Show {
        /// Partner id or provider id.
        partner: String,
    },
}

/// `scaidns config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every key with its value and source (default, env, api).
    #[command(after_help = "Example: scaidns config list")]
    List,
    /// One key.
    #[command(after_help = "Example: scaidns config get validation.challenge_ttl")]
    Get {
        /// The key.
        key: String,
    },
    /// Set a key; the stored value wins over the environment.
    #[command(after_help = "Example: scaidns config set validation.challenge_ttl 7200")]
    Set {
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
}

/// `scaidns reverse-zones …`
#[derive(Debug, Subcommand)]
pub enum ReverseZonesCommand {
    /// Show the zone a CIDR block becomes (and an RFC 2317 block's parent CNAMEs); writes nothing.
    #[command(after_help = "Example: scaidns reverse-zones preview 192.0.2.64/26")]
    Preview {
        /// The block: 192.0.2.0/24, 192.0.2.64/26, 2001:db8::/48.
        cidr: String,
    },
    /// Create the reverse zone of a CIDR block.
    #[command(after_help = "Example: scaidns reverse-zones create 192.0.2.0/24 --ttl 3600")]
    Create {
        /// The block.
        cidr: String,
        /// Default TTL of the zone's records.
        #[arg(long)]
        ttl: Option<i64>,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
    },
    /// List your reverse zones.
    #[command(after_help = "Example: scaidns reverse-zones list --search 192.0.2")]
    List {
        /// Substring of the zone name or of its block.
        #[arg(long)]
        search: Option<String>,
    },
}

/// `scaidns ptr …`
#[derive(Debug, Subcommand)]
pub enum PtrCommand {
    /// Add the PTR of an address.
    #[command(
        after_help = "Example: scaidns ptr add 2.0.192.in-addr.arpa 192.0.2.10 host.example.com"
    )]
    Add {
        /// Reverse zone name or id.
        zone: String,
        /// The address (IPv6 in any form).
        ip: String,
        /// The host name it points to.
        hostname: String,
        /// TTL, seconds.
        #[arg(long)]
        ttl: Option<i64>,
        /// Replace an existing PTR for the address.
        #[arg(long)]
        replace: bool,
    },
    /// List a reverse zone's PTRs by address.
    #[command(after_help = "Example: scaidns ptr list 2.0.192.in-addr.arpa --search mail")]
    List {
        /// Reverse zone name or id.
        zone: String,
        /// Substring of the address or host name.
        #[arg(long)]
        search: Option<String>,
    },
    /// Delete the PTR of an address.
    #[command(after_help = "Example: scaidns ptr delete 2.0.192.in-addr.arpa 192.0.2.10")]
    Delete {
        /// Reverse zone name or id.
        zone: String,
        /// The address.
        ip: String,
    },
    /// Find the PTR of an address across your reverse zones.
    #[command(after_help = "Example: scaidns ptr lookup 192.0.2.10")]
    Lookup {
        /// The address.
        ip: String,
    },
}

/// `scaidns dnssec …`
#[derive(Debug, Subcommand)]
pub enum DnssecCommand {
    /// Show status, keys and the DS records for the parent.
    Status {
        /// Zone name or id.
        zone: String,
    },
    /// Sign the zone (needs the PowerDNS backend).
    Enable {
        /// Zone name or id.
        zone: String,
        /// Algorithm: 8, 10, 13 (default), 14, 15.
        #[arg(long)]
        algorithm: Option<u8>,
    },
    /// Unsign the zone (remove the DS at the registrar first).
    Disable {
        /// Zone name or id.
        zone: String,
        /// Even while a DS is still published at the parent.
        #[arg(long)]
        force: bool,
    },
    /// Start a ZSK rollover.
    #[command(name = "rotate-zsk")]
    RotateZsk {
        /// Zone name or id.
        zone: String,
    },
    /// Start a KSK (double-DS) rollover; prints the new DS to publish.
    #[command(name = "rotate-ksk")]
    RotateKsk {
        /// Zone name or id.
        zone: String,
    },
    /// Confirm that the parent publishes the DS (ScaiDNS looks it up).
    #[command(name = "confirm-ds")]
    ConfirmDs {
        /// Zone name or id.
        zone: String,
        /// Key tag of the KSK whose DS was published.
        #[arg(long)]
        key_tag: Option<u16>,
    },
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

/// `scaidns audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List entries, newest first (one page unless --all).
    List {
        /// Filters.
        #[command(flatten)]
        filter: AuditFilterArgs,
        /// 1-based page.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// Entries per page (1-100).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
        page_size: u32,
        /// Fetch every page.
        #[arg(long, conflicts_with = "page")]
        all: bool,
    },
    /// Show one entry with its before and after.
    Show {
        /// Entry id.
        id: String,
    },
}

/// Filters of `scaidns audit list`.
#[derive(Debug, Args)]
pub struct AuditFilterArgs {
    /// Exact action, e.g. record.update.
    #[arg(long)]
    pub action: Option<String>,
    /// User or API key id.
    #[arg(long)]
    pub actor_id: Option<String>,
    /// user, api_key, system or webhook.
    #[arg(long)]
    pub actor_type: Option<String>,
    /// Resource class, e.g. domain.
    #[arg(long)]
    pub resource_type: Option<String>,
    /// Resource id.
    #[arg(long)]
    pub resource_id: Option<String>,
    /// Only this tenant (platform admins).
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// From this instant, RFC 3339 (inclusive).
    #[arg(long)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Until this instant, RFC 3339 (exclusive).
    #[arg(long)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

/// `scaidns domains …`. ZONE is a zone name or id everywhere.
#[derive(Debug, Subcommand)]
pub enum DomainsCommand {
    /// List zones (every page).
    List {
        /// Only zones in this status (pending_validation, active, inactive, deleted).
        #[arg(long)]
        status: Option<String>,
        /// Substring of the name.
        #[arg(long)]
        search: Option<String>,
        /// Include soft-deleted zones.
        #[arg(long)]
        include_deleted: bool,
    },
    /// Create a zone; prints the TXT challenge when it must be validated.
    Create {
        /// Apex name, e.g. example.com.
        name: String,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// TTL for records added without one.
        #[arg(long)]
        default_ttl: Option<i64>,
        /// primary, reverse_ipv4 or reverse_ipv6 (default: from the name).
        #[arg(long = "type")]
        domain_type: Option<String>,
        /// Go through ownership validation even when allowed to skip it.
        #[arg(long)]
        validate: bool,
    },
    /// Show one zone.
    Show {
        /// Zone name or id.
        zone: String,
        /// Also find a soft-deleted zone.
        #[arg(long)]
        include_deleted: bool,
    },
    /// Change a zone's description, default TTL or settings.
    Update {
        /// Zone name or id.
        zone: String,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// New default TTL.
        #[arg(long)]
        default_ttl: Option<i64>,
        /// New settings, a JSON object.
        #[arg(long)]
        settings: Option<String>,
    },
    /// Delete a zone: soft (restorable) unless --hard.
    Delete {
        /// Zone name or id.
        zone: String,
        /// Remove it for good.
        #[arg(long)]
        hard: bool,
        /// Delete even a DNSSEC-signed zone.
        #[arg(long)]
        force: bool,
    },
    /// Undo a soft delete.
    Restore {
        /// Zone name or id.
        zone: String,
    },
    /// Write the zone's records as a file: bind (a master file named-checkzone loads), json
    /// or csv. Only the records the caller may read.
    Export {
        /// Zone name or id.
        zone: String,
        /// bind, json or csv.
        #[arg(long, default_value = "bind")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "out")]
        file: Option<std::path::PathBuf>,
    },
    /// Import records from a zone file (BIND master file, JSON or CSV) or by zone transfer
    /// from a running server: shows the preview as a diff, then applies it unless the zone
    /// changed meanwhile.
    Import {
        /// Zone name or id.
        zone: String,
        /// The file to import.
        #[arg(required_unless_present = "from_axfr", conflicts_with = "from_axfr")]
        file: Option<std::path::PathBuf>,
        /// Transfer the zone (AXFR over TCP, no TSIG) from this server, SERVER[:PORT]
        /// (port 53 unless given), instead of reading a file.
        #[arg(long, value_name = "SERVER[:PORT]")]
        from_axfr: Option<String>,
        /// bind, json or csv.
        #[arg(long, default_value = "bind")]
        format: String,
        /// merge, skip_existing or replace.
        #[arg(long, default_value = "merge")]
        mode: String,
        /// Only show what would change.
        #[arg(long)]
        preview: bool,
        /// Do not ask before a replace.
        #[arg(long)]
        yes: bool,
        /// Skip records of types ScaiDNS cannot store instead of refusing the file.
        #[arg(long)]
        skip_unsupported: bool,
    },
}

/// `scaidns validation …`
#[derive(Debug, Subcommand)]
pub enum ValidationCommand {
    /// Issue a new challenge (replacing an open one): a TXT record to publish, or a delegation
    /// to the platform nameservers to set at the parent.
    Start {
        /// Zone name or id.
        zone: String,
        /// How to prove ownership: txt_record (default) or nameservers.
        #[arg(long = "type", value_name = "TYPE")]
        validation_type: Option<String>,
    },
    /// Show the zone's latest challenge and what to publish.
    Show {
        /// Zone name or id.
        zone: String,
    },
    /// Check the challenge now; with --wait, keep checking until it passes or time runs out.
    Check {
        /// Zone name or id.
        zone: String,
        /// Keep checking for up to this many seconds.
        #[arg(long, value_name = "SECONDS")]
        wait: Option<u64>,
        /// Seconds between checks with --wait.
        #[arg(long, default_value_t = 10, value_name = "SECONDS")]
        interval: u64,
    },
}

/// `scaidns records …`
#[derive(Debug, Subcommand)]
pub enum RecordsCommand {
    /// Search records by a substring of their name or content: in one zone, or in every zone
    /// you can read.
    Search {
        /// Text to find (case-insensitive).
        query: String,
        /// Only this zone (name or id).
        #[arg(long)]
        zone: Option<String>,
        /// Only this type.
        #[arg(long = "type")]
        rtype: Option<String>,
    },
    /// List a zone's records (every page).
    List {
        /// Zone name or id.
        zone: String,
        /// Only this type.
        #[arg(long = "type")]
        rtype: Option<String>,
        /// Substring of the name.
        #[arg(long)]
        name: Option<String>,
        /// Include SOA and apex NS.
        #[arg(long)]
        include_system: bool,
    },
    /// Add a record: NAME is @, relative (www) or absolute inside the zone.
    Add {
        /// Zone name or id.
        zone: String,
        /// Owner name.
        name: String,
        /// Type (A, AAAA, MX, TXT, …).
        #[arg(value_name = "TYPE")]
        rtype: String,
        /// Content, e.g. 192.0.2.1 or "10 mail.example.com".
        content: String,
        /// TTL (default: the RRset's, else the zone's).
        #[arg(long)]
        ttl: Option<i64>,
        /// Keep the record but do not serve it.
        #[arg(long)]
        disabled: bool,
    },
    /// Change one record's content, TTL or disabled flag.
    Update {
        /// Zone name or id.
        zone: String,
        /// Record id (see `records list`).
        record: String,
        /// New content.
        #[arg(long)]
        content: Option<String>,
        /// New TTL (applies to the whole RRset).
        #[arg(long)]
        ttl: Option<i64>,
        /// Stop serving the record.
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        /// Serve the record again.
        #[arg(long)]
        enable: bool,
    },
    /// Delete one record.
    Delete {
        /// Zone name or id.
        zone: String,
        /// Record id (see `records list`).
        record: String,
    },
    /// Create, change and delete many records in one change, all or nothing (unless the file
    /// says `"continue_on_error": true`). FILE is the request body of `POST …/records/bulk`:
    /// `{"records": [{name, type, content, ttl?}], "update": [{id, content?, ttl?}], "delete":
    /// [ids]}`.
    Bulk {
        /// Zone name or id.
        zone: String,
        /// The JSON request body (`-` for standard input).
        file: std::path::PathBuf,
    },
}
