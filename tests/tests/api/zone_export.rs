//! Zone export (spec §7.1, §7.2): a zone holding every record type exported as a BIND file
//! that `named-checkzone` loads, as JSON and CSV that parse back to the record list, narrowed
//! to a grant's records, refused for another tenant's zone, and downloaded as a file.

use std::collections::BTreeSet;

use reqwest::Method;
use scaidns_core::record::RecordType;
use scaidns_tests::{TenantUser, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::util::{active_zone, call, ok, refused, send};

/// `(name, type, content, ttl, disabled)`, names relative to the zone.
type Row = (String, String, String, u64, bool);

/// A zone with one record of every type (each type's own example content), a TXT with quotes
/// and commas, an RFC 3597 generic record and a disabled record.
async fn zone_of_every_type(app: &TestApp, tenant: &TenantUser) -> String {
    let zone = active_zone(app, tenant, "export.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let mut wanted: Vec<Value> = RecordType::ALL
        .iter()
        // The SOA is the platform's; PTR belongs in reverse zones.
        .filter(|t| !matches!(t, RecordType::SOA | RecordType::PTR))
        .map(|t| {
            let name = match t {
                RecordType::NS | RecordType::DS => "deleg".to_owned(),
                RecordType::ZONEMD => "@".to_owned(),
                other => format!("t-{}", other.as_str().to_ascii_lowercase()),
            };
            json!({"name": name, "type": t.as_str(), "content": t.example()})
        })
        .collect();
    wanted.extend([
        json!({"name": "quoted", "type": "TXT", "content": "\"a,b\" \"say \\\"hi\\\"; ok\""}),
        json!({"name": "gen", "type": "TYPE65280", "content": "\\# 4 0a000001"}),
        // TYPE27 is GPOS to named, which refuses these bytes as GPOS: kept as a comment.
        json!({"name": "gpos", "type": "TYPE27", "content": "\\# 4 0a000001"}),
        json!({"name": "off", "type": "A", "content": "192.0.2.99", "disabled": true, "ttl": 60}),
    ]);
    for body in wanted {
        ok(app, &tenant.key, Method::POST, &records, body).await;
    }
    zone
}

/// The records `key` lists in `zone`, system records included when asked.
async fn listed(app: &TestApp, key: &str, zone: &str, system: bool) -> BTreeSet<Row> {
    let path = format!("/api/v1/domains/{zone}/records?include_system={system}");
    let (status, body) = call(app, key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| row_of(r, "display_name"))
        .collect()
}

fn row_of(r: &Value, name: &str) -> Row {
    (
        r[name].as_str().unwrap().to_owned(),
        r["type"].as_str().unwrap().to_owned(),
        r["content"].as_str().unwrap().to_owned(),
        r["ttl"].as_u64().unwrap(),
        r["disabled"].as_bool().unwrap(),
    )
}

/// The export's `zone_file` for `format` (none: the default).
async fn exported(app: &TestApp, key: &str, zone: &str, format: Option<&str>) -> Value {
    let query = format.map(|f| format!("?format={f}")).unwrap_or_default();
    let path = format!("/api/v1/domains/{zone}/export{query}");
    let (status, body) = call(app, key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Records of an RFC 4180 file with a header row (quoted fields may hold `,` `"` and breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(row.is_empty() && field.is_empty(), "last row without CRLF");
    rows
}

#[tokio::test]
async fn a_bind_export_of_every_type_passes_named_checkzone() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = zone_of_every_type(&app, &alpha).await;

    let body = exported(&app, &alpha.key, &zone, None).await;
    assert_eq!(body["format"], "bind");
    assert_eq!(body["domain_id"], zone.as_str());
    assert_eq!(body["domain_name"], "export.test");
    let text = body["zone_file"].as_str().unwrap();
    assert!(text.contains("$ORIGIN export.test.\n$TTL 3600\n"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.test.zone");
    std::fs::write(&file, text).unwrap();
    // `-i local`: check the zone's own integrity, not whether delegation targets outside it
    // resolve over the network (docs/decisions.md, "export").
    let check = std::process::Command::new("named-checkzone")
        .args(["-i", "local"])
        .arg("export.test")
        .arg(&file)
        .output()
        .expect("named-checkzone (Debian bind9-utils) must be installed");
    assert!(
        check.status.success(),
        "named-checkzone refused the export:\n{}\n{text}",
        String::from_utf8_lossy(&check.stdout)
    );

    // Every record, the SOA and apex NS included, is on a line of its own; the disabled
    // record and the ALIAS (which named cannot load) as the tagged comments the importer reads.
    let lines: BTreeSet<&str> = text.lines().collect();
    for (name, rtype, content, ttl, disabled) in listed(&app, &alpha.key, &zone, true).await {
        let line = format!("{name}\t{ttl}\tIN\t{rtype}\t{content}");
        let line = if disabled {
            format!("; disabled: {line}")
        } else if rtype == "ALIAS" {
            format!("; alias: {line}")
        } else if rtype == "TYPE27" {
            format!("; generic: {line}")
        } else {
            line
        };
        assert!(lines.contains(line.as_str()), "missing: {line}\n{text}");
    }
    assert!(text.starts_with("; Zone export.test"), "{text}");
    let first_record = text.lines().find(|l| !l.starts_with([';', '$'])).unwrap();
    assert!(first_record.starts_with("@\t3600\tIN\tSOA\t"), "{text}");
}

#[tokio::test]
async fn json_and_csv_exports_parse_back_to_the_record_list() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = zone_of_every_type(&app, &alpha).await;
    let want = listed(&app, &alpha.key, &zone, false).await;
    assert!(want.iter().any(|r| r.1 == "TXT" && r.2.contains(',')));

    let body = exported(&app, &alpha.key, &zone, Some("json")).await;
    assert_eq!(body["format"], "json");
    let rows: Value = serde_json::from_str(body["zone_file"].as_str().unwrap()).unwrap();
    let from_json: BTreeSet<Row> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r.as_object().unwrap().len(), 5, "{r}");
            row_of(r, "name")
        })
        .collect();
    assert_eq!(from_json, want);

    let body = exported(&app, &alpha.key, &zone, Some("csv")).await;
    let mut rows = parse_csv(body["zone_file"].as_str().unwrap()).into_iter();
    assert_eq!(
        rows.next().unwrap(),
        ["name", "type", "content", "ttl", "disabled"]
    );
    let from_csv: BTreeSet<Row> = rows
        .map(|r| {
            let [name, rtype, content, ttl, disabled] = <[String; 5]>::try_from(r).unwrap();
            (
                name,
                rtype,
                content,
                ttl.parse().unwrap(),
                disabled.parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(from_csv, want);
}

#[tokio::test]
async fn a_grant_limited_caller_exports_its_records_and_another_tenant_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "narrow.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    for (name, rtype, content) in [
        ("api.dev", "A", "192.0.2.1"),
        ("api.dev", "TXT", "\"hidden\""),
        ("www", "A", "192.0.2.2"),
    ] {
        let body = json!({"name": name, "type": rtype, "content": content});
        ok(&app, &alpha.key, Method::POST, &records, body).await;
    }
    let (user, key) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &zone,
        &user,
        json!({"role": "read_only", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;

    // Twice each: the second answer comes from the warm record cache, which the whole-zone
    // caller filled, and must still be narrowed.
    for _ in 0..2 {
        let json_file = exported(&app, &alpha.key, &zone, Some("json")).await;
        assert_eq!(
            serde_json::from_str::<Value>(json_file["zone_file"].as_str().unwrap())
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            3
        );
        let json_file = exported(&app, &key, &zone, Some("json")).await;
        let rows: Value = serde_json::from_str(json_file["zone_file"].as_str().unwrap()).unwrap();
        assert_eq!(
            rows,
            json!([{"name": "api.dev", "type": "A", "content": "192.0.2.1", "ttl": 3600,
                    "disabled": false}])
        );
        let bind = exported(&app, &key, &zone, Some("bind")).await;
        let text = bind["zone_file"].as_str().unwrap();
        assert!(text.contains("api.dev\t3600\tIN\tA\t192.0.2.1\n"), "{text}");
        assert!(text.contains("\tIN\tSOA\t"), "{text}");
        assert!(!text.contains("hidden") && !text.contains("www"), "{text}");
    }

    // Another tenant's zone does not exist for beta, whatever the format or the path.
    let beta = app.tenant_with_user("beta").await;
    for path in ["export", "export?format=csv", "export/download"] {
        let got = call(
            &app,
            &beta.key,
            Method::GET,
            &format!("/api/v1/domains/{zone}/{path}"),
            None,
        )
        .await;
        assert_eq!(got.0, 404, "{path}: {}", got.1);
    }
    let got = call(
        &app,
        &key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/export?format=yaml"),
        None,
    )
    .await;
    refused(got, 422, "invalid_input");
}

#[tokio::test]
async fn the_download_is_the_file_with_its_type_and_name() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "dl.test").await;
    let body = json!({"name": "note", "type": "TXT", "content": "\"x,\\\"y\\\"\""});
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        body,
    )
    .await;

    for (format, media_type, file_name) in [
        (None, "text/plain", "dl.test.zone"),
        (Some(""), "text/plain", "dl.test.zone"),
        (Some("bind"), "text/plain", "dl.test.zone"),
        (Some("json"), "application/json", "dl.test.json"),
        (Some("csv"), "text/csv", "dl.test.csv"),
    ] {
        let query = format.map(|f| format!("?format={f}")).unwrap_or_default();
        let path = format!("/api/v1/domains/{zone}/export/download{query}");
        let resp = send(&app, &alpha.key, Method::GET, &path, None).await;
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            header("content-type"),
            format!("{media_type}; charset=utf-8")
        );
        assert_eq!(
            header("content-disposition"),
            format!("attachment; filename=\"{file_name}\"")
        );
        assert_eq!(header("cache-control"), "no-store");
        assert_eq!(header("x-content-type-options"), "nosniff");
        let text = resp.text().await.unwrap();
        let envelope = exported(&app, &alpha.key, &zone, format).await;
        assert_eq!(
            envelope["format"],
            format.filter(|f| !f.is_empty()).unwrap_or("bind")
        );
        assert_eq!(text, envelope["zone_file"].as_str().unwrap(), "{path}");
    }
    // The envelope is the tenant's data too: not stored, not sniffed.
    let resp = send(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/export"),
        None,
    )
    .await;
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("cache-control"), Some("no-store"));
    assert_eq!(header("x-content-type-options"), Some("nosniff"));
    let got = call(
        &app,
        &alpha.key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/export/download?format=xml"),
        None,
    )
    .await;
    refused(got, 422, "invalid_input");
}
