//! A record change written to SQLite in one hand-off to the connection (SQLite only).
//!
//! Each statement sqlx runs on SQLite is a round trip to the connection's worker thread, and on
//! a small VM the two thread wake-ups cost more than SQLite's own work: 60–100 µs against
//! 5–25 µs (BENCHMARKS.md). A record create made seven of them (`BEGIN`, the zone's `UPDATE`,
//! the records' and the audit's `INSERT`s, the webhook subscriptions' read, the history entry,
//! `COMMIT`). Here the connection's handle is locked out of its worker thread
//! ([`sqlx::sqlite::SqliteConnection::lock_handle`], sqlx's door to calling SQLite directly) and
//! the whole transaction runs through rusqlite on the calling task, with the statements and
//! values `zones::write` uses (`UPDATE_UNLESS_STALE`, `records::record_args`, …): one hand-off.
//!
//! Only the usual record change comes here: new records (no record replaced or deleted, so no
//! RRset comment to tidy), audit entries and a history entry, a zone row whose keys stay as
//! they are, and nothing to publish inside the transaction. It steps aside, having changed
//! nothing, and leaves the write to `zones::write` whenever that path has more to do or to
//! explain, and for what must not block the async runtime:
//! - another writer holds the database: the attempt does not wait (busy timeout 0), since the
//!   wait belongs on sqlx's worker thread;
//! - the zone row is not at the expected generation, status, tenant and name (`zones::write`
//!   answers 404 or 409);
//! - a record duplicates one the zone holds (`zones::write` names it in its 409);
//! - the zone's tenant has an active webhook subscription (`webhooks::outbox` writes events).
//!
//! Cancellation cannot leave a transaction open: nothing awaits between `BEGIN` and its end.

use std::collections::{BTreeSet, HashSet};
use std::ptr::NonNull;

use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{ErrorCode, OptionalExtension, ToSql, TransactionBehavior, params_from_iter};
use sqlx::SqlitePool;
use sqlx::sqlite::LockedSqliteHandle;

use super::sqlite::{audit, records, webhooks, zone_history, zones};
use super::types::{Arg, db_err};
use crate::adapters::sql::rows::{audit_columns, content_hash};
use crate::error::{Error, Result};
use crate::ports::store::{Publisher, ZoneWrite};
use crate::zone::Zone;
use crate::zone::history::HistoryEntry;

/// Writes `write` in one hand-off when it is the usual record change (see the module docs):
/// the zone as stored, or `None` when it stepped aside and wrote nothing.
pub(crate) async fn write_in_one_step(
    pool: &SqlitePool,
    write: &ZoneWrite,
    publisher: &dyn Publisher,
) -> Result<Option<Zone>> {
    let Some(statements) = Statements::of(write, publisher)? else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await.map_err(db_err)?;
    let mut handle = conn.lock_handle().await.map_err(db_err)?;
    let written = on_handle(&mut handle, |conn| statements.run(conn))
        .map_err(|e| Error::store(format!("database error: {e}")))?;
    Ok(written.then(|| zones::as_stored(write.zone.clone(), None)))
}

/// Runs `f` on the SQLite connection behind `handle`, with the busy timeout at 0 for the time
/// of `f` (put back to sqlx's afterwards, whatever `f` did).
fn on_handle<R>(
    handle: &mut LockedSqliteHandle<'_>,
    f: impl FnOnce(&mut rusqlite::Connection) -> rusqlite::Result<R>,
) -> rusqlite::Result<R> {
    let raw: NonNull<rusqlite::ffi::sqlite3> = handle.as_raw_handle();
    // SAFETY: `raw` is sqlx's open connection, and `handle` keeps sqlx's worker thread off it
    // until it is dropped, after `conn` (dropped at the end of this function): nothing else
    // uses the handle meanwhile. A connection made by `from_handle` does not own the handle,
    // so dropping it leaves the handle open for sqlx.
    #[allow(unsafe_code)]
    let mut conn = unsafe { rusqlite::Connection::from_handle(raw.as_ptr()) }?;
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let result = f(&mut conn);
    let restored = conn.busy_timeout(super::SQLITE_BUSY_TIMEOUT);
    let value = result?;
    restored?;
    Ok(value)
}

/// The statements of one record change, with their values, made before the handle is taken.
struct Statements {
    /// Tenants whose active webhook subscriptions would make the outbox write events.
    notifying_tenants: BTreeSet<crate::ids::TenantId>,
    zone: Vec<Arg>,
    /// The records' `INSERT` (returning the ids it inserted), its values, and their ids.
    records: Option<(String, Vec<Arg>, HashSet<String>)>,
    audit: Option<(String, Vec<Arg>)>,
    history: Vec<Arg>,
}

impl Statements {
    /// The statements of `write` when it is the usual record change; `None` otherwise.
    fn of(write: &ZoneWrite, publisher: &dyn Publisher) -> Result<Option<Self>> {
        let Some(expected) = write
            .expected_generation
            .filter(|expected| write.zone.generation == expected + 1)
        else {
            return Ok(None);
        };
        let usual = !publisher.publishes()
            && write.upsert_records.is_empty()
            && write.delete_records.is_empty()
            && write.comments.is_empty()
            && write.validations.is_empty()
            && write.new_records.len() <= records::ROWS_PER_INSERT
            && write.audit.len() <= audit::ROWS_PER_INSERT;
        if !usual {
            return Ok(None);
        }
        let records = (!write.new_records.is_empty()).then(|| {
            let mut args = Vec::with_capacity(write.new_records.len() * 11);
            for record in &write.new_records {
                args.extend(records::record_args(record, &content_hash(&record.content)));
            }
            let sql = format!(
                "INSERT INTO records ({}) VALUES {} ON CONFLICT DO NOTHING RETURNING id",
                records::INSERT_COLUMNS,
                rows(write.new_records.len(), 11)
            );
            let ids = write.new_records.iter().map(|r| r.id.to_string()).collect();
            (sql, args, ids)
        });
        let audit = if write.audit.is_empty() {
            None
        } else {
            let mut args = Vec::with_capacity(write.audit.len() * 15);
            for event in &write.audit {
                args.extend(audit::audit_args(event)?);
            }
            let sql = format!(
                "INSERT INTO audit_events ({}) VALUES {}",
                audit_columns!(),
                rows(write.audit.len(), 15)
            );
            Some((sql, args))
        };
        let history = HistoryEntry::of_step(&write.zone, &write.audit, write.changes.clone());
        Ok(Some(Self {
            notifying_tenants: write
                .audit
                .iter()
                .filter_map(|e| webhooks::outbox_event(e).map(|(_, tenant)| tenant))
                .collect(),
            zone: zones::update_unless_stale_args(&write.zone, expected)?,
            records,
            audit,
            history: zone_history::history_args(&history)?,
        }))
    }

    /// Runs the statements in one transaction; whether they were committed (`false`: stepped
    /// aside, rolled back).
    fn run(&self, conn: &mut rusqlite::Connection) -> rusqlite::Result<bool> {
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy => {
                return Ok(false);
            }
            other => other?,
        };
        let subscribed = format!("SELECT 1 {} LIMIT 1", webhooks::ACTIVE_SUBSCRIPTIONS);
        for tenant in &self.notifying_tenants {
            let args = webhooks::active_subscription_args(*tenant);
            let found = tx
                .query_row(&subscribed, params_from_iter(&args), |_| Ok(()))
                .optional()?;
            if found.is_some() {
                return Ok(false);
            }
        }
        if tx.execute(zones::UPDATE_UNLESS_STALE, params_from_iter(&self.zone))? != 1 {
            return Ok(false);
        }
        if let Some((sql, args, ids)) = &self.records {
            let mut insert = tx.prepare(sql)?;
            let inserted = insert
                .query_map(params_from_iter(args), |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<HashSet<String>>>()?;
            if &inserted != ids {
                return Ok(false);
            }
        }
        if let Some((sql, args)) = &self.audit {
            tx.execute(sql, params_from_iter(args))?;
        }
        tx.execute(&zone_history::insert_sql(), params_from_iter(&self.history))?;
        tx.commit()?;
        Ok(true)
    }
}

/// `n` rows of `columns` placeholders each: `(?, ?), (?, ?)`.
fn rows(n: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; n].join(", ")
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
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::json;
    use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

    use super::*;
    use crate::adapters::sql::{Pools, SqlStore};
    use crate::audit::{ActorType, AuditEvent};
    use crate::ids::{AuditEventId, RecordId, TenantId, ZoneId};
    use crate::name::ZoneName;
    use crate::ports::Store;
    use crate::ports::store::{NoPublish, PublishOutcome};
    use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
    use crate::zone::change_set::RrSetDelta;
    use crate::zone::claims::OverlapPolicy;
    use crate::zone::{DomainType, SyncState, SyncStatus, ZoneStatus};

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

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + chrono::Duration::microseconds(123_456)
    }

    fn zone(tenant: TenantId) -> Zone {
        Zone {
            id: ZoneId::new(),
            tenant_id: tenant,
            name: ZoneName::parse("one-step.example").unwrap(),
            domain_type: DomainType::Primary,
            status: ZoneStatus::Active,
            status_before_delete: None,
            default_ttl: Ttl::new(3600).unwrap(),
            description: None,
            settings: json!({"float": 985.6906946328695}),
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState {
                status: SyncStatus::Pending,
                error: None,
                last_synced_at: None,
            },
            created_at: t0(),
            updated_at: t0(),
            deleted_at: None,
            secondary: None,
        }
    }

    fn record(zone: &Zone, name: &str, rtype: RecordType, content: &str) -> Record {
        Record {
            id: RecordId::new(),
            zone_id: zone.id,
            name: RecordName::parse(name, &zone.name).unwrap(),
            content: RecordContent::parse(rtype, content, &zone.name).unwrap(),
            ttl: Ttl::new(300).unwrap(),
            disabled: true,
            system: false,
            created_at: t0(),
            updated_at: t0(),
        }
    }

    fn event(zone: &Zone, action: &str) -> AuditEvent {
        AuditEvent {
            id: AuditEventId::new(),
            tenant_id: Some(zone.tenant_id),
            actor_type: ActorType::ApiKey,
            actor_id: Some("key-1".into()),
            actor_email: None,
            action: action.into(),
            resource_type: "record".into(),
            resource_id: Some(zone.id.to_string()),
            resource_name: Some("www.one-step.example".into()),
            before: None,
            after: Some(json!({"content": "192.0.2.1", "ttl": 300})),
            ip_address: Some("198.51.100.7".into()),
            user_agent: Some("test".into()),
            request_id: Some("req-1".into()),
            created_at: t0(),
        }
    }

    /// The zone's creation, then the usual record change of it: two new records, a
    /// description and a sync state (NULLs and text, integers, booleans and timestamps).
    fn writes(tenant: TenantId) -> (ZoneWrite, ZoneWrite) {
        let created = zone(tenant);
        let create = ZoneWrite {
            zone: created.clone(),
            expected_generation: None,
            new_records: Vec::new(),
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: Vec::new(),
            audit: vec![event(&created, "domain.create")],
            changes: Vec::new(),
            comments: Vec::new(),
        };
        let mut next = created.clone();
        next.generation = 2;
        next.updated_at = t0() + chrono::Duration::seconds(1);
        next.description = Some("changed".into());
        next.sync.last_synced_at = Some(t0());
        let www = record(&created, "www", RecordType::A, "192.0.2.1");
        let mx = record(&created, "@", RecordType::MX, "10 mail.one-step.example.");
        let change = ZoneWrite {
            zone: next,
            expected_generation: Some(1),
            new_records: vec![www.clone(), mx],
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: Vec::new(),
            audit: vec![event(&created, "record.create")],
            changes: vec![RrSetDelta {
                name: "www.one-step.example.".into(),
                rtype: RecordType::A,
                before: None,
                after: None,
            }],
            comments: Vec::new(),
        };
        (create, change)
    }

    /// Every row of every table, each value with its SQLite type (`quote`).
    async fn rows(pool: &SqlitePool) -> Vec<String> {
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

    /// Publishes nothing, but says it may: the store must take its transaction.
    struct MayPublish;

    #[async_trait::async_trait]
    impl Publisher for MayPublish {
        async fn publish(&self) -> Result<PublishOutcome> {
            Ok(PublishOutcome::Skipped)
        }
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

        let written = write_in_one_step(&one_step, &change, &NoPublish)
            .await
            .unwrap();
        let committed = zones::write(&transaction, change, OverlapPolicy::Refuse, &MayPublish)
            .await
            .unwrap();

        assert_eq!(written, Some(committed));
        let (one_step_rows, transaction_rows) = (rows(&one_step).await, rows(&transaction).await);
        assert_eq!(one_step_rows, transaction_rows);
        assert!(one_step_rows.iter().any(|r| r.starts_with("records: ")));
        assert!(
            one_step_rows
                .iter()
                .any(|r| r.starts_with("zone_history: "))
        );
        // sqlx reads back what rusqlite wrote, on the connection whose handle it lent.
        let zone_id = committed_zone_id(&one_step_rows);
        let listed = records::list(&one_step, zone_id, &Default::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 2);
    }

    fn committed_zone_id(rows: &[String]) -> ZoneId {
        let row = rows.iter().find(|r| r.starts_with("zones: ")).unwrap();
        row["zones: '".len()..]
            .split('\'')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    #[tokio::test]
    async fn it_steps_aside_and_writes_nothing_when_the_transaction_has_more_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, pool, url) = database(&dir, "z.db").await;
        let tenant = TenantId::new();
        let (create, change) = writes(tenant);
        zones::write(&pool, create, OverlapPolicy::Refuse, &NoPublish)
            .await
            .unwrap();
        let before = rows(&pool).await;
        let steps_aside = |write: ZoneWrite, publisher: &'static dyn Publisher| {
            let pool = pool.clone();
            async move { write_in_one_step(&pool, &write, publisher).await.unwrap() }
        };

        // A publisher that may publish, inside the transaction.
        assert_eq!(steps_aside(change.clone(), &MayPublish).await, None);
        // A stale generation, and a zone that is not there.
        let mut stale = change.clone();
        stale.expected_generation = Some(7);
        stale.zone.generation = 8;
        assert_eq!(steps_aside(stale, &NoPublish).await, None);
        let mut ghost = change.clone();
        ghost.zone.id = ZoneId::new();
        assert_eq!(steps_aside(ghost, &NoPublish).await, None);
        // A record replaced.
        let mut replacing = change.clone();
        replacing.upsert_records = replacing.new_records.split_off(1);
        assert_eq!(steps_aside(replacing, &NoPublish).await, None);
        // Another writer holds the database: no wait on the caller's thread.
        let mut holder = SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut holder)
            .await
            .unwrap();
        assert_eq!(steps_aside(change.clone(), &NoPublish).await, None);
        sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        assert_eq!(rows(&pool).await, before);
        // The connection is back with sqlx's busy timeout, whatever the attempt set.
        let busy_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(
            u128::from(busy_ms.unsigned_abs()),
            super::super::SQLITE_BUSY_TIMEOUT.as_millis()
        );

        // A record that duplicates one the zone holds, once the zone holds it.
        let mut first = change.clone();
        first.new_records.truncate(1);
        let mut twin = first.new_records[0].clone();
        twin.id = RecordId::new();
        let committed = steps_aside(first, &NoPublish).await.unwrap();
        let mut duplicate = change.clone();
        duplicate.expected_generation = Some(committed.generation);
        duplicate.zone.generation = committed.generation + 1;
        duplicate.new_records = vec![twin];
        let before = rows(&pool).await;
        assert_eq!(steps_aside(duplicate, &NoPublish).await, None);
        // A tenant with an active webhook subscription (its events are the outbox's).
        sqlx::query(
            "INSERT INTO outbound_webhook_subscriptions (id, tenant_id, url, events, active, \
             status, secret, created_at, updated_at) \
             VALUES ('s1', ?, 'https://hooks.example/', '[\"*\"]', 1, 'active', 'x', '', '')",
        )
        .bind(tenant.to_string())
        .execute(&pool)
        .await
        .unwrap();
        let before_subscribed = rows(&pool).await;
        let mut next = change.clone();
        next.expected_generation = Some(committed.generation);
        next.zone.generation = committed.generation + 1;
        next.new_records.truncate(0);
        assert_eq!(steps_aside(next, &NoPublish).await, None);
        assert_eq!(rows(&pool).await, before_subscribed);
        assert_eq!(before_subscribed.len(), before.len() + 1);
    }
}
