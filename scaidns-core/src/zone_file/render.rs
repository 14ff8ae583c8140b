//! Renders a zone's records as a file in one of three formats (docs/decisions.md, "export"):
//!
//! - `bind`: an RFC 1035 master file `named-checkzone` loads: `$ORIGIN`, `$TTL`, the SOA and
//!   apex NS first, then every record on one line (`owner ttl IN type content`, owners
//!   relative to the origin) in canonical name order. Records named must not load are kept
//!   as tagged comments the importer reads back: `; disabled: <line>` for disabled records
//!   and `; alias: <line>` for ALIAS, PowerDNS's extension named has no type for, and
//!   `; generic: <line>` for a `TYPEnnn` whose number named knows by a name (`TYPE27`: GPOS).
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

    /// The media type of a file in this format (spec §7.2: a BIND file is plain text).
    pub const fn media_type(self) -> &'static str {
        match self {
            Self::Bind => "text/plain",
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
    sorted.sort_by(|a, b| canonical_order(a, b));
    match format {
        ZoneFileFormat::Bind => bind(zone, default_ttl, &sorted),
        ZoneFileFormat::Json => json(zone, &sorted),
        ZoneFileFormat::Csv => csv(zone, &sorted),
    }
}

/// Canonical name order (RFC 4034 §6.1: labels compared from the root), the SOA and the NS
/// first at each name, then by type and content. Compares borrowed text: every name is in
/// the zone, so comparing whole names from the root orders them as their relative names.
fn canonical_order(a: &Record, b: &Record) -> std::cmp::Ordering {
    let rank = |r: &Record| match r.rtype() {
        RecordType::SOA => 0,
        RecordType::NS => 1,
        _ => 2,
    };
    a.name
        .as_str()
        .rsplit('.')
        .cmp(b.name.as_str().rsplit('.'))
        .then_with(|| rank(a).cmp(&rank(b)))
        .then_with(|| a.rtype().as_str().cmp(b.rtype().as_str()))
        .then_with(|| a.content.as_str().cmp(b.content.as_str()))
}

/// Type numbers named (9.18) gives a type of its own that PowerDNS does not (so ScaiDNS
/// stores them as RFC 3597 `TYPEnnn`): named decodes their `\# ` data as that type and refuses
/// the whole file when it is not valid for it, so a BIND export keeps them as `; generic: `
/// comments. Checked against `named-checkzone` with empty and short data for every number
/// PowerDNS has no name for (NULL, UID and the like accept any data and are written as is).
const BIND_NAMED_GENERIC: &[u16] = &[
    3, 4, 11, 19, 20, 21, 22, 23, 26, 27, 30, 31, 32, 34, 40, 55, 56, 58, 66, 67, 68, 258, 259,
    260, 261, 262, 32768,
];

/// The tag a BIND export comments a record out with, if it does.
fn bind_comment_tag(r: &Record) -> Option<&'static str> {
    match r.rtype() {
        _ if r.disabled => Some("; disabled: "),
        RecordType::ALIAS => Some("; alias: "),
        RecordType::Generic(code) if BIND_NAMED_GENERIC.contains(&code) => Some("; generic: "),
        _ => None,
    }
}

fn bind(zone: &ZoneName, default_ttl: Ttl, records: &[&Record]) -> String {
    let mut out = String::with_capacity(64 * (records.len() + 8));
    // Infallible: writing to a String.
    let _ = writeln!(out, "; Zone {} exported by ScaiDNS.", zone.as_str());
    out.push_str("; \"; disabled: \" marks a record kept but not served; \"; alias: \" an ALIAS\n");
    out.push_str("; record (a PowerDNS extension named cannot load), \"; generic: \" a TYPEnnn\n");
    out.push_str("; record whose number named reads as a type of its own.\n");
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
        if let Some(tag) = bind_comment_tag(r) {
            out.push_str(tag);
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
