//! The one error type of the core. It knows nothing of HTTP: each error carries a kind (which the
//! server maps to a status once), a stable machine-readable code, a human message, and optionally
//! the offending field and the ids of conflicting resources.

use std::borrow::Cow;
use std::fmt;

/// Broad class of an error; decides the HTTP status in the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request body or a value in it is invalid (422).
    InvalidInput,
    /// A query parameter is invalid (400).
    BadQuery,
    /// No or invalid credentials (401).
    Unauthenticated,
    /// Authenticated but not allowed (403).
    Forbidden,
    /// Unknown, or not visible to the caller (404).
    NotFound,
    /// State conflict: duplicate, wrong state, stale generation (409).
    Conflict,
    /// The request's `If-Match` no longer matches (412).
    PreconditionFailed,
    /// Existed once but is no longer kept, e.g. a zone's history past its retention (410).
    Gone,
    /// More than a limit allows, e.g. records in one import (413).
    TooLarge,
    /// Rate limited (429).
    RateLimited,
    /// The DNS backend (or another upstream) failed (502).
    Upstream,
    /// A dependency of ours is down (503).
    Unavailable,
    /// A bug or an unexpected failure (500).
    Internal,
}

/// An error with a stable code.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    code: Cow<'static, str>,
    message: String,
    field: Option<String>,
    conflicts: Vec<String>,
}

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a stable `code` and a human `message`.
    pub fn new(
        kind: ErrorKind,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            field: None,
            conflicts: Vec::new(),
        }
    }

    /// Invalid input in `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, "invalid_input", message).with_field(field)
    }

    /// Invalid query parameter `field`.
    pub fn bad_query(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadQuery, "invalid_query", message).with_field(field)
    }

    /// Generic not-found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", message)
    }

    /// Generic conflict with a code.
    pub fn conflict(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    /// Not allowed.
    pub fn forbidden(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    /// Not authenticated.
    pub fn unauthenticated(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, code, message)
    }

    /// Unexpected failure; the message is for logs and is not shown to clients verbatim.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, "internal_error", message)
    }

    /// A storage failure (database unreachable, query failed).
    pub fn store(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, "database_unavailable", message)
    }

    /// Names the field the error is about.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Prefixes the field path, e.g. `content` becomes `records[3].content`.
    #[must_use]
    pub fn in_field(mut self, prefix: &str) -> Self {
        self.field = Some(match self.field.take() {
            Some(f) if f.starts_with('[') => format!("{prefix}{f}"),
            Some(f) => format!("{prefix}.{f}"),
            None => prefix.to_owned(),
        });
        self
    }

    /// Lists the ids of the resources this error conflicts with.
    #[must_use]
    pub fn with_conflicts(mut self, ids: Vec<String>) -> Self {
        self.conflicts = ids;
        self
    }

    /// The error's class.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// Ids of conflicting resources, if any.
    pub fn conflicts(&self) -> &[String] {
        &self.conflicts
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{}: {}", self.kind, self.code, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field {field})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
