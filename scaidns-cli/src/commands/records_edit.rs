//! `scaidns records edit ZONE`: the zone's records in `$VISUAL`/`$EDITOR` as the BIND file the
//! export gives (SOA and apex NS commented out: the platform's), then the diff and one atomic
//! change: the edited file imported in `replace` mode with `If-Match` set to the `ETag` the
//! file was read at, so a zone changed meanwhile is never overwritten (412: nothing applied).

use std::io::{BufRead, IsTerminal, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use scaidns_client::Client;
use scaidns_client::types::{ImportPreview, ImportRequest};
use tempfile::NamedTempFile;

use crate::cli::Output;
use crate::commands::import::{Applied, apply, notes, print_diff};
use crate::commands::zone_ref::{Deleted, Purpose, zone_id};
use crate::output::{Failure, INVALID, UNAVAILABLE, USAGE, confirm, print_json};

/// What marks a line the platform manages: shown for context, ignored when applied.
const SYSTEM: &str = "; system, not editable: ";

/// The zone's file as read, and the `ETag` it was read at.
struct Read {
    text: String,
    etag: String,
}

/// Runs `records edit`.
pub async fn run(client: &Client, zone: &str, yes: bool, output: Output) -> Result<(), Failure> {
    let id = zone_id(client, zone, Deleted::Exclude, Purpose::Write).await?;
    let interactive = std::io::stdin().is_terminal();
    let mut read = read(client, &id).await?;
    let mut draft = read.text.clone();
    loop {
        let edited = edit_in_editor(zone, &draft)?;
        if edited == read.text {
            return no_changes(output);
        }
        let body = ImportRequest {
            content: edited.clone(),
            format: Some("bind".to_owned()),
            mode: Some("replace".to_owned()),
            skip_unsupported: Some(false),
        };
        let preview = client.zone_import_preview(&id, &body).await?.into_inner();
        if !preview.errors.is_empty() {
            notes("error", &preview.errors);
            if interactive && ask("re-open the editor to fix them?") {
                draft = edited;
                continue;
            }
            let backup = keep(zone, &edited)?;
            return Err(Failure::new(
                INVALID,
                format!(
                    "{} bad line(s): nothing changed; your edits are in {}",
                    preview.errors.len(),
                    backup.display()
                ),
            ));
        }
        if is_empty(&preview) {
            return no_changes(output);
        }
        if output == Output::Text {
            print_diff(&preview, &[]);
        }
        confirm("apply these changes", yes)?;
        match apply(client, &id, &read.etag, &body).await? {
            Applied::Done(result) => {
                match output {
                    Output::Json => print_json(&result),
                    Output::Text => println!(
                        "applied: {} added, {} changed, {} deleted (sync: {})",
                        result["added"],
                        result["changed"],
                        result["deleted"],
                        result["sync_status"].as_str().unwrap_or("?"),
                    ),
                }
                return Ok(());
            }
            Applied::Stale => {
                let backup = keep(zone, &edited)?;
                eprintln!(
                    "the zone changed while you edited it: nothing applied; your edits are in {}",
                    backup.display()
                );
                if interactive && ask("re-open the editor on the zone as it is now?") {
                    read = self::read(client, &id).await?;
                    draft = read.text.clone();
                    continue;
                }
                return Err(Failure::new(
                    INVALID,
                    format!(
                        "the zone changed meanwhile: nothing applied; your edits are in {}; run the edit again",
                        backup.display()
                    ),
                ));
            }
        }
    }
}

fn no_changes(output: Output) -> Result<(), Failure> {
    match output {
        Output::Json => print_json(&serde_json::json!({"changed": false})),
        Output::Text => println!("no changes"),
    }
    Ok(())
}

fn is_empty(p: &ImportPreview) -> bool {
    p.adds.is_empty() && p.changes.is_empty() && p.deletes.is_empty()
}

/// The zone's BIND file with the platform's records commented out, and its `ETag`.
async fn read(client: &Client, id: &str) -> Result<Read, Failure> {
    let resp = client.zone_export(id, Some("bind")).await?;
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(
                UNAVAILABLE,
                "the export came without an ETag: nothing to edit safely (is a proxy dropping it?)",
            )
        })?;
    let text = editable(&resp.into_inner().zone_file);
    Ok(Read { text, etag })
}

/// `file` with its SOA and apex NS lines commented out.
fn editable(file: &str) -> String {
    let mut out = String::with_capacity(file.len() + 256);
    out.push_str("; Edit, add or delete records; a record left out is deleted. Lines marked\n");
    out.push_str(&format!(
        "; \"{}\" are the platform's and stay as they are.\n",
        SYSTEM.trim_end()
    ));
    for line in file.lines() {
        if is_system(line) {
            out.push_str(SYSTEM);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// An export line of the SOA or an apex NS (`@ <ttl> IN NS …`).
fn is_system(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    matches!(
        fields.as_slice(),
        [_, _, "IN", "SOA", ..] | ["@", _, "IN", "NS", ..]
    )
}

/// Writes `text` to a new private file, runs the editor on it and reads it back; the file is
/// removed afterwards.
fn edit_in_editor(zone: &str, text: &str) -> Result<String, Failure> {
    let file = private_file(zone, ".zone", text)?;
    run_editor(file.path())?;
    std::fs::read_to_string(file.path())
        .map_err(|e| Failure::new(USAGE, format!("cannot read {}: {e}", file.path().display())))
}

fn run_editor(path: &Path) -> Result<(), Failure> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_owned());
    // Through the shell, as git does, so `EDITOR="code --wait"` works.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(path)
        .status()
        .map_err(|e| Failure::new(USAGE, format!("cannot start the editor ({editor}): {e}")))?;
    if !status.success() {
        return Err(Failure::new(
            USAGE,
            format!("the editor ({editor}) failed ({status}): nothing changed"),
        ));
    }
    Ok(())
}

/// The user's edits, kept after a refused apply.
fn keep(zone: &str, text: &str) -> Result<PathBuf, Failure> {
    let file = private_file(zone, ".zone.bak", text)?;
    file.keep().map(|(_, path)| path).map_err(|e| {
        Failure::new(
            USAGE,
            format!("cannot keep {}: {e}", e.file.path().display()),
        )
    })
}

/// A new file in the temporary directory that only the user can read (a zone's records are
/// the tenant's data), under a random name created exclusively: another local user can neither
/// guess it nor plant a file or symlink there first.
fn private_file(zone: &str, suffix: &str, text: &str) -> Result<NamedTempFile, Failure> {
    let safe: String = zone
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut file = tempfile::Builder::new()
        .prefix(&format!("scaidns-edit-{safe}-"))
        .suffix(suffix)
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile()
        .map_err(|e| {
            Failure::new(
                USAGE,
                format!("cannot create a file in the temporary directory: {e}"),
            )
        })?;
    file.write_all(text.as_bytes()).map_err(|e| {
        Failure::new(
            USAGE,
            format!("cannot write {}: {e}", file.path().display()),
        )
    })?;
    Ok(file)
}

/// A yes/no question at the terminal (default yes).
fn ask(question: &str) -> bool {
    eprint!("{question} [Y/n] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    !matches!(answer.trim().to_ascii_lowercase().as_str(), "n" | "no")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_is_private_and_its_name_unguessable() {
        let first = keep("a/../b zone.test", "www 300 IN A 192.0.2.1\n").unwrap();
        let second = keep("a/../b zone.test", "").unwrap();
        let mode = std::fs::metadata(&first).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{first:?}");
        assert_eq!(first.parent(), Some(std::env::temp_dir().as_path()));
        let name = first.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(name.starts_with("scaidns-edit-a_.._b_zone.test-"), "{name}");
        assert!(name.ends_with(".zone.bak"), "{name}");
        // Nothing derived from the process id: a random part another user cannot predict.
        assert!(
            !name.contains(&format!("-{}-", std::process::id())),
            "{name}"
        );
        assert_ne!(first, second);
        assert_eq!(
            std::fs::read_to_string(&first).unwrap(),
            "www 300 IN A 192.0.2.1\n"
        );
        for path in [first, second] {
            std::fs::remove_file(path).unwrap();
        }
    }

    #[test]
    fn the_platforms_records_are_commented_out_and_others_kept() {
        let file = "$ORIGIN example.test.\n\
                    @\t3600\tIN\tSOA\tns1.example. hostmaster.example. 1 2 3 4 5\n\
                    @\t3600\tIN\tNS\tns1.example.\n\
                    sub\t3600\tIN\tNS\tns.other.example.\n\
                    www\t300\tIN\tA\t192.0.2.1\n";
        let text = editable(file);
        assert!(
            text.contains(&format!("{SYSTEM}@\t3600\tIN\tSOA")),
            "{text}"
        );
        assert!(text.contains(&format!("{SYSTEM}@\t3600\tIN\tNS")), "{text}");
        assert!(text.contains("\nsub\t3600\tIN\tNS"), "{text}");
        assert!(text.contains("\nwww\t300\tIN\tA\t192.0.2.1\n"), "{text}");
    }
}
