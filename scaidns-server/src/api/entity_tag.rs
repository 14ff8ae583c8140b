//! `ETag` and `If-None-Match` on reads of a zone's records: the entity tag is the zone's
//! generation, strong, quoted (`"42"`), the same tag `If-Match` compares on writes.

/// The entity tag of a zone at `generation`.
pub fn etag(generation: i64) -> String {
    format!("\"{generation}\"")
}

/// Whether an `If-None-Match` header names the current tag (or `*`): the client's copy is
/// current and the answer is 304. Weak tags (`W/"42"`) match too, as RFC 9110's weak
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
    fn matches_the_current_generation_only() {
        assert!(none_match(Some("\"7\""), 7));
        assert!(none_match(Some("\"3\", W/\"7\""), 7));
        assert!(none_match(Some("*"), 7));
        assert!(!none_match(Some("\"6\""), 7));
        assert!(!none_match(Some("7"), 7));
        assert!(!none_match(None, 7));
    }
}
