//! The command line, as clap definitions only; `commands/` does the work.

mod access;
mod platform;
mod session;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use access::{GrantsCommand, GroupMembersCommand, GroupsCommand, Principal, RolesCommand, Who};
pub use platform::{AuthoritativeDomainsCommand, NameserversCommand};
pub use session::{AuthCommand, PermissionsCommand};

/// The variable naming the config file's path (read in `config_file.rs`; named here, with the
/// other variables the CLI reads, for the settings catalogue's check).
pub const CONFIG_PATH_VARIABLE: &str = "SCAIDNS_CONFIG";

/// ScaiDNS: multi-tenant control plane for authoritative DNS.
#[derive(Debug, Parser)]
#[command(
    name = "scaidns",
    version,
    about,
    after_help = "Example: scaidns login --url https://dns.example.com && scaidns domains list"
)]
pub struct Cli {
    /// Server root URL for client commands [default: the profile's, else
    /// http://127.0.0.1:8000]. A profile's key is sent only to the profile's own URL.
    #[arg(long, global = true, env = "SCAIDNS_URL")]
    pub url: Option<String>,
    /// API key for client commands [default: the profile's]. Without --url/SCAIDNS_URL it
    /// goes to http://127.0.0.1:8000, never to a profile's URL. On the command line it is
    /// visible to other users (ps) and kept in shell history: prefer `scaidns login`.
    #[arg(long, global = true, env = "SCAIDNS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Profile of the config file (see SCAIDNS_CONFIG) to use [default: its
    /// default_profile, else "default"].
    #[arg(long, global = true, env = "SCAIDNS_PROFILE")]
    pub profile: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Same as `--output json`.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Whether `--api-key` was typed on the command line (not from SCAIDNS_API_KEY); set by
    /// `main` from clap's value source.
    #[arg(skip)]
    pub api_key_on_command_line: bool,
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
    #[command(after_help = "Example: scaidns serve --dev")]
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
    #[command(after_help = "Example: scaidns migrate")]
    Migrate {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
    },
    /// Create the platform tenant, its first admin and that admin's API key (once).
    #[command(after_help = "Example: scaidns bootstrap --email admin@example.com")]
    Bootstrap {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// The admin's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Check an API key against the server and store it, with the URL, as a profile of the
    /// config file. Give the key on standard input (a prompt without echo at a terminal);
    /// --api-key works but shows the key to other users (ps) and shell history. Plain http://
    /// is refused except to a loopback host, unless --insecure.
    #[command(
        after_help = "Example: scaidns login --profile work --url https://dns.example.com < key.txt"
    )]
    Login {
        /// Allow a plain http:// URL to a non-loopback host (the key crosses the network
        /// unencrypted).
        #[arg(long)]
        insecure: bool,
    },
    /// Remove a profile (its URL and key) from the config file; the key stays valid on the
    /// server (`scaidns api-keys revoke` ends it).
    #[command(after_help = "Example: scaidns logout --profile work")]
    Logout,
    /// Who the API key acts for: user, tenant, groups, admin flags.
    #[command(after_help = "Example: scaidns whoami --context --json")]
    Whoami {
        /// Also the tenant in full (its status) and the permissions this key holds.
        #[arg(long)]
        context: bool,
    },
    /// Whether the API key holds a permission (in its tenant, on a zone or a record).
    #[command(
        subcommand,
        after_help = "Example: scaidns permissions check records:create --zone example.com"
    )]
    Permissions(PermissionsCommand),
    /// The OAuth proxy and token checks: settings, code and refresh exchange, JWT validation
    /// (no API key needed).
    #[command(subcommand, after_help = "Example: scaidns auth config")]
    Auth(AuthCommand),
    /// Whether the server is ready (database, DNS backend, Redis, identity provider keys):
    /// exit 0 when it answers 200, 6 when 503. Needs no API key.
    #[command(after_help = "Example: scaidns health --strict")]
    Health {
        /// Fail (503, exit 6) when any dependency fails, not only the database.
        #[arg(long, conflicts_with = "live")]
        strict: bool,
        /// Only whether the process serves requests (liveness).
        #[arg(long)]
        live: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example: scaidns completions bash > ~/.local/share/bash-completion/completions/scaidns"
    )]
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Manage API keys.
    #[command(
        name = "api-keys",
        subcommand,
        after_help = "Example: scaidns api-keys create --name ci --scope records:write"
    )]
    ApiKeys(ApiKeysCommand),
    /// Read the audit log.
    #[command(
        subcommand,
        after_help = "Example: scaidns audit list --action record.update"
    )]
    Audit(AuditCommand),
    /// Manage groups and their members.
    #[command(subcommand, after_help = "Example: scaidns groups list")]
    Groups(GroupsCommand),
    /// Manage roles, role assignments and effective permissions.
    #[command(subcommand, after_help = "Example: scaidns roles list")]
    Roles(RolesCommand),
    /// Manage access grants: one zone (or some of its records) for a user or group.
    #[command(subcommand, after_help = "Example: scaidns grants list example.com")]
    Grants(GrantsCommand),
    /// Read and replace the platform nameservers (platform admin).
    #[command(subcommand, after_help = "Example: scaidns nameservers show")]
    Nameservers(NameserversCommand),
    /// Read and replace the domains this instance is authoritative for (platform admin).
    #[command(
        name = "authoritative-domains",
        subcommand,
        after_help = "Example: scaidns authoritative-domains show"
    )]
    AuthoritativeDomains(AuthoritativeDomainsCommand),
    // Zone, record and validation commands join here, one variant per group.
    /// Manage zones.
    #[command(
        subcommand,
        after_help = "Example: scaidns domains list --status active"
    )]
    Domains(DomainsCommand),
    /// Prove ownership of a pending zone.
    #[command(
        subcommand,
        after_help = "Example: scaidns validation check example.com --wait 300"
    )]
    Validation(ValidationCommand),
    /// Manage the records of a zone.
    #[command(
        subcommand,
        after_help = "Example: scaidns records list example.com --type A"
    )]
    Records(RecordsCommand),
    /// DNSSEC signing, key rollover and the DS hand-off.
    #[command(subcommand, after_help = "Example: scaidns dnssec status example.com")]
    Dnssec(DnssecCommand),
    /// Record templates: list, show, create, update, delete, variables, preview and apply.
    #[command(subcommand, after_help = "Example: scaidns templates list")]
    Templates(TemplatesCommand),
    /// Outbound change webhooks: subscriptions, test events, the delivery log, redelivery.
    #[command(subcommand, after_help = "Example: scaidns webhooks list")]
    Webhooks(WebhooksCommand),
    /// Reverse zones from a CIDR block.
    #[command(
        subcommand,
        name = "reverse-zones",
        after_help = "Example: scaidns reverse-zones preview 192.0.2.0/24"
    )]
    ReverseZones(ReverseZonesCommand),
    /// PTR records by IP address.
    #[command(subcommand, after_help = "Example: scaidns ptr lookup 192.0.2.10")]
    Ptr(PtrCommand),
    /// List, create, change, suspend or resume tenants (platform admin).
    #[command(
        subcommand,
        after_help = "Example: scaidns tenants list --status active"
    )]
    Tenants(TenantsCommand),
    /// Read the partners mirrored from the identity provider (platform admin).
    #[command(subcommand, after_help = "Example: scaidns partners list")]
    Partners(PartnersCommand),
    /// Manage users (tenant admins in their tenant; proxied to ScaiKey when configured).
    #[command(subcommand, after_help = "Example: scaidns users list --status active")]
    Users(UsersCommand),
    /// Read and change the platform configuration (platform admin).
    #[command(
        subcommand,
        after_help = "Example: scaidns config get validation.challenge_ttl"
    )]
    Config(ConfigCommand),
    /// Run the background jobs (retry queue, validation, rollovers, purge); leased, so several
    /// workers may run at once. Needs the PowerDNS backend.
    #[command(after_help = "Example: scaidns worker --once")]
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
    #[command(after_help = "Example: scaidns sync --users-only")]
    Sync {
        /// Local flags.
        #[command(flatten)]
        local: LocalArgs,
        /// Only the users assigned to the ScaiDNS application.
        #[arg(long)]
        users_only: bool,
    },
    /// Make a user a platform admin (the only way to make the first one), or take it back.
    #[command(
        name = "assign-admin",
        after_help = "Example: scaidns assign-admin --user-email admin@example.com"
    )]
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
    #[command(after_help = "Example: scaidns reconcile --fix")]
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
    /// List tenants (every page).
    #[command(after_help = "Example: scaidns tenants list --search acme")]
    List {
        /// Substring of the name or slug.
        #[arg(long)]
        search: Option<String>,
        /// Only tenants in this status: active or suspended.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one tenant.
    #[command(after_help = "Example: scaidns tenants show 3f1c…")]
    Show {
        /// Tenant id.
        tenant: String,
    },
    /// Create a tenant.
    #[command(
        after_help = "Example: scaidns tenants create --name \"Acme B.V.\" --slug acme --scaikey-tenant-id ten_acme"
    )]
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Short unique name.
        #[arg(long)]
        slug: String,
        /// The tenant's id at the identity provider.
        #[arg(long)]
        scaikey_tenant_id: Option<String>,
        /// Partner id.
        #[arg(long)]
        partner: Option<String>,
        /// Settings, a JSON object.
        #[arg(long)]
        settings: Option<String>,
    },
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

/// `scaidns users …`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Users of a tenant (default: yours), by e-mail.
    #[command(after_help = "Example: scaidns users list --search ada --status active")]
    List {
        /// Tenant id (platform admins).
        #[arg(long)]
        tenant: Option<String>,
        /// Substring of the e-mail or a name.
        #[arg(long)]
        search: Option<String>,
        /// `active` or `inactive`.
        #[arg(long, value_parser = ["active", "inactive"])]
        status: Option<String>,
        /// 1-based page.
        #[arg(long)]
        page: Option<u32>,
        /// Items per page (1–100).
        #[arg(long)]
        page_size: Option<u32>,
    },
    /// One user by id or ScaiKey id (`usr_…`).
    #[command(after_help = "Example: scaidns users show usr_abc123")]
    Show {
        /// User id or ScaiKey id.
        user: String,
    },
    /// Create a user (in ScaiKey when configured; without a password ScaiKey invites).
    #[command(after_help = "Example: scaidns users create ada@example.com --first-name Ada")]
    Create {
        /// E-mail.
        email: String,
        /// Given name.
        #[arg(long)]
        first_name: Option<String>,
        /// Family name.
        #[arg(long)]
        last_name: Option<String>,
        /// Display name.
        #[arg(long)]
        display_name: Option<String>,
        /// Tenant id (default: yours).
        #[arg(long)]
        tenant: Option<String>,
        /// Read an initial password from the first line of standard input (ScaiKey only).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's names.
    #[command(after_help = "Example: scaidns users update usr_abc123 --last-name Lovelace")]
    Update {
        /// User id or ScaiKey id.
        user: String,
        /// Given name (empty clears it).
        #[arg(long)]
        first_name: Option<String>,
        /// Family name (empty clears it).
        #[arg(long)]
        last_name: Option<String>,
        /// Display name.
        #[arg(long)]
        display_name: Option<String>,
        /// Enable a disabled user again.
        #[arg(long)]
        enable: bool,
    },
    /// Disable a user (reversible with `update --enable`).
    #[command(after_help = "Example: scaidns users disable usr_abc123")]
    Disable {
        /// User id or ScaiKey id.
        user: String,
    },
    /// Set a new password in ScaiKey, read from the first line of standard input.
    #[command(
        name = "reset-password",
        after_help = "Example: printf '%s\\n' \"$NEW_PASSWORD\" | scaidns users reset-password usr_abc123"
    )]
    ResetPassword {
        /// User id or ScaiKey id.
        user: String,
    },
    /// Invite a user through ScaiKey (it e-mails the invitation).
    #[command(after_help = "Example: scaidns users invite bob@example.com --first-name Bob")]
    Invite {
        /// E-mail.
        email: String,
        /// Given name.
        #[arg(long)]
        first_name: Option<String>,
        /// Family name.
        #[arg(long)]
        last_name: Option<String>,
        /// Tenant id (default: yours).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Send a user's ScaiKey invitation again.
    #[command(
        name = "resend-invite",
        after_help = "Example: scaidns users resend-invite usr_abc123"
    )]
    ResendInvite {
        /// User id or ScaiKey id.
        user: String,
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
    /// Lend a /25–/32 of a live /24 reverse zone to another tenant (RFC 2317): adds the
    /// parent's CNAMEs; that tenant may then create the classless zone.
    #[command(
        after_help = "Example: scaidns reverse-zones delegate 2.0.192.in-addr.arpa --cidr 192.0.2.64/26 --tenant 0193c0de-0000-7000-8000-000000000042"
    )]
    Delegate {
        /// The /24 reverse zone, name or id.
        zone: String,
        /// The range to lend, inside the zone's /24.
        #[arg(long)]
        cidr: String,
        /// The id of the tenant receiving it.
        #[arg(long)]
        tenant: String,
    },
    /// List the ranges a /24 reverse zone lends.
    #[command(after_help = "Example: scaidns reverse-zones delegations 2.0.192.in-addr.arpa")]
    Delegations {
        /// The /24 reverse zone, name or id.
        zone: String,
    },
    /// List the ranges other tenants lend to this tenant: the classless zones it may create
    /// (`scaidns reverse-zones create CIDR`).
    #[command(after_help = "Example: scaidns reverse-zones delegations-received")]
    DelegationsReceived,
    /// Take a lent range back: the parent's CNAMEs into it are removed.
    #[command(
        after_help = "Example: scaidns reverse-zones revoke-delegation 2.0.192.in-addr.arpa 0193c0de-0000-7000-8000-0000000000aa"
    )]
    RevokeDelegation {
        /// The /24 reverse zone, name or id.
        zone: String,
        /// The delegation's id (from `delegations`).
        id: String,
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
    /// Add many PTRs in one change, all or nothing. FILE is the request body of `POST
    /// …/ptr/bulk`: `{"ptrs": [{"ip", "hostname", "ttl"?}], "replace": false}`.
    #[command(
        name = "bulk-add",
        after_help = "Example: scaidns ptr bulk-add 2.0.192.in-addr.arpa ptrs.json"
    )]
    BulkAdd {
        /// Reverse zone name or id.
        zone: String,
        /// The JSON request body (`-` for standard input).
        file: std::path::PathBuf,
    },
    /// Find the PTR of an address across your reverse zones.
    #[command(after_help = "Example: scaidns ptr lookup 192.0.2.10")]
    Lookup {
        /// The address.
        ip: String,
    },
}

/// `scaidns webhooks …`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List the tenant's webhook subscriptions.
    #[command(after_help = "Example: scaidns webhooks list --output json")]
    List,
    /// Subscribe an HTTPS endpoint; prints the signing secret, shown this once.
    #[command(
        after_help = "Example: scaidns webhooks create --url https://hooks.example.com/dns --events 'record.*' --events zone.delete"
    )]
    Create {
        /// Where events are POSTed.
        #[arg(long)]
        url: String,
        /// An event type or family (`*`, `zone.*`, `record.*`, `validation.*`, `dnssec.*`,
        /// `record.create`…; repeatable).
        #[arg(long = "events", required = true)]
        events: Vec<String>,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// Create it turned off.
        #[arg(long)]
        inactive: bool,
    },
    /// Show one subscription (never its secret).
    #[command(after_help = "Example: scaidns webhooks show 0193c0de-0000-7000-8000-000000000001")]
    Show {
        /// Subscription id.
        id: String,
    },
    /// Change a subscription; `--active true` re-enables a failing one.
    #[command(
        after_help = "Example: scaidns webhooks update 0193c0de-0000-7000-8000-000000000001 --active true"
    )]
    Update {
        /// Subscription id.
        id: String,
        /// New URL.
        #[arg(long)]
        url: Option<String>,
        /// New events (repeatable; replace all).
        #[arg(long = "events")]
        events: Vec<String>,
        /// New description (empty clears it).
        #[arg(long)]
        description: Option<String>,
        /// On or off.
        #[arg(long)]
        active: Option<bool>,
    },
    /// Delete a subscription and its delivery log.
    #[command(
        after_help = "Example: scaidns webhooks delete 0193c0de-0000-7000-8000-000000000001 --yes"
    )]
    Delete {
        /// Subscription id.
        id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Queue a `test` event for the subscription.
    #[command(after_help = "Example: scaidns webhooks test 0193c0de-0000-7000-8000-000000000001")]
    Test {
        /// Subscription id.
        id: String,
    },
    /// The subscription's deliveries, newest first.
    #[command(
        after_help = "Example: scaidns webhooks deliveries 0193c0de-0000-7000-8000-000000000001"
    )]
    Deliveries {
        /// Subscription id.
        id: String,
    },
    /// Queue a delivery again.
    #[command(
        after_help = "Example: scaidns webhooks redeliver 0193c0de-0000-7000-8000-000000000001 0193c0de-0000-7000-8000-000000000002"
    )]
    Redeliver {
        /// Subscription id.
        id: String,
        /// Delivery id.
        delivery: String,
    },
}

/// `scaidns templates …`
#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the system templates and the tenant's own.
    #[command(after_help = "Example: scaidns templates list --type system")]
    List {
        /// `system` or `custom`.
        #[arg(long = "type")]
        template_type: Option<String>,
    },
    /// Show one template's records and variables.
    #[command(after_help = "Example: scaidns templates show web-server")]
    Show {
        /// Template name or id.
        template: String,
    },
    /// Create a custom template from a JSON file (`name`, `description`, `records`, `variables`).
    #[command(after_help = "Example: scaidns templates create --file office.json")]
    Create {
        /// The template as JSON.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Change a custom template from a JSON file: the fields given (`name`, `description`,
    /// `records`, `variables`) replace the template's, the others stay. System templates are
    /// read-only.
    #[command(after_help = "Example: scaidns templates update office --file office-v2.json")]
    Update {
        /// Template name or id.
        template: String,
        /// The changes as JSON.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Delete a custom template (zones it was applied to keep their records).
    #[command(after_help = "Example: scaidns templates delete office")]
    Delete {
        /// Template name or id.
        template: String,
    },
    /// The built-in variables every template may use (`${domain}`, …).
    #[command(after_help = "Example: scaidns templates variables")]
    Variables,
    /// Render a template for a zone without writing.
    #[command(
        after_help = "Example: scaidns templates preview web-server example.com --var ipv4=192.0.2.1 --var ipv6=2001:db8::1"
    )]
    Preview {
        /// Template name or id.
        template: String,
        /// Zone name or id.
        zone: String,
        /// A variable value, `NAME=VALUE` (repeatable).
        #[arg(long = "var")]
        vars: Vec<String>,
    },
    /// Apply a template to a zone (all records or none; identical records are skipped).
    #[command(after_help = "Example: scaidns templates apply caa-letsencrypt example.com")]
    Apply {
        /// Template name or id.
        template: String,
        /// Zone name or id.
        zone: String,
        /// A variable value, `NAME=VALUE` (repeatable).
        #[arg(long = "var")]
        vars: Vec<String>,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `scaidns dnssec …`
#[derive(Debug, Subcommand)]
pub enum DnssecCommand {
    /// Show status, keys and the DS records for the parent.
    #[command(after_help = "Example: scaidns dnssec status example.com")]
    Status {
        /// Zone name or id.
        zone: String,
    },
    /// Sign the zone (needs the PowerDNS backend).
    #[command(after_help = "Example: scaidns dnssec enable example.com --algorithm 13")]
    Enable {
        /// Zone name or id.
        zone: String,
        /// Algorithm: 8, 10, 13 (default), 14, 15.
        #[arg(long)]
        algorithm: Option<u8>,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Unsign the zone (remove the DS at the registrar first).
    #[command(after_help = "Example: scaidns dnssec disable example.com")]
    Disable {
        /// Zone name or id.
        zone: String,
        /// Even while a DS is still published at the parent.
        #[arg(long)]
        force: bool,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Start a ZSK rollover.
    #[command(
        name = "rotate-zsk",
        after_help = "Example: scaidns dnssec rotate-zsk example.com"
    )]
    RotateZsk {
        /// Zone name or id.
        zone: String,
    },
    /// Start a KSK (double-DS) rollover; prints the new DS to publish.
    #[command(
        name = "rotate-ksk",
        after_help = "Example: scaidns dnssec rotate-ksk example.com"
    )]
    RotateKsk {
        /// Zone name or id.
        zone: String,
    },
    /// Confirm that the parent publishes the DS (ScaiDNS looks it up).
    #[command(
        name = "confirm-ds",
        after_help = "Example: scaidns dnssec confirm-ds example.com --key-tag 12345"
    )]
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
    #[command(after_help = "Example: scaidns api-keys list --include-revoked --all")]
    List {
        /// Include revoked keys.
        #[arg(long)]
        include_revoked: bool,
        /// Fetch every page.
        #[arg(long)]
        all: bool,
    },
    /// Create a key; prints the secret once.
    #[command(
        after_help = "Example: scaidns api-keys create --name ci --scope records:write --expires-at 2027-01-01T00:00:00Z"
    )]
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
    #[command(after_help = "Example: scaidns api-keys revoke 3f1c…")]
    Revoke {
        /// Key id.
        key_id: String,
    },
    /// Show one key (never its secret).
    #[command(after_help = "Example: scaidns api-keys show 3f1c…")]
    Show {
        /// Key id.
        key_id: String,
    },
    /// Make a revoked key usable again.
    #[command(after_help = "Example: scaidns api-keys activate 3f1c…")]
    Activate {
        /// Key id.
        key_id: String,
    },
    /// Replace a key's secret; the old secret stops working. Prints the new one once.
    #[command(after_help = "Example: scaidns api-keys regenerate 3f1c…")]
    Regenerate {
        /// Key id.
        key_id: String,
    },
    /// Delete a key for good (asks first; --yes without a terminal).
    #[command(after_help = "Example: scaidns api-keys delete 3f1c… --yes")]
    Delete {
        /// Key id.
        key_id: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// `scaidns audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List entries, newest first (one page unless --all).
    #[command(
        after_help = "Example: scaidns audit list --resource-type domain --since 2026-01-01T00:00:00Z"
    )]
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
    #[command(after_help = "Example: scaidns audit show 3f1c…")]
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
    #[command(after_help = "Example: scaidns domains list --search shop")]
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
    #[command(
        after_help = "Example: scaidns domains create example.com --secondary --primary 192.0.2.53 --tsig-name xfr-key --tsig-secret-file ./xfr.key"
    )]
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
        /// A secondary zone, transferred from --primary (records read-only; PowerDNS only).
        #[arg(long)]
        secondary: bool,
        /// Primary to transfer from, IP or IP:PORT (repeatable; with --secondary).
        #[arg(long = "primary", requires = "secondary")]
        primaries: Vec<String>,
        /// Name of the TSIG key the primary expects.
        #[arg(long = "tsig-name", requires = "secondary")]
        tsig_name: Option<String>,
        /// TSIG algorithm (default hmac-sha256).
        #[arg(long = "tsig-algorithm", requires = "tsig_name")]
        tsig_algorithm: Option<String>,
        /// File holding the TSIG secret (base64), so it is not in the shell history.
        #[arg(long = "tsig-secret-file", requires = "tsig_name")]
        tsig_secret_file: Option<std::path::PathBuf>,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show one zone.
    #[command(after_help = "Example: scaidns domains show example.com")]
    Show {
        /// Zone name or id.
        zone: String,
        /// Also find a soft-deleted zone.
        #[arg(long)]
        include_deleted: bool,
    },
    /// Change a zone's description, default TTL or settings.
    #[command(
        after_help = "Example: scaidns domains update example.com --description \"Main site\""
    )]
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
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a zone: soft (restorable) unless --hard.
    #[command(after_help = "Example: scaidns domains delete example.com")]
    Delete {
        /// Zone name or id.
        zone: String,
        /// Remove it for good.
        #[arg(long)]
        hard: bool,
        /// Delete even a DNSSEC-signed zone.
        #[arg(long)]
        force: bool,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Undo a soft delete; with a GENERATION, bring the zone's records back to what they were
    /// at that generation instead (shows the change first, asks unless --yes).
    #[command(
        after_help = "Example: scaidns domains restore example.com 42 --yes  (undelete: scaidns domains restore example.com)"
    )]
    Restore {
        /// Zone name or id.
        zone: String,
        /// A generation from `scaidns domains history`: restore the records as they were then.
        generation: Option<i64>,
        /// Do not ask before restoring a generation.
        #[arg(long)]
        yes: bool,
    },
    /// Ask the DNS backend to transfer a secondary zone from its primaries now; the transfer
    /// runs in the background (`domains show` reports its outcome).
    #[command(after_help = "Example: scaidns domains retrieve example.com")]
    Retrieve {
        /// Zone name or id.
        zone: String,
    },
    /// The zone's history, newest first: each generation step with who made it and how many
    /// RRsets it added, changed and removed (or, with --generation, that step in full).
    #[command(after_help = "Example: scaidns domains history example.com --generation 42")]
    History {
        /// Zone name or id.
        zone: String,
        /// Show this one step with the RRsets it changed, before and after.
        #[arg(long)]
        generation: Option<i64>,
    },
    /// The RRsets that differ between two generations of the zone (either order).
    #[command(after_help = "Example: scaidns domains diff example.com --from 12 --to 15")]
    Diff {
        /// Zone name or id.
        zone: String,
        /// The generation to compare from.
        #[arg(long)]
        from: i64,
        /// The generation to compare to (default: the zone's current one).
        #[arg(long)]
        to: Option<i64>,
    },
    /// Write the zone's records as a file: bind (a master file named-checkzone loads), json
    /// or csv. Only the records the caller may read.
    #[command(
        after_help = "Example: scaidns domains export example.com --format bind -o example.com.zone"
    )]
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
    #[command(
        after_help = "Example: scaidns domains import example.com example.com.zone --preview"
    )]
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
        /// Only show what would change (`--dry-run` says the same: the preview is this
        /// command's plan).
        #[arg(long, alias = "dry-run")]
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
    /// Withdraw the zone's open challenge.
    #[command(after_help = "Example: scaidns validation cancel example.com")]
    Cancel {
        /// Zone name or id.
        zone: String,
    },
    /// Issue a new challenge (replacing an open one): a TXT record to publish, or a delegation
    /// to the platform nameservers to set at the parent.
    #[command(after_help = "Example: scaidns validation start example.com")]
    Start {
        /// Zone name or id.
        zone: String,
        /// How to prove ownership: txt_record (default) or nameservers.
        #[arg(long = "type", value_name = "TYPE")]
        validation_type: Option<String>,
    },
    /// Show the zone's latest challenge and what to publish.
    #[command(after_help = "Example: scaidns validation show example.com")]
    Show {
        /// Zone name or id.
        zone: String,
    },
    /// Check the challenge now; with --wait, keep checking until it passes or time runs out.
    #[command(after_help = "Example: scaidns validation check example.com --wait 300")]
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
    /// Show one record.
    #[command(after_help = "Example: scaidns records show example.com 3f1c…")]
    Show {
        /// Zone name or id.
        zone: String,
        /// Record id (see `records list`).
        record: String,
    },
    /// The record types ScaiDNS stores, with an example of each.
    #[command(after_help = "Example: scaidns records types")]
    Types,
    /// Search records by a substring of their name or content: in one zone, or in every zone
    /// you can read.
    #[command(after_help = "Example: scaidns records search 192.0.2.1 --type A")]
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
    #[command(after_help = "Example: scaidns records list example.com --type MX")]
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
    #[command(after_help = "Example: scaidns records add example.com www A 192.0.2.1 --ttl 300")]
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
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Change one record's content, TTL or disabled flag.
    #[command(after_help = "Example: scaidns records update example.com 3f1c… --content 192.0.2.2")]
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
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete one record.
    #[command(after_help = "Example: scaidns records delete example.com 3f1c…")]
    Delete {
        /// Zone name or id.
        zone: String,
        /// Record id (see `records list`).
        record: String,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create, change and delete many records in one change, all or nothing (unless the file
    /// says `"continue_on_error": true`). FILE is the request body of `POST …/records/bulk`:
    /// `{"records": [{name, type, content, ttl?}], "update": [{id, content?, ttl?}], "delete":
    /// [ids]}`.
    #[command(after_help = "Example: scaidns records bulk example.com changes.json")]
    Bulk {
        /// Zone name or id.
        zone: String,
        /// The JSON request body (`-` for standard input).
        file: std::path::PathBuf,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete many records by id in one change, all or nothing (unless --continue-on-error:
    /// then the records that can go are deleted and the others listed).
    #[command(
        name = "bulk-delete",
        after_help = "Example: scaidns records bulk-delete example.com 3f1c… 9a2b… --dry-run"
    )]
    BulkDelete {
        /// Zone name or id.
        zone: String,
        /// Record ids (see `records list`).
        #[arg(required = true)]
        records: Vec<String>,
        /// Delete what can be deleted and list the refused ids (default: all or nothing).
        #[arg(long)]
        continue_on_error: bool,
        /// Show what the write would do (its plan: RRsets before and after, audit entries,
        /// the error it would get) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Edit a zone's records in `$VISUAL`/`$EDITOR` (a zone file; SOA and apex NS shown as
    /// comments), then review the diff and apply it as one change, refused if the zone changed
    /// since it was read (nothing is applied; your edits are kept in a backup file). Records
    /// removed from the file are deleted. Needs write access to the whole zone.
    #[command(after_help = "Example: EDITOR=nano scaidns records edit example.com")]
    Edit {
        /// Zone name or id.
        zone: String,
        /// Apply without asking (needed without a terminal).
        #[arg(long)]
        yes: bool,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every command's `--help` ends with one example (issue 11 item 8): walks the whole tree,
    /// so a command added without one fails here.
    #[test]
    fn every_command_help_shows_an_example() {
        fn walk(cmd: &mut clap::Command, path: &str, missing: &mut Vec<String>) {
            let help = cmd.render_long_help().to_string();
            if !help.contains("Example") {
                missing.push(path.to_owned());
            }
            for sub in cmd.get_subcommands_mut() {
                if sub.get_name() == "help" {
                    continue;
                }
                let path = format!("{path} {}", sub.get_name());
                walk(sub, &path, missing);
            }
        }
        let mut root = Cli::command();
        root.build();
        let mut missing = Vec::new();
        walk(&mut root, "scaidns", &mut missing);
        assert!(
            missing.is_empty(),
            "--help without an example: {missing:#?}"
        );
    }

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }
}
