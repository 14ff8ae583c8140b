//! A record change written to SQLite in one hand-off to the connection (SQLite only).
//!
//! Each statement sqlx runs on SQLite is a round trip to the connection's worker thread, and on
//! a small VM the two thread wake-ups cost more than SQLite's own work: 60–100 µs against
//! 5–25 µs (BENCHMARKS.md). A record create made seven of them (`BEGIN`, the zone's `UPDATE`,
//! the records' and the audit's `INSERT`s, the webhook subscriptions' read, the history entry,
//! `COMMIT`). Here the connection's handle is locked out of its worker thread
//! ([`sqlx::sqlite::SqliteConnection::lock_handle`], sqlx's door to calling SQLite directly) and
//! the whole transaction runs through rusqlite on the calling task, with the statements and
//! values `zones::write` uses (`one_step::OneStep`): one hand-off.
//!
//! It writes only the usual record change, and steps aside, having written nothing, where
//! `one_step` says, and when SQLite answers busy or locked (another writer holds the database):
//! the attempt does not wait (busy timeout 0), since that wait belongs on sqlx's worker thread,
//! not the async runtime's, and `zones::write` then waits as usual. What does run on the
//! runtime's thread is SQLite's own work, tens of µs, and now and then the WAL checkpoint a
//! commit starts every 1,000 pages (a few ms, where sqlx's worker thread would have run it).
//!
//! Cancellation cannot leave a transaction open: nothing awaits between `BEGIN` and its end.
//! A panic or a failed `ROLLBACK` cannot either: the connection is put back as it was lent
//! (autocommit, its busy timeout), or closed.

use std::ptr::NonNull;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{
    ErrorCode, OptionalExtension, ToSql, Transaction, TransactionBehavior, params_from_iter,
};
use sqlx::SqlitePool;
use sqlx::sqlite::LockedSqliteHandle;

use super::sqlite::one_step::OneStep;
use super::sqlite::{records, webhooks, zone_history, zones};
use super::types::{Arg, db_err};
use crate::adapters::sql::rows::audit_columns;
use crate::error::{Error, Result};
use crate::ports::store::{Publisher, ZoneWrite};
use crate::zone::Zone;

/// Writes `write` in one hand-off when it is the usual record change (see the module docs):
/// the zone as stored, or `None` when it stepped aside and wrote nothing.
pub(crate) async fn write_in_one_step(
    pool: &SqlitePool,
    write: &ZoneWrite,
    publisher: &dyn Publisher,
) -> Result<Option<Zone>> {
    let Some(step) = OneStep::of(write, publisher)? else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let mut handle = conn.lock_handle().await.map_err(db_err)?;
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        on_handle(&mut handle, |conn| run(&step, conn))
    }));
    drop(handle);
    let (outcome, lent_back) = match attempt {
        Ok(attempt) => attempt,
        Err(panic) => {
            // Whatever the guard managed to put back, no one may use this connection again.
            conn.close_on_drop();
            std::panic::resume_unwind(panic);
        }
    };
    if !lent_back {
        // Still inside a transaction, or without its busy timeout: no one may use it again.
        conn.close_on_drop();
    }
    match outcome {
        Ok(true) => Ok(Some(zones::as_stored(write.zone.clone(), None))),
        Ok(false) => Ok(None),
        Err(e) => Err(Error::store(format!("database error: {e}"))),
    }
}

/// Runs `f` on the SQLite connection behind `handle` with the busy timeout at 0, then puts the
/// connection back as it was lent, even when `f` panics: its busy timeout, and no transaction
/// open. Returns what `f` did (a connection lent inside a transaction is stepped aside from:
/// `Ok(false)`) and whether the connection is as it was lent.
fn on_handle(
    handle: &mut LockedSqliteHandle<'_>,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<bool>,
) -> (rusqlite::Result<bool>, bool) {
    let raw: NonNull<rusqlite::ffi::sqlite3> = handle.as_raw_handle();
    // SAFETY: `raw` is sqlx's open connection, and `handle` keeps sqlx's worker thread off it
    // until it is dropped, after `conn` (dropped at the end of this function): nothing else
    // uses the handle meanwhile. A connection made by `from_handle` does not own the handle,
    // so dropping it leaves the handle open for sqlx.
    #[allow(unsafe_code)]
    let conn = match unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) } {
        Ok(conn) => conn,
        Err(e) => return (Err(e), true),
    };
    if !conn.is_autocommit() {
        return (Ok(false), false);
    }
    let lent = match Lent::take(&conn) {
        Ok(lent) => lent,
        Err(e) => return (Err(e), true),
    };
    let outcome = f(&conn);
    (outcome, lent.give_back())
}

/// The connection as it was lent, put back by [`Lent::give_back`] or, after a panic, on drop.
struct Lent<'c> {
    conn: &'c rusqlite::Connection,
    busy_timeout: Duration,
    given_back: bool,
}

impl<'c> Lent<'c> {
    /// Notes the busy timeout and sets it to 0.
    fn take(conn: &'c rusqlite::Connection) -> rusqlite::Result<Self> {
        let ms: i64 = conn.pragma_query_value(None, "busy_timeout", |row| row.get(0))?;
        conn.busy_timeout(Duration::ZERO)?;
        Ok(Self {
            conn,
            busy_timeout: Duration::from_millis(ms.unsigned_abs()),
            given_back: false,
        })
    }

    /// Rolls back a transaction left open and puts the busy timeout back; whether the
    /// connection is now as it was lent.
    fn give_back(mut self) -> bool {
        self.given_back = true;
        self.put_back()
    }

    fn put_back(&self) -> bool {
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rollback failed; the connection will be closed");
        }
        let restored = self.conn.busy_timeout(self.busy_timeout);
        if let Err(e) = &restored {
            tracing::warn!(error = %e, "could not put the busy timeout back; the connection will be closed");
        }
        restored.is_ok() && self.conn.is_autocommit()
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if !self.given_back {
            self.put_back();
        }
    }
}

/// Runs `step` in one transaction on `conn`; whether it committed (`false`: stepped aside,
/// nothing written).
fn run(step: &OneStep, conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    match write(step, conn) {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::ConstraintViolation
            ) =>
        {
            Ok(false)
        }
        other => other,
    }
}

/// [`run`]'s transaction: `false` when the zone row or a subscription sends the write to
/// `zones::write`; an error (busy, a duplicate record) rolls it back as well.
fn write(step: &OneStep, conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let any_subscription = format!("SELECT 1 {} LIMIT 1", webhooks::FROM_ACTIVE_SUBSCRIPTIONS);
    for tenant in &step.notifying_tenants {
        let args = webhooks::active_subscription_args(*tenant);
        let found = tx
            .query_row(&any_subscription, params_from_iter(&args), |_| Ok(()))
            .optional()?;
        if found.is_some() {
            return Ok(false);
        }
    }
    if tx.execute(
        zones::UPDATE_UNLESS_STALE,
        params_from_iter(&step.zone_update),
    )? != 1
    {
        return Ok(false);
    }
    for (table, columns, rows) in [
        ("records", records::INSERT_COLUMNS, &step.records),
        ("audit_events", audit_columns!(), &step.audit),
        ("zone_history", zone_history::COLUMNS, &step.history),
    ] {
        if let Some(values) = rows.placeholders() {
            let sql = format!("INSERT INTO {table} ({columns}) VALUES {values}");
            tx.execute(&sql, params_from_iter(&rows.args))?;
        }
    }
    tx.commit()?;
    Ok(true)
}

impl ToSql for Arg {
    /// As sqlx-sqlite binds the same values: text, integers, booleans as 0/1, timestamps as
    /// `Ts`'s text.
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Text(v) => ToSqlOutput::from(v.as_str()),
            Arg::Int(v) => ToSqlOutput::from(*v),
            Arg::Bool(v) => ToSqlOutput::from(i64::from(*v)),
            Arg::Ts(v) => ToSqlOutput::Owned(Value::Text(v.sqlite_text())),
            Arg::OptText(Some(v)) => ToSqlOutput::from(v.as_str()),
            Arg::OptTs(Some(v)) => ToSqlOutput::Owned(Value::Text(v.sqlite_text())),
            Arg::OptText(None) | Arg::OptTs(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

    use super::*;
    use crate::adapters::sql::sqlite::one_step::fixtures::{
        MayPublish, NeverAsked, after, subscribe, writes,
    };
    use crate::adapters::sql::{Pools, SqlStore};
    use crate::ids::{RecordId, TenantId, ZoneId};
    use crate::name::ZoneName;
    use crate::ports::Store;
    use crate::ports::store::{NoPublish, RecordStore, ZoneStore};
    use crate::zone::claims::OverlapPolicy;

    /// A migrated SQLite database in `dir`, and its pool of one connection.
    async fn database(dir: &tempfile::TempDir, file: &str) -> (SqlStore, SqlitePool, String) {
        let url = format!("sqlite:{}", dir.path().join(file).display());
        let store = SqlStore::connect_with_pool_size(&url, 1).await.unwrap();
        store.migrate().await.unwrap();
        let Pools::Sqlite(pool) = &store.pool else {
            unreachable!("a SQLite URL opens a SQLite pool")
        };
        let pool = pool.clone();
        (store, pool, url)
    }

    /// Every row of every table, each value with its SQLite type (`quote`).
    async fn dump(pool: &SqlitePool) -> Vec<String> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let mut all = Vec::new();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let quoted: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
            let sql = format!(
                "SELECT '{table}: ' || {} AS row FROM {table} ORDER BY row",
                quoted.join(" || ', ' || ")
            );
            let table_rows: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .unwrap();
            all.extend(table_rows);
        }
        all
    }

    #[tokio::test]
    async fn the_usual_record_change_writes_in_one_step_what_the_transaction_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (_a, one_step, _) = database(&dir, "a.db").await;
        let (_b, transaction, _) = database(&dir, "b.db").await;
        let (create, change) = writes(TenantId::new());
        for pool in [&one_step, &transaction] {
            zones::write(pool, create.clone(), OverlapPolicy::Refuse, &NoPublish)
                .await
                .unwrap();
        }

        let zone_id = change.zone.id;
        let written = write_in_one_step(&one_step, &change, &NoPublish)
            .await
            .unwrap();
        let committed = zones::write(&transaction, change, OverlapPolicy::Refuse, &MayPublish)
            .await
            .unwrap();

        assert_eq!(written, Some(committed));
        let (one_step_rows, transaction_rows) = (dump(&one_step).await, dump(&transaction).await);
        assert_eq!(one_step_rows, transaction_rows);
        assert!(one_step_rows.iter().any(|r| r.starts_with("records: ")));
        assert!(
            one_step_rows
                .iter()
                .any(|r| r.starts_with("zone_history: "))
        );
        // sqlx reads back what rusqlite wrote, on the connection whose handle it lent.
        let listed = records::list(&one_step, zone_id, &Default::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
    }

    #[tokio::test]
    async fn it_steps_aside_and_writes_nothing_when_the_transaction_has_more_to_do() {
        let dir = tempfile::tempdir().unwrap();
        // One connection, so the busy timeout read at the end is the one the attempts used.
        let (_store, pool, url) = database(&dir, "z.db").await;
        let tenant = TenantId::new();
        let (create, change) = writes(tenant);
        let zone = zones::write(&pool, create, OverlapPolicy::Refuse, &NoPublish)
            .await
            .unwrap();
        let before = dump(&pool).await;
        let attempt = |write: ZoneWrite, publisher: &'static dyn Publisher| {
            let pool = pool.clone();
            async move { write_in_one_step(&pool, &write, publisher).await.unwrap() }
        };

        // What the transaction does and this does not: publishing inside it, replacing a
        // record, a new zone, a bookkeeping write.
        assert_eq!(attempt(change.clone(), &MayPublish).await, None);
        let mut replacing = change.clone();
        replacing.upsert_records = replacing.new_records.split_off(1);
        assert_eq!(attempt(replacing, &NoPublish).await, None);
        let mut bookkeeping = change.clone();
        bookkeeping.zone.generation = 1;
        bookkeeping.new_records.clear();
        assert_eq!(attempt(bookkeeping, &NoPublish).await, None);
        // What the transaction answers: a stale generation, a zone of another tenant or name,
        // a zone that is not there.
        let mut stale = change.clone();
        stale.expected_generation = Some(7);
        stale.zone.generation = 8;
        assert_eq!(attempt(stale, &NoPublish).await, None);
        let mut other_tenant = change.clone();
        other_tenant.zone.tenant_id = TenantId::new();
        assert_eq!(attempt(other_tenant, &NoPublish).await, None);
        let mut renamed = change.clone();
        renamed.zone.name = ZoneName::parse("other.example").unwrap();
        assert_eq!(attempt(renamed, &NoPublish).await, None);
        let mut ghost = change.clone();
        ghost.zone.id = ZoneId::new();
        assert_eq!(attempt(ghost, &NoPublish).await, None);
        // Another writer holds the database: no wait on the caller's thread (that it returns
        // at once rather than after the busy timeout is not asserted: it is timing). The
        // connection's own busy timeout, not the store's default, is what it gets back.
        sqlx::query("PRAGMA busy_timeout = 1234")
            .execute(&pool)
            .await
            .unwrap();
        let mut holder = SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        assert_eq!(attempt(change.clone(), &NoPublish).await, None);
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        assert_eq!(dump(&pool).await, before);
        // The connection is back with the busy timeout it was lent with.
        let busy_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(busy_ms, 1234);
        // A connection lent inside a transaction (which only a bug could leave there) is
        // stepped aside from and closed, not handed out again.
        let mut left_open = pool.acquire().await.unwrap();
        sqlx::query("BEGIN").execute(&mut *left_open).await.unwrap();
        drop(left_open);
        assert_eq!(attempt(change.clone(), &NoPublish).await, None);
        assert_eq!(dump(&pool).await, before);

        // A record the zone holds already, and one twice in the change.
        let mut first = change.clone();
        first.new_records.truncate(1);
        let committed = attempt(first, &NoPublish).await.unwrap();
        assert_eq!(committed.generation, zone.generation + 1);
        let mut twin = change.new_records[0].clone();
        twin.id = RecordId::new();
        let mut duplicate = after(&committed, &change);
        duplicate.new_records = vec![twin];
        let before = dump(&pool).await;
        assert_eq!(attempt(duplicate.clone(), &NoPublish).await, None);
        let mut doubled = after(&committed, &change);
        doubled.new_records = vec![change.new_records[1].clone(); 2];
        doubled.new_records[1].id = RecordId::new();
        assert_eq!(attempt(doubled, &NoPublish).await, None);
        assert_eq!(dump(&pool).await, before);

        // Webhook subscriptions: only an active one of the zone's tenant sends the change to
        // the transaction (whose outbox writes its events).
        subscribe(&pool, TenantId::new(), "active", true).await;
        subscribe(&pool, tenant, "active", false).await;
        subscribe(&pool, tenant, "disabled", true).await;
        let mut mx = after(&committed, &change);
        mx.new_records.remove(0);
        let committed = attempt(mx, &NoPublish).await.unwrap();
        subscribe(&pool, tenant, "active", true).await;
        let before = dump(&pool).await;
        let mut next = after(&committed, &change);
        next.new_records.clear();
        assert_eq!(attempt(next, &NoPublish).await, None);
        assert_eq!(dump(&pool).await, before);
    }

    #[tokio::test]
    async fn the_store_writes_the_usual_record_change_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _pool, _) = database(&dir, "z.db").await;
        let (create, change) = writes(TenantId::new());
        store.write_zone(create, &NoPublish).await.unwrap();
        let zone = store.write_zone(change, &NeverAsked).await.unwrap();
        assert_eq!(zone.generation, 2);
        assert_eq!(
            store
                .list_records(zone.id, &Default::default())
                .await
                .unwrap()
                .len(),
            2
        );
    }
}
