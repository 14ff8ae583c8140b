//! Conditional requests on a zone and its records (`If-Match` on writes, `ETag` and
//! `If-None-Match` on reads): the entity tag is the zone's generation
//! (`scaidns_core::zone::precondition`). One definition of the `If-Match` header and of the
//! tagged answers, shared by every zone and record endpoint.

use poem::http::StatusCode;
use poem::{IntoResponse, Request};
use poem_openapi::param::Header;
use poem_openapi::payload::Payload;
use poem_openapi::{ApiResponse, NewType};
use scaidns_core::zone::precondition::{IfMatch, none_match_tag};

use crate::error::ApiError;

/// Entity tags
///
/// Apply only if the zone's current `ETag` is one of these (else 412 `precondition_failed`,
/// nothing applied). Without it (or with `*`) the write is never refused for a concurrent
/// change.
#[derive(Debug, Clone, NewType)]
#[oai(
    from_json = false,
    from_multipart = false,
    to_json = false,
    to_header = false
)]
pub struct EntityTags(pub String);

/// The `If-Match` parameter every zone write takes.
pub type IfMatchHeader = Header<Option<EntityTags>>;

/// The request's `If-Match` (none: the write is serialised, never refused for a concurrent
/// change).
pub fn if_match(header: &IfMatchHeader) -> IfMatch {
    header
        .0
        .as_ref()
        .map(|tags| IfMatch::parse(&tags.0))
        .unwrap_or_default()
}

/// 400 for an `If-Match` poem would drop as undecodable (bytes outside visible ASCII): its
/// header parameters skip such values, so the write would run unconditionally, as if the
/// client had sent no precondition.
pub(crate) fn unreadable_if_match(req: &Request) -> Option<ApiError> {
    req.headers()
        .get_all(poem::http::header::IF_MATCH)
        .iter()
        .any(|value| value.to_str().is_err())
        .then(unreadable_if_match_error)
}

/// The 400 for an `If-Match` outside visible ASCII; a plan's `If-Match` parameter gets it too.
pub(crate) fn unreadable_if_match_error() -> ApiError {
    ApiError::located(
        StatusCode::BAD_REQUEST,
        "invalid_if_match",
        "header",
        Some("If-Match"),
        "If-Match must be `*` or entity tags in visible ASCII",
    )
}

/// A read of a zone, its records or a record, tagged for conditional requests.
/// `If-None-Match` is read from the request rather than declared, so the generated client
/// keeps its signatures; each operation documents it.
#[derive(ApiResponse)]
pub(crate) enum TaggedRead<P: Payload + IntoResponse> {
    /// The resource; `ETag` names the zone's version: send it as `If-Match` on a write, or
    /// as `If-None-Match` to be answered 304 while it is unchanged.
    #[oai(status = 200)]
    Ok(P, #[oai(header = "ETag")] String),
    /// `If-None-Match` names the current `ETag`: the copy the client holds is current (no
    /// body).
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

impl<P: Payload + IntoResponse> TaggedRead<P> {
    /// 304 when the request's `If-None-Match` names `tag` and `fixed` (the answer is fixed by
    /// the tag: not so for a caller whose grants narrow the zone, whose view also changes
    /// with its grants, nor for a secondary's records, which change with a transfer); else
    /// the body. Call it only after the caller was authorised, so a 304 tells nothing a
    /// 403/404 would hide.
    pub(crate) fn answer(
        req: &Request,
        tag: String,
        fixed: bool,
        body: impl FnOnce() -> P,
    ) -> Self {
        if fixed && none_match_tag(req.header("if-none-match"), &tag) {
            Self::NotModified(tag)
        } else {
            Self::Ok(body(), tag)
        }
    }
}

/// A write's answer with the zone's version after it as `ETag`.
#[derive(ApiResponse)]
pub(crate) enum TaggedWrite<P: Payload + IntoResponse> {
    /// Written; `ETag` is the zone's version after the write, for `If-Match` on the next one.
    #[oai(status = 200)]
    Ok(P, #[oai(header = "ETag")] String),
}

/// A create's answer with the zone's version after it as `ETag`.
#[derive(ApiResponse)]
pub(crate) enum TaggedCreate<P: Payload + IntoResponse> {
    /// Created; `ETag` is the zone's version after the write, for `If-Match` on the next one.
    #[oai(status = 201)]
    Created(P, #[oai(header = "ETag")] String),
}
