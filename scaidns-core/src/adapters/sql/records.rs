//! Records: reads, and the inserts and deletes that [`super::zones::write`] makes inside its
//! transaction (compiled once per engine, see `super`).

use std::collections::HashSet;

use ::sqlx::{AssertSqlSafe, Pool, QueryBuilder};

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

/// Rows per `INSERT`: 11 binds each stays well under every engine's bind limit.
pub(crate) const ROWS_PER_INSERT: usize = 500;

/// Inserts records, one statement for up to [`ROWS_PER_INSERT`] of them; a duplicate (name,
/// type, content) in the zone is 409 `record_exists` naming the record it duplicates, the first
/// in `records` order as if they were inserted one by one.
///
/// Where the engine can skip a conflicting row and say which rows it inserted
/// ([`super::INSERT_SKIPPING_CONFLICTS`]), the statement does so and a skipped row is the
/// duplicate: no savepoint is needed on PostgreSQL, whose transaction a failed statement would
/// abort. Elsewhere (MariaDB) a failed statement is rolled back alone, and the chunk is inserted
/// again row by row to find the duplicate.
pub(crate) async fn insert(conn: &mut Conn, records: &[Record]) -> Result<()> {
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let hashes: Vec<String> = chunk.iter().map(|r| content_hash(&r.content)).collect();
        let mut query = insert_statement(chunk.iter().zip(&hashes));
        if let Some(skipping) = super::INSERT_SKIPPING_CONFLICTS {
            query.push(skipping);
            let inserted: HashSet<String> = query
                .build_query_scalar::<String>()
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?
                .into_iter()
                .collect();
            if let Some((record, hash)) = chunk
                .iter()
                .zip(&hashes)
                .find(|(r, _)| !inserted.contains(&r.id.to_string()))
            {
                return Err(duplicate(conn, record, hash).await?);
            }
            continue;
        }
        match query.build().execute(&mut *conn).await {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => {
                return Err(first_duplicate(conn, chunk, &hashes).await?);
            }
            Err(err) => return Err(db_err(err)),
        }
    }
    Ok(())
}

/// The columns of a record row as [`record_args`] binds them.
pub(crate) const INSERT_COLUMNS: &str = "id, zone_id, name, rtype, content, content_hash, ttl, \
     disabled, is_system, created_at, updated_at";

/// One `INSERT` of these records with their content hashes.
fn insert_statement<'a>(rows: impl Iterator<Item = (&'a Record, &'a String)>) -> QueryBuilder<Db> {
    let mut query: QueryBuilder<Db> =
        QueryBuilder::new(format!("INSERT INTO records ({INSERT_COLUMNS}) "));
    query.push_values(rows, |mut b, (record, hash)| {
        dynamic_query::push_row(&mut b, record_args(record, hash));
    });
    query
}

/// A record row's values, in [`INSERT_COLUMNS`] order.
pub(crate) fn record_args(record: &Record, hash: &str) -> [Arg; 11] {
    [
        Arg::Text(record.id.to_string()),
        Arg::Text(record.zone_id.to_string()),
        Arg::Text(record.name.as_str().to_owned()),
        Arg::Text(record.rtype().as_str().to_owned()),
        Arg::Text(record.content.as_str().to_owned()),
        Arg::Text(hash.to_owned()),
        Arg::Int(i64::from(record.ttl.seconds())),
        Arg::Bool(record.disabled),
        Arg::Bool(record.system),
        Arg::Ts(Ts::from(record.created_at)),
        Arg::Ts(Ts::from(record.updated_at)),
    ]
}

/// After a chunk's `INSERT` failed on a unique key (and was rolled back alone, as MariaDB does
/// with a failed statement), inserts its rows one by one up to the first that collides.
async fn first_duplicate(conn: &mut Conn, chunk: &[Record], hashes: &[String]) -> Result<Error> {
    for (record, hash) in chunk.iter().zip(hashes) {
        let inserted = insert_statement(std::iter::once((record, hash)))
            .build()
            .execute(&mut *conn)
            .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return duplicate(conn, record, hash).await,
            Err(err) => return Err(db_err(err)),
        }
    }
    Err(Error::internal(
        "a record insert failed on a unique key that no single row breaks",
    ))
}

/// Explains a unique violation on inserting `record`: the lookup runs on the same connection
/// (the failed or skipped insert left the transaction usable).
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
        // An upsert's id taken by another zone, or a new record's id already stored: ids are
        // fresh UUIDs, so this is a bug, not a replace.
        None => Error::internal(format!("record id {} is already taken", record.id)),
    })
}
