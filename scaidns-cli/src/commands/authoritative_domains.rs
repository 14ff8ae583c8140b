//! `scaidns authoritative-domains show|set` (platform admins).

use scaidns_client::Client;
use scaidns_client::types::AuthoritativeDomains;

use crate::cli::{AuthoritativeDomainsCommand, Output};
use crate::output::{Failure, print_json_of};

/// Runs one `authoritative-domains` subcommand.
pub async fn run(
    client: &Client,
    cmd: &AuthoritativeDomainsCommand,
    output: Output,
) -> Result<(), Failure> {
    let list = match cmd {
        AuthoritativeDomainsCommand::Show => client.authoritative_domains_get().await?,
        AuthoritativeDomainsCommand::Set { domains, clear } => {
            // clap requires domains unless --clear (and refuses both): an empty list is only
            // ever asked for by name.
            let body = AuthoritativeDomains {
                domains: if *clear { Vec::new() } else { domains.clone() },
            };
            client.authoritative_domains_set(&body).await?
        }
    }
    .into_inner();
    match output {
        Output::Json => print_json_of(&list),
        Output::Text => list.domains.iter().for_each(|d| println!("{d}")),
    }
    Ok(())
}
