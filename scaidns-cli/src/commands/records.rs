//! `scaidns records list|add|update|delete` (`bulk` is in `records_bulk`).

use scaidns_client::Client;
use scaidns_client::types::{
    RecordCreateRequest, RecordResponse, RecordUpdateRequest, RecordWritten,
};
use serde_json::json;

use crate::cli::{Output, RecordsCommand};
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{
    Failure, USAGE, not_published_note, print_json, print_table, sync_status_header,
};

/// Runs one `records` subcommand.
pub async fn run(client: &Client, cmd: &RecordsCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        RecordsCommand::List {
            zone,
            rtype,
            name,
            include_system,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
            let list = client
                .record_list(
                    &id,
                    Some(*include_system),
                    name.as_deref(),
                    rtype.as_deref(),
                )
                .await?
                .into_inner();
            match output {
                Output::Json => print_json(&serde_json::to_value(&list).unwrap_or_default()),
                Output::Text if list.data.is_empty() => {
                    println!("no records in {}", list.domain_name);
                }
                Output::Text => table(&list.data),
            }
            Ok(())
        }
        RecordsCommand::Add {
            zone,
            name,
            rtype,
            content,
            ttl,
            disabled,
        } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = RecordCreateRequest {
                name: name.clone(),
                type_: rtype.to_ascii_uppercase(),
                content: content.clone(),
                ttl: *ttl,
                disabled: disabled.then_some(true),
            };
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
        } => {
            if content.is_none() && ttl.is_none() && !disable && !enable {
                return Err(Failure::new(
                    USAGE,
                    "nothing to change: give --content, --ttl, --disable or --enable",
                ));
            }
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let body = RecordUpdateRequest {
                content: content.clone(),
                ttl: *ttl,
                disabled: if *disable {
                    Some(true)
                } else {
                    enable.then_some(false)
                },
            };
            let updated = client.record_update(&id, record, &body).await?.into_inner();
            one(&updated, output, "updated");
            Ok(())
        }
        RecordsCommand::Bulk { zone, file } => {
            crate::commands::records_bulk::run(client, zone, file, output).await
        }
        RecordsCommand::Delete { zone, record } => {
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
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
