//! Platform settings: a key → text table (compiled once per engine, see `super`).

use ::sqlx::Pool;

use super::sqlx;
use super::{Db, audit};
use crate::adapters::sql::types::db_err;
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
