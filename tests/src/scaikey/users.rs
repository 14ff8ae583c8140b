//! The ScaiKey stand-in's user administration API, as ScaiDNS proxies `/admin/users/` to it
//! (see `scaidns_core::adapters::oidc::user_admin` and `docs/decisions.md`, issue 11 item 2):
//! `POST /api/v1/tenants/{t}/users`, `PATCH …/users/{u}`, `POST …/users/{u}/disable|enable`,
//! `POST …/users/{u}/password` and `POST …/users/{u}/resend-invite`, for bearers of a
//! client-credentials token, each answering the user object. Users live in the directory's
//! per-tenant list (a created user is assigned to the application it names, so `sync` sees
//! it). ScaiKey's own rules: an unknown tenant or a user of another tenant is 404, a taken
//! e-mail 409, a password under 8 characters 422. An invited user carries an
//! `invitation_token` in ScaiKey's answer — a secret ScaiDNS must never pass on.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path};
use poem::{IntoResponse, Response, handler};
use serde_json::{Value, json};

use super::directory::{DirState, Shared as DirShared};

/// One call ScaiDNS made to the user API: method, path and body (passwords included, so
/// tests can check they were forwarded).
#[derive(Debug, Clone, PartialEq)]
pub struct AdminCall {
    /// `POST`, `PATCH`.
    pub method: String,
    /// Path after `/api/v1/tenants/{t}/users`.
    pub path: String,
    /// The tenant named.
    pub tenant: String,
    /// Request body (`null` when none).
    pub body: Value,
}

fn refuse(status: StatusCode, detail: &str) -> Response {
    (status, Json(json!({ "detail": detail }))).into_response()
}

/// Common checks: ScaiKey up, a service token, a known tenant. Records the call.
fn admit(
    req: &poem::Request,
    shared: &super::Shared,
    state: &mut DirState,
    tenant: &str,
    path: &str,
    body: &Value,
) -> Result<(), Box<Response>> {
    if shared.down.load(Ordering::SeqCst) {
        return Err(Box::new(StatusCode::SERVICE_UNAVAILABLE.into_response()));
    }
    let bearer = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| state.service_tokens.contains(t)) {
        return Err(Box::new(StatusCode::UNAUTHORIZED.into_response()));
    }
    state.admin_calls.push(AdminCall {
        method: req.method().to_string(),
        path: path.to_owned(),
        tenant: tenant.to_owned(),
        body: body.clone(),
    });
    let known = state
        .directory
        .tenants
        .iter()
        .any(|t| t.get("id").and_then(Value::as_str) == Some(tenant));
    if !known {
        return Err(Box::new(refuse(StatusCode::NOT_FOUND, "tenant not found")));
    }
    Ok(())
}

fn user_mut<'a>(state: &'a mut DirState, tenant: &str, user: &str) -> Option<&'a mut Value> {
    state
        .directory
        .users
        .get_mut(tenant)?
        .iter_mut()
        .find(|u| u.get("id").and_then(Value::as_str) == Some(user))
}

fn short_password(body: &Value) -> bool {
    body.get("password")
        .and_then(Value::as_str)
        .is_some_and(|p| p.chars().count() < 8)
}

#[handler]
pub(crate) fn create(
    req: &poem::Request,
    shared: Data<&Arc<super::Shared>>,
    state: Data<&DirShared>,
    Path(tenant): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(r) = admit(req, &shared, &mut state, &tenant, "", &body) {
        return *r;
    }
    let Some(email) = body.get("email").and_then(Value::as_str) else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "email is required");
    };
    let email = email.to_lowercase();
    if short_password(&body) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "password must be at least 8 characters",
        );
    }
    let taken = state
        .directory
        .users
        .values()
        .flatten()
        .any(|u| u.get("email").and_then(Value::as_str) == Some(email.as_str()));
    if taken {
        return refuse(StatusCode::CONFLICT, "a user with this email exists");
    }
    let invited = body.get("password").is_none_or(Value::is_null);
    let mut user = json!({
        "id": format!("usr_{}", super::keys::uuid_like()),
        "email": email,
        "first_name": body.get("first_name").cloned().unwrap_or(Value::Null),
        "last_name": body.get("last_name").cloned().unwrap_or(Value::Null),
        "display_name": body.get("display_name").cloned().unwrap_or(Value::Null),
        "status": "ACTIVE",
        "tenant_id": tenant,
        "invitation_pending": invited,
        "invites_sent": u32::from(invited),
    });
    state
        .directory
        .users
        .entry(tenant)
        .or_default()
        .push(user.clone());
    if invited {
        user["invitation_token"] = json!(format!("inv_{}", super::keys::uuid_like()));
    }
    (StatusCode::CREATED, Json(user)).into_response()
}

/// The user after `change`, or 404.
fn change_user(
    req: &poem::Request,
    shared: &super::Shared,
    state: &DirShared,
    (tenant, user): (String, String),
    path: &str,
    body: Value,
    change: impl FnOnce(&mut Value, &Value) -> Result<(), Box<Response>>,
) -> Response {
    let mut state = state.lock().unwrap();
    if let Err(r) = admit(req, shared, &mut state, &tenant, path, &body) {
        return *r;
    }
    let Some(row) = user_mut(&mut state, &tenant, &user) else {
        return refuse(StatusCode::NOT_FOUND, "user not found");
    };
    if let Err(r) = change(row, &body) {
        return *r;
    }
    Json(row.clone()).into_response()
}

#[handler]
pub(crate) fn update(
    req: &poem::Request,
    shared: Data<&Arc<super::Shared>>,
    state: Data<&DirShared>,
    Path(ids): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let path = format!("/{}", ids.1);
    change_user(req, &shared, &state, ids, &path, body, |row, body| {
        for key in ["first_name", "last_name", "display_name"] {
            if let Some(v) = body.get(key) {
                row[key] = v.clone();
            }
        }
        Ok(())
    })
}

#[handler]
pub(crate) fn action(
    req: &poem::Request,
    shared: Data<&Arc<super::Shared>>,
    state: Data<&DirShared>,
    Path((tenant, user, verb)): Path<(String, String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let body = body.map_or(Value::Null, |b| b.0);
    let path = format!("/{user}/{verb}");
    change_user(
        req,
        &shared,
        &state,
        (tenant, user),
        &path,
        body,
        |row, body| {
            match verb.as_str() {
                "disable" => row["status"] = json!("SUSPENDED"),
                "enable" => row["status"] = json!("ACTIVE"),
                "password" if short_password(body) || body.get("password").is_none() => {
                    return Err(Box::new(refuse(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "password must be at least 8 characters",
                    )));
                }
                "password" => row["invitation_pending"] = json!(false),
                "resend-invite" if row["invitation_pending"] != json!(true) => {
                    return Err(Box::new(refuse(
                        StatusCode::CONFLICT,
                        "the user has accepted the invitation",
                    )));
                }
                "resend-invite" => {
                    let sent = row["invites_sent"].as_u64().unwrap_or(0);
                    row["invites_sent"] = json!(sent + 1);
                }
                _ => return Err(Box::new(StatusCode::NOT_FOUND.into_response())),
            }
            Ok(())
        },
    )
}
