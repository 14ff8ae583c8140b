//! Records: reads, and the inserts and deletes that [`super::zones::write`] makes inside its
//! transaction (compiled once per engine, see `super`).

use ::sqlx::{AssertSqlSafe, Pool};

use super::common::{Table, delete_zone_rows};
use super::dynamic_query::{self, bind_as};
use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::rows::{
    RecordHitRow, RecordRow, content_hash, readable_models, record_columns,
};
use crate::adapters::sql::types::{Arg, Filter, Ts, count, db_err, is_unique_violation};
use crate::error::{Error, Result};
use crate::ids::{RecordId, ZoneId};
use crate::paging::{Page, PageRequest};
use crate::ports::store::{RecordFilter, RecordHit, RecordScope};
use crate::record::Record;
use crate::zone::ZoneStatus;

pub(crate) async fn list(
    pool: &Pool<Db>,
    zone_id: ZoneId,
    filter: &RecordFilter,
) -> Result<Vec<Record>> {
    list_on(pool, zone_id, filter).await
}

/// [`list`] on a pool or on one connection (a publishing turn's).
pub(crate) async fn list_on<'c, E>(
    executor: E,
    zone_id: ZoneId,
    filter: &RecordFilter,
) -> Result<Vec<Record>>
where
    E: ::sqlx::Executor<'c, Database = Db>,
{
    let mut f = Filter::default();
    f.and("r.zone_id = ?", [Arg::Text(zone_id.to_string())]);
    narrow(&mut f, filter);
    let sql = format!(
        concat!(
            "SELECT ",
            record_columns!(),
            " FROM records r JOIN zones z ON z.id = r.zone_id{} ORDER BY r.name, r.rtype, r.content, r.id"
        ),
        f.sql()
    );
    let rows: Vec<RecordRow> = bind_as(sqlx::query_as(AssertSqlSafe(sql)), f.args)
        .fetch_all(executor)
        .await
        .map_err(db_err)?;
    Ok(readable_models(rows, RecordRow::into_model))
}

/// Adds `filter`'s conditions on the record (`r`).
fn narrow(f: &mut Filter, filter: &RecordFilter) {
    if let Some(rtype) = filter.rtype {
        f.and("r.rtype = ?", [Arg::Text(rtype.as_str().to_owned())]);
    }
    if let Some(name) = &filter.name_contains {
        // Names are stored as the API shows them, without the trailing dot.
        f.and_contains(&["r.name"], name.strip_suffix('.').unwrap_or(name));
    }
    if let Some(query) = &filter.query {
        f.and_contains(&["r.name", "r.content"], query);
    }
    if !filter.include_system {
        f.and("r.is_system = ?", [Arg::Bool(false)]);
    }
}

/// One page of the records in `scope`'s live zones matching `filter`: counted and read in the
/// database, so a search never loads more than a page.
pub(crate) async fn search(
    pool: &Pool<Db>,
    scope: &RecordScope,
    filter: &RecordFilter,
    page: PageRequest,
) -> Result<Page<RecordHit>> {
    let mut f = Filter::default();
    f.and(
        "z.status <> ?",
        [Arg::Text(ZoneStatus::Deleted.as_str().to_owned())],
    );
    if let Some(tenant) = scope.tenant_id {
        f.and("z.tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    if let Some(ids) = &scope.zone_ids {
        f.and_in("r.zone_id", ids.iter().map(ToString::to_string));
    }
    narrow(&mut f, filter);
    let (rows, total) = dynamic_query::page::<RecordHitRow>(
        pool,
        "records r JOIN zones z ON z.id = r.zone_id",
        concat!(record_columns!(), ", z.tenant_id"),
        f,
        "z.name, r.name, r.rtype, r.content, r.id",
        page,
    )
    .await?;
    Ok(Page {
        items: readable_models(rows, RecordHitRow::into_model),
        total,
    })
}

pub(crate) async fn get(pool: &Pool<Db>, zone_id: ZoneId, id: RecordId) -> Result<Option<Record>> {
    let row: Option<RecordRow> = sqlx::query_as(concat!(
        "SELECT ",
        record_columns!(),
        " FROM records r JOIN zones z ON z.id = r.zone_id WHERE r.zone_id = ? AND r.id = ?"
    ))
    .bind(zone_id.to_string())
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    Ok(readable_models(row.into_iter().collect(), RecordRow::into_model).pop())
}

pub(crate) async fn count_all(pool: &Pool<Db>) -> Result<u64> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(count(total))
}

/// Deletes these records of the zone (ids of other zones are left alone).
pub(crate) async fn delete(
    conn: &mut Conn,
    zone_id: ZoneId,
    ids: impl IntoIterator<Item = RecordId>,
) -> Result<()> {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    delete_zone_rows(conn, Table::Records, &zone_id.to_string(), &ids).await
}

/// Inserts records; a duplicate (name, type, content) in the zone is 409 `record_exists`
/// naming the record it duplicates.
pub(crate) async fn insert(conn: &mut Conn, records: &[Record]) -> Result<()> {
    for record in records {
        let hash = content_hash(&record.content);
        super::savepoint(conn).await?;
        let inserted = sqlx::query(
            "INSERT INTO records (id, zone_id, name, rtype, content, content_hash, ttl, disabled, \
             is_system, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(record.id.to_string())
        .bind(record.zone_id.to_string())
        .bind(record.name.as_str())
        .bind(record.rtype().as_str())
        .bind(record.content.as_str())
        .bind(hash.as_str())
        .bind(i64::from(record.ttl.seconds()))
        .bind(record.disabled)
        .bind(record.system)
        .bind(Ts::from(record.created_at))
        .bind(Ts::from(record.updated_at))
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => {
                super::back_to_savepoint(conn).await?;
                return Err(duplicate(conn, record, &hash).await?);
            }
            Err(err) => return Err(db_err(err)),
        }
    }
    Ok(())
}

/// Explains a unique violation on inserting `record`: the lookup runs on the same connection
/// (after `super::back_to_savepoint` on PostgreSQL, which aborts the transaction otherwise).
async fn duplicate(conn: &mut Conn, record: &Record, hash: &str) -> Result<Error> {
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM records WHERE zone_id = ? AND name = ? AND rtype = ? AND content_hash = ? AND id <> ?",
    )
    .bind(record.zone_id.to_string())
    .bind(record.name.as_str())
    .bind(record.rtype().as_str())
    .bind(hash)
    .bind(record.id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(match existing {
        Some(id) => {
            Error::conflict("record_exists", "Record already exists").with_conflicts(vec![id])
        }
        None => Error::internal(format!(
            "record id {} is already used by another zone",
            record.id
        )),
    })
}
