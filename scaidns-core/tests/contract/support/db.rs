//! Fresh, migrated databases for the store contract suite: a SQLite file in a temporary
//! directory, or a database `scaidns_test_<random>` on the MariaDB server at
//! `SCAIDNS_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`) or on the PostgreSQL server
//! at `SCAIDNS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`, whose
//! database is the one connected to for creating and dropping). A server database is dropped
//! when its handle goes, even after a failed assertion; the suite does not skip when a server
//! is missing (CI provides it), it fails.

use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::Store;
use sqlx::{Connection, Executor, MySqlConnection, PgConnection};
use tempfile::TempDir;

/// Default server for the MariaDB half of the suite.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306";

/// Default server for the PostgreSQL third of the suite.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated store on a database of its own.
pub struct TestDb {
    /// The store under test.
    pub store: SqlStore,
    /// URL the store was opened with.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    // Held for its Drop, which removes the directory.
    Sqlite(#[allow(dead_code)] TempDir),
    MySql { server: String, database: String },
    Postgres { server: String, database: String },
}

impl TestDb {
    /// A new SQLite database file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite:{}",
            dir.path().join("nested/dir/scaidns.db").display()
        );
        let store = SqlStore::connect(&url).await.expect("open SQLite");
        store.migrate().await.expect("migrate SQLite");
        Self {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A new MariaDB database.
    pub async fn mysql() -> Self {
        let server = mysql_server_url();
        let database = format!("scaidns_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = MySqlConnection::connect(&server)
            .await
            .unwrap_or_else(|e| panic!("MariaDB at {server} (set SCAIDNS_TEST_MYSQL_URL): {e}"));
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            )))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let cleanup = Cleanup::MySql {
            server: server.clone(),
            database: database.clone(),
        };
        let url = with_database(&server, &database);
        let store = SqlStore::connect(&url).await.expect("connect to MariaDB");
        let db = Self {
            store,
            url,
            cleanup,
        };
        db.store.migrate().await.expect("migrate MariaDB");
        db
    }
}

impl TestDb {
    /// A new PostgreSQL database.
    pub async fn postgres() -> Self {
        let server = postgres_server_url();
        let database = format!("scaidns_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {server} (set SCAIDNS_TEST_POSTGRES_URL): {e}")
        });
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE \"{database}\" ENCODING 'UTF8'"
            )))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let cleanup = Cleanup::Postgres {
            server: server.clone(),
            database: database.clone(),
        };
        let url = with_database(&server, &database);
        let store = SqlStore::connect(&url)
            .await
            .expect("connect to PostgreSQL");
        let db = Self {
            store,
            url,
            cleanup,
        };
        db.store.migrate().await.expect("migrate PostgreSQL");
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, database, postgres) = match &self.cleanup {
            Cleanup::Sqlite(_) => return,
            Cleanup::MySql { server, database } => (server.clone(), database.clone(), false),
            Cleanup::Postgres { server, database } => (server.clone(), database.clone(), true),
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: drop the database
        // from a thread with a runtime of its own. Best effort.
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if postgres {
                    // FORCE: the store's pool may still hold connections to it.
                    if let Ok(mut admin) = PgConnection::connect(&server).await {
                        let _ = admin
                            .execute(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
                            )))
                            .await;
                        let _ = admin.close().await;
                    }
                } else if let Ok(mut admin) = MySqlConnection::connect(&server).await {
                    let _ = admin
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS `{database}`"
                        )))
                        .await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// The MariaDB server URL, without a database.
pub fn mysql_server_url() -> String {
    let url =
        std::env::var("SCAIDNS_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_MYSQL_URL.to_owned());
    with_database(&url, "")
}

/// The PostgreSQL server URL, with the database to connect to for creating and dropping.
pub fn postgres_server_url() -> String {
    std::env::var("SCAIDNS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// `url` with its database path replaced by `database` (query parameters kept).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}
