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
