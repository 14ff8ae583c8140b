//! Clap definitions of the platform's DNS settings: `nameservers` and `authoritative-domains`
//! (platform admins).

use clap::Subcommand;

/// `scaidns nameservers …`
#[derive(Debug, Subcommand)]
pub enum NameserversCommand {
    /// The platform nameservers every zone's apex NS lists.
    #[command(after_help = "Example: scaidns nameservers show")]
    Show,
    /// Replace the platform nameservers; every zone's apex NS is rewritten (asks first;
    /// --yes without a terminal).
    #[command(
        after_help = "Example: scaidns nameservers set ns1.example.net ns2.example.net --yes"
    )]
    Set {
        /// Nameserver host names, in order.
        #[arg(required = true)]
        nameservers: Vec<String>,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// `scaidns authoritative-domains …`
#[derive(Debug, Subcommand)]
pub enum AuthoritativeDomainsCommand {
    /// The domains this instance is authoritative for (used when validating zone transfers).
    #[command(after_help = "Example: scaidns authoritative-domains show")]
    Show,
    /// Replace the list (--clear empties it).
    #[command(after_help = "Example: scaidns authoritative-domains set dns.example.net")]
    Set {
        /// Domain names.
        #[arg(required_unless_present = "clear")]
        domains: Vec<String>,
        /// Empty the list (instead of naming domains).
        #[arg(long, conflicts_with = "domains")]
        clear: bool,
    },
}
