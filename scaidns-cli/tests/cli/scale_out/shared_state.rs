//! What the replicas share besides the database: the invalidation of cached keys (Redis
//! pub/sub) and rate-limit counters (Redis).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::cluster::AUTH_CACHE_MAX_STALENESS;

/// Raw calls to the replicas.
pub struct Api {
    pub http: reqwest::Client,
}

impl Api {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
        }
    }

    /// `method url` with `key`; status, JSON body and the `X-RateLimit-Remaining` header.
    pub async fn call(
        &self,
        key: &str,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, Option<u64>) {
        let mut request = self.http.request(method, url).header("X-API-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status();
        let remaining = response
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        (
            status,
            response.json().await.unwrap_or(Value::Null),
            remaining,
        )
    }

    /// A new key of user `user_id` through `replica`, limited to `rate_limit` a minute when
    /// given: (id, secret).
    pub async fn new_key(
        &self,
        replica: &str,
        admin_key: &str,
        user_id: &str,
        rate_limit: Option<u32>,
    ) -> (String, String) {
        let (status, body, _) = self
            .call(
                admin_key,
                reqwest::Method::POST,
                &format!("{replica}/api/v1/api-keys"),
                Some(json!({
                    "name": "scale-out",
                    "permission_source_id": user_id,
                    "rate_limit": rate_limit,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "api key create: {body}");
        (
            body["id"].as_str().expect("key id").to_owned(),
            body["key"].as_str().expect("key secret").to_owned(),
        )
    }
}

/// A key warmed into every replica's cache and then revoked through the first is refused by
/// the first at once and by every other before its cache entry could have expired, so by the
/// Redis notice. Returns how long the slowest replica took after the revocation answered.
pub async fn revoked_key_is_refused_everywhere(
    api: &Api,
    replicas: &[String],
    admin_key: &str,
    user_id: &str,
) -> Duration {
    let (id, key) = api.new_key(&replicas[0], admin_key, user_id, None).await;
    // The key is new: no replica cached it before this instant, so no entry expires before
    // `first_use + AUTH_CACHE_MAX_STALENESS`.
    let first_use = Instant::now();
    for replica in replicas {
        for _ in 0..2 {
            let (status, body, _) = api
                .call(
                    &key,
                    reqwest::Method::GET,
                    &format!("{replica}/api/v1/me"),
                    None,
                )
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{replica} before revocation: {body}"
            );
        }
    }
    let (status, body, _) = api
        .call(
            admin_key,
            reqwest::Method::POST,
            &format!("{}/api/v1/api-keys/{id}/revoke", replicas[0]),
            None,
        )
        .await;
    assert!(status.is_success(), "revoke: {status} {body}");
    let revoked = Instant::now();
    let (status, _, _) = api
        .call(
            &key,
            reqwest::Method::GET,
            &format!("{}/api/v1/me", replicas[0]),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the replica that revoked the key still accepts it"
    );
    let deadline = first_use + AUTH_CACHE_MAX_STALENESS;
    let mut slowest = Duration::ZERO;
    for replica in &replicas[1..] {
        loop {
            let (status, body, _) = api
                .call(
                    &key,
                    reqwest::Method::GET,
                    &format!("{replica}/api/v1/me"),
                    None,
                )
                .await;
            if status == StatusCode::UNAUTHORIZED {
                // An entry's expiry cannot refuse before the deadline; only the notice can.
                assert!(
                    Instant::now() < deadline,
                    "{replica} refused the revoked key only when its cache entry expired"
                );
                slowest = slowest.max(revoked.elapsed());
                break;
            }
            assert_eq!(status, StatusCode::OK, "{replica}: {body}");
            assert!(
                Instant::now() < deadline,
                "{replica} still accepts the revoked key; its cache entry was never dropped"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    slowest
}

/// A key limited to `LIMIT` requests a minute, used round-robin through every replica: the
/// remaining count falls by one per request whichever replica answers, and the request past
/// the limit is refused, so every replica counts in the same Redis counter. A burst that
/// straddles a minute (the counters' window) proves nothing and is run again with a new key.
pub async fn rate_limits_are_shared(
    api: &Api,
    replicas: &[String],
    admin_key: &str,
    user_id: &str,
) {
    const LIMIT: u64 = 4;
    const ATTEMPTS: usize = 3;
    for _ in 0..ATTEMPTS {
        let (_, key) = api
            .new_key(
                &replicas[0],
                admin_key,
                user_id,
                Some(u32::try_from(LIMIT).expect("small")),
            )
            .await;
        let minute = chrono::Utc::now().timestamp() / 60;
        let mut seen = Vec::new();
        for n in 0..=LIMIT {
            let replica = &replicas[usize::try_from(n).expect("small") % replicas.len()];
            let (status, _, remaining) = api
                .call(
                    &key,
                    reqwest::Method::GET,
                    &format!("{replica}/api/v1/domains"),
                    None,
                )
                .await;
            seen.push((replica.clone(), status, remaining));
        }
        if chrono::Utc::now().timestamp() / 60 != minute {
            continue;
        }
        let expected: Vec<(String, StatusCode, Option<u64>)> = (0..=LIMIT)
            .map(|n| {
                let replica = replicas[usize::try_from(n).expect("small") % replicas.len()].clone();
                if n < LIMIT {
                    (replica, StatusCode::OK, Some(LIMIT - n - 1))
                } else {
                    (replica, StatusCode::TOO_MANY_REQUESTS, Some(0))
                }
            })
            .collect();
        assert_eq!(
            seen, expected,
            "one budget for the key across replicas, counted in Redis"
        );
        return;
    }
    panic!("every burst straddled a minute");
}
