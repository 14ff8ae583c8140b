//! Access grants: one role's permissions on one zone, optionally narrowed to records
//! (compiled once per engine, see `super`). Each write commits with its audit entries in one
//! transaction.

use ::sqlx::query::Query;
use ::sqlx::{Database, Pool};

use super::Db;
use super::common::write_one;
use super::rbac::missing;
use super::sqlx;
use crate::adapters::sql::rbac_rows::{GrantRow, grant_columns, subject_columns};
use crate::adapters::sql::rows::{json_text, models};
use crate::adapters::sql::types::{Ts, db_err, ts_opt};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::{GrantId, ZoneId};
use crate::rbac::AccessGrant;

type Args = <Db as Database>::Arguments;

fn bind_grant<'q>(
    query: Query<'q, Db, Args>,
    g: &AccessGrant,
    types: String,
) -> Query<'q, Db, Args> {
    let (subject_type, subject_id) = subject_columns(&g.subject);
    query
        .bind(g.zone_id.to_string())
        .bind(g.tenant_id.to_string())
        .bind(subject_type)
        .bind(subject_id)
        .bind(g.role_id.to_string())
        .bind(g.record_pattern.clone())
        .bind(types)
        .bind(ts_opt(g.expires_at))
        .bind(g.notes.clone())
        .bind(g.created_by.map(|u| u.to_string()))
        .bind(Ts::from(g.created_at))
        .bind(Ts::from(g.updated_at))
}

fn grant_types(g: &AccessGrant) -> Result<String> {
    let names: Vec<&str> = g.record_types.iter().map(|t| t.as_str()).collect();
    json_text(&names)
}

fn grant_missing() -> Error {
    missing("access_grant_not_found", "Access grant not found")
}

pub(crate) async fn insert_grant(
    pool: &Pool<Db>,
    g: &AccessGrant,
    events: &[AuditEvent],
) -> Result<()> {
    let types = grant_types(g)?;
    let query = bind_grant(
        sqlx::query(
            "INSERT INTO access_grants (zone_id, tenant_id, subject_type, subject_id, role_id, \
             record_pattern, record_types, expires_at, notes, created_by, created_at, \
             updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        g,
        types,
    )
    .bind(g.id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::conflict("access_grant_exists", "Access grant already exists"),
        None,
    )
    .await
}

pub(crate) async fn update_grant(
    pool: &Pool<Db>,
    g: &AccessGrant,
    events: &[AuditEvent],
) -> Result<()> {
    let types = grant_types(g)?;
    let query = bind_grant(
        sqlx::query(
            "UPDATE access_grants SET zone_id = ?, tenant_id = ?, subject_type = ?, \
             subject_id = ?, role_id = ?, record_pattern = ?, record_types = ?, expires_at = ?, \
             notes = ?, created_by = ?, created_at = ?, updated_at = ? WHERE id = ?",
        ),
        g,
        types,
    )
    .bind(g.id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::internal("unexpected unique violation"),
        Some(grant_missing()),
    )
    .await
}

pub(crate) async fn delete_grant(
    pool: &Pool<Db>,
    id: GrantId,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query("DELETE FROM access_grants WHERE id = ?").bind(id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::internal("unexpected unique violation"),
        Some(grant_missing()),
    )
    .await
}

pub(crate) async fn get_grant(pool: &Pool<Db>, id: GrantId) -> Result<Option<AccessGrant>> {
    let row: Option<GrantRow> = sqlx::query_as(concat!(
        "SELECT ",
        grant_columns!(),
        " FROM access_grants g JOIN roles r ON r.id = g.role_id WHERE g.id = ?"
    ))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(GrantRow::into_model).transpose()
}

pub(crate) async fn list_grants(pool: &Pool<Db>, zone: ZoneId) -> Result<Vec<AccessGrant>> {
    let rows: Vec<GrantRow> = sqlx::query_as(concat!(
        "SELECT ",
        grant_columns!(),
        " FROM access_grants g JOIN roles r ON r.id = g.role_id \
         WHERE g.zone_id = ? ORDER BY g.created_at, g.id"
    ))
    .bind(zone.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    models(rows, GrantRow::into_model)
}
