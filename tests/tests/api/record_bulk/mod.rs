//! Bulk record changes (issue 9 item 3, spec §6): many creates, updates and deletes as one
//! change against live PowerDNS (one generation step, PowerDNS holding exactly the result, an
//! audit entry per record plus one for the batch); a refused batch names every bad item and
//! changes nothing in the store or in PowerDNS; `continue_on_error` applies the rest; a
//! grant-limited caller cannot slip a name into a batch; another tenant's zone is unknown; the
//! item limit answers 413.

mod access;
mod limits;
mod powerdns;

use std::collections::BTreeSet;

use reqwest::Method;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use crate::concurrent_writes::pdns_zone;
use crate::util::{call, every_record, send};

/// `(name, type, ttl, content)` of every enabled record but the SOA, as the API lists them.
type RecordSet = BTreeSet<(String, String, u64, String)>;

async fn api_records(app: &TestApp, zone: &str) -> RecordSet {
    let path = format!("/api/v1/domains/{zone}/records?include_system=true");
    every_record(app, &app.admin_key, &path)
        .await
        .iter()
        .filter(|r| r["type"] != "SOA")
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["type"].as_str().unwrap().to_owned(),
                r["ttl"].as_u64().unwrap(),
                r["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The same for what PowerDNS holds.
async fn pdns_records(pdns: &PdnsServer, zone: &str) -> RecordSet {
    let body = pdns_zone(pdns, zone).await;
    let mut out = RecordSet::new();
    for rrset in body["rrsets"].as_array().unwrap() {
        if rrset["type"] == "SOA" {
            continue;
        }
        let name = rrset["name"].as_str().unwrap().trim_end_matches('.');
        for r in rrset["records"].as_array().unwrap() {
            assert_eq!(r["disabled"], false);
            out.insert((
                name.to_owned(),
                rrset["type"].as_str().unwrap().to_owned(),
                rrset["ttl"].as_u64().unwrap(),
                r["content"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// The zone's generation (its `ETag`).
async fn generation(app: &TestApp, zone: &str) -> i64 {
    let resp = send(
        app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert_eq!(resp.status(), 200);
    // The zone's tag is `"<generation>.<digest>"`.
    let tag = resp.headers()["etag"].to_str().unwrap().trim_matches('"');
    tag.split('.').next().unwrap().parse().unwrap()
}

/// How many audit entries with `action` exist.
async fn audit_count(app: &TestApp, action: &str) -> u64 {
    let (status, body) = call(
        app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/admin/audit-logs?action={action}&page_size=1"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

async fn powerdns_app() -> (PdnsServer, TestApp) {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    (pdns, app)
}

fn a(name: &str, content: &str) -> Value {
    json!({"name": name, "type": "A", "content": content})
}

/// `(list, index, code)` of each failure in a refusal's or an answer's list.
fn failures(list: &Value) -> Vec<(String, u64, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("no failure list: {list}"))
        .iter()
        .map(|f| {
            (
                f["list"].as_str().unwrap().to_owned(),
                f["index"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ids(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}
