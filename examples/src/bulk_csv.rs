//! A bulk change read from a CSV file and sent through the typed client as one
//! `POST /api/v1/domains/{id}/records/bulk`: all rows apply, or none do.
//!
//! The file has a header line and one row per change:
//!
//! ```text
//! action,name,type,content,ttl
//! add,www,A,192.0.2.10,300
//! add,@,TXT,"""v=spf1 mx -all""",
//! delete,old,A,192.0.2.99,
//! ```
//!
//! `add` creates a record (an empty `ttl` takes the zone's); `delete` removes the record with that
//! name, type and content as the API lists them (relative name, canonical content). Fields
//! follow RFC 4180: a field holding a comma or a quote is quoted, a quote inside doubled.

use futures::TryStreamExt;
use scaidns_client::types::{RecordBulkRequest, RecordBulkResponse, RecordCreateRequest};
use scaidns_client::{Client, Error};

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// Create this record.
    Add {
        /// Owner name, relative to the zone (`@` for the apex).
        name: String,
        /// Record type.
        rtype: String,
        /// Content in presentation form.
        content: String,
        /// TTL in seconds; `None` takes the zone's.
        ttl: Option<i64>,
    },
    /// Delete the record with this name, type and content.
    Delete {
        /// Owner name as the API lists it.
        name: String,
        /// Record type.
        rtype: String,
        /// Content as the API lists it.
        content: String,
    },
}

/// Why a file or a change failed.
#[derive(Debug)]
pub enum BulkError {
    /// The file's line (from 1) is not a valid row.
    Csv {
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A `delete` row names no record of the zone.
    NoSuchRecord {
        /// Line number.
        line: usize,
    },
    /// The server refused or could not be reached; nothing was applied.
    Api(Error),
}

impl std::fmt::Display for BulkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Csv { line, message } => write!(f, "line {line}: {message}"),
            Self::NoSuchRecord { line } => write!(f, "line {line}: no such record in the zone"),
            Self::Api(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BulkError {}

impl From<Error> for BulkError {
    fn from(e: Error) -> Self {
        Self::Api(e)
    }
}

/// Reads the rows of `csv` (header first).
///
/// # Errors
/// [`BulkError::Csv`] for the first line that is not a row.
pub fn parse_csv(csv: &str) -> Result<Vec<(usize, Row)>, BulkError> {
    let mut rows = Vec::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let number = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: &str| BulkError::Csv {
            line: number,
            message: message.to_owned(),
        };
        let fields = split_fields(line).ok_or_else(|| bad("unterminated quoted field"))?;
        let [action, name, rtype, content, ttl] = <[String; 5]>::try_from(fields)
            .map_err(|_| bad("expected 5 fields: action,name,type,content,ttl"))?;
        let row = match action.as_str() {
            "add" => Row::Add {
                name,
                rtype,
                content,
                ttl: match ttl.trim() {
                    "" => None,
                    t => Some(t.parse().map_err(|_| bad("ttl is not a number"))?),
                },
            },
            "delete" => Row::Delete {
                name,
                rtype,
                content,
            },
            _ => return Err(bad("action is add or delete")),
        };
        rows.push((number, row));
    }
    Ok(rows)
}

/// The fields of one RFC 4180 line, or `None` when a quoted field does not end.
fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut()?;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(String::new()),
            (_, c) => field.push(c),
        }
    }
    (!quoted).then_some(fields)
}

/// Applies the rows to the zone `zone_id` in one bulk request (all or nothing).
///
/// # Errors
/// [`BulkError::NoSuchRecord`] before anything is sent; [`BulkError::Api`] with the server's
/// envelope (422 with every refused item in `detail.failures`, 403, 404 …), nothing applied.
pub async fn apply(
    client: &Client,
    zone_id: &str,
    rows: &[(usize, Row)],
) -> Result<RecordBulkResponse, BulkError> {
    let existing: Vec<_> = scaidns_client::paginate(1000, |page, size| {
        client.record_list(zone_id, None, None, Some(page), Some(size), None, None)
    })
    .try_collect()
    .await?;
    let mut request = RecordBulkRequest {
        continue_on_error: None,
        delete: Vec::new(),
        records: Vec::new(),
        update: Vec::new(),
    };
    for (line, row) in rows {
        match row {
            Row::Add {
                name,
                rtype,
                content,
                ttl,
            } => request.records.push(RecordCreateRequest {
                ptr: None,
                name: name.clone(),
                type_: rtype.clone(),
                content: content.clone(),
                ttl: *ttl,
                disabled: None,
            }),
            Row::Delete {
                name,
                rtype,
                content,
            } => {
                let record = existing
                    .iter()
                    .find(|r| {
                        r.display_name == *name
                            && r.type_.eq_ignore_ascii_case(rtype)
                            && r.content == *content
                    })
                    .ok_or(BulkError::NoSuchRecord { line: *line })?;
                request.delete.push(record.id.clone());
            }
        }
    }
    Ok(client
        .record_bulk(zone_id, &request)
        .await
        .map_err(Error::from)?
        .into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(csv: &str) -> (usize, String) {
        match parse_csv(csv) {
            Err(BulkError::Csv { line, message }) => (line, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rows_with_quotes_commas_and_blank_ttls() {
        let rows = parse_csv("action,name,type,content,ttl\nadd,@,TXT,\"\"\"a, b\"\"\",\n\ndelete,www,A,192.0.2.1,\n")
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (
                    2,
                    Row::Add {
                        name: "@".into(),
                        rtype: "TXT".into(),
                        content: "\"a, b\"".into(),
                        ttl: None
                    }
                ),
                (
                    4,
                    Row::Delete {
                        name: "www".into(),
                        rtype: "A".into(),
                        content: "192.0.2.1".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn bad_lines_are_named() {
        let head = "action,name,type,content,ttl\n";
        assert_eq!(refusal(&format!("{head}add,www,A,\"192.0.2.1,\n")).0, 2);
        assert!(
            refusal(&format!("{head}add,www,A\n"))
                .1
                .contains("5 fields")
        );
        assert!(
            refusal(&format!("{head}add,a,A,192.0.2.1,\nput,www,A,192.0.2.1,\n"))
                == (3, "action is add or delete".into())
        );
        assert!(
            refusal(&format!("{head}add,www,A,192.0.2.1,soon\n"))
                .1
                .contains("ttl")
        );
    }
}
