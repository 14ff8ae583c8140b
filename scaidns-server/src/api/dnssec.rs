//! `/api/v1/domains/{domain_id}/dnssec`: signing status, enable and disable, key rotation and
//! the DS hand-off (spec §10, interface decision 23). Keys are shown by their public parts and
//! DS digests only; private key material never leaves PowerDNS.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use scaidns_core::dnssec::{DnssecKey, DnssecStatus, DsRecord};
use scaidns_core::service::OpContext;
use scaidns_core::service::dnssec::DnssecState;

use crate::api::ApiTags;
use crate::api::precondition::{IfMatchHeader, if_match as precondition};
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// DNSSEC status of a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DnssecStatusDto {
    /// Unsigned.
    Disabled,
    /// Signed; waiting for the DS at the parent (publish it, then confirm).
    PendingDs,
    /// Signed, DS at the parent.
    Active,
    /// A new KSK waits for its DS at the parent.
    RotatingKsk,
    /// A ZSK rollover is under way.
    RotatingZsk,
}

impl From<DnssecStatus> for DnssecStatusDto {
    fn from(s: DnssecStatus) -> Self {
        match s {
            DnssecStatus::Disabled => Self::Disabled,
            DnssecStatus::PendingDs => Self::PendingDs,
            DnssecStatus::Active => Self::Active,
            DnssecStatus::RotatingKsk => Self::RotatingKsk,
            DnssecStatus::RotatingZsk => Self::RotatingZsk,
        }
    }
}

/// A DNSSEC key (public parts only).
#[derive(Debug, Clone, Object)]
pub struct DnssecKeyResponse {
    /// Key tag (RFC 4034 Appendix B).
    pub key_tag: u16,
    /// Algorithm number.
    pub algorithm: u8,
    /// Public key (base64).
    pub public_key: String,
    /// The DNSKEY record data.
    pub dnskey: String,
    /// `KSK` or `ZSK`.
    pub key_type: String,
    /// Where the key is in its rollover: `ds_pending`, `published`, `active`, `retired`.
    pub state: String,
    /// Whether the key signs.
    pub active: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// End of the key's lifetime (its rollover starts then).
    pub expires_at: Option<Timestamp>,
    /// When a pre-published ZSK starts signing.
    pub activate_at: Option<Timestamp>,
    /// When a retired key is removed.
    pub retire_at: Option<Timestamp>,
    /// When the key's DS was seen at the parent (KSK).
    pub ds_confirmed_at: Option<Timestamp>,
}

impl From<&DnssecKey> for DnssecKeyResponse {
    fn from(k: &DnssecKey) -> Self {
        Self {
            key_tag: k.key_tag,
            algorithm: k.algorithm,
            public_key: k.dnskey.split_whitespace().skip(3).collect::<String>(),
            dnskey: k.dnskey.clone(),
            key_type: if k.is_ksk() { "KSK" } else { "ZSK" }.to_owned(),
            state: k.state.as_str().to_owned(),
            active: k.is_signing(),
            created_at: k.created_at.into(),
            expires_at: k.expires_at.map(Into::into),
            activate_at: k.activate_at.map(Into::into),
            retire_at: k.retire_at.map(Into::into),
            ds_confirmed_at: k.ds_confirmed_at.map(Into::into),
        }
    }
}

/// A DS record to publish at the parent (registrar).
#[derive(Debug, Clone, Object)]
pub struct DsRecordResponse {
    /// Key tag.
    pub key_tag: u16,
    /// Algorithm number.
    pub algorithm: u8,
    /// 2 (SHA-256) or 4 (SHA-384).
    pub digest_type: u8,
    /// Hex digest.
    pub digest: String,
    /// The whole DS record data, as registrars ask for it.
    pub record: String,
}

impl From<&DsRecord> for DsRecordResponse {
    fn from(d: &DsRecord) -> Self {
        Self {
            key_tag: d.key_tag,
            algorithm: d.algorithm,
            digest_type: d.digest_type,
            digest: d.digest.to_ascii_uppercase(),
            record: d.to_string(),
        }
    }
}

/// A zone's DNSSEC state; also the answer of every DNSSEC action.
#[derive(Debug, Clone, Object)]
pub struct DnssecResponse {
    /// The zone.
    pub domain_id: String,
    /// Whether the zone is signed.
    pub enabled: bool,
    /// Status.
    pub status: DnssecStatusDto,
    /// Algorithm of the signing keys.
    pub algorithm: Option<u8>,
    /// Key-signing keys.
    pub ksk: Vec<DnssecKeyResponse>,
    /// Zone-signing keys.
    pub zsk: Vec<DnssecKeyResponse>,
    /// The DS records the parent should hold now.
    pub ds_records: Vec<DsRecordResponse>,
    /// The action performed (`status` for a read).
    pub action: String,
    /// What happened, and what to do next.
    pub message: String,
}

impl DnssecResponse {
    fn new(state: &DnssecState, action: &str, message: &str) -> Self {
        Self {
            domain_id: state.zone.id.to_string(),
            enabled: state.enabled(),
            status: state.status.into(),
            algorithm: state.algorithm(),
            ksk: state.ksks().map(Into::into).collect(),
            zsk: state.zsks().map(Into::into).collect(),
            ds_records: state.ds_records().iter().map(Into::into).collect(),
            action: action.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// Enable DNSSEC.
#[derive(Debug, Object)]
pub struct DnssecEnableRequest {
    /// Algorithm: 8, 10, 13 (default), 14 or 15.
    pub algorithm: Option<i64>,
}

/// Confirm a DS at the parent.
#[derive(Debug, Object)]
pub struct DnssecConfirmRequest {
    /// Key tag of the KSK whose DS was published (default: the newest key waiting for one).
    pub key_tag: Option<i64>,
}

/// DNSSEC endpoints.
pub struct DnssecApi;

#[OpenApi(tag = "ApiTags::Dnssec")]
impl DnssecApi {
    /// The zone's DNSSEC status, keys and the DS records for the parent.
    #[oai(
        path = "/domains/:domain_id/dnssec",
        method = "get",
        operation_id = "dnssec_get"
    )]
    async fn dnssec_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let s = state.service.dnssec_get(&ctx, domain_id.0.parse()?).await?;
        Ok(Json(DnssecResponse::new(&s, "status", status_message(&s))))
    }

    /// Sign the zone with a new KSK and ZSK. Publish the returned DS records at the registrar,
    /// then call `confirm-ds-published`. Needs the PowerDNS backend.
    #[oai(
        path = "/domains/:domain_id/dnssec/enable",
        method = "post",
        operation_id = "dnssec_enable"
    )]
    async fn dnssec_enable(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<DnssecEnableRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        dnssec_enable(&state, &ctx, domain_id, body, if_match).await
    }

    /// Remove every key; the zone is served unsigned. Refused while the parent still
    /// publishes a DS (409 `ds_still_published`) unless `force=true`.
    #[oai(
        path = "/domains/:domain_id/dnssec/disable",
        method = "post",
        operation_id = "dnssec_disable"
    )]
    async fn dnssec_disable(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// Disable even though a DS may still be published at the parent.
        force: Query<Option<bool>>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        dnssec_disable(&state, &ctx, domain_id, force, if_match).await
    }

    /// Start a ZSK pre-publish rollover: the new ZSK is published now and signs after the
    /// DNSKEY TTL plus the overlap; no registrar action is needed.
    #[oai(
        path = "/domains/:domain_id/dnssec/rotate-zsk",
        method = "post",
        operation_id = "dnssec_rotate_zsk"
    )]
    async fn dnssec_rotate_zsk(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let s = state
            .service
            .dnssec_rotate_zsk(&ctx, domain_id.0.parse()?, &precondition(&if_match))
            .await?;
        Ok(Json(DnssecResponse::new(
            &s,
            "rotate_zsk",
            "ZSK rollover started; the new key signs after the DNSKEY TTL plus the overlap",
        )))
    }

    /// Start a KSK double-DS rollover: publish the new DS record (listed in `ds_records`) at
    /// the registrar beside the old one; the new key takes over once its DS is seen there.
    #[oai(
        path = "/domains/:domain_id/dnssec/rotate-ksk",
        method = "post",
        operation_id = "dnssec_rotate_ksk"
    )]
    async fn dnssec_rotate_ksk(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let s = state
            .service
            .dnssec_rotate_ksk(&ctx, domain_id.0.parse()?, &precondition(&if_match))
            .await?;
        Ok(Json(DnssecResponse::new(
            &s,
            "rotate_ksk",
            "KSK rollover started; add the new DS record at your registrar, keeping the old one",
        )))
    }

    /// Confirm that the parent publishes the DS of a KSK waiting for it. ScaiDNS looks the DS
    /// up through its resolvers and accepts only a match (409 `ds_not_found` otherwise).
    #[oai(
        path = "/domains/:domain_id/dnssec/confirm-ds-published",
        method = "post",
        operation_id = "dnssec_confirm_ds"
    )]
    async fn dnssec_confirm_ds(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<DnssecConfirmRequest>,
    ) -> ApiResult<Json<DnssecResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        let s = state
            .service
            .dnssec_confirm_ds(&ctx, domain_id.0.parse()?, body.0.key_tag)
            .await?;
        Ok(Json(DnssecResponse::new(
            &s,
            "confirm_ds",
            "DS record found at the parent",
        )))
    }
}

fn status_message(s: &DnssecState) -> &'static str {
    match s.status {
        DnssecStatus::Disabled => "DNSSEC is not enabled",
        DnssecStatus::PendingDs => "Signed; publish the DS records at your registrar, then confirm",
        DnssecStatus::Active => "Signed, and the DS is at the parent",
        DnssecStatus::RotatingKsk => {
            "KSK rollover: publish the new DS record at your registrar beside the old one"
        }
        DnssecStatus::RotatingZsk => "ZSK rollover in progress; nothing to do",
    }
}

/// `dnssec_enable` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn dnssec_enable(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    body: Json<DnssecEnableRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<Json<DnssecResponse>> {
    let s = state
        .service
        .dnssec_enable(
            ctx,
            domain_id.0.parse()?,
            body.0.algorithm,
            &precondition(&if_match),
        )
        .await?;
    Ok(Json(DnssecResponse::new(
        &s,
        "enable",
        "DNSSEC enabled; publish the DS records at your registrar, then confirm",
    )))
}

/// `dnssec_disable` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn dnssec_disable(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    force: Query<Option<bool>>,
    if_match: IfMatchHeader,
) -> ApiResult<Json<DnssecResponse>> {
    let s = state
        .service
        .dnssec_disable(
            ctx,
            domain_id.0.parse()?,
            force.0.unwrap_or(false),
            &precondition(&if_match),
        )
        .await?;
    Ok(Json(DnssecResponse::new(&s, "disable", "DNSSEC disabled")))
}
