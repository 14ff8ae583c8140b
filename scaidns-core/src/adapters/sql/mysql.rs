//! The MariaDB/MySQL flavour of the store.
//!
//! Writers serialise on the zone row with `SELECT … FOR UPDATE` (or the generation-checking
//! zone `UPDATE` of a record write, `zones::write_row`) inside an ordinary transaction
//! (InnoDB, REPEATABLE READ); new zones race on the unique key instead. The query modules below
//! are the same files as [`super::sqlite`]'s, compiled against [`Db`] = `MySql`.

use ::sqlx::mysql::{MySql, MySqlConnection};
use ::sqlx::{Pool, Transaction};

/// The `sqlx` the query files see: the crate itself (see `super::postgres_sql`).
pub(crate) use ::sqlx;

pub(crate) type Db = MySql;
pub(crate) type Conn = MySqlConnection;

/// The embedded MySQL migrations.
pub(crate) static MIGRATOR: ::sqlx::migrate::Migrator = ::sqlx::migrate!("migrations/mysql");

/// Reads a zone's generation and locks the row until the transaction ends.
pub(crate) const LOCK_ZONE: &str = "SELECT generation FROM zones WHERE id = ? FOR UPDATE";

/// [`LOCK_ZONE`] with the stored status, tenant and name (what the unique keys hold).
pub(crate) const LOCK_ZONE_STATUS: &str =
    "SELECT generation, status, tenant_id, name FROM zones WHERE id = ? FOR UPDATE";

/// Takes the activation lock of one name space (`zone::claims::claim_lock_key`) until the
/// transaction ends: the upsert holds an exclusive lock on the row, inserted or found.
pub(crate) const LOCK_CLAIM: &str = "INSERT INTO zone_claim_locks (lock_key) VALUES (?) \
     ON DUPLICATE KEY UPDATE lock_key = VALUES(lock_key)";

/// Whether zone writes must look up which ids exist before deleting: a `DELETE` of an absent key locks its gap (see `common::delete_zone_rows`).
pub(crate) const DELETE_LOCKS_ABSENT_KEYS: bool = true;

/// The rows of `table` whose ids the query `ids` selects, in `order`
/// (`dynamic_query::page_by_id`): a join on the page's ids, which reads only their rows.
pub(crate) fn rows_by_ids(columns: &str, table: &str, ids: &str, order: &str) -> String {
    format!("SELECT {columns} FROM {table} JOIN ({ids}) AS paged USING (id) ORDER BY {order}")
}

/// Takes a zone's publishing turn (`zones::publication_turn`) until the transaction ends: an
/// exclusive lock on the zone's own row of `zone_claim_locks` (key `publish/<zone id>`), which
/// no write transaction takes, so writes keep committing while a publisher waits on the backend
/// (a record writer may hold the turn beside its write, on another connection: see
/// `service::zone_change`). A replica that dies mid-turn loses its connection and with it the lock.
pub(crate) const LOCK_PUBLICATION: Option<&str> = Some(
    "INSERT INTO zone_claim_locks (lock_key) VALUES (?) \
     ON DUPLICATE KEY UPDATE lock_key = VALUES(lock_key)",
);

/// `records::insert` on MySQL has no `RETURNING` and `INSERT IGNORE` ignores more than
/// duplicates: a failed statement is rolled back alone and the rows are retried one by one.
pub(crate) const INSERT_SKIPPING_CONFLICTS: Option<&str> = None;

/// Inserts or replaces a setting.
pub(crate) const UPSERT_SETTING: &str = "INSERT INTO settings (setting_key, setting_value) VALUES (?, ?) \
     ON DUPLICATE KEY UPDATE setting_value = VALUES(setting_value)";

/// Starts a publishing turn's transaction (`zones::publication_turn`) at READ COMMITTED: a turn
/// reads the zone, then, while writes keep committing, reads it again or records its outcome on
/// the zone's row. At MariaDB's default REPEATABLE READ the later read would see the first
/// one's snapshot, and from MariaDB 11.6.2 (`innodb_snapshot_isolation`) the outcome's
/// `UPDATE` of a row changed since that snapshot fails. The level is set for the next
/// transaction only, in the same round trip as the `BEGIN`.
pub(crate) async fn begin_publication(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    pool.begin_with("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; BEGIN")
        .await
}

/// Starts a transaction that writes.
pub(crate) async fn begin_write(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    pool.begin().await
}

/// No write in one step here (see `super::sqlite_one_step`): every zone write goes through
/// `zones::write`'s transaction.
pub(crate) async fn write_in_one_step(
    _pool: &Pool<Db>,
    _write: &crate::ports::store::ZoneWrite,
    _publisher: &dyn crate::ports::store::Publisher,
) -> crate::error::Result<Option<crate::zone::Zone>> {
    Ok(None)
}

/// Marks where a statement that may fail with a unique violation starts: nothing to do here,
/// since a failed statement leaves the transaction usable (see `super::postgres`).
pub(crate) async fn savepoint(_conn: &mut Conn) -> crate::error::Result<()> {
    Ok(())
}

/// Makes the transaction usable again after the statement begun at [`savepoint`] failed.
pub(crate) async fn back_to_savepoint(_conn: &mut Conn) -> crate::error::Result<()> {
    Ok(())
}

// The query files are shared with `sqlite.rs` on purpose: one source, one copy per engine.
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
