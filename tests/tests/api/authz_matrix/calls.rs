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
    let r = crate::util::send(app, key, method, path, body).await;
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
