//! The ScaiKey stand-in's directory and registration APIs, and its webhook sender.
//!
//! Directory: partners, tenants, groups with members and the users assigned to the ScaiDNS
//! application, served paged (`page`, `per_page`, at most [`MAX_PER_PAGE`] per page so that
//! clients must follow pages) to bearers of a client-credentials token. Registration: the
//! public self-registration endpoints with approval by the test. Webhooks: signed exactly as
//! ScaiKey signs them — the body is `json.dumps(event, separators=(",", ":"),
//! sort_keys=True)` (ASCII-escaped), the signature HMAC-SHA256 over `t.body`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::web::{Data, Json, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The application id ScaiDNS is registered under.
pub const APPLICATION_ID: &str = "app_scaidns";
/// The largest page the directory serves.
pub const MAX_PER_PAGE: usize = 2;

/// Directory contents; tests edit them through [`super::ScaiKey::directory`].
#[derive(Debug, Default, Clone)]
pub struct Directory {
    /// Partner objects.
    pub partners: Vec<Value>,
    /// Tenant objects.
    pub tenants: Vec<Value>,
    /// Users assigned to the application, per tenant id.
    pub users: BTreeMap<String, Vec<Value>>,
    /// Groups per tenant id.
    pub groups: BTreeMap<String, Vec<Value>>,
    /// Member user ids per group id.
    pub members: BTreeMap<String, Vec<String>>,
}

#[derive(Default)]
pub(crate) struct DirState {
    pub(crate) directory: Directory,
    pub(crate) service_tokens: HashSet<String>,
    pub(crate) registrations: HashMap<String, Registration>,
    /// Calls to the user administration API, in order.
    pub(crate) admin_calls: Vec<super::users::AdminCall>,
}

pub(crate) struct Registration {
    token: String,
    status: String,
    body: Value,
    collected: bool,
}

pub(crate) type Shared = Arc<Mutex<DirState>>;

pub(crate) type Paging = HashMap<String, String>;

fn number(q: &Paging, key: &str) -> Option<usize> {
    q.get(key).and_then(|v| v.parse().ok())
}

fn authorized(req: &poem::Request, state: &Shared) -> bool {
    req.header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|t| state.lock().unwrap().service_tokens.contains(t))
}

fn paged(req: &poem::Request, state: &Shared, paging: &Paging, items: Vec<Value>) -> Response {
    if !authorized(req, state) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let per_page = number(paging, "per_page")
        .unwrap_or(20)
        .clamp(1, MAX_PER_PAGE);
    let page = number(paging, "page").unwrap_or(1).max(1);
    let data: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Json(json!({"data": data, "total": items.len(), "page": page, "per_page": per_page}))
        .into_response()
}

#[handler]
pub(crate) fn partners(
    req: &poem::Request,
    state: Data<&Shared>,
    Query(paging): Query<Paging>,
) -> Response {
    let items = state.lock().unwrap().directory.partners.clone();
    paged(req, &state, &paging, items)
}

#[handler]
pub(crate) fn tenants(
    req: &poem::Request,
    state: Data<&Shared>,
    Query(paging): Query<Paging>,
) -> Response {
    let items = state.lock().unwrap().directory.tenants.clone();
    paged(req, &state, &paging, items)
}

#[handler]
pub(crate) fn effective_users(
    req: &poem::Request,
    state: Data<&Shared>,
    Path((tenant, app)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Response {
    if app != APPLICATION_ID {
        return StatusCode::NOT_FOUND.into_response();
    }
    let items = state
        .lock()
        .unwrap()
        .directory
        .users
        .get(&tenant)
        .cloned()
        .unwrap_or_default();
    paged(req, &state, &paging, items)
}

#[handler]
pub(crate) fn groups(
    req: &poem::Request,
    state: Data<&Shared>,
    Path(tenant): Path<String>,
    Query(paging): Query<Paging>,
) -> Response {
    let items = state
        .lock()
        .unwrap()
        .directory
        .groups
        .get(&tenant)
        .cloned()
        .unwrap_or_default();
    paged(req, &state, &paging, items)
}

#[handler]
pub(crate) fn members(
    req: &poem::Request,
    state: Data<&Shared>,
    Path((_tenant, group)): Path<(String, String)>,
    Query(paging): Query<Paging>,
) -> Response {
    let items = state
        .lock()
        .unwrap()
        .directory
        .members
        .get(&group)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|id| json!({"user_id": id}))
        .collect();
    paged(req, &state, &paging, items)
}

#[handler]
pub(crate) fn register(state: Data<&Shared>, Json(body): Json<Value>) -> Response {
    if body["name"].as_str().is_none() || body["redirect_uris"].as_array().is_none() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"detail": "bad request"})),
        )
            .into_response();
    }
    let request_id = format!("reg_{}", super::keys::uuid_like());
    let token = format!("st_{}", super::keys::uuid_like());
    state.lock().unwrap().registrations.insert(
        request_id.clone(),
        Registration {
            token: token.clone(),
            status: "PENDING".into(),
            body,
            collected: false,
        },
    );
    (
        StatusCode::CREATED,
        Json(json!({"request_id": request_id, "status_token": token, "status": "PENDING"})),
    )
        .into_response()
}

#[handler]
pub(crate) fn registration_status(
    state: Data<&Shared>,
    Path(id): Path<String>,
    Query(q): Query<Paging>,
) -> Response {
    let mut state = state.lock().unwrap();
    let Some(reg) = state.registrations.get_mut(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if q.get("status_token") != Some(&reg.token) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut answer = json!({"request_id": id, "status": reg.status});
    // Credentials are handed out once, with the first status read after approval.
    if reg.status == "APPROVED" && !reg.collected {
        reg.collected = true;
        answer["credentials"] = json!({
            "client_id": super::CLIENT_ID,
            "client_secret": super::CLIENT_SECRET,
            "application_id": APPLICATION_ID,
            "webhook_secret": "whsec_from_registration",
        });
    }
    Json(answer).into_response()
}

impl DirState {
    pub(crate) fn approve_all(&mut self) -> Vec<Value> {
        self.registrations
            .values_mut()
            .filter(|r| r.status == "PENDING")
            .map(|r| {
                r.status = "APPROVED".into();
                r.body.clone()
            })
            .collect()
    }
}

/// HMAC-SHA256 (RFC 2104) written out here, so the stand-in does not share code with the
/// verifier it tests.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> String {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `json.dumps(value, separators=(",", ":"), sort_keys=True)`: compact, keys sorted,
/// non-ASCII escaped as `\uXXXX`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One webhook delivery as ScaiKey would make it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The exact body.
    pub body: String,
    /// Headers to send.
    pub headers: Vec<(String, String)>,
}

/// Builds a signed delivery of `event_type` with `data`, signed at `timestamp` with `secret`.
pub fn delivery(
    secret: &str,
    event_id: &str,
    event_type: &str,
    data: Value,
    tenant_id: Option<&str>,
    timestamp: i64,
) -> Delivery {
    let mut event = json!({
        "event_id": event_id,
        "event_type": event_type,
        "timestamp": chrono::DateTime::from_timestamp(timestamp, 0).unwrap().to_rfc3339(),
        "data": data,
        "resource": {"type": event_type.split('.').next().unwrap(), "id": Value::Null},
        "actor": {"id": Value::Null, "type": "system"},
    });
    if let Some(t) = tenant_id {
        event["tenant_id"] = json!(t);
    }
    let body = canonical_json(&event);
    let signature = hmac_sha256(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes());
    Delivery {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), "ScaiKey-Webhook/1.0".into()),
            (
                "X-ScaiKey-Signature".into(),
                format!("t={timestamp},v1={signature}"),
            ),
            ("X-ScaiKey-Event-ID".into(), event_id.into()),
            ("X-ScaiKey-Event-Type".into(), event_type.into()),
            ("X-ScaiKey-Timestamp".into(), timestamp.to_string()),
            ("X-ScaiKey-Webhook-ID".into(), "42".into()),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_and_hmac_match_python_and_rfc_4231() {
        let v = json!({"b": 1, "a": {"d": [1, "é"], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"d":[1,"\u00e9"]},"b":1}"#
        );
        assert_eq!(
            hmac_sha256(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
