//! The optional `.env` file: read whole or not at all. A line the parser cannot read is an
//! error naming the file, the line and the variable, never a silently shorter environment
//! (a stray space used to drop every later variable, which then showed up as "missing").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `.env` in the working directory.
pub fn default_path() -> PathBuf {
    PathBuf::from(".env")
}

/// The variables of the `.env` at `path`: empty when there is no such file, an error naming
/// the file, line and variable when a line cannot be read. The message never repeats a value:
/// the file holds secrets.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot be read: {e}", path.display())),
    };
    let mut vars = Vec::new();
    for item in dotenvy::from_read_iter(text.as_bytes()) {
        match item {
            Ok(pair) => vars.push(pair),
            Err(dotenvy::Error::LineParse(line, index)) => {
                return Err(describe(path, &text, &line, index));
            }
            Err(e) => return Err(format!("{}: cannot be read: {e}", path.display())),
        }
    }
    Ok(vars)
}

/// Adds the `.env` variables to `vars` without overriding any already set.
pub fn merge(vars: &mut HashMap<String, String>, file: Vec<(String, String)>) {
    for (name, value) in file {
        vars.entry(name).or_insert(value);
    }
}

/// "`.env` line 3 (API_KEY_PEPPER): …" from the parser's failing text (the whole line or
/// only the part after `=`) and its column.
fn describe(path: &Path, text: &str, failing: &str, index: usize) -> String {
    let failing = failing.lines().next().unwrap_or_default().trim();
    let found = text
        .lines()
        .enumerate()
        .find(|(_, l)| !failing.is_empty() && l.contains(failing));
    // Never fall back to printing the parser's text: it may be a secret value.
    let Some((number, line)) = found.map(|(n, l)| (n + 1, l.trim())) else {
        return format!(
            "{}: a line cannot be parsed (character {}); nothing was started",
            path.display(),
            index + 1
        );
    };
    let name = line
        .trim_start_matches("export ")
        .split('=')
        .next()
        .unwrap_or_default()
        .trim();
    let what = match line.split_once('=') {
        None => "expected NAME=value".to_owned(),
        Some((_, value)) => {
            let value = value.trim();
            if !value.starts_with(['"', '\'']) && value.contains(char::is_whitespace) {
                "the value holds a space; quote it (NAME=\"a b\") or remove the space".to_owned()
            } else {
                format!("cannot parse the value (character {})", index + 1)
            }
        }
    };
    format!(
        "{} line {number} ({name}): {what}; nothing was started",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(content: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    #[test]
    fn a_missing_file_is_no_variables() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join(".env")).unwrap(), vec![]);
    }

    #[test]
    fn a_good_file_is_read_whole() {
        let (_dir, path) = write("A=1\n# comment\nB=\"two words\"\n\nC='x y'\n");
        let vars = read(&path).unwrap();
        assert_eq!(
            vars,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x y".into())
            ]
        );
    }

    #[test]
    fn an_unquoted_space_names_the_file_line_and_variable_but_not_the_value() {
        let (_dir, path) = write("A=1\nAPI_KEY_PEPPER=<openssl rand -hex 32>\nB=2\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains(".env line 2 (API_KEY_PEPPER)"), "{err}");
        assert!(err.contains("quote it"), "{err}");
        assert!(!err.contains("openssl"), "the value is not repeated: {err}");

        let (_dir, path) = write("A=1\nB=2\nFOO=bar baz\nLATER=3\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains("line 3 (FOO)"), "{err}");
    }

    #[test]
    fn a_line_without_equals_sign_is_named() {
        let (_dir, path) = write("A=1\nnot a setting\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn merge_keeps_what_is_already_set() {
        let mut vars = HashMap::from([("A".to_owned(), "env".to_owned())]);
        merge(
            &mut vars,
            vec![("A".into(), "file".into()), ("B".into(), "file".into())],
        );
        assert_eq!(vars["A"], "env");
        assert_eq!(vars["B"], "file");
    }
}
