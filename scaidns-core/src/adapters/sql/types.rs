//! Column encodings the engines share, and the mapping of sqlx errors onto [`Error`].
//!
//! Timestamps go through [`Ts`] so that they round-trip with microsecond precision on all three:
//! MySQL keeps them as `DATETIME(6)`, PostgreSQL as `TIMESTAMPTZ` (microseconds too); SQLite as fixed-width RFC 3339 text, whose byte order is
//! time order (sqlx's own SQLite encoding varies the number of fractional digits).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::mysql::{MySql, MySqlTypeInfo, MySqlValueRef};
use sqlx::postgres::{PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Database, Decode, Encode, Type};

use crate::error::Error;

/// A UTC timestamp as stored: truncated to microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ts(DateTime<Utc>);

impl Ts {
    pub(crate) fn get(self) -> DateTime<Utc> {
        self.0
    }

    /// The text SQLite keeps (see the module docs).
    pub(crate) fn sqlite_text(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }
}

impl From<DateTime<Utc>> for Ts {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value.trunc_subsecs(6))
    }
}

/// `Ts` of an optional timestamp.
pub(crate) fn ts_opt(value: Option<DateTime<Utc>>) -> Option<Ts> {
    value.map(Ts::from)
}

impl Type<MySql> for Ts {
    fn type_info() -> MySqlTypeInfo {
        <DateTime<Utc> as Type<MySql>>::type_info()
    }

    fn compatible(ty: &MySqlTypeInfo) -> bool {
        <DateTime<Utc> as Type<MySql>>::compatible(ty)
    }
}

impl Encode<'_, MySql> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut <MySql as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Encode::<MySql>::encode(self.0, buf)
    }
}

impl<'r> Decode<'r, MySql> for Ts {
    fn decode(value: MySqlValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<'r, MySql>>::decode(value).map(Ts::from)
    }
}

impl Type<Postgres> for Ts {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut <Postgres as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode(self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Ts {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<'r, Postgres>>::decode(value).map(Ts::from)
    }
}

impl Type<Sqlite> for Ts {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Ts {
    fn encode_by_ref(
        &self,
        buf: &mut <Sqlite as Database>::ArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.sqlite_text(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Ts {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<'r, Sqlite>>::decode(value)?;
        let parsed = DateTime::parse_from_rfc3339(&text)?;
        Ok(Ts::from(parsed.with_timezone(&Utc)))
    }
}

/// The escape character of every `LIKE` pattern built here (a backslash means different things
/// in MySQL and SQLite string literals; `!` means the same in both).
pub(crate) const LIKE_ESCAPE: &str = "!";

/// A `LIKE` pattern matching values that contain `needle` (lowercased, since callers compare
/// against `LOWER(column)`), with wildcards in the needle taken literally.
pub(crate) fn contains_pattern(needle: &str) -> String {
    format!("%{}%", escape_like(&needle.to_lowercase()))
}

/// Escapes `%`, `_` and the escape character itself.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// A bound value of a query built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Bool(bool),
    Ts(Ts),
    /// A text column's value or NULL (typed, as PostgreSQL needs a NULL's type).
    OptText(Option<String>),
    /// A timestamp column's value or NULL.
    OptTs(Option<Ts>),
}

/// A `WHERE` clause built at run time from fixed fragments and bound values.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    clauses: Vec<String>,
    pub(crate) args: Vec<Arg>,
}

impl Filter {
    /// Adds `clause` (with one `?` per value in `args`), joined with `AND`.
    pub(crate) fn and(&mut self, clause: impl Into<String>, args: impl IntoIterator<Item = Arg>) {
        self.clauses.push(clause.into());
        self.args.extend(args);
    }

    /// Adds `column IN (?, …)`; an empty list matches nothing.
    pub(crate) fn and_in(&mut self, column: &str, values: impl IntoIterator<Item = String>) {
        let values: Vec<Arg> = values.into_iter().map(Arg::Text).collect();
        if values.is_empty() {
            self.clauses.push("1 = 0".to_owned());
        } else {
            let marks = vec!["?"; values.len()].join(", ");
            self.and(format!("{column} IN ({marks})"), values);
        }
    }

    /// Adds a case-insensitive substring match on any of `columns`.
    pub(crate) fn and_contains(&mut self, columns: &[&str], needle: &str) {
        let pattern = contains_pattern(needle);
        let ors: Vec<String> = columns
            .iter()
            .map(|c| format!("LOWER({c}) LIKE ? ESCAPE '{LIKE_ESCAPE}'"))
            .collect();
        self.and(
            format!("({})", ors.join(" OR ")),
            columns.iter().map(|_| Arg::Text(pattern.clone())),
        );
    }

    /// ` WHERE …`, or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// Converts a page size and offset to bound values.
pub(crate) fn limit_offset(page: crate::paging::PageRequest) -> [Arg; 2] {
    let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
    [Arg::Int(i64::from(page.page_size)), Arg::Int(offset)]
}

/// Maps a failed query onto the core's error; messages come from the driver and never contain
/// the connection URL.
pub(crate) fn db_err(err: sqlx::Error) -> Error {
    Error::store(format!("database error: {err}"))
}

/// Whether `err` is a unique-key violation.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// A row that no longer parses into its model.
pub(crate) fn corrupt(table: &str, id: &str, detail: impl std::fmt::Display) -> Error {
    Error::internal(format!("corrupt {table} row {id}: {detail}"))
}

/// A count read from the database.
pub(crate) fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("A_b%c!"), "%a!_b!%c!!%");
        assert_eq!(escape_like("example.com"), "example.com");
    }

    #[test]
    fn timestamps_truncate_to_microseconds_and_sort_as_text() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let ts = Ts::from(t);
        assert_eq!(ts.sqlite_text(), "2026-01-02T03:04:05.123456Z");
        let whole = Ts::from(
            DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        assert_eq!(whole.sqlite_text(), "2026-01-02T03:04:05.000000Z");
        assert!(whole.sqlite_text() < ts.sqlite_text());
    }
}
