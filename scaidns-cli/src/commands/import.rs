//! `scaidns domains import ZONE FILE` and `… ZONE --from-axfr SERVER`: preview the import,
//! print it as a diff, ask before a replace, then apply it with the preview's ETag so a zone
//! changed meanwhile is not touched. A transfer only supplies the master-file text: the
//! preview and apply are the file import's.

use scaidns_client::types::{ErrorBody, ImportLine, ImportPreview, ImportRecord, ImportRequest};
use scaidns_client::{Client, ClientInfo};

use crate::cli::{DomainsCommand, Output};
use crate::commands::axfr::{self, Skipped};
use crate::commands::zone_ref::{self, Deleted, Purpose, zone_id};
use crate::output::{
    Failure, INVALID, NOT_ALLOWED, NOT_FOUND, UNAVAILABLE, USAGE, confirm, print_json,
};
use crate::progress;

/// Runs `domains import`.
pub async fn run(client: &Client, cmd: &DomainsCommand, output: Output) -> Result<(), Failure> {
    let DomainsCommand::Import {
        zone,
        file,
        from_axfr,
        format,
        mode,
        preview: preview_only,
        yes,
        skip_unsupported,
    } = cmd
    else {
        return Err(Failure::new(USAGE, "not an import"));
    };
    let (id, content, transfer_skipped) = match (file, from_axfr) {
        (Some(file), _) => {
            let bytes = std::fs::read(file)
                .map_err(|e| Failure::new(USAGE, format!("cannot read {}: {e}", file.display())))?;
            let content = String::from_utf8(bytes).map_err(|_| {
                Failure::new(INVALID, format!("{} is not UTF-8 text", file.display()))
            })?;
            let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
            (id, content, Vec::new())
        }
        (None, Some(server)) => {
            if format != "bind" {
                return Err(Failure::new(
                    USAGE,
                    "--from-axfr imports a zone transfer: no --format",
                ));
            }
            let target = zone_ref::zone(client, zone, Deleted::Exclude, Purpose::Write).await?;
            let bar = progress::spinner(output, "{pos} records received");
            let received = axfr::transfer(server, &target.name, &bar).await;
            bar.finish_and_clear();
            let received = received?;
            (target.id.to_string(), received.text, received.skipped)
        }
        (None, None) => return Err(Failure::new(USAGE, "give a FILE or --from-axfr SERVER")),
    };
    let body = ImportRequest {
        content,
        format: Some(format.clone()),
        mode: Some(mode.clone()),
        skip_unsupported: Some(*skip_unsupported),
    };
    let bar = progress::spinner(output, "previewing");
    let resp = client.zone_import_preview(&id, &body).await;
    bar.finish_and_clear();
    let resp = resp?;
    // Without the preview's tag the apply could change a zone other than the one shown.
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(
                INVALID,
                "the preview came without an ETag: nothing imported (is a proxy dropping it?)",
            )
        })?;
    let preview = resp.into_inner();
    match output {
        Output::Json if *preview_only || !preview.errors.is_empty() => {
            print_json(&with_transfer_skipped(
                serde_json::to_value(&preview).unwrap_or_default(),
                &transfer_skipped,
            ));
        }
        Output::Json => {}
        Output::Text => print_diff(&preview, &transfer_skipped),
    }
    if !preview.errors.is_empty() {
        return Err(Failure::new(
            INVALID,
            format!("{} bad line(s): nothing imported", preview.errors.len()),
        ));
    }
    if *preview_only {
        return Ok(());
    }
    if mode == "replace" && !preview.deletes.is_empty() {
        let deletes = preview.deletes.len();
        confirm(&format!("replace deletes {deletes} record(s)"), *yes)?;
    }
    let bar = progress::spinner(output, "applying");
    let result = apply(client, &id, &etag, &body).await;
    bar.finish_and_clear();
    let Applied::Done(result) = result? else {
        return Err(Failure::new(
            INVALID,
            "the zone changed since the preview: nothing imported; run the import again",
        ));
    };
    match output {
        Output::Json => print_json(&with_transfer_skipped(result, &transfer_skipped)),
        Output::Text => println!(
            "imported: {} added, {} changed, {} deleted, {} skipped (sync: {})",
            result["added"],
            result["changed"],
            result["deleted"],
            result["skipped"].as_array().map_or(0, Vec::len) + transfer_skipped.len(),
            result["sync_status"].as_str().unwrap_or("?"),
        ),
    }
    Ok(())
}

fn line(r: &ImportRecord) -> String {
    let disabled = if r.disabled { " (disabled)" } else { "" };
    format!("{} {} {} {}{disabled}", r.name, r.ttl, r.type_, r.content)
}

pub(super) fn notes(label: &str, lines: &[ImportLine]) {
    for l in lines {
        println!("{label} line {}: {} ({})", l.line, l.text.trim(), l.reason);
    }
}

/// `value` with the records a transfer left out, when there were any.
fn with_transfer_skipped(mut value: serde_json::Value, skipped: &[Skipped]) -> serde_json::Value {
    if !skipped.is_empty()
        && let Some(object) = value.as_object_mut()
    {
        object.insert(
            "transfer_skipped".into(),
            skipped.iter().map(Skipped::to_json).collect(),
        );
    }
    value
}

pub(super) fn print_diff(p: &ImportPreview, transfer_skipped: &[Skipped]) {
    for r in &p.adds {
        println!("+ {}", line(r));
    }
    for c in &p.changes {
        println!("- {}", line(&c.before));
        println!("+ {}", line(&c.after));
    }
    for r in &p.deletes {
        println!("- {}", line(r));
    }
    notes("skipped", &p.skipped);
    for s in transfer_skipped {
        println!("skipped {} {} ({})", s.name, s.rtype, s.reason);
    }
    notes("error", &p.errors);
    println!(
        "{} to add, {} to change, {} to delete, {} unchanged, {} skipped, {} error(s)",
        p.adds.len(),
        p.changes.len(),
        p.deletes.len(),
        p.unchanged,
        p.skipped.len() + transfer_skipped.len(),
        p.errors.len()
    );
}

/// What an apply with `If-Match` came to.
pub(super) enum Applied {
    /// The import's result.
    Done(serde_json::Value),
    /// 412: the zone changed since `If-Match`'s tag was read; nothing was applied.
    Stale,
}

/// The apply, with `If-Match` (the SDK's methods carry no header parameters).
pub(super) async fn apply(
    client: &Client,
    id: &str,
    etag: &str,
    body: &ImportRequest,
) -> Result<Applied, Failure> {
    let resp = client
        .client()
        .post(format!(
            "{}/api/v1/domains/{id}/import/text",
            client.baseurl()
        ))
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    if status == 200 {
        return serde_json::from_str(&text)
            .map(Applied::Done)
            .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()));
    }
    if status == 412 {
        return Ok(Applied::Stale);
    }
    let code = match status {
        404 => NOT_FOUND,
        401 | 403 => NOT_ALLOWED,
        400..=499 => INVALID,
        _ => UNAVAILABLE,
    };
    let detail = serde_json::from_str::<ErrorBody>(&text)
        .map(|e| format!("{} ({})", e.detail, e.code))
        .unwrap_or(text);
    Err(Failure::new(
        code,
        format!("import refused (HTTP {status}): {detail}"),
    ))
}
