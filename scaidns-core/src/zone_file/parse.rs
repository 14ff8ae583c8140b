//! Reading records for import: a master file as `named` reads it ([`Format::Bind`]), or the
//! JSON and CSV record lists the export writes. Pure: the result lists the records, the lines
//! skipped because the platform manages them (SOA, apex NS, DNSSEC) or because their type
//! cannot be stored (when asked to), and every line in error. Nothing here knows the zone's
//! current records; the service plans the change.

mod bind;
mod lexer;
mod names;
mod tabular;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hardening;

use std::str::FromStr;

use crate::error::{Error, Result};
use crate::name::ZoneName;
use crate::record::{RecordContent, RecordName, RecordType};
use crate::zone::rules::is_system_managed;

/// The text's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// RFC 1035 master file.
    #[default]
    Bind,
    /// JSON array of `{name, type, content, ttl?, disabled?}`.
    Json,
    /// CSV with a header row naming `name,type,content,ttl` and optionally `disabled`.
    Csv,
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bind" | "zone" => Ok(Self::Bind),
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            _ => Err(Error::invalid("format", "must be one of bind, json, csv")),
        }
    }
}

/// How to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// A record of a type ScaiDNS cannot store is skipped instead of an error.
    pub skip_unsupported: bool,
    /// Reading stops once this many records and one more are read (the caller refuses the
    /// text as too large then): a huge text is never held as records. `None`: no limit.
    pub max_records: Option<usize>,
}

/// Skipped and bad lines listed one by one; past this only their number is counted, so a
/// text of a million bad lines makes a short answer.
pub const NOTE_LIMIT: usize = 1000;

/// Characters of a line's text a note keeps (a line may be a whole file long).
pub const NOTE_TEXT_CHARS: usize = 200;

/// One record read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRecord {
    /// Line (item number for JSON) it was read from.
    pub line: usize,
    /// The line as written.
    pub text: String,
    /// Owner.
    pub name: RecordName,
    /// Canonical content.
    pub content: RecordContent,
    /// TTL written (or inherited from `$TTL`); `None` takes the zone's rules.
    pub ttl: Option<i64>,
    /// Kept but not served.
    pub disabled: bool,
}

/// A line skipped or in error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineNote {
    /// 1-based line (item number for JSON).
    pub line: usize,
    /// The line as written (every physical line of a multi-line record).
    pub text: String,
    /// Why.
    pub reason: String,
}

/// Everything read from one text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Records to import, in file order.
    pub records: Vec<ParsedRecord>,
    /// Lines left out on purpose.
    pub skipped: Vec<LineNote>,
    /// Lines that cannot be imported.
    pub errors: Vec<LineNote>,
    /// Lines skipped beyond the first [`NOTE_LIMIT`], counted only.
    pub more_skipped: usize,
    /// Lines in error beyond the first [`NOTE_LIMIT`], counted only.
    pub more_errors: usize,
    /// Reading stopped at `max_records` + 1 records: the text holds more than the limit.
    pub truncated: bool,
}

/// Reads `input` of `format` for `zone`.
pub fn parse(input: &str, format: Format, zone: &ZoneName, options: Options) -> Parsed {
    let mut out = Parsed::default();
    let mut sink = Sink {
        zone,
        options,
        out: &mut out,
    };
    match format {
        Format::Bind => bind::read(input, &mut sink),
        Format::Json => tabular::read_json(input, &mut sink),
        Format::Csv => tabular::read_csv(input, &mut sink),
    }
    out
}

/// One record as the three formats hand it over: owner already absolute or relative to the
/// zone, content text as the record API takes it.
pub(super) struct Raw<'a> {
    line: usize,
    text: &'a str,
    name: &'a str,
    rtype: &'a str,
    content: &'a str,
    ttl: Option<i64>,
    disabled: bool,
}

/// Collects records, skips and errors.
pub(super) struct Sink<'a> {
    zone: &'a ZoneName,
    options: Options,
    out: &'a mut Parsed,
}

impl Sink<'_> {
    fn error(&mut self, line: usize, text: &str, reason: impl Into<String>) {
        if self.out.errors.len() < NOTE_LIMIT {
            self.out.errors.push(note(line, text, reason));
        } else {
            self.out.more_errors += 1;
        }
    }

    fn skip(&mut self, line: usize, text: &str, reason: impl Into<String>) {
        if self.out.skipped.len() < NOTE_LIMIT {
            self.out.skipped.push(note(line, text, reason));
        } else {
            self.out.more_skipped += 1;
        }
    }

    /// Enough records are read to know the text holds too many: readers stop.
    fn full(&self) -> bool {
        self.out.truncated
    }

    /// Classifies one record: kept, skipped (platform-managed, or unsupported when allowed) or
    /// an error of its line.
    fn record(&mut self, raw: Raw<'_>) {
        let name = match RecordName::parse(raw.name, self.zone) {
            Ok(name) => name,
            Err(e) => return self.error(raw.line, raw.text, e.message()),
        };
        let rtype = match raw.rtype.parse::<RecordType>() {
            Ok(t) => t,
            Err(e) if e.code() == "dnssec_managed" => {
                return self.skip(
                    raw.line,
                    raw.text,
                    format!(
                        "{} records are made by the DNSSEC signer; manage DNSSEC with the DNSSEC endpoints",
                        raw.rtype.to_ascii_uppercase()
                    ),
                );
            }
            Err(e) if self.options.skip_unsupported && e.code() == "unsupported_record_type" => {
                return self.skip(raw.line, raw.text, e.message());
            }
            Err(e) => return self.error(raw.line, raw.text, e.message()),
        };
        if is_system_managed(self.zone, &name, rtype) {
            let reason = if rtype == RecordType::SOA {
                "the SOA is managed by the platform"
            } else {
                "the apex NS records are managed by the platform (its nameserver set)"
            };
            return self.skip(raw.line, raw.text, reason);
        }
        let content = match RecordContent::parse(rtype, raw.content, self.zone) {
            Ok(c) => c,
            Err(e) => return self.error(raw.line, raw.text, format!("{rtype}: {}", e.message())),
        };
        self.out.records.push(ParsedRecord {
            line: raw.line,
            text: clip(raw.text),
            name,
            content,
            ttl: raw.ttl,
            disabled: raw.disabled,
        });
        if self
            .options
            .max_records
            .is_some_and(|max| self.out.records.len() > max)
        {
            self.out.truncated = true;
        }
    }
}

/// `text` cut to [`NOTE_TEXT_CHARS`] characters, marked with `…` when cut.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(NOTE_TEXT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

fn note(line: usize, text: &str, reason: impl Into<String>) -> LineNote {
    LineNote {
        line,
        text: clip(text),
        reason: reason.into(),
    }
}
