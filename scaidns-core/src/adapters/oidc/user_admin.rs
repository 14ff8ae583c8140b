//! ScaiKey's user administration API as an [`IdentityUserAdmin`] (for `/api/v1/admin/users/`).
//!
//! ScaiKey documents no path for these writes (spec api-identity §10.1 says only that they are
//! proxied); ScaiDNS uses the tenant-scoped resources its directory reads
//! (`/api/v1/tenants/{t}/users`, see `docs/decisions.md`, issue 11 item 2):
//! `POST …/users` (with `application_id`, so the new user is assigned to ScaiDNS),
//! `PATCH …/users/{u}`, `POST …/users/{u}/disable|enable`, `POST …/users/{u}/password` and
//! `POST …/users/{u}/resend-invite`, each answering the user object. The service token is
//! fetched once and fetched again when ScaiKey answers 401 (it expired).

use std::sync::Arc;

use async_trait::async_trait;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::OidcProvider;
use super::http::{HttpError, form_encode};
use crate::error::{Error, ErrorKind, Result};
use crate::identity::upstream::UpstreamUser;
use crate::ports::idp_users::{IdentityUserAdmin, NewUpstreamUser, UpstreamUserPatch};

/// The ScaiKey user-administration client.
pub struct ScaiKeyUserAdmin {
    provider: Arc<OidcProvider>,
    base: String,
    application_id: String,
    token: Mutex<Option<String>>,
}

impl std::fmt::Debug for ScaiKeyUserAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaiKeyUserAdmin")
            .field("base", &self.base)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

/// Any failure to get an answer is a ScaiKey outage: 502 with the hint to retry.
fn outage(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Upstream,
        "identity_provider_unavailable",
        format!("ScaiKey cannot be reached ({what}); nothing was changed, retry later"),
    )
}

/// ScaiKey's answer to a refused call. Its message is passed on only when it cannot carry
/// `secret` (a password ScaiKey might echo back).
fn refusal(err: HttpError, secret: Option<&str>) -> Error {
    let HttpError::Status { status, body, .. } = &err else {
        return outage(err);
    };
    let said = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        ["detail", "message", "error_description", "error"]
            .iter()
            .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_owned))
    });
    let said = said
        .filter(|m| secret.is_none_or(|s| !m.contains(s)))
        .map(|m| m.chars().take(200).collect::<String>());
    let message = |default: &str| said.clone().unwrap_or_else(|| default.to_owned());
    match *status {
        StatusCode::NOT_FOUND => Error::new(
            ErrorKind::NotFound,
            "user_not_found",
            "ScaiKey does not know this user",
        ),
        StatusCode::CONFLICT => Error::conflict(
            "user_exists",
            message("ScaiKey already has a user with this e-mail"),
        )
        .with_field("email"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => Error::new(
            ErrorKind::InvalidInput,
            "identity_provider_rejected",
            format!("ScaiKey refused the request: {}", message("invalid input")),
        ),
        other => outage(format!("it answered {}", other.as_u16())),
    }
}

fn segment(id: &str) -> String {
    form_encode(id)
}

impl ScaiKeyUserAdmin {
    /// A client for the API under `base_url` (`SCAIKEY_URL`); new users are assigned to
    /// `application_id` (`SCAIKEY_APPLICATION_ID`).
    pub fn new(provider: Arc<OidcProvider>, base_url: &str, application_id: &str) -> Self {
        Self {
            provider,
            base: base_url.trim_end_matches('/').to_owned(),
            application_id: application_id.to_owned(),
            token: Mutex::new(None),
        }
    }

    async fn token(&self, fresh: bool) -> Result<String> {
        let mut slot = self.token.lock().await;
        if !fresh && let Some(token) = slot.as_ref() {
            return Ok(token.clone());
        }
        let token = super::service_token::fetch(&self.provider, "user administration")
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::Unavailable | ErrorKind::Upstream => outage("token endpoint"),
                _ => e,
            })?;
        *slot = Some(token.clone());
        Ok(token)
    }

    /// Calls `path` under the user's tenant and reads the user from the answer. One retry with
    /// a fresh token after a 401.
    async fn call(
        &self,
        method: Method,
        tenant: &str,
        path: &str,
        body: Option<&Value>,
        secret: Option<&str>,
    ) -> Result<UpstreamUser> {
        let url = format!(
            "{}/api/v1/tenants/{}/users{path}",
            self.base,
            segment(tenant)
        );
        let mut fresh = false;
        loop {
            let token = self.token(fresh).await?;
            match self
                .provider
                .http()
                .call_json(method.clone(), &url, &token, body)
                .await
            {
                Ok(answer) => {
                    return UpstreamUser::from_value(&answer, Some(tenant))
                        .ok_or_else(|| outage("it answered without a user"));
                }
                Err(HttpError::Status { status, .. })
                    if status == StatusCode::UNAUTHORIZED && !fresh =>
                {
                    fresh = true;
                }
                Err(e) => return Err(refusal(e, secret)),
            }
        }
    }
}

#[async_trait]
impl IdentityUserAdmin for ScaiKeyUserAdmin {
    async fn create_user(&self, tenant: &str, user: &NewUpstreamUser) -> Result<UpstreamUser> {
        let mut body = json!({
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
            "application_id": self.application_id,
            "send_invite": user.password.is_none(),
        });
        if let Some(password) = &user.password {
            body["password"] = json!(password);
        }
        self.call(
            Method::POST,
            tenant,
            "",
            Some(&body),
            user.password.as_deref(),
        )
        .await
    }

    async fn update_user(
        &self,
        tenant: &str,
        user: &str,
        patch: &UpstreamUserPatch,
    ) -> Result<UpstreamUser> {
        let mut body = serde_json::Map::new();
        for (key, value) in [
            ("first_name", &patch.first_name),
            ("last_name", &patch.last_name),
            ("display_name", &patch.display_name),
        ] {
            if let Some(v) = value {
                body.insert(key.to_owned(), json!(v));
            }
        }
        let path = format!("/{}", segment(user));
        self.call(
            Method::PATCH,
            tenant,
            &path,
            Some(&Value::Object(body)),
            None,
        )
        .await
    }

    async fn set_user_active(
        &self,
        tenant: &str,
        user: &str,
        active: bool,
    ) -> Result<UpstreamUser> {
        let verb = if active { "enable" } else { "disable" };
        let path = format!("/{}/{verb}", segment(user));
        self.call(Method::POST, tenant, &path, None, None).await
    }

    async fn set_password(&self, tenant: &str, user: &str, password: &str) -> Result<UpstreamUser> {
        let path = format!("/{}/password", segment(user));
        let body = json!({ "password": password });
        self.call(Method::POST, tenant, &path, Some(&body), Some(password))
            .await
    }

    async fn resend_invite(&self, tenant: &str, user: &str) -> Result<UpstreamUser> {
        let path = format!("/{}/resend-invite", segment(user));
        self.call(Method::POST, tenant, &path, None, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, body: &str) -> HttpError {
        HttpError::Status {
            url: "http://scaikey/x".into(),
            status: StatusCode::from_u16(code).unwrap(),
            body: body.into(),
        }
    }

    #[test]
    fn refusals_map_to_statuses_and_never_echo_the_password() {
        assert_eq!(refusal(status(404, ""), None).code(), "user_not_found");
        assert_eq!(refusal(status(409, "{}"), None).code(), "user_exists");
        let e = refusal(
            status(422, r#"{"detail": "password hunter22 is too weak"}"#),
            Some("hunter22"),
        );
        assert_eq!(e.code(), "identity_provider_rejected");
        assert!(!e.message().contains("hunter22"), "{}", e.message());
        let e = refusal(status(422, r#"{"detail": "email is invalid"}"#), None);
        assert!(e.message().contains("email is invalid"));
        for code in [500, 503, 403] {
            assert_eq!(refusal(status(code, ""), None).kind(), ErrorKind::Upstream);
        }
    }
}
