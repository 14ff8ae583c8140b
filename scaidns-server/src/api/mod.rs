//! The `/api/v1` operations, one module per resource, composed into [`Api`].
//!
//! Conventions (DESIGN.md 9): operation ids `<resource>_<verb>`, one tag per operation, every
//! method of one path in one impl block, create 201 / update and actions 200 / delete 204.
//! Paths are declared without a trailing slash; the app trims trailing slashes before routing,
//! so the documented `/api/v1/api-keys/` and `/api/v1/api-keys` both work.

pub mod access_grants;
pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod classless_delegations;
pub mod dnssec;
pub mod groups;
pub mod health;
pub mod import;
pub mod nameservers;
mod page_envelope;
pub mod partners;
pub mod plans;
pub mod platform_config;
pub(crate) mod precondition;
pub mod publication;
pub mod record_bulk;
pub mod record_search;
pub mod records;
mod rendered_json;
pub mod reverse_zones;
pub mod role_assignments;
pub mod roles;
pub mod templates;
pub mod users;
pub mod validation;
pub mod webhook_subscriptions;
pub mod webhooks;
pub mod zone_export;
pub mod zone_history;
pub mod zones;

use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Tags};
use scaidns_core::ids::TenantId;
use scaidns_core::service::queries::PageQuery;

use crate::error::ApiError;

/// Operation tags, one per resource.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness and readiness.
    Health,
    /// Login through the identity provider, and the caller's identity.
    Auth,
    /// Platform administration: tenants and users.
    Admin,
    /// API keys for machine access.
    ApiKeys,
    /// Zones ("domains").
    Domains,
    /// Records of a zone.
    Records,
    /// Ownership validation of a zone.
    Validation,
    /// Roles, role assignments and permissions.
    Roles,
    /// Access grants on a zone.
    AccessGrants,
    /// The audit log.
    Audit,
    /// DNSSEC signing and key rollover of a zone.
    Dnssec,
    /// Groups of users inside a tenant.
    Groups,
    /// Record templates.
    Templates,
    /// Identity events from the identity provider.
    Webhooks,
    /// Reverse zones from CIDR blocks, and PTRs by address.
    ReverseZones,
    /// Outbound change webhooks: subscriptions and their deliveries.
    WebhookSubscriptions,
    /// Dry runs of zone writes.
    Plans,
}

/// Every API, in one tuple (poem-openapi composes tuples of `OpenApi` impls).
pub type Api = (
    health::HealthApi,
    auth::AuthApi,
    admin::AdminApi,
    PlatformApis,
    api_keys::ApiKeysApi,
    zones::ZonesApi,
    validation::ValidationApi,
    dnssec::DnssecApi,
    roles::RolesApi,
    role_assignments::RoleAssignmentsApi,
    access_grants::AccessGrantsApi,
    audit::AuditApi,
    groups::GroupsApi,
    webhooks::WebhooksApi,
    RecordApis,
    plans::PlansApi,
);

/// The APIs over a zone's records, nested because poem-openapi implements `OpenApi` for tuples
/// of at most 16.
pub type RecordApis = (
    records::RecordsApi,
    record_search::RecordSearchApi,
    record_bulk::RecordBulkApi,
    zone_export::ZoneExportApi,
    import::ImportApi,
    reverse_zones::ReverseZonesApi,
    templates::TemplatesApi,
    classless_delegations::ClasslessDelegationsApi,
    zone_history::ZoneHistoryApi,
    webhook_subscriptions::WebhookSubscriptionsApi,
);

/// The platform administration APIs beside tenants and users, nested like [`RecordApis`].
pub type PlatformApis = (
    nameservers::NameserversApi,
    platform_config::PlatformConfigApi,
    partners::PartnersApi,
    users::UsersApi,
);

/// The API value for [`Api`].
pub fn api() -> Api {
    (
        health::HealthApi,
        auth::AuthApi,
        admin::AdminApi,
        (
            nameservers::NameserversApi,
            platform_config::PlatformConfigApi,
            partners::PartnersApi,
            users::UsersApi,
        ),
        api_keys::ApiKeysApi,
        zones::ZonesApi,
        validation::ValidationApi,
        dnssec::DnssecApi,
        roles::RolesApi,
        role_assignments::RoleAssignmentsApi,
        access_grants::AccessGrantsApi,
        audit::AuditApi,
        groups::GroupsApi,
        webhooks::WebhooksApi,
        (
            records::RecordsApi,
            record_search::RecordSearchApi,
            record_bulk::RecordBulkApi,
            zone_export::ZoneExportApi,
            import::ImportApi,
            reverse_zones::ReverseZonesApi,
            templates::TemplatesApi,
            classless_delegations::ClasslessDelegationsApi,
            zone_history::ZoneHistoryApi,
            webhook_subscriptions::WebhookSubscriptionsApi,
        ),
        plans::PlansApi,
    )
}

/// Success without a body: deletes, cancellations (204).
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done; no body.
    #[oai(status = 204)]
    NoContent,
}

/// A tenant id named in a query parameter (400) or a body field (422): a malformed one is the
/// caller's mistake, not an unknown tenant.
pub fn optional_tenant_id(raw: Option<&str>, in_body: bool) -> Result<Option<TenantId>, ApiError> {
    raw.map(|raw| {
        raw.parse::<TenantId>().map_err(|_| {
            let message = "not a valid tenant id";
            ApiError::from(if in_body {
                scaidns_core::Error::invalid("tenant_id", message)
            } else {
                scaidns_core::Error::bad_query("tenant_id", message)
            })
        })
    })
    .transpose()
}

/// Largest page a list returns.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Checks `page` (≥ 1, default 1) and `page_size` (1..=100, default 50): 400 otherwise.
pub fn page_request(page: Option<u32>, page_size: Option<u32>) -> Result<PageQuery, ApiError> {
    sized_page_request(page, page_size, 50, MAX_PAGE_SIZE)
}

/// Default page of record lists and searches: zones hold many more records than a tenant
/// holds zones.
pub const DEFAULT_RECORD_PAGE_SIZE: u32 = 100;

/// Largest page of record lists and searches.
pub const MAX_RECORD_PAGE_SIZE: u32 = 1_000;

/// [`page_request`] for record lists: `page_size` 1..=1000, default 100.
pub fn record_page_request(
    page: Option<u32>,
    page_size: Option<u32>,
) -> Result<PageQuery, ApiError> {
    sized_page_request(
        page,
        page_size,
        DEFAULT_RECORD_PAGE_SIZE,
        MAX_RECORD_PAGE_SIZE,
    )
}

fn sized_page_request(
    page: Option<u32>,
    page_size: Option<u32>,
    default_size: u32,
    max_size: u32,
) -> Result<PageQuery, ApiError> {
    let page_no = page.unwrap_or(1);
    if page_no < 1 {
        return Err(ApiError::located(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "query",
            Some("page"),
            "page must be at least 1",
        ));
    }
    let size = page_size.unwrap_or(default_size);
    if !(1..=max_size).contains(&size) {
        return Err(ApiError::located(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "query",
            Some("page_size"),
            &format!("page_size must be between 1 and {max_size}"),
        ));
    }
    Ok(PageQuery {
        page: page_no,
        page_size: size,
    })
}

/// Pages needed for `total` items.
pub fn total_pages(total: u64, page_size: u32) -> u64 {
    total.div_ceil(u64::from(page_size.max(1)))
}
