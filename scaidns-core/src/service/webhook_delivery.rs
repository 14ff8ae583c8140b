//! The worker's job `deliver_webhooks`: sends the deliveries the outbox queued.
//!
//! At least once: a delivery is claimed (one conditional update, so two workers never send it
//! at the same time), sent, and only then recorded; a worker dying in between leaves the claim
//! to lapse and the delivery to be sent again. In per-zone order: the store hands out only the
//! first pending delivery of each zone for each subscription, so a failing one holds back the
//! later ones until it succeeds or is given up. Failed attempts are retried with exponential
//! backoff for 24 hours ([`crate::outbound_webhook::delivery`]); then the delivery is `failed`
//! and its subscription `failing`.
//!
//! Before sending, the event is checked against the current access of the subscription's
//! creator: a record-limited grantee's subscription carries only its records' events, and a
//! creator who lost access gets nothing more (the delivery is `skipped`).

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Duration;
use futures::StreamExt;

use crate::error::Result;
use crate::ids::ZoneId;
use crate::outbound_webhook::delivery::AttemptOutcome;
use crate::outbound_webhook::events::records_of;
use crate::outbound_webhook::{DeliveryStatus, SIGNATURE_HEADER, Subscription, WebhookEvent};
use crate::outbound_webhook::{signature, target};
use crate::ports::webhook_sender::{WebhookRequest, WebhookSender};
use crate::ports::webhook_store::DueDelivery;
use crate::rbac::{Permission, Target};
use crate::record::RecordType;
use crate::service::{Actor, OpContext, ScaiDns};

/// Deliveries fetched per round.
const PER_ROUND: usize = 64;
/// Rounds per run: each round after the first sends what the previous one unblocked (the next
/// event of a zone).
const ROUNDS: usize = 32;
/// Deliveries sent at once.
const CONCURRENCY: usize = 8;
/// How long a claim holds beyond the sender's own time-out.
const CLAIM: Duration = Duration::minutes(2);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Answered 2xx.
    pub delivered: u64,
    /// Failed this time (to be retried, or given up).
    pub failed: u64,
    /// Not sent: the creator may not see the event.
    pub skipped: u64,
}

impl ScaiDns {
    /// Sends every due delivery this worker can claim (see the module docs).
    pub async fn deliver_webhooks(&self, owner: &str) -> Result<DeliveryReport> {
        let Some(sender) = self.webhook_sender().cloned() else {
            return Ok(DeliveryReport::default());
        };
        let mut report = DeliveryReport::default();
        for _ in 0..ROUNDS {
            let now = self.clock().now();
            let due = self.store().due_webhook_deliveries(now, PER_ROUND).await?;
            if due.is_empty() {
                break;
            }
            let outcomes: Vec<Result<Option<DeliveryStatus>>> = futures::stream::iter(due)
                .map(|due| self.deliver_one(&sender, owner, due))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            let mut progressed = false;
            for outcome in outcomes {
                match outcome? {
                    Some(DeliveryStatus::Delivered) => report.delivered += 1,
                    Some(DeliveryStatus::Skipped) => report.skipped += 1,
                    Some(_) => {
                        report.failed += 1;
                        continue;
                    }
                    None => continue,
                }
                progressed = true;
            }
            if !progressed {
                break;
            }
        }
        Ok(report)
    }

    /// Claims, checks, sends and records one delivery; `None` when another worker claimed it.
    async fn deliver_one(
        &self,
        sender: &Arc<dyn WebhookSender>,
        owner: &str,
        due: DueDelivery,
    ) -> Result<Option<DeliveryStatus>> {
        let now = self.clock().now();
        let id = due.delivery.id;
        if !self
            .store()
            .claim_webhook_delivery(id, owner, now, now + CLAIM)
            .await?
        {
            return Ok(None);
        }
        let mut delivery = due.delivery;
        if !self.creator_may_see(&due.subscription, &due.event).await {
            delivery.status = DeliveryStatus::Skipped;
            delivery.last_error = Some("the subscription's creator may not see this event".into());
        } else {
            let outcome = self.attempt(sender, &due.subscription, &due.event).await;
            if let AttemptOutcome::Failed { error, .. } = &outcome {
                tracing::info!(delivery = %id, subscription = %due.subscription.id, error = %error,
                    "webhook delivery failed");
            }
            delivery = delivery.after_attempt(outcome, self.clock().now());
        }
        let status = delivery.status;
        let give_up = status == DeliveryStatus::Failed;
        if give_up {
            tracing::warn!(subscription = %due.subscription.id,
                "webhook delivery given up after the retry window: the subscription is failing");
        }
        if !self
            .store()
            .finish_webhook_delivery(&delivery, owner, give_up)
            .await?
        {
            tracing::warn!(delivery = %id, "a webhook delivery's claim lapsed before it was recorded");
        }
        Ok(Some(status))
    }

    /// Checks the endpoint's addresses now and POSTs the signed event to the one checked.
    async fn attempt(
        &self,
        sender: &Arc<dyn WebhookSender>,
        subscription: &Subscription,
        event: &WebhookEvent,
    ) -> AttemptOutcome {
        let refused = |error: String| AttemptOutcome::Failed { code: None, error };
        let allow = self.config().webhook_allow_insecure_targets;
        let endpoint = match target::endpoint(&subscription.url, allow) {
            Ok(endpoint) => endpoint,
            Err(e) => return refused(e.message().to_owned()),
        };
        let addresses = match sender.resolve(&endpoint.host, endpoint.port).await {
            Ok(addresses) => addresses,
            Err(e) => return refused(e),
        };
        let ip = match target::pick_address(&addresses, allow) {
            Ok(ip) => ip,
            Err(e) => return refused(e.message().to_owned()),
        };
        let body = match serde_json::to_vec(event) {
            Ok(body) => body,
            Err(e) => return refused(format!("cannot encode the event: {e}")),
        };
        let timestamp = self.clock().now().timestamp();
        let headers = vec![
            (
                SIGNATURE_HEADER.to_owned(),
                signature(&subscription.secret, timestamp, &body),
            ),
            ("X-ScaiDNS-Event".to_owned(), event.event_type.clone()),
            ("X-ScaiDNS-Event-Id".to_owned(), event.id.to_string()),
        ];
        sender
            .send(WebhookRequest {
                url: endpoint.url,
                address: SocketAddr::new(ip, endpoint.port),
                headers,
                body,
            })
            .await
    }

    /// Whether the subscription's creator may read what `event` tells, by the creator's
    /// access now. A subscription without a creator user (made by ScaiDNS itself) sees the
    /// tenant's events; any failure to decide is a no.
    async fn creator_may_see(&self, subscription: &Subscription, event: &WebhookEvent) -> bool {
        let Some(user) = subscription.created_by else {
            return true;
        };
        let Some(zone) = &event.zone else {
            // Test events tell nothing of a zone.
            return true;
        };
        let Ok(zone_id) = zone.id.parse::<ZoneId>() else {
            return false;
        };
        let ctx = OpContext {
            actor: Actor::User {
                id: user,
                email: String::new(),
                is_platform_admin: false,
            },
            tenant_id: subscription.tenant_id,
            request_id: None,
            ip: None,
            user_agent: None,
            now: self.clock().now(),
            authz: Default::default(),
            plan: None,
        };
        let tenant = event.tenant_id;
        if event.event_type.starts_with("record.") {
            // Every record the event shows (before and after) must be readable; a record event
            // whose record cannot be told is not sent.
            let records = records_of(event);
            if records.is_empty() {
                return false;
            }
            for (name, rtype) in &records {
                let Ok(rtype) = rtype.parse::<RecordType>() else {
                    return false;
                };
                let target = Target::Record {
                    zone: zone_id,
                    tenant,
                    name,
                    rtype,
                };
                if !matches!(
                    self.is_allowed(&ctx, Permission::RECORDS_READ, target)
                        .await,
                    Ok(true)
                ) {
                    return false;
                }
            }
            return true;
        }
        let permission = if event.event_type.starts_with("dnssec.") {
            Permission::DNSSEC_READ
        } else {
            Permission::DOMAINS_READ
        };
        let target = Target::Domain {
            zone: zone_id,
            tenant,
        };
        let allowed = self.is_allowed(&ctx, permission, target).await;
        allowed.unwrap_or(false)
    }
}
