//! The `sqlx` the PostgreSQL copy of the query code sees: the real crate, except that
//! `query`, `query_as` and `query_scalar` rewrite the `?` placeholders the shared query text is
//! written with into PostgreSQL's `$1, $2, …` before handing it on. The query files stay one
//! text for all three engines; the rewrite costs one string copy per query.

pub(crate) use ::sqlx::*;

// Imported under names of their own: plain imports would shadow (and hide) the glob's.
use ::sqlx::AssertSqlSafe as Sql;
pub(crate) use ::sqlx::Database;
use ::sqlx::FromRow as Row;
use ::sqlx::SqlSafeStr as SafeStr;
use ::sqlx::query::{Query as Q, QueryAs as QAs, QueryScalar as QScalar};

/// [`::sqlx::query`] with `?` placeholders numbered for PostgreSQL.
pub(crate) fn query<'q, DB: Database>(sql: impl SafeStr) -> Q<'q, DB, <DB as Database>::Arguments> {
    ::sqlx::query(Sql(numbered(sql.into_sql_str().as_str())))
}

/// [`::sqlx::query_as`] with `?` placeholders numbered for PostgreSQL.
pub(crate) fn query_as<'q, DB, O>(sql: impl SafeStr) -> QAs<'q, DB, O, <DB as Database>::Arguments>
where
    DB: Database,
    O: for<'r> Row<'r, DB::Row>,
{
    ::sqlx::query_as(Sql(numbered(sql.into_sql_str().as_str())))
}

/// [`::sqlx::query_scalar`] with `?` placeholders numbered for PostgreSQL.
pub(crate) fn query_scalar<'q, DB, O>(
    sql: impl SafeStr,
) -> QScalar<'q, DB, O, <DB as Database>::Arguments>
where
    DB: Database,
    (O,): for<'r> Row<'r, DB::Row>,
{
    ::sqlx::query_scalar(Sql(numbered(sql.into_sql_str().as_str())))
}

/// `sql` with each `?` outside quotes replaced by `$1`, `$2`, … in order.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut quote: Option<char> = None;
    let mut next = 1;
    for c in sql.chars() {
        match (quote, c) {
            // A doubled quote inside a literal closes and reopens it: same result.
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                out.push('$');
                out.push_str(&next.to_string());
                next += 1;
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn numbers_placeholders_outside_quotes() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ? OFFSET ?"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4 OFFSET $5"
        );
        assert_eq!(
            numbered("SELECT '?', 'it''s ?', \"q?\" FROM t WHERE x = ?"),
            "SELECT '?', 'it''s ?', \"q?\" FROM t WHERE x = $1"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }
}
