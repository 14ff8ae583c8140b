//! The first hand-written conveniences, kept for their callers: one-line constructors for an
//! authenticated client and [`collect_pages`], which gathers a `page`/`page_size` list into
//! one `Vec` (see [`paginate`](crate::paginate) for a stream).

use std::future::Future;

use futures::TryStreamExt;

use crate::{BuildError, Client, RetryPolicy, USER_AGENT};

// These constructors predate the builder and keep their behaviour: every call is sent once.
fn legacy(base_url: &str, user_agent: &str) -> crate::ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .user_agent(user_agent)
        .retry(RetryPolicy::none())
}

impl Client {
    /// A client sending `X-API-Key: <key>` on every request, without retries. `base_url` is
    /// the server root, e.g. `http://127.0.0.1:8000` (the paths carry `/api/v1`).
    ///
    /// # Errors
    /// [`BuildError::InvalidCredential`] when `key` cannot be a header value.
    pub fn with_api_key(base_url: &str, key: &str) -> Result<Self, BuildError> {
        legacy(base_url, USER_AGENT).api_key(key).build()
    }

    /// [`Client::with_api_key`] naming the calling program in `User-Agent` (the audit log
    /// records it), e.g. `scaidns-cli/0.1.0`.
    ///
    /// # Errors
    /// As [`Client::with_api_key`].
    pub fn with_api_key_as(
        base_url: &str,
        key: &str,
        user_agent: &str,
    ) -> Result<Self, BuildError> {
        legacy(base_url, user_agent).api_key(key).build()
    }

    /// A client sending `Authorization: Bearer <token>` on every request, without retries.
    ///
    /// # Errors
    /// [`BuildError::InvalidCredential`] when `token` cannot be a header value.
    pub fn with_bearer(base_url: &str, token: &str) -> Result<Self, BuildError> {
        legacy(base_url, USER_AGENT).bearer_token(token).build()
    }
}

/// Fetches every page of a `page`/`page_size` list. `fetch(page, page_size)` returns the page's
/// items and the total; pages are requested until `total` items were seen or a page is empty.
/// The same loop as [`paginate`](crate::paginate), gathered into one `Vec`; the same caveat
/// holds (a list that changes meanwhile can skip or repeat items).
///
/// # Errors
/// The first failed page's.
pub async fn collect_pages<T, E, F, Fut>(page_size: u32, fetch: F) -> Result<Vec<T>, E>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, u64), E>>,
{
    crate::pagination::page_stream(page_size, fetch)
        .try_collect()
        .await
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

    #[tokio::test]
    async fn a_page_size_of_zero_still_advances() {
        let mut sizes = Vec::new();
        let got = collect_pages(0, |page, size| {
            sizes.push(size);
            async move { Ok::<_, ()>((vec![page], 2)) }
        })
        .await
        .unwrap();
        assert_eq!(got, [1, 2]);
        assert_eq!(sizes, [1, 1]);
    }
}
