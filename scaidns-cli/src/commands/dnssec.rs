//! `scaidns dnssec status|enable|disable|rotate-zsk|rotate-ksk|confirm-ds`.

use scaidns_client::Client;
use scaidns_client::types::{DnssecConfirmRequest, DnssecEnableRequest, DnssecResponse};

use serde_json::json;

use crate::cli::{DnssecCommand, Output};
use crate::commands::plan;
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, print_json_of, print_table};

/// Runs one `dnssec` subcommand.
pub async fn run(client: &Client, cmd: &DnssecCommand, output: Output) -> Result<(), Failure> {
    let state = match cmd {
        DnssecCommand::Status { zone } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            client.dnssec_get(&id).await?.into_inner()
        }
        DnssecCommand::Enable {
            zone,
            algorithm,
            dry_run,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = DnssecEnableRequest {
                algorithm: algorithm.map(i64::from),
            };
            if *dry_run {
                let params = [("domain_id", json!(id))];
                return plan::show(
                    client,
                    "dnssec_enable",
                    &params,
                    serde_json::to_value(&body).ok(),
                    output,
                )
                .await;
            }
            client.dnssec_enable(&id, &body).await?.into_inner()
        }
        DnssecCommand::Disable {
            zone,
            force,
            dry_run,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            if *dry_run {
                let params = [("domain_id", json!(id)), ("force", json!(force))];
                return plan::show(client, "dnssec_disable", &params, None, output).await;
            }
            client
                .dnssec_disable(&id, force.then_some(true))
                .await?
                .into_inner()
        }
        DnssecCommand::RotateZsk { zone } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.dnssec_rotate_zsk(&id).await?.into_inner()
        }
        DnssecCommand::RotateKsk { zone } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.dnssec_rotate_ksk(&id).await?.into_inner()
        }
        DnssecCommand::ConfirmDs { zone, key_tag } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = DnssecConfirmRequest {
                key_tag: key_tag.map(i64::from),
            };
            client.dnssec_confirm_ds(&id, &body).await?.into_inner()
        }
    };
    match output {
        Output::Json => print_json_of(&state),
        Output::Text => print_state(&state),
    }
    Ok(())
}

fn print_state(s: &DnssecResponse) {
    println!("{}", s.message);
    println!("status: {}", s.status);
    if !s.enabled {
        return;
    }
    let rows: Vec<Vec<String>> = s
        .ksk
        .iter()
        .chain(&s.zsk)
        .map(|k| {
            vec![
                k.key_type.clone(),
                k.key_tag.to_string(),
                k.algorithm.to_string(),
                k.state.clone(),
                if k.active { "yes" } else { "no" }.to_owned(),
                k.expires_at
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "-".to_owned()),
            ]
        })
        .collect();
    println!();
    print_table(&["TYPE", "TAG", "ALG", "STATE", "SIGNS", "EXPIRES"], &rows);
    if !s.ds_records.is_empty() {
        println!("\nDS records for the parent zone (registrar):");
        for ds in &s.ds_records {
            println!("  {}", ds.record);
        }
    }
}
