//! A delivery of one event to one subscription, and when a failed one is tried again:
//! exponential backoff from [`FIRST_RETRY`] doubling up to [`MAX_RETRY`], for [`RETRY_WINDOW`]
//! after the event; a delivery still failing then is given up and its subscription marked
//! `failing`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{WebhookDeliveryId, WebhookEventId, WebhookSubscriptionId, ZoneId};
use crate::string_enum::string_enum;

/// The wait after the first failed attempt.
pub const FIRST_RETRY: Duration = Duration::seconds(30);
/// The longest wait between two attempts.
pub const MAX_RETRY: Duration = Duration::hours(1);
/// How long a delivery is retried before it is given up.
pub const RETRY_WINDOW: Duration = Duration::hours(24);
/// Bytes of a subscriber's answer read (the rest is ignored, and the connection closed).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Characters of an error kept in the delivery log.
pub const MAX_ERROR_CHARS: usize = 500;

string_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        /// Waiting for its (next) attempt.
        Pending => "pending",
        /// The subscriber answered 2xx.
        Delivered => "delivered",
        /// Given up after the retry window; redelivery may queue it again.
        Failed => "failed",
        /// Not sent: the subscription's creator may no longer see what the event tells.
        Skipped => "skipped",
    }
);

/// One delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Id.
    pub id: WebhookDeliveryId,
    /// The subscription.
    pub subscription_id: WebhookSubscriptionId,
    /// The event.
    pub event_id: WebhookEventId,
    /// The event's position among all events (orders a zone's deliveries).
    pub event_seq: i64,
    /// The event's type.
    pub event_type: String,
    /// The event's zone: a pending delivery holds back the later ones of its zone.
    pub zone_id: Option<ZoneId>,
    /// Status.
    pub status: DeliveryStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last answer.
    pub last_response_code: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the event was fanned out to this subscription.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What one attempt gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx.
    Delivered {
        /// The status.
        code: u16,
    },
    /// Anything else: a non-2xx answer (3xx included: redirects are not followed), a refused
    /// address, a connection or time-out error.
    Failed {
        /// The status, when there was an answer.
        code: Option<u16>,
        /// What went wrong.
        error: String,
    },
}

/// The wait after `attempts` failed attempts.
pub fn backoff(attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    let wait = FIRST_RETRY * (1_i32 << doublings);
    wait.min(MAX_RETRY)
}

impl Delivery {
    /// The delivery after an attempt at `now`: delivered, pending again with its next attempt,
    /// or failed once the retry window since the delivery was queued has passed (the caller
    /// then marks the subscription `failing`).
    pub fn after_attempt(mut self, outcome: AttemptOutcome, now: DateTime<Utc>) -> Self {
        self.attempts = self.attempts.saturating_add(1);
        match outcome {
            AttemptOutcome::Delivered { code } => {
                self.status = DeliveryStatus::Delivered;
                self.last_response_code = Some(code);
                self.last_error = None;
                self.delivered_at = Some(now);
            }
            AttemptOutcome::Failed { code, error } => {
                self.last_response_code = code;
                self.last_error = Some(error.chars().take(MAX_ERROR_CHARS).collect());
                let next = now + backoff(self.attempts);
                if next > self.created_at + RETRY_WINDOW {
                    self.status = DeliveryStatus::Failed;
                } else {
                    self.next_attempt_at = next;
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(20), Duration::hours(1));
        assert_eq!(backoff(u32::MAX), Duration::hours(1));
    }

    #[test]
    fn a_delivery_fails_for_good_after_the_window() {
        let t0 = chrono::DateTime::UNIX_EPOCH;
        let d = Delivery {
            id: WebhookDeliveryId::new(),
            subscription_id: WebhookSubscriptionId::new(),
            event_id: WebhookEventId::new(),
            event_seq: 1,
            event_type: "record.create".into(),
            zone_id: None,
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: t0,
            last_response_code: None,
            last_error: None,
            created_at: t0,
            delivered_at: None,
        };
        let failed = |code| AttemptOutcome::Failed {
            code: Some(code),
            error: "HTTP 500".into(),
        };
        let again = d.clone().after_attempt(failed(500), t0);
        assert_eq!(again.status, DeliveryStatus::Pending);
        assert_eq!(again.next_attempt_at, t0 + Duration::seconds(30));
        let late = d
            .clone()
            .after_attempt(failed(500), t0 + Duration::hours(24));
        assert_eq!(late.status, DeliveryStatus::Failed);
        let ok = d.after_attempt(AttemptOutcome::Delivered { code: 204 }, t0);
        assert_eq!((ok.status, ok.attempts), (DeliveryStatus::Delivered, 1));
    }
}
