//! `scaidns domains export ZONE [--format bind|json|csv] [-o FILE]`.

use std::io::Write as _;
use std::path::Path;

use scaidns_client::Client;
use serde_json::json;

use crate::cli::Output;
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, UNAVAILABLE, print_json, print_json_of};

/// Prints the zone's file, or writes it to `file`. With `--json`, the server's answer
/// (`{domain_id, domain_name, format, zone_file}`) when printing, a summary when writing.
pub async fn run(
    client: &Client,
    zone: &str,
    format: &str,
    file: Option<&Path>,
    output: Output,
) -> Result<(), Failure> {
    let id = zone_id(client, zone, Deleted::Exclude, Purpose::Read).await?;
    let export = client.zone_export(&id, Some(format)).await?.into_inner();
    match (file, output) {
        (None, Output::Text) => write_stdout(&export.zone_file)?,
        (None, Output::Json) => print_json_of(&export),
        (Some(path), _) => {
            std::fs::write(path, &export.zone_file).map_err(|e| {
                Failure::new(UNAVAILABLE, format!("cannot write {}: {e}", path.display()))
            })?;
            if output == Output::Json {
                print_json(&json!({
                    "domain_id": export.domain_id, "domain_name": export.domain_name,
                    "format": export.format, "file": path.display().to_string(),
                    "bytes": export.zone_file.len(),
                }));
            } else {
                eprintln!(
                    "wrote {} ({} bytes, {}) to {}",
                    export.domain_name,
                    export.zone_file.len(),
                    export.format,
                    path.display()
                );
            }
        }
    }
    Ok(())
}

/// Writes the file to stdout. A reader that stops early (`| head`) closed the pipe on
/// purpose: that is success, not a panic.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            UNAVAILABLE,
            format!("cannot write to stdout: {e}"),
        )),
        _ => Ok(()),
    }
}
