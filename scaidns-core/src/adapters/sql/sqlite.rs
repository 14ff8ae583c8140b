//! The SQLite flavour of the store.
//!
//! Write transactions start with `BEGIN IMMEDIATE`, which takes the database's write lock at
//! once: writers queue up (for up to the busy timeout) instead of failing with "database is
//! locked" when a deferred transaction tries to upgrade its read lock, and the generation read
//! at the start of a write cannot go stale before its end. Readers keep going under WAL. The
//! query modules below are the same files as [`super::mysql`]'s, compiled against
//! [`Db`] = `Sqlite`.

use ::sqlx::sqlite::{Sqlite, SqliteConnection};
use ::sqlx::{Pool, Transaction};

/// The `sqlx` the query files see: the crate itself (see `super::postgres_sql`).
pub(crate) use ::sqlx;

pub(crate) type Db = Sqlite;
pub(crate) type Conn = SqliteConnection;

/// The embedded SQLite migrations.
pub(crate) static MIGRATOR: ::sqlx::migrate::Migrator = ::sqlx::migrate!("migrations/sqlite");

/// Reads a zone's generation; the `BEGIN IMMEDIATE` of [`begin_write`] already holds the lock.
pub(crate) const LOCK_ZONE: &str = "SELECT generation FROM zones WHERE id = ?";

/// [`LOCK_ZONE`] with the stored status, tenant and name (what the unique keys hold).
pub(crate) const LOCK_ZONE_STATUS: &str =
    "SELECT generation, status, tenant_id, name FROM zones WHERE id = ?";

/// Takes the activation lock of one name space (`zone::claims::claim_lock_key`) until the
/// transaction ends (`BEGIN IMMEDIATE` already serialises writers; the row is kept for parity).
pub(crate) const LOCK_CLAIM: &str = "INSERT INTO zone_claim_locks (lock_key) VALUES (?) \
     ON CONFLICT (lock_key) DO NOTHING";

/// Whether zone writes must look up which ids exist before deleting: no gap locks.
pub(crate) const DELETE_LOCKS_ABSENT_KEYS: bool = false;

/// The rows of `table` whose ids the query `ids` selects, in `order`
/// (`dynamic_query::page_by_id`): a join on the page's ids, which reads only their rows.
pub(crate) fn rows_by_ids(columns: &str, table: &str, ids: &str, order: &str) -> String {
    format!("SELECT {columns} FROM {table} JOIN ({ids}) AS paged USING (id) ORDER BY {order}")
}

/// No cross-process publishing turn: a lock held across a backend call would be the
/// database-wide write lock. SQLite serves one process (see `zones::publication_turn`), whose
/// publishers already take turns per zone.
pub(crate) const LOCK_PUBLICATION: Option<&str> = None;

/// What ends a multi-row `INSERT` of records (`records::insert`) so that a row breaking a
/// unique key is skipped instead of failing the statement, and the statement returns the ids
/// it inserted.
pub(crate) const INSERT_SKIPPING_CONFLICTS: Option<&str> =
    Some(" ON CONFLICT DO NOTHING RETURNING id");

/// Inserts or replaces a setting.
pub(crate) const UPSERT_SETTING: &str = "INSERT INTO settings (setting_key, setting_value) VALUES (?, ?) \
     ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value";

/// A publishing turn holds no transaction on SQLite ([`LOCK_PUBLICATION`] is `None`); the
/// other engines' counterpart of this is what `zones::publication_turn` calls.
pub(crate) async fn begin_publication(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    pool.begin().await
}

/// Starts a transaction that writes.
pub(crate) async fn begin_write(pool: &Pool<Db>) -> ::sqlx::Result<Transaction<'static, Db>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A record change in one hand-off to SQLite, when it is the usual one.
pub(crate) use super::sqlite_one_step::write_in_one_step;

/// Marks where a statement that may fail with a unique violation starts: nothing to do here,
/// since a failed statement leaves the transaction usable (see `super::postgres`).
pub(crate) async fn savepoint(_conn: &mut Conn) -> crate::error::Result<()> {
    Ok(())
}

/// Makes the transaction usable again after the statement begun at [`savepoint`] failed.
pub(crate) async fn back_to_savepoint(_conn: &mut Conn) -> crate::error::Result<()> {
    Ok(())
}

// The query files are shared with `mysql.rs` on purpose: one source, one copy per engine.
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
