//! Writing settings into a `.env` file for the operator (`register-scaikey`): each variable
//! replaces its earlier line or is appended, every other line is kept as it was, and the file
//! is owner-only since it now holds secrets.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use crate::output::{Failure, UNAVAILABLE};

/// `NAME=value`, quoted when the value would not survive a `.env` parser unquoted.
pub fn line(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+=,%~".contains(c));
    if plain {
        format!("{name}={value}")
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("{name}=\"{escaped}\"")
    }
}

/// `path` with `settings` set: a variable's existing line (`NAME=…` or `export NAME=…`) is
/// replaced in place, new ones are appended, everything else stays.
pub fn merged(existing: &str, settings: &[(String, String)]) -> String {
    let mut pending: Vec<&(String, String)> = settings.iter().collect();
    let mut out = String::new();
    for original in existing.lines() {
        let key = original
            .trim_start()
            .trim_start_matches("export ")
            .split('=')
            .next()
            .unwrap_or_default()
            .trim();
        match pending.iter().position(|(name, _)| name == key) {
            Some(i) if original.contains('=') => {
                let (name, value) = pending.remove(i);
                out.push_str(&line(name, value));
            }
            _ => out.push_str(original),
        }
        out.push('\n');
    }
    for (name, value) in pending {
        out.push_str(&line(name, value));
        out.push('\n');
    }
    out
}

/// Sets `settings` in the file at `path` (created when missing), owner-only.
pub fn write(path: &Path, settings: &[(String, String)]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(UNAVAILABLE, format!("cannot write {}: {e}", path.display()))
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail(e)),
    };
    let text = merged(&existing, settings);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // An existing file keeps its mode through open: narrow it before the secrets go in.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
        }
    }
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)
}

/// Asks on the terminal whether to write into `path`; `false` without a terminal.
pub fn confirm(path: &Path) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("write these lines into {}? [y/N] ", path.display());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn existing_lines_are_replaced_in_place_and_others_kept() {
        let before = "# ScaiDNS\nDATABASE_URL=sqlite:x.db\nSCAIKEY_CLIENT_ID=old\nexport SCAIKEY_URL=http://old\n";
        let after = merged(
            before,
            &set(&[
                ("SCAIKEY_URL", "https://scaikey.example"),
                ("SCAIKEY_CLIENT_ID", "app_1"),
                ("SCAIKEY_CLIENT_SECRET", "s3cr et\"x"),
            ]),
        );
        assert_eq!(
            after,
            "# ScaiDNS\nDATABASE_URL=sqlite:x.db\nSCAIKEY_CLIENT_ID=app_1\nSCAIKEY_URL=https://scaikey.example\nSCAIKEY_CLIENT_SECRET=\"s3cr et\\\"x\"\n"
        );
        // What was written reads back as the values given.
        let parsed: Vec<(String, String)> = dotenvy::from_read_iter(after.as_bytes())
            .map(Result::unwrap)
            .collect();
        assert!(parsed.contains(&("SCAIKEY_CLIENT_SECRET".into(), "s3cr et\"x".into())));
    }
}
