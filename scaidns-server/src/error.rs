//! The one error envelope (interface decision 6):
//! `{"detail": <string|object|array>, "code": "<snake_case>", "request_id": "<id>"}`.
//!
//! [`ApiError`] is built from the core's error (the single `ErrorKind` → status mapping lives
//! here) and from poem's own errors (unknown route, wrong method, unparsable body or query),
//! so every error a client sees has the same shape. The request id comes from a task-local set
//! by the request middleware, so errors built deep inside handlers still carry it.

use std::fmt;

use poem::error::ResponseError;
use poem::http::{HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use scaidns_core::ErrorKind;
use serde_json::{Value, json};

tokio::task_local! {
    /// The id of the request being handled.
    pub static REQUEST_ID: String;
}

/// The current request's id, or `unknown` outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The error body of every error response.
#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// What went wrong: a message, an object `{"message", "field", "conflicts"}` for conflicts,
    /// or a list `[{"loc", "msg", "type"}]` for invalid input.
    pub detail: Value,
    /// Stable machine-readable code, e.g. `invalid_api_key`, `domain_exists`.
    pub code: String,
    /// The request's id (also in the `X-Request-Id` header).
    pub request_id: String,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    detail: Value,
    retry_after: Option<u64>,
}

/// Result of every endpoint.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, a code and a detail.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<Value>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// Adds `Retry-After` (seconds).
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The detail.
    pub fn detail(&self) -> &Value {
        &self.detail
    }

    /// A validation-style detail `[{"loc": [where, ...path], "msg", "type"}]`.
    pub fn located(
        status: StatusCode,
        code: &str,
        place: &str,
        field: Option<&str>,
        msg: &str,
    ) -> Self {
        let mut loc = vec![Value::from(place)];
        if let Some(field) = field {
            loc.extend(field_path(field));
        }
        Self::new(
            status,
            code,
            json!([{ "loc": loc, "msg": msg, "type": code }]),
        )
    }

    /// Maps one of poem's errors (routing, extraction) onto the envelope.
    pub fn from_poem(err: poem::Error) -> Self {
        use poem::error::{MethodNotAllowedError, NotFoundError};
        use poem_openapi::error::{
            AuthorizationError, ContentTypeError, ParseParamError, ParsePathError,
            ParseRequestPayloadError,
        };
        if let Some(e) = err.downcast_ref::<ApiError>() {
            return e.clone();
        }
        if err.is::<NotFoundError>() {
            return Self::new(StatusCode::NOT_FOUND, "not_found", "Not found");
        }
        if err.is::<MethodNotAllowedError>() {
            return Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
            );
        }
        if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
            return Self::located(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                "body",
                None,
                &e.reason,
            );
        }
        if let Some(e) = err.downcast_ref::<ParseParamError>() {
            return Self::located(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "query",
                Some(e.name),
                &e.reason,
            );
        }
        if let Some(e) = err.downcast_ref::<ParsePathError>() {
            return Self::located(
                StatusCode::BAD_REQUEST,
                "invalid_path",
                "path",
                Some(e.name),
                &e.reason,
            );
        }
        if let Some(e) = err.downcast_ref::<ContentTypeError>() {
            return Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                e.to_string(),
            );
        }
        if err.is::<AuthorizationError>() {
            return Self::new(
                StatusCode::UNAUTHORIZED,
                "not_authenticated",
                "Authentication required: send X-API-Key or Authorization: Bearer",
            );
        }
        let status = err.status();
        if status.is_server_error() {
            tracing::error!(error = %err, "unhandled server error");
            return Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Internal server error",
            );
        }
        let code = status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
            .replace([' ', '-'], "_");
        Self::new(status, code, err.to_string())
    }
}

/// `records[3].content` → `["records", 3, "content"]`.
fn field_path(field: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for part in field.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Value::from(&rest[..i]));
            }
            rest = &rest[i..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(end) = stripped.find(']') else { break };
                let idx = &stripped[..end];
                out.push(
                    idx.parse::<u64>()
                        .map_or_else(|_| Value::from(idx), Value::from),
                );
                rest = &stripped[end + 1..];
            }
        } else if !rest.is_empty() {
            out.push(Value::from(rest));
        }
    }
    out
}

impl From<scaidns_core::Error> for ApiError {
    fn from(e: scaidns_core::Error) -> Self {
        let status = match e.kind() {
            ErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::BadQuery => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match e.kind() {
            // The message may carry driver or query details: log it, show a generic one.
            ErrorKind::Internal => {
                tracing::error!(code = e.code(), error = %e.message(), "internal error");
                Self::new(status, e.code(), "Internal server error")
            }
            // A missing setting names no host or credential: its message may be shown.
            ErrorKind::Unavailable if e.code() == "identity_provider_not_configured" => {
                Self::new(status, e.code(), e.message())
            }
            ErrorKind::Unavailable => {
                tracing::warn!(code = e.code(), error = %e.message(), "dependency unavailable");
                Self::new(status, e.code(), "Service temporarily unavailable")
            }
            ErrorKind::InvalidInput | ErrorKind::BadQuery if e.field().is_some() => {
                let place = if e.kind() == ErrorKind::BadQuery {
                    "query"
                } else {
                    "body"
                };
                let mut err = Self::located(status, e.code(), place, e.field(), e.message());
                err.status = status;
                err
            }
            ErrorKind::Conflict if e.field().is_some() || !e.conflicts().is_empty() => Self::new(
                status,
                e.code(),
                json!({ "message": e.message(), "field": e.field(), "conflicts": e.conflicts() }),
            ),
            ErrorKind::RateLimited => Self::new(status, e.code(), e.message()).with_retry_after(60),
            // ScaiKey could not be reached for a proxied write (nothing changed): worth a retry.
            ErrorKind::Upstream if e.code() == "identity_provider_unavailable" => {
                Self::new(status, e.code(), e.message()).with_retry_after(30)
            }
            _ => Self::new(status, e.code(), e.message()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({ "detail": self.detail, "code": self.code, "request_id": current_request_id() });
        let mut resp = Response::builder()
            .status(self.status)
            .content_type("application/json; charset=utf-8")
            .body(body.to_string());
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        resp
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        self.clone().into_response()
    }
}

const ERROR_STATUSES: &[(u16, &str)] = &[
    (400, "Bad query or path parameter"),
    (401, "Not authenticated"),
    (403, "Not allowed"),
    (404, "Not found, or not visible to the caller"),
    (409, "Conflict with the current state"),
    (412, "If-Match no longer matches the zone's current version"),
    (413, "Request body too large"),
    (415, "Unsupported content type"),
    (422, "Invalid request body"),
    (429, "Rate limited"),
    (500, "Internal error"),
    (502, "DNS backend failure"),
    (503, "Service unavailable"),
];

/// The documented error responses of an error type: one per `(status, description)`, each a
/// JSON body of `schema` (shared by the native API and the PowerDNS-compatible one).
pub(crate) fn error_responses(
    statuses: &[(u16, &'static str)],
    content_type: &'static str,
    schema: MetaSchemaRef,
) -> MetaResponses {
    MetaResponses {
        responses: statuses
            .iter()
            .map(|(status, description)| MetaResponse {
                description,
                status: Some(*status),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type,
                    schema: schema.clone(),
                }],
                headers: vec![],
            })
            .collect(),
    }
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        error_responses(
            ERROR_STATUSES,
            "application/json; charset=utf-8",
            ErrorBody::schema_ref(),
        )
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_map_once() {
        let e: ApiError = scaidns_core::Error::invalid("records[3].content", "bad").into();
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e.detail()[0]["loc"],
            json!(["body", "records", 3, "content"])
        );
        let e: ApiError = scaidns_core::Error::conflict("domain_exists", "taken")
            .with_field("name")
            .with_conflicts(vec!["x".into()])
            .into();
        assert_eq!(e.status(), StatusCode::CONFLICT);
        assert_eq!(e.detail()["conflicts"], json!(["x"]));
        let e: ApiError = scaidns_core::Error::internal("password=hunter2 in query").into();
        assert!(!e.detail().to_string().contains("hunter2"));
    }
}
