//! A minimal receiver of ScaiDNS change webhooks (docs/webhooks.md). Every delivery is checked
//! before anything in it is believed: the `X-ScaiDNS-Signature` header (`t=…,v1=…`) must be
//! the HMAC of the raw body under the subscription's secret, made within the tolerance of
//! this receiver's clock, compared in constant time — all done by the core's own verifier
//! ([`scaidns_core::outbound_webhook::verify_signature`]). Delivery is at least once, so an
//! event already seen (by its `id`) is acknowledged again and not handled twice.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::middleware::SizeLimit;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, Request, Route, handler};
use scaidns_core::identity::webhook::SignatureError;
use scaidns_core::outbound_webhook::{SIGNATURE_HEADER, verify_signature};
use serde_json::Value;

/// The largest body read: ScaiDNS events are far smaller; anything bigger is not one.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The signature is missing, malformed, stale or does not match: not from ScaiDNS, or
    /// changed on the way, or replayed.
    Signature(SignatureError),
    /// Signed, yet not an event (cannot happen with ScaiDNS; refused rather than guessed at).
    NotAnEvent,
}

/// Checks one delivery at `now` and reads its event.
///
/// # Errors
/// [`Refusal`] when the signature does not hold or the body is not a JSON event with an `id`.
pub fn check(
    secret: &str,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Value, Refusal> {
    // Over the raw bytes as they arrived: re-serialised JSON would not match.
    verify_signature(secret, signature, body, now).map_err(Refusal::Signature)?;
    let event: Value = serde_json::from_slice(body).map_err(|_| Refusal::NotAnEvent)?;
    if event["id"].as_str().is_none() {
        return Err(Refusal::NotAnEvent);
    }
    Ok(event)
}

/// The events a receiver accepted, first delivery of each only, in arrival order.
#[derive(Clone, Default)]
pub struct Inbox {
    events: Arc<Mutex<Vec<Value>>>,
    seen: Arc<Mutex<HashSet<String>>>,
}

impl Inbox {
    /// The events accepted so far.
    pub fn events(&self) -> Vec<Value> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }

    /// Keeps `event` unless its id was seen; whether it was new.
    fn accept(&self, event: Value) -> bool {
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        let new = self.seen.lock().is_ok_and(|mut seen| seen.insert(id));
        if new && let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
        new
    }
}

struct Receiver {
    secret: String,
    inbox: Inbox,
}

#[handler]
async fn receive(req: &Request, body: poem::Body, receiver: Data<&Arc<Receiver>>) -> StatusCode {
    let Ok(body) = body.into_bytes().await else {
        return StatusCode::BAD_REQUEST;
    };
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    match check(&receiver.secret, signature, &body, Utc::now()) {
        Ok(event) => {
            if receiver.inbox.accept(event.clone()) {
                println!(
                    "{} {} {}",
                    event["type"].as_str().unwrap_or("?"),
                    event["zone"]["name"].as_str().unwrap_or("-"),
                    event["id"].as_str().unwrap_or("?"),
                );
            }
            // 2xx, also for a repeat: ScaiDNS stops retrying it.
            StatusCode::NO_CONTENT
        }
        // Not 2xx: a genuine delivery that failed the check (a skewed clock, say) is retried.
        Err(Refusal::Signature(_)) => StatusCode::UNAUTHORIZED,
        Err(Refusal::NotAnEvent) => StatusCode::BAD_REQUEST,
    }
}

/// The receiver's routes: `POST /hook` checks and keeps events in `inbox`.
pub fn receiver(secret: impl Into<String>, inbox: Inbox) -> impl Endpoint {
    let receiver = Arc::new(Receiver {
        secret: secret.into(),
        inbox,
    });
    Route::new()
        .at("/hook", poem::post(receive))
        .with(SizeLimit::new(MAX_BODY_BYTES))
        .data(receiver)
}
