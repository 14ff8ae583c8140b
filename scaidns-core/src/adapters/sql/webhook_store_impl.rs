//! [`crate::ports::webhook_store::WebhookStore`] for [`SqlStore`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{TenantId, WebhookDeliveryId, WebhookSubscriptionId};
use crate::outbound_webhook::{Delivery, Subscription, WebhookEvent};
use crate::paging::{Page, PageRequest};
use crate::ports::webhook_store::{DueDelivery, WebhookStore};

#[async_trait]
impl WebhookStore for SqlStore {
    async fn insert_webhook_subscription(
        &self,
        subscription: &Subscription,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, webhooks::insert_subscription(subscription, audit))
    }

    async fn update_webhook_subscription(
        &self,
        subscription: &Subscription,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, webhooks::update_subscription(subscription, audit))
    }

    async fn delete_webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, webhooks::delete_subscription(id, audit))
    }

    async fn get_webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
    ) -> Result<Option<Subscription>> {
        dispatch!(self, webhooks::get_subscription(id))
    }

    async fn list_webhook_subscriptions(
        &self,
        tenant_id: TenantId,
        page: PageRequest,
    ) -> Result<Page<Subscription>> {
        dispatch!(self, webhooks::list_subscriptions(tenant_id, page))
    }

    async fn queue_webhook_event(
        &self,
        subscription: WebhookSubscriptionId,
        event: &WebhookEvent,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<Delivery> {
        dispatch!(self, webhooks::queue_event(subscription, event, now, audit))
    }

    async fn list_webhook_deliveries(
        &self,
        subscription: WebhookSubscriptionId,
        page: PageRequest,
    ) -> Result<Page<Delivery>> {
        dispatch!(self, webhooks::list_deliveries(subscription, page))
    }

    async fn get_webhook_delivery(&self, id: WebhookDeliveryId) -> Result<Option<Delivery>> {
        dispatch!(self, webhooks::get_delivery(id))
    }

    async fn requeue_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        now: DateTime<Utc>,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, webhooks::requeue(id, now, audit))
    }

    async fn due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DueDelivery>> {
        dispatch!(self, webhooks::due(now, limit))
    }

    async fn claim_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        dispatch!(self, webhooks::claim(id, owner, now, until))
    }

    async fn finish_webhook_delivery(
        &self,
        delivery: &Delivery,
        owner: &str,
        fail_subscription: bool,
    ) -> Result<bool> {
        dispatch!(
            self,
            webhooks::finish_delivery(delivery, owner, fail_subscription)
        )
    }

    async fn prune_webhook_events(&self, before: DateTime<Utc>) -> Result<u64> {
        dispatch!(self, webhooks::prune(before))
    }
}
