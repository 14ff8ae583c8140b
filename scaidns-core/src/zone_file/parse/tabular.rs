//! The JSON and CSV record lists (the shapes the export writes): one record per item or row,
//! with `name` (`@`, relative or absolute inside the zone), `type`, `content` as the record API
//! takes it, `ttl` (optional) and `disabled` (optional, default false).

use serde::Deserialize;
use serde_json::Value;

use super::bind::parse_ttl;
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

/// A JSON array; each item's "line" is its 1-based position in the array.
pub(super) fn read_json(input: &str, sink: &mut Sink<'_>) {
    let items: Vec<Value> = match serde_json::from_str(input) {
        Ok(Value::Array(items)) => items,
        Ok(_) => return sink.error(1, "", "the JSON must be an array of records"),
        Err(e) => {
            let line = e.line().max(1);
            let text = input.lines().nth(line - 1).unwrap_or_default();
            return sink.error(line, text, format!("not valid JSON: {e}"));
        }
    };
    for (i, value) in items.into_iter().enumerate() {
        let text = value.to_string();
        match serde_json::from_value::<Item>(value) {
            Ok(item) => sink.record(Raw {
                line: i + 1,
                text: &text,
                name: &item.name,
                rtype: &item.rtype,
                content: &item.content,
                ttl: item.ttl,
                disabled: item.disabled.unwrap_or(false),
            }),
            Err(e) => sink.error(i + 1, &text, format!("not a record: {e}")),
        }
    }
}

/// Columns a CSV header may name.
const COLUMNS: [&str; 5] = ["name", "type", "content", "ttl", "disabled"];

/// CSV (RFC 4180) with a mandatory header row naming at least `name`, `type` and `content`.
pub(super) fn read_csv(input: &str, sink: &mut Sink<'_>) {
    let rows = match rows(input) {
        Ok(rows) => rows,
        Err((line, reason)) => {
            let text = input.lines().nth(line - 1).unwrap_or_default();
            return sink.error(line, text, reason);
        }
    };
    let mut rows = rows.into_iter().filter(|r| !r.is_blank());
    let Some(header) = rows.next() else {
        return sink.error(1, "", "the CSV has no header row (name,type,content,ttl)");
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
                    sink.error(row.line, &row.text, format!("ttl '{t}' is not a TTL"));
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

/// RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks.
fn rows(input: &str) -> Result<Vec<Row>, (usize, String)> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
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
                        line += 1;
                        cell.push(c);
                    }
                    _ => cell.push(c),
                }
                continue;
            }
            match c {
                '\n' => {
                    line += 1;
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
            return Err((start, "a quoted cell is never closed".to_owned()));
        }
        cells.push(cell);
        out.push(Row {
            line: start,
            text,
            cells,
        });
    }
    Ok(out)
}
