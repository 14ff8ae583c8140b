//! Conditional requests on a zone and its records (`If-Match` on writes, `ETag` and
//! `If-None-Match` on reads): the entity tag is the zone's generation
//! (`scaidns_core::zone::precondition`).

use poem_openapi::param::Header;
use scaidns_core::zone::precondition::IfMatch;

/// The request's `If-Match` (none: the write is serialised, never refused for a concurrent
/// change).
pub fn if_match(header: &Header<Option<String>>) -> IfMatch {
    header.0.as_deref().map(IfMatch::parse).unwrap_or_default()
}
