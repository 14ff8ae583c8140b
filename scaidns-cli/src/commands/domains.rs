//! `scaidns domains list|create|show|update|delete|restore` (history, diff and restoring a
//! generation: `zone_history`).

use std::io::IsTerminal;

use scaidns_client::Client;
use scaidns_client::types::{
    DomainCreateRequest, DomainResponse, DomainTypeDto, DomainUpdateRequest, ZoneStatusDto,
};
use serde_json::json;

use crate::cli::{DomainsCommand, Output};
use crate::commands::plan;
use crate::commands::validation::print_instructions;
use crate::commands::zone_ref::{Deleted, Purpose, zone, zone_id};
use crate::output::{
    Failure, INVALID, json_object, not_published_note, print_json, print_json_of, print_table,
    sync_status_header, when,
};

/// Runs one `domains` subcommand.
pub async fn run(client: &Client, cmd: &DomainsCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        DomainsCommand::List {
            status,
            search,
            include_deleted,
        } => {
            let status = status.as_deref().map(parse_status).transpose()?;
            list(client, status, search.as_deref(), *include_deleted, output).await
        }
        DomainsCommand::Create {
            name,
            description,
            default_ttl,
            domain_type,
            validate,
            secondary,
            primaries,
            tsig_name,
            tsig_algorithm,
            tsig_secret_file,
            dry_run,
        } => {
            let domain_type = if *secondary {
                Some(DomainTypeDto::Secondary)
            } else {
                domain_type.as_deref().map(parse_type).transpose()?
            };
            let tsig_secret = tsig_secret_file
                .as_deref()
                .map(|path| {
                    std::fs::read_to_string(path)
                        .map(|text| text.trim().to_owned())
                        .map_err(|e| {
                            Failure::new(
                                INVALID,
                                format!("--tsig-secret-file {}: {e}", path.display()),
                            )
                        })
                })
                .transpose()?;
            let body = DomainCreateRequest {
                cidr: None,
                name: name.clone(),
                description: description.clone(),
                default_ttl: *default_ttl,
                domain_type,
                settings: None,
                skip_validation: validate.then_some(false),
                template_id: None,
                template_variables: Default::default(),
                primaries: primaries.clone(),
                tsig_key_name: tsig_name.clone(),
                tsig_algorithm: tsig_algorithm.clone(),
                tsig_secret,
            };
            if *dry_run {
                return plan::show(
                    client,
                    "zone_create",
                    &[],
                    serde_json::to_value(&body).ok(),
                    output,
                )
                .await;
            }
            let created = client.zone_create(&body).await?.into_inner();
            show(&created, output, "created");
            Ok(())
        }
        DomainsCommand::Show {
            zone: arg,
            include_deleted,
        } => {
            let deleted = if *include_deleted {
                Deleted::Allow
            } else {
                Deleted::Exclude
            };
            let mut found = zone(client, arg, deleted, Purpose::Read).await?;
            if found.domain_type == DomainTypeDto::Secondary && found.transfer.is_none() {
                // Found by name in a list: the transfer state comes with the single zone.
                found = client
                    .zone_get(&found.id, Some(deleted != Deleted::Exclude))
                    .await?
                    .into_inner();
            }
            show(&found, output, "");
            Ok(())
        }
        DomainsCommand::Update {
            zone: arg,
            description,
            default_ttl,
            settings,
            dry_run,
        } => {
            let settings = json_object("--settings", settings.as_deref())?;
            let id = zone_id(client, arg, Deleted::Exclude, Purpose::Write).await?;
            let body = DomainUpdateRequest {
                description: description.clone(),
                default_ttl: *default_ttl,
                settings,
            };
            if *dry_run {
                let params = [("domain_id", json!(id))];
                return plan::show(
                    client,
                    "zone_update",
                    &params,
                    serde_json::to_value(&body).ok(),
                    output,
                )
                .await;
            }
            let updated = client.zone_update(&id, &body).await?.into_inner();
            show(&updated, output, "updated");
            Ok(())
        }
        DomainsCommand::Delete {
            zone: arg,
            hard,
            force,
            dry_run,
        } => {
            let deleted = if *hard {
                Deleted::Allow
            } else {
                Deleted::Exclude
            };
            let target = zone(client, arg, deleted, Purpose::Write).await?;
            if *dry_run {
                let params = [
                    ("domain_id", json!(target.id)),
                    ("hard", json!(hard)),
                    ("force", json!(force)),
                ];
                return plan::show(client, "zone_delete", &params, None, output).await;
            }
            let done = client
                .zone_delete(&target.id, Some(*force), Some(*hard))
                .await?;
            if let Some(note) = not_published_note(&sync_status_header(done.headers()), None, None)
            {
                eprintln!("{note}");
            }
            let how = if *hard { "permanently" } else { "soft-" };
            match output {
                Output::Json => print_json(&json!({
                    "id": target.id, "name": target.name, "deleted": true, "hard": hard,
                })),
                Output::Text if *hard => println!("deleted zone {} {how}", target.name),
                Output::Text => println!(
                    "{how}deleted zone {} (restore with: scaidns domains restore {})",
                    target.name, target.id
                ),
            }
            Ok(())
        }
        DomainsCommand::Restore {
            zone: arg,
            generation: Some(generation),
            yes,
        } => crate::commands::zone_history::restore(client, arg, *generation, *yes, output).await,
        DomainsCommand::History {
            zone,
            generation: None,
        } => crate::commands::zone_history::history(client, zone, output).await,
        DomainsCommand::History {
            zone,
            generation: Some(generation),
        } => crate::commands::zone_history::step(client, zone, *generation, output).await,
        DomainsCommand::Retrieve { zone } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.zone_retrieve(&id).await?;
            match output {
                Output::Json => crate::output::print_json(
                    &serde_json::json!({"domain_id": id, "transfer": "requested"}),
                ),
                Output::Text => println!(
                    "transfer of {zone} requested; `scaidns domains show {zone}` reports its outcome"
                ),
            }
            Ok(())
        }
        DomainsCommand::Diff { zone, from, to } => {
            crate::commands::zone_history::diff(client, zone, *from, *to, output).await
        }
        DomainsCommand::Restore { zone: arg, .. } => {
            let id = zone_id(client, arg, Deleted::Only, Purpose::Write).await?;
            let restored = client.zone_restore(&id).await?.into_inner();
            show(&restored, output, "restored");
            Ok(())
        }
        DomainsCommand::Export { zone, format, file } => {
            crate::commands::zone_export::run(client, zone, format, file.as_deref(), output).await
        }
        DomainsCommand::Import { .. } => crate::commands::import::run(client, cmd, output).await,
    }
}

async fn list(
    client: &Client,
    status: Option<ZoneStatusDto>,
    search: Option<&str>,
    include_deleted: bool,
    output: Output,
) -> Result<(), Failure> {
    let progress = output == Output::Text && std::io::stderr().is_terminal();
    let zones: Vec<DomainResponse> = scaidns_client::collect_pages(100, |page, size| async move {
        let r = client
            .zone_list(
                None,
                None,
                Some(include_deleted),
                Some(page),
                Some(size),
                search,
                status,
            )
            .await?
            .into_inner();
        if progress && r.total_pages > 1 {
            eprint!("\rfetched page {page} of {}", r.total_pages);
            if u64::from(page) >= r.total_pages {
                eprintln!();
            }
        }
        Ok::<_, Failure>((r.data, r.total))
    })
    .await?;
    match output {
        Output::Json => print_json(&json!({ "data": zones, "total": zones.len() })),
        Output::Text if zones.is_empty() => println!("no zones"),
        Output::Text => {
            let rows: Vec<Vec<String>> = zones
                .iter()
                .map(|z| {
                    vec![
                        z.name.clone(),
                        z.status.to_string(),
                        z.domain_type.to_string(),
                        z.sync_status.to_string(),
                        if z.dnssec_enabled { "yes" } else { "no" }.to_owned(),
                        when(&z.created_at),
                        z.id.clone(),
                    ]
                })
                .collect();
            print_table(
                &["NAME", "STATUS", "TYPE", "SYNC", "DNSSEC", "CREATED", "ID"],
                &rows,
            );
        }
    }
    Ok(())
}

fn show(z: &DomainResponse, output: Output, verb: &str) {
    if !verb.is_empty() {
        let note = not_published_note(
            &z.sync_status.to_string(),
            z.sync_error.as_deref(),
            z.next_retry_at.as_ref(),
        );
        if let Some(note) = note {
            eprintln!("{note}");
        }
    }
    if output == Output::Json {
        print_json_of(&z);
        return;
    }
    if !verb.is_empty() {
        println!("{verb} zone {} ({})", z.name, z.status);
    }
    let mut rows = vec![
        ("name", z.name.clone()),
        ("id", z.id.clone()),
        ("status", z.status.to_string()),
        ("type", z.domain_type.to_string()),
        ("default ttl", z.default_ttl.to_string()),
        (
            "description",
            z.description.clone().unwrap_or_else(|| "-".into()),
        ),
        ("dnssec", if z.dnssec_enabled { "on" } else { "off" }.into()),
        ("sync", z.sync_status.to_string()),
        ("tenant", z.tenant_id.clone()),
        ("created", when(&z.created_at)),
        ("updated", when(&z.updated_at)),
    ];
    if let Some(error) = &z.sync_error {
        rows.push(("sync error", error.clone()));
    }
    if let Some(at) = &z.deleted_at {
        rows.push(("deleted", when(at)));
    }
    if !z.primaries.is_empty() {
        rows.push(("primaries", z.primaries.join(", ")));
    }
    if let Some(key) = &z.tsig_key_name {
        let algorithm = z.tsig_algorithm.as_deref().unwrap_or("-");
        rows.push(("tsig key", format!("{key} ({algorithm})")));
    }
    if let Some(t) = &z.transfer {
        rows.push((
            "serial",
            t.serial.map_or_else(|| "-".to_owned(), |s| s.to_string()),
        ));
        rows.push((
            "transferred",
            t.last_transfer_at
                .as_ref()
                .map_or_else(|| "-".to_owned(), when),
        ));
        if let Some(error) = &t.last_error {
            rows.push(("xfr error", error.clone()));
        }
    }
    for (key, value) in rows {
        println!("  {key:<12} {value}");
    }
    if let Some(v) = &z.validation {
        println!();
        print_instructions(&z.name, v);
    }
}

fn parse_status(raw: &str) -> Result<ZoneStatusDto, Failure> {
    raw.parse().map_err(|_| {
        Failure::new(
            crate::output::USAGE,
            format!(
                "--status: '{raw}' is not one of pending_validation, active, inactive, deleted"
            ),
        )
    })
}

fn parse_type(raw: &str) -> Result<DomainTypeDto, Failure> {
    raw.parse().map_err(|_| {
        Failure::new(
            crate::output::USAGE,
            format!("--type: '{raw}' is not one of primary, secondary, reverse_ipv4, reverse_ipv6"),
        )
    })
}
