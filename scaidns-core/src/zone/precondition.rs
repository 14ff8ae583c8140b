//! `If-Match` on a zone's generation: the one way a write asks for optimistic concurrency
//! (interface decision 6). The entity tag of a zone and of its record set is the zone's
//! generation, `"<generation>"`. A write without a precondition is serialised on the zone; a
//! record write or a zone update re-reads and retries, so it is never refused for a change it
//! did not see, but a lifecycle write (zone delete, purge, restore, validation) reads the zone
//! before the per-zone write lock and may answer 409 `generation_mismatch` when another write
//! lands in between (safe to retry).

use crate::error::{Error, ErrorKind, Result};

/// A write's precondition on the zone's generation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match`, or `If-Match: *` (the zone exists, or the write fails with 404 anyway).
    #[default]
    Any,
    /// The write applies only if the zone's generation is one of these. Tags that are not a
    /// generation are kept out, so a list of only such tags matches nothing.
    Generations(Vec<i64>),
}

impl IfMatch {
    /// Parses an `If-Match` header value: `*`, or a comma-separated list of entity tags,
    /// strong (`"7"`) or weak (`W/"7"`), compared by their opaque value alone.
    pub fn parse(header: &str) -> Self {
        let tags: Vec<&str> = header
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if tags.contains(&"*") {
            return Self::Any;
        }
        Self::Generations(
            tags.into_iter()
                .filter_map(|tag| {
                    let tag = tag.strip_prefix("W/").unwrap_or(tag);
                    tag.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
                })
                .collect(),
        )
    }

    /// 412 `precondition_failed` unless the zone at `generation` satisfies it.
    pub fn check(&self, generation: i64) -> Result<()> {
        match self {
            Self::Any => Ok(()),
            Self::Generations(tags) if tags.contains(&generation) => Ok(()),
            Self::Generations(_) => Err(Error::new(
                ErrorKind::PreconditionFailed,
                "precondition_failed",
                format!(
                    "If-Match does not match the domain's current version (ETag {}); reload and retry",
                    etag(generation)
                ),
            )),
        }
    }
}

impl IfMatch {
    /// A write that named a generation and then met the store's own generation check (the
    /// zone changed between its read and its write) was stale: 412, as if the check had seen
    /// it. Other errors, and writes without a precondition, pass through.
    pub fn stale_on_conflict(&self, e: Error) -> Error {
        match self {
            Self::Generations(_) if e.code() == "generation_mismatch" => Error::new(
                ErrorKind::PreconditionFailed,
                "precondition_failed",
                "If-Match does not match the domain's current version: it changed meanwhile; reload and retry",
            ),
            _ => e,
        }
    }
}

/// The entity tag of a zone (and of its record set) at `generation`.
pub fn etag(generation: i64) -> String {
    format!("\"{generation}\"")
}

/// Whether an `If-None-Match` header names the zone's current tag (or `*`): the client's copy
/// is current and a read answers 304. Weak tags (`W/"42"`) match too, as RFC 9110's weak
/// comparison for `If-None-Match` says.
pub fn none_match(header: Option<&str>, generation: i64) -> bool {
    let Some(header) = header else {
        return false;
    };
    let current = etag(generation);
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_match_names_the_current_generation_only() {
        assert!(none_match(Some("\"7\""), 7));
        assert!(none_match(Some("\"3\", W/\"7\""), 7));
        assert!(none_match(Some("*"), 7));
        assert!(!none_match(Some("\"6\""), 7));
        assert!(!none_match(Some("7"), 7));
        assert!(!none_match(None, 7));
    }

    #[test]
    fn absent_or_star_matches_any_generation() {
        assert_eq!(IfMatch::default().check(7), Ok(()));
        assert_eq!(IfMatch::parse("*").check(7), Ok(()));
        assert_eq!(IfMatch::parse("\"3\", *").check(7), Ok(()));
    }

    #[test]
    fn strong_and_weak_tags_match_their_generation() {
        assert_eq!(IfMatch::parse("\"7\"").check(7), Ok(()));
        assert_eq!(IfMatch::parse("W/\"7\"").check(7), Ok(()));
        assert_eq!(IfMatch::parse("\"5\", W/\"7\"").check(7), Ok(()));
        assert_eq!(IfMatch::parse(&etag(7)).check(7), Ok(()));
    }

    #[test]
    fn a_stale_tag_fails_with_412() {
        let err = IfMatch::parse("\"6\"").check(7).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PreconditionFailed);
        assert_eq!(err.code(), "precondition_failed");
    }

    #[test]
    fn tags_that_are_not_generations_match_nothing() {
        for header in ["7", "\"seven\"", "\"\"", "", "W/7"] {
            assert!(IfMatch::parse(header).check(7).is_err(), "{header:?}");
        }
    }
}
