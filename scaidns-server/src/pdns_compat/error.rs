//! PowerDNS's error shape, `{"error": "…"}`, for the compatible API: its clients read
//! `error` (octoDNS matches its text) and know PowerDNS's status codes only.
//!
//! Built from the native [`ApiError`] (so the core's one `ErrorKind` → status mapping, the
//! hiding of internal details and `Retry-After` stay the same), with the few differences
//! PowerDNS's clients expect: an unknown zone reads `Could not find domain '…'`, and a write
//! that ScaiDNS's rules refuse where PowerDNS would accept it is 422 (see [`PdnsError::on_write`]).

use poem::http::{HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use serde_json::Value;

use crate::error::{ApiError, error_responses};

/// The body of every error of the PowerDNS-compatible API.
#[derive(Debug, Clone, Object)]
pub struct PdnsErrorBody {
    /// What went wrong.
    pub error: String,
}

/// An error of the PowerDNS-compatible API.
#[derive(Debug, Clone)]
pub struct PdnsError {
    status: StatusCode,
    error: String,
    retry_after: Option<u64>,
}

/// Result of every compatible endpoint.
pub type PdnsResult<T> = Result<T, PdnsError>;

impl PdnsError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            retry_after: None,
        }
    }

    /// PowerDNS's answer for a zone it does not hold, also given for another tenant's zone.
    pub fn unknown_zone(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("Could not find domain '{name}'"),
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.error
    }

    /// A refusal of a write to zone content: PowerDNS has no 403, and a name outside the
    /// caller's grants is one of ScaiDNS's rules, so it is 422 like the zone rules.
    #[must_use]
    pub fn on_write(mut self) -> Self {
        if self.status == StatusCode::FORBIDDEN {
            self.status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        self
    }

    /// Maps poem's own errors (unknown route, unparsable body, missing key).
    pub fn from_poem(err: poem::Error) -> Self {
        if let Some(e) = err.downcast_ref::<PdnsError>() {
            return e.clone();
        }
        let native = ApiError::from_poem(err);
        if native.status() == StatusCode::UNAUTHORIZED {
            // This API takes API keys only (PowerDNS's clients send nothing else).
            return Self::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorized: send a ScaiDNS API key in X-API-Key",
            );
        }
        // PowerDNS answers an unparsable body 400; the native API says 422.
        let status = if native.code() == "invalid_body" {
            StatusCode::BAD_REQUEST
        } else {
            native.status()
        };
        Self {
            status,
            ..Self::from(native)
        }
    }
}

/// The readable text of a native error's `detail` (a message, `{message}` or `[{loc, msg}]`).
fn detail_text(detail: &Value) -> String {
    match detail {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| detail.to_string(), str::to_owned),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let msg = item.get("msg").and_then(Value::as_str).unwrap_or_default();
                let loc: Vec<String> = item
                    .get("loc")
                    .and_then(Value::as_array)
                    .map(|l| {
                        l.iter()
                            .skip(1)
                            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                if loc.is_empty() {
                    msg.to_owned()
                } else {
                    format!("{}: {msg}", loc.join("."))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

impl From<ApiError> for PdnsError {
    fn from(e: ApiError) -> Self {
        let retry_after = (e.status() == StatusCode::TOO_MANY_REQUESTS).then_some(60);
        Self {
            status: e.status(),
            error: detail_text(e.detail()),
            retry_after,
        }
    }
}

impl From<scaidns_core::Error> for PdnsError {
    fn from(e: scaidns_core::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl std::fmt::Display for PdnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.error)
    }
}

impl std::error::Error for PdnsError {}

impl IntoResponse for PdnsError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.error });
        let mut resp = Response::builder()
            .status(self.status)
            .content_type("application/json")
            .body(body.to_string());
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        resp
    }
}

impl poem::error::ResponseError for PdnsError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.clone().into_response()
    }
}

const ERROR_STATUSES: &[(u16, &str)] = &[
    (400, "Unparsable body or bad parameter"),
    (401, "Not authenticated (X-API-Key)"),
    (403, "The key may not read this"),
    (404, "Unknown zone (or another tenant's), or unknown server"),
    (409, "The zone exists, or its name is taken"),
    (412, "If-Match no longer matches the zone's current version"),
    (413, "Request body too large"),
    (
        422,
        "Refused: invalid input, or a ScaiDNS rule (named in `error`)",
    ),
    (429, "Rate limited"),
    (500, "Internal error"),
    (502, "DNS backend failure"),
    (503, "Service unavailable"),
];

impl ApiResponse for PdnsError {
    fn meta() -> MetaResponses {
        error_responses(
            ERROR_STATUSES,
            "application/json",
            PdnsErrorBody::schema_ref(),
        )
    }

    fn register(registry: &mut Registry) {
        PdnsErrorBody::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_errors_read_as_powerdns_errors() {
        let e: PdnsError = scaidns_core::Error::invalid("rrsets[0].name", "out of zone").into();
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.message(), "rrsets.0.name: out of zone");
        let e: PdnsError = scaidns_core::Error::forbidden("permission_denied", "no").into();
        assert_eq!(e.clone().status(), StatusCode::FORBIDDEN);
        assert_eq!(e.on_write().status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: PdnsError = scaidns_core::Error::internal("password=x").into();
        assert!(!e.message().contains("password"));
    }
}
