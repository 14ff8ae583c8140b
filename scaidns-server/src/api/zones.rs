//! `/api/v1/domains`: zone lifecycle (spec §3).

use crate::timestamp::Timestamp;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{MaybeUndefined, ToJSON};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use scaidns_core::service::OpContext;
use scaidns_core::service::queries::ZoneQuery;
use scaidns_core::service::zones::{ZoneCreate, ZoneUpdate};
use scaidns_core::zone::precondition::{etag, representation_etag};
use scaidns_core::zone::secondary::{SecondaryInput, TransferState};
use scaidns_core::zone::{DomainType, SyncStatus, Zone, ZoneStatus};

use crate::api::page_envelope::page_envelope;
use crate::api::precondition::{IfMatchHeader, TaggedRead, TaggedWrite, if_match as precondition};
use crate::api::publication;
use crate::api::validation::{ValidationResponse, challenge_ttl};
use crate::api::{ApiTags, page_request};
use crate::auth::{ApiAuth, op_context};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use poem::http::StatusCode;

/// Zone type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DomainTypeDto {
    /// Forward zone edited through the API.
    Primary,
    /// Copy transferred from primaries elsewhere (PowerDNS backend only); records read-only.
    Secondary,
    /// `*.in-addr.arpa`.
    ReverseIpv4,
    /// `*.ip6.arpa`.
    ReverseIpv6,
}

/// Zone status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ZoneStatusDto {
    /// Waiting for ownership validation; not served.
    PendingValidation,
    /// Served.
    Active,
    /// Kept but not served.
    Inactive,
    /// Soft-deleted.
    Deleted,
}

/// Whether the DNS backend holds what ScaiDNS says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SyncStatusDto {
    /// The backend matches.
    InSync,
    /// A change waits to be published.
    Pending,
    /// Publishing failed; see `sync_error`.
    Error,
    /// Not meant to be in the backend (pending validation, inactive or deleted): nothing to
    /// publish, so neither in sync nor pending.
    Unpublished,
}

impl SyncStatusDto {
    /// The state a client sees: a zone that is not served is `unpublished` whatever the
    /// store's mark says (it starts `in_sync`, with nothing published).
    pub fn of(zone: &Zone) -> Self {
        if !zone.is_published() && zone.sync.status == SyncStatus::InSync {
            return Self::Unpublished;
        }
        match zone.sync.status {
            SyncStatus::InSync => Self::InSync,
            SyncStatus::Pending => Self::Pending,
            SyncStatus::Error => Self::Error,
        }
    }
}

macro_rules! mirror_enum {
    ($core:ty, $dto:ident { $($v:ident),* }) => {
        impl From<$core> for $dto {
            fn from(v: $core) -> Self {
                match v { $(<$core>::$v => $dto::$v,)* }
            }
        }
        impl From<$dto> for $core {
            fn from(v: $dto) -> Self {
                match v { $($dto::$v => <$core>::$v,)* }
            }
        }
    };
}
mirror_enum!(
    DomainType,
    DomainTypeDto {
        Primary,
        Secondary,
        ReverseIpv4,
        ReverseIpv6
    }
);
mirror_enum!(
    ZoneStatus,
    ZoneStatusDto {
        PendingValidation,
        Active,
        Inactive,
        Deleted
    }
);

/// A zone.
#[derive(Debug, Clone, Object)]
pub struct DomainResponse {
    /// Id.
    pub id: String,
    /// Apex name, without trailing dot.
    pub name: String,
    /// Type.
    pub domain_type: DomainTypeDto,
    /// Status.
    pub status: ZoneStatusDto,
    /// TTL for records created without one.
    pub default_ttl: u32,
    /// Free text.
    pub description: Option<String>,
    /// Whether DNSSEC signing is on.
    pub dnssec_enabled: bool,
    /// Owning tenant.
    pub tenant_id: String,
    /// Free-form settings.
    pub settings: serde_json::Value,
    /// Publication state.
    pub sync_status: SyncStatusDto,
    /// Why the zone is not published: `PowerDNS unreachable` or `PowerDNS refused: <reason>`.
    pub sync_error: Option<String>,
    /// When the retry loop next tries, while not published (only in answers to a write).
    pub next_retry_at: Option<Timestamp>,
    /// When the backend first matched the zone as it stands (re-publishing an unchanged zone
    /// leaves it); while a change is pending, when it matched before.
    pub last_synced_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// Soft-delete time.
    pub deleted_at: Option<Timestamp>,
    /// The ownership challenge to publish (present on creation of a zone that needs validation).
    pub validation: Option<ValidationResponse>,
    /// Secondary zones: the primaries transferred from (`ip` or `ip:port`). Absent for other
    /// zone types: a `null` array would not read as an empty list in typed clients.
    #[oai(skip_serializing_if_is_none)]
    pub primaries: Option<Vec<String>>,
    /// Secondary zones: the TSIG key signing transfers, as given (its secret is never shown).
    pub tsig_key_name: Option<String>,
    /// Secondary zones: the name the key signs with (`<tsig_key_name>._scaidns.<zone>`, no
    /// trailing dot): configure the primary's key under this name. PowerDNS's key names are
    /// global, so each zone's key gets a name of its own.
    pub tsig_key_wire_name: Option<String>,
    /// Secondary zones: the TSIG algorithm.
    pub tsig_algorithm: Option<String>,
    /// Secondary zones: the transfer state as the DNS backend reports it (single-zone answers
    /// only; absent from lists).
    pub transfer: Option<TransferResponse>,
}

/// A secondary zone's transfer state.
#[derive(Debug, Clone, Object)]
pub struct TransferResponse {
    /// SOA serial of the copy served (`null` before the first successful transfer).
    pub serial: Option<u32>,
    /// When the backend last checked the primary successfully.
    pub last_transfer_at: Option<Timestamp>,
    /// Why the copy is missing or stale, when known.
    pub last_error: Option<String>,
}

impl From<TransferState> for TransferResponse {
    fn from(t: TransferState) -> Self {
        Self {
            serial: t.serial,
            last_transfer_at: t.last_transfer_at.map(Into::into),
            last_error: t.last_error,
        }
    }
}

impl From<Zone> for DomainResponse {
    fn from(z: Zone) -> Self {
        let sync_status = SyncStatusDto::of(&z);
        let sync_error = publication::sync_error(&z);
        let tsig = z.secondary.as_ref().and_then(|s| s.tsig.as_ref());
        let tsig_key_name = tsig.map(|k| k.name.clone());
        let tsig_key_wire_name =
            tsig.map(|k| k.wire_name(&z.name).trim_end_matches('.').to_owned());
        let tsig_algorithm = tsig.map(|k| k.algorithm.clone());
        Self {
            primaries: z.secondary.as_ref().map(|s| s.primaries.clone()),
            tsig_key_name,
            tsig_key_wire_name,
            tsig_algorithm,
            transfer: None,
            id: z.id.to_string(),
            name: z.name.as_str().to_owned(),
            domain_type: z.domain_type.into(),
            status: z.status.into(),
            default_ttl: z.default_ttl.seconds(),
            description: z.description,
            dnssec_enabled: z.dnssec_enabled,
            tenant_id: z.tenant_id.to_string(),
            settings: z.settings,
            sync_status,
            sync_error,
            next_retry_at: None,
            last_synced_at: z.sync.last_synced_at.map(Into::into),
            created_at: z.created_at.into(),
            updated_at: z.updated_at.into(),
            deleted_at: z.deleted_at.map(Into::into),
            validation: None,
        }
    }
}

impl DomainResponse {
    /// The answer to a write that left `zone`: with when the retry loop next tries.
    pub(crate) async fn written(state: &AppState, zone: Zone) -> Self {
        let publication = publication::of(state, &zone).await;
        Self {
            next_retry_at: publication.next_retry_at,
            ..zone.into()
        }
    }

    /// A single-zone answer: with the transfer state of a secondary.
    async fn detailed(state: &AppState, zone: Zone) -> Self {
        let transfer = state.service.zone_transfer_state(&zone).await;
        Self {
            transfer: transfer.map(Into::into),
            ..zone.into()
        }
    }
}

page_envelope! {
    /// A page of zones.
    DomainList of DomainResponse,
    data: " Zones of this page.",
    total: " Zones across all pages.",
}

/// Zone creation. Not `Debug`-derived: it may carry a TSIG secret.
#[derive(Object)]
pub struct DomainCreateRequest {
    /// Apex name (Unicode accepted; stored as punycode).
    pub name: String,
    /// Type; inferred from the name when absent.
    pub domain_type: Option<DomainTypeDto>,
    /// TTL for records created without one (default 3600).
    pub default_ttl: Option<i64>,
    /// Free text.
    pub description: Option<String>,
    /// Free-form settings object.
    pub settings: Option<serde_json::Value>,
    /// Callers holding `validation_bypass` get an active zone unless this is `false`.
    pub skip_validation: Option<bool>,
    /// Refused (422 `use_reverse_zones`): create a zone from a CIDR block with
    /// `POST /api/v1/reverse-zones/`, which plans and checks the block.
    pub cidr: Option<String>,
    /// A template (system or the tenant's own) applied when the zone becomes active; checked
    /// now (404 unknown, 422 missing or bad variables or records).
    pub template_id: Option<String>,
    /// Values of the template's variables (name → value).
    pub template_variables: Option<std::collections::BTreeMap<String, String>>,
    /// Secondary zones (required): primaries to transfer from, `ip` or `ip:port`
    /// (`[v6]:port`), at most 8. Loopback and private addresses are refused unless the
    /// operator allows them (`SECONDARY_ALLOW_PRIVATE_PRIMARIES`).
    pub primaries: Option<Vec<String>>,
    /// Secondary zones: name of the TSIG key the primary expects.
    pub tsig_key_name: Option<String>,
    /// Secondary zones: TSIG algorithm (default `hmac-sha256`).
    pub tsig_algorithm: Option<String>,
    /// Secondary zones: TSIG secret, base64. Stored, never returned.
    pub tsig_secret: Option<String>,
}

impl std::fmt::Debug for DomainCreateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainCreateRequest")
            .field("name", &self.name)
            .field("domain_type", &self.domain_type)
            .field("primaries", &self.primaries)
            .field("tsig_key_name", &self.tsig_key_name)
            .field(
                "tsig_secret",
                &self.tsig_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// Zone update: only these fields are editable.
#[derive(Debug, Object)]
pub struct DomainUpdateRequest {
    /// Free text (`null` clears it).
    pub description: MaybeUndefined<String>,
    /// TTL for records created without one.
    pub default_ttl: Option<i64>,
    /// Free-form settings object.
    pub settings: Option<serde_json::Value>,
}

/// A supported record type.
#[derive(Debug, Object)]
pub struct RecordTypeInfo {
    /// Mnemonic.
    #[oai(rename = "type")]
    pub rtype: String,
    /// What it is for.
    pub description: String,
    /// Example content.
    pub example: String,
}

/// Supported record types.
#[derive(Debug, Object)]
pub struct RecordTypeList {
    /// Types.
    pub data: Vec<RecordTypeInfo>,
}

#[derive(ApiResponse)]
enum TransferRequested {
    /// The backend was asked for a transfer; the zone as it stands.
    #[oai(status = 202)]
    Accepted(Json<DomainResponse>),
}

#[derive(ApiResponse)]
pub(crate) enum DomainCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<DomainResponse>),
}

/// Zone endpoints.
pub struct ZonesApi;

#[OpenApi(tag = "ApiTags::Domains")]
impl ZonesApi {
    /// List zones of the caller's tenant (platform admins: all tenants).
    #[oai(path = "/domains", method = "get", operation_id = "zone_list")]
    async fn zone_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// 1-based page.
        page: Query<Option<u32>>,
        /// Items per page (1–100, default 50).
        page_size: Query<Option<u32>>,
        /// Only zones in this status.
        status: Query<Option<ZoneStatusDto>>,
        /// Only zones of this type.
        domain_type: Query<Option<DomainTypeDto>>,
        /// Only signed (or unsigned) zones.
        dnssec_enabled: Query<Option<bool>>,
        /// Substring of the name.
        search: Query<Option<String>>,
        /// Include soft-deleted zones.
        include_deleted: Query<Option<bool>>,
    ) -> ApiResult<Json<DomainList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let page = page_request(page.0, page_size.0)?;
        let query = ZoneQuery {
            status: status.0.map(Into::into),
            domain_type: domain_type.0.map(Into::into),
            dnssec_enabled: dnssec_enabled.0,
            search: search.0.filter(|s| !s.trim().is_empty()),
            include_deleted: include_deleted.0.unwrap_or(false),
            ..ZoneQuery::default()
        };
        let result = state.service.zone_list(&ctx, query, page).await?;
        Ok(Json(DomainList::new(result, page)))
    }

    /// Create a zone. It starts `pending_validation` with a TXT challenge, or `active` for
    /// callers holding `validation_bypass`.
    #[oai(path = "/domains", method = "post", operation_id = "zone_create")]
    async fn zone_create(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<DomainCreateRequest>,
    ) -> ApiResult<DomainCreated> {
        let ctx = op_context(&state, &auth, req).await?;
        zone_create(&state, &ctx, body).await
    }

    /// Supported record types, with a description and example content each.
    #[oai(
        path = "/domains/types",
        method = "get",
        operation_id = "record_type_list"
    )]
    async fn record_type_list(&self, state: Data<&AppState>) -> ApiResult<Json<RecordTypeList>> {
        Ok(Json(RecordTypeList {
            data: state
                .service
                .record_type_list()
                .iter()
                .map(|t| RecordTypeInfo {
                    rtype: t.as_str().to_owned(),
                    description: t.description().to_owned(),
                    example: t.example().to_owned(),
                })
                // Any number PowerDNS has no name for, written `TYPE65280` (RFC 3597).
                .chain(std::iter::once(RecordTypeInfo {
                    rtype: "TYPEnnn".to_owned(),
                    description: scaidns_core::record::RecordType::Generic(0)
                        .description()
                        .to_owned(),
                    example: scaidns_core::record::RecordType::Generic(0)
                        .example()
                        .to_owned(),
                }))
                .collect(),
        }))
    }

    /// One zone.
    ///
    /// The answer's `ETag` is `"<generation>.<digest of the answer>"`: `If-Match` on a write
    /// reads it as the generation, and a request whose `If-None-Match` names it again is
    /// answered 304 without a body while the zone (its sync state included) is unchanged.
    #[oai(
        path = "/domains/:domain_id",
        method = "get",
        operation_id = "zone_get"
    )]
    async fn zone_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// Also find a soft-deleted zone.
        include_deleted: Query<Option<bool>>,
    ) -> ApiResult<TaggedRead<Json<DomainResponse>>> {
        let ctx = op_context(&state, &auth, req).await?;
        let zone = state
            .service
            .zone_get(
                &ctx,
                domain_id.0.parse()?,
                include_deleted.0.unwrap_or(false),
            )
            .await?;
        let generation = zone.generation;
        let body = DomainResponse::detailed(&state, zone).await;
        // The answer holds the zone's sync state, which changes without a new generation: the
        // tag names the answer's bytes too, so a 304 never hides a publication finishing.
        let bytes = serde_json::to_vec(&body.to_json()).unwrap_or_default();
        let tag = representation_etag(generation, &bytes);
        Ok(TaggedRead::answer(req, tag, true, || Json(body)))
    }

    /// Ask the DNS backend to transfer a secondary zone from its primaries now. The transfer
    /// runs in the background: read the zone's `transfer` for its outcome. 409
    /// `zone_not_secondary` / `zone_not_active` otherwise.
    #[oai(
        path = "/domains/:domain_id/retrieve",
        method = "post",
        operation_id = "zone_retrieve"
    )]
    async fn zone_retrieve(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
    ) -> ApiResult<TransferRequested> {
        let ctx = op_context(&state, &auth, req).await?;
        let zone = state
            .service
            .zone_retrieve(&ctx, domain_id.0.parse()?)
            .await?;
        Ok(TransferRequested::Accepted(Json(
            DomainResponse::detailed(&state, zone).await,
        )))
    }

    /// Update a zone's description, default TTL or settings.
    #[oai(
        path = "/domains/:domain_id",
        method = "patch",
        operation_id = "zone_update"
    )]
    async fn zone_update(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        body: Json<DomainUpdateRequest>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<TaggedWrite<Json<DomainResponse>>> {
        let ctx = op_context(&state, &auth, req).await?;
        zone_update(&state, &ctx, domain_id, body, if_match).await
    }

    /// Delete a zone: soft by default (restorable; the zone stops being served), permanent
    /// with `hard=true`. A DNSSEC-signed zone needs `force=true`.
    #[oai(
        path = "/domains/:domain_id",
        method = "delete",
        operation_id = "zone_delete"
    )]
    async fn zone_delete(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// Remove the zone for good.
        hard: Query<Option<bool>>,
        /// Delete even a DNSSEC-signed zone.
        force: Query<Option<bool>>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<publication::Deleted> {
        let ctx = op_context(&state, &auth, req).await?;
        zone_delete(&state, &ctx, domain_id, hard, force, if_match).await
    }

    /// Undo a soft delete: the zone returns to its previous status.
    #[oai(
        path = "/domains/:domain_id/restore",
        method = "post",
        operation_id = "zone_restore"
    )]
    async fn zone_restore(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        #[oai(name = "If-Match")] if_match: IfMatchHeader,
    ) -> ApiResult<TaggedWrite<Json<DomainResponse>>> {
        let ctx = op_context(&state, &auth, req).await?;
        let zone = state
            .service
            .zone_restore(&ctx, domain_id.0.parse()?, &precondition(&if_match))
            .await?;
        let tag = etag(zone.generation);
        Ok(TaggedWrite::Ok(
            Json(DomainResponse::written(&state, zone).await),
            tag,
        ))
    }
}

/// `zone_create` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn zone_create(
    state: &AppState,
    ctx: &OpContext,
    body: Json<DomainCreateRequest>,
) -> ApiResult<DomainCreated> {
    let body = body.0;
    if body.cidr.is_some() {
        return Err(ApiError::located(
            StatusCode::UNPROCESSABLE_ENTITY,
            "use_reverse_zones",
            "body",
            Some("cidr"),
            "cidr is not taken here: create a reverse zone from a CIDR block with POST /api/v1/reverse-zones/",
        ));
    }
    let created = state
        .service
        .zone_create(
            ctx,
            ZoneCreate {
                name: body.name,
                domain_type: body.domain_type.map(Into::into),
                default_ttl: body.default_ttl,
                description: body.description,
                settings: body.settings,
                skip_validation: body.skip_validation,
                template_id: body.template_id,
                template_variables: body.template_variables,
                secondary: SecondaryInput {
                    primaries: body.primaries.unwrap_or_default(),
                    tsig_key_name: body.tsig_key_name,
                    tsig_algorithm: body.tsig_algorithm,
                    tsig_secret: body.tsig_secret,
                },
            },
        )
        .await?;
    let mut response = DomainResponse::written(state, created.zone.clone()).await;
    response.validation = created
        .validation
        .map(|v| ValidationResponse::new(&created.zone, &v, challenge_ttl(state)));
    Ok(DomainCreated::Created(Json(response)))
}

/// `zone_update` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn zone_update(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    body: Json<DomainUpdateRequest>,
    if_match: IfMatchHeader,
) -> ApiResult<TaggedWrite<Json<DomainResponse>>> {
    let body = body.0;
    let update = ZoneUpdate {
        description: match body.description {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(d) => Some(Some(d)),
        },
        default_ttl: body.default_ttl,
        settings: body.settings,
    };
    let zone = state
        .service
        .zone_update(ctx, domain_id.0.parse()?, update, &precondition(&if_match))
        .await?;
    let tag = etag(zone.generation);
    Ok(TaggedWrite::Ok(
        Json(DomainResponse::written(state, zone).await),
        tag,
    ))
}

/// `zone_delete` for a context: the handler's and a plan's (`api::plans`).
pub(crate) async fn zone_delete(
    state: &AppState,
    ctx: &OpContext,
    domain_id: Path<String>,
    hard: Query<Option<bool>>,
    force: Query<Option<bool>>,
    if_match: IfMatchHeader,
) -> ApiResult<publication::Deleted> {
    let id = domain_id.0.parse()?;
    if hard.0.unwrap_or(false) {
        state
            .service
            .zone_purge(ctx, id, &precondition(&if_match))
            .await?;
        return Ok(publication::Deleted::Deleted(None));
    }
    let zone = state
        .service
        .zone_delete(ctx, id, force.0.unwrap_or(false), &precondition(&if_match))
        .await?;
    Ok(publication::Deleted::leaving(&zone))
}
