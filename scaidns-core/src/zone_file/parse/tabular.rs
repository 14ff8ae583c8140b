//! The JSON and CSV record lists (the shapes the export writes): one record per item or row,
//! with `name` (`@`, relative or absolute inside the zone), `type`, `content` as the record API
//! takes it, `ttl` (optional) and `disabled` (optional, default false).

use serde::Deserialize;
use serde_json::Value;

use super::bind::{parse_ttl, ttl_error};
use super::{Raw, Sink};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    content: String,
    #[serde(default)]
    ttl: Option<i64>,
    #[serde(default)]
    disabled: Option<bool>,
    // Export writes these read-only fields too; accepted and ignored.
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    display_name: Option<Value>,
}

/// A JSON array; each item's "line" is its 1-based position in the array. Items are read one
/// at a time, so reading stops at the record limit without holding the rest.
pub(super) fn read_json(input: &str, sink: &mut Sink<'_>) {
    let mut de = serde_json::Deserializer::from_str(input);
    let read = serde::de::DeserializeSeed::deserialize(Items { sink: &mut *sink }, &mut de)
        .and_then(|()| de.end());
    match read {
        Ok(()) => {}
        Err(_) if sink.full() => {}
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            sink.error(1, "", "the JSON must be an array of records");
        }
        Err(e) => {
            let line = e.line().max(1);
            let text = input.lines().nth(line - 1).unwrap_or_default();
            sink.error(line, text, format!("not valid JSON: {e}"));
        }
    }
}

/// Hands each item of the array to the sink as it is read.
struct Items<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut line = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            line += 1;
            item(line, value, self.sink);
            if self.sink.full() {
                return Err(serde::de::Error::custom("record limit reached"));
            }
        }
        Ok(())
    }
}

fn item(line: usize, value: Value, sink: &mut Sink<'_>) {
    let text = value.to_string();
    match serde_json::from_value::<Item>(value) {
        Ok(item) => sink.record(Raw {
            line,
            text: &text,
            name: &item.name,
            rtype: &item.rtype,
            content: &item.content,
            ttl: item.ttl,
            disabled: item.disabled.unwrap_or(false),
        }),
        Err(e) => sink.error(line, &text, format!("not a record: {e}")),
    }
}

/// Columns a CSV header may name.
const COLUMNS: [&str; 5] = ["name", "type", "content", "ttl", "disabled"];

/// CSV (RFC 4180) with a mandatory header row naming at least `name`, `type` and `content`.
pub(super) fn read_csv(input: &str, sink: &mut Sink<'_>) {
    // A quoted cell never closed takes the rest of the text: it is always the last row.
    let unclosed = |sink: &mut Sink<'_>, (line, reason): (usize, String)| {
        let text = input.lines().nth(line - 1).unwrap_or_default();
        sink.error(line, text, reason);
    };
    let mut rows = Rows {
        chars: input.chars().peekable(),
        line: 1,
    }
    .filter(|r| r.as_ref().map_or(true, |r| !r.is_blank()));
    let header = match rows.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return unclosed(sink, e),
        None => return sink.error(1, "", "the CSV has no header row (name,type,content,ttl)"),
    };
    let mut index = [None; 5];
    for (i, cell) in header.cells.iter().enumerate() {
        let cell = cell.trim().to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == cell) {
            Some(col) => index[col] = Some(i),
            None => {
                return sink.error(
                    header.line,
                    &header.text,
                    format!("unknown column '{cell}'; the header names name,type,content,ttl and optionally disabled"),
                );
            }
        }
    }
    if index[..3].iter().any(Option::is_none) {
        return sink.error(
            header.line,
            &header.text,
            "the header must name the columns name, type and content (ttl and disabled are optional)",
        );
    }
    for row in rows {
        if sink.full() {
            return;
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => return unclosed(sink, e),
        };
        if row.cells.len() != header.cells.len() {
            sink.error(
                row.line,
                &row.text,
                format!(
                    "{} columns where the header has {}",
                    row.cells.len(),
                    header.cells.len()
                ),
            );
            continue;
        }
        let cell = |col: usize| index[col].map_or("", |i| row.cells[i].as_str());
        let ttl = match cell(3).trim() {
            "" => None,
            t => match parse_ttl(t) {
                Some(t) => Some(t),
                None => {
                    sink.error(row.line, &row.text, format!("ttl: {}", ttl_error(t)));
                    continue;
                }
            },
        };
        let disabled = match cell(4).trim().to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" => false,
            "true" | "1" | "yes" => true,
            other => {
                sink.error(
                    row.line,
                    &row.text,
                    format!("disabled '{other}' is not true or false"),
                );
                continue;
            }
        };
        sink.record(Raw {
            line: row.line,
            text: &row.text,
            name: cell(0).trim(),
            rtype: cell(1).trim(),
            content: cell(2),
            ttl,
            disabled,
        });
    }
}

struct Row {
    line: usize,
    text: String,
    cells: Vec<String>,
}

impl Row {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// RFC 4180 rows, one at a time: quoted cells may hold commas, doubled quotes and line
/// breaks.
struct Rows<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, (usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        let chars = &mut self.chars;
        chars.peek()?;
        let start = self.line;
        let mut text = String::new();
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            if quoted {
                text.push(c);
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        text.push('"');
                        cell.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        self.line += 1;
                        cell.push(c);
                    }
                    _ => cell.push(c),
                }
                continue;
            }
            match c {
                '\n' => {
                    self.line += 1;
                    break;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '"' if cell.is_empty() => {
                    quoted = true;
                    text.push(c);
                }
                ',' => {
                    text.push(c);
                    cells.push(std::mem::take(&mut cell));
                }
                _ => {
                    text.push(c);
                    cell.push(c);
                }
            }
        }
        if quoted {
            return Some(Err((start, "a quoted cell is never closed".to_owned())));
        }
        cells.push(cell);
        Some(Ok(Row {
            line: start,
            text,
            cells,
        }))
    }
}
