//! Platform settings: a key → text table (compiled once per engine, see `super`).

use ::sqlx::Pool;

use super::sqlx;
use super::{Db, audit};
use crate::adapters::sql::types::{db_err, is_unique_violation};
use crate::audit::AuditEvent;
use crate::error::Result;

pub(crate) async fn get(pool: &Pool<Db>, key: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT setting_value FROM settings WHERE setting_key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await
        .map_err(db_err)
}

pub(crate) async fn list(pool: &Pool<Db>, prefix: &str) -> Result<Vec<(String, String)>> {
    let pattern = format!("{}%", crate::adapters::sql::types::escape_like(prefix));
    sqlx::query_as(concat!(
        "SELECT setting_key, setting_value FROM settings WHERE setting_key LIKE ? ESCAPE '!' ",
        "ORDER BY setting_key"
    ))
    .bind(pattern)
    .fetch_all(pool)
    .await
    .map_err(db_err)
}

pub(crate) async fn put(
    pool: &Pool<Db>,
    key: &str,
    value: &str,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    sqlx::query(super::UPSERT_SETTING)
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    audit::insert(&mut tx, events).await?;
    tx.commit().await.map_err(db_err)
}

/// See [`crate::ports::store::SettingsStore::put_setting_guarded`]. The guard row is moved
/// first: a concurrent writer's `UPDATE` waits on its row lock and then finds the value it
/// expected gone (or its `INSERT` hits the unique key), so only one of them writes.
pub(crate) async fn put_guarded(
    pool: &Pool<Db>,
    (guard, expected, next): (&str, Option<&str>, &str),
    key: &str,
    value: &str,
    events: &[AuditEvent],
) -> Result<bool> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let moved = match expected {
        Some(expected) => sqlx::query(
            "UPDATE settings SET setting_value = ? WHERE setting_key = ? AND setting_value = ?",
        )
        .bind(next)
        .bind(guard)
        .bind(expected)
        .execute(&mut *tx)
        .await
        .map(|done| done.rows_affected() == 1),
        None => sqlx::query("INSERT INTO settings (setting_key, setting_value) VALUES (?, ?)")
            .bind(guard)
            .bind(next)
            .execute(&mut *tx)
            .await
            .map(|_| true)
            .or_else(|e| {
                if is_unique_violation(&e) {
                    Ok(false)
                } else {
                    Err(e)
                }
            }),
    };
    let moved = match moved {
        Ok(moved) => moved,
        Err(e) => return super::common::finish(tx, Err(db_err(e))).await,
    };
    if !moved {
        return super::common::finish(tx, Ok(false)).await;
    }
    let written = async {
        sqlx::query(super::UPSERT_SETTING)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        audit::insert(&mut tx, events).await
    }
    .await;
    super::common::finish(tx, written.map(|()| true)).await
}
