//! Comments on an RRset, as PowerDNS keeps them (its HTTP API's `comments`): free text with an
//! account and a time, per owner name and type, in the order given. The bounds are PowerDNS's
//! own column sizes, so whatever ScaiDNS keeps a PowerDNS could keep too.

use crate::error::{Error, Result};
use crate::record::{RecordName, RecordType};

/// At most this many comments on one RRset.
pub const MAX_COMMENTS: usize = 100;
/// A comment's text is at most this many bytes (PowerDNS's `comments.comment` column).
pub const MAX_CONTENT_BYTES: usize = 65_535;
/// A comment's account is at most this many characters (PowerDNS's `comments.account`).
pub const MAX_ACCOUNT_CHARS: usize = 40;
/// A zone's comments together hold at most this many bytes ([`bytes`]). PowerDNS has no such
/// bound; without it, 100 comments of 64 KiB on every RRset would let one cheap record carry
/// 6.4 MB, and every change and read of the zone loads all of its comments.
pub const MAX_ZONE_BYTES: usize = 8 * 1024 * 1024;
/// What each comment counts beyond its text and account: its row (key, time), so that empty
/// comments, 100 rows per record, are bounded too (at most 131,072 per zone).
pub const ROW_BYTES: usize = 64;

/// One comment of an RRset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetComment {
    /// The text.
    pub content: String,
    /// Who wrote it (free text, may be empty).
    pub account: String,
    /// When it was written, in Unix seconds.
    pub modified_at: i64,
}

/// An RRset's comments: after a write, the RRset has exactly these (none: it has no comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetComments {
    /// Owner name.
    pub name: RecordName,
    /// Type.
    pub rtype: RecordType,
    /// The comments, in order.
    pub comments: Vec<RrsetComment>,
}

/// The bytes `comments` count against [`MAX_ZONE_BYTES`]: texts and accounts, and
/// [`ROW_BYTES`] for each.
pub fn bytes(comments: &[RrsetComment]) -> usize {
    comments
        .iter()
        .map(|c| ROW_BYTES + c.content.len() + c.account.len())
        .sum()
}

/// Refuses comments ScaiDNS will not keep: more than [`MAX_COMMENTS`], a text over
/// [`MAX_CONTENT_BYTES`], an account over [`MAX_ACCOUNT_CHARS`], or a NUL in either (which
/// PostgreSQL's text cannot hold). `field` names the list in the error.
pub fn validate(field: &str, label: &str, comments: &[RrsetComment]) -> Result<()> {
    if comments.len() > MAX_COMMENTS {
        return Err(Error::invalid(
            field,
            format!(
                "{label}: at most {MAX_COMMENTS} comments per RRset ({} given)",
                comments.len()
            ),
        ));
    }
    for (i, comment) in comments.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if comment.content.len() > MAX_CONTENT_BYTES {
            return Err(Error::invalid(
                format!("{at}.content"),
                format!("{label}: a comment is at most {MAX_CONTENT_BYTES} bytes"),
            ));
        }
        if comment.account.chars().count() > MAX_ACCOUNT_CHARS {
            return Err(Error::invalid(
                format!("{at}.account"),
                format!("{label}: a comment's account is at most {MAX_ACCOUNT_CHARS} characters"),
            ));
        }
        if comment.content.contains('\0') || comment.account.contains('\0') {
            return Err(Error::invalid(
                at,
                format!("{label}: a comment may not contain a NUL character"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(content: &str, account: &str) -> RrsetComment {
        RrsetComment {
            content: content.to_owned(),
            account: account.to_owned(),
            modified_at: 0,
        }
    }

    #[test]
    fn accepts_comments_at_the_bounds() {
        let mut comments = vec![comment("x", ""); MAX_COMMENTS];
        comments[0] = comment(
            &"c".repeat(MAX_CONTENT_BYTES),
            &"é".repeat(MAX_ACCOUNT_CHARS),
        );
        assert!(validate("comments", "RRset", &comments).is_ok());
    }

    #[test]
    fn an_empty_comment_still_counts_its_row() {
        assert_eq!(bytes(&[]), 0);
        assert_eq!(bytes(&[comment("", "")]), ROW_BYTES);
        assert_eq!(bytes(&[comment("abc", "é")]), ROW_BYTES + 5);
    }

    #[test]
    fn refuses_each_bound_and_nul() {
        let too_many = vec![comment("x", ""); MAX_COMMENTS + 1];
        let long_text = [comment(&"c".repeat(MAX_CONTENT_BYTES + 1), "")];
        let long_account = [comment("x", &"a".repeat(MAX_ACCOUNT_CHARS + 1))];
        let nul = [comment("a\0b", "")];
        for (bad, field) in [
            (&too_many[..], "comments"),
            (&long_text[..], "comments[0].content"),
            (&long_account[..], "comments[0].account"),
            (&nul[..], "comments[0]"),
        ] {
            let e = validate("comments", "RRset", bad).unwrap_err();
            assert_eq!(e.field(), Some(field), "{e:?}");
        }
    }
}
