//! The PostgreSQL flavour of the store.
//!
//! Writers serialise on the zone row with `SELECT … FOR UPDATE` (or the generation-checking
//! zone `UPDATE` of a record write, `zones::write_row`) inside an ordinary
//! READ COMMITTED transaction, as on MariaDB: every statement after the lock sees what committed
//! before it was granted. Claim locks upsert with `DO UPDATE`, which (unlike `DO NOTHING`)
//! locks the row found. The query modules below are the same files as [`super::mysql`]'s,
//! compiled against [`Db`] = `Postgres` and a `sqlx` ([`super::postgres_sql`]) that numbers
//! their `?` placeholders.

use ::sqlx::postgres::{PgConnection, Postgres};
use ::sqlx::{Pool, Transaction};

pub(crate) use super::postgres_sql as sqlx;

pub(crate) type Db = Postgres;
pub(crate) type Conn = PgConnection;

/// The embedded PostgreSQL migrations.
pub(crate) static MIGRATOR: ::sqlx::migrate::Migrator = ::sqlx::migrate!("migrations/postgres");

/// Reads a zone's generation and locks the row until the transaction ends.
pub(crate) const LOCK_ZONE: &str = "SELECT generation FROM zones WHERE id = ? FOR UPDATE";

/// [`LOCK_ZONE`] with the stored status, tenant and name (what the unique keys hold).
pub(crate) const LOCK_ZONE_STATUS: &str =
    "SELECT generation, status, tenant_id, name FROM zones WHERE id = ? FOR UPDATE";

/// Takes the activation lock of one name space (`zone::claims::claim_lock_key`) until the
/// transaction ends: the upsert holds an exclusive lock on the row, inserted or found.
pub(crate) const LOCK_CLAIM: &str = "INSERT INTO zone_claim_locks (lock_key) VALUES (?) \
     ON CONFLICT (lock_key) DO UPDATE SET lock_key = excluded.lock_key";

/// Whether zone writes must look up which ids exist before deleting: no gap locks.
pub(crate) const DELETE_LOCKS_ABSENT_KEYS: bool = false;

/// The rows of `table` whose ids the query `ids` selects, in `order`
/// (`dynamic_query::page_by_id`). As an array rather than a join: when one tenant holds most of
/// the table, PostgreSQL hash-joins a join's page of ids against a scan of the whole table
/// (~10 ms at 10,000 zones) where the array is looked up in the primary key (~1 ms).
pub(crate) fn rows_by_ids(columns: &str, table: &str, ids: &str, order: &str) -> String {
    format!("SELECT {columns} FROM {table} WHERE id = ANY(ARRAY({ids})) ORDER BY {order}")
}

/// Takes a zone's publishing turn (`zones::publication_turn`) until the transaction ends: an
/// exclusive lock on the zone's own row of `zone_claim_locks` (key `publish/<zone id>`), which
/// no write transaction takes, so writes keep committing while a publisher waits on the backend
/// (a record writer may hold the turn beside its write, on another connection: see
/// `service::zone_change`). A replica that dies mid-turn loses its connection and with it the lock.
///
/// The same statement turns `synchronous_commit` off until the turn ends: the turn records only
/// the publication's outcome, and one lost to a crash leaves the published generation behind,
/// so the zone is published whole again. Here rather than with the `BEGIN`, which sqlx does not
/// roll back when cancelled before it is answered (docs/decisions.md, "PostgreSQL's
/// publishing turn commits without waiting for the disk").
pub(crate) const LOCK_PUBLICATION: Option<&str> = Some(
    "INSERT INTO zone_claim_locks (lock_key) \
     SELECT ? FROM (SELECT set_config('synchronous_commit', 'off', true)) AS turn \
     ON CONFLICT (lock_key) DO UPDATE SET lock_key = excluded.lock_key",
);

/// What ends a multi-row `INSERT` of records (`records::insert`) so that a row breaking a
/// unique key is skipped instead of failing the statement, and the statement returns the ids
/// it inserted.
pub(crate) const INSERT_SKIPPING_CONFLICTS: Option<&str> =
    Some(" ON CONFLICT DO NOTHING RETURNING id");

/// Inserts or replaces a setting.
pub(crate) const UPSERT_SETTING: &str = "INSERT INTO settings (setting_key, setting_value) VALUES (?, ?) \
     ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value";

/// Starts a publishing turn's transaction (`zones::publication_turn`) at READ COMMITTED,
/// PostgreSQL's default, whatever `default_transaction_isolation` says: see
/// `mysql::begin_publication`.
pub(crate) async fn begin_publication(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    let pool = pool.clone();
    super::begin_whole(async move {
        pool.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await
    })
    .await
}

/// Starts a transaction that writes (in a task of its own: see `super::begin_whole`).
pub(crate) async fn begin_write(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    let pool = pool.clone();
    super::begin_whole(async move { pool.begin().await }).await
}

/// The usual record change in one statement.
pub(crate) use super::postgres_one_step::write_in_one_step;

/// Marks where a statement that may fail with a unique violation starts. PostgreSQL, unlike
/// MariaDB and SQLite, aborts the whole transaction on a failed statement; the savepoint lets
/// the caller roll back just that statement and look up what it collided with.
pub(crate) async fn savepoint(conn: &mut Conn) -> crate::error::Result<()> {
    ::sqlx::query("SAVEPOINT fallible")
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(super::types::db_err)
}

/// Makes the transaction usable again after the statement begun at [`savepoint`] failed.
pub(crate) async fn back_to_savepoint(conn: &mut Conn) -> crate::error::Result<()> {
    ::sqlx::query("ROLLBACK TO SAVEPOINT fallible")
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(super::types::db_err)
}

// The query files are shared with `mysql.rs` and `sqlite.rs` on purpose: one source, one copy
// per engine.
#[allow(clippy::duplicate_mod)]
#[path = "access_grants.rs"]
pub(crate) mod access_grants;
#[allow(clippy::duplicate_mod)]
#[path = "audit.rs"]
pub(crate) mod audit;
#[allow(clippy::duplicate_mod)]
#[path = "classless.rs"]
pub(crate) mod classless;
#[allow(clippy::duplicate_mod)]
#[path = "common.rs"]
pub(crate) mod common;
#[allow(clippy::duplicate_mod)]
#[path = "dnssec_keys.rs"]
pub(crate) mod dnssec_keys;
#[allow(clippy::duplicate_mod)]
#[path = "dynamic_query.rs"]
pub(crate) mod dynamic_query;
#[allow(clippy::duplicate_mod)]
#[path = "groups.rs"]
pub(crate) mod groups;
#[allow(clippy::duplicate_mod)]
#[path = "idempotency.rs"]
pub(crate) mod idempotency;
#[allow(clippy::duplicate_mod)]
#[path = "identity.rs"]
pub(crate) mod identity;
#[allow(clippy::duplicate_mod)]
#[path = "identity_batch.rs"]
pub(crate) mod identity_batch;
#[allow(clippy::duplicate_mod)]
#[path = "identity_writes.rs"]
pub(crate) mod identity_writes;
#[allow(clippy::duplicate_mod)]
#[path = "jobs.rs"]
pub(crate) mod jobs;
#[allow(clippy::duplicate_mod)]
#[path = "one_step.rs"]
pub(crate) mod one_step;
#[allow(clippy::duplicate_mod)]
#[path = "rbac.rs"]
pub(crate) mod rbac;
#[allow(clippy::duplicate_mod)]
#[path = "records.rs"]
pub(crate) mod records;

#[allow(clippy::duplicate_mod)]
#[path = "rrset_comments.rs"]
pub(crate) mod rrset_comments;

#[allow(clippy::duplicate_mod)]
#[path = "settings.rs"]
pub(crate) mod settings;
#[allow(clippy::duplicate_mod)]
#[path = "templates.rs"]
pub(crate) mod templates;
#[allow(clippy::duplicate_mod)]
#[path = "validations.rs"]
pub(crate) mod validations;
#[allow(clippy::duplicate_mod)]
#[path = "webhooks.rs"]
pub(crate) mod webhooks;
#[allow(clippy::duplicate_mod)]
#[path = "zone_history.rs"]
pub(crate) mod zone_history;
#[allow(clippy::duplicate_mod)]
#[path = "zones.rs"]
pub(crate) mod zones;
