//! Zone history entries (compiled once per engine, see `super`): written inside the zone
//! write they describe, read by zone and generation, pruned by the worker. The RRset changes
//! are JSON text.

use ::sqlx::Pool;
use chrono::{DateTime, Utc};

use super::common::finish;
use super::dynamic_query;
use super::sqlx;
use super::{Conn, Db, begin_write};
use crate::adapters::sql::types::{Arg, Filter, Ts, corrupt, count, db_err};
use crate::audit::{ActorType, AuditEvent};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::paging::{Page, PageRequest};
use crate::zone::history::HistoryEntry;

pub(crate) const COLUMNS: &str = "zone_id, generation, tenant_id, action, actor_type, actor_id, \
                       actor_email, request_id, created_at, changes";

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    zone_id: String,
    generation: i64,
    tenant_id: String,
    action: String,
    actor_type: String,
    actor_id: Option<String>,
    actor_email: Option<String>,
    request_id: Option<String>,
    created_at: Ts,
    changes: String,
}

impl HistoryRow {
    fn into_model(self) -> Result<HistoryEntry> {
        let key = format!("{}/{}", self.zone_id, self.generation);
        let bad = |column: &str, e: &dyn std::fmt::Display| {
            corrupt("zone_history", &key, format!("{column}: {e}"))
        };
        Ok(HistoryEntry {
            zone_id: self
                .zone_id
                .parse()
                .map_err(|e: Error| bad("zone_id", &e))?,
            tenant_id: self
                .tenant_id
                .parse()
                .map_err(|e: Error| bad("tenant_id", &e))?,
            generation: self.generation,
            action: self.action,
            actor_type: self
                .actor_type
                .parse::<ActorType>()
                .map_err(|e| bad("actor_type", &e))?,
            actor_id: self.actor_id,
            actor_email: self.actor_email,
            request_id: self.request_id,
            created_at: self.created_at.get(),
            changes: serde_json::from_str(&self.changes).map_err(|e| bad("changes", &e))?,
        })
    }
}

/// Keeps `entry` in the transaction of the write it describes.
pub(crate) async fn insert(conn: &mut Conn, entry: &HistoryEntry) -> Result<()> {
    dynamic_query::bind(
        sqlx::query(sqlx::AssertSqlSafe(insert_sql())),
        history_args(entry)?,
    )
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// The `INSERT` of one entry, bound by [`history_args`].
pub(crate) fn insert_sql() -> String {
    format!("INSERT INTO zone_history ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
}

/// An entry's values, in `COLUMNS` order.
pub(crate) fn history_args(entry: &HistoryEntry) -> Result<Vec<Arg>> {
    let changes = serde_json::to_string(&entry.changes)
        .map_err(|e| Error::internal(format!("zone history JSON: {e}")))?;
    Ok(vec![
        Arg::Text(entry.zone_id.to_string()),
        Arg::Int(entry.generation),
        Arg::Text(entry.tenant_id.to_string()),
        Arg::Text(entry.action.clone()),
        Arg::Text(entry.actor_type.as_str().to_owned()),
        Arg::OptText(entry.actor_id.clone()),
        Arg::OptText(entry.actor_email.clone()),
        Arg::OptText(entry.request_id.clone()),
        Arg::Ts(Ts::from(entry.created_at)),
        Arg::Text(changes),
    ])
}

/// Keeps the entry of a step that changed no record, at the zone's generation as stored (for
/// writes that raise it in SQL, such as DNSSEC's), in their transaction.
pub(crate) async fn insert_empty_step(
    conn: &mut Conn,
    zone_id: ZoneId,
    audit: &[AuditEvent],
    at: DateTime<Utc>,
) -> Result<()> {
    let main = crate::zone::history::main_event(audit);
    let sql = format!(
        "INSERT INTO zone_history ({COLUMNS}) SELECT id, generation, tenant_id, ?, ?, ?, ?, ?, ?, ? \
         FROM zones WHERE id = ?"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(main.map_or_else(|| "zone.change".to_owned(), |e| e.action.clone()))
        .bind(main.map_or(ActorType::System, |e| e.actor_type).as_str())
        .bind(main.and_then(|e| e.actor_id.clone()))
        .bind(main.and_then(|e| e.actor_email.clone()))
        .bind(main.and_then(|e| e.request_id.clone()))
        .bind(Ts::from(main.map_or(at, |e| e.created_at)))
        .bind("[]")
        .bind(zone_id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn list(
    pool: &Pool<Db>,
    zone_id: ZoneId,
    since: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<HistoryEntry>> {
    let mut f = Filter::default();
    f.and("zone_id = ?", [Arg::Text(zone_id.to_string())]);
    f.and("created_at >= ?", [Arg::Ts(Ts::from(since))]);
    let (rows, total) = dynamic_query::page::<HistoryRow>(
        pool,
        "zone_history",
        COLUMNS,
        f,
        "generation DESC",
        page,
    )
    .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(HistoryRow::into_model)
            .collect::<Result<_>>()?,
        total,
    })
}

pub(crate) async fn span(
    pool: &Pool<Db>,
    zone_id: ZoneId,
    from: i64,
    to: i64,
    since: DateTime<Utc>,
) -> Result<Vec<HistoryEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM zone_history WHERE zone_id = ? AND generation >= ? \
         AND generation <= ? AND created_at >= ? ORDER BY generation"
    );
    let rows: Vec<HistoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(zone_id.to_string())
        .bind(from)
        .bind(to)
        .bind(Ts::from(since))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(HistoryRow::into_model).collect()
}

pub(crate) async fn prune(pool: &Pool<Db>, before: DateTime<Utc>, keep: u32) -> Result<u64> {
    let mut tx = begin_write(pool).await.map_err(db_err)?;
    let result = prune_in(&mut tx, before, keep).await;
    finish(tx, result).await
}

async fn prune_in(conn: &mut Conn, before: DateTime<Utc>, keep: u32) -> Result<u64> {
    let mut removed = sqlx::query("DELETE FROM zone_history WHERE created_at < ?")
        .bind(Ts::from(before))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?
        .rows_affected();
    // Generations are contiguous from a zone's first kept entry, so its newest `keep` are the
    // ones above its top generation less `keep`.
    let over: Vec<(String, i64)> = sqlx::query_as(
        "SELECT zone_id, MAX(generation) FROM zone_history GROUP BY zone_id HAVING COUNT(*) > ?",
    )
    .bind(i64::from(keep))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for (zone_id, top) in over {
        removed += sqlx::query("DELETE FROM zone_history WHERE zone_id = ? AND generation <= ?")
            .bind(zone_id)
            .bind(top - i64::from(keep))
            .execute(&mut *conn)
            .await
            .map_err(db_err)?
            .rows_affected();
    }
    Ok(count(i64::try_from(removed).unwrap_or(i64::MAX)))
}
