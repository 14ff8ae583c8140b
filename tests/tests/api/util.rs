//! Small helpers: raw API calls with a key (the one [`send`], and [`call`], [`ok`], [`refused`]
//! on top of it), and reading errors the generated client hands back.

use scaidns_client::types::ErrorBody;
use scaidns_tests::pdns::PdnsServer;

/// The status and envelope of a failed call; panics when the call succeeded or never got an
/// answer (the test expected an error envelope).
pub fn error_of<T: std::fmt::Debug>(
    result: Result<T, scaidns_client::GeneratedError<ErrorBody>>,
) -> (u16, ErrorBody) {
    match result {
        Err(scaidns_client::GeneratedError::ErrorResponse(e)) => {
            (e.status().as_u16(), e.into_inner())
        }
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

/// A method given as `reqwest::Method` or as text (`"POST"`).
pub trait AsMethod {
    /// The method.
    fn method(self) -> reqwest::Method;
}

impl AsMethod for reqwest::Method {
    fn method(self) -> reqwest::Method {
        self
    }
}

impl AsMethod for &str {
    fn method(self) -> reqwest::Method {
        self.parse().unwrap()
    }
}

/// The one raw call: `method path` with `key` in `X-API-Key` and `body` as JSON, through
/// `http` (a client of the test's own, e.g. with a set user agent).
pub async fn send_with(
    http: &reqwest::Client,
    app: &scaidns_tests::TestApp,
    key: &str,
    method: impl AsMethod,
    path: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut req = http
        .request(method.method(), app.url(path))
        .header("x-api-key", key);
    match body {
        // Uploads: the JSON fields as form fields, `file` as the file part.
        Some(serde_json::Value::Object(fields)) if path.ends_with("/import/file") => {
            let file = fields
                .get("file")
                .and_then(|f| f.as_str())
                .unwrap_or_default();
            let form: Vec<(&str, &str)> = fields
                .iter()
                .filter(|(k, _)| *k != "file")
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect();
            let (content_type, bytes) = multipart(file.as_bytes(), &form);
            req = req.header("content-type", content_type).body(bytes);
        }
        Some(b) => req = req.json(&b),
        None => {}
    }
    req.send().await.unwrap()
}

/// A `multipart/form-data` body (content type, bytes): `fields` as form fields, then `file`
/// as the part named `file`.
pub fn multipart(file: &[u8], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "scaidns-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n\r\n")
            .bytes(),
    );
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// [`send_with`] through the app's client.
pub async fn send(
    app: &scaidns_tests::TestApp,
    key: &str,
    method: impl AsMethod,
    path: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    send_with(&app.http, app, key, method, path, body).await
}

/// A raw call with `key`: the status and the JSON body (`null` when there is none).
pub async fn call(
    app: &scaidns_tests::TestApp,
    key: &str,
    method: impl AsMethod,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let resp = send(app, key, method, path, body).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// Every record of a record list (`path` with its query, without paging), page after page.
pub async fn every_record(
    app: &scaidns_tests::TestApp,
    key: &str,
    path: &str,
) -> Vec<serde_json::Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut out = Vec::new();
    for page in 1.. {
        let (status, body) = call(
            app,
            key,
            reqwest::Method::GET,
            &format!("{path}{sep}page_size=1000&page={page}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let data = body["data"].as_array().expect("a record list");
        out.extend(data.iter().cloned());
        if data.is_empty() || out.len() as u64 >= body["total"].as_u64().expect("total") {
            break;
        }
    }
    out
}

/// A call that must succeed (200, 201 or 204); its JSON body.
pub async fn ok(
    app: &scaidns_tests::TestApp,
    key: &str,
    method: impl AsMethod,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let (status, body) = call(app, key, method, path, Some(body)).await;
    assert!(matches!(status, 200 | 201 | 204), "{path}: {status} {body}");
    body
}

/// Asserts a refusal with `status` and `code`.
pub fn refused(got: (u16, serde_json::Value), status: u16, code: &str) {
    assert_eq!(
        (got.0, got.1["code"].as_str()),
        (status, Some(code)),
        "{}",
        got.1
    );
}

/// An active zone of `tenant` (its admin may skip validation).
pub async fn active_zone(
    app: &scaidns_tests::TestApp,
    tenant: &scaidns_tests::TenantUser,
    name: &str,
) -> String {
    ok(
        app,
        &app.admin_key,
        reqwest::Method::POST,
        &format!("/api/v1/roles/users/{}", tenant.user_id),
        serde_json::json!({"role_name": "validation_bypass", "scope": "tenant", "scope_id": tenant.tenant_id}),
    )
    .await;
    let zone = ok(
        app,
        &tenant.key,
        reqwest::Method::POST,
        "/api/v1/domains",
        serde_json::json!({"name": name}),
    )
    .await;
    zone["id"].as_str().unwrap().to_owned()
}

/// A raw call to a PowerDNS API (`path` under `/api/v1/servers/localhost/`), with `body` as
/// JSON unless it is `null`; panics unless it succeeds. Its answer, `null` when empty.
pub async fn pdns_call(
    pdns: &PdnsServer,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = http
        .request(
            method,
            format!("{}/api/v1/servers/localhost/{path}", pdns.api_url),
        )
        .header("X-API-Key", &pdns.api_key);
    if !body.is_null() {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}
