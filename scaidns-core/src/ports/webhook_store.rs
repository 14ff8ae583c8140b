//! Storage of outbound webhook subscriptions and their deliveries. Events are not written
//! through this port: the store writes them (and one delivery per subscription that wants
//! them) wherever it writes audit entries, inside the change's own transaction, so a change
//! and its events commit or vanish together (the outbox).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{TenantId, WebhookDeliveryId, WebhookSubscriptionId};
use crate::outbound_webhook::{Delivery, Subscription, WebhookEvent};
use crate::paging::{Page, PageRequest};

/// A delivery ready to go, with what it needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: Delivery,
    /// Its event.
    pub event: WebhookEvent,
    /// Its subscription.
    pub subscription: Subscription,
}

/// Subscriptions and deliveries.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Inserts a subscription with its audit entries.
    async fn insert_webhook_subscription(
        &self,
        subscription: &Subscription,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// Replaces a subscription (404 when missing) with its audit entries.
    async fn update_webhook_subscription(
        &self,
        subscription: &Subscription,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// Deletes a subscription and its deliveries (404 when missing) with its audit entries.
    async fn delete_webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// One subscription.
    async fn get_webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
    ) -> Result<Option<Subscription>>;
    /// A tenant's subscriptions, oldest first.
    async fn list_webhook_subscriptions(
        &self,
        tenant_id: TenantId,
        page: PageRequest,
    ) -> Result<Page<Subscription>>;
    /// Queues `event` for `subscription` alone (a test delivery), with its audit entries.
    async fn queue_webhook_event(
        &self,
        subscription: WebhookSubscriptionId,
        event: &WebhookEvent,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<Delivery>;
    /// A subscription's deliveries, newest first.
    async fn list_webhook_deliveries(
        &self,
        subscription: WebhookSubscriptionId,
        page: PageRequest,
    ) -> Result<Page<Delivery>>;
    /// One delivery.
    async fn get_webhook_delivery(&self, id: WebhookDeliveryId) -> Result<Option<Delivery>>;
    /// Queues a delivery again (pending, due `now`, its retry window starting over), with its
    /// audit entries.
    async fn requeue_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<()>;
    /// Up to `limit` pending deliveries due at `now`, unclaimed (or with a lapsed claim), of
    /// active subscriptions, each the first pending one of its zone for its subscription, in
    /// event order.
    async fn due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DueDelivery>>;
    /// Claims a due delivery for `owner` until `until`; `false` when another worker holds it
    /// or it is no longer pending.
    async fn claim_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;
    /// Records an attempt of `owner`'s claimed delivery (status, attempts, next attempt, last
    /// answer) and releases the claim; with `fail_subscription`, marks the subscription
    /// `failing` in the same transaction. `false` when the claim was lost meanwhile.
    async fn finish_webhook_delivery(
        &self,
        delivery: &Delivery,
        owner: &str,
        fail_subscription: bool,
    ) -> Result<bool>;
    /// Removes the events that occurred before `before` whose deliveries are all settled
    /// (none pending) and were all queued before `before`, with those deliveries; how many
    /// events went. In bounded batches, each its own transaction, so a large backlog holds no
    /// long lock; a delivery queued again meanwhile keeps its event.
    async fn prune_webhook_events(&self, before: DateTime<Utc>) -> Result<u64>;
}
