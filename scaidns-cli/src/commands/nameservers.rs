//! `scaidns nameservers show|set` (platform admins).

use scaidns_client::Client;
use scaidns_client::types::NameserverSetRequest;

use crate::cli::{NameserversCommand, Output};
use crate::output::{Failure, confirm, print_json_of};

/// Runs one `nameservers` subcommand.
pub async fn run(client: &Client, cmd: &NameserversCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        NameserversCommand::Show => {
            let list = client.nameservers_get().await?.into_inner();
            match output {
                Output::Json => print_json_of(&list),
                Output::Text => list.nameservers.iter().for_each(|ns| println!("{ns}")),
            }
        }
        NameserversCommand::Set { nameservers, yes } => {
            confirm(
                &format!(
                    "the platform nameservers become {} and every zone's apex NS is rewritten",
                    nameservers.join(" ")
                ),
                *yes,
            )?;
            let body = NameserverSetRequest {
                nameservers: nameservers.clone(),
            };
            let set = client.nameservers_set(&body).await?.into_inner();
            match output {
                Output::Json => print_json_of(&set),
                Output::Text => println!(
                    "nameservers now {}; {} zones updated",
                    set.nameservers.join(" "),
                    set.zones_updated
                ),
            }
        }
    }
    Ok(())
}
