//! [`Error`]: a failed call as the server explained it (its error envelope), or as the client
//! saw it when no envelope came back.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::retry::retry_after;
use crate::types::ErrorBody;

/// The error the generated methods return; convert it with `?` or [`Error::from`].
pub use progenitor_client::Error as GeneratedError;

/// Codes the client gives errors that carry no envelope from the server.
pub mod codes {
    /// The server could not be reached or the connection broke (no HTTP status).
    pub const COMMUNICATION: &str = "communication_error";
    /// The request could not be built (no HTTP status).
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// The server answered something this client cannot read.
    pub const INVALID_RESPONSE: &str = "invalid_response";
    /// The server answered a status the API does not document, without an envelope.
    pub const UNEXPECTED_RESPONSE: &str = "unexpected_response";
    /// A hook refused the call, e.g. a token refresh failed.
    pub const CLIENT: &str = "client_error";
}

/// A failed call: the HTTP status and the server's error envelope
/// (`{"code", "detail", "request_id"}`), plus `Retry-After` when the server sent one.
///
/// ```
/// # async fn demo(client: &scaidns_client::Client) -> Result<(), scaidns_client::Error> {
/// match client.zone_get("9b1f…", None).await {
///     Ok(zone) => println!("{}", zone.into_inner().name),
///     Err(e) => {
///         let e = scaidns_client::Error::from(e);
///         if e.is_not_found() {
///             println!("no such zone (request {})", e.request_id().unwrap_or("?"));
///         } else {
///             return Err(e);
///         }
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Error {
    status: Option<StatusCode>,
    code: String,
    detail: serde_json::Value,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    fn local(code: &str, detail: String) -> Self {
        Self {
            status: None,
            code: code.to_owned(),
            detail: serde_json::Value::String(detail),
            request_id: None,
            retry_after: None,
            source: None,
        }
    }

    fn from_headers(status: StatusCode, headers: &HeaderMap, code: &str) -> Self {
        Self {
            status: Some(status),
            code: code.to_owned(),
            detail: serde_json::Value::String(
                status.canonical_reason().unwrap_or("unknown").to_owned(),
            ),
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            retry_after: retry_after(headers),
            source: None,
        }
    }

    fn with_envelope(mut self, body: ErrorBody) -> Self {
        self.code = body.code;
        self.detail = body.detail;
        if !body.request_id.is_empty() {
            self.request_id = Some(body.request_id);
        }
        self
    }

    /// The HTTP status; `None` when no answer came back.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The stable machine-readable code, e.g. `domain_exists`; for errors without an envelope
    /// one of the [`codes`].
    pub fn code(&self) -> &str {
        &self.code
    }

    /// What went wrong: a message, an object `{"message", "field", "conflicts"}` for conflicts,
    /// or a list `[{"loc", "msg", "type"}]` for invalid input.
    pub fn detail(&self) -> &serde_json::Value {
        &self.detail
    }

    /// The detail as one line: the message, or the messages of a list joined by `; `.
    pub fn message(&self) -> String {
        match &self.detail {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => o
                .get("message")
                .and_then(|m| m.as_str())
                .map_or_else(|| self.detail.to_string(), str::to_owned),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.get("msg").and_then(|m| m.as_str()).unwrap_or("invalid"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        }
    }

    /// The server's id of the request (quote it when asking for help).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long the server asked the caller to wait (`Retry-After`), on 429 and 503.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn has_status(&self, status: StatusCode) -> bool {
        self.status == Some(status)
    }

    /// 404: unknown, or belonging to another tenant.
    pub fn is_not_found(&self) -> bool {
        self.has_status(StatusCode::NOT_FOUND)
    }

    /// 409: a state conflict (duplicate, name taken, wrong zone state).
    pub fn is_conflict(&self) -> bool {
        self.has_status(StatusCode::CONFLICT)
    }

    /// 412: the zone changed since the `If-Match` generation.
    pub fn is_precondition_failed(&self) -> bool {
        self.has_status(StatusCode::PRECONDITION_FAILED)
    }

    /// 429: rate limited; see [`Error::retry_after`].
    pub fn is_rate_limited(&self) -> bool {
        self.has_status(StatusCode::TOO_MANY_REQUESTS)
    }

    /// No answer came back: the server was unreachable, the connection broke or timed out.
    pub fn is_communication(&self) -> bool {
        self.code == codes::COMMUNICATION
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(status) => write!(
                f,
                "{} ({}, HTTP {})",
                self.message(),
                self.code,
                status.as_u16()
            )?,
            None => write!(f, "{} ({})", self.message(), self.code)?,
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request {id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A client that could not be built or configured, e.g. an idempotency key that cannot be a
/// header, fails its call before anything is sent.
impl From<crate::BuildError> for Error {
    fn from(e: crate::BuildError) -> Self {
        let mut error = Self::local(codes::CLIENT, e.to_string());
        error.source = Some(Box::new(e));
        error
    }
}

/// The envelope inside a generated error body, whatever type the operation declared.
fn envelope_of<E: serde::Serialize>(body: &E) -> Option<ErrorBody> {
    serde_json::to_value(body)
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
}

impl<E: serde::Serialize> From<GeneratedError<E>> for Error {
    fn from(e: GeneratedError<E>) -> Self {
        match e {
            GeneratedError::ErrorResponse(response) => {
                let base = Self::from_headers(
                    response.status(),
                    response.headers(),
                    codes::UNEXPECTED_RESPONSE,
                );
                match envelope_of(&response.into_inner()) {
                    Some(body) => base.with_envelope(body),
                    None => base,
                }
            }
            GeneratedError::UnexpectedResponse(response) => Self::from_headers(
                response.status(),
                response.headers(),
                codes::UNEXPECTED_RESPONSE,
            ),
            // The body is bytes the declared type did not fit: an envelope still reads.
            GeneratedError::InvalidResponsePayload(bytes, parse) => {
                match serde_json::from_slice::<ErrorBody>(&bytes) {
                    Ok(body) => {
                        Self::local(codes::INVALID_RESPONSE, String::new()).with_envelope(body)
                    }
                    Err(_) => Self::local(codes::INVALID_RESPONSE, parse.to_string()),
                }
            }
            GeneratedError::CommunicationError(e)
            | GeneratedError::InvalidUpgrade(e)
            | GeneratedError::ResponseBodyError(e) => {
                let mut error = Self::local(codes::COMMUNICATION, e.to_string());
                error.status = e.status();
                error.source = Some(Box::new(e));
                error
            }
            GeneratedError::InvalidRequest(message) => Self::local(codes::INVALID_REQUEST, message),
            GeneratedError::Custom(message) => Self::local(codes::CLIENT, message),
        }
    }
}
