//! The records-at-scale figures of issue 9 (and issue 12's bulk row): a zone file of N records
//! imported through the API beside PowerDNS's own single PATCH of the same N RRsets, the
//! server's peak memory during it, the export of the imported zone, and the bulk endpoint
//! creating the same N records.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Api, Fail};
use crate::measure::{RssSampler, memory};
use crate::results::Row;
use crate::setup;

/// The `count` records of [`setup::record`] as a master file (relative names, one per line).
fn zone_file(count: usize) -> String {
    let mut text = String::from("$TTL 3600\n");
    for i in 0..count {
        let r = setup::record(i);
        let field = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
        text.push_str(&format!(
            "{} IN {} {}\n",
            field("name"),
            field("type"),
            field("content")
        ));
    }
    text
}

/// Creates zone `name` (absolute) empty in PowerDNS, then times one PATCH adding the `count`
/// RRsets of [`setup::record`]: PowerDNS's own way of loading them.
async fn pdns_patch(pdns: &Api, name: &str, count: usize) -> Result<Duration, Fail> {
    pdns.expect(
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(&json!({
            "name": name, "kind": "Native",
            "nameservers": ["ns1.scaidns.test.", "ns2.scaidns.test."],
        })),
        201,
    )
    .await?;
    let rrsets: Vec<Value> = (0..count)
        .map(|i| {
            let r = setup::record(i);
            json!({
                "name": format!("{}.{name}", r["name"].as_str().unwrap_or("x")),
                "type": r["type"], "ttl": 3600, "changetype": "REPLACE",
                "records": [{"content": r["content"], "disabled": false}],
            })
        })
        .collect();
    let answer = pdns
        .expect(
            Method::PATCH,
            &format!("/api/v1/servers/localhost/zones/{name}"),
            Some(&json!({ "rrsets": rrsets })),
            204,
        )
        .await?;
    Ok(answer.elapsed)
}

/// The import, memory, export and bulk rows for `count` records. Runs first in a run, so the
/// server's `VmHWM` read after it is the peak of start-up and import alone.
pub async fn figures(api: &Api, pdns: &Api, count: usize, pid: u32) -> Result<Vec<Row>, Fail> {
    let theirs = pdns_patch(pdns, "patch.bench.test.", count).await?;

    let zone_id = setup::zone(api, "import.bench.test").await?;
    let body = json!({"content": zone_file(count), "format": "bind", "mode": "merge"});
    let sampler = RssSampler::start(pid);
    let imported = api
        .expect(
            Method::POST,
            &format!("/api/v1/domains/{zone_id}/import/text"),
            Some(&body),
            200,
        )
        .await?;
    let sampled = sampler.max();
    drop(sampler);
    let (_, peak) = memory(pid)?;
    let added = imported.body["added"].as_u64().unwrap_or(0);
    if added != count as u64 {
        return Err(format!(
            "the import added {added} records, expected {count}: {}",
            imported.body
        ));
    }

    // The first export after the change reads the store; a repeated one the record cache.
    let download = format!("/api/v1/domains/{zone_id}/export/download?format=bind");
    let first = api.expect(Method::GET, &download, None, 200).await?;
    let lines = first.body.as_str().map_or(0, |t| t.lines().count());
    if lines < count {
        return Err(format!(
            "the export holds {lines} lines, expected at least {count}"
        ));
    }
    let again = api.expect(Method::GET, &download, None, 200).await?;

    let bulk_id = setup::zone(api, "bulk.bench.test").await?;
    let records: Vec<Value> = (0..count).map(setup::record).collect();
    let bulk = api
        .call(
            Method::POST,
            &format!("/api/v1/domains/{bulk_id}/records/bulk"),
            Some(&json!({ "records": records })),
        )
        .await?;
    if !bulk.status.is_success() {
        return Err(format!(
            "bulk create of {count} records: {}: {}",
            bulk.status, bulk.body
        ));
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(vec![
        Row::versus(
            "bulk_import",
            "zone import of N records (`POST …/import/text`, bind) vs one PowerDNS PATCH of the same N RRsets",
            ms(imported.elapsed),
            ms(theirs),
            "ms",
        )
        .target("**≤ 4×**")
        .note(format!("N = {count}, until the 200 (after publication)")),
        Row::single(
            "import_rss",
            "server peak RSS up to the end of the import (VmHWM)",
            peak,
            "MB",
        )
        .target("**≤ 150 MB**")
        .note(format!("highest VmRSS sampled during it {sampled:.1} MB")),
        Row::single(
            "export",
            "export of the imported zone (`GET …/export/download`, bind), first after the import",
            ms(first.elapsed),
            "ms",
        )
        .target("**≤ 500 ms**")
        .note(format!(
            "repeated {:.1} ms; {lines} lines",
            ms(again.elapsed)
        )),
        Row::versus(
            "bulk_create",
            "bulk create of N records (`POST …/records/bulk`) vs one PowerDNS PATCH of the same N RRsets",
            ms(bulk.elapsed),
            ms(theirs),
            "ms",
        )
        .note(format!("N = {count}")),
    ])
}
