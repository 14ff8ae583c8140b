//! Printing (tables or JSON) and the mapping of failures onto exit codes.

use scaidns_client::types::ErrorBody;

/// Exit code: not found.
pub const NOT_FOUND: i32 = 3;
/// Exit code: not authenticated or not allowed.
pub const NOT_ALLOWED: i32 = 4;
/// Exit code: conflict or invalid input.
pub const INVALID: i32 = 5;
/// Exit code: server or backend unavailable.
pub const UNAVAILABLE: i32 = 6;
/// Exit code: usage.
pub const USAGE: i32 = 2;

/// A failed command: exit code and message.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: i32,
    /// What to tell the user.
    pub message: String,
}

impl Failure {
    /// A failure with `code`.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

fn code_for_status(status: u16) -> i32 {
    match status {
        404 => NOT_FOUND,
        401 | 403 => NOT_ALLOWED,
        400 | 409 | 413 | 415 | 422 | 429 => INVALID,
        _ => UNAVAILABLE,
    }
}

/// The exit code of an error answer. PowerDNS refusing a change (`backend_rejected`, 502) is
/// a setting or input to fix, not an outage: PowerDNS answered (interface decision 26).
fn code_for_error(status: u16, code: &str) -> i32 {
    if code == "backend_rejected" {
        INVALID
    } else {
        code_for_status(status)
    }
}

/// What to check after an error with `code`, as a sentence to append.
fn hint_for(code: &str) -> &'static str {
    match code {
        "backend_rejected" => {
            "; PowerDNS answered but refused the change: check its log and pdns.conf \
             (DNSSEC needs gsqlite3-dnssec=yes, gmysql-dnssec=yes or gpgsql-dnssec=yes)"
        }
        _ => "",
    }
}

/// Asks `question` on the terminal (`[y/N]`, on stderr) before a change that is hard to undo;
/// `yes` (`--yes`) skips the question. Without a terminal, and on any answer but y/yes, the
/// command stops with a usage error saying what `--yes` would have done.
pub fn confirm(question: &str, yes: bool) -> Result<(), Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new(
            USAGE,
            format!("{question}: pass --yes to confirm"),
        ));
    }
    eprint!("{question}. Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::new(USAGE, "stopped; nothing changed"))
    }
}

/// "cannot connect to http://…: connection refused; is `scaidns serve` running? …"
fn cannot_connect(e: &reqwest::Error) -> String {
    let url = e.url().map_or_else(|| "the server".to_owned(), origin);
    let why = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        // The innermost cause is the operating system's word ("Connection refused").
        let mut source: Option<&dyn std::error::Error> = Some(e);
        let mut last = e.to_string();
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        last.to_lowercase()
    };
    format!("cannot connect to {url}: {why}; is `scaidns serve` running? set --url or SCAIDNS_URL")
}

/// `scheme://host:port` of `url`, never its `user:password@` part.
pub fn origin(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

impl Failure {
    /// The failure of an error answer with `status` (also a plan's, `--dry-run`).
    pub fn of_envelope(status: u16, body: &ErrorBody) -> Self {
        let detail = readable_detail(&body.detail);
        Self::new(
            code_for_error(status, &body.code),
            format!(
                "{detail} ({}, HTTP {status}, request {}){}",
                body.code,
                body.request_id,
                hint_for(&body.code)
            ),
        )
    }
}

impl From<scaidns_client::GeneratedError<ErrorBody>> for Failure {
    fn from(e: scaidns_client::GeneratedError<ErrorBody>) -> Self {
        match e {
            scaidns_client::GeneratedError::ErrorResponse(resp) => {
                let status = resp.status().as_u16();
                Self::of_envelope(status, &resp.into_inner())
            }
            other => Self::without_envelope(other),
        }
    }
}

impl Failure {
    /// The failure of a call that got no error envelope: no connection, or an answer outside
    /// the documented ones (also the health probes, whose errors carry none).
    pub fn without_envelope<T: std::fmt::Debug>(e: scaidns_client::GeneratedError<T>) -> Self {
        match e {
            scaidns_client::GeneratedError::CommunicationError(e)
                if e.is_connect() || e.is_timeout() =>
            {
                Self::new(UNAVAILABLE, cannot_connect(&e))
            }
            other => {
                let code = other
                    .status()
                    .map_or(UNAVAILABLE, |s| code_for_status(s.as_u16()));
                Self::new(code, other.to_string())
            }
        }
    }
}

/// The envelope's `detail` as a sentence: a string as is, a conflict's `message`, or each
/// located problem as `field: message`.
fn readable_detail(detail: &serde_json::Value) -> String {
    use serde_json::Value;
    match detail {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.get("message").and_then(Value::as_str) {
            Some(m) => m.to_owned(),
            None => detail.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let msg = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                let loc: Vec<String> = item
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .skip(1)
                            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if loc.is_empty() {
                    msg.to_owned()
                } else {
                    format!("{}: {msg}", loc.join("."))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

impl From<scaidns_core::Error> for Failure {
    fn from(e: scaidns_core::Error) -> Self {
        use scaidns_core::ErrorKind as K;
        let code = match e.kind() {
            K::NotFound | K::Gone => NOT_FOUND,
            K::Unauthenticated | K::Forbidden => NOT_ALLOWED,
            K::InvalidInput
            | K::BadQuery
            | K::Conflict
            | K::PreconditionFailed
            | K::TooLarge
            | K::RateLimited => INVALID,
            K::Upstream | K::Unavailable | K::Internal => UNAVAILABLE,
        };
        Self::new(code, e.to_string())
    }
}

/// What to tell the user when a write is saved but not (yet) published; `None` when it is
/// published or the zone is not served. `status` is the zone's `sync_status`, `error` its
/// `sync_error` and `next_retry` its `next_retry_at`.
pub fn not_published_note(
    status: &str,
    error: Option<&str>,
    next_retry: Option<&chrono::DateTime<chrono::Utc>>,
) -> Option<String> {
    let why = error.map_or_else(String::new, |e| format!(": {e}"));
    let next = next_retry.map_or_else(
        || "it is published when the retry loop (`scaidns worker`) next runs".to_owned(),
        |t| format!("the retry loop tries again at {}", t.format("%H:%M:%S UTC")),
    );
    match status {
        "pending" => Some(format!("saved; not yet published{why}; {next}")),
        "error" => Some(format!("saved; not published{why}; {next}")),
        _ => None,
    }
}

/// The `X-Sync-Status` of a delete's answer (absent: nothing left to publish).
pub fn sync_status_header(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("x-sync-status")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("in_sync")
        .to_owned()
}

/// A timestamp for tables: minutes are precise enough to read, and it is UTC like the API.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

/// Prints an API answer as pretty JSON.
pub fn print_json_of(value: &impl serde::Serialize) {
    print_json(&serde_json::to_value(value).unwrap_or_default());
}

/// A flag's JSON object (`--settings '{"k":1}'`), or nothing when the flag is absent; other
/// JSON (a list, a string) is refused rather than sent.
pub fn json_object(flag: &str, text: Option<&str>) -> Result<Option<serde_json::Value>, Failure> {
    let Some(text) = text else { return Ok(None) };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v @ serde_json::Value::Object(_)) => Ok(Some(v)),
        Ok(_) => Err(Failure::new(
            INVALID,
            format!("{flag} must be a JSON object"),
        )),
        Err(e) => Err(Failure::new(INVALID, format!("{flag} is not JSON: {e}"))),
    }
}

/// An optional cell: the value, or `-`.
pub fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

/// Prints a table with aligned columns.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_origin_never_carries_credentials() {
        let url = reqwest::Url::parse("http://admin:hunter2@api.example:8000/v1/zones").unwrap();
        assert_eq!(super::origin(&url), "http://api.example:8000");
        let url = reqwest::Url::parse("https://user@api.example/").unwrap();
        assert_eq!(super::origin(&url), "https://api.example:443");
    }

    use super::*;

    #[test]
    fn a_refusal_by_powerdns_is_invalid_and_names_the_setting() {
        assert_eq!(code_for_error(502, "backend_rejected"), INVALID);
        assert_eq!(code_for_error(502, "backend_unavailable"), UNAVAILABLE);
        assert_eq!(code_for_error(503, "service_unavailable"), UNAVAILABLE);
        assert!(hint_for("backend_rejected").contains("gsqlite3-dnssec=yes"));
        assert_eq!(hint_for("conflict"), "");
    }
}
