//! `POST /api/v1/webhooks/scaikey` (spec api-identity §12): identity events from ScaiKey,
//! authenticated by their HMAC signature instead of a key or token. The body is taken as raw
//! bytes ([`RawJson`]) because the signature covers exactly the bytes sent; the core verifies
//! it before reading any JSON.

use poem::web::Data;
use poem::{Request, RequestBody};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{Object, OpenApi};
use scaidns_core::service::identity_sync::WebhookDelivery;

use crate::api::ApiTags;
use crate::error::{ApiResult, current_request_id};
use crate::state::AppState;

/// A ScaiKey event (spec api-identity §12.4). ScaiKey's further fields (`resource`, `actor`,
/// `tenant_id`, `partner_id`) are accepted.
#[derive(Debug, Clone, Object)]
pub struct WebhookEvent {
    /// Unique event id (`evt_…`), for idempotency.
    pub event_id: Option<String>,
    /// `user.created`, `group.member_added`, …
    pub event_type: String,
    /// When the event happened (ISO 8601).
    pub timestamp: Option<String>,
    /// Event-specific payload.
    pub data: Option<serde_json::Value>,
    /// ScaiKey tenant id of tenant-scoped events.
    pub tenant_id: Option<String>,
    /// ScaiKey partner id.
    pub partner_id: Option<String>,
}

/// The request body exactly as received, documented as a [`WebhookEvent`].
#[derive(Debug, Clone)]
pub struct RawJson(pub Vec<u8>);

impl Payload for RawJson {
    const CONTENT_TYPE: &'static str = "application/json";

    // Whatever the sender declares, the signature decides.
    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        <WebhookEvent as Type>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <WebhookEvent as Type>::register(registry);
    }
}

impl ParsePayload for RawJson {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(
            <Vec<u8> as poem::FromRequest>::from_request(request, body).await?,
        ))
    }
}

// The two-argument form: the one-argument form recurses without `$crate::` and only works
// inside poem-openapi.
poem_openapi::impl_apirequest_for_payload!(RawJson,);

/// The answer to a verified delivery (always 200, spec §12.5).
#[derive(Debug, Clone, Object)]
pub struct WebhookResponse {
    /// `false` when the event could not be applied (ScaiKey should not retry it; the reason
    /// is logged).
    pub success: bool,
    /// `Event <type> processed successfully`, `duplicate event ignored`, `Event <type>
    /// ignored`, or why it failed.
    pub message: String,
    /// The event id, when known.
    pub event_id: Option<String>,
}

/// Webhook endpoints.
pub struct WebhooksApi;

#[OpenApi(tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// Receive a ScaiKey identity event, signed with `X-ScaiKey-Signature: t=<unix>,v1=<hex
    /// HMAC-SHA256 of "t.body">`. 401 for a missing, wrong or stale (over 5 minutes)
    /// signature; 503 when `SCAIKEY_WEBHOOK_SECRET` is not set.
    #[oai(
        path = "/webhooks/scaikey",
        method = "post",
        operation_id = "webhook_scaikey"
    )]
    async fn webhook_scaikey(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: RawJson,
    ) -> ApiResult<Json<WebhookResponse>> {
        let request_id = current_request_id();
        let secret = state
            .config
            .identity
            .webhook_secret
            .as_ref()
            .map(|s| s.expose().to_owned());
        let result = state
            .service
            .webhook_scaikey(
                secret.as_deref(),
                WebhookDelivery {
                    signature: req.header("x-scaikey-signature"),
                    event_id_header: req.header("x-scaikey-event-id"),
                    body: &body.0,
                    request_id: Some(&request_id),
                },
            )
            .await;
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(e) => {
                state.metrics.observe_webhook("unknown", "rejected");
                return Err(e.into());
            }
        };
        state
            .metrics
            .observe_webhook(&outcome.event_type, outcome.status.as_str());
        Ok(Json(WebhookResponse {
            success: outcome.success(),
            message: outcome.message,
            event_id: outcome.event_id,
        }))
    }
}
