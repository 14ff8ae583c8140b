//! `If-Match` on a zone's generation: the one way a write asks for optimistic concurrency
//! (interface decision 6). The entity tag of a zone's record set (and of a record) is the
//! zone's generation, `"<generation>"`; the zone's own answer, which also holds state that
//! changes without a new generation (its sync state), is tagged `"<generation>.<digest>"`,
//! which `If-Match` reads as its generation. A write without a precondition is never refused
//! for a change it did not see: record writes and zone updates re-plan in the zone's turn, and
//! lifecycle writes (zone delete, purge, restore, validation) start over on the store's
//! `generation_mismatch` (`ScaiDns::lifecycle_write`).

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
    /// strong (`"7"`) or weak (`W/"7"`), compared by their generation alone (`"7.<digest>"`,
    /// the zone answer's tag, names generation 7).
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
                    let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
                    let generation = opaque.split_once('.').map_or(opaque, |(g, _)| g);
                    generation.parse().ok()
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

/// The entity tag of a zone's record set (and of its records) at `generation`.
pub fn etag(generation: i64) -> String {
    format!("\"{generation}\"")
}

/// The entity tag of a representation that holds more than the generation fixes (the zone's
/// own answer, whose sync state changes without a new generation): the generation, for
/// `If-Match`, and a digest of the representation, so that `If-None-Match` names exactly the
/// bytes the client holds.
pub fn representation_etag(generation: i64, representation: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(representation);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{generation}.{hex}\"")
}

/// Whether an `If-None-Match` header names the current entity tag (`current` as sent in
/// `ETag`, strong) or `*`: the client's copy is current and a read answers 304. Weak tags
/// (`W/"42"`) match too, as RFC 9110's weak comparison for `If-None-Match` says.
pub fn none_match_tag(header: Option<&str>, current: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
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
        let none_match = |header, generation| none_match_tag(header, &etag(generation));
        assert!(none_match(Some("\"7\""), 7));
        assert!(none_match(Some("\"3\", W/\"7\""), 7));
        assert!(none_match(Some("*"), 7));
        assert!(!none_match(Some("\"6\""), 7));
        assert!(!none_match(Some("7"), 7));
        assert!(!none_match(None, 7));
    }

    #[test]
    fn a_representation_tag_names_its_generation_and_its_bytes() {
        let tag = representation_etag(7, b"{}");
        assert!(tag.starts_with("\"7.") && tag.ends_with('"'), "{tag}");
        assert_eq!(IfMatch::parse(&tag).check(7), Ok(()));
        assert!(IfMatch::parse(&tag).check(8).is_err());
        assert!(none_match_tag(Some(&tag), &tag));
        assert!(none_match_tag(Some(&format!("W/{tag}")), &tag));
        assert!(!none_match_tag(Some(&tag), &representation_etag(7, b"{ }")));
        assert!(!none_match_tag(Some(&etag(7)), &tag));
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
