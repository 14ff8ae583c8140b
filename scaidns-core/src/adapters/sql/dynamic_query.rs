//! Queries built at run time (compiled once per engine, see `super`): binding their values in
//! order, and the count-then-page read every filtered list uses.

use ::sqlx::query::{Query, QueryAs, QueryScalar};
use ::sqlx::query_builder::Separated;
use ::sqlx::{AssertSqlSafe, Database, Pool};

use super::Db;
use super::sqlx;
use crate::adapters::sql::types::{Arg, Filter, count, db_err, limit_offset};
use crate::error::Result;
use crate::paging::PageRequest;

type Args = <Db as Database>::Arguments;

/// Binds each [`Arg`] to `query` in order; a macro because sqlx's query kinds share `bind` by
/// name only, not through a trait.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Text(v) => query.bind(v),
                Arg::Int(v) => query.bind(v),
                Arg::Bool(v) => query.bind(v),
                Arg::Ts(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
                Arg::OptTs(v) => query.bind(v),
            };
        }
        query
    }};
}

/// Binds `args` in order.
pub(crate) fn bind<'q>(query: Query<'q, Db, Args>, args: Vec<Arg>) -> Query<'q, Db, Args> {
    bind_all!(query, args)
}

/// Pushes `args` as the values of one row (`QueryBuilder::push_values`).
pub(crate) fn push_row(row: &mut Separated<'_, Db, &str>, args: impl IntoIterator<Item = Arg>) {
    for arg in args {
        match arg {
            Arg::Text(v) => row.push_bind(v),
            Arg::Int(v) => row.push_bind(v),
            Arg::Bool(v) => row.push_bind(v),
            Arg::Ts(v) => row.push_bind(v),
            Arg::OptText(v) => row.push_bind(v),
            Arg::OptTs(v) => row.push_bind(v),
        };
    }
}

/// Binds `args` in order.
pub(crate) fn bind_as<'q, O>(
    query: QueryAs<'q, Db, O, Args>,
    args: Vec<Arg>,
) -> QueryAs<'q, Db, O, Args> {
    bind_all!(query, args)
}

/// Binds `args` in order.
pub(crate) fn bind_scalar<'q, O>(
    query: QueryScalar<'q, Db, O, Args>,
    args: Vec<Arg>,
) -> QueryScalar<'q, Db, O, Args> {
    bind_all!(query, args)
}

/// Counts the rows of `table` that match `filter`, then fetches one page of them in `order`:
/// the rows and the total.
pub(crate) async fn page<R>(
    pool: &Pool<Db>,
    table: &str,
    columns: &str,
    filter: Filter,
    order: &str,
    page: PageRequest,
) -> Result<(Vec<R>, u64)>
where
    R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
{
    let where_sql = filter.sql();
    let sql = format!("SELECT {columns} FROM {table}{where_sql} ORDER BY {order} LIMIT ? OFFSET ?");
    counted_page(pool, table, filter, sql, page).await
}

/// [`page`] for a table keyed by `id` with an index that serves `order` and holds the columns
/// `filter` tests: the page's ids are found in that index first, then only their rows are read.
/// Else MariaDB reads the whole row of every row an OFFSET skips (a late page of a tenant with
/// 10,000 zones took ~30 ms, against ~2 ms for its ids).
pub(crate) async fn page_by_id<R>(
    pool: &Pool<Db>,
    table: &str,
    columns: &str,
    filter: Filter,
    order: &str,
    page: PageRequest,
) -> Result<(Vec<R>, u64)>
where
    R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
{
    let where_sql = filter.sql();
    let ids = format!("SELECT id FROM {table}{where_sql} ORDER BY {order} LIMIT ? OFFSET ?");
    let sql = super::rows_by_ids(columns, table, &ids, order);
    counted_page(pool, table, filter, sql, page).await
}

/// The total of `filter` on `table`, and the rows of `sql`, which takes `filter`'s arguments
/// then the page's limit and offset.
async fn counted_page<R>(
    pool: &Pool<Db>,
    table: &str,
    filter: Filter,
    sql: String,
    page: PageRequest,
) -> Result<(Vec<R>, u64)>
where
    R: for<'r> sqlx::FromRow<'r, <Db as Database>::Row> + Send + Unpin,
{
    let where_sql = filter.sql();
    let total: i64 = bind_scalar(
        sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table}{where_sql}"
        ))),
        filter.args.clone(),
    )
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    let mut args = filter.args;
    args.extend(limit_offset(page));
    let rows: Vec<R> = bind_as(sqlx::query_as(AssertSqlSafe(sql)), args)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok((rows, count(total)))
}
