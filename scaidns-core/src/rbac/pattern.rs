//! Record patterns of access grants (interface decision 19): a case-insensitive glob over the
//! record's name relative to its zone (`@` for the apex), anchored at both ends, where `*`
//! matches any run of characters including dots and nothing else is special.

use std::fmt;

use crate::error::{Error, Result};

/// A parsed pattern: the literal pieces between the stars.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordPattern {
    text: String,
    pieces: Vec<String>,
}

impl RecordPattern {
    /// Parses and lowercases a pattern. A trailing dot is dropped (`*.dev.` and `*.dev` are the
    /// same pattern, spec gap 27).
    pub fn parse(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        let lowered = trimmed
            .strip_suffix('.')
            .filter(|t| !t.is_empty())
            .unwrap_or(trimmed)
            .to_ascii_lowercase();
        let valid = !lowered.is_empty()
            && lowered.len() <= 255
            && lowered
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"*._-@".contains(&b));
        if !valid {
            return Err(Error::invalid(
                "record_pattern",
                "a record pattern is 1 to 255 characters of letters, digits, '.', '_', '-', '@' and '*'",
            ));
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
}
