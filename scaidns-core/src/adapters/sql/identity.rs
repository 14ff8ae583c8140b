//! Tenants, users and API keys (compiled once per engine, see `super`). Each write commits with
//! its audit entries in one transaction.

use ::sqlx::query::Query;
use ::sqlx::{Database, Pool};
use chrono::{DateTime, Utc};

use super::Db;
use super::common::write_one;
use super::dynamic_query::page;
use super::identity_writes::{INSERT_USER, UPDATE_USER, bind_tenant, bind_user};
use super::sqlx;
use crate::adapters::sql::rows::{
    ApiKeyKey, ApiKeyRow, TenantKey, TenantRow, UserKey, UserRow, api_key_columns, json_text,
    models, tenant_all_columns, user_columns,
};
use crate::adapters::sql::types::{Arg, Filter, Ts, db_err, ts_opt};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::identity::api_key::{ApiKey, ApiKeyStatus};
use crate::ids::{ApiKeyId, TenantId};
use crate::paging::{Page, PageRequest};
use crate::ports::store::{ApiKeyFilter, ApiKeyUse};
use crate::ports::store::{TenantFilter, TenantPatch, UserFilter};
use crate::tenant::TenantStatus;
use crate::tenant::{Tenant, User};

type Args = <Db as Database>::Arguments;

// ----- tenants -----

fn tenant_exists() -> Error {
    Error::conflict("tenant_exists", "Tenant already exists")
}

fn tenant_missing() -> Error {
    Error::not_found("Tenant not found")
}

pub(crate) async fn insert_tenant(
    pool: &Pool<Db>,
    tenant: &Tenant,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(concat!(
        "INSERT INTO tenants (",
        tenant_all_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(tenant.id.to_string());
    write_one(
        pool,
        bind_admin_columns(bind_tenant(query, tenant), tenant)?,
        events,
        tenant_exists,
        None,
    )
    .await
}

pub(crate) async fn update_tenant(
    pool: &Pool<Db>,
    tenant: &Tenant,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "UPDATE tenants SET name = ?, slug = ?, scaikey_tenant_id = ?, status = ?, is_platform = ?, \
         created_at = ?, updated_at = ?, suspended_locally = ?, settings = ?, partner_id = ? \
         WHERE id = ?",
    );
    let query = bind_admin_columns(bind_tenant(query, tenant), tenant)?.bind(tenant.id.to_string());
    write_one(pool, query, events, tenant_exists, Some(tenant_missing())).await
}

pub(crate) async fn patch_tenant(
    pool: &Pool<Db>,
    id: TenantId,
    patch: &TenantPatch,
    events: &[AuditEvent],
) -> Result<()> {
    // One fixed statement: a NULL parameter keeps the column's stored value.
    let query = sqlx::query(
        "UPDATE tenants SET name = COALESCE(?, name), settings = COALESCE(?, settings), \
         suspended_locally = COALESCE(?, suspended_locally), status = COALESCE(?, status), \
         updated_at = ? WHERE id = ?",
    )
    .bind(patch.name.clone())
    .bind(patch.settings.as_ref().map(json_text).transpose()?)
    .bind(patch.suspended_locally)
    .bind(patch.status.map(|s| s.as_str()))
    .bind(Ts::from(patch.updated_at))
    .bind(id.to_string());
    write_one(pool, query, events, tenant_exists, Some(tenant_missing())).await
}

/// Binds the columns only the admin API writes, after [`bind_tenant`]'s.
fn bind_admin_columns<'q>(query: Query<'q, Db, Args>, t: &Tenant) -> Result<Query<'q, Db, Args>> {
    Ok(query
        .bind(t.suspended_locally)
        .bind(json_text(&t.settings)?)
        .bind(t.partner_id.map(|p| p.to_string())))
}

pub(crate) async fn get_tenant_by(
    pool: &Pool<Db>,
    column: TenantKey,
    value: &str,
) -> Result<Option<Tenant>> {
    let sql = match column {
        TenantKey::Id => concat!(
            "SELECT ",
            tenant_all_columns!(),
            " FROM tenants WHERE id = ?"
        ),
        TenantKey::Slug => concat!(
            "SELECT ",
            tenant_all_columns!(),
            " FROM tenants WHERE slug = ?"
        ),
        TenantKey::ScaikeyId => concat!(
            "SELECT ",
            tenant_all_columns!(),
            " FROM tenants WHERE scaikey_tenant_id = ?"
        ),
    };
    let row: Option<TenantRow> = sqlx::query_as(sql)
        .bind(value)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(TenantRow::into_model).transpose()
}

pub(crate) async fn list_tenants(
    pool: &Pool<Db>,
    filter: &TenantFilter,
    page_req: PageRequest,
) -> Result<Page<Tenant>> {
    let mut f = Filter::default();
    if let Some(search) = &filter.search {
        f.and_contains(&["name", "slug"], search);
    }
    // The status callers see: suspended by the provider or by a platform admin.
    match filter.status {
        Some(TenantStatus::Suspended) => f.and(
            "(status = ? OR suspended_locally = ?)",
            [Arg::Text("suspended".to_owned()), Arg::Bool(true)],
        ),
        Some(TenantStatus::Active) => f.and(
            "(status = ? AND suspended_locally = ?)",
            [Arg::Text("active".to_owned()), Arg::Bool(false)],
        ),
        None => {}
    }
    let (rows, total) = page::<TenantRow>(
        pool,
        "tenants",
        tenant_all_columns!(),
        f,
        "name, id",
        page_req,
    )
    .await?;
    Ok(Page {
        items: models(rows, TenantRow::into_model)?,
        total,
    })
}

// ----- users -----

fn user_exists() -> Error {
    Error::conflict("user_exists", "User already exists")
}

fn user_missing() -> Error {
    Error::not_found("User not found")
}

pub(crate) async fn insert_user(pool: &Pool<Db>, user: &User, events: &[AuditEvent]) -> Result<()> {
    let query = sqlx::query(INSERT_USER).bind(user.id.to_string());
    write_one(pool, bind_user(query, user), events, user_exists, None).await
}

pub(crate) async fn update_user(pool: &Pool<Db>, user: &User, events: &[AuditEvent]) -> Result<()> {
    let query = bind_user(sqlx::query(UPDATE_USER), user).bind(user.id.to_string());
    write_one(pool, query, events, user_exists, Some(user_missing())).await
}

pub(crate) async fn get_user_by(
    pool: &Pool<Db>,
    column: UserKey,
    value: &str,
) -> Result<Option<User>> {
    let (sql, value) = match column {
        UserKey::Id => (
            concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?"),
            value.to_owned(),
        ),
        UserKey::Email => (
            concat!("SELECT ", user_columns!(), " FROM users WHERE email = ?"),
            value.trim().to_lowercase(),
        ),
        UserKey::ScaikeyId => (
            concat!(
                "SELECT ",
                user_columns!(),
                " FROM users WHERE scaikey_user_id = ?"
            ),
            value.to_owned(),
        ),
    };
    let row: Option<UserRow> = sqlx::query_as(sql)
        .bind(value)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(UserRow::into_model).transpose()
}

pub(crate) async fn list_users(
    pool: &Pool<Db>,
    tenant_id: Option<TenantId>,
    page_req: PageRequest,
) -> Result<Page<User>> {
    let mut f = Filter::default();
    if let Some(tenant) = tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    let (rows, total) =
        page::<UserRow>(pool, "users", user_columns!(), f, "email, id", page_req).await?;
    Ok(Page {
        items: models(rows, UserRow::into_model)?,
        total,
    })
}

pub(crate) async fn search_users(
    pool: &Pool<Db>,
    filter: &UserFilter,
    page_req: PageRequest,
) -> Result<Page<User>> {
    let mut f = Filter::default();
    if let Some(tenant) = filter.tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    if let Some(search) = &filter.search {
        f.and_contains(&["email", "first_name", "last_name"], search);
    }
    if let Some(status) = filter.status {
        f.and("status = ?", [Arg::Text(status.as_str().to_owned())]);
    }
    let (rows, total) =
        page::<UserRow>(pool, "users", user_columns!(), f, "email, id", page_req).await?;
    Ok(Page {
        items: models(rows, UserRow::into_model)?,
        total,
    })
}

// ----- API keys -----

fn api_key_exists() -> Error {
    Error::conflict("api_key_exists", "API key already exists")
}

fn api_key_missing() -> Error {
    Error::not_found("API key not found")
}

/// Binds every key column but `id`, in `api_key_columns!` order.
fn bind_api_key<'q>(query: Query<'q, Db, Args>, k: &ApiKey) -> Result<Query<'q, Db, Args>> {
    Ok(query
        .bind(k.tenant_id.to_string())
        .bind(k.name.clone())
        .bind(k.description.clone())
        .bind(k.key_prefix.clone())
        .bind(k.key_hash.clone())
        .bind(k.status.as_str())
        .bind(k.permission_source.as_str())
        .bind(k.permission_source_id.clone())
        .bind(json_text(&k.scopes)?)
        .bind(k.rate_limit.map(i64::from))
        .bind(json_text(&k.ip_whitelist)?)
        .bind(ts_opt(k.expires_at))
        .bind(ts_opt(k.last_used_at))
        .bind(k.last_used_ip.clone())
        .bind(k.use_count)
        .bind(k.created_by.map(|u| u.to_string()))
        .bind(Ts::from(k.created_at))
        .bind(Ts::from(k.updated_at)))
}

pub(crate) async fn insert_api_key(
    pool: &Pool<Db>,
    key: &ApiKey,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(concat!(
        "INSERT INTO api_keys (",
        api_key_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(key.id.to_string());
    write_one(
        pool,
        bind_api_key(query, key)?,
        events,
        api_key_exists,
        None,
    )
    .await
}

pub(crate) async fn update_api_key(
    pool: &Pool<Db>,
    key: &ApiKey,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "UPDATE api_keys SET tenant_id = ?, name = ?, description = ?, key_prefix = ?, key_hash = ?, \
         status = ?, permission_source = ?, permission_source_id = ?, scopes = ?, rate_limit = ?, \
         ip_whitelist = ?, expires_at = ?, last_used_at = ?, last_used_ip = ?, use_count = ?, \
         created_by = ?, created_at = ?, updated_at = ? WHERE id = ?",
    );
    let query = bind_api_key(query, key)?.bind(key.id.to_string());
    write_one(pool, query, events, api_key_exists, Some(api_key_missing())).await
}

pub(crate) async fn delete_api_key(
    pool: &Pool<Db>,
    id: ApiKeyId,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query("DELETE FROM api_keys WHERE id = ?").bind(id.to_string());
    write_one(pool, query, events, api_key_exists, Some(api_key_missing())).await
}

pub(crate) async fn get_api_key_by(
    pool: &Pool<Db>,
    column: ApiKeyKey,
    value: &str,
) -> Result<Option<ApiKey>> {
    let sql = match column {
        ApiKeyKey::Id => concat!("SELECT ", api_key_columns!(), " FROM api_keys WHERE id = ?"),
        ApiKeyKey::Hash => concat!(
            "SELECT ",
            api_key_columns!(),
            " FROM api_keys WHERE key_hash = ?"
        ),
    };
    let row: Option<ApiKeyRow> = sqlx::query_as(sql)
        .bind(value)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(ApiKeyRow::into_model).transpose()
}

pub(crate) async fn list_api_keys(
    pool: &Pool<Db>,
    filter: &ApiKeyFilter,
    page_req: PageRequest,
) -> Result<Page<ApiKey>> {
    let mut f = Filter::default();
    if let Some(tenant) = filter.tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    if let Some(source) = &filter.permission_source_id {
        f.and("permission_source_id = ?", [Arg::Text(source.clone())]);
    }
    if !filter.include_revoked {
        f.and(
            "status <> ?",
            [Arg::Text(ApiKeyStatus::Revoked.as_str().to_owned())],
        );
    }
    let (rows, total) = page::<ApiKeyRow>(
        pool,
        "api_keys",
        api_key_columns!(),
        f,
        "created_at DESC, id DESC",
        page_req,
    )
    .await?;
    Ok(Page {
        items: models(rows, ApiKeyRow::into_model)?,
        total,
    })
}

pub(crate) async fn record_api_key_use(
    pool: &Pool<Db>,
    id: ApiKeyId,
    at: DateTime<Utc>,
    ip: Option<&str>,
) -> Result<()> {
    // One statement, so concurrent uses each count without a transaction.
    let done = sqlx::query("UPDATE api_keys SET last_used_at = ?, last_used_ip = ?, use_count = use_count + 1 WHERE id = ?")
        .bind(Ts::from(at))
        .bind(ip)
        .bind(id.to_string())
        .execute(pool)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(api_key_missing());
    }
    Ok(())
}

/// One statement per key, in one transaction: a batch of uses costs one commit.
pub(crate) async fn record_api_key_uses(pool: &Pool<Db>, uses: &[ApiKeyUse]) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    for u in uses {
        // A key deleted since its use matches no row and is skipped.
        sqlx::query("UPDATE api_keys SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < ? THEN ? ELSE last_used_at END, last_used_ip = CASE WHEN last_used_at IS NULL OR last_used_at <= ? THEN ? ELSE last_used_ip END, use_count = use_count + ? WHERE id = ?")
            .bind(Ts::from(u.last_used_at))
            .bind(Ts::from(u.last_used_at))
            .bind(Ts::from(u.last_used_at))
            .bind(u.last_used_ip.as_deref())
            .bind(i64::try_from(u.uses).unwrap_or(i64::MAX))
            .bind(u.id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)
}
