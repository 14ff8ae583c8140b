//! Identity batches (webhook events, sync steps), partners and processed event ids (compiled
//! once per engine, see `super`). A batch is one transaction: the event id first, so a replay
//! stops at its primary key before anything changes, then the rows, then the audit entries.

use ::sqlx::{Database, Pool};

use super::common::finish;
use super::identity_writes::{
    INSERT_GROUP, INSERT_USER, UPDATE_GROUP, UPDATE_USER, bind_group, bind_partner, bind_tenant,
    bind_user, delete_member, delete_members_of, insert_member,
};
use super::sqlx;
use super::{Conn, Db, audit};
use crate::adapters::sql::types::{Ts, corrupt, db_err, is_unique_violation};
use crate::error::{Error, Result};
use crate::ids::{GroupId, PartnerId, TenantId, UserId};
use crate::ports::identity_store::{BatchOutcome, IdentityBatch, IdentityChange};
use crate::tenant::{Group, Partner, Tenant, User};

type Args = <Db as Database>::Arguments;
type Query<'q> = sqlx::query::Query<'q, Db, Args>;

const PARTNER_COLUMNS: &str = "id, name, slug, scaikey_partner_id, status, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct PartnerRow {
    id: String,
    name: String,
    slug: Option<String>,
    scaikey_partner_id: String,
    status: String,
    created_at: Ts,
    updated_at: Ts,
}

impl PartnerRow {
    fn into_model(self) -> Result<Partner> {
        let bad = |column: &str, e: &dyn std::fmt::Display| {
            corrupt("partners", &self.id, format!("{column}: {e}"))
        };
        Ok(Partner {
            id: self.id.parse().map_err(|e| bad("id", &e))?,
            status: self.status.parse().map_err(|e| bad("status", &e))?,
            name: self.name,
            slug: self.slug,
            scaikey_partner_id: self.scaikey_partner_id,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

fn conflict(what: &str) -> Error {
    Error::conflict(
        "identity_conflict",
        format!("{what} clashes with another row (slug, e-mail, name or provider id)"),
    )
}

async fn exists(conn: &mut Conn, table: &str, id: &str) -> Result<bool> {
    let sql = match table {
        "partners" => "SELECT COUNT(*) FROM partners WHERE id = ?",
        "tenants" => "SELECT COUNT(*) FROM tenants WHERE id = ?",
        "users" => "SELECT COUNT(*) FROM users WHERE id = ?",
        _ => "SELECT COUNT(*) FROM user_groups WHERE id = ?",
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(n > 0)
}

async fn run(conn: &mut Conn, query: Query<'_>, what: &str) -> Result<()> {
    query.execute(&mut *conn).await.map_err(|e| {
        if is_unique_violation(&e) {
            conflict(what)
        } else {
            db_err(e)
        }
    })?;
    Ok(())
}

async fn put_partner(conn: &mut Conn, p: &Partner) -> Result<()> {
    let id = p.id.to_string();
    let query = if exists(conn, "partners", &id).await? {
        sqlx::query(
            "UPDATE partners SET name = ?, slug = ?, scaikey_partner_id = ?, status = ?, \
             created_at = ?, updated_at = ? WHERE id = ?",
        )
    } else {
        sqlx::query(
            "INSERT INTO partners (name, slug, scaikey_partner_id, status, created_at, \
             updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
    };
    let query = bind_partner(query, p).bind(id);
    run(conn, query, "partner").await
}

async fn put_tenant(conn: &mut Conn, t: &Tenant, partner: Option<PartnerId>) -> Result<()> {
    let id = t.id.to_string();
    let query = if exists(conn, "tenants", &id).await? {
        sqlx::query(
            "UPDATE tenants SET name = ?, slug = ?, scaikey_tenant_id = ?, status = ?, \
             is_platform = ?, created_at = ?, updated_at = ?, partner_id = ? WHERE id = ?",
        )
    } else {
        sqlx::query(concat!(
            "INSERT INTO tenants (name, slug, scaikey_tenant_id, status, is_platform, ",
            "created_at, updated_at, partner_id, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
    };
    let query = bind_tenant(query, t)
        .bind(partner.map(|p| p.to_string()))
        .bind(id);
    run(conn, query, "tenant").await
}

async fn put_user(conn: &mut Conn, u: &User) -> Result<()> {
    let id = u.id.to_string();
    let query = if exists(conn, "users", &id).await? {
        bind_user(sqlx::query(UPDATE_USER), u).bind(id)
    } else {
        bind_user(sqlx::query(INSERT_USER).bind(id), u)
    };
    run(conn, query, "user").await
}

async fn put_group(conn: &mut Conn, g: &Group) -> Result<()> {
    let id = g.id.to_string();
    let query = if exists(conn, "user_groups", &id).await? {
        bind_group(sqlx::query(UPDATE_GROUP), g).bind(id)
    } else {
        bind_group(sqlx::query(INSERT_GROUP).bind(id), g)
    };
    run(conn, query, "group").await
}

async fn delete_group(conn: &mut Conn, id: GroupId) -> Result<()> {
    delete_members_of(conn, id).await.map_err(db_err)?;
    sqlx::query("DELETE FROM user_groups WHERE id = ?")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn add_member(conn: &mut Conn, group: GroupId, user: UserId, at: Ts) -> Result<()> {
    insert_member(conn, group, user, at).await.map_err(db_err)?;
    Ok(())
}

async fn remove_member(conn: &mut Conn, group: GroupId, user: UserId) -> Result<()> {
    delete_member(conn, group, user).await.map_err(db_err)?;
    Ok(())
}

async fn apply_in(conn: &mut Conn, batch: &IdentityBatch) -> Result<BatchOutcome> {
    let now = batch
        .event
        .as_ref()
        .map(|e| e.received_at)
        .or_else(|| batch.audit.first().map(|a| a.created_at))
        .unwrap_or_else(chrono::Utc::now);
    if let Some(event) = &batch.event {
        let inserted = sqlx::query(
            "INSERT INTO webhook_events (event_id, event_type, received_at) VALUES (?, ?, ?)",
        )
        .bind(event.event_id.clone())
        .bind(event.event_type.clone())
        .bind(Ts::from(event.received_at))
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Ok(BatchOutcome::Duplicate),
            Err(e) => return Err(db_err(e)),
        }
    }
    for change in &batch.changes {
        match change {
            IdentityChange::Partner(p) => put_partner(conn, p).await?,
            IdentityChange::Tenant { tenant, partner_id } => {
                put_tenant(conn, tenant, *partner_id).await?;
            }
            IdentityChange::User(u) => put_user(conn, u).await?,
            IdentityChange::Group(g) => put_group(conn, g).await?,
            IdentityChange::DeleteGroup(id) => delete_group(conn, *id).await?,
            IdentityChange::AddMember { group, user } => {
                add_member(conn, *group, *user, Ts::from(now)).await?;
            }
            IdentityChange::RemoveMember { group, user } => {
                remove_member(conn, *group, *user).await?;
            }
        }
    }
    audit::insert(conn, &batch.audit).await?;
    Ok(BatchOutcome::Applied)
}

pub(crate) async fn apply(pool: &Pool<Db>, batch: &IdentityBatch) -> Result<BatchOutcome> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    match apply_in(&mut tx, batch).await {
        // A duplicate writes nothing: roll back rather than commit an empty transaction.
        Ok(BatchOutcome::Duplicate) => {
            if let Err(e) = tx.rollback().await {
                tracing::warn!(error = %e, "rollback failed");
            }
            Ok(BatchOutcome::Duplicate)
        }
        result => finish(tx, result).await,
    }
}

pub(crate) async fn event_seen(pool: &Pool<Db>, event_id: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE event_id = ?")
        .bind(event_id)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(n > 0)
}

pub(crate) async fn partner_by_scaikey_id(
    pool: &Pool<Db>,
    scaikey_id: &str,
) -> Result<Option<Partner>> {
    let sql = format!("SELECT {PARTNER_COLUMNS} FROM partners WHERE scaikey_partner_id = ?");
    let row: Option<PartnerRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(scaikey_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(PartnerRow::into_model).transpose()
}

pub(crate) async fn list_partners(pool: &Pool<Db>) -> Result<Vec<Partner>> {
    let sql = format!("SELECT {PARTNER_COLUMNS} FROM partners ORDER BY name, id");
    let rows: Vec<PartnerRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(PartnerRow::into_model).collect()
}

pub(crate) async fn tenant_partner_id(
    pool: &Pool<Db>,
    tenant: TenantId,
) -> Result<Option<PartnerId>> {
    let id: Option<Option<String>> =
        sqlx::query_scalar("SELECT partner_id FROM tenants WHERE id = ?")
            .bind(tenant.to_string())
            .fetch_optional(pool)
            .await
            .map_err(db_err)?;
    id.flatten()
        .map(|p| {
            p.parse()
                .map_err(|_| corrupt("tenants", &tenant.to_string(), "partner_id: not a UUID"))
        })
        .transpose()
}
