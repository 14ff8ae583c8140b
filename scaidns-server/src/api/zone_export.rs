//! `/api/v1/domains/{domain_id}/export`: a zone's records as a BIND, JSON or CSV file
//! (spec §7.1, §7.2).

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{IntoResponse, Request, Response};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, param::Query};
use scaidns_core::service::zone_export::ZoneExport;
use scaidns_core::zone::precondition::{etag, none_match_tag};
use scaidns_core::zone_file::render::ZoneFileFormat;

use crate::api::ApiTags;
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// A zone's file.
#[derive(Debug, Object)]
pub struct ZoneExportResponse {
    /// The zone.
    pub domain_id: String,
    /// The zone's name.
    pub domain_name: String,
    /// `bind`, `json` or `csv`.
    pub format: String,
    /// The file's text.
    pub zone_file: String,
}

/// The file itself, as an attachment named after the zone, or 304 when the caller's copy is
/// current.
pub enum ZoneFileDownload {
    /// The file.
    File(ZoneExport),
    /// 304, with the current `ETag`.
    NotModified(String),
}

impl IntoResponse for ZoneFileDownload {
    fn into_response(self) -> Response {
        let export = match self {
            Self::NotModified(tag) => {
                return Response::builder()
                    .status(StatusCode::NOT_MODIFIED)
                    .header(header::ETAG, tag)
                    .header(header::CACHE_CONTROL, NO_STORE)
                    .finish();
            }
            Self::File(export) => export,
        };
        let ZoneExport {
            zone, format, text, ..
        } = export;
        let disposition = format!("attachment; filename=\"{}\"", format.file_name(&zone.name));
        Response::builder()
            .status(StatusCode::OK)
            .header(
                header::CONTENT_TYPE,
                format!("{}; charset=utf-8", format.media_type()),
            )
            .header(header::CONTENT_DISPOSITION, disposition)
            .header(header::ETAG, etag(zone.generation))
            .header(header::CACHE_CONTROL, NO_STORE)
            .header(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF)
            .body(text)
    }
}

/// Documented media types. `format=json` answers `application/json`, left out here because
/// the generated SDK would parse every answer as JSON; listing only text types makes its
/// method return the bytes, whatever the format (docs/decisions.md, "export").
const DOWNLOAD_MEDIA_TYPES: &[&str] = &["text/plain", "text/csv"];

/// A zone file is the tenant's data: no shared cache keeps it, and no browser guesses its
/// type (a zone's TXT could read as HTML).
const NO_STORE: &str = "no-store";
const NOSNIFF: &str = "nosniff";

fn header_meta(name: &str, description: &str) -> MetaHeader {
    MetaHeader {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required: true,
        deprecated: false,
        schema: String::schema_ref(),
    }
}

/// The export in its JSON envelope.
#[derive(ApiResponse)]
enum ZoneExported {
    /// The file in its envelope.
    #[oai(status = 200)]
    Ok(
        Json<ZoneExportResponse>,
        /// The zone's generation (as on its record list).
        #[oai(header = "ETag")]
        String,
        /// `no-store`: the file is the tenant's data.
        #[oai(header = "Cache-Control")]
        String,
        /// `nosniff`.
        #[oai(header = "X-Content-Type-Options")]
        String,
    ),
    /// `If-None-Match` names the current `ETag`: the copy the client holds is current (no
    /// body).
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

impl ApiResponse for ZoneFileDownload {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![
                MetaResponse {
                    description: "The file: `text/plain` (bind), `text/csv` (csv) or \
                              `application/json` (json), each with `charset=utf-8`",
                    status: Some(200),
                    status_range: None,
                    content: DOWNLOAD_MEDIA_TYPES
                        .iter()
                        .map(|content_type| MetaMediaType {
                            content_type,
                            schema: String::schema_ref(),
                        })
                        .collect(),
                    headers: vec![
                        header_meta("ETag", "The zone's generation (as on its record list)."),
                        header_meta(
                            "Content-Disposition",
                            "`attachment; filename=\"<zone>.zone\"` (`.json`, `.csv` for those \
                         formats)",
                        ),
                        header_meta(
                            "Cache-Control",
                            "`no-store`: the file is the tenant's data.",
                        ),
                        header_meta("X-Content-Type-Options", "`nosniff`."),
                    ],
                },
                MetaResponse {
                    description: "`If-None-Match` names the current `ETag`: the copy the client \
                              holds is current (no body)",
                    status: Some(304),
                    status_range: None,
                    content: Vec::new(),
                    headers: vec![header_meta("ETag", "The zone's generation.")],
                },
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

/// Zone export endpoints.
pub struct ZoneExportApi;

#[OpenApi(tag = "ApiTags::Domains")]
impl ZoneExportApi {
    /// A zone's records as a file.
    ///
    /// `format` is `bind` (default: an RFC 1035 master file with the SOA and apex NS, which
    /// `named-checkzone` loads), `json` (an array of `{name, type, content, ttl, disabled}`) or
    /// `csv` (header `name,type,content,ttl,disabled`). A caller whose grants cover some
    /// records only gets those. Needs `records:read`. The answer carries the zone's
    /// generation as `ETag`; a request whose `If-None-Match` names it again is answered 304
    /// without a body while the zone is unchanged (not when the caller's grants narrow the
    /// zone, nor for a secondary zone).
    #[oai(
        path = "/domains/:domain_id/export",
        method = "get",
        operation_id = "zone_export"
    )]
    async fn zone_export(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// `bind` (default, also when empty), `json` or `csv`; anything else is 422.
        format: Query<Option<String>>,
    ) -> ApiResult<ZoneExported> {
        let export = export(&state, &auth, req, &domain_id, format.0).await?;
        let tag = etag(export.zone.generation);
        if not_modified(req, &export, &tag) {
            return Ok(ZoneExported::NotModified(tag));
        }
        Ok(ZoneExported::Ok(
            Json(ZoneExportResponse {
                domain_id: export.zone.id.to_string(),
                domain_name: export.zone.name.as_str().to_owned(),
                format: export.format.as_str().to_owned(),
                zone_file: export.text,
            }),
            tag,
            NO_STORE.to_owned(),
            NOSNIFF.to_owned(),
        ))
    }

    /// A zone's records as a file to save.
    ///
    /// The same file as `GET …/export`, as the body itself with its media type and
    /// `Content-Disposition: attachment; filename="<zone>.zone"` (`.json`, `.csv`), and the
    /// same `ETag` and 304 as `GET …/export`.
    #[oai(
        path = "/domains/:domain_id/export/download",
        method = "get",
        operation_id = "zone_export_download"
    )]
    async fn zone_export_download(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        domain_id: Path<String>,
        /// `bind` (default, also when empty), `json` or `csv`; anything else is 422.
        format: Query<Option<String>>,
    ) -> ApiResult<ZoneFileDownload> {
        let export = export(&state, &auth, req, &domain_id, format.0).await?;
        let tag = etag(export.zone.generation);
        if not_modified(req, &export, &tag) {
            return Ok(ZoneFileDownload::NotModified(tag));
        }
        Ok(ZoneFileDownload::File(export))
    }
}

/// Whether the request's `If-None-Match` names the file the caller would get (after it was
/// authorised: `export` refuses first).
fn not_modified(req: &Request, export: &ZoneExport, tag: &str) -> bool {
    export.fixed && none_match_tag(req.header("if-none-match"), tag)
}

async fn export(
    state: &AppState,
    auth: &ApiAuth,
    req: &Request,
    domain_id: &str,
    format: Option<String>,
) -> ApiResult<ZoneExport> {
    let ctx = op_context(state, auth, req).await?;
    // `?format=` (empty) is the default, as an absent parameter.
    let format = format
        .filter(|f| !f.trim().is_empty())
        .map(|f| f.parse::<ZoneFileFormat>())
        .transpose()?
        .unwrap_or_default();
    Ok(state
        .service
        .zone_export(&ctx, domain_id.parse()?, format)
        .await?)
}
