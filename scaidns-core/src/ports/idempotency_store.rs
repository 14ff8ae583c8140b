//! Idempotency keys of writes (`Idempotency-Key`). Joins [`super::store::Store`]. A key is
//! claimed per principal with one insert on a unique `(principal, key)`, so whichever replica a
//! repeat reaches, the database decides which copy runs; the others see the claim and wait for
//! its answer. A claim carries an expiry, so a process that died mid-request does not hold the
//! key for ever; a finished answer carries the longer retention expiry instead.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;

/// The first answer to a keyed request, replayed to its repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// HTTP status.
    pub status: u16,
    /// The headers a repeat needs to mean the same (`Location`, `ETag`, `Content-Type`, …).
    pub headers: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
}

/// One keyed request as the store sees it.
#[derive(Debug, Clone, Copy)]
pub struct KeyedRequest<'a> {
    /// Who sends it (`key:<id>/<tenant>` or `user:<id>/<tenant>`): keys of two principals never meet.
    pub principal: &'a str,
    /// The client's `Idempotency-Key`.
    pub key: &'a str,
    /// Digest of what the request asks (method, path, body, meaningful headers).
    pub request_hash: &'a str,
}

/// What [`IdempotencyStore::claim_idempotency_key`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is this request's now: run it, then finish or release the claim.
    Claimed,
    /// The same request holds the key and has not answered yet.
    InProgress,
    /// The key is held (running or answered) for a different request.
    Reused,
    /// The same request was answered already: this is its answer.
    Answered(StoredAnswer),
}

/// Idempotency keys and their stored answers.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `request`'s key until `claim_until`, unless an unexpired row holds it already
    /// (then says what holds it). A row whose expiry is at or before `now` counts as absent.
    async fn claim_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
    ) -> Result<IdempotencyClaim>;

    /// Stores the answer of `request`'s claim, kept until `keep_until`. `false` when the claim
    /// was lost meanwhile (it expired and another request took the key).
    async fn finish_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        answer: &StoredAnswer,
        keep_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Drops `request`'s unanswered claim, so a repeat runs again (after a server error).
    async fn release_idempotency_key(&self, request: KeyedRequest<'_>) -> Result<()>;

    /// Removes every claim and answer that expired at or before `now` (in batches); how many.
    async fn expire_idempotency_keys(&self, now: DateTime<Utc>) -> Result<u64>;

    /// Extends `request`'s unanswered claim to `claim_until` while its request still runs;
    /// `false` when the claim is gone (answered, released, or taken over after expiring).
    async fn renew_idempotency_key(
        &self,
        request: KeyedRequest<'_>,
        claim_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Whether `principal`'s `key` is held (claimed or answered, unexpired) at `now`. Reads
    /// only.
    async fn idempotency_key_held(
        &self,
        principal: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}
