//! Small helpers: raw API calls with a key, and reading errors the generated client hands back.

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

/// A raw call with `key`: the status and the JSON body (`null` when there is none).
pub async fn call(
    app: &scaidns_tests::TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut req = app
        .http
        .request(method, app.url(path))
        .header("x-api-key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}
