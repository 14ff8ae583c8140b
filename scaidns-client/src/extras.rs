//! Hand-written conveniences on top of the generated client: constructors that install the
//! credential as a default header (progenitor ignores security schemes), and a helper that
//! walks `page`/`page_size` lists.

use std::future::Future;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::Client;

/// Why a client could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The credential contains characters a header cannot carry.
    InvalidCredential,
    /// reqwest could not build its client.
    Http(reqwest::Error),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidCredential => f.write_str("the credential is not a valid header value"),
            Self::Http(e) => write!(f, "cannot build the HTTP client: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// The `User-Agent` of a client built here unless the caller names itself.
pub const USER_AGENT: &str = concat!("scaidns-client/", env!("CARGO_PKG_VERSION"));

fn with_header(
    base_url: &str,
    name: &'static str,
    value: &str,
    user_agent: &str,
) -> Result<Client, BuildError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| BuildError::InvalidCredential)?;
    // Keeps the credential out of reqwest's Debug output.
    value.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(name, value);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .user_agent(user_agent)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(BuildError::Http)?;
    Ok(Client::new_with_client(
        base_url.trim_end_matches('/'),
        http,
    ))
}

impl Client {
    /// A client sending `X-API-Key: <key>` on every request. `base_url` is the server root,
    /// e.g. `http://127.0.0.1:8000` (the paths carry `/api/v1`).
    pub fn with_api_key(base_url: &str, key: &str) -> Result<Self, BuildError> {
        with_header(base_url, "x-api-key", key, USER_AGENT)
    }

    /// [`Client::with_api_key`] naming the calling program in `User-Agent` (the audit log
    /// records it), e.g. `scaidns-cli/0.1.0`.
    pub fn with_api_key_as(
        base_url: &str,
        key: &str,
        user_agent: &str,
    ) -> Result<Self, BuildError> {
        with_header(base_url, "x-api-key", key, user_agent)
    }

    /// A client sending `Authorization: Bearer <token>` on every request.
    pub fn with_bearer(base_url: &str, token: &str) -> Result<Self, BuildError> {
        with_header(
            base_url,
            AUTHORIZATION.as_str(),
            &format!("Bearer {token}"),
            USER_AGENT,
        )
    }
}

/// Fetches every page of a `page`/`page_size` list. `fetch(page, page_size)` returns the page's
/// items and the total; pages are requested until `total` items were seen or a page is empty.
pub async fn collect_pages<T, E, F, Fut>(page_size: u32, mut fetch: F) -> Result<Vec<T>, E>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, u64), E>>,
{
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let (items, total) = fetch(page, page_size).await?;
        let empty = items.is_empty();
        all.extend(items);
        if empty || all.len() as u64 >= total {
            return Ok(all);
        }
        page += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_clients_and_rejects_bad_credentials() {
        assert!(Client::with_api_key("http://127.0.0.1:1/", "sdk_live_x").is_ok());
        assert!(Client::with_bearer("http://127.0.0.1:1", "t").is_ok());
        assert!(matches!(
            Client::with_api_key("http://x", "a\nb"),
            Err(BuildError::InvalidCredential)
        ));
    }

    #[tokio::test]
    async fn pages_until_total() {
        let data: Vec<u32> = (0..7).collect();
        let got = collect_pages(3, |page, size| {
            let start = ((page - 1) * size) as usize;
            let items = data
                .iter()
                .skip(start)
                .take(size as usize)
                .copied()
                .collect();
            async move { Ok::<_, ()>((items, 7)) }
        })
        .await
        .unwrap();
        assert_eq!(got, data);
    }
}
