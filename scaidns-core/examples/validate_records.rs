//! Record validation embedded in another program: the pure core, no database, no network, no
//! async runtime. Reads zone-file-like lines (`name type content…`) for one zone and prints each
//! record as ScaiDNS (and PowerDNS) would store it, or why it is refused.
//!
//! ```text
//! printf 'www A 192.0.2.1\n@ MX 10 mail\nbad A 300.1.1.1\n' |
//!   cargo run -p scaidns-core --no-default-features --example validate_records -- example.com
//! ```
//!
//! Exits with status 1 when any line is refused, so it can gate a CI job or a form.

use std::io::Read;

use scaidns_core::prelude::*;

/// One checked line: the record in canonical form (`fqdn TYPE content`), or the refusal
/// (`field: message`).
pub fn check_line(zone: &ZoneName, line: &str) -> std::result::Result<String, String> {
    let refusal = |e: Error| match e.field() {
        Some(field) => format!("{field}: {}", e.message()),
        None => e.message().to_owned(),
    };
    let mut fields = line.trim().splitn(3, char::is_whitespace);
    let (Some(name), Some(rtype), Some(content)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err("expected: name type content".to_owned());
    };
    let name = RecordName::parse(name, zone).map_err(refusal)?;
    let rtype: RecordType = rtype.to_ascii_uppercase().parse().map_err(refusal)?;
    let content = RecordContent::parse(rtype, content.trim(), zone).map_err(refusal)?;
    Ok(format!("{} {rtype} {}", name.fqdn(), content.as_str()))
}

/// Every non-blank, non-comment (`;`) line of `input`, checked: (line number, outcome).
pub fn check_all(
    zone: &ZoneName,
    input: &str,
) -> Vec<(usize, std::result::Result<String, String>)> {
    input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with(';'))
        .map(|(i, l)| (i + 1, check_line(zone, l)))
        .collect()
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let zone = ZoneName::parse(
        &std::env::args()
            .nth(1)
            .ok_or("usage: validate_records <zone>")?,
    )?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let mut refused = false;
    for (line, outcome) in check_all(&zone, &input) {
        match outcome {
            Ok(record) => println!("{record}"),
            Err(why) => {
                refused = true;
                eprintln!("line {line}: {why}");
            }
        }
    }
    if refused {
        std::process::exit(1);
    }
    Ok(())
}
