//! Rows as the database returns them, and their conversion to and from the core's models.
//!
//! Reading back goes through the models' own constructors (`ZoneName::parse`,
//! `RecordContent::parse`, the enums' `FromStr`…), so a row edited by hand into something the
//! core would refuse surfaces as an internal "corrupt row" error instead of an invalid value.

use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::types::{Ts, corrupt};
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::identity::api_key::ApiKey;
use crate::name::ZoneName;
use crate::ownership::Validation;
use crate::ports::store::RecordHit;
use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use crate::tenant::{Tenant, User};
use crate::zone::{SyncState, Zone};

/// Columns of `zones` in [`ZoneRow`] order.
macro_rules! zone_columns {
    () => {
        "id, tenant_id, name, domain_type, status, status_before_delete, default_ttl, description, \
         settings, dnssec_enabled, generation, sync_status, sync_error, last_synced_at, created_at, \
         updated_at, deleted_at, secondary_source"
    };
}
pub(crate) use zone_columns;

/// Columns of `records` joined with their zone's name (`r`, `z`), in [`RecordRow`] order.
macro_rules! record_columns {
    () => {
        "r.id, r.zone_id, z.name AS zone_name, r.name, r.rtype, r.content, r.ttl, r.disabled, \
         r.is_system, r.created_at, r.updated_at"
    };
}
pub(crate) use record_columns;

/// Columns of `validations` in [`ValidationRow`] order.
macro_rules! validation_columns {
    () => {
        "id, zone_id, validation_type, status, token, last_message, checked_at, expires_at, \
         created_at, updated_at, check_count"
    };
}
pub(crate) use validation_columns;

/// Columns of `tenants` that identity sync writes, in [`TenantRow`] order.
macro_rules! tenant_columns {
    () => {
        "id, name, slug, scaikey_tenant_id, status, is_platform, created_at, updated_at"
    };
}
pub(crate) use tenant_columns;

/// Every column of `tenants`, in [`TenantRow`] order: the synced ones, then those only the
/// admin API writes (identity sync must never lift a suspension made here).
macro_rules! tenant_all_columns {
    () => {
        concat!(
            $crate::adapters::sql::rows::tenant_columns!(),
            ", suspended_locally, settings, partner_id"
        )
    };
}
pub(crate) use tenant_all_columns;

/// Columns of `users` in [`UserRow`] order.
macro_rules! user_columns {
    () => {
        "id, tenant_id, email, first_name, last_name, scaikey_user_id, status, is_platform_admin, \
         is_tenant_admin, created_at, updated_at"
    };
}
pub(crate) use user_columns;

/// Columns of `api_keys` in [`ApiKeyRow`] order.
macro_rules! api_key_columns {
    () => {
        "id, tenant_id, name, description, key_prefix, key_hash, status, permission_source, \
         permission_source_id, scopes, rate_limit, ip_whitelist, expires_at, last_used_at, \
         last_used_ip, use_count, created_by, created_at, updated_at"
    };
}
pub(crate) use api_key_columns;

/// Columns of `audit_events` in [`AuditRow`] order.
macro_rules! audit_columns {
    () => {
        "id, tenant_id, actor_type, actor_id, actor_email, action, resource_type, resource_id, \
         resource_name, before_state, after_state, ip_address, user_agent, request_id, created_at"
    };
}
pub(crate) use audit_columns;

/// Columns a tenant is looked up by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TenantKey {
    Id,
    Slug,
    ScaikeyId,
}

/// Columns a user is looked up by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UserKey {
    Id,
    Email,
    ScaikeyId,
}

/// Columns an API key is looked up by.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ApiKeyKey {
    Id,
    Hash,
}

/// SHA-256 hex of a record's canonical content: the unique key's stand-in for the content.
pub(crate) fn content_hash(content: &RecordContent) -> String {
    hex::encode(Sha256::digest(content.as_str().as_bytes()))
}

/// JSON text of a value.
pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| crate::error::Error::internal(format!("cannot encode JSON: {e}")))
}

fn parse<T: FromStr>(table: &str, id: &str, column: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| corrupt(table, id, format!("{column}: {e}")))
}

fn parse_opt<T: FromStr>(
    table: &str,
    id: &str,
    column: &str,
    text: Option<&str>,
) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parse(table, id, column, t)).transpose()
}

fn json<T: serde::de::DeserializeOwned>(
    table: &str,
    id: &str,
    column: &str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| corrupt(table, id, format!("{column}: {e}")))
}

fn ttl(table: &str, id: &str, column: &str, seconds: i64) -> Result<Ttl> {
    Ttl::new(seconds).map_err(|e| corrupt(table, id, format!("{column}: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct ZoneRow {
    id: String,
    tenant_id: String,
    name: String,
    domain_type: String,
    status: String,
    status_before_delete: Option<String>,
    default_ttl: i64,
    description: Option<String>,
    settings: String,
    dnssec_enabled: bool,
    generation: i64,
    sync_status: String,
    sync_error: Option<String>,
    last_synced_at: Option<Ts>,
    created_at: Ts,
    updated_at: Ts,
    deleted_at: Option<Ts>,
    secondary_source: Option<String>,
}

impl ZoneRow {
    pub(crate) fn into_model(self) -> Result<Zone> {
        const T: &str = "zones";
        let id = &self.id;
        Ok(Zone {
            id: parse(T, id, "id", id)?,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            name: ZoneName::parse(&self.name).map_err(|e| corrupt(T, id, format!("name: {e}")))?,
            domain_type: parse(T, id, "domain_type", &self.domain_type)?,
            status: parse(T, id, "status", &self.status)?,
            status_before_delete: parse_opt(
                T,
                id,
                "status_before_delete",
                self.status_before_delete.as_deref(),
            )?,
            default_ttl: ttl(T, id, "default_ttl", self.default_ttl)?,
            description: self.description,
            settings: json(T, id, "settings", &self.settings)?,
            dnssec_enabled: self.dnssec_enabled,
            generation: self.generation,
            sync: SyncState {
                status: parse(T, id, "sync_status", &self.sync_status)?,
                error: self.sync_error,
                last_synced_at: self.last_synced_at.map(Ts::get),
            },
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
            deleted_at: self.deleted_at.map(Ts::get),
            secondary: self
                .secondary_source
                .as_deref()
                .map(|text| json(T, id, "secondary_source", text))
                .transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RecordRow {
    id: String,
    zone_id: String,
    zone_name: String,
    name: String,
    rtype: String,
    content: String,
    ttl: i64,
    disabled: bool,
    is_system: bool,
    created_at: Ts,
    updated_at: Ts,
}

/// A record with its zone's tenant, as a record search reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct RecordHitRow {
    #[sqlx(flatten)]
    record: RecordRow,
    tenant_id: String,
}

impl RecordHitRow {
    pub(crate) fn into_model(self) -> Result<RecordHit> {
        let id = self.record.id.clone();
        let zone_name = ZoneName::parse(&self.record.zone_name)
            .map_err(|e| corrupt("records", &id, format!("zone name: {e}")))?;
        let tenant_id = parse("zones", &self.record.zone_id, "tenant_id", &self.tenant_id)?;
        Ok(RecordHit {
            record: self.record.into_model()?,
            tenant_id,
            zone_name,
        })
    }
}

impl RecordRow {
    pub(crate) fn into_model(self) -> Result<Record> {
        const T: &str = "records";
        let id = &self.id;
        let zone = ZoneName::parse(&self.zone_name)
            .map_err(|e| corrupt(T, id, format!("zone name: {e}")))?;
        let rtype: RecordType = parse(T, id, "rtype", &self.rtype)?;
        Ok(Record {
            id: parse(T, id, "id", id)?,
            zone_id: parse(T, id, "zone_id", &self.zone_id)?,
            name: RecordName::from_fqdn(&self.name, &zone)
                .map_err(|e| corrupt(T, id, format!("name: {e}")))?,
            content: RecordContent::parse(rtype, &self.content, &zone)
                .map_err(|e| corrupt(T, id, format!("content: {e}")))?,
            ttl: ttl(T, id, "ttl", self.ttl)?,
            disabled: self.disabled,
            system: self.is_system,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ValidationRow {
    id: String,
    zone_id: String,
    validation_type: String,
    status: String,
    token: String,
    last_message: Option<String>,
    checked_at: Option<Ts>,
    expires_at: Ts,
    created_at: Ts,
    updated_at: Ts,
    check_count: i64,
}

impl ValidationRow {
    pub(crate) fn into_model(self) -> Result<Validation> {
        const T: &str = "validations";
        let id = &self.id;
        Ok(Validation {
            id: parse(T, id, "id", id)?,
            zone_id: parse(T, id, "zone_id", &self.zone_id)?,
            validation_type: parse(T, id, "validation_type", &self.validation_type)?,
            status: parse(T, id, "status", &self.status)?,
            token: self.token,
            last_message: self.last_message,
            checked_at: self.checked_at.map(Ts::get),
            check_count: u32::try_from(self.check_count).unwrap_or(u32::MAX),
            expires_at: self.expires_at.get(),
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: String,
    name: String,
    slug: String,
    scaikey_tenant_id: Option<String>,
    status: String,
    is_platform: bool,
    created_at: Ts,
    updated_at: Ts,
    suspended_locally: bool,
    settings: Option<String>,
    partner_id: Option<String>,
}

impl TenantRow {
    pub(crate) fn into_model(self) -> Result<Tenant> {
        const T: &str = "tenants";
        let id = &self.id;
        Ok(Tenant {
            id: parse(T, id, "id", id)?,
            name: self.name,
            slug: self.slug,
            scaikey_tenant_id: self.scaikey_tenant_id,
            status: parse(T, id, "status", &self.status)?,
            is_platform: self.is_platform,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
            suspended_locally: self.suspended_locally,
            settings: match &self.settings {
                Some(text) => json(T, id, "settings", text)?,
                None => serde_json::json!({}),
            },
            partner_id: parse_opt(T, id, "partner_id", self.partner_id.as_deref())?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    tenant_id: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    scaikey_user_id: Option<String>,
    status: String,
    is_platform_admin: bool,
    is_tenant_admin: bool,
    created_at: Ts,
    updated_at: Ts,
}

impl UserRow {
    pub(crate) fn into_model(self) -> Result<User> {
        const T: &str = "users";
        let id = &self.id;
        Ok(User {
            id: parse(T, id, "id", id)?,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            scaikey_user_id: self.scaikey_user_id,
            status: parse(T, id, "status", &self.status)?,
            is_platform_admin: self.is_platform_admin,
            is_tenant_admin: self.is_tenant_admin,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ApiKeyRow {
    id: String,
    tenant_id: String,
    name: String,
    description: Option<String>,
    key_prefix: String,
    key_hash: String,
    status: String,
    permission_source: String,
    permission_source_id: String,
    scopes: String,
    rate_limit: Option<i64>,
    ip_whitelist: String,
    expires_at: Option<Ts>,
    last_used_at: Option<Ts>,
    last_used_ip: Option<String>,
    use_count: i64,
    created_by: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

impl ApiKeyRow {
    pub(crate) fn into_model(self) -> Result<ApiKey> {
        const T: &str = "api_keys";
        let id = &self.id;
        let rate_limit = self
            .rate_limit
            .map(|r| u32::try_from(r).map_err(|e| corrupt(T, id, format!("rate_limit: {e}"))))
            .transpose()?;
        Ok(ApiKey {
            id: parse(T, id, "id", id)?,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            name: self.name,
            description: self.description,
            key_prefix: self.key_prefix,
            key_hash: self.key_hash,
            status: parse(T, id, "status", &self.status)?,
            permission_source: parse(T, id, "permission_source", &self.permission_source)?,
            permission_source_id: self.permission_source_id,
            scopes: json(T, id, "scopes", &self.scopes)?,
            rate_limit,
            ip_whitelist: json(T, id, "ip_whitelist", &self.ip_whitelist)?,
            expires_at: self.expires_at.map(Ts::get),
            last_used_at: self.last_used_at.map(Ts::get),
            last_used_ip: self.last_used_ip,
            use_count: self.use_count,
            created_by: parse_opt(T, id, "created_by", self.created_by.as_deref())?,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: String,
    tenant_id: Option<String>,
    actor_type: String,
    actor_id: Option<String>,
    actor_email: Option<String>,
    action: String,
    resource_type: String,
    resource_id: Option<String>,
    resource_name: Option<String>,
    before_state: Option<String>,
    after_state: Option<String>,
    ip_address: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    created_at: Ts,
}

impl AuditRow {
    pub(crate) fn into_model(self) -> Result<AuditEvent> {
        const T: &str = "audit_events";
        let id = &self.id;
        Ok(AuditEvent {
            id: parse(T, id, "id", id)?,
            tenant_id: parse_opt(T, id, "tenant_id", self.tenant_id.as_deref())?,
            actor_type: parse(T, id, "actor_type", &self.actor_type)?,
            actor_id: self.actor_id,
            actor_email: self.actor_email,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            resource_name: self.resource_name,
            before: self
                .before_state
                .map(|t| json(T, id, "before_state", &t))
                .transpose()?,
            after: self
                .after_state
                .map(|t| json(T, id, "after_state", &t))
                .transpose()?,
            ip_address: self.ip_address,
            user_agent: self.user_agent,
            request_id: self.request_id,
            created_at: self.created_at.get(),
        })
    }
}

/// Converts a list of rows, failing on the first corrupt one.
pub(crate) fn models<R, M>(rows: Vec<R>, convert: impl Fn(R) -> Result<M>) -> Result<Vec<M>> {
    rows.into_iter().map(convert).collect()
}

/// Converts a list of rows shown to people, leaving out (and logging, with the row id, which
/// the error carries) a row that cannot be read back: one bad row must not make the rest
/// unreadable, nor the zone unrepairable through the API.
pub(crate) fn readable_models<R, M>(rows: Vec<R>, convert: impl Fn(R) -> Result<M>) -> Vec<M> {
    rows.into_iter()
        .filter_map(|row| {
            convert(row)
                .inspect_err(|e| tracing::error!(error = %e, "skipped a stored row that cannot be read back"))
                .ok()
        })
        .collect()
}
