//! RFC 2317 classless delegations (compiled once per engine, see `super`).

use ::sqlx::Pool;

use super::common::{finish, run_one, write_one};
use super::dynamic_query::bind_as;
use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::types::{Arg, Filter, Ts, corrupt, db_err};
use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{ClasslessDelegationId, TenantId, ZoneId};
use crate::name::ZoneName;
use crate::ports::classless_store::DelegationFilter;
use crate::zone::claims::claim_lock_key;
use crate::zone::classless::ClasslessDelegation;

const COLUMNS: &str = "id, parent_zone_id, parent_tenant_id, tenant_id, cidr, created_at";

#[derive(sqlx::FromRow)]
struct DelegationRow {
    id: String,
    parent_zone_id: String,
    parent_tenant_id: String,
    tenant_id: String,
    cidr: String,
    created_at: Ts,
}

impl DelegationRow {
    fn into_model(self) -> Result<ClasslessDelegation> {
        let id = self.id.clone();
        let bad = |column: &str, e: &dyn std::fmt::Display| {
            corrupt("classless_delegations", &id, format!("{column}: {e}"))
        };
        Ok(ClasslessDelegation {
            id: self.id.parse().map_err(|e: Error| bad("id", &e))?,
            parent_zone_id: self
                .parent_zone_id
                .parse()
                .map_err(|e: Error| bad("parent_zone_id", &e))?,
            parent_tenant_id: self
                .parent_tenant_id
                .parse()
                .map_err(|e: Error| bad("parent_tenant_id", &e))?,
            tenant_id: self
                .tenant_id
                .parse()
                .map_err(|e: Error| bad("tenant_id", &e))?,
            cidr: self.cidr.parse().map_err(|e| bad("cidr", &e))?,
            created_at: self.created_at.get(),
        })
    }
}

pub(crate) async fn insert(
    pool: &Pool<Db>,
    d: &ClasslessDelegation,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query(
        "INSERT INTO classless_delegations (id, parent_zone_id, parent_tenant_id, tenant_id, \
         cidr, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(d.id.to_string())
    .bind(d.parent_zone_id.to_string())
    .bind(d.parent_tenant_id.to_string())
    .bind(d.tenant_id.to_string())
    .bind(d.cidr.to_string())
    .bind(Ts::from(d.created_at));
    write_one(
        pool,
        query,
        events,
        || {
            Error::conflict("delegation_overlap", "that range is already delegated")
                .with_field("cidr")
        },
        None,
    )
    .await
}

/// Deletes a delegation under the claim lock of its parent's names (`zones::claim`), which
/// every activation of a zone in the lent range takes before it reads the delegations that
/// prove it: one that read this delegation has committed before the delete goes on (so the
/// revocation's later scan finds the zone live and takes it offline), and one that comes after
/// reads none.
pub(crate) async fn delete(
    pool: &Pool<Db>,
    id: ClasslessDelegationId,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = delete_in(&mut tx, id, events).await;
    finish(tx, result).await
}

async fn delete_in(
    conn: &mut Conn,
    id: ClasslessDelegationId,
    events: &[AuditEvent],
) -> Result<()> {
    let not_found = || {
        Error::new(
            ErrorKind::NotFound,
            "delegation_not_found",
            "Classless delegation not found",
        )
    };
    let parent: Option<String> = sqlx::query_scalar(
        "SELECT z.name FROM classless_delegations d JOIN zones z ON z.id = d.parent_zone_id \
         WHERE d.id = ?",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let parent = parent.ok_or_else(not_found)?;
    let parent = ZoneName::parse(&parent)
        .map_err(|e| corrupt("classless_delegations", &id.to_string(), e.to_string()))?;
    sqlx::query(super::LOCK_CLAIM)
        .bind(claim_lock_key(&parent))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let query = sqlx::query("DELETE FROM classless_delegations WHERE id = ?").bind(id.to_string());
    run_one(
        conn,
        query,
        events,
        || Error::internal("unique violation on delete"),
        Some(not_found()),
    )
    .await
}

pub(crate) async fn list(
    pool: &Pool<Db>,
    filter: DelegationFilter,
) -> Result<Vec<ClasslessDelegation>> {
    let mut f = Filter::default();
    if let Some(zone) = filter.parent_zone_id {
        f.and("parent_zone_id = ?", [Arg::Text(zone.to_string())]);
    }
    if let Some(tenant) = filter.tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM classless_delegations{} ORDER BY created_at, id",
        f.sql()
    );
    let rows: Vec<DelegationRow> = bind_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)), f.args)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(DelegationRow::into_model).collect()
}

/// The parent zones that lend ranges to `tenant`, with the ranges, read inside the claim's
/// transaction so that a revocation racing an activation is seen.
pub(crate) async fn lent_to(
    conn: &mut Conn,
    tenant: TenantId,
) -> Result<Vec<(ZoneId, ipnet::Ipv4Net)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, parent_zone_id, cidr FROM classless_delegations WHERE tenant_id = ?",
    )
    .bind(tenant.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, zone, cidr)| {
            let bad =
                |e: &dyn std::fmt::Display| corrupt("classless_delegations", &id, e.to_string());
            Ok((
                zone.parse().map_err(|e: Error| bad(&e))?,
                cidr.parse().map_err(|e| bad(&e))?,
            ))
        })
        .collect()
}
