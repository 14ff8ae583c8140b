//! `/api/v1/domains/{domain_id}/validation`: ownership challenges (spec §4).

use crate::api::precondition::{IfMatchHeader, if_match as precondition};
use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::ownership::{CHALLENGE_LABEL, Validation, ValidationStatus, ValidationType};
use scaidns_core::zone::Zone;

use crate::api::{ApiTags, NoContent};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// How ownership is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ValidationTypeDto {
    /// TXT record at `_scaidns-verify.<zone>`.
    TxtRecord,
    /// The parent zone delegates the zone to every platform nameserver.
    Nameservers,
}

/// Challenge status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ValidationStatusDto {
    /// Waiting for a check.
    Pending,
    /// A check is running.
    Verifying,
    /// The last check failed; re-check until expiry.
    Failed,
    /// Passed.
    Validated,
    /// Past `expires_at`.
    Expired,
    /// Cancelled or superseded.
    Cancelled,
}

/// The DNS record to publish.
#[derive(Debug, Clone, Object)]
pub struct ChallengeRecord {
    /// Owner name.
    pub name: String,
    /// Always `TXT`.
    #[oai(rename = "type")]
    pub rtype: String,
    /// Value.
    pub value: String,
    /// Recommended TTL.
    pub ttl: u32,
}

/// An ownership challenge.
#[derive(Debug, Clone, Object)]
pub struct ValidationResponse {
    /// Id.
    pub id: String,
    /// Method.
    pub validation_type: ValidationTypeDto,
    /// Status.
    pub status: ValidationStatusDto,
    /// The bare token.
    pub challenge_value: String,
    /// What to publish at the current DNS provider (`txt_record` challenges; a `nameservers`
    /// challenge is met by delegating the zone to the platform nameservers instead).
    pub dns_record: ChallengeRecord,
    /// For a `nameservers` challenge: the platform nameservers the parent zone must delegate
    /// the zone to, every one of them (empty for `txt_record`).
    pub delegate_to: Vec<String>,
    /// Message of the last check.
    pub last_message: Option<String>,
    /// When the last check ran.
    pub checked_at: Option<Timestamp>,
    /// How many checks ran (the owner's and the worker's); the audit log records a worker's
    /// failed check only when its outcome changed.
    pub check_count: u32,
    /// Expiry.
    pub expires_at: Timestamp,
    /// Creation time.
    pub created_at: Timestamp,
}

impl ValidationResponse {
    /// The API view of a challenge of `zone`; `ttl` is the recommended TTL of the TXT record
    /// (`VALIDATION_CHALLENGE_TTL`).
    pub fn new(zone: &Zone, v: &Validation, ttl: u32) -> Self {
        Self {
            id: v.id.to_string(),
            validation_type: match v.validation_type {
                ValidationType::TxtRecord => ValidationTypeDto::TxtRecord,
                ValidationType::Nameservers => ValidationTypeDto::Nameservers,
            },
            status: match v.status {
                ValidationStatus::Pending => ValidationStatusDto::Pending,
                ValidationStatus::Verifying => ValidationStatusDto::Verifying,
                ValidationStatus::Failed => ValidationStatusDto::Failed,
                ValidationStatus::Validated => ValidationStatusDto::Validated,
                ValidationStatus::Expired => ValidationStatusDto::Expired,
                ValidationStatus::Cancelled => ValidationStatusDto::Cancelled,
            },
            challenge_value: v.token.clone(),
            dns_record: ChallengeRecord {
                name: format!("{CHALLENGE_LABEL}.{}", zone.name.as_str()),
                rtype: "TXT".to_owned(),
                value: v.expected_value(),
                ttl,
            },
            delegate_to: Vec::new(),
            last_message: v.last_message.clone(),
            checked_at: v.checked_at.map(Into::into),
            check_count: v.check_count,
            expires_at: v.expires_at.into(),
            created_at: v.created_at.into(),
        }
    }
}

/// `response` with the delegation target filled in when it is a `nameservers` challenge.
async fn with_delegation_target(
    state: &AppState,
    mut response: ValidationResponse,
) -> ApiResult<ValidationResponse> {
    if response.validation_type == ValidationTypeDto::Nameservers {
        response.delegate_to = state.service.nameservers().await?;
    }
    Ok(response)
}

/// The TTL the instructions recommend for the challenge record.
pub fn challenge_ttl(state: &AppState) -> u32 {
    state.service.settings().validation.challenge_ttl
}

/// New challenge.
#[derive(Debug, Object)]
pub struct ValidationCreateRequest {
    /// Method (default `txt_record`).
    pub validation_type: Option<ValidationTypeDto>,
}

/// Outcome of a check.
#[derive(Debug, Object)]
pub struct ValidationCheckResponse {
    /// Whether ownership is proven (the zone is then active).
    pub is_valid: bool,
    /// What was found.
    pub message: String,
    /// The challenge checked.
    pub validation_id: String,
    /// The zone's status after the check.
    pub domain_status: String,
}

#[derive(ApiResponse)]
enum ValidationCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ValidationResponse>),
}

/// Validation endpoints.
pub struct ValidationApi;

#[OpenApi(tag = "ApiTags::Validation")]
impl ValidationApi {
    /// The zone's latest challenge, in any status; 404 `no_validation` when there never was one.
    #[oai(
        path = "/domains/:domain_id/validation",
        method = "get",
        operation_id = "validation_get"
    )]
    async fn validation_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
    ) -> ApiResult<Json<ValidationResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = domain_id.0.parse()?;
        let v = state.service.validation_get(&ctx, id).await?;
        let zone = state.service.zone_get(&ctx, id, false).await?;
        let response = ValidationResponse::new(&zone, &v, challenge_ttl(&state));
        Ok(Json(with_delegation_target(&state, response).await?))
    }

    /// Issue a new challenge (cancels the open one).
    #[oai(
        path = "/domains/:domain_id/validation",
        method = "post",
        operation_id = "validation_create"
    )]
    async fn validation_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<ValidationCreateRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<ValidationCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        let id = domain_id.0.parse()?;
        let vtype = body.0.validation_type.map(|t| match t {
            ValidationTypeDto::TxtRecord => ValidationType::TxtRecord,
            ValidationTypeDto::Nameservers => ValidationType::Nameservers,
        });
        let v = state
            .service
            .validation_create(&ctx, id, vtype, &precondition(&if_match))
            .await?;
        let zone = state.service.zone_get(&ctx, id, false).await?;
        let response = ValidationResponse::new(&zone, &v, challenge_ttl(&state));
        Ok(ValidationCreated::Created(Json(
            with_delegation_target(&state, response).await?,
        )))
    }

    /// Cancel the open challenge.
    #[oai(
        path = "/domains/:domain_id/validation",
        method = "delete",
        operation_id = "validation_cancel"
    )]
    async fn validation_cancel(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<NoContent> {
        let ctx = op_context(&state, &auth, req).await?;
        state
            .service
            .validation_cancel(&ctx, domain_id.0.parse()?, &precondition(&if_match))
            .await?;
        Ok(NoContent::NoContent)
    }

    /// Check the challenge against the zone's authoritative nameservers now. A failed check is
    /// a 200 with `is_valid: false` and the reason.
    #[oai(
        path = "/domains/:domain_id/validation/check",
        method = "post",
        operation_id = "validation_check"
    )]
    async fn validation_check(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
    ) -> ApiResult<Json<ValidationCheckResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let result = state
            .service
            .validation_check(&ctx, domain_id.0.parse()?)
            .await?;
        Ok(Json(ValidationCheckResponse {
            is_valid: result.is_valid,
            message: result.message,
            validation_id: result.validation.id.to_string(),
            domain_status: result.zone.status.as_str().to_owned(),
        }))
    }
}
