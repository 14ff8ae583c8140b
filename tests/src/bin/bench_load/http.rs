//! The few HTTP calls the benchmark makes, to ScaiDNS and to PowerDNS, with failures turned
//! into messages that name the call: the tool reports slow figures but stops on a broken one.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A failed step of the benchmark (the tool exits non-zero with it).
pub type Fail = String;

/// One HTTP client per target, with its credentials header.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    header: &'static str,
    pub key: String,
}

/// What one call answered.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub elapsed: Duration,
}

impl Api {
    /// ScaiDNS at `base` (`http://host:port`) with API key `key`.
    pub fn scaidns(http: &reqwest::Client, base: &str, key: &str) -> Self {
        Self {
            http: http.clone(),
            base: base.trim_end_matches('/').to_owned(),
            header: "X-API-Key",
            key: key.to_owned(),
        }
    }

    /// PowerDNS's API at `base` (without `/api/v1`) with its `api-key`.
    pub fn pdns(http: &reqwest::Client, base: &str, key: &str) -> Self {
        Self {
            http: http.clone(),
            base: base.trim_end_matches('/').to_owned(),
            header: "X-API-Key",
            key: key.to_owned(),
        }
    }

    /// The same server with another key.
    pub fn with_key(&self, key: &str) -> Self {
        Self {
            key: key.to_owned(),
            ..self.clone()
        }
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The credentials header, as `name: value` (for wrk).
    pub fn header_line(&self) -> String {
        format!("{}: {}", self.header, self.key)
    }

    /// Sends one request and reads the whole answer; only a transport error is an `Err`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, Fail> {
        let mut request = self
            .http
            .request(method.clone(), self.url(path))
            .header(self.header, &self.key)
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let start = Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("{method} {path}: reading the body: {e}"))?;
        let elapsed = start.elapsed();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Ok(Answer {
            status,
            body,
            elapsed,
        })
    }

    /// Like [`Self::call`], but any status other than `want` is a failure.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        want: u16,
    ) -> Result<Answer, Fail> {
        let answer = self.call(method.clone(), path, body).await?;
        if answer.status.as_u16() != want {
            return Err(format!(
                "{method} {path}: expected {want}, got {}: {}",
                answer.status, answer.body
            ));
        }
        Ok(answer)
    }
}

/// `value[field]` as a string, or a failure naming what was expected.
pub fn text(value: &Value, field: &str) -> Result<String, Fail> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no string `{field}` in {value}"))
}
