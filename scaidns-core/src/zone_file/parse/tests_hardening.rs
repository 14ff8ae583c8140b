//! Bounds on what a hostile text costs, and the export's tagged comments read back.

use chrono::Utc;

use super::*;
use crate::ids::{RecordId, ZoneId};
use crate::record::Record;
use crate::record::ttl::Ttl;
use crate::zone_file::render::{ZoneFileFormat, render};

fn zone() -> ZoneName {
    ZoneName::parse("example.com").unwrap()
}

fn bind_with(text: &str, options: Options) -> Parsed {
    parse(text, Format::Bind, &zone(), options)
}

fn bind(text: &str) -> Parsed {
    bind_with(text, Options::default())
}

#[test]
fn errors_past_the_limit_are_counted_and_texts_clipped() {
    let p = bind(&"x\n".repeat(5000));
    assert_eq!(p.errors.len(), NOTE_LIMIT);
    assert_eq!(p.more_errors, 5000 - NOTE_LIMIT);
    let long = format!("a TXT \"{}\n", "y".repeat(10_000));
    let p = bind(&long);
    assert_eq!(p.errors.len(), 1);
    assert!(p.errors[0].text.chars().count() <= NOTE_TEXT_CHARS + 1);
    let p = bind(&format!("a TXT \"{}\"\n", "y".repeat(250)));
    assert!(p.records[0].text.chars().count() <= NOTE_TEXT_CHARS + 1);
}

#[test]
fn reading_stops_past_the_record_limit() {
    let text = "a A 192.0.2.1\n".repeat(100);
    let options = Options {
        max_records: Some(10),
        ..Options::default()
    };
    let p = bind_with(&text, options);
    assert!(p.truncated);
    assert_eq!(p.records.len(), 11);
    for format in [Format::Json, Format::Csv] {
        let text = match format {
            Format::Json => format!(
                "[{}]",
                vec![r#"{"name":"a","type":"A","content":"192.0.2.1"}"#; 100].join(",")
            ),
            _ => format!("name,type,content\n{}", "a,A,192.0.2.1\n".repeat(100)),
        };
        let p = parse(&text, format, &zone(), options);
        assert!(p.truncated, "{format:?}");
        assert_eq!(p.records.len(), 11, "{format:?}");
    }
    let p = bind_with(
        &"a A 192.0.2.1\n".repeat(10),
        Options {
            max_records: Some(10),
            ..Options::default()
        },
    );
    assert!(!p.truncated);
}

#[test]
fn long_origins_and_owners_are_errors_of_their_line() {
    let mut text = "$ORIGIN example.com.\n".to_owned();
    text.push_str(&"$ORIGIN a\n".repeat(200));
    let p = bind(&text);
    // example.com. is 12 characters; each `a.` adds 2: the 121st makes 254 + 2.
    assert_eq!(p.errors.len(), 200 - 121, "{:?}", p.errors.first());
    assert!(p.errors[0].reason.contains("longer than 253"));

    let label = "l".repeat(64);
    let owner = format!("{label} A 192.0.2.1\n  A 192.0.2.2\nok A 192.0.2.3\n");
    let p = bind(&owner);
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 2], "{:?}", p.errors);
    assert!(p.errors[0].reason.contains("63"));
    assert_eq!(p.records.len(), 1);

    let p = bind(&format!("$ORIGIN {label}.example.com.\n"));
    assert_eq!(p.errors.len(), 1);
}

#[test]
fn generic_rdata_of_a_known_type_is_refused() {
    let p = bind("x TXT \\# 4 03616263\ny TYPE65280 \\# 1 00\n");
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert!(p.errors[0].reason.contains("presentation form"));
    assert_eq!(p.records.len(), 1);
}

#[test]
fn skip_unsupported_does_not_skip_bad_ttls() {
    let skip = Options {
        skip_unsupported: true,
        ..Options::default()
    };
    let p = bind_with(
        "a 3OO A 192.0.2.1\nb 2147483648 A 192.0.2.1\nc MB m.\n",
        skip,
    );
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 2], "{:?}", p.errors);
    assert!(p.errors[1].reason.contains("out of range"));
    assert_eq!(p.skipped.len(), 1);
    let p = parse(
        "name,type,content,ttl\na,A,192.0.2.1,9999999999\n",
        Format::Csv,
        &zone(),
        skip,
    );
    assert!(
        p.errors[0].reason.contains("out of range"),
        "{:?}",
        p.errors
    );
}

fn rec(name: &str, rtype: RecordType, content: &str, disabled: bool) -> Record {
    let zone = zone();
    Record {
        id: RecordId::new(),
        zone_id: ZoneId::new(),
        name: RecordName::parse(name, &zone).unwrap(),
        content: RecordContent::parse(rtype, content, &zone).unwrap(),
        ttl: Ttl::new(300).unwrap(),
        disabled,
        system: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[test]
fn the_exports_tagged_comments_are_read_back() {
    let records = [
        rec("a", RecordType::A, "192.0.2.1", false),
        rec("old", RecordType::A, "192.0.2.9", true),
        rec("@", RecordType::ALIAS, "target.example.net.", false),
        rec("g", RecordType::Generic(27), "\\# 1 00", false),
    ];
    let refs: Vec<&Record> = records.iter().collect();
    let text = render(
        ZoneFileFormat::Bind,
        &zone(),
        Ttl::new(3600).unwrap(),
        &refs,
    );
    assert!(text.contains("; disabled: "), "{text}");
    let p = bind(&text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let mut got: Vec<(String, String, bool)> = p
        .records
        .iter()
        .map(|r| {
            (
                r.name.fqdn().to_owned(),
                r.content.as_str().to_owned(),
                r.disabled,
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, bool)> = records
        .iter()
        .map(|r| {
            (
                r.name.fqdn().to_owned(),
                r.content.as_str().to_owned(),
                r.disabled,
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn json_that_is_not_an_array_says_so() {
    for text in ["{\"a\": 1}", "["] {
        let p = parse(text, Format::Json, &zone(), Options::default());
        assert_eq!(p.errors.len(), 1, "{text}: {:?}", p.errors);
    }
    let p = parse("{\"a\": 1}", Format::Json, &zone(), Options::default());
    assert!(p.errors[0].reason.contains("array"), "{:?}", p.errors);
}
