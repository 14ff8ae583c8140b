//! Renders a zone's records as a file in one of three formats (docs/decisions.md, "export"):
//!
//! - `bind`: an RFC 1035 master file `named-checkzone` loads: `$ORIGIN`, `$TTL`, the SOA and
//!   apex NS first, then every record on one line (`owner ttl IN type content`, owners
//!   relative to the origin) in canonical name order. Records named must not load are kept
//!   as tagged comments the importer reads back: `; disabled: <line>` for disabled records
//!   and `; alias: <line>` for ALIAS, PowerDNS's extension named has no type for.
//! - `json`: an array of `{name, type, content, ttl, disabled}`.
//! - `csv`: RFC 4180, header `name,type,content,ttl,disabled`.
//!
//! JSON and CSV hold only the records a tenant manages: the SOA and apex NS are the
//! platform's, and an import skips them anyway.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::name::ZoneName;
use crate::record::{Record, RecordType, Ttl};

/// The formats a zone is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZoneFileFormat {
    /// RFC 1035 master file.
    #[default]
    Bind,
    /// JSON array of records.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

impl ZoneFileFormat {
    /// Every format.
    pub const ALL: &'static [ZoneFileFormat] = &[Self::Bind, Self::Json, Self::Csv];

    /// The query and body spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bind => "bind",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }

    /// The media type of a file in this format (`text/dns`: RFC 4027).
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Bind => "text/dns",
            Self::Json => "application/json",
            Self::Csv => "text/csv",
        }
    }

    /// The file name of `zone`'s file in this format (`example.com.zone`).
    pub fn file_name(self, zone: &ZoneName) -> String {
        let extension = match self {
            Self::Bind => "zone",
            Self::Json => "json",
            Self::Csv => "csv",
        };
        format!("{}.{extension}", zone.as_str())
    }
}

impl std::fmt::Display for ZoneFileFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZoneFileFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(
                    "format",
                    format!("'{s}' is not a zone file format; use one of: bind, json, csv"),
                )
            })
    }
}

/// `records` of `zone` as a file in `format`. The order is canonical whatever the input
/// order, so the same records always give the same text.
pub fn render(
    format: ZoneFileFormat,
    zone: &ZoneName,
    default_ttl: Ttl,
    records: &[&Record],
) -> String {
    let mut sorted = records.to_vec();
    sorted.sort_by_cached_key(|r| order_key(zone, r));
    match format {
        ZoneFileFormat::Bind => bind(zone, default_ttl, &sorted),
        ZoneFileFormat::Json => json(zone, &sorted),
        ZoneFileFormat::Csv => csv(zone, &sorted),
    }
}

/// Canonical name order (RFC 4034 §6.1: labels compared from the root), the SOA and the NS
/// first at each name, then by type and content.
fn order_key(zone: &ZoneName, r: &Record) -> (Vec<String>, u8, &'static str, String) {
    let labels = r.name.relative_to(zone);
    let labels = if labels == "@" {
        Vec::new()
    } else {
        labels.rsplit('.').map(str::to_owned).collect()
    };
    let rank = match r.rtype() {
        RecordType::SOA => 0,
        RecordType::NS => 1,
        _ => 2,
    };
    (
        labels,
        rank,
        r.rtype().as_str(),
        r.content.as_str().to_owned(),
    )
}

fn bind(zone: &ZoneName, default_ttl: Ttl, records: &[&Record]) -> String {
    let mut out = String::with_capacity(64 * (records.len() + 8));
    // Infallible: writing to a String.
    let _ = writeln!(out, "; Zone {} exported by ScaiDNS.", zone.as_str());
    out.push_str("; \"; disabled: \" marks a record kept but not served; \"; alias: \" an ALIAS\n");
    out.push_str("; record (a PowerDNS extension named cannot load). ScaiDNS imports both.\n");
    let _ = writeln!(out, "$ORIGIN {}", zone.fqdn());
    let _ = writeln!(out, "$TTL {}", default_ttl.seconds());
    for r in records {
        let line = format!(
            "{}\t{}\tIN\t{}\t{}",
            r.name.relative_to(zone),
            r.ttl.seconds(),
            r.rtype(),
            r.content
        );
        if r.disabled {
            out.push_str("; disabled: ");
        } else if r.rtype() == RecordType::ALIAS {
            out.push_str("; alias: ");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One record of the JSON and CSV formats.
#[derive(Serialize)]
struct Row<'a> {
    name: String,
    #[serde(rename = "type")]
    rtype: &'static str,
    content: &'a str,
    ttl: u32,
    disabled: bool,
}

fn rows<'a>(zone: &'a ZoneName, records: &'a [&Record]) -> impl Iterator<Item = Row<'a>> {
    records.iter().filter(|r| !r.system).map(|r| Row {
        name: r.name.relative_to(zone),
        rtype: r.rtype().as_str(),
        content: r.content.as_str(),
        ttl: r.ttl.seconds(),
        disabled: r.disabled,
    })
}

/// One record per line, so a diff of two exports reads line by line.
fn json(zone: &ZoneName, records: &[&Record]) -> String {
    let lines: Vec<String> = rows(zone, records)
        .map(|row| serde_json::to_string(&row).unwrap_or_default())
        .collect();
    if lines.is_empty() {
        return "[]\n".to_owned();
    }
    format!("[\n  {}\n]\n", lines.join(",\n  "))
}

fn csv(zone: &ZoneName, records: &[&Record]) -> String {
    let mut out = String::from("name,type,content,ttl,disabled\r\n");
    for row in rows(zone, records) {
        let _ = write!(
            out,
            "{},{},{},{},{}\r\n",
            csv_field(&row.name),
            row.rtype,
            csv_field(row.content),
            row.ttl,
            row.disabled
        );
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180 §2.6–2.7).
fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests;
