//! `Idempotency-Key` on writes (issue 15): a `POST` or `PATCH` sent with the header runs once
//! per principal and key; a repeat of the same request gets the first answer again and changes
//! nothing, the same key on a different request is 422 `idempotency_key_reused`, and a repeat
//! while the first still runs is 409 `idempotency_in_progress`.
//!
//! Two halves, because the principal is known only once the handler authenticated:
//! [`keyed_writes`] (around the routes) checks the header, digests the request and later keeps
//! or replays the answer; [`claim`] (called by `auth::op_context` right after authentication and
//! rate counting) takes the key in the store for that principal before the handler changes
//! anything. A keyed request runs in its own task, so a client that hangs up does not cancel a
//! change half-way: it finishes, and the answer waits for the client's retry.
//!
//! Every answer is kept except a 503 (the store or a dependency was unavailable, so nothing
//! was committed) and a panic: a 502 can follow a committed change (the backend refused its
//! publication, the retry queue publishes it), and the service cannot tell a 500 before its
//! commit from one after, so a retry replays them rather than risk applying a write twice.
//! Answers over [`MAX_STORED_BODY`] are not kept either (the key is released, and logged).
//! Endpoints whose answer carries a secret (API key creation and regeneration, the token
//! endpoints) refuse the header: the store would otherwise hold the secret in clear. `POST`s
//! that only read ([`reads_only`]) ignore it: there is nothing to repeat safely.
//!
//! The key is checked and the request digested only once the caller authenticated (in
//! [`claim`]): an anonymous caller's junk key is a 401, and no unauthenticated body is hashed.

use std::cell::RefCell;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;

use poem::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, EndpointExt, IntoResponse, PathPattern, Request, Response};
use scaidns_core::service::OpContext;
use scaidns_core::service::idempotency::{
    CLAIM_RENEW_EVERY, IdempotencyClaim, KeyedWrite, StoredAnswer,
};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, REQUEST_ID, current_request_id};
use crate::state::AppState;

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// Set on an answer that repeats a stored one.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// Largest answer body kept for replay; a bigger answer goes out once and its key is released.
pub const MAX_STORED_BODY: usize = 256 * 1024;

/// Attempts at keeping an answer before its claim is left to expire.
const FINISH_ATTEMPTS: u32 = 3;

/// Request headers that change what a write means, so they are part of its digest.
const MEANINGFUL_HEADERS: &[&str] = &["if-match", "content-type"];

/// Response headers not kept with an answer: the outer layers set them afresh on every
/// answer (request id, rate budget), or they belong to one connection.
const FRESH_HEADERS: &[&str] = &[
    "x-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "set-cookie",
    "date",
    "content-length",
    "transfer-encoding",
    "connection",
];

tokio::task_local! {
    static KEYED: RefCell<Keyed>;
}

struct Keyed {
    /// What the request asks, digested only after authentication ([`claim`]).
    request: Option<PendingRequest>,
    state: KeyState,
}

/// The parts of a keyed request its claim needs, kept until the caller authenticated.
struct PendingRequest {
    headers: HeaderMap,
    target: String,
    method: Method,
    body: bytes::Bytes,
    refuses_keys: bool,
}

enum KeyState {
    /// The handler has not authenticated yet (or never does).
    Unclaimed,
    /// Claimed for this principal: the answer is to be kept.
    Claimed(KeyedWrite),
    /// Answered before: the handler stopped, this answer goes out instead.
    Replay(StoredAnswer),
}

/// Wraps the routes: keyed `POST`/`PATCH` requests are checked, digested and run in their own
/// task; their answers kept or replayed.
pub fn keyed_writes<E>(ep: E, state: AppState) -> impl Endpoint<Output = Response>
where
    E: Endpoint<Output = Response> + 'static,
{
    ep.around(move |ep, req| {
        let state = state.clone();
        async move { handle(ep, req, state).await }
    })
}

async fn handle<E>(ep: Arc<E>, mut req: Request, state: AppState) -> poem::Result<Response>
where
    E: Endpoint<Output = Response> + 'static,
{
    // Without credentials there is no principal to keep answers for: the handler answers 401
    // (before anything about the request, as everywhere), or is one of the anonymous
    // endpoints, which take no keys.
    if !matches!(*req.method(), Method::POST | Method::PATCH)
        || !req.headers().contains_key(HEADER)
        || !crate::middleware::has_credentials(&req)
    {
        return ep.call(req).await;
    }
    if reads_only(req.uri().path()) {
        return ep.call(req).await;
    }
    // A failed read (over the body limit) is answered by the outer layer.
    let body = req.take_body().into_bytes().await?;
    req.set_body(body.clone());
    let keyed = Keyed {
        request: Some(PendingRequest {
            headers: req.headers().clone(),
            target: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned()),
            method: req.method().clone(),
            body,
            refuses_keys: returns_secret(req.uri().path()),
        }),
        state: KeyState::Unclaimed,
    };
    let request_id = current_request_id();
    let running = state.keyed_tasks.start();
    // Its own task: a client hanging up cancels the wait below, never the write.
    let run = tokio::spawn(REQUEST_ID.scope(
        request_id,
        crate::rate_limit_edge::carried(KEYED.scope(RefCell::new(keyed), async move {
            let handler = AssertUnwindSafe(ep.call(req)).catch_unwind();
            let answer = tokio::select! {
                answer = handler => answer,
                never = keep_claim(&state) => match never {},
            };
            let answer = conclude(answer, &state).await;
            drop(running);
            answer
        })),
    ));
    match run.await {
        Ok((answer, decision)) => {
            crate::rate_limit_edge::record(decision);
            answer
        }
        Err(failed) => {
            tracing::error!(error = %failed, "a keyed request failed");
            Ok(internal_error().into_response())
        }
    }
}

/// Renews the request's claim while its handler runs, so no request outlives its claim
/// however long it takes (an import, a frozen backend); runs until the handler answers.
async fn keep_claim(state: &AppState) -> Infallible {
    let mut tick = tokio::time::interval(CLAIM_RENEW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let write = KEYED.with(|k| match &k.borrow().state {
            KeyState::Claimed(write) => Some(write.clone()),
            _ => None,
        });
        if let Some(write) = write
            && let Err(e) = state.service.renew_idempotency_key(&write).await
        {
            tracing::warn!(error = %e, "idempotency claim not renewed; trying again");
        }
    }
}

fn internal_error() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "Internal server error",
    )
}

/// Keeps or drops the claim after the handler answered (or panicked), or swaps in the stored
/// answer.
async fn conclude(
    answer: std::thread::Result<poem::Result<Response>>,
    state: &AppState,
) -> poem::Result<Response> {
    let outcome = KEYED.with(|k| std::mem::replace(&mut k.borrow_mut().state, KeyState::Unclaimed));
    let answer = match answer {
        Ok(answer) => answer,
        Err(_) => {
            // A panic: whatever it left half done, a retry is no worse than the expiry.
            tracing::error!("a keyed request panicked");
            if let KeyState::Claimed(write) = &outcome {
                release(state, write).await;
            }
            return Ok(internal_error().into_response());
        }
    };
    let write = match outcome {
        KeyState::Unclaimed => return answer,
        KeyState::Replay(stored) => {
            let pattern = pattern_of(&answer);
            return Ok(replay(stored, pattern));
        }
        KeyState::Claimed(write) => write,
    };
    let resp = match answer {
        Ok(resp) => resp,
        Err(err) => {
            let pattern = err.data::<PathPattern>().cloned();
            let mut resp = ApiError::from_poem(err).into_response();
            if let Some(p) = pattern {
                resp.set_data(p);
            }
            resp
        }
    };
    if resp.status() == StatusCode::SERVICE_UNAVAILABLE {
        release(state, &write).await;
        return Ok(resp);
    }
    let (parts, body) = resp.into_parts();
    let body = match body.into_vec().await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "answer of a keyed request unreadable; not kept");
            release(state, &write).await;
            return Err(e.into());
        }
    };
    if body.len() > MAX_STORED_BODY {
        tracing::warn!(
            bytes = body.len(),
            "answer of a keyed request too large to keep; its key is released"
        );
        release(state, &write).await;
        return Ok(Response::from_parts(parts, Body::from(body)));
    }
    let stored = StoredAnswer {
        status: parts.status.as_u16(),
        headers: kept_headers(&parts.headers),
        body: body.clone(),
    };
    finish(state, &write, &stored).await;
    Ok(Response::from_parts(parts, Body::from(body)))
}

/// Keeps `stored` for `write`'s repeats, trying again a few times over a short store outage.
async fn finish(state: &AppState, write: &KeyedWrite, stored: &StoredAnswer) {
    for attempt in 1..=FINISH_ATTEMPTS {
        match state.service.finish_idempotency_key(write, stored).await {
            Ok(()) => return,
            Err(e) if attempt == FINISH_ATTEMPTS => {
                // The write happened; its answer still goes out. A repeat gets 409 until the
                // claim, no longer renewed, expires (`CLAIM_TIMEOUT`), then runs again: the
                // store was unreachable for every attempt, the rarer risk.
                tracing::warn!(error = %e, "answer of a keyed request not kept");
            }
            Err(e) => {
                tracing::debug!(error = %e, attempt, "keeping a keyed answer failed; trying again");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
        }
    }
}

/// Gives the key back unanswered; on failure the claim expires on its own.
async fn release(state: &AppState, write: &KeyedWrite) {
    if let Err(e) = state.service.release_idempotency_key(write).await {
        tracing::warn!(error = %e, "idempotency claim not released; it expires on its own");
    }
}

/// Takes the request's key for `ctx`'s principal; called once authentication succeeded. Stops
/// the handler (with an error) when the key is busy, reused, or answered already.
pub async fn claim(state: &AppState, ctx: &OpContext) -> Result<(), ApiError> {
    let pending = KEYED.try_with(|k| {
        let mut k = k.borrow_mut();
        if matches!(k.state, KeyState::Unclaimed) {
            k.request.take()
        } else {
            None
        }
    });
    let Ok(Some(request)) = pending else {
        return Ok(());
    };
    let key = key_of(&request.headers)?;
    if request.refuses_keys {
        return Err(ApiError::located(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_unsupported",
            "header",
            Some("Idempotency-Key"),
            "this endpoint answers with a secret shown once; it takes no Idempotency-Key",
        ));
    }
    let request_hash = digest(&request);
    let Some((write, claim)) = state
        .service
        .claim_idempotency_key(ctx, &key, &request_hash)
        .await?
    else {
        return Ok(());
    };
    let next = match claim {
        IdempotencyClaim::Claimed => KeyState::Claimed(write),
        IdempotencyClaim::Answered(stored) => KeyState::Replay(stored),
        IdempotencyClaim::InProgress => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still running; retry once it answered",
            )
            .with_retry_after(1));
        }
        IdempotencyClaim::Reused => {
            return Err(ApiError::located(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "header",
                Some("Idempotency-Key"),
                "this Idempotency-Key was used for a different request; use a new key per change",
            ));
        }
    };
    let replay = matches!(next, KeyState::Replay(_));
    let _ = KEYED.try_with(|k| k.borrow_mut().state = next);
    if replay {
        // Stops the handler here; `conclude` sends the stored answer in place of this one.
        return Err(ApiError::new(
            StatusCode::OK,
            "idempotent_replay",
            "answered before",
        ));
    }
    Ok(())
}

/// The key, or why it is refused: one header, 1 to 255 visible ASCII characters.
fn key_of(headers: &HeaderMap) -> Result<String, ApiError> {
    let mut values = headers.get_all(HEADER).iter();
    let value = values.next().and_then(|v| v.to_str().ok());
    let refused = |msg: &str| {
        ApiError::located(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_idempotency_key",
            "header",
            Some("Idempotency-Key"),
            msg,
        )
    };
    match value {
        _ if values.next().is_some() => Err(refused("send one Idempotency-Key, not several")),
        Some(key) if is_valid_key(key) => Ok(key.to_owned()),
        _ => Err(refused(
            "an Idempotency-Key is 1 to 255 visible ASCII characters, e.g. a UUID",
        )),
    }
}

fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Routes whose answer carries a secret shown once (`api_keys.rs`, `auth.rs`, a webhook
/// subscription's signing secret in `webhook_subscriptions.rs`); they refuse
/// an `Idempotency-Key`. Takes a request path or a document path (`{key_id}`).
pub fn returns_secret(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    matches!(
        segments.as_slice(),
        ["api-keys"]
            | ["api-keys", _, "regenerate"]
            | ["auth", "token" | "refresh"]
            | ["webhook-subscriptions"]
    )
}

/// `POST`s that only read (search, preview, checks): they ignore an `Idempotency-Key`, and the
/// spec does not declare it on them. Takes a request path or a document path.
pub fn reads_only(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    matches!(
        segments.as_slice(),
        ["domains", _, "records", "search"]
            | ["domains", _, "import", "preview"]
            | ["domains", _, "validation", "check"]
            | ["me", "permissions", "check"]
            | ["plans"]
    )
}

/// What the request asks, as a hex SHA-256: method, path and query, the headers that change
/// its meaning, and the body.
fn digest(req: &PendingRequest) -> String {
    let mut hash = Sha256::new();
    hash.update(req.method.as_str());
    hash.update([0]);
    hash.update(&req.target);
    for name in MEANINGFUL_HEADERS {
        hash.update([0]);
        hash.update(req.headers.get(*name).map_or(&[][..], |v| v.as_bytes()));
    }
    hash.update([0]);
    hash.update(&req.body);
    hex::encode(hash.finalize())
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| !FRESH_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect()
}

fn pattern_of(answer: &poem::Result<Response>) -> Option<PathPattern> {
    match answer {
        Ok(resp) => resp.data::<PathPattern>().cloned(),
        Err(err) => err.data::<PathPattern>().cloned(),
    }
}

fn replay(stored: StoredAnswer, pattern: Option<PathPattern>) -> Response {
    let mut resp = Response::builder()
        .status(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK))
        .body(stored.body);
    let headers = resp.headers_mut();
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    if let Some(p) = pattern {
        resp.set_data(p);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(is_valid_key("3f2b8c1e-7d4a-4b5e-9c1d-2a3b4c5d6e7f"));
        assert!(is_valid_key(&"k".repeat(255)));
        assert!(!is_valid_key(""));
        assert!(!is_valid_key(&"k".repeat(256)));
        assert!(!is_valid_key("a b"));
        assert!(!is_valid_key("a\tb"));
        assert!(!is_valid_key("clé"));
    }

    #[test]
    fn secret_answers_are_recognised() {
        assert!(returns_secret("/api/v1/api-keys"));
        assert!(returns_secret("/api/v1/api-keys/abc/regenerate"));
        assert!(returns_secret("/api/v1/auth/token"));
        assert!(!returns_secret("/api/v1/api-keys/abc/revoke"));
        assert!(!returns_secret("/api/v1/domains"));
        assert!(!returns_secret("/api/v1/auth/logout"));
    }

    #[test]
    fn read_only_posts_are_recognised() {
        assert!(reads_only("/api/v1/domains/abc/records/search"));
        assert!(reads_only("/api/v1/domains/{domain_id}/import/preview"));
        assert!(reads_only("/api/v1/domains/abc/validation/check"));
        assert!(reads_only("/api/v1/me/permissions/check"));
        assert!(!reads_only("/api/v1/domains/abc/records"));
        assert!(!reads_only("/api/v1/domains/abc/validation"));
        assert!(!reads_only("/api/v1/domains/abc/import/text"));
    }
}
