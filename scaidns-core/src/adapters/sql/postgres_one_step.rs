//! A record change written to PostgreSQL in one statement (PostgreSQL only).
//!
//! `zones::write`'s transaction costs a round trip per statement, 100–150 µs each on loopback
//! here, and a record create made seven (`BEGIN`, the zone's `UPDATE`, the records' and the
//! audit's `INSERT`s, the webhook subscriptions' read, the history entry, `COMMIT`). PostgreSQL
//! runs data-modifying statements in `WITH`, and one statement outside a transaction block
//! commits or fails whole, so the usual record change (see `one_step`) goes as one:
//!
//! ```sql
//! WITH subscribed AS (SELECT 1 FROM outbound_webhook_subscriptions WHERE …),
//!      zone AS (UPDATE zones SET … WHERE id = … AND generation = … AND …
//!               AND NOT EXISTS (SELECT 1 FROM subscribed) RETURNING id),
//!      new_records AS (INSERT INTO records (…) SELECT * FROM (VALUES …) AS v
//!                      WHERE EXISTS (SELECT 1 FROM zone)),
//!      audit AS (…), history AS (…)
//! SELECT COUNT(*) FROM zone
//! ```
//!
//! The inserts happen only with the zone row's, so a stale or missing zone, or a tenant with an
//! active subscription, writes nothing and counts 0: the write then goes to `zones::write`. A
//! duplicate record fails the statement on the unique key, which also writes nothing and sends
//! the write there (which names the duplicate in its 409). The zone `UPDATE` waits for the row
//! lock and re-checks its `WHERE` on the row a concurrent writer committed, as in the
//! transaction; the commit waits for the disk, as the transaction's does.

use ::sqlx::PgPool;

use super::postgres::dynamic_query;
use super::postgres::one_step::{OneStep, Rows};
use super::postgres::sqlx;
use super::postgres::{records, webhooks, zone_history, zones};
use super::types::{Arg, db_err};
use crate::adapters::sql::rows::audit_columns;
use crate::error::Result;
use crate::ports::store::{Publisher, ZoneWrite};
use crate::zone::Zone;

/// Writes `write` in one statement when it is the usual record change (see the module docs):
/// the zone as stored, or `None` when it wrote nothing and left the write to `zones::write`.
pub(crate) async fn write_in_one_step(
    pool: &PgPool,
    write: &ZoneWrite,
    publisher: &dyn Publisher,
) -> Result<Option<Zone>> {
    let Some(step) = OneStep::of(write, publisher)? else {
        return Ok(None);
    };
    let (sql, args) = statement(step);
    let written =
        dynamic_query::bind_scalar(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), args)
            .fetch_one(pool)
            .await;
    match written {
        Ok(1) => Ok(Some(zones::as_stored(write.zone.clone(), None))),
        Ok(_) => Ok(None),
        // The statement failed whole (a duplicate record on the unique key, or any other
        // refusal, which the transaction explains better): it wrote nothing.
        Err(::sqlx::Error::Database(_)) => Ok(None),
        Err(e) => Err(db_err(e)),
    }
}

/// The one statement of `step`, with its values in the order of its placeholders.
fn statement(step: OneStep) -> (String, Vec<Arg>) {
    let mut sql = String::from("WITH subscribed AS (");
    let mut args = Vec::new();
    if step.notifying_tenants.is_empty() {
        sql.push_str("SELECT 1 WHERE FALSE");
    }
    for (i, tenant) in step.notifying_tenants.iter().enumerate() {
        if i > 0 {
            sql.push_str(" UNION ALL ");
        }
        sql.push_str(&format!(
            "(SELECT 1 {} LIMIT 1)",
            webhooks::FROM_ACTIVE_SUBSCRIPTIONS
        ));
        args.extend(webhooks::active_subscription_args(*tenant));
    }
    sql.push_str(&format!(
        "), zone AS ({} AND NOT EXISTS (SELECT 1 FROM subscribed) RETURNING id)",
        zones::UPDATE_UNLESS_STALE
    ));
    args.extend(step.zone_update);
    let mut insert = |name: &str, table: &str, columns: &str, rows: Rows| {
        if let Some(placeholders) = rows.placeholders() {
            sql.push_str(&format!(
                ", {name} AS (INSERT INTO {table} ({columns}) SELECT * FROM (VALUES {placeholders}) \
                 AS v WHERE EXISTS (SELECT 1 FROM zone))"
            ));
            args.extend(rows.args);
        }
    };
    insert(
        "new_records",
        "records",
        records::INSERT_COLUMNS,
        step.records,
    );
    insert("audit", "audit_events", audit_columns!(), step.audit);
    insert(
        "history",
        "zone_history",
        zone_history::COLUMNS,
        step.history,
    );
    sql.push_str(" SELECT COUNT(*) FROM zone");
    (sql, args)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use ::sqlx::postgres::{PgConnectOptions, PgPoolOptions};

    use super::*;
    use crate::adapters::sql::SqlStore;
    use crate::adapters::sql::postgres::one_step::fixtures::{
        MayPublish, NeverAsked, after, record, subscribe, writes,
    };
    use crate::ids::{RecordId, TenantId};
    use crate::ports::Store;
    use crate::ports::store::{NoPublish, RecordStore, ZoneStore};
    use crate::record::RecordType;
    use crate::zone::claims::OverlapPolicy;

    /// The test server (`SCAIDNS_TEST_POSTGRES_URL`, as the store contract suite).
    fn server() -> PgConnectOptions {
        let url = std::env::var("SCAIDNS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        PgConnectOptions::from_str(&url).unwrap()
    }

    /// A migrated database of its own on the test server, and its name.
    async fn database() -> (SqlStore, PgPool, String) {
        let name = format!("scaidns_one_step_{}", uuid::Uuid::new_v4().simple());
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server())
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL (set SCAIDNS_TEST_POSTGRES_URL): {e}"));
        ::sqlx::query(::sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&admin)
            .await
            .unwrap();
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(server().database(&name))
            .await
            .unwrap();
        let store = SqlStore::from_postgres_pool(pool.clone());
        store.migrate().await.unwrap();
        (store, pool, name)
    }

    async fn drop_database(pool: PgPool, name: &str) {
        pool.close().await;
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server())
            .await
            .unwrap();
        ::sqlx::query(::sqlx::AssertSqlSafe(format!(
            "DROP DATABASE \"{name}\" WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn the_usual_record_change_is_one_statement_that_steps_aside_as_the_transaction_answers()
    {
        let (store, pool, name) = database().await;
        let tenant = TenantId::new();
        let (create, change) = writes(tenant);
        let zone = zones::write(&pool, create, OverlapPolicy::Refuse, &NoPublish)
            .await
            .unwrap();
        let attempt = |write: ZoneWrite, publisher: &'static dyn Publisher| {
            let pool = pool.clone();
            async move { write_in_one_step(&pool, &write, publisher).await.unwrap() }
        };
        let records = |store: &SqlStore| {
            let store = store.clone();
            async move {
                store
                    .list_records(zone.id, &Default::default())
                    .await
                    .unwrap()
                    .len()
            }
        };

        // The rows a step writes besides the records.
        let rows = |pool: &PgPool| {
            let pool = pool.clone();
            async move {
                ::sqlx::query_as::<_, (i64, i64, i64)>(
                    "SELECT (SELECT COUNT(*) FROM audit_events), \
                     (SELECT COUNT(*) FROM zone_history), (SELECT MAX(generation) FROM zones)",
                )
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        let before = rows(&pool).await;

        // Left to the transaction, with nothing written: a publisher that may publish, a stale
        // generation, a zone of another tenant or name, a zone that is not there.
        assert_eq!(attempt(change.clone(), &MayPublish).await, None);
        let mut stale = change.clone();
        stale.expected_generation = Some(7);
        stale.zone.generation = 8;
        assert_eq!(attempt(stale, &NoPublish).await, None);
        let mut other_tenant = change.clone();
        other_tenant.zone.tenant_id = TenantId::new();
        assert_eq!(attempt(other_tenant, &NoPublish).await, None);
        let mut renamed = change.clone();
        renamed.zone.name = crate::name::ZoneName::parse("other.example").unwrap();
        assert_eq!(attempt(renamed, &NoPublish).await, None);
        let mut ghost = change.clone();
        ghost.zone.id = crate::ids::ZoneId::new();
        assert_eq!(attempt(ghost, &NoPublish).await, None);
        assert_eq!(records(&store).await, 0);
        assert_eq!(rows(&pool).await, before);

        // Written, and read back as the transaction's writes are.
        let mut first = change.clone();
        first.new_records.truncate(1);
        let committed = attempt(first, &NoPublish).await.unwrap();
        assert_eq!(committed.generation, zone.generation + 1);
        assert_eq!(
            store.get_zone(zone.id).await.unwrap(),
            Some(committed.clone())
        );
        assert_eq!(records(&store).await, 1);
        // The store sends it here: its transaction would call this publisher.
        let mut aaaa = after(&committed, &change);
        aaaa.new_records = vec![record(&zone, "www", RecordType::AAAA, "2001:db8::1")];
        let committed = store.write_zone(aaaa, &NeverAsked).await.unwrap();
        assert_eq!(records(&store).await, 2);

        // A duplicate of a record the zone holds fails the statement whole.
        let mut twin = change.new_records[0].clone();
        twin.id = RecordId::new();
        let mut duplicate = after(&committed, &change);
        duplicate.new_records = vec![twin];
        let before = rows(&pool).await;
        assert_eq!(attempt(duplicate, &NoPublish).await, None);
        assert_eq!(rows(&pool).await, before);
        assert_eq!(
            store.get_zone(zone.id).await.unwrap(),
            Some(committed.clone())
        );

        // Another tenant's subscription is not this change's; the zone tenant's is.
        subscribe(&pool, TenantId::new(), "active", true).await;
        let mut mx = after(&committed, &change);
        mx.new_records.remove(0);
        let committed = attempt(mx, &NoPublish).await.unwrap();
        assert_eq!(records(&store).await, 3);
        subscribe(&pool, tenant, "active", true).await;
        let mut next = after(&committed, &change);
        next.new_records.clear();
        assert_eq!(attempt(next, &NoPublish).await, None);
        assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(committed));

        drop_database(pool, &name).await;
    }
}
