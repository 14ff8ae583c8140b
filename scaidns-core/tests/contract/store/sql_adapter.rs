//! Checks of the SQL adapter itself rather than of the `Store` contract: rows edited behind the
//! store's back with raw SQL, and the connection URLs and files of each engine.

use super::*;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::classless_store::ClasslessDelegationStore;

use crate::support::contract::contract;
use crate::support::db::TestDb;

contract!(
    SqlStore:
    corrupt_rows_are_internal_errors,
    revoking_a_delegation_waits_for_activations_under_it,
);

/// Runs `sql` on the test database directly, bypassing the store.
async fn raw(db: &TestDb, sql: &str) {
    use sqlx::{AssertSqlSafe, Connection};
    if db.url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        query.execute(&mut conn).await.unwrap();
    } else if db.url.starts_with("postgres:") {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        query.execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::MySqlConnection::connect(&db.url).await.unwrap();
        let query = sqlx::query(AssertSqlSafe(sql.to_owned()));
        query.execute(&mut conn).await.unwrap();
    }
}

async fn corrupt_rows_are_internal_errors(db: &TestDb) {
    let store = &db.store;
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mail = record(&zone, "mail", RecordType::A, "192.0.2.2");
    w.upsert_records.push(www.clone());
    w.upsert_records.push(mail.clone());
    put(store, w).await;

    // A record that cannot be read back is left out of reads (and logged), never fails them:
    // the rest of the zone stays readable and repairable.
    raw(
        db,
        &format!(
            "UPDATE records SET content = 'not-an-address' WHERE id = '{}'",
            www.id
        ),
    )
    .await;
    let listed = store
        .list_records(zone.id, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![mail.id]
    );
    assert_eq!(store.get_record(zone.id, www.id).await.unwrap(), None);
    raw(
        db,
        &format!(
            "UPDATE records SET name = 'x..example.com' WHERE id = '{}'",
            mail.id
        ),
    )
    .await;
    assert!(
        store
            .list_records(zone.id, &RecordFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    raw(db, "UPDATE zones SET status = 'bogus'").await;
    let err = store.get_zone(zone.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(
        err.message().contains("corrupt zones row"),
        "{}",
        err.message()
    );
    raw(
        db,
        "UPDATE zones SET status = 'active', name = 'not a name'",
    )
    .await;
    assert_eq!(
        store.get_zone(zone.id).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
    raw(
        db,
        "UPDATE zones SET name = 'example.com', settings = '{broken'",
    )
    .await;
    assert_eq!(
        store.get_zone(zone.id).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
}

// ----- connecting -----

#[tokio::test]
async fn sqlite_creates_the_file_and_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/scaidns.db");
    let store = SqlStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    assert_eq!(store.engine(), "sqlite");
    put(&store, create(&new_zone(TenantId::new(), "example.com"))).await;
    // WAL mode, so that the server, the worker and the CLI can share the file.
    assert!(dir.path().join("a/b/scaidns.db-wal").exists());
    store.close().await;
    // The data is in the file: a second store sees it, and migrating again changes nothing.
    let again = SqlStore::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    again.migrate().await.unwrap();
    assert_eq!(
        again
            .list_zones(&ZoneFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn sqlite_in_memory_works() {
    let store = SqlStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    let zone = put(&store, create(&new_zone(TenantId::new(), "example.com"))).await;
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

#[tokio::test]
async fn mysql_accepts_the_seed_url_forms() {
    let db = TestDb::mysql().await;
    let rest = db.url.split_once("://").unwrap().1;
    for scheme in ["mysql", "mariadb", "mysql+asyncmy", "mariadb+pymysql"] {
        let store = SqlStore::connect(&format!("{scheme}://{rest}"))
            .await
            .unwrap();
        store.health().await.unwrap();
        assert_eq!(store.engine(), "mysql");
        assert!(!format!("{store:?}").contains(rest));
    }
}

#[tokio::test]
async fn postgres_accepts_both_url_schemes() {
    let db = TestDb::postgres().await;
    let rest = db.url.split_once("://").unwrap().1;
    for scheme in ["postgres", "postgresql"] {
        let store = SqlStore::connect(&format!("{scheme}://{rest}"))
            .await
            .unwrap();
        store.health().await.unwrap();
        assert_eq!(store.engine(), "postgres");
        store.close().await;
    }
}

#[tokio::test]
async fn connection_errors_never_show_the_password() {
    let server = crate::support::db::mysql_server_url();
    let rest = server.split_once("://").unwrap().1;
    let host = rest
        .rsplit_once('@')
        .map_or(rest, |(_, host)| host)
        .trim_end_matches('/');
    let url = format!("mysql://scaidns_nobody:Sup3rS3cretPw@{host}/nothing");
    let err = SqlStore::connect(&url).await.unwrap_err();
    assert_eq!(err.code(), "database_unavailable");
    assert!(
        !err.message().contains("Sup3rS3cretPw"),
        "{}",
        err.message()
    );
    let err = SqlStore::connect("sqlite+x:/proc/forbidden/dir/db.sqlite")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "database_unavailable");
}

/// A revocation (`delete_classless_delegation`) takes the claim lock that an activation of a
/// zone in the lent range holds while it reads the delegation and commits, so the
/// revocation's scan for live zones, made after the delete, cannot miss one such activation
/// made live. Shown on MariaDB and PostgreSQL by holding that lock in a transaction of our own
/// and seeing the delete wait for it (PostgreSQL reports the lock wait, MariaDB shows the
/// statement still running); SQLite's `BEGIN IMMEDIATE` serialises every write there already.
async fn revoking_a_delegation_waits_for_activations_under_it(db: &TestDb) {
    use sqlx::{AssertSqlSafe, Connection};
    if db.url.starts_with("sqlite:") {
        return;
    }
    let store = &db.store;
    let parent = put(
        store,
        create(&new_zone(TenantId::new(), "2.0.192.in-addr.arpa")),
    )
    .await;
    let delegation = scaidns_core::zone::classless::ClasslessDelegation {
        id: scaidns_core::ids::ClasslessDelegationId::new(),
        parent_zone_id: parent.id,
        parent_tenant_id: parent.tenant_id,
        tenant_id: TenantId::new(),
        cidr: "192.0.2.64/26".parse().unwrap(),
        created_at: at(0),
    };
    store
        .insert_classless_delegation(&delegation, &[])
        .await
        .unwrap();

    // An activation of `64-26.2.0.192.in-addr.arpa` in the middle of its claim check.
    let child = scaidns_core::name::ZoneName::parse("64-26.2.0.192.in-addr.arpa").unwrap();
    let key = scaidns_core::zone::claims::claim_lock_key(&child);
    let (lock, waiting) = if db.url.starts_with("postgres:") {
        (
            "INSERT INTO zone_claim_locks (lock_key) VALUES ($1) \
             ON CONFLICT (lock_key) DO UPDATE SET lock_key = excluded.lock_key",
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND query LIKE '%zone_claim_locks%'",
        )
    } else {
        (
            "INSERT INTO zone_claim_locks (lock_key) VALUES (?) \
             ON DUPLICATE KEY UPDATE lock_key = VALUES(lock_key)",
            // (`innodb_trx` is a cache MariaDB refreshes when it likes: the process list.)
            "SELECT COUNT(*) FROM information_schema.processlist \
             WHERE db = DATABASE() AND id <> CONNECTION_ID() \
             AND info LIKE 'INSERT INTO zone_claim_locks%'",
        )
    };
    let revocation = store.delete_classless_delegation(delegation.id, &[]);
    // The same steps on either engine's connection type.
    macro_rules! revoke_while_locked {
        ($connection:ty) => {{
            let mut activation = <$connection>::connect(&db.url).await.unwrap();
            let mut observer = <$connection>::connect(&db.url).await.unwrap();
            let mut claim = activation.begin().await.unwrap();
            sqlx::query(AssertSqlSafe(lock))
                .bind(&key)
                .execute(&mut *claim)
                .await
                .unwrap();
            tokio::pin!(revocation);
            let seen_waiting = async {
                for _ in 0..1_000 {
                    let n: i64 = sqlx::query_scalar(AssertSqlSafe(waiting))
                        .fetch_one(&mut observer)
                        .await?;
                    if n > 0 {
                        return Ok(true);
                    }
                    tokio::time::sleep(StdDuration::from_millis(10)).await;
                }
                Ok::<_, sqlx::Error>(false)
            };
            let waited = tokio::select! {
                done = &mut revocation => {
                    panic!("the revocation went on under an activation's claim lock: {done:?}")
                }
                waited = seen_waiting => waited,
            };
            // Ended before asserting: a revocation left inside its transaction would keep the
            // test database from being dropped.
            claim.commit().await.unwrap();
            revocation.await.unwrap();
            assert!(
                waited.unwrap(),
                "the revocation never waited for the claim lock"
            );
        }};
    }
    if db.url.starts_with("postgres:") {
        revoke_while_locked!(sqlx::PgConnection);
    } else {
        revoke_while_locked!(sqlx::MySqlConnection);
    }
    assert!(
        store
            .list_classless_delegations(Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}
