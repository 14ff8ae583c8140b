//! The optional `.env` file: read whole or not at all. A line the parser cannot read is an
//! error naming the file, the line and the variable, never a silently shorter environment
//! (a stray space used to drop every later variable, which then showed up as "missing").

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `.env` in the working directory.
pub fn default_path() -> PathBuf {
    PathBuf::from(".env")
}

/// The variables of the `.env` at `path`: empty when there is no such file, an error naming
/// the file, line and variable when a line cannot be read. The message never repeats a line's
/// text: the file holds secrets.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: cannot be read: {e}", path.display())),
    };
    // Editors on Windows save a byte-order mark; dotenvy's loader skipped it, its iterator does not.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let consumed = Cell::new(0);
    let mut reader = LineByLine {
        rest: text.as_bytes(),
        consumed: &consumed,
    };
    let mut vars = Vec::new();
    for item in dotenvy::from_read_iter(&mut reader) {
        match item {
            Ok(pair) => vars.push(pair),
            Err(dotenvy::Error::LineParse(failing, index)) => {
                // The failing logical line ends at the last physical line read and spans as
                // many lines as the parser's text holds (a quoted value may run over several).
                let spans = failing.trim_end_matches(['\n', '\r']).matches('\n').count();
                let number = consumed.get().saturating_sub(spans).max(1);
                let line = text.lines().nth(number - 1).unwrap_or_default();
                return Err(describe(path, number, line, index));
            }
            Err(e) => return Err(format!("{}: cannot be read: {e}", path.display())),
        }
    }
    Ok(vars)
}

/// Hands the parser one physical line per read, so the lines it has consumed can be counted
/// (its buffered reader asks for more only once it has used up what it holds).
struct LineByLine<'a> {
    rest: &'a [u8],
    consumed: &'a Cell<usize>,
}

impl Read for LineByLine<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let line_end = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |i| i + 1);
        let n = line_end.min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        if n > 0 && n == line_end {
            self.consumed.set(self.consumed.get() + 1);
        }
        Ok(n)
    }
}

/// Adds the `.env` variables to `vars` without overriding any already set.
pub fn merge(vars: &mut HashMap<String, String>, file: Vec<(String, String)>) {
    for (name, value) in file {
        vars.entry(name).or_insert(value);
    }
}

/// "`.env` line 3 (API_KEY_PEPPER): …" for the line `number` whose text is `line`. Only a
/// variable name before `=` is repeated, never other text of the line: a line without `=` may
/// well be a pasted secret.
fn describe(path: &Path, number: usize, line: &str, index: usize) -> String {
    let line = line.trim();
    let setting = line.strip_prefix("export ").unwrap_or(line).split_once('=');
    let name = setting
        .map(|(name, _)| name.trim())
        .filter(|name| is_variable_name(name));
    let what = match setting {
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
    let name = name.map(|n| format!(" ({n})")).unwrap_or_default();
    format!(
        "{} line {number}{name}: {what}; nothing was started",
        path.display()
    )
}

/// `^[A-Za-z_][A-Za-z0-9_.]*$`: what may be printed as the variable of a bad line.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
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
    fn a_line_without_equals_sign_is_numbered_but_never_repeated() {
        let (_dir, path) = write("A=1\nnot a setting\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains(".env line 2: expected NAME=value"), "{err}");
        assert!(!err.contains("not a setting"), "{err}");

        // A pasted secret, after comments, blanks and a line that repeats it: counted, not searched.
        let secret = "s3cr3t-t0ken-v4lue";
        let content = format!("# {secret}\n\nA=\"{secret}\"\nB=1\n{secret}\n");
        let (_dir, path) = write(&content);
        let err = read(&path).unwrap_err();
        assert!(err.contains(".env line 5: "), "{err}");
        assert!(!err.contains(secret), "{err}");
    }

    #[test]
    fn only_a_name_shaped_text_before_equals_is_printed() {
        let (_dir, path) = write("A=1\nsecret value=oops\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains(".env line 2:"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn a_multi_line_value_is_reported_at_its_first_line() {
        let (_dir, path) = write("A=1\nKEY=\"first\nsecond\n");
        let err = read(&path).unwrap_err();
        assert!(err.contains(".env line 2 (KEY)"), "{err}");
        assert!(!err.contains("first") && !err.contains("second"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (_dir, path) = write("\u{feff}A=1\nB=2\n");
        let vars = read(&path).unwrap();
        assert_eq!(
            vars,
            vec![("A".into(), "1".into()), ("B".into(), "2".into())]
        );
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
