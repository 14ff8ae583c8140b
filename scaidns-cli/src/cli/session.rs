//! Clap definitions of the caller's own session: `auth` (the OAuth proxy and token checks,
//! which need no API key) and `permissions check` (`health`, a flat command, is in `cli.rs`).

use clap::Subcommand;

/// `scaidns auth …`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// The OAuth settings the server gives its frontend (issuer, endpoints, client id,
    /// scopes). Needs no API key.
    #[command(after_help = "Example: scaidns auth config --json")]
    Config,
    /// Exchange an authorization code and its PKCE verifier for tokens (what a browser login
    /// ends with). The verifier is read from standard input (on the command line `ps` would
    /// show it next to the code, and the two together are worth the tokens). The tokens are
    /// printed only with --show-tokens or --json. Needs no API key.
    #[command(
        after_help = "Example: printf '%s\\n' \"$VERIFIER\" | scaidns auth token --code \"$CODE\" --redirect-uri https://dns.example.com/oauth/callback --json"
    )]
    Token {
        /// The code from the provider's redirect.
        #[arg(long)]
        code: String,
        /// The redirect URI sent to the authorize endpoint.
        #[arg(long)]
        redirect_uri: String,
        /// Print the access, refresh and ID tokens (without it, text output only says what
        /// was issued).
        #[arg(long)]
        show_tokens: bool,
    },
    /// Exchange a refresh token for new tokens; the one given is spent. The refresh token is
    /// read from standard input (never from the command line, where `ps` shows it). The new
    /// tokens are printed only with --show-tokens or --json. Needs no API key.
    #[command(after_help = "Example: scaidns auth refresh --json < refresh-token.txt")]
    Refresh {
        /// Print the new tokens (without it, text output only says what was issued).
        #[arg(long)]
        show_tokens: bool,
    },
    /// Check a JWT as the server would (signature, issuer, audience, times, then its tenant
    /// and user): exit 0 when valid, 4 when refused. The token is read from standard input.
    /// Needs no API key.
    #[command(after_help = "Example: scaidns auth validate < token.jwt")]
    Validate,
}

/// `scaidns permissions …`
#[derive(Debug, Subcommand)]
pub enum PermissionsCommand {
    /// Whether the API key holds a permission: in its tenant, on a zone, or on one record
    /// name and type of a zone. Exit 0 when allowed, 4 when not (so scripts can test before
    /// writing).
    #[command(
        after_help = "Example: scaidns permissions check records:create --zone example.com --name www --type A"
    )]
    Check {
        /// Permission, e.g. `records:create` (see `scaidns roles permissions`).
        permission: String,
        /// Ask about this zone (name or id) instead of the tenant.
        #[arg(long)]
        zone: Option<String>,
        /// With --type and --zone: ask about one record name (`@`, relative or absolute).
        #[arg(long, requires_all = ["rtype", "zone"])]
        name: Option<String>,
        /// With --name: the record type.
        #[arg(long = "type", requires = "name")]
        rtype: Option<String>,
    },
}
