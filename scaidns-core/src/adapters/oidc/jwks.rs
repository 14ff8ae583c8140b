//! The provider's signing keys (RFC 7517 JWK Set), cached.
//!
//! Keys are fresh for the configured TTL. Past it, the next lookup refreshes them; if the
//! provider cannot be reached the old keys keep working (an outage must not lock out users whose
//! tokens are signed with known keys). A token naming an unknown `kid` triggers one refetch —
//! the provider may have rotated its keys — but fetches are at least the refetch floor apart,
//! so garbage `kid`s cannot make ScaiDNS hammer the provider. The lock is never held across a
//! fetch: while one request fetches, the others use what is cached.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use tokio::sync::Mutex;

use super::http::{HttpClient, HttpError};

#[derive(Default)]
struct State {
    keys: Option<JwkSet>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
}

/// The cache.
pub struct JwksCache {
    state: Mutex<State>,
    ttl: Duration,
    floor: Duration,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("ttl", &self.ttl)
            .field("floor", &self.floor)
            .finish_non_exhaustive()
    }
}

/// What a lookup found.
pub enum Lookup {
    /// The key.
    Found(Box<Jwk>),
    /// Keys are loaded but none matches.
    Unknown,
    /// No keys were ever obtained.
    Unavailable,
}

impl JwksCache {
    /// An empty cache.
    pub fn new(ttl: Duration, floor: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            ttl,
            floor,
        }
    }

    /// Whether keys were ever loaded.
    pub async fn loaded(&self) -> bool {
        self.state.lock().await.keys.is_some()
    }

    /// The key for `kid` (or, without a `kid`, the only key of a matching type), fetching from
    /// `jwks_uri` when the cache is stale or the key is unknown — within the floor.
    pub async fn lookup(
        &self,
        http: &HttpClient,
        jwks_uri: &str,
        kid: Option<&str>,
        matches: impl Fn(&Jwk) -> bool,
    ) -> Lookup {
        let (found, fetch) = {
            let mut state = self.state.lock().await;
            let found = state.keys.as_ref().and_then(|set| pick(set, kid, &matches));
            let stale = state.fetched_at.is_none_or(|at| at.elapsed() >= self.ttl);
            let may_fetch = state
                .last_attempt
                .is_none_or(|at| at.elapsed() >= self.floor);
            let fetch = may_fetch && (stale || found.is_none());
            if fetch {
                state.last_attempt = Some(Instant::now());
            }
            (found, fetch)
        };
        if !fetch {
            return self.answer(found).await;
        }
        match http.get_json::<JwkSet>(jwks_uri, None).await {
            Ok(set) => {
                let found = pick(&set, kid, &matches);
                let mut state = self.state.lock().await;
                state.keys = Some(set);
                state.fetched_at = Some(Instant::now());
                drop(state);
                self.answer(found).await
            }
            Err(err) => {
                log_fetch_failure(&err);
                self.answer(found).await
            }
        }
    }

    async fn answer(&self, found: Option<Jwk>) -> Lookup {
        match found {
            Some(jwk) => Lookup::Found(Box::new(jwk)),
            None if self.loaded().await => Lookup::Unknown,
            None => Lookup::Unavailable,
        }
    }
}

fn log_fetch_failure(err: &HttpError) {
    tracing::warn!(error = %err, "cannot refresh the identity provider's JWKS; keeping cached keys");
}

fn pick(set: &JwkSet, kid: Option<&str>, matches: &impl Fn(&Jwk) -> bool) -> Option<Jwk> {
    match kid {
        Some(kid) => set
            .keys
            .iter()
            .find(|k| k.common.key_id.as_deref() == Some(kid) && matches(k))
            .cloned(),
        None => {
            let mut candidates = set.keys.iter().filter(|k| matches(k));
            let first = candidates.next()?;
            // Without a kid, only an unambiguous key may be used.
            candidates.next().is_none().then(|| first.clone())
        }
    }
}
