//! `scaidns records bulk ZONE FILE.json` (the file is the body of `POST …/records/bulk`) and
//! `scaidns records bulk-delete ZONE ID…`: both refuse all or nothing with the same envelope.

use std::path::Path;

use scaidns_client::Client;
use scaidns_client::types::{
    ErrorBody, RecordBulkDeleteRequest, RecordBulkDeleteResponse, RecordBulkFailure,
    RecordBulkRequest, RecordBulkResponse,
};
use serde_json::Value;

use crate::cli::Output;
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, INVALID, NOT_ALLOWED, not_published_note, print_json_of};

/// Sends the request in `file` (`-`: standard input) to `zone`.
/// With `dry_run`, prints the request's plan instead.
pub async fn run(
    client: &Client,
    zone: &str,
    file: &Path,
    dry_run: bool,
    output: Output,
) -> Result<(), Failure> {
    let body: RecordBulkRequest = crate::commands::json_file::read(
        file,
        r#"a bulk request ({"records": [...], "update": [...], "delete": [...]})"#,
    )?;
    let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
    if dry_run {
        let params = [("domain_id", Value::from(id))];
        return crate::commands::plan::show(
            client,
            "record_bulk",
            &params,
            serde_json::to_value(&body).ok(),
            output,
        )
        .await;
    }
    let answer = client
        .record_bulk(&id, &body)
        .await
        .map_err(|e| refused(e, output))?
        .into_inner();
    match output {
        Output::Json => print_json_of(&answer),
        Output::Text => print_summary(&answer),
    }
    warn_unpublished(
        &answer.sync_status.to_string(),
        answer.sync_error.as_deref(),
        answer.next_retry_at.as_ref(),
    );
    Ok(())
}

fn print_summary(answer: &RecordBulkResponse) {
    println!(
        "created {}, updated {}, deleted {}{}",
        answer.total_created,
        answer.total_updated,
        answer.deleted,
        if answer.duplicates.is_empty() {
            String::new()
        } else {
            format!(
                ", {} already present (not added again)",
                answer.duplicates.len()
            )
        }
    );
    print_failures(&answer.failures);
}

/// `records bulk-delete`: deletes `records` of `zone` in one change (or, with `dry_run`,
/// prints its plan).
pub async fn delete(
    client: &Client,
    zone: &str,
    records: &[String],
    continue_on_error: bool,
    dry_run: bool,
    output: Output,
) -> Result<(), Failure> {
    let body = RecordBulkDeleteRequest {
        record_ids: records.to_vec(),
        continue_on_error: continue_on_error.then_some(true),
    };
    let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
    if dry_run {
        let params = [("domain_id", Value::from(id))];
        return crate::commands::plan::show(
            client,
            "record_bulk_delete",
            &params,
            serde_json::to_value(&body).ok(),
            output,
        )
        .await;
    }
    let answer: RecordBulkDeleteResponse = client
        .record_bulk_delete(&id, &body)
        .await
        .map_err(|e| refused(e, output))?
        .into_inner();
    match output {
        Output::Json => print_json_of(&answer),
        Output::Text => {
            println!("deleted {}", answer.deleted);
            print_failures(&answer.failures);
        }
    }
    warn_unpublished(
        &answer.sync_status.to_string(),
        answer.sync_error.as_deref(),
        answer.next_retry_at.as_ref(),
    );
    Ok(())
}

/// On stderr, when the change is saved but not published yet (both answers say so alike).
fn warn_unpublished(
    status: &str,
    error: Option<&str>,
    next_retry_at: Option<&chrono::DateTime<chrono::Utc>>,
) {
    if let Some(note) = not_published_note(status, error, next_retry_at) {
        eprintln!("{note}");
    }
}

/// A bulk request refused as a whole (`bulk_rejected`, `bulk_check_stopped`): the body is
/// printed with `--json`, and the failure lists every refused item. Other errors as usual.
fn refused(e: scaidns_client::GeneratedError<ErrorBody>, output: Output) -> Failure {
    match e {
        scaidns_client::GeneratedError::ErrorResponse(resp)
            if resp.code == "bulk_rejected" || resp.code == "bulk_check_stopped" =>
        {
            let forbidden = resp.status().as_u16() == 403;
            let body = resp.into_inner();
            if output == Output::Json {
                print_json_of(&body);
            }
            let code = if forbidden { NOT_ALLOWED } else { INVALID };
            Failure::new(code, refusal(&body.detail))
        }
        e => e.into(),
    }
}

fn print_failures(failures: &[RecordBulkFailure]) {
    if !failures.is_empty() {
        println!("{} item(s) refused:", failures.len());
        for f in failures {
            println!("  {}[{}]: {} ({})", f.list, f.index, f.detail, f.code);
        }
    }
}

/// The refusal's message and every refused item, one per line.
fn refusal(detail: &Value) -> String {
    let message = detail
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the request was refused");
    let mut lines = vec![message.to_owned()];
    for f in detail
        .get("failures")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |key: &str| f.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
        let index = f.get("index").and_then(Value::as_u64).unwrap_or_default();
        lines.push(format!(
            "  {}[{index}]: {} ({})",
            text("list"),
            text("detail"),
            text("code")
        ));
    }
    lines.join("\n")
}
