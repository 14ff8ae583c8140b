//! Helpers of the query modules' writes: one statement with its audit entries, ending write
//! transactions, deleting a zone's rows by id (compiled once per engine, see `super`).

use ::sqlx::query::Query;
use ::sqlx::{AssertSqlSafe, Database, Pool, Transaction};

use super::sqlx;
use super::{Conn, Db, audit};
use crate::adapters::sql::types::{db_err, is_unique_violation};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};

type Args = <Db as Database>::Arguments;

/// Runs one statement then the audit entries; a unique violation becomes `conflict()`, no
/// affected row `not_found` (when given).
pub(crate) async fn run_one(
    conn: &mut Conn,
    query: Query<'_, Db, Args>,
    events: &[AuditEvent],
    conflict: impl FnOnce() -> Error,
    not_found: Option<Error>,
) -> Result<()> {
    let done = query.execute(&mut *conn).await.map_err(|e| {
        if is_unique_violation(&e) {
            conflict()
        } else {
            db_err(e)
        }
    })?;
    if let Some(err) = not_found
        && done.rows_affected() == 0
    {
        return Err(err);
    }
    audit::insert(conn, events).await
}

/// [`run_one`] in a write transaction of its own.
pub(crate) async fn write_one(
    pool: &Pool<Db>,
    query: Query<'_, Db, Args>,
    events: &[AuditEvent],
    conflict: impl FnOnce() -> Error,
    not_found: Option<Error>,
) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = run_one(&mut tx, query, events, conflict, not_found).await;
    finish(tx, result).await
}

/// Ends a write transaction: commits after success, rolls back at once after a failure (rather
/// than when the connection is next used) so that locks are released before the error returns.
pub(crate) async fn finish<T>(tx: Transaction<'static, Db>, result: Result<T>) -> Result<T> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(db_err)?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

/// Deletes the rows of `table` with these ids that belong to `zone_id`.
///
/// Only ids that exist are deleted where the engine needs it ([`super::DELETE_LOCKS_ABSENT_KEYS`]). On MariaDB/MySQL (repeatable read) a `DELETE` that finds
/// no row by its primary key still locks the gap where the key would be, and new ids (UUIDv7)
/// all fall into the last gap of the index: two writes adding rows to any two zones at once
/// would each hold that gap and then wait for the other's insert there, a deadlock that fails
/// one of them. The plain `SELECT` takes no lock; it runs under the zone's row lock, which
/// every writer of this zone's rows holds, so no row of the zone can appear or go meanwhile.
pub(crate) async fn delete_zone_rows(
    conn: &mut Conn,
    table: Table,
    zone_id: &str,
    ids: &[String],
) -> Result<()> {
    // Bounded so the statement stays under both engines' placeholder limits.
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let select = format!(
            "SELECT id FROM {} WHERE zone_id = ? AND id IN ({marks})",
            table.name()
        );
        let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(select)).bind(zone_id);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        let existing = if super::DELETE_LOCKS_ABSENT_KEYS {
            query.fetch_all(&mut *conn).await.map_err(db_err)?
        } else {
            chunk.to_vec()
        };
        if existing.is_empty() {
            continue;
        }
        let marks = vec!["?"; existing.len()].join(", ");
        let sql = format!(
            "DELETE FROM {} WHERE zone_id = ? AND id IN ({marks})",
            table.name()
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(zone_id);
        for id in &existing {
            query = query.bind(id.as_str());
        }
        query.execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

/// Tables whose rows belong to a zone.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table {
    Records,
    Validations,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Records => "records",
            Table::Validations => "validations",
        }
    }
}
