//! Outbound webhook subscriptions (issue 14 item 5): CRUD under `webhooks:read` /
//! `webhooks:write` in the caller's tenant (another tenant's subscription is unknown, 404), a
//! `test` delivery, the delivery log, and redelivery.
//!
//! The secret is drawn here (at least [`SECRET_BYTES`] random bytes), handed back once by
//! [`ScaiDns::webhook_subscription_create`], and never shown again: no answer, audit entry or
//! log line carries it. A subscription remembers the user who made it: the worker sends it
//! only events that user may still read (`webhook_delivery`).

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{WebhookDeliveryId, WebhookEventId, WebhookSubscriptionId};
use crate::outbound_webhook::events::{EventActor, TEST_EVENT, parse_patterns};
use crate::outbound_webhook::target;
use crate::outbound_webhook::{
    Delivery, SECRET_BYTES, Subscription, SubscriptionStatus, WebhookEvent, secret_from,
};
use crate::paging::{Page, PageRequest};
use crate::rbac::{Permission, Target};
use crate::service::queries::PageQuery;
use crate::service::{OpContext, ScaiDns};

/// Longest description.
const MAX_DESCRIPTION: usize = 500;

pub use crate::outbound_webhook::MAX_SUBSCRIPTIONS_PER_TENANT;

/// Input of `webhook_subscription_create`.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionCreate {
    /// Where events go (`https`).
    pub url: String,
    /// What it wants: `zone.*`, `record.create`, `*`…
    pub events: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// On (default) or off.
    pub active: Option<bool>,
}

/// Input of `webhook_subscription_update`; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionUpdate {
    /// New URL.
    pub url: Option<String>,
    /// New events.
    pub events: Option<Vec<String>>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// On or off; an update that leaves it on also ends the `failing` state.
    pub active: Option<bool>,
}

fn subscription_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "webhook_subscription_not_found",
        "Webhook subscription not found",
    )
}

fn delivery_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "webhook_delivery_not_found",
        "Webhook delivery not found",
    )
}

/// What the audit log keeps of a subscription: everything but the secret.
fn audit_view(s: &Subscription) -> serde_json::Value {
    json!({
        "url": s.url,
        "events": s.events,
        "description": s.description,
        "active": s.active,
        "status": s.status.as_str(),
    })
}

fn description(text: Option<String>) -> Result<Option<String>> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_DESCRIPTION)
    {
        return Err(Error::invalid(
            "description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(text)
}

impl ScaiDns {
    async fn webhook_permission(&self, ctx: &OpContext, permission: Permission) -> Result<()> {
        ctx.require(permission)?;
        self.authorize(ctx, permission, Target::Tenant(ctx.tenant_id))
            .await
    }

    /// A subscription's events are filtered by the access of the USER it records, so an API
    /// key narrower than that user could read through one what it may not read itself. A key
    /// may therefore make or retarget a subscription only when its scopes allow every read an
    /// event carries, and a key acting for a group (whose subscription records the key's
    /// creator) only when it may read the whole tenant.
    async fn may_receive_every_event(&self, ctx: &OpContext) -> Result<()> {
        let crate::service::Actor::ApiKey { owner, .. } = &ctx.actor else {
            return Ok(());
        };
        for permission in [
            Permission::DOMAINS_READ,
            Permission::RECORDS_READ,
            Permission::DNSSEC_READ,
        ] {
            ctx.require(permission)?;
            if owner.is_none() {
                self.authorize(ctx, permission, Target::Tenant(ctx.tenant_id))
                    .await?;
            }
        }
        Ok(())
    }

    /// The caller's tenant's subscription `id`, or 404.
    async fn own_subscription(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
    ) -> Result<Subscription> {
        match self.store().get_webhook_subscription(id).await? {
            Some(s) if s.tenant_id == ctx.tenant_id => Ok(s),
            _ => Err(subscription_not_found()),
        }
    }

    /// Checks a URL as subscriptions take it: its form, and the addresses its host resolves to
    /// now when it resolves (every delivery checks them again).
    async fn checked_url(&self, raw: &str) -> Result<String> {
        let allow = self.config().webhook_allow_insecure_targets;
        let endpoint = target::endpoint(raw, allow)?;
        if let Some(sender) = &self.webhook_sender
            && let Ok(addresses) = sender.resolve(&endpoint.host, endpoint.port).await
        {
            for ip in addresses {
                target::check_address(ip, allow)?;
            }
        }
        Ok(endpoint.url)
    }

    /// Where deliveries are sent from, when this service sends them.
    pub(crate) fn webhook_sender(
        &self,
    ) -> Option<&std::sync::Arc<dyn crate::ports::webhook_sender::WebhookSender>> {
        self.webhook_sender.as_ref()
    }

    /// Sends outbound webhooks through `sender` (the worker's job `deliver_webhooks`).
    #[must_use]
    pub fn with_webhook_sender(
        mut self,
        sender: std::sync::Arc<dyn crate::ports::webhook_sender::WebhookSender>,
    ) -> Self {
        self.webhook_sender = Some(sender);
        self
    }

    /// The caller's tenant's subscriptions, oldest first.
    pub async fn webhook_subscription_list(
        &self,
        ctx: &OpContext,
        page: PageQuery,
    ) -> Result<Page<Subscription>> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_READ)
            .await?;
        self.store()
            .list_webhook_subscriptions(ctx.tenant_id, PageRequest::from(page))
            .await
    }

    /// One subscription of the caller's tenant.
    pub async fn webhook_subscription_get(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
    ) -> Result<Subscription> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_READ)
            .await?;
        self.own_subscription(ctx, id).await
    }

    /// Creates a subscription in the caller's tenant with a new secret, which the answer
    /// carries this once.
    pub async fn webhook_subscription_create(
        &self,
        ctx: &OpContext,
        input: SubscriptionCreate,
    ) -> Result<Subscription> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_WRITE)
            .await?;
        self.may_receive_every_event(ctx).await?;
        let events = parse_patterns(&input.events)?;
        let description = description(input.description)?;
        let url = self.checked_url(&input.url).await?;
        let mut bytes = [0_u8; SECRET_BYTES];
        self.random().fill_bytes(&mut bytes);
        let subscription = Subscription {
            id: WebhookSubscriptionId::new(),
            tenant_id: ctx.tenant_id,
            url,
            events,
            description,
            active: input.active.unwrap_or(true),
            status: SubscriptionStatus::Active,
            secret: secret_from(&bytes),
            created_by: ctx.actor_user().or_else(|| ctx.key_creator()),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        let audit = ctx.audit(
            ctx.tenant_id,
            "webhook_subscription.create",
            "webhook_subscription",
            subscription.id,
            Some(subscription.url.clone()),
            None,
            Some(audit_view(&subscription)),
        );
        // The store counts the tenant's subscriptions inside the insert's transaction, under
        // a per-tenant lock, so concurrent creates cannot pass the cap together.
        self.store()
            .insert_webhook_subscription(&subscription, &[audit])
            .await?;
        Ok(subscription)
    }

    /// Changes a subscription of the caller's tenant.
    pub async fn webhook_subscription_update(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
        input: SubscriptionUpdate,
    ) -> Result<Subscription> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_WRITE)
            .await?;
        let before = self.own_subscription(ctx, id).await?;
        if input.url.is_some() || input.events.is_some() || input.active == Some(true) {
            self.may_receive_every_event(ctx).await?;
        }
        let mut after = before.clone();
        if let Some(url) = input.url {
            after.url = self.checked_url(&url).await?;
        }
        if let Some(events) = input.events {
            after.events = parse_patterns(&events)?;
        }
        if let Some(text) = input.description {
            after.description = description(text)?;
        }
        if let Some(active) = input.active {
            after.active = active;
        }
        if after.active {
            after.status = SubscriptionStatus::Active;
        }
        after.updated_at = ctx.now;
        let audit = ctx.audit(
            ctx.tenant_id,
            "webhook_subscription.update",
            "webhook_subscription",
            id,
            Some(after.url.clone()),
            Some(audit_view(&before)),
            Some(audit_view(&after)),
        );
        self.store()
            .update_webhook_subscription(&after, &[audit])
            .await?;
        Ok(after)
    }

    /// Deletes a subscription of the caller's tenant and its delivery log.
    pub async fn webhook_subscription_delete(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
    ) -> Result<()> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_WRITE)
            .await?;
        let before = self.own_subscription(ctx, id).await?;
        let audit = ctx.audit(
            ctx.tenant_id,
            "webhook_subscription.delete",
            "webhook_subscription",
            id,
            Some(before.url.clone()),
            Some(audit_view(&before)),
            None,
        );
        self.store().delete_webhook_subscription(id, &[audit]).await
    }

    /// Queues a `test` event for one subscription (sent by the worker like any other, whatever
    /// the subscription's events).
    pub async fn webhook_subscription_test(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
    ) -> Result<Delivery> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_WRITE)
            .await?;
        let subscription = self.own_subscription(ctx, id).await?;
        let event = WebhookEvent {
            id: WebhookEventId::new(),
            event_type: TEST_EVENT.to_owned(),
            occurred_at: ctx.now,
            tenant_id: ctx.tenant_id,
            zone: None,
            actor: EventActor {
                actor_type: ctx.actor_type().as_str().to_owned(),
                id: ctx.actor_id(),
                email: ctx.actor_email(),
            },
            request_id: ctx.request_id.clone(),
            resource: json!({"type": "webhook_subscription", "id": id.to_string()}),
            before: None,
            after: None,
        };
        let audit = ctx.audit(
            ctx.tenant_id,
            "webhook_subscription.test",
            "webhook_subscription",
            id,
            Some(subscription.url.clone()),
            None,
            Some(json!({"event_id": event.id.to_string()})),
        );
        self.store()
            .queue_webhook_event(id, &event, ctx.now, &[audit])
            .await
    }

    /// A subscription's deliveries, newest first.
    pub async fn webhook_delivery_list(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
        page: PageQuery,
    ) -> Result<Page<Delivery>> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_READ)
            .await?;
        self.own_subscription(ctx, id).await?;
        self.store()
            .list_webhook_deliveries(id, PageRequest::from(page))
            .await
    }

    /// Queues a delivery of a subscription again, due now, with a fresh retry window.
    pub async fn webhook_delivery_redeliver(
        &self,
        ctx: &OpContext,
        id: WebhookSubscriptionId,
        delivery_id: WebhookDeliveryId,
    ) -> Result<Delivery> {
        self.webhook_permission(ctx, Permission::WEBHOOKS_WRITE)
            .await?;
        let subscription = self.own_subscription(ctx, id).await?;
        let delivery = match self.store().get_webhook_delivery(delivery_id).await? {
            Some(d) if d.subscription_id == subscription.id => d,
            _ => return Err(delivery_not_found()),
        };
        let audit = ctx.audit(
            ctx.tenant_id,
            "webhook_delivery.redeliver",
            "webhook_delivery",
            delivery_id,
            Some(delivery.event_type.clone()),
            Some(json!({"status": delivery.status.as_str(), "attempts": delivery.attempts})),
            Some(json!({"status": "pending"})),
        );
        self.store()
            .requeue_webhook_delivery(delivery_id, ctx.now, &[audit])
            .await?;
        self.store()
            .get_webhook_delivery(delivery_id)
            .await?
            .ok_or_else(delivery_not_found)
    }
}
