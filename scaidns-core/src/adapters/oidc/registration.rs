//! ScaiKey's public self-registration API (spec api-identity §13), used by
//! `scaidns register-scaikey`: submit an application request (no authentication), then poll
//! its status with the one-time `status_token` until an administrator approves it; the
//! credentials are handed out once, with the approval.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{HttpClient, HttpError};
use crate::error::{Error, ErrorKind, Result};
use crate::identity::upstream::text_at;

/// What ScaiDNS asks to be registered as.
#[derive(Debug, Clone)]
pub struct RegistrationRequest {
    /// Application name (`ScaiDNS`).
    pub name: String,
    /// Public URL of ScaiDNS (`EXTERNAL_URL`), without a trailing slash.
    pub public_url: String,
    /// `GLOBAL`, `PARTNER` or `TENANT`.
    pub scope: String,
    /// Who to contact about the request.
    pub contact_email: Option<String>,
}

impl RegistrationRequest {
    /// The request body: redirect URI `<url>/oauth/callback`, post-logout URI `<url>/`,
    /// scopes `openid profile email`, webhook `<url>/api/v1/webhooks/scaikey` (deployment
    /// guide, step 2).
    pub fn body(&self) -> Value {
        let url = self.public_url.trim_end_matches('/');
        json!({
            "name": self.name,
            "application_type": "web",
            "scope": self.scope,
            "redirect_uris": [format!("{url}/oauth/callback")],
            "post_logout_redirect_uris": [format!("{url}/")],
            "scopes": ["openid", "profile", "email"],
            "webhook_url": format!("{url}/api/v1/webhooks/scaikey"),
            "contact_email": self.contact_email,
        })
    }
}

/// A submitted request: keep both values; the token is shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationTicket {
    /// Request id.
    pub request_id: String,
    /// One-time token for the status calls (a credential).
    pub status_token: String,
}

impl std::fmt::Debug for RegistrationTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationTicket")
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// Credentials of an approved registration.
#[derive(Clone, PartialEq, Eq)]
pub struct RegisteredCredentials {
    /// `SCAIKEY_CLIENT_ID`.
    pub client_id: String,
    /// `SCAIKEY_CLIENT_SECRET`.
    pub client_secret: Option<String>,
    /// `SCAIKEY_APPLICATION_ID`.
    pub application_id: Option<String>,
    /// `SCAIKEY_WEBHOOK_SECRET`, when ScaiKey generated one.
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for RegisteredCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredCredentials")
            .field("client_id", &self.client_id)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

/// The state of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// Waiting for an administrator.
    Pending,
    /// Approved, with the credentials.
    Approved(RegisteredCredentials),
    /// `REJECTED`, `CANCELLED`, `EXPIRED` (or anything else final).
    Closed(String),
}

fn failed(err: &HttpError) -> Error {
    err.to_upstream_error("ScaiKey registration")
}

fn applications(base: &str) -> String {
    format!(
        "{}/api/v1/public/register/applications",
        base.trim_end_matches('/')
    )
}

/// Submits `request` to the ScaiKey at `base`.
pub async fn submit(
    http: &HttpClient,
    base: &str,
    request: &RegistrationRequest,
) -> Result<RegistrationTicket> {
    let answer: Value = http
        .post_json(&applications(base), &request.body())
        .await
        .map_err(|e| failed(&e))?;
    match (
        text_at(&answer, &["request_id"]),
        text_at(&answer, &["status_token"]),
    ) {
        (Some(request_id), Some(status_token)) => Ok(RegistrationTicket {
            request_id,
            status_token,
        }),
        _ => Err(Error::new(
            ErrorKind::Upstream,
            "identity_provider_unavailable",
            "ScaiKey registration: the answer has no request_id and status_token",
        )),
    }
}

/// Reads the status of a request.
pub async fn status(
    http: &HttpClient,
    base: &str,
    ticket: &RegistrationTicket,
) -> Result<RegistrationStatus> {
    let url = format!(
        "{}/{}/status?status_token={}",
        applications(base),
        super::http::form_encode(&ticket.request_id),
        super::http::form_encode(&ticket.status_token)
    );
    let answer: Value = http.get_json(&url, None).await.map_err(|e| failed(&e))?;
    Ok(parse_status(&answer))
}

/// Reads a status answer; the credentials may sit at the top or under `credentials`.
pub fn parse_status(answer: &Value) -> RegistrationStatus {
    let status = text_at(answer, &["status"])
        .unwrap_or_default()
        .to_ascii_uppercase();
    match status.as_str() {
        "PENDING" | "" => RegistrationStatus::Pending,
        "APPROVED" => {
            let creds = answer
                .get("credentials")
                .filter(|c| c.is_object())
                .unwrap_or(answer);
            match text_at(creds, &["client_id"]) {
                Some(client_id) => RegistrationStatus::Approved(RegisteredCredentials {
                    client_id,
                    client_secret: text_at(creds, &["client_secret"]),
                    application_id: text_at(creds, &["application_id"]),
                    webhook_secret: text_at(creds, &["webhook_secret"]),
                }),
                // Approved, but the credentials were already collected once.
                None => RegistrationStatus::Closed(
                    "APPROVED (credentials already retrieved)".to_owned(),
                ),
            }
        }
        other => RegistrationStatus::Closed(other.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(
            parse_status(&json!({"status": "PENDING"})),
            RegistrationStatus::Pending
        );
        let approved = parse_status(&json!({
            "status": "APPROVED",
            "credentials": {"client_id": "app_1", "client_secret": "s", "application_id": "app_1"}
        }));
        assert!(matches!(approved, RegistrationStatus::Approved(c) if c.client_id == "app_1"));
        assert_eq!(
            parse_status(&json!({"status": "rejected"})),
            RegistrationStatus::Closed("REJECTED".into())
        );
        let body = RegistrationRequest {
            name: "ScaiDNS".into(),
            public_url: "https://dns.example/".into(),
            scope: "GLOBAL".into(),
            contact_email: None,
        }
        .body();
        assert_eq!(
            body["redirect_uris"][0],
            "https://dns.example/oauth/callback"
        );
        assert_eq!(
            body["webhook_url"],
            "https://dns.example/api/v1/webhooks/scaikey"
        );
    }
}
