//! Small helpers for reading errors the generated client hands back.

use scaidns_client::types::ErrorBody;

/// The status and envelope of a failed call; panics when the call succeeded or never got an
/// answer (the test expected an error envelope).
pub fn error_of<T: std::fmt::Debug>(
    result: Result<T, scaidns_client::Error<ErrorBody>>,
) -> (u16, ErrorBody) {
    match result {
        Err(scaidns_client::Error::ErrorResponse(e)) => (e.status().as_u16(), e.into_inner()),
        other => panic!("expected an error envelope, got {other:?}"),
    }
}

/// The field a located detail (`[{"loc": ["body", "records", 0, "ttl"], …}]`) points at, as
/// `records.0.ttl`.
pub fn located_field(body: &ErrorBody) -> Option<String> {
    let loc = body.detail.get(0)?.get("loc")?.as_array()?;
    let parts: Vec<String> = loc
        .iter()
        .skip(1)
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
        .collect();
    Some(parts.join("."))
}
