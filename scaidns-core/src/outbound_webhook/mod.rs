//! Outbound change webhooks (issue 14 item 5): a tenant's subscriptions to the events of its
//! zones, the events themselves (made from the audit entries a change writes, see [`events`]),
//! their deliveries and retry schedule ([`delivery`]), and which endpoints a delivery may reach
//! ([`target`]). Deliveries are signed as ScaiKey signs its webhooks to ScaiDNS
//! ([`crate::identity::webhook`]): one signer for both directions.

pub mod delivery;
pub mod events;
pub mod target;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::ids::{TenantId, UserId, WebhookSubscriptionId};
use crate::string_enum::string_enum;

pub use delivery::{Delivery, DeliveryStatus};
pub use events::{EventPattern, WebhookEvent};

/// Random bytes in a subscription's secret (the `whsec_` form carries them as hex).
pub const SECRET_BYTES: usize = 32;

/// Prefix of a subscription's secret, so a leaked one is recognisable in a scan.
pub const SECRET_PREFIX: &str = "whsec_";

/// Subscriptions per tenant: every change fans out to each of them, in the change's own
/// transaction, so their number bounds the cost of every write. The store enforces it when it
/// inserts one ([`subscription_limit_reached`]).
pub const MAX_SUBSCRIPTIONS_PER_TENANT: u64 = 25;

/// The refusal of a subscription past [`MAX_SUBSCRIPTIONS_PER_TENANT`] (409).
pub fn subscription_limit_reached() -> Error {
    Error::new(
        ErrorKind::Conflict,
        "webhook_subscription_limit",
        format!("a tenant has at most {MAX_SUBSCRIPTIONS_PER_TENANT} webhook subscriptions"),
    )
}

/// The header carrying the signature (`t=<unix seconds>,v1=<hex>`).
pub const SIGNATURE_HEADER: &str = "X-ScaiDNS-Signature";

string_enum!(
    /// Whether deliveries go out.
    SubscriptionStatus {
        /// Deliveries are sent.
        Active => "active",
        /// A delivery kept failing for the whole retry window: nothing is sent (nor fanned
        /// out) until an update turns the subscription on again.
        Failing => "failing",
    }
);

/// One tenant's subscription to events.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Id.
    pub id: WebhookSubscriptionId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Where events are POSTed.
    pub url: String,
    /// Which events (wildcards `zone.*` … or exact names).
    pub events: Vec<EventPattern>,
    /// Free text.
    pub description: Option<String>,
    /// Turned on by its owner.
    pub active: bool,
    /// Delivery health.
    pub status: SubscriptionStatus,
    /// The signing secret (`whsec_…`); shown once, at creation.
    pub secret: String,
    /// The user whose current access bounds the events it carries (`None`: made by ScaiDNS
    /// itself or a key without a user, which sees the tenant's events).
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

// The secret stays out of logs and panics.
impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("active", &self.active)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Whether the subscription wants events of `event_type` and may be sent them now.
    pub fn wants(&self, event_type: &str) -> bool {
        self.active
            && self.status == SubscriptionStatus::Active
            && self.events.iter().any(|p| p.matches(event_type))
    }
}

/// A new secret from `bytes` random bytes (at least [`SECRET_BYTES`]).
pub fn secret_from(bytes: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", hex::encode(bytes))
}

/// The signature header value for `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    crate::identity::webhook::header(secret.as_bytes(), timestamp, body)
}

/// A receiver's check of a delivery: `header` (the [`SIGNATURE_HEADER`] value) over the raw
/// `body` with the subscription's whole secret (`whsec_…` as given), at `now`. The comparison
/// is constant time, and a `t` more than [`crate::identity::webhook::TOLERANCE_SECONDS`] from
/// `now` is refused (a captured delivery cannot be replayed later). The inverse of
/// [`signature`].
pub fn verify_signature(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), crate::identity::webhook::SignatureError> {
    crate::identity::webhook::verify(header, body, secret.as_bytes(), now)
}
