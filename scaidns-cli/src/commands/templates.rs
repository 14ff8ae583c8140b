//! `scaidns templates list|show|create|update|delete|variables|preview|apply`. A template
//! argument is a name or an id; names are looked up among the templates the caller sees
//! (system and the tenant's own).

use std::collections::BTreeMap;

use scaidns_client::Client;
use serde_json::{Value, json};

use crate::cli::{Output, TemplatesCommand};
use crate::commands::json_file;
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, INVALID, NOT_FOUND, USAGE, print_json, print_table};

/// Runs one `templates` subcommand.
pub async fn run(client: &Client, cmd: &TemplatesCommand, output: Output) -> Result<(), Failure> {
    let value = match cmd {
        TemplatesCommand::List { template_type } => {
            let all = list(client, template_type.as_deref()).await?;
            if output == Output::Text {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|t| {
                        vec![
                            text(&t["id"]),
                            text(&t["name"]),
                            text(&t["template_type"]),
                            t["record_count"].to_string(),
                            t["variable_count"].to_string(),
                        ]
                    })
                    .collect();
                print_table(&["ID", "NAME", "TYPE", "RECORDS", "VARIABLES"], &rows);
                return Ok(());
            }
            Value::Array(all)
        }
        TemplatesCommand::Show { template } => {
            let id = template_id(client, template).await?;
            let t = serde_json::to_value(client.template_get(&id).await?.into_inner())
                .map_err(json_failure)?;
            if output == Output::Text {
                print_template(&t);
                return Ok(());
            }
            t
        }
        TemplatesCommand::Create { file } => {
            let body = json_file::read(file, "a template (name, description, records, variables)")?;
            let t = serde_json::to_value(client.template_create(&body).await?.into_inner())
                .map_err(json_failure)?;
            if output == Output::Text {
                println!("created template {} ({})", text(&t["name"]), text(&t["id"]));
                return Ok(());
            }
            t
        }
        TemplatesCommand::Update { template, file } => {
            let id = template_id(client, template).await?;
            let body = json_file::read(
                file,
                "a template change (name, description, records, variables)",
            )?;
            let t = serde_json::to_value(client.template_update(&id, &body).await?.into_inner())
                .map_err(json_failure)?;
            if output == Output::Text {
                println!("updated template {} ({})", text(&t["name"]), text(&t["id"]));
                return Ok(());
            }
            t
        }
        TemplatesCommand::Delete { template } => {
            let id = template_id(client, template).await?;
            client.template_delete(&id).await?;
            if output == Output::Text {
                println!("deleted template {template} ({id})");
                return Ok(());
            }
            json!({"deleted": id})
        }
        TemplatesCommand::Variables => {
            let vars =
                serde_json::to_value(client.template_builtin_variables().await?.into_inner())
                    .map_err(json_failure)?;
            if output == Output::Text {
                let rows: Vec<Vec<String>> = vars
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| {
                        vec![
                            format!("${{{}}}", text(&v["name"])),
                            text(&v["description"]),
                        ]
                    })
                    .collect();
                print_table(&["VARIABLE", "DESCRIPTION"], &rows);
                return Ok(());
            }
            vars
        }
        TemplatesCommand::Preview {
            template,
            zone,
            vars,
        } => {
            let id = template_id(client, template).await?;
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let body = serde_json::from_value(json!({"variables": variables(vars)?}))
                .map_err(json_failure)?;
            let p = serde_json::to_value(
                client
                    .template_preview(&id, &zone, &body)
                    .await?
                    .into_inner(),
            )
            .map_err(json_failure)?;
            if output == Output::Text {
                print_records(&p["records"], "error");
                return Ok(());
            }
            p
        }
        TemplatesCommand::Apply {
            template,
            zone,
            vars,
            dry_run,
        } => {
            let id = template_id(client, template).await?;
            let zone = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let raw = json!({"domain_id": zone, "variables": variables(vars)?});
            if *dry_run {
                let params = [("template_id", json!(id))];
                return crate::commands::plan::show(
                    client,
                    "template_apply",
                    &params,
                    Some(raw),
                    output,
                )
                .await;
            }
            let body = serde_json::from_value(raw).map_err(json_failure)?;
            let a = serde_json::to_value(client.template_apply(&id, &body).await?.into_inner())
                .map_err(json_failure)?;
            if output == Output::Text {
                println!(
                    "created {}, skipped {}",
                    a["total_created"], a["total_skipped"]
                );
                print_records(&a["skipped_records"], "reason");
                return Ok(());
            }
            a
        }
    };
    print_json(&value);
    Ok(())
}

async fn list(client: &Client, template_type: Option<&str>) -> Result<Vec<Value>, Failure> {
    let mut all = Vec::new();
    for page in 1.. {
        let body = serde_json::to_value(
            client
                .template_list(Some(page), Some(100), template_type)
                .await?
                .into_inner(),
        )
        .map_err(json_failure)?;
        let data = body["data"].as_array().cloned().unwrap_or_default();
        let done = data.len() < 100;
        all.extend(data);
        if done {
            break;
        }
    }
    Ok(all)
}

/// The id of a template given by name or id.
async fn template_id(client: &Client, arg: &str) -> Result<String, Failure> {
    if arg.parse::<scaidns_core::ids::TemplateId>().is_ok() {
        return Ok(arg.trim().to_owned());
    }
    let all = list(client, None).await?;
    let found: Vec<&Value> = all.iter().filter(|t| t["name"] == arg).collect();
    match found.as_slice() {
        [one] => Ok(text(&one["id"])),
        [] => Err(Failure::new(NOT_FOUND, format!("no template named {arg}"))),
        // A custom template may share a system template's name: ask for the id.
        many => Err(Failure::new(
            USAGE,
            format!(
                "several templates are named {arg}; give an id: {}",
                many.iter()
                    .map(|t| text(&t["id"]))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// `NAME=VALUE` arguments as a map.
fn variables(vars: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    vars.iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Failure::new(USAGE, format!("--var {v}: expected NAME=VALUE")))
        })
        .collect()
}

fn print_template(t: &Value) {
    println!(
        "{} ({}, {})",
        text(&t["name"]),
        text(&t["template_type"]),
        text(&t["id"])
    );
    if let Some(d) = t["description"].as_str() {
        println!("{d}");
    }
    println!();
    print_records(&t["records"], "");
    let rows: Vec<Vec<String>> = t["variables"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            vec![
                text(&v["name"]),
                if v["required"] == true { "yes" } else { "no" }.to_owned(),
                text(&v["default"]),
                text(&v["pattern"]),
                text(&v["description"]),
            ]
        })
        .collect();
    if !rows.is_empty() {
        println!();
        print_table(
            &["VARIABLE", "REQUIRED", "DEFAULT", "PATTERN", "DESCRIPTION"],
            &rows,
        );
    }
}

/// A table of records (`name`, `type`, `content`), with `extra` as a last column when given.
fn print_records(records: &Value, extra: &str) {
    let rows: Vec<Vec<String>> = records
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let mut row = vec![text(&r["name"]), text(&r["type"]), text(&r["content"])];
            if !extra.is_empty() {
                row.push(text(&r[extra]));
            }
            row
        })
        .collect();
    let mut headers = vec!["NAME", "TYPE", "CONTENT"];
    if !extra.is_empty() {
        headers.push("NOTE");
    }
    print_table(&headers, &rows);
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_failure(e: serde_json::Error) -> Failure {
    Failure::new(INVALID, e.to_string())
}
