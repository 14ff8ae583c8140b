//! Writing settings into a `.env` file for the operator (`register-scaikey`): each variable
//! replaces its earlier line or is appended, every other line is kept as it was, and the file
//! is owner-only since it now holds secrets.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use crate::output::{Failure, INVALID, UNAVAILABLE};

/// The `NAME=value` lines for `settings`. Values come from the network: one holding a control
/// character (a newline would smuggle in another variable) is refused.
pub fn lines(settings: &[(String, String)]) -> Result<Vec<String>, Failure> {
    settings
        .iter()
        .map(|(name, value)| {
            if value.chars().any(char::is_control) {
                return Err(Failure::new(
                    INVALID,
                    format!("the value for {name} holds a control character; not writing it"),
                ));
            }
            Ok(line(name, value))
        })
        .collect()
}

/// `NAME=value`, quoted when the value would not survive a `.env` parser or a shell unquoted:
/// single quotes (nothing inside is expanded) unless the value holds one, else double quotes
/// with `\`, `"` and `$` escaped.
fn line(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+=,%~".contains(c));
    if plain {
        format!("{name}={value}")
    } else if !value.contains('\'') {
        format!("{name}='{value}'")
    } else {
        let escaped = value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('$', "\\$");
        format!("{name}=\"{escaped}\"")
    }
}

/// `existing` with `settings` set: a variable's existing line (`NAME=…` or `export NAME=…`,
/// which keeps its `export`) is replaced in place, new ones are appended, everything else
/// stays. The values must have passed [`lines`].
fn merged(existing: &str, settings: &[(String, String)]) -> String {
    let mut pending: Vec<&(String, String)> = settings.iter().collect();
    let mut out = String::new();
    for original in existing.lines() {
        let indented = original.trim_start();
        let exported = indented.strip_prefix("export ");
        let key = exported
            .unwrap_or(indented)
            .split('=')
            .next()
            .unwrap_or_default()
            .trim();
        match pending.iter().position(|(name, _)| name == key) {
            Some(i) if original.contains('=') => {
                let (name, value) = pending.remove(i);
                if exported.is_some() {
                    out.push_str("export ");
                }
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

/// Sets `settings` in the file at `path` (created when missing), owner-only; a symlink there
/// is refused.
pub fn write(path: &Path, settings: &[(String, String)]) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(UNAVAILABLE, format!("cannot write {}: {e}", path.display()))
    };
    lines(settings)?;
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(fail(e)),
    };
    scaidns_server::owner_only::write(path, merged(&existing, settings).as_bytes()).map_err(fail)
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
            "# ScaiDNS\nDATABASE_URL=sqlite:x.db\nSCAIKEY_CLIENT_ID=app_1\nexport SCAIKEY_URL=https://scaikey.example\nSCAIKEY_CLIENT_SECRET='s3cr et\"x'\n"
        );
        // What was written reads back as the values given.
        let parsed: Vec<(String, String)> = dotenvy::from_read_iter(after.as_bytes())
            .map(Result::unwrap)
            .collect();
        assert!(parsed.contains(&("SCAIKEY_CLIENT_SECRET".into(), "s3cr et\"x".into())));
    }

    #[test]
    fn awkward_values_read_back_unchanged_and_unexpanded() {
        let values = [
            "pa$HOME$$x",
            "it's",
            "it's $HOME",
            "say \"hi\" $USER",
            "back\\slash\\n",
            "quote' and \" and \\ and ${X}",
            "",
        ];
        let settings: Vec<(String, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("V{i}"), (*v).to_owned()))
            .collect();
        let text = merged("", &settings);
        let parsed: Vec<(String, String)> = dotenvy::from_read_iter(text.as_bytes())
            .map(Result::unwrap)
            .collect();
        assert_eq!(parsed, settings, "{text}");
        // No `$` ever reaches a parser unquoted or inside double quotes unescaped.
        assert_eq!(line("A", "pa$HOME"), "A='pa$HOME'");
        assert_eq!(line("A", "it's $HOME"), "A=\"it's \\$HOME\"");
    }

    #[test]
    fn control_characters_are_refused() {
        for value in ["a\nEVIL=1", "a\rb", "tab\there", "nul\0"] {
            let err = lines(&set(&[("SCAIKEY_CLIENT_SECRET", value)])).unwrap_err();
            assert!(
                err.message.contains("SCAIKEY_CLIENT_SECRET"),
                "{}",
                err.message
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        assert!(write(&path, &set(&[("A", "x\nB=y")])).is_err());
        assert!(!path.exists());
    }
}
