//! The PowerDNS-compatible API (issue 14, item 1): PowerDNS's own paths
//! (`/api/v1/servers/localhost/zones/…`), objects and error shape, so PowerDNS clients (octoDNS,
//! python-powerdns, …) manage ScaiDNS zones unchanged. Only the shapes are PowerDNS's: every
//! call authenticates a ScaiDNS API key (`X-API-Key`) and goes through the same core services
//! as the native API (authorisation, validation, audit, publication); RRset changes become one
//! bulk record change ([`scaidns_core::service::rrset_changes`]).
//!
//! A second OpenAPI service with its own document (`openapi/pdns-compat.json`), so the native
//! document, its generated client and its contract run do not change. What is supported and
//! how it differs from PowerDNS: `docs/pdns-compat.md`.

pub mod error;
pub mod objects;
pub mod zone_id;

use poem::Request;
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi, OpenApiService, Tags};
use scaidns_core::name::ZoneName;
use scaidns_core::record::RecordType;
use scaidns_core::service::OpContext;
use scaidns_core::service::queries::{PageQuery, ZoneQuery};
use scaidns_core::service::rrset_changes::{RrsetChange, RrsetScope};
use scaidns_core::service::zones::ZoneCreate;
use scaidns_core::zone::comments::RrsetComments;
use scaidns_core::zone::precondition::{IfMatch, etag};
use scaidns_core::zone::{Zone, ZoneStatus};
use scaidns_core::zone_file::render::ZoneFileFormat;

use crate::auth::{ApiAuth, ApiKeyAuth, op_context};
use crate::state::AppState;
use error::{PdnsError, PdnsResult};
use objects::{
    PdnsConfigSetting, PdnsMetadata, PdnsResultBody, PdnsRrsetChange, PdnsRrsetPatch, PdnsServer,
    PdnsZone, PdnsZoneCreate, PdnsZoneUpdate, config_settings, rrset_changes,
};

/// Where the compatible API lives (PowerDNS's own prefix).
pub const PREFIX: &str = "/api/v1/servers";

/// Zones read per page when listing or resolving names.
const ZONE_PAGE: u32 = 100;

/// The compatible API's one tag.
#[derive(Tags)]
enum PdnsTags {
    /// PowerDNS-compatible API.
    PowerDns,
}

/// The compatible API's operations.
pub struct PdnsApi;

#[derive(ApiResponse)]
enum ZoneCreated {
    /// Created (`pending` until its ownership is validated, unless the key may skip that).
    #[oai(status = 201)]
    Created(Json<PdnsZone>),
}

#[derive(ApiResponse)]
enum ZoneFound {
    /// The zone; `ETag` is its generation, for `If-Match` on a `PATCH` or `PUT`.
    #[oai(status = 200)]
    Ok(Json<PdnsZone>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Authenticates the key (rate limit and key use as on the native API).
async fn context(state: &AppState, key: ApiKeyAuth, req: &Request) -> PdnsResult<OpContext> {
    Ok(op_context(state, &ApiAuth::ApiKey(key), req).await?)
}

/// Only `localhost` exists, as in PowerDNS.
fn check_server(server_id: &str) -> PdnsResult<()> {
    if server_id == "localhost" {
        Ok(())
    } else {
        Err(PdnsError::new(StatusCode::NOT_FOUND, "Not Found"))
    }
}

/// The zones the caller sees, all pages (PowerDNS's list has none), without deleted ones.
async fn visible_zones(
    state: &AppState,
    ctx: &OpContext,
    search: Option<String>,
) -> PdnsResult<Vec<Zone>> {
    let mut zones = Vec::new();
    for page in 1.. {
        let query = ZoneQuery {
            search: search.clone(),
            ..ZoneQuery::default()
        };
        let got = state
            .service
            .zone_list(
                ctx,
                query,
                PageQuery {
                    page,
                    page_size: ZONE_PAGE,
                },
            )
            .await?;
        let done = got.items.len() < ZONE_PAGE as usize;
        zones.extend(got.items);
        if done || zones.len() as u64 >= got.total {
            break;
        }
    }
    Ok(zones)
}

/// The zone a PowerDNS zone id names, among those the caller sees: 404 as PowerDNS answers an
/// unknown zone otherwise (another tenant's zone included, so nothing leaks). A platform key
/// that sees the same name in several tenants gets its own tenant's zone, else the active
/// one; when neither decides, 409 (see `docs/decisions.md`).
async fn zone_named(state: &AppState, ctx: &OpContext, id: &str) -> PdnsResult<Zone> {
    let unknown = || PdnsError::unknown_zone(id);
    let name = zone_id::decode(id)
        .and_then(|n| ZoneName::parse(&n).ok())
        .ok_or_else(unknown)?;
    let mut found: Vec<Zone> = visible_zones(state, ctx, Some(name.as_str().to_owned()))
        .await?
        .into_iter()
        .filter(|z| z.name == name)
        .collect();
    let several = found.len() > 1;
    if several {
        let own: Vec<Zone> = found
            .iter()
            .filter(|z| z.tenant_id == ctx.tenant_id)
            .cloned()
            .collect();
        if own.len() == 1 {
            found = own;
        } else {
            found.retain(|z| z.status == ZoneStatus::Active);
        }
    }
    match found.len() {
        0 if !several => Err(unknown()),
        1 => Ok(found.remove(0)),
        // Several and none decides (none active, or several active): never a guess, and not
        // the 404 of a zone that does not exist either.
        _ => Err(PdnsError::new(
            StatusCode::CONFLICT,
            format!(
                "Domain '{}' exists in several tenants: address it by id through the native API (/api/v1/domains)",
                name.fqdn()
            ),
        )),
    }
}

/// 413 when a body carries more records than a native bulk request may (`BULK_MAX_ITEMS`):
/// an RRset change is one bulk change, under the same bound, its comments counted as records.
fn check_record_count(state: &AppState, rrsets: &[PdnsRrsetChange]) -> PdnsResult<()> {
    let max = state.config.bulk_max_items;
    let count = rrsets
        .iter()
        .map(|r| {
            // Each comment is a row written in the change's transaction, as a record is.
            let comments = r.comments.as_ref().map_or(0, Vec::len);
            r.records
                .as_ref()
                .map_or(1, |records| records.len().max(1))
                .saturating_add(comments)
        })
        .fold(0usize, usize::saturating_add);
    if count > max {
        return Err(PdnsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a request may carry at most {max} records, comments and RRset changes (BULK_MAX_ITEMS); this one has {count}"
            ),
        ));
    }
    Ok(())
}

/// The request's `If-Match`.
fn if_match(header: &Header<Option<String>>) -> IfMatch {
    header.0.as_deref().map(IfMatch::parse).unwrap_or_default()
}

/// Applies RRset changes; refusals of ScaiDNS's rules (grants included) are 422.
async fn apply(
    state: &AppState,
    ctx: &OpContext,
    zone: &Zone,
    changes: &[RrsetChange],
    scope: RrsetScope,
    if_match: &IfMatch,
) -> PdnsResult<Zone> {
    state
        .service
        .rrsets_apply(ctx, zone.id, changes, scope, if_match)
        .await
        .map_err(|e| PdnsError::from(e).on_write())
}

/// Leaves out the platform's RRsets (SOA, apex NS) of a whole zone's content: PowerDNS
/// requires the SOA in a `PUT`, ScaiDNS writes them itself.
fn without_platform_rrsets(zone: &ZoneName, rrsets: Vec<PdnsRrsetChange>) -> Vec<PdnsRrsetChange> {
    rrsets
        .into_iter()
        .filter(|r| {
            let rtype = r.rtype.to_ascii_uppercase();
            let apex = r
                .name
                .trim_end_matches('.')
                .eq_ignore_ascii_case(zone.as_str());
            !(rtype == RecordType::SOA.as_str() || (rtype == RecordType::NS.as_str() && apex))
        })
        .collect()
}

#[OpenApi(tag = "PdnsTags::PowerDns")]
impl PdnsApi {
    /// The servers: only `localhost`.
    #[oai(
        path = "/api/v1/servers",
        method = "get",
        operation_id = "pdns_server_list"
    )]
    async fn server_list(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
    ) -> PdnsResult<Json<Vec<PdnsServer>>> {
        context(&state, key, req).await?;
        Ok(Json(vec![PdnsServer::localhost()]))
    }

    /// The server `localhost` (clients read `version`).
    #[oai(
        path = "/api/v1/servers/:server_id",
        method = "get",
        operation_id = "pdns_server_get"
    )]
    async fn server_get(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
    ) -> PdnsResult<Json<PdnsServer>> {
        context(&state, key, req).await?;
        check_server(&server_id)?;
        Ok(Json(PdnsServer::localhost()))
    }

    /// A few settings clients probe (octoDNS: `enable-lua-records`, `launch`).
    #[oai(
        path = "/api/v1/servers/:server_id/config",
        method = "get",
        operation_id = "pdns_config_list"
    )]
    async fn config_list(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
    ) -> PdnsResult<Json<Vec<PdnsConfigSetting>>> {
        context(&state, key, req).await?;
        check_server(&server_id)?;
        Ok(Json(config_settings()))
    }

    /// The zones the key sees (not deleted ones), without RRsets.
    #[oai(
        path = "/api/v1/servers/:server_id/zones",
        method = "get",
        operation_id = "pdns_zone_list"
    )]
    async fn zone_list(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        /// Only the zone of this exact name (an empty list when there is none).
        zone: Query<Option<String>>,
        /// Accepted and ignored.
        dnssec: Query<Option<bool>>,
    ) -> PdnsResult<Json<Vec<PdnsZone>>> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let _ = dnssec;
        let wanted = match zone.0 {
            Some(raw) => match ZoneName::parse(&raw) {
                Ok(name) => Some(name),
                Err(_) => return Ok(Json(Vec::new())),
            },
            None => None,
        };
        let search = wanted.as_ref().map(|n| n.as_str().to_owned());
        let zones = visible_zones(&state, &ctx, search).await?;
        Ok(Json(
            zones
                .iter()
                .filter(|z| wanted.as_ref().is_none_or(|w| z.name == *w))
                .map(|z| PdnsZone::new(z, None, &[]))
                .collect(),
        ))
    }

    /// Creates a zone, with its first RRsets. The zone is `pending` until its ownership is
    /// validated (native API) unless the key may skip validation; SOA and apex NS are the
    /// platform's. If its RRsets are refused the zone is removed again and nothing stays.
    #[oai(
        path = "/api/v1/servers/:server_id/zones",
        method = "post",
        operation_id = "pdns_zone_create"
    )]
    async fn zone_create(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        /// `false`: answer without RRsets.
        rrsets: Query<Option<bool>>,
        body: Json<PdnsZoneCreate>,
    ) -> PdnsResult<ZoneCreated> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let b = body.0;
        let invalid = |m: &str| PdnsError::new(StatusCode::UNPROCESSABLE_ENTITY, m);
        let kind = b.kind.as_deref().unwrap_or("Native").to_ascii_lowercase();
        if !matches!(kind.as_str(), "native" | "master" | "primary") {
            return Err(invalid(
                "Only Native and Master zones are created here: secondaries through the native API",
            ));
        }
        if b.masters.as_ref().is_some_and(|m| !m.is_empty()) {
            return Err(invalid("masters are only for secondaries"));
        }
        if b.zone.is_some() {
            return Err(invalid(
                "the zone field (BIND text) is not supported: send rrsets, or use the native import",
            ));
        }
        if b.dnssec == Some(true) {
            return Err(invalid(
                "DNSSEC is enabled through the native API (/api/v1/domains/{id}/dnssec/enable)",
            ));
        }
        let name = ZoneName::parse(&b.name).map_err(|e| invalid(e.message()))?;
        check_record_count(&state, b.rrsets.as_deref().unwrap_or_default())?;
        let changes = rrset_changes(
            without_platform_rrsets(&name, b.rrsets.unwrap_or_default()),
            Some("REPLACE"),
        )?;
        let created = state
            .service
            .zone_create(
                &ctx,
                ZoneCreate {
                    name: b.name,
                    ..ZoneCreate::default()
                },
            )
            .await
            .map_err(|e| {
                let e = PdnsError::from(e);
                // PowerDNS's "Conflict" for a name it already holds.
                if e.status() == StatusCode::CONFLICT {
                    PdnsError::new(StatusCode::CONFLICT, format!("Conflict: {}", e.message()))
                } else {
                    e
                }
            })?;
        let mut zone = created.zone;
        if !changes.is_empty() {
            match apply(
                &state,
                &ctx,
                &zone,
                &changes,
                RrsetScope::Named,
                &IfMatch::Any,
            )
            .await
            {
                Ok(after) => zone = after,
                Err(e) => {
                    // One request, one outcome: the zone goes with its refused RRsets (only
                    // while nobody has written to it since, and without needing
                    // `domains:delete`).
                    if let Err(undo) = state.service.zone_create_undo(&ctx, &zone).await {
                        tracing::warn!(zone = %zone.name, error = %undo, "could not remove a zone whose RRsets were refused");
                        return Err(PdnsError::new(
                            e.status(),
                            format!(
                                "{} (the zone was created but could not be removed again: {})",
                                e.message(),
                                PdnsError::from(undo).message()
                            ),
                        ));
                    }
                    return Err(e);
                }
            }
        }
        let (records, comments) = if rrsets.0 == Some(false) {
            (None, Vec::new())
        } else {
            let (records, comments) = zone_records(&state, &ctx, &zone).await?;
            (Some(records), comments)
        };
        Ok(ZoneCreated::Created(Json(PdnsZone::new(
            &zone,
            records.as_deref(),
            &comments,
        ))))
    }

    /// One zone with the RRsets the key may read (SOA and apex NS included).
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id",
        method = "get",
        operation_id = "pdns_zone_get"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn zone_get(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
        /// `false`: leave the RRsets out.
        rrsets: Query<Option<bool>>,
        /// Only the RRsets of this name.
        rrset_name: Query<Option<String>>,
        /// With `rrset_name`: only this type.
        rrset_type: Query<Option<String>>,
    ) -> PdnsResult<ZoneFound> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        // An RRset's comments go with its records: the filters below leave out both.
        let (records, comments) = if rrsets.0 == Some(false) {
            (None, Vec::new())
        } else {
            let (mut records, comments) = zone_records(&state, &ctx, &zone).await?;
            if let Some(name) = rrset_name.0 {
                let name = name.to_ascii_lowercase();
                records.retain(|r| r.name.fqdn() == name.as_str());
                if let Some(rtype) = rrset_type.0 {
                    records.retain(|r| r.rtype().as_str().eq_ignore_ascii_case(&rtype));
                }
            }
            (Some(records), comments)
        };
        Ok(ZoneFound::Ok(
            Json(PdnsZone::new(&zone, records.as_deref(), &comments)),
            etag(zone.generation),
        ))
    }

    /// Changes RRsets (`changetype` `REPLACE` or `DELETE`), all or none, as one change of the
    /// zone (one generation step). `If-Match` with the zone's `ETag` refuses it (412) when the
    /// zone changed since.
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id",
        method = "patch",
        operation_id = "pdns_zone_patch"
    )]
    async fn zone_patch(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
        body: Json<PdnsRrsetPatch>,
        /// Apply only if the zone's `ETag` is one of these.
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
    ) -> PdnsResult<Done> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        check_record_count(&state, &body.0.rrsets)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        let changes = rrset_changes(body.0.rrsets, None)?;
        apply(
            &state,
            &ctx,
            &zone,
            &changes,
            RrsetScope::Named,
            &if_match(&if_match_header),
        )
        .await?;
        Ok(Done::NoContent)
    }

    /// With `rrsets`, replaces the zone's whole content (PowerDNS 4.9+): every RRset the body
    /// leaves out goes, SOA and apex NS stay the platform's. Zone settings are accepted and
    /// ignored, except a change of DNSSEC state (422).
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id",
        method = "put",
        operation_id = "pdns_zone_put"
    )]
    async fn zone_put(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
        body: Json<PdnsZoneUpdate>,
        /// Apply only if the zone's `ETag` is one of these.
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
    ) -> PdnsResult<Done> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        let b = body.0;
        if b.dnssec.is_some_and(|d| d != zone.dnssec_enabled) {
            return Err(PdnsError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "DNSSEC is enabled and disabled through the native API",
            ));
        }
        let Some(rrsets) = b.rrsets else {
            let precondition = if_match(&if_match_header);
            precondition.check(zone.generation)?;
            return Ok(Done::NoContent);
        };
        check_record_count(&state, &rrsets)?;
        let changes = rrset_changes(without_platform_rrsets(&zone.name, rrsets), Some("REPLACE"))?;
        apply(
            &state,
            &ctx,
            &zone,
            &changes,
            RrsetScope::WholeZone,
            &if_match(&if_match_header),
        )
        .await?;
        Ok(Done::NoContent)
    }

    /// Deletes the zone (ScaiDNS's soft delete: it stops being served; restore and purge are
    /// in the native API). A DNSSEC-signed zone is refused (409), as in the native API.
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id",
        method = "delete",
        operation_id = "pdns_zone_delete"
    )]
    async fn zone_delete(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
        /// Apply only if the zone's `ETag` is one of these.
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
    ) -> PdnsResult<Done> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        state
            .service
            .zone_delete(&ctx, zone.id, false, &if_match(&if_match_header))
            .await?;
        Ok(Done::NoContent)
    }

    /// Sends NOTIFY for an active zone now.
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id/notify",
        method = "put",
        operation_id = "pdns_zone_notify"
    )]
    async fn zone_notify(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
    ) -> PdnsResult<Json<PdnsResultBody>> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        state
            .service
            .zone_notify(&ctx, zone.id)
            .await
            .map_err(|e| PdnsError::from(e).on_write())?;
        Ok(Json(PdnsResultBody {
            result: "Notification queued".to_owned(),
        }))
    }

    /// The zone as master-file text (the records the key may read, SOA and apex NS included).
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id/export",
        method = "get",
        operation_id = "pdns_zone_export"
    )]
    async fn zone_export(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
    ) -> PdnsResult<PlainText<String>> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        let zone = zone_named(&state, &ctx, &zone_id).await?;
        let export = state
            .service
            .zone_export(&ctx, zone.id, ZoneFileFormat::Bind)
            .await?;
        Ok(PlainText(export.text))
    }

    /// The zone's metadata: ScaiDNS keeps none through this API, so the list is empty.
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id/metadata",
        method = "get",
        operation_id = "pdns_metadata_list"
    )]
    async fn metadata_list(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
    ) -> PdnsResult<Json<Vec<PdnsMetadata>>> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        zone_named(&state, &ctx, &zone_id).await?;
        Ok(Json(Vec::new()))
    }

    /// One kind of the zone's metadata: always without values.
    #[oai(
        path = "/api/v1/servers/:server_id/zones/:zone_id/metadata/:kind",
        method = "get",
        operation_id = "pdns_metadata_get"
    )]
    async fn metadata_get(
        &self,
        state: Data<&AppState>,
        key: ApiKeyAuth,
        req: &Request,
        server_id: Path<String>,
        zone_id: Path<String>,
        kind: Path<String>,
    ) -> PdnsResult<Json<PdnsMetadata>> {
        let ctx = context(&state, key, req).await?;
        check_server(&server_id)?;
        zone_named(&state, &ctx, &zone_id).await?;
        Ok(Json(PdnsMetadata {
            type_tag: "Metadata".to_owned(),
            kind: kind.0,
            metadata: Vec::new(),
        }))
    }
}

/// The zone's records the caller may read, SOA and apex NS included, and their RRsets'
/// comments.
async fn zone_records(
    state: &AppState,
    ctx: &OpContext,
    zone: &Zone,
) -> PdnsResult<(Vec<scaidns_core::record::Record>, Vec<RrsetComments>)> {
    let (_, records, comments) = state.service.rrsets_read(ctx, zone.id).await?;
    Ok((records, comments))
}

/// The compatible API as an OpenAPI service (its document is `openapi/pdns-compat.json`).
pub fn pdns_service() -> OpenApiService<PdnsApi, ()> {
    OpenApiService::new(
        PdnsApi,
        "ScaiDNS PowerDNS-compatible API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "PowerDNS Authoritative HTTP API paths and objects over ScaiDNS: authenticate with a \
         ScaiDNS API key in `X-API-Key`. Every error has the body `{\"error\": \"…\"}`. See \
         docs/pdns-compat.md.",
    )
}

/// The compatible API's document as pretty JSON (no database needed).
pub fn pdns_spec_json() -> String {
    let generated = pdns_service().spec();
    serde_json::from_str::<serde_json::Value>(&generated)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(generated)
}

/// The compatible API's endpoint: every error, poem's own included, in PowerDNS's shape.
pub fn endpoint() -> impl poem::Endpoint<Output = poem::Response> {
    use poem::{EndpointExt, IntoEndpoint, IntoResponse};
    pdns_service()
        .into_endpoint()
        .catch_all_error(|err| async move { PdnsError::from_poem(err).into_response() })
}
