//! Unit tests of this module.

use chrono::Utc;

use super::*;
use crate::ids::{RecordId, ZoneId};
use crate::record::{RecordContent, RecordName};

fn zone() -> ZoneName {
    ZoneName::parse("example.com").unwrap()
}

fn rec(name: &str, rtype: RecordType, content: &str, disabled: bool, system: bool) -> Record {
    let zone = zone();
    Record {
        id: RecordId::new(),
        zone_id: ZoneId::new(),
        name: RecordName::parse(name, &zone).unwrap(),
        content: RecordContent::parse(rtype, content, &zone).unwrap(),
        ttl: Ttl::new(300).unwrap(),
        disabled,
        system,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn sample() -> Vec<Record> {
    vec![
        rec("b.a", RecordType::A, "192.0.2.2", false, false),
        rec(
            "www",
            RecordType::TXT,
            "\"a,b\" \"say \\\"hi\\\"\"",
            false,
            false,
        ),
        rec("@", RecordType::ALIAS, "target.example.net.", false, false),
        rec("a", RecordType::A, "192.0.2.1", false, false),
        rec("old", RecordType::A, "192.0.2.9", true, false),
        rec("@", RecordType::NS, "ns1.example.net.", false, true),
        rec(
            "@",
            RecordType::SOA,
            "ns1.example.net. hostmaster.example.com. 0 3600 600 604800 600",
            false,
            true,
        ),
    ]
}

fn rendered(format: ZoneFileFormat) -> String {
    let records = sample();
    let refs: Vec<&Record> = records.iter().collect();
    render(format, &zone(), Ttl::new(3600).unwrap(), &refs)
}

#[test]
fn bind_puts_the_soa_first_and_orders_names_from_the_root() {
    let text = rendered(ZoneFileFormat::Bind);
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with("; Zone")).collect();
    let records: Vec<&str> = body
        .iter()
        .copied()
        .filter(|l| !l.starts_with("; \"") && !l.starts_with("; record"))
        .collect();
    assert_eq!(
        records,
        [
            "$ORIGIN example.com.",
            "$TTL 3600",
            "@\t300\tIN\tSOA\tns1.example.net. hostmaster.example.com. 0 3600 600 604800 600",
            "@\t300\tIN\tNS\tns1.example.net.",
            "; alias: @\t300\tIN\tALIAS\ttarget.example.net.",
            "a\t300\tIN\tA\t192.0.2.1",
            "b.a\t300\tIN\tA\t192.0.2.2",
            "; disabled: old\t300\tIN\tA\t192.0.2.9",
            "www\t300\tIN\tTXT\t\"a,b\" \"say \\\"hi\\\"\"",
        ]
    );
}

#[test]
fn the_order_does_not_depend_on_the_input_order() {
    let mut records = sample();
    let forward: Vec<&Record> = records.iter().collect();
    let a = render(
        ZoneFileFormat::Csv,
        &zone(),
        Ttl::new(60).unwrap(),
        &forward,
    );
    records.reverse();
    let backward: Vec<&Record> = records.iter().collect();
    let b = render(
        ZoneFileFormat::Csv,
        &zone(),
        Ttl::new(60).unwrap(),
        &backward,
    );
    assert_eq!(a, b);
}

#[test]
fn json_holds_the_tenant_records_only() {
    let rows: serde_json::Value = serde_json::from_str(&rendered(ZoneFileFormat::Json)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows.iter().all(|r| r["type"] != "SOA" && r["type"] != "NS"));
    assert_eq!(
        rows[3],
        serde_json::json!({"name": "old", "type": "A", "content": "192.0.2.9", "ttl": 300,
            "disabled": true})
    );
    assert_eq!(rows[4]["content"], "\"a,b\" \"say \\\"hi\\\"\"");
}

#[test]
fn csv_quotes_commas_and_quotes() {
    let text = rendered(ZoneFileFormat::Csv);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "name,type,content,ttl,disabled");
    assert_eq!(lines[1], "@,ALIAS,target.example.net.,300,false");
    assert_eq!(
        lines[5],
        "www,TXT,\"\"\"a,b\"\" \"\"say \\\"\"hi\\\"\"\"\"\",300,false"
    );
    assert_eq!(lines.last(), Some(&""), "every row ends in CRLF");
    assert_eq!(lines.len(), 7);
}

#[test]
fn an_empty_zone_is_an_empty_array_and_a_header() {
    let ttl = Ttl::new(60).unwrap();
    assert_eq!(render(ZoneFileFormat::Json, &zone(), ttl, &[]), "[]\n");
    assert_eq!(
        render(ZoneFileFormat::Csv, &zone(), ttl, &[]),
        "name,type,content,ttl,disabled\r\n"
    );
}

#[test]
fn formats_parse_and_name_their_files() {
    assert_eq!(
        "CSV".parse::<ZoneFileFormat>().unwrap(),
        ZoneFileFormat::Csv
    );
    let err = "yaml".parse::<ZoneFileFormat>().unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(ZoneFileFormat::Bind.file_name(&zone()), "example.com.zone");
    assert_eq!(ZoneFileFormat::Bind.media_type(), "text/plain");
}

#[test]
fn bind_comments_out_generic_types_named_reads_as_its_own() {
    // TYPE27 is GPOS to named, which would refuse these 4 bytes as GPOS data.
    let records = [
        rec(
            "gpos",
            "TYPE27".parse().unwrap(),
            "\\# 4 0a000001",
            false,
            false,
        ),
        rec(
            "priv",
            "TYPE65280".parse().unwrap(),
            "\\# 4 0a000001",
            false,
            false,
        ),
    ];
    let refs: Vec<&Record> = records.iter().collect();
    let text = render(
        ZoneFileFormat::Bind,
        &zone(),
        Ttl::new(3600).unwrap(),
        &refs,
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.contains(&"; generic: gpos\t300\tIN\tTYPE27\t\\# 4 0a000001"),
        "{text}"
    );
    assert!(
        lines.contains(&"priv\t300\tIN\tTYPE65280\t\\# 4 0a000001"),
        "{text}"
    );
}
