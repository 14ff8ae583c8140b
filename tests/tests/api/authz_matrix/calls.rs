//! One HTTP call as a caller, and setup calls that must succeed.

use super::*;

/// One call's answer.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) body: Value,
}

pub(super) async fn call(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let r = match body {
        // Uploads: the row's JSON fields as form fields, `file` as the file part.
        Some(Value::Object(fields)) if path.ends_with("/import/file") => {
            let file = fields.get("file").and_then(Value::as_str).unwrap_or_default();
            let form: Vec<(&str, &str)> = fields
                .iter()
                .filter(|(k, _)| *k != "file")
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect();
            let (content_type, bytes) = crate::util::multipart(file.as_bytes(), &form);
            app.http
                .request(method.parse().unwrap(), app.url(path))
                .header("x-api-key", key)
                .header("content-type", content_type)
                .body(bytes)
                .send()
                .await
                .unwrap()
        }
        body => crate::util::send(app, key, method, path, body).await,
    };
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// A setup call that must succeed (`null`: no body); the answer's body.
pub(super) async fn made(app: &TestApp, key: &str, method: &str, path: &str, body: Value) -> Value {
    let a = call(app, key, method, path, Some(body).filter(|b| !b.is_null())).await;
    assert!(
        (200..300).contains(&a.status),
        "setup {method} {path}: {} {}",
        a.status,
        a.body
    );
    a.body
}

pub(super) fn id(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}
