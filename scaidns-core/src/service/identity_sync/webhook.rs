//! `POST /api/v1/webhooks/scaikey` (spec api-identity §12, interface decision 20): verify the
//! signature over the raw body, then — and only then — read the envelope and apply the event
//! to the identity cache in one transaction together with its id and audit entries.
//!
//! Once the signature is valid the answer is always a success status, `success: false` when
//! the event could not be applied: the provider would otherwise retry an event that can never
//! succeed. A failed event's id is not recorded, so a fixed redelivery still applies.

use serde::Deserialize;
use serde_json::Value;

use crate::audit::ActorType;
use crate::error::{Error, ErrorKind, Result};
use crate::identity::upstream::{
    UpstreamGroup, UpstreamPartner, UpstreamTenant, UpstreamUser, is_active_status, membership_ids,
};
use crate::identity::webhook::{self, SignatureError};
use crate::ports::identity_store::{BatchOutcome, ProcessedEvent};
use crate::service::ScaiDns;
use crate::tenant::{PartnerStatus, UserStatus};

use super::mirror::{Mirror, MirrorActor};

/// One delivery as received.
#[derive(Debug, Clone, Copy)]
pub struct WebhookDelivery<'a> {
    /// `X-ScaiKey-Signature`.
    pub signature: Option<&'a str>,
    /// `X-ScaiKey-Event-Id`, used when the body has no `event_id`.
    pub event_id_header: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
    /// The request id, for the audit entries.
    pub request_id: Option<&'a str>,
}

/// What happened to a verified delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookStatus {
    /// Applied (possibly changing nothing, when the cache already agreed).
    Processed,
    /// The event id was seen before: nothing changed.
    Duplicate,
    /// An event type ScaiDNS does not act on.
    Ignored,
    /// The event could not be applied (logged).
    Failed,
}

impl WebhookStatus {
    /// Label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
            Self::Failed => "failed",
        }
    }
}

/// The answer to a verified delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookOutcome {
    /// What happened.
    pub status: WebhookStatus,
    /// Human message.
    pub message: String,
    /// The event id, when known.
    pub event_id: Option<String>,
    /// The event type (`unknown` when unreadable).
    pub event_type: String,
}

impl WebhookOutcome {
    /// Whether the provider should consider the delivery done.
    pub fn success(&self) -> bool {
        self.status != WebhookStatus::Failed
    }
}

/// The envelope (spec §12.4); ScaiKey's extra fields (`resource`, `actor`, …) are tolerated.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    event_id: Option<String>,
    event_type: String,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    resource: Option<Value>,
}

fn not_configured() -> Error {
    Error::new(
        ErrorKind::Unavailable,
        "webhook_not_configured",
        "Webhooks are not accepted: SCAIKEY_WEBHOOK_SECRET is not set",
    )
}

fn refused(why: SignatureError) -> Error {
    // Which check failed goes to the log only; the caller learns nothing about the secret.
    tracing::warn!(reason = %why, "webhook refused");
    Error::unauthenticated("invalid_webhook_signature", "Invalid webhook signature")
}

impl ScaiDns {
    /// Verifies and applies one ScaiKey webhook delivery.
    ///
    /// Errors: 503 `webhook_not_configured` without a secret; 401 `invalid_webhook_signature`
    /// for a missing, malformed, stale or wrong signature. Everything after verification is an
    /// `Ok` outcome.
    pub async fn webhook_scaikey(
        &self,
        secret: Option<&str>,
        delivery: WebhookDelivery<'_>,
    ) -> Result<WebhookOutcome> {
        let secret = secret
            .filter(|s| !s.is_empty())
            .ok_or_else(not_configured)?;
        let now = self.clock.now();
        webhook::verify(delivery.signature, delivery.body, secret.as_bytes(), now)
            .map_err(refused)?;
        let envelope: Envelope = match serde_json::from_slice(delivery.body) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "webhook body is not a ScaiKey event");
                return Ok(WebhookOutcome {
                    status: WebhookStatus::Failed,
                    message: "event body is not a ScaiKey event".to_owned(),
                    event_id: delivery.event_id_header.map(str::to_owned),
                    event_type: "unknown".to_owned(),
                });
            }
        };
        let event_id = envelope
            .event_id
            .clone()
            .or_else(|| delivery.event_id_header.map(str::to_owned))
            .map(|id| id.trim().to_owned())
            .filter(|id| !id.is_empty());
        let event_type = envelope.event_type.trim().to_owned();
        let outcome = |status, message: String| WebhookOutcome {
            status,
            message,
            event_id: event_id.clone(),
            event_type: event_type.clone(),
        };
        let Some(id) = event_id.clone() else {
            tracing::warn!(%event_type, "webhook event without an id");
            return Ok(outcome(
                WebhookStatus::Failed,
                "event has no event_id".to_owned(),
            ));
        };
        if !is_handled(&event_type) {
            return Ok(outcome(
                WebhookStatus::Ignored,
                format!("Event {event_type} ignored"),
            ));
        }
        if self.store.webhook_event_seen(&id).await? {
            return Ok(outcome(
                WebhookStatus::Duplicate,
                "duplicate event ignored".to_owned(),
            ));
        }
        let mut mirror = Mirror::new(
            self,
            MirrorActor {
                actor_type: ActorType::Webhook,
                actor_id: Some(id.clone()),
                request_id: delivery.request_id.map(str::to_owned),
                now,
            },
        );
        let applied = match apply(&mut mirror, &envelope).await {
            Ok(()) => {
                mirror
                    .flush(Some(ProcessedEvent {
                        event_id: id.clone(),
                        event_type: event_type.clone(),
                        received_at: now,
                    }))
                    .await
            }
            Err(e) => Err(e),
        };
        Ok(match applied {
            Ok(BatchOutcome::Applied) => outcome(
                WebhookStatus::Processed,
                format!("Event {event_type} processed successfully"),
            ),
            Ok(BatchOutcome::Duplicate) => outcome(
                WebhookStatus::Duplicate,
                "duplicate event ignored".to_owned(),
            ),
            Err(e) => {
                tracing::warn!(event_id = %id, %event_type, code = e.code(), error = %e.message(), "webhook event not applied");
                outcome(
                    WebhookStatus::Failed,
                    format!("Event {event_type} could not be processed: {}", e.message()),
                )
            }
        })
    }
}

const HANDLED: &[&str] = &[
    "partner.created",
    "partner.updated",
    "partner.deleted",
    "tenant.created",
    "tenant.updated",
    "tenant.deleted",
    "user.created",
    "user.updated",
    "user.deleted",
    "user.suspended",
    "user.activated",
    "group.created",
    "group.updated",
    "group.deleted",
    "group.member_added",
    "group.member_removed",
    "application.user_assigned",
    "application.user_unassigned",
];

fn is_handled(event_type: &str) -> bool {
    HANDLED.contains(&event_type)
}

fn missing(what: &str) -> Error {
    Error::invalid("data", format!("the event does not name the {what}"))
}

/// `data` with `id` filled from `resource.id` when the payload leaves it out.
fn data_of(envelope: &Envelope) -> Value {
    let mut data = envelope.data.clone();
    if !data.is_object() {
        data = Value::Object(serde_json::Map::new());
    }
    if data.get("id").is_none()
        && let Some(id) = envelope
            .resource
            .as_ref()
            .and_then(|r| r.get("id"))
            .cloned()
        && let Some(map) = data.as_object_mut()
    {
        map.insert("id".to_owned(), id);
    }
    data
}

async fn apply(m: &mut Mirror<'_>, envelope: &Envelope) -> Result<()> {
    let data = data_of(envelope);
    let tenant = envelope.tenant_id.as_deref();
    let user = || UpstreamUser::from_value(&data, tenant).ok_or_else(|| missing("user"));
    match envelope.event_type.as_str() {
        "partner.created" | "partner.updated" => {
            let p = UpstreamPartner::from_value(&data).ok_or_else(|| missing("partner"))?;
            m.partner(&p, None).await?;
        }
        "partner.deleted" => {
            let p = UpstreamPartner::from_value(&data).ok_or_else(|| missing("partner"))?;
            m.partner(&p, Some(PartnerStatus::Deleted)).await?;
        }
        "tenant.created" | "tenant.updated" => {
            let t = UpstreamTenant::from_value(&data).ok_or_else(|| missing("tenant"))?;
            m.tenant(&t, false).await?;
        }
        "tenant.deleted" => {
            let t = UpstreamTenant::from_value(&data).ok_or_else(|| missing("tenant"))?;
            m.tenant(&t, true).await?;
        }
        "user.created" | "user.updated" => {
            m.user(&user()?, None).await?;
        }
        "application.user_assigned" | "user.activated" => {
            let u = user()?;
            // A user event carrying an e-mail can create the row; a bare id only reactivates.
            if u.email.is_some() || m.stored_user(&u.id).await?.is_some() {
                let status = if is_active_status(u.status.as_deref()) {
                    UserStatus::Active
                } else {
                    UserStatus::Inactive
                };
                m.user(&u, Some(status)).await?;
            }
        }
        "user.deleted" | "user.suspended" | "application.user_unassigned" => {
            m.user_status(&user()?.id, UserStatus::Inactive).await?;
        }
        "group.created" | "group.updated" => {
            let g = UpstreamGroup::from_value(&data, tenant).ok_or_else(|| missing("group"))?;
            m.group(&g).await?;
        }
        "group.deleted" => {
            let g = UpstreamGroup::from_value(&data, tenant).ok_or_else(|| missing("group"))?;
            m.delete_group(&g.id).await?;
        }
        "group.member_added" | "group.member_removed" => {
            let add = envelope.event_type == "group.member_added";
            let (group_id, user_id) = membership_ids(&data).ok_or_else(|| missing("membership"))?;
            let group = match m.stored_group(&group_id).await? {
                Some(g) => Some(g),
                // The group's own event may not have arrived yet; its data may be nested here.
                None if add => match data.get("group").filter(|g| g.get("name").is_some()) {
                    Some(g) => match UpstreamGroup::from_value(g, tenant) {
                        Some(up) => Some(m.group(&up).await?),
                        None => None,
                    },
                    None => None,
                },
                None => None,
            };
            let member = m.stored_user(&user_id).await?;
            // Users not assigned to ScaiDNS are not cached: nothing to record for them.
            if let (Some(group), Some(member)) = (group, member) {
                m.membership(&group, member.id, add, None).await?;
            }
        }
        _ => {}
    }
    Ok(())
}
