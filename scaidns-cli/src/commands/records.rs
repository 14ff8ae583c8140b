//! `scaidns records list|show|types|search|add|update|delete` (`bulk` and `bulk-delete` are in
//! `records_bulk`).

use scaidns_client::Client;
use scaidns_client::types::{
    RecordCreateRequest, RecordHitResponse, RecordResponse, RecordSearchRequest,
    RecordUpdateRequest, RecordWritten,
};
use serde_json::json;

use crate::cli::{Output, RecordsCommand};
use crate::commands::plan;
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{
    Failure, USAGE, not_published_note, print_json, print_json_of, print_table, sync_status_header,
};

/// Runs one `records` subcommand.
pub async fn run(client: &Client, cmd: &RecordsCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        RecordsCommand::Show { zone, record } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let record = client.record_get(&id, record).await?.into_inner();
            match output {
                Output::Json => print_json_of(&record),
                Output::Text => table(std::slice::from_ref(&record)),
            }
            Ok(())
        }
        RecordsCommand::Types => {
            let types = client.record_type_list().await?.into_inner();
            match output {
                Output::Json => print_json_of(&types),
                Output::Text => print_table(
                    &["TYPE", "EXAMPLE", "DESCRIPTION"],
                    &types
                        .data
                        .iter()
                        .map(|t| vec![t.type_.clone(), t.example.clone(), t.description.clone()])
                        .collect::<Vec<_>>(),
                ),
            }
            Ok(())
        }
        RecordsCommand::List {
            zone,
            rtype,
            name,
            include_system,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let domain_name = std::cell::RefCell::new(String::new());
            // The server pages record lists; the command shows them whole.
            let records = scaidns_client::collect_pages(PAGE_SIZE, |page, size| {
                let (id, name, rtype) = (&id, name.as_deref(), rtype.as_deref());
                let domain_name = &domain_name;
                async move {
                    let list = client
                        .record_list(
                            id,
                            Some(*include_system),
                            name,
                            Some(page),
                            Some(size),
                            None,
                            rtype,
                        )
                        .await?
                        .into_inner();
                    domain_name.replace(list.domain_name);
                    Ok::<_, Failure>((list.data, list.total))
                }
            })
            .await?;
            let domain_name = domain_name.into_inner();
            match output {
                Output::Json => print_json(&json!({
                    "data": records,
                    "total": records.len(),
                    "domain_id": id,
                    "domain_name": domain_name,
                })),
                Output::Text if records.is_empty() => {
                    println!("no records in {domain_name}");
                }
                Output::Text => table(&records),
            }
            Ok(())
        }
        RecordsCommand::Search { query, zone, rtype } => {
            search(client, query, zone.as_deref(), rtype.as_deref(), output).await
        }
        RecordsCommand::Add {
            zone,
            name,
            rtype,
            content,
            ttl,
            disabled,
            dry_run,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = RecordCreateRequest {
                ptr: None,
                name: name.clone(),
                type_: rtype.to_ascii_uppercase(),
                content: content.clone(),
                ttl: *ttl,
                disabled: disabled.then_some(true),
            };
            if *dry_run {
                let params = [("domain_id", json!(id))];
                return plan::show(
                    client,
                    "record_create",
                    &params,
                    serde_json::to_value(&body).ok(),
                    output,
                )
                .await;
            }
            let record = client.record_create(&id, &body).await?.into_inner();
            one(&record, output, "added");
            Ok(())
        }
        RecordsCommand::Update {
            zone,
            record,
            content,
            ttl,
            disable,
            enable,
            dry_run,
        } => {
            if content.is_none() && ttl.is_none() && !disable && !enable {
                return Err(Failure::new(
                    USAGE,
                    "nothing to change: give --content, --ttl, --disable or --enable",
                ));
            }
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = RecordUpdateRequest {
                ptr: None,
                content: content.clone(),
                ttl: *ttl,
                disabled: if *disable {
                    Some(true)
                } else {
                    enable.then_some(false)
                },
            };
            if *dry_run {
                let params = [("domain_id", json!(id)), ("record_id", json!(record))];
                return plan::show(
                    client,
                    "record_update",
                    &params,
                    serde_json::to_value(&body).ok(),
                    output,
                )
                .await;
            }
            let updated = client.record_update(&id, record, &body).await?.into_inner();
            one(&updated, output, "updated");
            Ok(())
        }
        RecordsCommand::Bulk {
            zone,
            file,
            dry_run,
        } => crate::commands::records_bulk::run(client, zone, file, *dry_run, output).await,
        RecordsCommand::BulkDelete {
            zone,
            records,
            continue_on_error,
            dry_run,
        } => {
            crate::commands::records_bulk::delete(
                client,
                zone,
                records,
                *continue_on_error,
                *dry_run,
                output,
            )
            .await
        }
        RecordsCommand::Edit { zone, yes } => {
            crate::commands::records_edit::run(client, zone, *yes, output).await
        }
        RecordsCommand::Delete {
            zone,
            record,
            dry_run,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            if *dry_run {
                let params = [("domain_id", json!(id)), ("record_id", json!(record))];
                return plan::show(client, "record_delete", &params, None, output).await;
            }
            let gone = client.record_get(&id, record).await?.into_inner();
            let done = client.record_delete(&id, record).await?;
            if let Some(note) = not_published_note(&sync_status_header(done.headers()), None, None)
            {
                eprintln!("{note}");
            }
            match output {
                Output::Json => print_json(&json!({ "id": gone.id, "deleted": true })),
                Output::Text => println!(
                    "deleted {} {} {}",
                    gone.display_name, gone.type_, gone.content
                ),
            }
            Ok(())
        }
    }
}

/// Records per request when the command fetches every page (the server's largest page).
const PAGE_SIZE: u32 = 1_000;

/// `records search`: every match, in one zone through the zone's search, else across zones.
async fn search(
    client: &Client,
    query: &str,
    zone: Option<&str>,
    rtype: Option<&str>,
    output: Output,
) -> Result<(), Failure> {
    let hits: Vec<(String, RecordResponse)> = match zone {
        Some(zone) => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let body = RecordSearchRequest {
                query: query.to_owned(),
                type_: rtype.map(str::to_ascii_uppercase),
            };
            scaidns_client::collect_pages(PAGE_SIZE, |page, size| {
                let (id, body) = (&id, &body);
                async move {
                    let list = client
                        .record_search_zone(id, Some(page), Some(size), body)
                        .await?
                        .into_inner();
                    let zone = list.domain_name;
                    let data = list.data.into_iter().map(|r| (zone.clone(), r)).collect();
                    Ok::<_, Failure>((data, list.total))
                }
            })
            .await?
        }
        None => {
            let rtype = rtype.map(str::to_ascii_uppercase);
            scaidns_client::collect_pages(PAGE_SIZE, |page, size| {
                let rtype = rtype.as_deref();
                async move {
                    let list = client
                        .record_search(Some(page), Some(size), query, rtype)
                        .await?
                        .into_inner();
                    let data = list.data.into_iter().map(hit).collect();
                    Ok::<_, Failure>((data, list.total))
                }
            })
            .await?
        }
    };
    match output {
        Output::Json => {
            let data: Vec<_> = hits
                .iter()
                .map(|(zone, r)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    v["domain_name"] = json!(zone);
                    v
                })
                .collect();
            print_json(&json!({ "data": data, "total": hits.len() }));
        }
        Output::Text if hits.is_empty() => println!("no records match {query:?}"),
        Output::Text => {
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|(zone, r)| {
                    vec![
                        zone.clone(),
                        r.display_name.clone(),
                        r.type_.clone(),
                        r.ttl.to_string(),
                        r.content.clone(),
                        r.id.clone(),
                    ]
                })
                .collect();
            print_table(&["ZONE", "NAME", "TYPE", "TTL", "CONTENT", "ID"], &rows);
        }
    }
    Ok(())
}

/// A cross-zone hit as its zone's name and the record.
fn hit(h: RecordHitResponse) -> (String, RecordResponse) {
    let record = RecordResponse {
        id: h.id,
        name: h.name,
        display_name: h.display_name,
        type_: h.type_,
        content: h.content,
        ttl: h.ttl,
        disabled: h.disabled,
        system: h.system,
        domain_id: h.domain_id,
        created_at: h.created_at,
        updated_at: h.updated_at,
    };
    (h.domain_name, record)
}

/// Prints a written record and, on stderr, whether the change is published yet.
fn one(r: &RecordWritten, output: Output, verb: &str) {
    let value = serde_json::to_value(r).unwrap_or_default();
    match output {
        Output::Json => print_json(&value),
        Output::Text => {
            println!("{verb} record {}", r.id);
            // The written record carries the record's fields and the publication state.
            if let Ok(record) = serde_json::from_value::<RecordResponse>(value) {
                table(std::slice::from_ref(&record));
            }
        }
    }
    let note = not_published_note(
        &r.sync_status.to_string(),
        r.sync_error.as_deref(),
        r.next_retry_at.as_ref(),
    );
    if let Some(note) = note {
        eprintln!("{note}");
    }
}

fn table(records: &[RecordResponse]) {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.display_name.clone(),
                r.type_.clone(),
                r.ttl.to_string(),
                r.content.clone(),
                if r.disabled { "disabled" } else { "" }.to_owned(),
                r.id.clone(),
            ]
        })
        .collect();
    print_table(&["NAME", "TYPE", "TTL", "CONTENT", "STATE", "ID"], &rows);
}
