//! `/api/v1/webhook-subscriptions` (issue 14 item 5): outbound change webhooks. A tenant
//! subscribes HTTPS endpoints to `zone.*`, `record.*`, `validation.*` and `dnssec.*` events;
//! the worker delivers them signed (`X-ScaiDNS-Signature: t=…,v1=…`, docs/webhooks.md). The
//! secret is in the creation answer only. Not to be confused with `api/webhooks.rs`, the
//! inbound ScaiKey webhook.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use scaidns_core::ids::{WebhookDeliveryId, WebhookSubscriptionId};
use scaidns_core::outbound_webhook::{Delivery, Subscription};
use scaidns_core::service::webhook_subscriptions::{SubscriptionCreate, SubscriptionUpdate};

use crate::api::page_envelope::page_envelope;
use crate::api::{ApiTags, NoContent, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// A webhook subscription (never with its secret).
#[derive(Debug, Clone, Object)]
pub struct WebhookSubscriptionResponse {
    /// Id (UUID).
    pub id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Where events are POSTed.
    pub url: String,
    /// The events it wants: `*`, `zone.*`, `record.*`, `validation.*`, `dnssec.*`, or exact
    /// types such as `record.create`.
    pub events: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// Whether its owner turned it on.
    pub active: bool,
    /// `active`, or `failing`: a delivery failed for 24 hours; nothing is sent until an
    /// update turns it on again.
    pub status: String,
    /// Who created it (user id); it carries only events that user may read.
    pub created_by: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<Subscription> for WebhookSubscriptionResponse {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id.to_string(),
            tenant_id: s.tenant_id.to_string(),
            url: s.url,
            events: s.events.iter().map(|e| e.as_str().to_owned()).collect(),
            description: s.description,
            active: s.active,
            status: s.status.as_str().to_owned(),
            created_by: s.created_by.map(|u| u.to_string()),
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
        }
    }
}

/// A new subscription, with its signing secret: shown this once.
#[derive(Clone, Object)]
pub struct WebhookSubscriptionCreatedResponse {
    /// The subscription.
    #[oai(flatten)]
    pub subscription: WebhookSubscriptionResponse,
    /// The signing secret (`whsec_…`): keep it, it is never shown again.
    pub secret: String,
}

// The secret stays out of logs and panics.
impl std::fmt::Debug for WebhookSubscriptionCreatedResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSubscriptionCreatedResponse")
            .field("subscription", &self.subscription)
            .field("secret", &"<redacted>")
            .finish()
    }
}

page_envelope! {
    /// A page of webhook subscriptions.
    WebhookSubscriptionList of WebhookSubscriptionResponse,
    data: " Subscriptions of this page, oldest first.",
    total: " Subscriptions across all pages.",
}

/// One delivery of an event to a subscription.
#[derive(Debug, Clone, Object)]
pub struct WebhookDeliveryResponse {
    /// Id (UUID).
    pub id: String,
    /// The subscription.
    pub subscription_id: String,
    /// The event (the same id in every redelivery).
    pub event_id: String,
    /// The event's type.
    pub event: String,
    /// The event's zone, if any.
    pub domain_id: Option<String>,
    /// `pending`, `delivered`, `failed` (given up after 24 hours) or `skipped` (the
    /// subscription's creator may not read the event).
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<Timestamp>,
    /// HTTP status of the last answer.
    pub response_code: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: Timestamp,
    /// When it was delivered.
    pub delivered_at: Option<Timestamp>,
}

impl From<Delivery> for WebhookDeliveryResponse {
    fn from(d: Delivery) -> Self {
        let pending = d.status == scaidns_core::outbound_webhook::DeliveryStatus::Pending;
        Self {
            id: d.id.to_string(),
            subscription_id: d.subscription_id.to_string(),
            event_id: d.event_id.to_string(),
            event: d.event_type,
            domain_id: d.zone_id.map(|z| z.to_string()),
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: pending.then(|| d.next_attempt_at.into()),
            response_code: d.last_response_code,
            last_error: d.last_error,
            created_at: d.created_at.into(),
            delivered_at: d.delivered_at.map(Into::into),
        }
    }
}

page_envelope! {
    /// A page of deliveries.
    WebhookDeliveryList of WebhookDeliveryResponse,
    data: " Deliveries of this page, newest event first.",
    total: " Deliveries across all pages.",
}

/// A new subscription.
#[derive(Debug, Clone, Object)]
pub struct WebhookSubscriptionCreateRequest {
    /// Where events are POSTed: an `https` URL whose host resolves to public addresses.
    pub url: String,
    /// The events it wants (1–32): `*`, `zone.*`, `record.*`, `validation.*`, `dnssec.*`,
    /// or exact types such as `record.create`.
    pub events: Vec<String>,
    /// Free text (up to 500 characters).
    pub description: Option<String>,
    /// On (default) or off.
    pub active: Option<bool>,
}

/// Changes to a subscription; absent fields stay.
#[derive(Debug, Clone, Object)]
pub struct WebhookSubscriptionUpdateRequest {
    /// New URL.
    pub url: Option<String>,
    /// New events (replace all).
    pub events: Option<Vec<String>>,
    /// New description (empty clears it).
    pub description: Option<String>,
    /// On or off; an update that leaves it on ends the `failing` state.
    pub active: Option<bool>,
}

/// Subscription created.
#[derive(ApiResponse)]
pub enum WebhookSubscriptionCreated {
    /// Created; the secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<WebhookSubscriptionCreatedResponse>),
}

/// Outbound webhook endpoints.
pub struct WebhookSubscriptionsApi;

#[OpenApi(tag = "ApiTags::WebhookSubscriptions")]
impl WebhookSubscriptionsApi {
    /// List the tenant's webhook subscriptions; needs `webhooks:read`.
    #[oai(
        path = "/webhook-subscriptions",
        method = "get",
        operation_id = "webhook_subscription_list"
    )]
    async fn webhook_subscription_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<Json<WebhookSubscriptionList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let result = state.service.webhook_subscription_list(&ctx, page).await?;
        Ok(Json(WebhookSubscriptionList::new(result, page)))
    }

    /// Subscribe an endpoint; needs `webhooks:write`. The answer carries the signing secret,
    /// shown this once.
    #[oai(
        path = "/webhook-subscriptions",
        method = "post",
        operation_id = "webhook_subscription_create"
    )]
    async fn webhook_subscription_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<WebhookSubscriptionCreateRequest>,
    ) -> ApiResult<WebhookSubscriptionCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let body = body.0;
        let mut subscription = state
            .service
            .webhook_subscription_create(
                &ctx,
                SubscriptionCreate {
                    url: body.url,
                    events: body.events,
                    description: body.description,
                    active: body.active,
                },
            )
            .await?;
        let secret = std::mem::take(&mut subscription.secret);
        Ok(WebhookSubscriptionCreated::Created(Json(
            WebhookSubscriptionCreatedResponse {
                subscription: subscription.into(),
                secret,
            },
        )))
    }

    /// One subscription of the tenant (without its secret); needs `webhooks:read`.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id",
        method = "get",
        operation_id = "webhook_subscription_get"
    )]
    async fn webhook_subscription_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
    ) -> ApiResult<Json<WebhookSubscriptionResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        let subscription = state.service.webhook_subscription_get(&ctx, id).await?;
        Ok(Json(subscription.into()))
    }

    /// Change a subscription; needs `webhooks:write`. Leaving it active re-enables a
    /// `failing` one.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id",
        method = "patch",
        operation_id = "webhook_subscription_update"
    )]
    async fn webhook_subscription_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
        body: Json<WebhookSubscriptionUpdateRequest>,
    ) -> ApiResult<Json<WebhookSubscriptionResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        let body = body.0;
        let subscription = state
            .service
            .webhook_subscription_update(
                &ctx,
                id,
                SubscriptionUpdate {
                    url: body.url,
                    events: body.events,
                    description: body
                        .description
                        .map(|d| Some(d).filter(|d| !d.trim().is_empty())),
                    active: body.active,
                },
            )
            .await?;
        Ok(Json(subscription.into()))
    }

    /// Delete a subscription and its delivery log; needs `webhooks:write`.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id",
        method = "delete",
        operation_id = "webhook_subscription_delete"
    )]
    async fn webhook_subscription_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        state.service.webhook_subscription_delete(&ctx, id).await?;
        Ok(NoContent::NoContent)
    }

    /// Queue a `test` event for the subscription (whatever its events); needs
    /// `webhooks:write`.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id/test",
        method = "post",
        operation_id = "webhook_subscription_test"
    )]
    async fn webhook_subscription_test(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
    ) -> ApiResult<Json<WebhookDeliveryResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        let delivery = state.service.webhook_subscription_test(&ctx, id).await?;
        Ok(Json(delivery.into()))
    }

    /// The subscription's deliveries, newest first; needs `webhooks:read`.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id/deliveries",
        method = "get",
        operation_id = "webhook_delivery_list"
    )]
    async fn webhook_delivery_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
    ) -> ApiResult<Json<WebhookDeliveryList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        let page = page_request(page.0, page_size.0)?;
        let result = state.service.webhook_delivery_list(&ctx, id, page).await?;
        Ok(Json(WebhookDeliveryList::new(result, page)))
    }

    /// Queue a delivery again, due now with a fresh 24-hour retry window; needs
    /// `webhooks:write`.
    #[oai(
        path = "/webhook-subscriptions/:subscription_id/deliveries/:delivery_id/redeliver",
        method = "post",
        operation_id = "webhook_delivery_redeliver"
    )]
    async fn webhook_delivery_redeliver(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// Subscription id.
        subscription_id: Path<String>,
        /// Delivery id.
        delivery_id: Path<String>,
    ) -> ApiResult<Json<WebhookDeliveryResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = subscription_id.0.parse::<WebhookSubscriptionId>()?;
        let delivery_id = delivery_id.0.parse::<WebhookDeliveryId>()?;
        let delivery = state
            .service
            .webhook_delivery_redeliver(&ctx, id, delivery_id)
            .await?;
        Ok(Json(delivery.into()))
    }
}
