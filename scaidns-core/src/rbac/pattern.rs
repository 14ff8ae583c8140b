//! Record patterns of access grants (interface decision 19): a case-insensitive glob over the
//! record's name relative to its zone (`@` for the apex), anchored at both ends, where `*`
//! matches any run of characters including dots and nothing else is special.

use std::fmt;

use crate::error::{Error, Result};
use crate::name::map_uts46;

/// A parsed pattern: the literal pieces between the stars.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordPattern {
    text: String,
    pieces: Vec<String>,
}

impl RecordPattern {
    /// Parses a pattern into the form record names are stored in: mapped as names are
    /// (UTS #46, so `www。dev` is `www.dev` and `bücher` is `xn--bcher-kva`), lowercase, without
    /// a trailing dot (`*.dev.` and `*.dev` are the same pattern, spec gap 27), with no empty
    /// label. A pattern that differed from the names it is meant to cover would grant nothing,
    /// or something else.
    pub fn parse(text: &str) -> Result<Self> {
        let refused = || {
            Error::invalid(
                "record_pattern",
                "a record pattern is 1 to 255 characters of letters, digits, '.', '_', '-', '@' and '*', with no empty label",
            )
        };
        let lowered = text
            .trim()
            .split(is_label_separator)
            .map(map_label)
            .collect::<Result<Vec<_>>>()
            .map_err(|_| refused())?
            .join(".");
        let lowered = lowered
            .strip_suffix('.')
            .filter(|t| !t.is_empty())
            .unwrap_or(&lowered)
            .to_owned();
        let valid = !lowered.is_empty()
            && lowered.len() <= 255
            && !lowered.split('.').any(str::is_empty)
            && lowered
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*._-@".contains(&b));
        if !valid {
            return Err(refused());
        }
        let pieces = lowered.split('*').map(str::to_owned).collect();
        Ok(Self {
            text: lowered,
            pieces,
        })
    }

    /// The pattern as stored.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// How the pattern can be looked up in an index instead of matched one by one.
    pub(crate) fn shape(&self) -> PatternShape<'_> {
        match self.pieces.as_slice() {
            [exact] => PatternShape::Exact(exact),
            [first, last] if first.is_empty() => PatternShape::Suffix(last),
            _ => PatternShape::Other,
        }
    }

    /// Whether `relative_name` (e.g. `www`, `a.dev`, `@`) matches.
    pub fn matches(&self, relative_name: &str) -> bool {
        let name = relative_name.as_bytes();
        let Some((first, rest)) = self.pieces.split_first() else {
            return false;
        };
        if rest.is_empty() {
            return name.eq_ignore_ascii_case(first.as_bytes());
        }
        if name.len() < first.len() || !name[..first.len()].eq_ignore_ascii_case(first.as_bytes()) {
            return false;
        }
        let Some((last, middle)) = rest.split_last() else {
            return false;
        };
        let mut pos = first.len();
        for piece in middle {
            match find(&name[pos..], piece.as_bytes()) {
                Some(at) => pos += at + piece.len(),
                None => return false,
            }
        }
        let last = last.as_bytes();
        name.len() >= pos + last.len() && name[name.len() - last.len()..].eq_ignore_ascii_case(last)
    }
}

/// The label separators of IDNA (UTS #46 maps each of them to '.').
fn is_label_separator(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// One label of a pattern in stored form. A label with a `*` and non-ASCII letters has no
/// A-label to match against (punycode encodes the whole label), so it is refused.
fn map_label(label: &str) -> Result<String> {
    if label.is_ascii() {
        return Ok(label.to_ascii_lowercase());
    }
    if label.contains('*') {
        return Err(Error::invalid("record_pattern", "non-ASCII label with '*'"));
    }
    if label.trim() != label {
        return Err(Error::invalid("record_pattern", "space inside"));
    }
    let mapped = map_uts46(label, "record_pattern")?;
    // Mapping may itself produce a separator (e.g. from a compatibility character); that
    // would silently add a label, so refuse it.
    if mapped.contains('.') || mapped.contains('*') {
        return Err(Error::invalid("record_pattern", "label maps to several"));
    }
    Ok(mapped)
}

/// The indexable forms of a pattern (lowercase literals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternShape<'a> {
    /// No `*`: the name must equal the literal.
    Exact(&'a str),
    /// `*` then a literal: the name must end with it.
    Suffix(&'a str),
    /// Anything else.
    Other,
}

/// First position of `needle` in `hay`, ASCII case-insensitively.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

impl fmt::Debug for RecordPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordPattern({})", self.text)
    }
}

impl fmt::Display for RecordPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::RecordPattern;

    fn m(p: &str, n: &str) -> bool {
        RecordPattern::parse(p).unwrap().matches(n)
    }

    #[test]
    fn globs() {
        assert!(m("*.dev", "a.dev") && m("*.dev", "x.y.dev") && m("*.DEV.", "A.Dev"));
        assert!(!m("*.dev", "dev") && !m("*.dev", "a.dev.x") && !m("*.dev", "adev"));
        assert!(m("api.*", "api.eu") && !m("api.*", "xapi.eu"));
        assert!(m("@", "@") && !m("@", "www"));
        assert!(m("*", "@") && m("*", "anything.at.all"));
        assert!(m("a*b*c", "abc") && m("a*b*c", "a-b-b-c") && !m("a*b*c", "ab"));
        assert!(m("www", "WWW") && !m("www", "www2"));
        assert!(!m("a*a", "a"));
        assert!(RecordPattern::parse("").is_err() && RecordPattern::parse("a b").is_err());
        assert!(RecordPattern::parse("?x").is_err());
    }

    #[test]
    fn patterns_are_mapped_like_names() {
        for stop in ['\u{3002}', '\u{FF0E}', '\u{FF61}'] {
            let p = RecordPattern::parse(&format!("*{stop}dev{stop}")).unwrap();
            assert_eq!(p.as_str(), "*.dev");
            assert!(p.matches("a.dev") && !p.matches("dev"));
            assert!(RecordPattern::parse(&format!("a{stop}{stop}b")).is_err());
            assert!(RecordPattern::parse(&format!("{stop}dev")).is_err());
        }
        let idn = RecordPattern::parse("Bücher.*").unwrap();
        assert_eq!(idn.as_str(), "xn--bcher-kva.*");
        assert!(idn.matches("xn--bcher-kva.shop"));
        assert!(
            RecordPattern::parse("bü*").is_err(),
            "no A-label for a partial label"
        );
        assert_eq!(RecordPattern::parse("ＷＷＷ").unwrap().as_str(), "www");
        assert!(RecordPattern::parse("a..b").is_err() && RecordPattern::parse(".").is_err());
        assert_eq!(RecordPattern::parse("*.").unwrap().as_str(), "*");
    }
}
