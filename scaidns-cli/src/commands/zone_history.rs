//! `scaidns domains history [--generation G]|diff` and `scaidns domains restore ZONE
//! GENERATION`: a zone's generation steps (or one in full), the RRsets that differ between two
//! generations, and bringing the records of one back (shown first, applied with `If-Match` so
//! that what was shown is what happens).

use scaidns_client::types::ErrorBody;
use scaidns_client::{Client, ClientInfo};
use serde_json::Value;

use crate::cli::Output;
use crate::commands::zone_ref::{Deleted, Purpose, zone};
use crate::output::{
    Failure, INVALID, NOT_ALLOWED, NOT_FOUND, UNAVAILABLE, confirm, print_json, print_table,
};

/// `scaidns domains history ZONE`: every kept step, newest first.
pub async fn history(client: &Client, arg: &str, output: Output) -> Result<(), Failure> {
    let target = zone(client, arg, Deleted::Exclude, Purpose::Read).await?;
    let id = target.id.as_str();
    let entries: Vec<Value> = scaidns_client::collect_pages(100, |page, size| async move {
        let r = client
            .zone_history_list(id, Some(page), Some(size))
            .await?
            .into_inner();
        let data = r
            .data
            .iter()
            .map(|e| serde_json::to_value(e).unwrap_or_default())
            .collect();
        Ok::<_, Failure>((data, r.total))
    })
    .await?;
    match output {
        Output::Json => print_json(&serde_json::json!({"data": entries, "total": entries.len()})),
        Output::Text if entries.is_empty() => println!("no history kept for {}", target.name),
        Output::Text => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e["generation"].to_string(),
                        text(&e["created_at"]),
                        text(&e["action"]),
                        format!("{} {}", text(&e["actor_type"]), text(&e["actor_id"]))
                            .trim()
                            .to_owned(),
                        format!("+{} ~{} -{}", e["added"], e["changed"], e["removed"]),
                    ]
                })
                .collect();
            print_table(&["GENERATION", "AT", "ACTION", "BY", "RRSETS"], &rows);
        }
    }
    Ok(())
}

/// `scaidns domains history ZONE --generation G`: one step with its RRsets before and after.
pub async fn step(
    client: &Client,
    arg: &str,
    generation: i64,
    output: Output,
) -> Result<(), Failure> {
    let target = zone(client, arg, Deleted::Exclude, Purpose::Read).await?;
    let entry = client
        .zone_history_get(&target.id, generation)
        .await?
        .into_inner();
    let entry = serde_json::to_value(&entry).unwrap_or_default();
    match output {
        Output::Json => print_json(&entry),
        Output::Text => {
            println!(
                "generation {generation} of {}: {} at {} by {} {}",
                target.name,
                text(&entry["action"]),
                text(&entry["created_at"]),
                text(&entry["actor_type"]),
                text(&entry["actor_id"])
            );
            print_changes(&entry["changes"], "changed");
        }
    }
    Ok(())
}

/// `scaidns domains diff ZONE --from G1 [--to G2]`.
pub async fn diff(
    client: &Client,
    arg: &str,
    from: i64,
    to: Option<i64>,
    output: Output,
) -> Result<(), Failure> {
    let target = zone(client, arg, Deleted::Exclude, Purpose::Read).await?;
    let to = match to {
        Some(to) => to,
        None => current_generation(client, &target.id).await?,
    };
    let diff = client.zone_diff(&target.id, from, to).await?.into_inner();
    let changes = serde_json::to_value(&diff.changes).unwrap_or_default();
    match output {
        Output::Json => print_json(&serde_json::to_value(&diff).unwrap_or_default()),
        Output::Text => print_changes(&changes, &format!("generation {from} → {to}")),
    }
    Ok(())
}

/// `scaidns domains restore ZONE GENERATION [--yes]`: shows what the restore changes, asks,
/// and restores with the generation it showed as `If-Match` (412: the zone changed meanwhile,
/// nothing restored).
pub async fn restore(
    client: &Client,
    arg: &str,
    generation: i64,
    yes: bool,
    output: Output,
) -> Result<(), Failure> {
    let target = zone(client, arg, Deleted::Exclude, Purpose::Write).await?;
    let current = current_generation(client, &target.id).await?;
    let preview = client
        .zone_diff(&target.id, current, generation)
        .await?
        .into_inner();
    let changes = serde_json::to_value(&preview.changes).unwrap_or_default();
    let count = changes.as_array().map_or(0, Vec::len);
    if output == Output::Text {
        print_changes(&changes, &format!("restoring generation {generation}"));
    }
    if count > 0 {
        confirm(
            &format!(
                "restore {count} RRset(s) of {} to generation {generation}",
                target.name
            ),
            yes,
        )?;
    }
    let done = apply(client, &target.id, generation, current).await?;
    match output {
        Output::Json => print_json(&done),
        Output::Text => println!(
            "restored {} to generation {generation}: {} RRset(s) changed, now at generation {}",
            target.name,
            done["changes"].as_array().map_or(0, Vec::len),
            done["generation"]
        ),
    }
    Ok(())
}

/// The zone's generation: the part of its `ETag` before the dot (the zone's tag is
/// `"<generation>.<digest>"`, since its sync state changes without a new generation).
async fn current_generation(client: &Client, id: &str) -> Result<i64, Failure> {
    let resp = client.zone_get(id, None).await?;
    resp.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .and_then(|tag| tag.trim_matches('"').split('.').next()?.parse().ok())
        .ok_or_else(|| Failure::new(UNAVAILABLE, "the server sent no zone version (ETag)"))
}

/// The restore, with `If-Match` (the SDK's methods carry no header parameters).
async fn apply(client: &Client, id: &str, generation: i64, seen: i64) -> Result<Value, Failure> {
    let resp = client
        .client()
        .post(format!(
            "{}/api/v1/domains/{id}/history/{generation}/restore",
            client.baseurl()
        ))
        .header("if-match", format!("\"{seen}\""))
        .send()
        .await
        .map_err(|e| Failure::new(UNAVAILABLE, e.to_string()))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    if status == 200 {
        return serde_json::from_str(&text).map_err(|e| Failure::new(UNAVAILABLE, e.to_string()));
    }
    if status == 412 {
        return Err(Failure::new(
            INVALID,
            "the zone changed since the change shown: nothing restored; run the restore again",
        ));
    }
    let code = match status {
        404 | 410 => NOT_FOUND,
        401 | 403 => NOT_ALLOWED,
        400..=499 => INVALID,
        _ => UNAVAILABLE,
    };
    let detail = serde_json::from_str::<ErrorBody>(&text)
        .map(|e| format!("{} ({})", e.detail, e.code))
        .unwrap_or(text);
    Err(Failure::new(
        code,
        format!("restore refused (HTTP {status}): {detail}"),
    ))
}

/// The RRsets of a change as `-`/`+` lines (removed and added records), or a line saying
/// nothing differs.
fn print_changes(changes: &Value, title: &str) {
    let changes = changes.as_array().cloned().unwrap_or_default();
    if changes.is_empty() {
        println!("{title}: no RRset differs");
        return;
    }
    println!("{title}: {} RRset(s) differ", changes.len());
    for c in &changes {
        let (name, rtype) = (text(&c["name"]), text(&c["type"]));
        for (sign, side) in [("-", &c["before"]), ("+", &c["after"])] {
            for r in side["records"].as_array().into_iter().flatten() {
                let off = if r["disabled"] == true {
                    " (disabled)"
                } else {
                    ""
                };
                println!(
                    "{sign} {name} {} {rtype} {}{off}",
                    side["ttl"],
                    text(&r["content"])
                );
            }
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
