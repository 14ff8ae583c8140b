//! `scaidns audit list|show`: the audit log through the client.

use scaidns_client::Client;
use scaidns_client::types::AuditLogResponse;
use serde_json::json;

use crate::cli::{AuditCommand, AuditFilterArgs, Output};
use crate::output::{Failure, print_json, print_json_of, print_table};

/// Runs one `audit` subcommand.
pub async fn run(client: &Client, cmd: &AuditCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        AuditCommand::List {
            filter,
            page,
            page_size,
            all,
        } => list(client, filter, *page, *page_size, *all, output).await,
        AuditCommand::Show { id } => {
            let entry = client.audit_get(id).await?.into_inner();
            match output {
                Output::Json => print_json_of(&entry),
                Output::Text => show(&entry),
            }
            Ok(())
        }
    }
}

async fn fetch(
    client: &Client,
    f: &AuditFilterArgs,
    page: u32,
    size: u32,
) -> Result<(Vec<AuditLogResponse>, u64), Failure> {
    let r = client
        .audit_list(
            f.action.as_deref(),
            f.actor_id.as_deref(),
            f.actor_type.as_deref(),
            f.until.as_ref(),
            Some(page),
            Some(size),
            f.resource_id.as_deref(),
            f.resource_type.as_deref(),
            f.since.as_ref(),
            f.tenant_id.as_deref(),
        )
        .await?
        .into_inner();
    Ok((r.data, r.total))
}

async fn list(
    client: &Client,
    filter: &AuditFilterArgs,
    page: u32,
    page_size: u32,
    all: bool,
    output: Output,
) -> Result<(), Failure> {
    let (entries, total) = if all {
        let entries =
            scaidns_client::collect_pages(100, |page, size| fetch(client, filter, page, size))
                .await?;
        let total = entries.len() as u64;
        (entries, total)
    } else {
        fetch(client, filter, page, page_size).await?
    };
    match output {
        Output::Json => print_json(&json!({ "data": entries, "total": total })),
        Output::Text => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.timestamp.format("%Y-%m-%d %H:%M:%S").to_string(),
                        e.action.clone(),
                        actor(e),
                        resource(e),
                        e.id.clone(),
                    ]
                })
                .collect();
            print_table(&["TIME", "ACTION", "ACTOR", "RESOURCE", "ID"], &rows);
            if !all && total > entries.len() as u64 {
                eprintln!(
                    "page {page} of {} ({total} entries); --page N or --all for more",
                    total.div_ceil(u64::from(page_size.max(1)))
                );
            }
        }
    }
    Ok(())
}

fn actor(e: &AuditLogResponse) -> String {
    let who = e
        .actor_email
        .as_deref()
        .or(e.actor_id.as_deref())
        .unwrap_or("-");
    format!("{} {who}", e.actor_type)
}

fn resource(e: &AuditLogResponse) -> String {
    let what = e
        .resource_name
        .as_deref()
        .or(e.resource_id.as_deref())
        .unwrap_or("-");
    // A record's name alone is ambiguous (`@` is the apex of every type): add its type.
    let rtype = ["after", "before"]
        .iter()
        .find_map(|side| e.details[*side]["type"].as_str())
        .filter(|_| e.resource_type == "record");
    match rtype {
        Some(rtype) => format!("{} {what} {rtype}", e.resource_type),
        None => format!("{} {what}", e.resource_type),
    }
}

fn show(e: &AuditLogResponse) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let rows = [
        ("id", e.id.clone()),
        ("time", e.timestamp.to_rfc3339()),
        ("action", e.action.clone()),
        ("actor", actor(e)),
        ("actor id", opt(&e.actor_id)),
        ("tenant", opt(&e.tenant_id)),
        ("resource", resource(e)),
        ("resource id", opt(&e.resource_id)),
        ("request id", opt(&e.request_id)),
        ("ip address", opt(&e.ip_address)),
        ("user agent", opt(&e.user_agent)),
    ];
    for (label, value) in rows {
        println!("{label:<12} {value}");
    }
    for side in ["before", "after"] {
        let v = &e.details[side];
        if !v.is_null() {
            println!(
                "{side}:\n{}",
                serde_json::to_string_pretty(v).unwrap_or_default()
            );
        }
    }
}
