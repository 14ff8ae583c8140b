//! `scaidns reverse-zones preview|create|list|delegate|delegations|delegations-received|
//! revoke-delegation` and
//! `scaidns ptr add|bulk-add|list|delete|lookup`: reverse zones from a CIDR block and PTRs by
//! address (spec §8).
//!
//! Request bodies are built from JSON and answers read as JSON, so the commands follow the
//! documented fields rather than the generated types' shapes.

use scaidns_client::Client;
use scaidns_client::types::PtrBulkRequest;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cli::{Output, PtrCommand, ReverseZonesCommand};
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, INVALID, print_json, print_table};

/// A list of delegations: as it came with `--json`, else these fields under these headers.
fn print_delegations(output: Output, got: &Value, fields: &[&str], headers: &[&str]) {
    match output {
        Output::Json => print_json(got),
        Output::Text => {
            let rows: Vec<Vec<String>> = got["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| fields.iter().map(|f| text(&d[*f])).collect())
                .collect();
            print_table(headers, &rows);
        }
    }
}

/// Items per page when a list command fetches every page (the server's largest page).
const PAGE_SIZE: u32 = 100;

/// Runs one `reverse-zones` subcommand.
pub async fn zones(
    client: &Client,
    cmd: &ReverseZonesCommand,
    output: Output,
) -> Result<(), Failure> {
    match cmd {
        ReverseZonesCommand::Preview { cidr } => {
            let plan = value(
                client
                    .reverse_zone_preview(&body(json!({ "cidr": cidr }))?)
                    .await?
                    .into_inner(),
            );
            match output {
                Output::Json => print_json(&plan),
                Output::Text => print_plan(&plan),
            }
        }
        ReverseZonesCommand::Create {
            cidr,
            ttl,
            description,
        } => {
            let made = value(
                client
                    .reverse_zone_create(&body(json!({
                        "cidr": cidr, "default_ttl": ttl, "description": description,
                    }))?)
                    .await?
                    .into_inner(),
            );
            match output {
                Output::Json => print_json(&made),
                Output::Text => {
                    println!(
                        "created {} ({}) for {}, {}",
                        text(&made["name"]),
                        text(&made["id"]),
                        text(&made["reverse"]["cidr"]),
                        text(&made["status"])
                    );
                    if made["reverse"]["parent_cnames"]
                        .as_array()
                        .is_some_and(|c| !c.is_empty())
                    {
                        if made["parent_cnames_created"] == true {
                            println!(
                                "the CNAMEs were added to {}",
                                text(&made["reverse"]["parent_zone"])
                            );
                        } else {
                            println!(
                                "the parent {} needs these CNAMEs (not added: not a zone you may write):",
                                text(&made["reverse"]["parent_zone"])
                            );
                            print_cnames(&made["reverse"]);
                        }
                    }
                }
            }
        }
        ReverseZonesCommand::List { search } => {
            let mut zones = Vec::new();
            for page in 1.. {
                let got = value(
                    client
                        .reverse_zone_list(Some(page), Some(PAGE_SIZE), search.as_deref())
                        .await?
                        .into_inner(),
                );
                let data = got["data"].as_array().cloned().unwrap_or_default();
                let done = data.is_empty() || page_is_last(&got, page);
                zones.extend(data);
                if done {
                    break;
                }
            }
            match output {
                Output::Json => print_json(&json!({ "data": zones, "total": zones.len() })),
                Output::Text => {
                    let rows: Vec<Vec<String>> = zones
                        .iter()
                        .map(|z| {
                            ["id", "name", "domain_type", "status"]
                                .iter()
                                .map(|f| text(&z[*f]))
                                .collect()
                        })
                        .collect();
                    print_table(&["ID", "NAME", "TYPE", "STATUS"], &rows);
                }
            }
        }
        ReverseZonesCommand::Delegate { zone, cidr, tenant } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let made = value(
                client
                    .classless_delegation_create(
                        &id,
                        &body(json!({ "cidr": cidr, "tenant_id": tenant }))?,
                    )
                    .await?
                    .into_inner(),
            );
            match output {
                Output::Json => print_json(&made),
                Output::Text => println!(
                    "delegated {} to tenant {} ({}); it may now create {}",
                    text(&made["cidr"]),
                    text(&made["tenant_id"]),
                    text(&made["id"]),
                    text(&made["zone_name"])
                ),
            }
        }
        ReverseZonesCommand::Delegations { zone } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let got = value(client.classless_delegation_list(&id).await?.into_inner());
            print_delegations(
                output,
                &got,
                &["id", "cidr", "tenant_id", "zone_name"],
                &["ID", "RANGE", "TENANT", "ZONE"],
            );
        }
        ReverseZonesCommand::DelegationsReceived => {
            let got = value(
                client
                    .classless_delegation_received_list()
                    .await?
                    .into_inner(),
            );
            print_delegations(
                output,
                &got,
                &["id", "cidr", "parent_zone_name", "zone_name"],
                &["ID", "RANGE", "LENT BY ZONE", "ZONE TO CREATE"],
            );
        }
        ReverseZonesCommand::RevokeDelegation {
            zone,
            id: delegation,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.classless_delegation_revoke(&id, delegation).await?;
            match output {
                Output::Json => print_json(&json!({ "id": delegation, "revoked": true })),
                Output::Text => println!("revoked delegation {delegation}"),
            }
        }
    }
    Ok(())
}

/// Runs one `ptr` subcommand.
pub async fn ptr(client: &Client, cmd: &PtrCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        PtrCommand::Add {
            zone,
            ip,
            hostname,
            ttl,
            replace,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let made = value(
                client
                    .ptr_create(
                        &id,
                        &body(json!({
                            "ip": ip, "hostname": hostname, "ttl": ttl, "replace": replace,
                        }))?,
                    )
                    .await?
                    .into_inner(),
            );
            match output {
                Output::Json => print_json(&made),
                Output::Text => println!(
                    "added PTR {} -> {} ({})",
                    text(&made["ip"]),
                    text(&made["hostname"]),
                    text(&made["id"])
                ),
            }
        }
        PtrCommand::List { zone, search } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let mut ptrs = Vec::new();
            for page in 1.. {
                let got = value(
                    client
                        .ptr_list(&id, Some(page), Some(PAGE_SIZE), search.as_deref())
                        .await?
                        .into_inner(),
                );
                let data = got["data"].as_array().cloned().unwrap_or_default();
                let done = data.is_empty() || page_is_last(&got, page);
                ptrs.extend(data);
                if done {
                    break;
                }
            }
            match output {
                Output::Json => print_json(&json!({ "data": ptrs, "total": ptrs.len() })),
                Output::Text => {
                    let rows: Vec<Vec<String>> = ptrs
                        .iter()
                        .map(|p| {
                            ["ip", "hostname", "ttl", "id"]
                                .iter()
                                .map(|f| text(&p[*f]))
                                .collect()
                        })
                        .collect();
                    print_table(&["IP", "HOSTNAME", "TTL", "ID"], &rows);
                }
            }
        }
        PtrCommand::Delete { zone, ip } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            client.ptr_delete(&id, ip).await?;
            match output {
                Output::Json => print_json(&json!({ "ip": ip, "deleted": true })),
                Output::Text => println!("deleted the PTR of {ip}"),
            }
        }
        PtrCommand::BulkAdd { zone, file } => {
            let request: PtrBulkRequest = crate::commands::json_file::read(
                file,
                r#"a bulk PTR request ({"ptrs": [{"ip", "hostname", "ttl"?}], "replace"?})"#,
            )?;
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let made = client.ptr_bulk_create(&id, &request).await?.into_inner();
            match output {
                Output::Json => print_json(&value(made)),
                Output::Text => {
                    println!("added {} PTR(s)", made.created.len());
                    let rows: Vec<Vec<String>> = made
                        .created
                        .iter()
                        .map(|p| vec![p.ip.clone(), p.hostname.clone()])
                        .collect();
                    print_table(&["IP", "HOSTNAME"], &rows);
                }
            }
        }
        PtrCommand::Lookup { ip } => {
            let found = value(client.ptr_lookup(ip).await?.into_inner());
            match output {
                Output::Json => print_json(&found),
                Output::Text => println!(
                    "{} -> {} (zone {}, ttl {})",
                    text(&found["ip"]),
                    text(&found["hostname"]),
                    text(&found["zone_name"]),
                    text(&found["ttl"])
                ),
            }
        }
    }
    Ok(())
}

fn print_plan(plan: &Value) {
    println!("zone:   {}", text(&plan["zone_name"]));
    println!("type:   {}", text(&plan["domain_type"]));
    println!(
        "range:  {} – {} ({} addresses)",
        text(&plan["start_ip"]),
        text(&plan["end_ip"]),
        text(&plan["ip_count"])
    );
    if !plan["parent_zone"].is_null() {
        println!("parent: {} needs these CNAMEs:", text(&plan["parent_zone"]));
        print_cnames(plan);
    }
}

fn print_cnames(plan: &Value) {
    let rows: Vec<Vec<String>> = plan["parent_cnames"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| vec![text(&c["name"]), "CNAME".to_owned(), text(&c["target"])])
                .collect()
        })
        .unwrap_or_default();
    print_table(&["NAME", "TYPE", "TARGET"], &rows);
}

fn page_is_last(got: &Value, page: u32) -> bool {
    got["total_pages"]
        .as_u64()
        .is_none_or(|pages| u64::from(page) >= pages)
}

/// A request body from its JSON form (`null` fields left out).
fn body<T: DeserializeOwned>(mut v: Value) -> Result<T, Failure> {
    if let Value::Object(map) = &mut v {
        map.retain(|_, v| !v.is_null());
    }
    serde_json::from_value(v).map_err(|e| Failure::new(INVALID, e.to_string()))
}

fn value<T: Serialize>(answer: T) -> Value {
    serde_json::to_value(answer).unwrap_or_default()
}

/// A field as text: strings without quotes, a whole number without a fraction.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map_or_else(|| n.to_string(), |f| format!("{f:.0}")),
        other => other.to_string(),
    }
}
