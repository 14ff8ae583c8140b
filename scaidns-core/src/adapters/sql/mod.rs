//! The SQL store: [`crate::ports::Store`] on sqlx for MariaDB/MySQL and PostgreSQL (production)
//! and SQLite (the embedded default).
//!
//! One [`SqlStore`] serves the three engines. The query code is written once, against a `Db`
//! type alias and with `?` placeholders, and compiled once per engine (`mysql.rs`, `postgres.rs`
//! and `sqlite.rs` include the same files with `#[path]`): every query then runs on a concrete
//! pool type, with no generic bounds and no `Any` driver (which cannot carry timestamps). What
//! differs between the engines — how a write transaction starts, row locking, upserts, the
//! migrations, PostgreSQL's numbered placeholders (`postgres_sql.rs`) — lives in those small
//! modules.
//!
//! Conventions shared by the schemas (`migrations/<engine>/`): ids are UUID text, timestamps
//! UTC with microseconds (`types::Ts`), JSON as text, names without the trailing dot as the
//! API shows them, and byte-wise string comparison.

mod identity_cache_rows;
/// Calls `module::function(pool, args…)` on the engine's copy of the query code: the one body
/// of every `*_store_impl.rs` method. It is also where store operations are counted and timed
/// (`SqlStore::with_observer`): one place instead of a line in each of the query functions, and
/// per operation rather than per SQL statement, which costs one clock read per operation and
/// nothing when no observer is set.
macro_rules! dispatch {
    ($store:expr, $module:ident :: $function:ident ( $($arg:expr),* $(,)? )) => {{
        let store = &$store;
        let started = store.observer.as_ref().map(|_| std::time::Instant::now());
        let result = match &store.pool {
            $crate::adapters::sql::Pools::MySql(pool) => {
                $crate::adapters::sql::mysql::$module::$function(pool, $($arg),*).await
            }
            $crate::adapters::sql::Pools::Postgres(pool) => {
                $crate::adapters::sql::postgres::$module::$function(pool, $($arg),*).await
            }
            $crate::adapters::sql::Pools::Sqlite(pool) => {
                $crate::adapters::sql::sqlite::$module::$function(pool, $($arg),*).await
            }
        };
        if let (Some(observer), Some(started)) = (&store.observer, started) {
            observer.db_query(
                concat!(stringify!($module), "::", stringify!($function)),
                result.is_ok(),
                started.elapsed(),
            );
        }
        result
    }};
}

mod classless_store_impl;
mod history_store_impl;
mod identity_store_impl;
mod lifecycle_store_impl;
mod mysql;
mod postgres;
mod postgres_one_step;
pub(crate) mod postgres_sql;
mod rbac_rows;
mod rbac_store_impl;
mod rows;
mod sqlite;
mod sqlite_one_step;
mod store_impl;
mod template_store_impl;
mod turn_budget;
mod types;
mod webhook_store_impl;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool};
use sqlx::pool::PoolOptions;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{Error, Result};
use crate::ports::Observer;

/// How long a SQLite connection waits for another writer before giving up.
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a caller waits for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a pooled connection may sit unused before it is closed (sqlx's default is ten
/// minutes): a burst opens up to the pool size, and each connection holds its statement cache
/// (and with SQLite its page cache and a thread), which a quiet server gives back after this.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a MariaDB or PostgreSQL connection may sit in the pool before it is pinged on its
/// way out ([`ping_when_idle`]).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);
/// SQLite's page cache per connection, in KiB (`PRAGMA cache_size`; SQLite's default is
/// 2,000 KiB): the pool holds up to `DATABASE_POOL_SIZE` connections, 20 by default, so this
/// bounds the page caches together to 20 MiB rather than 40; the OS page cache still holds the
/// file (docs/decisions.md, "Idle memory").
const SQLITE_CACHE_KIB: u32 = 1024;

/// A [`crate::ports::Store`] on MariaDB/MySQL, PostgreSQL or SQLite.
#[derive(Clone)]
pub struct SqlStore {
    pool: Pools,
    observer: Option<Arc<dyn Observer>>,
    turn_budget: turn_budget::TurnBudget,
}

#[derive(Clone)]
enum Pools {
    MySql(MySqlPool),
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl std::fmt::Debug for SqlStore {
    // Only the engine: the URL may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("engine", &self.engine_name())
            .finish()
    }
}

impl SqlStore {
    /// Connects to `url`: `mysql://…`, `mariadb://…`, `postgres://…`, `postgresql://…` (a
    /// driver suffix such as `mysql+asyncmy://` is accepted and ignored) or `sqlite:<path>`. A SQLite file and its
    /// directory are created when missing; the file runs in WAL mode with a 5 s busy timeout
    /// and foreign keys on, so the server, the worker and the CLI can share it.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with_pool_size(url, DEFAULT_POOL_SIZE).await
    }

    /// Like [`SqlStore::connect`], with at most `pool_size` connections (`DATABASE_POOL_SIZE`).
    pub async fn connect_with_pool_size(url: &str, pool_size: u32) -> Result<Self> {
        let pool_size = pool_size.max(1);
        let (scheme, rest) = url.split_once(':').ok_or_else(|| {
            Error::store(
                "DATABASE_URL must start with mysql://, mariadb://, postgres:// or sqlite:",
            )
        })?;
        let engine = scheme
            .split('+')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let pool = match engine.as_str() {
            "mysql" | "mariadb" => {
                Pools::MySql(connect_mysql(&format!("mysql:{rest}"), url, pool_size).await?)
            }
            "postgres" | "postgresql" => Pools::Postgres(
                connect_postgres(&format!("postgres:{rest}"), url, pool_size).await?,
            ),
            "sqlite" => {
                Pools::Sqlite(connect_sqlite(&format!("sqlite:{rest}"), url, pool_size).await?)
            }
            other => {
                return Err(Error::store(format!(
                    "DATABASE_URL scheme '{other}' is not supported (use mysql://, mariadb://, postgres:// or sqlite:)"
                )));
            }
        };
        Ok(Self::on(pool))
    }

    /// Wraps an existing MySQL pool (its connections must use UTC, as sqlx's default does).
    pub fn from_mysql_pool(pool: MySqlPool) -> Self {
        Self::on(Pools::MySql(pool))
    }

    /// Wraps an existing PostgreSQL pool (its sessions must use UTF-8, as sqlx's default does).
    pub fn from_postgres_pool(pool: PgPool) -> Self {
        Self::on(Pools::Postgres(pool))
    }

    /// Wraps an existing SQLite pool.
    pub fn from_sqlite_pool(pool: SqlitePool) -> Self {
        Self::on(Pools::Sqlite(pool))
    }

    fn on(pool: Pools) -> Self {
        use turn_budget::TurnBudget;
        let turn_budget = match &pool {
            Pools::MySql(pool) => TurnBudget::for_pool(pool.options().get_max_connections()),
            Pools::Postgres(pool) => TurnBudget::for_pool(pool.options().get_max_connections()),
            Pools::Sqlite(pool) => TurnBudget::uncounted(pool.options().get_max_connections()),
        };
        Self {
            pool,
            observer: None,
            turn_budget,
        }
    }

    /// The same store with every operation reported to `observer` (the server's metrics).
    #[must_use]
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        match &self.pool {
            Pools::MySql(pool) => pool.close().await,
            Pools::Postgres(pool) => pool.close().await,
            Pools::Sqlite(pool) => pool.close().await,
        }
    }

    fn engine_name(&self) -> &'static str {
        match self.pool {
            Pools::MySql(_) => "mysql",
            Pools::Postgres(_) => "postgres",
            Pools::Sqlite(_) => "sqlite",
        }
    }
}

/// Starts a transaction with `begin` in a task of its own, so that it is never left half-begun.
/// sqlx 0.9 counts a transaction only once the server has answered its `BEGIN`: a caller dropped
/// while the `BEGIN` is on the wire (a client that hung up) would give the pool back a
/// connection inside a transaction that nothing rolls back, which later statements on that
/// connection would join (and PostgreSQL's one-statement record write,
/// `postgres_one_step`, would be left uncommitted in). The task takes the `BEGIN` to its end
/// either way; a transaction no one awaits any more is dropped there, which rolls it back.
pub(crate) async fn begin_whole<DB: sqlx::Database>(
    begin: impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, DB>>>
    + Send
    + 'static,
) -> sqlx::Result<sqlx::Transaction<'static, DB>> {
    tokio::spawn(begin).await.map_err(|e| {
        sqlx::Error::Protocol(format!("the task beginning a transaction failed: {e}"))
    })?
}

/// Connections per pool unless configured.
pub const DEFAULT_POOL_SIZE: u32 = 10;

async fn connect_mysql(normalized: &str, original: &str, pool_size: u32) -> Result<MySqlPool> {
    let options = MySqlConnectOptions::from_str(normalized)
        .map_err(|e| Error::store(redact(&format!("invalid DATABASE_URL: {e}"), original)))?;
    network_pool::<sqlx::MySql>(pool_size, PING_AFTER_IDLE)
        .connect_with(options)
        .await
        .map_err(|e| Error::store(redact(&format!("cannot connect to MySQL: {e}"), original)))
}

async fn connect_postgres(normalized: &str, original: &str, pool_size: u32) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(normalized)
        .map_err(|e| Error::store(redact(&format!("invalid DATABASE_URL: {e}"), original)))?;
    network_pool::<sqlx::Postgres>(pool_size, PING_AFTER_IDLE)
        .connect_with(options)
        .await
        .map_err(|e| {
            Error::store(redact(
                &format!("cannot connect to PostgreSQL: {e}"),
                original,
            ))
        })
}

/// The options of a MariaDB or PostgreSQL pool of `pool_size` connections that pings a
/// connection on its way out only when it sat unused for `ping_after_idle` ([`PING_AFTER_IDLE`]
/// but in tests) or more (see [`ping_when_idle`]); shared by both engines and their tests.
fn network_pool<DB: sqlx::Database>(pool_size: u32, ping_after_idle: Duration) -> PoolOptions<DB> {
    PoolOptions::<DB>::new()
        .max_connections(pool_size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .idle_timeout(IDLE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(ping_when_idle(conn, meta.idle_for, ping_after_idle))
        })
}

/// Whether a pooled network connection may be handed out: one unused for `threshold` or more
/// must first answer a ping (a failed ping closes it and the pool takes or opens another), as
/// the server may have closed it meanwhile (restart, `wait_timeout`, a proxy's idle timeout).
/// One used just before is handed out as it is: a request takes several connections in a row,
/// and sqlx's ping on every acquire (its default) cost a round trip each. A connection that
/// broke within the second fails its statement, as it could after any ping.
async fn ping_when_idle<C: sqlx::Connection>(
    conn: &mut C,
    idle_for: Duration,
    threshold: Duration,
) -> std::result::Result<bool, sqlx::Error> {
    if idle_for >= threshold {
        conn.ping().await?;
    }
    Ok(true)
}

async fn connect_sqlite(normalized: &str, original: &str, pool_size: u32) -> Result<SqlitePool> {
    let in_memory = normalized.contains(":memory:") || normalized.contains("mode=memory");
    let mut options = SqliteConnectOptions::from_str(normalized)
        .map_err(|e| Error::store(format!("invalid DATABASE_URL: {e}")))?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
    // A SQLite connection is a file handle: it cannot go stale as a network connection can, and
    // sqlx still pings it when it goes back to the pool (closing a broken one there), so its
    // ping on every acquire (a round trip through the connection's worker thread, four per
    // record create) would only cost time on the request's path.
    let mut pool = SqlitePoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false);
    if in_memory {
        // An in-memory database lives as long as one of its connections and is shared through
        // SQLite's shared cache, which ignores the busy timeout: one connection, kept forever.
        pool = pool
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    } else {
        options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        pool = pool.max_connections(pool_size).idle_timeout(IDLE_TIMEOUT);
        if let Some(parent) = options
            .get_filename()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::store(format!(
                    "cannot create the directory {}: {e}",
                    parent.display()
                ))
            })?;
        }
    }
    pool.connect_with(options).await.map_err(|e| {
        Error::store(redact(
            &format!("cannot open SQLite database: {e}"),
            original,
        ))
    })
}

/// Removes the URL's password from a message, as written and percent-decoded, should a driver
/// ever echo it.
fn redact(message: &str, url: &str) -> String {
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|authority| authority.rsplit_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, password)| password)
        .filter(|p| !p.is_empty());
    match password {
        Some(p) => {
            let decoded = percent_encoding::percent_decode_str(p).decode_utf8_lossy();
            message.replace(p, "***").replace(decoded.as_ref(), "***")
        }
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        let url = "mysql://scaidns:s3cret@db:3306/scaidns";
        assert_eq!(redact("failed for s3cret", url), "failed for ***");
        let encoded = "mysql://scaidns:p%40ss%2Fw0rd@db:3306/scaidns";
        assert_eq!(
            redact("failed for p@ss/w0rd and p%40ss%2Fw0rd", encoded),
            "failed for *** and ***"
        );
        assert_eq!(
            redact("no secret here", "mysql://root@db/x"),
            "no secret here"
        );
    }

    /// The servers of the store contract suite (`tests/contract/support/db.rs`).
    fn server_url(var: &str, default: &str) -> String {
        std::env::var(var).unwrap_or_else(|_| default.to_owned())
    }

    /// A one-connection MariaDB pool as the store opens them, pinging connections idle for
    /// `threshold` or more.
    async fn mysql_pool(threshold: Duration) -> MySqlPool {
        let url = server_url("SCAIDNS_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306");
        network_pool::<sqlx::MySql>(1, threshold)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("MariaDB at {url} (set SCAIDNS_TEST_MYSQL_URL): {e}"))
    }

    /// Kills the pool's one connection from another and says which it was.
    async fn kill_mysql_connection(pool: &MySqlPool) -> u64 {
        let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
            .fetch_one(pool)
            .await
            .unwrap();
        let url = server_url("SCAIDNS_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306");
        let mut killer = <sqlx::MySqlConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
            .execute(&mut killer)
            .await
            .unwrap();
        id
    }

    #[tokio::test]
    async fn mysql_pool_pings_only_connections_idle_past_the_threshold() {
        // Idle past the threshold (zero here): the ping finds the connection dead and the pool
        // opens another, so the caller never sees the dead one.
        let pool = mysql_pool(Duration::ZERO).await;
        let killed = kill_mysql_connection(&pool).await;
        let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_ne!(id, killed);

        // Used just before: handed out without a ping (no round trip), so a connection that
        // died meanwhile fails its statement.
        let pool = mysql_pool(Duration::from_secs(3600)).await;
        kill_mysql_connection(&pool).await;
        assert!(sqlx::query("SELECT 1").execute(&pool).await.is_err());
    }

    /// A one-connection PostgreSQL pool as the store opens them, pinging connections idle for
    /// `threshold` or more.
    async fn postgres_pool(threshold: Duration) -> PgPool {
        let url = server_url(
            "SCAIDNS_TEST_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        );
        network_pool::<sqlx::Postgres>(1, threshold)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} (set SCAIDNS_TEST_POSTGRES_URL): {e}"))
    }

    /// Ends the pool's one backend from another session, waiting until it is gone, and says
    /// which it was.
    async fn kill_postgres_backend(pool: &PgPool) -> i32 {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(pool)
            .await
            .unwrap();
        let url = server_url(
            "SCAIDNS_TEST_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        );
        let mut killer = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1, 10000)")
            .bind(pid)
            .fetch_one(&mut killer)
            .await
            .unwrap();
        assert!(ended);
        pid
    }

    /// A request whose client hung up drops its write while the `BEGIN` may be on the wire:
    /// the connection must not go back to the pool inside a transaction nothing rolls back
    /// (`begin_whole`). `SAVEPOINT` succeeds only inside a transaction.
    #[tokio::test]
    async fn a_write_dropped_while_beginning_leaves_no_transaction_open() {
        let pool = postgres_pool(Duration::from_secs(3600)).await;
        for _ in 0..3 {
            let mut begin = Box::pin(postgres::begin_write(&pool));
            let polled = futures::poll!(begin.as_mut());
            assert!(polled.is_pending(), "{polled:?}");
            drop(begin);
            let mut conn = pool.acquire().await.unwrap();
            let savepoint = sqlx::query("SAVEPOINT probe").execute(&mut *conn).await;
            assert!(
                savepoint.is_err(),
                "the dropped BEGIN left a transaction open"
            );
        }
    }

    #[tokio::test]
    async fn postgres_pool_pings_only_connections_idle_past_the_threshold() {
        let pool = postgres_pool(Duration::ZERO).await;
        let killed = kill_postgres_backend(&pool).await;
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_ne!(pid, killed);

        let pool = postgres_pool(Duration::from_secs(3600)).await;
        kill_postgres_backend(&pool).await;
        assert!(sqlx::query("SELECT 1").execute(&pool).await.is_err());
    }

    #[tokio::test]
    async fn only_a_postgres_publishing_turn_commits_without_waiting_for_the_disk() {
        async fn synchronous_commit<'c>(conn: impl sqlx::PgExecutor<'c>) -> String {
            sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(conn)
                .await
                .unwrap()
        }
        async fn take_turn(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>) {
            let lock = postgres::LOCK_PUBLICATION.expect("PostgreSQL turns hold a lock");
            sqlx::query(sqlx::AssertSqlSafe(postgres_sql::numbered(lock)))
                .bind("publish/test")
                .execute(&mut **tx)
                .await
                .unwrap();
        }
        // One connection, so every step runs in the same session, which shadows the store's
        // table with a temporary one.
        let pool = postgres_pool(Duration::from_secs(3600)).await;
        sqlx::query("CREATE TEMPORARY TABLE zone_claim_locks (lock_key VARCHAR(300) PRIMARY KEY)")
            .execute(&pool)
            .await
            .unwrap();
        let server_default = synchronous_commit(&pool).await;
        assert_ne!(
            server_default, "off",
            "the test needs a server that commits durably"
        );

        let mut turn = pool.begin().await.unwrap();
        take_turn(&mut turn).await;
        assert_eq!(synchronous_commit(&mut *turn).await, "off");
        turn.commit().await.unwrap();
        // Only for the turn: the connection goes back to the pool as it came, whether the turn
        // commits or is dropped (a cancelled request).
        assert_eq!(synchronous_commit(&pool).await, server_default);
        let mut turn = pool.begin().await.unwrap();
        take_turn(&mut turn).await;
        drop(turn);
        assert_eq!(synchronous_commit(&pool).await, server_default);

        let mut write = postgres::begin_write(&pool).await.unwrap();
        assert_eq!(synchronous_commit(&mut *write).await, server_default);
        write.rollback().await.unwrap();
    }

    #[tokio::test]
    async fn rejects_unknown_schemes_without_echoing_the_url() {
        let err = SqlStore::connect("oracle://u:topsecret@h/db")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "database_unavailable");
        assert!(!err.message().contains("topsecret"));
    }
}
