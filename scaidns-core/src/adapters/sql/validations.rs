//! Ownership-validation challenges: reads, and the writes [`super::zones::write`] makes inside
//! its transaction (compiled once per engine, see `super`).

use ::sqlx::{AssertSqlSafe, Pool};

use super::common::{Table, delete_zone_rows};
use super::dynamic_query::bind_as;
use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::rows::{ValidationRow, models, validation_columns};
use crate::adapters::sql::types::{Arg, Filter, Ts, db_err, is_unique_violation, ts_opt};
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::ownership::{Validation, ValidationStatus};

pub(crate) async fn latest(pool: &Pool<Db>, zone_id: ZoneId) -> Result<Option<Validation>> {
    let row: Option<ValidationRow> = sqlx::query_as(concat!(
        "SELECT ",
        validation_columns!(),
        " FROM validations WHERE zone_id = ? ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(zone_id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(ValidationRow::into_model).transpose()
}

pub(crate) async fn open(pool: &Pool<Db>, limit: u32) -> Result<Vec<Validation>> {
    let mut f = Filter::default();
    let open = ValidationStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str().to_owned());
    f.and_in("status", open);
    f.args.push(Arg::Int(i64::from(limit)));
    let sql = format!(
        concat!(
            "SELECT ",
            validation_columns!(),
            " FROM validations{} ORDER BY created_at, id LIMIT ?"
        ),
        f.sql()
    );
    let rows: Vec<ValidationRow> = bind_as(sqlx::query_as(AssertSqlSafe(sql)), f.args)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    models(rows, ValidationRow::into_model)
}

/// Inserts or replaces (by id) challenges of `zone_id`.
pub(crate) async fn upsert(
    conn: &mut Conn,
    zone_id: ZoneId,
    validations: &[Validation],
) -> Result<()> {
    if let Some(other) = validations.iter().find(|v| v.zone_id != zone_id) {
        return Err(Error::internal(format!(
            "validation {} belongs to another zone",
            other.id
        )));
    }
    // Replacing by delete + insert keeps the statements the same on both engines.
    let ids: Vec<String> = validations.iter().map(|v| v.id.to_string()).collect();
    delete_zone_rows(conn, Table::Validations, &zone_id.to_string(), &ids).await?;
    for v in validations {
        sqlx::query(concat!(
            "INSERT INTO validations (",
            validation_columns!(),
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(v.id.to_string())
        .bind(v.zone_id.to_string())
        .bind(v.validation_type.as_str())
        .bind(v.status.as_str())
        .bind(v.token.as_str())
        .bind(v.last_message.as_deref())
        .bind(ts_opt(v.checked_at))
        .bind(Ts::from(v.expires_at))
        .bind(Ts::from(v.created_at))
        .bind(Ts::from(v.updated_at))
        .bind(i64::from(v.check_count))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::internal(format!(
                    "validation id {} is already used by another zone",
                    v.id
                ))
            } else {
                db_err(e)
            }
        })?;
    }
    Ok(())
}
