//! `scaidns partners list|show` and `scaidns config list|get|set`: platform administration
//! through the client (platform admins). Tenants are in `tenants.rs`.

use scaidns_client::Client;
use scaidns_client::types::{ConfigItem, ConfigSetRequest, PartnerResponse};
use serde_json::json;

use crate::cli::{ConfigCommand, Output, PartnersCommand};
use crate::output::{Failure, print_json, print_json_of, print_table, when};

/// Runs one `partners` subcommand.
pub async fn partners(
    client: &Client,
    cmd: &PartnersCommand,
    output: Output,
) -> Result<(), Failure> {
    let partners = match cmd {
        PartnersCommand::List => client.partner_list().await?.into_inner().data,
        PartnersCommand::Show { partner } => vec![client.partner_get(partner).await?.into_inner()],
    };
    match (output, cmd) {
        (Output::Json, PartnersCommand::List) => {
            print_json(&json!({ "data": partners, "total": partners.len() }))
        }
        (Output::Json, PartnersCommand::Show { .. }) => print_json_of(&partners[0]),
        (Output::Text, _) => print_table(
            &["ID", "PROVIDER ID", "NAME", "STATUS", "UPDATED"],
            &partners.iter().map(partner_row).collect::<Vec<_>>(),
        ),
    }
    Ok(())
}

fn partner_row(p: &PartnerResponse) -> Vec<String> {
    vec![
        p.id.clone(),
        p.scaikey_partner_id.clone(),
        p.name.clone(),
        p.status.clone(),
        when(&p.updated_at),
    ]
}

/// Runs one `config` subcommand.
pub async fn config(client: &Client, cmd: &ConfigCommand, output: Output) -> Result<(), Failure> {
    let items = match cmd {
        ConfigCommand::List => client.config_list().await?.into_inner().configs,
        ConfigCommand::Get { key } => vec![client.config_get(key).await?.into_inner()],
        ConfigCommand::Set { key, value } => vec![
            client
                .config_set(
                    key,
                    &ConfigSetRequest {
                        value: value.clone(),
                    },
                )
                .await?
                .into_inner(),
        ],
    };
    match (output, cmd) {
        (Output::Json, ConfigCommand::List) => print_json(&json!({ "configs": items })),
        (Output::Json, _) => print_json_of(&items[0]),
        (Output::Text, _) => print_table(
            &["KEY", "VALUE", "SOURCE", "DEFAULT", "DESCRIPTION"],
            &items.iter().map(config_row).collect::<Vec<_>>(),
        ),
    }
    Ok(())
}

fn config_row(c: &ConfigItem) -> Vec<String> {
    vec![
        c.key.clone(),
        c.value.clone(),
        c.source.clone(),
        c.default.clone(),
        c.description.clone(),
    ]
}
