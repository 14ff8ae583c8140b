//! Verified tokens, cached by the SHA-256 of the raw token (the token itself is never kept)
//! for the configured TTL and never past the token's `exp`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::ports::identity_provider::TokenClaims;

/// Entries kept at most; beyond, expired entries are dropped, then everything.
const MAX_ENTRIES: usize = 10_000;

/// The cache.
#[derive(Debug)]
pub struct TokenCache {
    entries: Mutex<HashMap<[u8; 32], (TokenClaims, Instant)>>,
    ttl: Duration,
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenCache {
    /// An empty cache; a zero TTL disables it.
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    /// The claims of a token verified before, while its entry lives.
    pub fn get(&self, token: &str) -> Option<TokenClaims> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let k = key(token);
        match entries.get(&k) {
            Some((claims, until)) if *until > Instant::now() => Some(claims.clone()),
            Some(_) => {
                entries.remove(&k);
                None
            }
            None => None,
        }
    }

    /// Remembers a verified token until `min(ttl, exp - now)`.
    pub fn put(&self, token: &str, claims: &TokenClaims, now: DateTime<Utc>) {
        let remaining = (claims.expires_at - now).to_std().unwrap_or_default();
        let life = self.ttl.min(remaining);
        if life.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let now = Instant::now();
            entries.retain(|_, (_, until)| *until > now);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key(token), (claims.clone(), Instant::now() + life));
    }
}
