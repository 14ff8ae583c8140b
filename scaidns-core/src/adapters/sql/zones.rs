//! Zones: the transactional write of a zone with its records, validations and audit entries,
//! purge, and the reads (compiled once per engine, see `super`).
//!
//! A write locks the zone (see `super::LOCK_ZONE` and `super::begin_write`; a record write
//! takes the lock with the zone `UPDATE` that checks its generation, see `write_row`), checks
//! the generation, applies the change, then publishes to the DNS backend before committing: a
//! backend refusal rolls the whole change back, so the store never claims what the backend does
//! not serve.
//!
//! The usual record change (nothing to publish inside the transaction) is first offered to the
//! engine's `write_in_one_step` (`super::one_step`): the same statements and values in one
//! hand-off on SQLite and one statement on PostgreSQL, or, when it steps aside, this
//! transaction.

use ::sqlx::query::Query;
use ::sqlx::{AssertSqlSafe, Database, Pool};

use super::common::finish;
use super::dynamic_query::{self, bind_as};
use super::sqlx;
use super::{Conn, Db, audit, records, rrset_comments, validations};
use crate::adapters::sql::rows::{ZoneRow, json_text, models, readable_models, zone_columns};
use crate::adapters::sql::types::{
    Arg, Filter, LIKE_ESCAPE, Ts, corrupt, count, db_err, escape_like, is_unique_violation, ts_opt,
};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::name::ZoneName;
use crate::ports::store::{
    Page, PageRequest, PublicationTurn, PublishOutcome, Publisher, RecordFilter, ZoneFilter,
    ZoneWrite,
};
use crate::record::Record;
use crate::zone::claims::{LiveZone, OverlapPolicy, check_claim, claim_lock_key, zone_taken};
use crate::zone::classless::range_covers;
use crate::zone::{SyncState, SyncStatus, Zone, ZoneStatus};

type Args = <Db as Database>::Arguments;

pub(crate) async fn write(
    pool: &Pool<Db>,
    write: ZoneWrite,
    overlap: OverlapPolicy,
    publisher: &dyn Publisher,
) -> Result<Zone> {
    check_write(&write)?;
    if let Some(zone) = super::write_in_one_step(pool, &write, publisher).await? {
        return Ok(zone);
    }
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = write_in(&mut tx, write, overlap, publisher).await;
    finish(tx, result).await
}

/// Refuses a write the core should never make: wrong generation step, rows of another zone.
fn check_write(write: &ZoneWrite) -> Result<()> {
    let zone = &write.zone;
    let expected_next = write.expected_generation.map_or(1, |g| g + 1);
    let bookkeeping = write.expected_generation == Some(zone.generation);
    let no_records = write.new_records.is_empty() && write.upsert_records.is_empty();
    if bookkeeping && !(no_records && write.delete_records.is_empty()) {
        return Err(Error::internal(format!(
            "zone {} written with record changes but without a new generation",
            zone.id
        )));
    }
    if zone.generation != expected_next && !bookkeeping {
        return Err(Error::internal(format!(
            "zone {} written with generation {} instead of {expected_next}",
            zone.id, zone.generation
        )));
    }
    if let Some(record) = write.written_records().find(|r| r.zone_id != zone.id) {
        return Err(Error::internal(format!(
            "record {} belongs to another zone",
            record.id
        )));
    }
    // `records::insert` tells a skipped row by its id: a second row of the same id would be
    // skipped as a duplicate of the first yet look inserted, and be lost without an error.
    let mut ids = std::collections::HashSet::with_capacity(
        write.new_records.len() + write.upsert_records.len(),
    );
    if let Some(record) = write.written_records().find(|r| !ids.insert(r.id)) {
        return Err(Error::internal(format!(
            "record {} written twice in one change",
            record.id
        )));
    }
    Ok(())
}

async fn write_in(
    conn: &mut Conn,
    write: ZoneWrite,
    overlap: OverlapPolicy,
    publisher: &dyn Publisher,
) -> Result<Zone> {
    let mut write = write;
    let history = write.take_history_entry();
    let ZoneWrite {
        zone,
        expected_generation,
        new_records,
        upsert_records,
        delete_records,
        validations,
        audit,
        changes: _,
        comments,
    } = write;
    let was_live = write_row(conn, &zone, expected_generation).await?;
    // Checked before anything else reads: see `claim`.
    if zone.status == ZoneStatus::Active && !was_live {
        claim(conn, &zone, overlap).await?;
    }
    // Only these can leave an RRset without records (new ids replace nothing).
    let records_removed = !(delete_records.is_empty() && upsert_records.is_empty());
    // Replace = delete + insert, so that two records swapping contents do not trip the unique
    // key halfway, and an upsert can never touch another zone's row. A new record is not
    // deleted first: its id is fresh, and one that is not fails the insert below.
    let removed = delete_records
        .into_iter()
        .chain(upsert_records.iter().map(|r| r.id));
    records::delete(conn, zone.id, removed).await?;
    // One insert for both, new records first (as `written_records` lists them), so the
    // duplicate `record_exists` names is the first in that order.
    let mut written = new_records;
    written.extend(upsert_records);
    records::insert(conn, &written).await?;
    rrset_comments::write(conn, zone.id, &comments, records_removed).await?;
    validations::upsert(conn, zone.id, &validations).await?;
    audit::insert(conn, &audit).await?;
    if let Some(entry) = &history {
        super::zone_history::insert(conn, entry).await?;
    }

    let sync = match publisher.publish().await? {
        PublishOutcome::Published => Some(SyncState::synced(zone.updated_at)),
        PublishOutcome::Deferred(message) => Some(SyncState {
            status: SyncStatus::Pending,
            error: Some(message),
            last_synced_at: zone.sync.last_synced_at,
        }),
        PublishOutcome::Skipped => None,
    };
    if let Some(sync) = &sync {
        set_sync_on(conn, zone.id, sync).await?;
        // Published inside the transaction: a record change of an older generation still
        // waiting to publish (service `zone_change`) must not publish over this one.
        claim_on(conn, zone.id, zone.generation).await?;
    }
    // A bookkeeping write left the row as stored; any other wrote every column of `zone` (and
    // then the sync state) under the zone's lock, so reading the row back would cost a round
    // trip to learn nothing.
    if expected_generation == Some(zone.generation) {
        return fetch(conn, zone.id)
            .await?
            .ok_or_else(|| Error::internal(format!("zone {} vanished mid-write", zone.id)));
    }
    Ok(as_stored(zone, sync))
}

/// Writes the zone row (or, for a bookkeeping write, only checks its generation under the
/// row's lock); says whether the zone was live before.
async fn write_row(conn: &mut Conn, zone: &Zone, expected: Option<i64>) -> Result<bool> {
    let Some(expected) = expected else {
        insert(conn, zone).await?;
        return Ok(false);
    };
    // The usual write (a record change) keeps the zone's keys: one statement then checks the
    // generation, takes the row lock and writes the row. Anything else, and a stale or missing
    // zone, takes the locking read that tells them apart.
    if zone.generation != expected && update_unless_stale(conn, zone, expected).await? {
        return Ok(zone.status == ZoneStatus::Active);
    }
    let stored = lock(conn, zone.id, expected).await?;
    // A write at the same generation (bookkeeping) leaves the zone row as stored.
    if zone.generation != expected {
        let keys_change = (
            stored.status.as_str(),
            stored.tenant_id.as_str(),
            stored.name.as_str(),
        ) != (
            zone.status.as_str(),
            zone.tenant_id.to_string().as_str(),
            zone.name.as_str(),
        );
        update(conn, zone, keys_change).await?;
    }
    Ok(stored.status == ZoneStatus::Active.as_str())
}

/// `zone` as its row reads back once written with `sync` (when set): timestamps truncated to
/// what the store keeps ([`Ts`]).
pub(crate) fn as_stored(mut zone: Zone, sync: Option<SyncState>) -> Zone {
    if let Some(sync) = sync {
        zone.sync = sync;
    }
    let stored = |t| Ts::from(t).get();
    zone.created_at = stored(zone.created_at);
    zone.updated_at = stored(zone.updated_at);
    zone.deleted_at = zone.deleted_at.map(stored);
    zone.sync.last_synced_at = zone.sync.last_synced_at.map(stored);
    zone
}

/// What [`lock`] read of the zone row: the columns its unique keys are made of.
struct Locked {
    status: String,
    tenant_id: String,
    name: String,
}

/// Locks the zone row and checks its generation.
async fn lock(conn: &mut Conn, id: ZoneId, expected: i64) -> Result<Locked> {
    let stored: Option<(i64, String, String, String)> = sqlx::query_as(super::LOCK_ZONE_STATUS)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    match stored {
        None => Err(Error::not_found("Domain not found")),
        Some((g, ..)) if g != expected => Err(Error::conflict(
            "generation_mismatch",
            format!(
                "The domain was changed by another request (generation {g}, expected {expected}); reload and retry"
            ),
        )),
        Some((_, status, tenant_id, name)) => Ok(Locked {
            status,
            tenant_id,
            name,
        }),
    }
}

/// Makes `zone` live only if no other live zone holds its name space
/// ([`crate::zone::claims::check_claim`]). Activations that could overlap first queue on one
/// lock row per [`claim_lock_key`], so of two racing for overlapping names the second sees the
/// first. On MySQL the lock is taken before this transaction's first plain read (the writes
/// and the `FOR UPDATE` before it open no snapshot), so the snapshot the check reads from
/// already holds every activation that committed before the lock was granted; on SQLite
/// `BEGIN IMMEDIATE` serialises every writer anyway.
async fn claim(conn: &mut Conn, zone: &Zone, overlap: OverlapPolicy) -> Result<()> {
    sqlx::query(super::LOCK_CLAIM)
        .bind(claim_lock_key(&zone.name))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut f = overlap_filter(&zone.name);
    f.and(
        "status = ? AND id <> ?",
        [
            Arg::Text(ZoneStatus::Active.as_str().to_owned()),
            Arg::Text(zone.id.to_string()),
        ],
    );
    let sql = format!("SELECT id, tenant_id, name FROM zones{}", f.sql());
    let rows: Vec<(String, String, String)> = bind_as(sqlx::query_as(AssertSqlSafe(sql)), f.args)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    // A live row that cannot be read stops the activation: better refused than overlapping.
    let mut live = rows
        .into_iter()
        .map(|(id, tenant, name)| {
            Ok((
                id.parse::<ZoneId>()
                    .map_err(|e| corrupt("zones", &id, format!("id: {e}")))?,
                LiveZone {
                    tenant_id: tenant
                        .parse()
                        .map_err(|e| corrupt("zones", &id, format!("tenant_id: {e}")))?,
                    name: ZoneName::parse(&name)
                        .map_err(|e| corrupt("zones", &id, format!("name: {e}")))?,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    // The one exception the parent's owner grants: its live /24 does not stand in the way of
    // the classless zone it lent the range for (`zone::classless`).
    let block = crate::reverse::zone_block(&zone.name);
    if block.is_some() && live.iter().any(|(_, z)| z.tenant_id != zone.tenant_id) {
        let lent = super::classless::lent_to(conn, zone.tenant_id).await?;
        live.retain(|(id, other)| {
            other.tenant_id == zone.tenant_id
                || !lent
                    .iter()
                    .any(|(parent, range)| parent == id && range_covers(*range, block))
        });
    }
    let live: Vec<LiveZone> = live.into_iter().map(|(_, z)| z).collect();
    check_claim(zone.tenant_id, &zone.name, &live, overlap)
}

/// Binds every column but `id`, in `zone_columns!` order.
fn bind_fields<'q>(query: Query<'q, Db, Args>, zone: &Zone) -> Result<Query<'q, Db, Args>> {
    Ok(dynamic_query::bind(query, zone_args(zone)?))
}

/// Every column but `id`, in `zone_columns!` order.
fn zone_args(zone: &Zone) -> Result<Vec<Arg>> {
    Ok(vec![
        Arg::Text(zone.tenant_id.to_string()),
        Arg::Text(zone.name.as_str().to_owned()),
        Arg::Text(zone.domain_type.as_str().to_owned()),
        Arg::Text(zone.status.as_str().to_owned()),
        Arg::OptText(zone.status_before_delete.map(|s| s.as_str().to_owned())),
        Arg::Int(i64::from(zone.default_ttl.seconds())),
        Arg::OptText(zone.description.clone()),
        Arg::Text(json_text(&zone.settings)?),
        Arg::Bool(zone.dnssec_enabled),
        Arg::Int(zone.generation),
        Arg::Text(zone.sync.status.as_str().to_owned()),
        Arg::OptText(zone.sync.error.clone()),
        Arg::OptTs(ts_opt(zone.sync.last_synced_at)),
        Arg::Ts(Ts::from(zone.created_at)),
        Arg::Ts(Ts::from(zone.updated_at)),
        Arg::OptTs(ts_opt(zone.deleted_at)),
        Arg::OptText(zone.secondary.as_ref().map(json_text).transpose()?),
    ])
}

async fn insert(conn: &mut Conn, zone: &Zone) -> Result<()> {
    let query = sqlx::query(concat!(
        "INSERT INTO zones (",
        zone_columns!(),
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(zone.id.to_string());
    super::savepoint(conn).await?;
    let inserted = bind_fields(query, zone)?.execute(&mut *conn).await;
    match inserted {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => {
            super::back_to_savepoint(conn).await?;
            Err(name_taken(conn, zone).await?)
        }
        Err(err) => Err(db_err(err)),
    }
}

/// The zone row's `UPDATE` by id: every other column, in `zone_columns!` order (as
/// [`bind_fields`] binds them).
macro_rules! update_zone {
    () => {
        "UPDATE zones SET tenant_id = ?, name = ?, domain_type = ?, status = ?, \
         status_before_delete = ?, default_ttl = ?, description = ?, settings = ?, \
         dnssec_enabled = ?, generation = ?, sync_status = ?, sync_error = ?, last_synced_at = ?, \
         created_at = ?, updated_at = ?, deleted_at = ?, secondary_source = ? WHERE id = ?"
    };
}

/// Rewrites the zone row if it is still at generation `expected` with `zone`'s status, tenant
/// and name; says whether it did. Like the locking read, the `UPDATE` locks the row (MariaDB,
/// PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the database) and waits for a writer
/// holding it, then sees what that writer committed, so writers queue as they do on the
/// lock. The keys it writes are the stored ones, so it cannot break a unique key, and the
/// generation it writes differs from the stored one, so one row matched is one row changed
/// whatever an engine counts (sqlx asks MariaDB for found rows anyway).
async fn update_unless_stale(conn: &mut Conn, zone: &Zone, expected: i64) -> Result<bool> {
    let done = dynamic_query::bind(
        sqlx::query(UPDATE_UNLESS_STALE),
        update_unless_stale_args(zone, expected)?,
    )
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

/// The statement of [`update_unless_stale`], bound by [`update_unless_stale_args`].
pub(crate) const UPDATE_UNLESS_STALE: &str = concat!(
    update_zone!(),
    " AND generation = ? AND tenant_id = ? AND name = ? AND status = ?"
);

/// The values of [`UPDATE_UNLESS_STALE`].
pub(crate) fn update_unless_stale_args(zone: &Zone, expected: i64) -> Result<Vec<Arg>> {
    let mut args = zone_args(zone)?;
    args.extend([
        Arg::Text(zone.id.to_string()),
        Arg::Int(expected),
        Arg::Text(zone.tenant_id.to_string()),
        Arg::Text(zone.name.as_str().to_owned()),
        Arg::Text(zone.status.as_str().to_owned()),
    ]);
    Ok(args)
}

/// Rewrites the zone row. Only a change of the columns the unique keys are made of (status,
/// tenant, name: a restore, an activation) can make it collide with another zone's row, so
/// only then does it mark a savepoint, the round trip PostgreSQL needs to explain a collision;
/// a record change, the usual write, goes without.
async fn update(conn: &mut Conn, zone: &Zone, keys_change: bool) -> Result<()> {
    let query = sqlx::query(update_zone!());
    if keys_change {
        super::savepoint(conn).await?;
    }
    let updated = bind_fields(query, zone)?
        .bind(zone.id.to_string())
        .execute(&mut *conn)
        .await;
    match updated {
        Ok(_) => Ok(()),
        // A restore whose name another live zone of the tenant took meanwhile.
        Err(err) if keys_change && is_unique_violation(&err) => {
            super::back_to_savepoint(conn).await?;
            Err(name_taken(conn, zone).await?)
        }
        Err(err) => Err(db_err(err)),
    }
}

/// Explains a unique violation on writing `zone`.
async fn name_taken(conn: &mut Conn, zone: &Zone) -> Result<Error> {
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT id FROM zones WHERE tenant_id = ? AND name = ? AND status <> 'deleted' AND id <> ?",
    )
    .bind(zone.tenant_id.to_string())
    .bind(zone.name.as_str())
    .bind(zone.id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    if let Some(id) = existing {
        return Ok(
            Error::conflict("domain_exists", "Domain already exists").with_conflicts(vec![id])
        );
    }
    let live: Option<String> =
        sqlx::query_scalar("SELECT id FROM zones WHERE name = ? AND status = 'active' AND id <> ?")
            .bind(zone.name.as_str())
            .bind(zone.id.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
    Ok(match live {
        Some(_) => zone_taken(&zone.name),
        None => Error::internal(format!("zone id {} already exists", zone.id)),
    })
}

async fn set_sync_on(conn: &mut Conn, id: ZoneId, sync: &SyncState) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE zones SET sync_status = ?, sync_error = ?, last_synced_at = ? WHERE id = ?",
    )
    .bind(sync.status.as_str())
    .bind(sync.error.as_deref())
    .bind(ts_opt(sync.last_synced_at))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected())
}

async fn fetch(conn: &mut Conn, id: ZoneId) -> Result<Option<Zone>> {
    let row: Option<ZoneRow> = sqlx::query_as(concat!(
        "SELECT ",
        zone_columns!(),
        " FROM zones WHERE id = ?"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    row.map(ZoneRow::into_model).transpose()
}

pub(crate) async fn purge(
    pool: &Pool<Db>,
    id: ZoneId,
    expected_generation: i64,
    events: Vec<AuditEvent>,
    publisher: &dyn Publisher,
) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = purge_in(&mut tx, id, expected_generation, &events, publisher).await;
    finish(tx, result).await
}

async fn purge_in(
    conn: &mut Conn,
    id: ZoneId,
    expected_generation: i64,
    events: &[AuditEvent],
    publisher: &dyn Publisher,
) -> Result<()> {
    lock(conn, id, expected_generation).await?;
    // The foreign keys cascade too; deleting explicitly does not depend on SQLite's pragma.
    for sql in [
        "DELETE FROM rrset_comments WHERE zone_id = ?",
        "DELETE FROM records WHERE zone_id = ?",
        "DELETE FROM validations WHERE zone_id = ?",
        // No foreign key: the row is written before the zone (see `zone_create`).
        "DELETE FROM zone_pending_templates WHERE zone_id = ?",
        // The ranges it lent: a zone of that name made later lends nothing.
        "DELETE FROM classless_delegations WHERE parent_zone_id = ?",
        "DELETE FROM zone_history WHERE zone_id = ?",
        "DELETE FROM zones WHERE id = ?",
    ] {
        sqlx::query(sql)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    audit::insert(conn, events).await?;
    publisher.publish().await?;
    Ok(())
}

pub(crate) async fn get(pool: &Pool<Db>, id: ZoneId) -> Result<Option<Zone>> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    fetch(&mut conn, id).await
}

/// Zones whose name equals `name`, lies above it or below it.
fn overlap_filter(name: &ZoneName) -> Filter {
    // The zone itself and its ancestors are exact matches computed here; descendants are the
    // names ending in ".<name>".
    let labels: Vec<&str> = name.as_str().split('.').collect();
    let ancestors: Vec<String> = (0..labels.len()).map(|i| labels[i..].join(".")).collect();
    let mut f = Filter::default();
    let marks = vec!["?"; ancestors.len()].join(", ");
    let mut args: Vec<Arg> = ancestors.into_iter().map(Arg::Text).collect();
    args.push(Arg::Text(format!("%.{}", escape_like(name.as_str()))));
    f.and(
        format!("(name IN ({marks}) OR name LIKE ? ESCAPE '{LIKE_ESCAPE}')"),
        args,
    );
    f
}

pub(crate) async fn find_overlapping(pool: &Pool<Db>, name: &ZoneName) -> Result<Vec<Zone>> {
    let f = overlap_filter(name);
    let sql = format!(
        concat!(
            "SELECT ",
            zone_columns!(),
            " FROM zones{} ORDER BY name, id"
        ),
        f.sql()
    );
    let rows: Vec<ZoneRow> = bind_as(sqlx::query_as(AssertSqlSafe(sql)), f.args)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    models(rows, ZoneRow::into_model)
}

pub(crate) async fn list(
    pool: &Pool<Db>,
    filter: &ZoneFilter,
    page: PageRequest,
) -> Result<Page<Zone>> {
    let mut f = Filter::default();
    if let Some(tenant) = filter.tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    if let Some(ids) = &filter.ids {
        f.and_in("id", ids.iter().map(ToString::to_string));
    }
    if let Some(status) = filter.status {
        f.and("status = ?", [Arg::Text(status.as_str().to_owned())]);
    }
    if !filter.include_deleted && filter.status != Some(ZoneStatus::Deleted) {
        f.and(
            "status <> ?",
            [Arg::Text(ZoneStatus::Deleted.as_str().to_owned())],
        );
    }
    if let Some(domain_type) = filter.domain_type {
        f.and(
            "domain_type = ?",
            [Arg::Text(domain_type.as_str().to_owned())],
        );
    }
    if let Some(dnssec) = filter.dnssec_enabled {
        f.and("dnssec_enabled = ?", [Arg::Bool(dnssec)]);
    }
    if let Some(search) = &filter.search {
        f.and_contains(&["name"], search.strip_suffix('.').unwrap_or(search));
    }
    let (rows, total) =
        dynamic_query::page_by_id::<ZoneRow>(pool, "zones", zone_columns!(), f, "name, id", page)
            .await?;
    Ok(Page {
        items: readable_models(rows, ZoneRow::into_model),
        total,
    })
}

pub(crate) async fn set_sync_state(pool: &Pool<Db>, id: ZoneId, sync: &SyncState) -> Result<()> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    match set_sync_on(&mut conn, id, sync).await? {
        0 => Err(Error::not_found("Domain not found")),
        _ => Ok(()),
    }
}

pub(crate) async fn claim_publication(
    pool: &Pool<Db>,
    id: ZoneId,
    generation: i64,
) -> Result<bool> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    claim_on(&mut conn, id, generation).await
}

/// Raises the zone's last published generation to `generation` if it is below; says whether
/// it did.
async fn claim_on(conn: &mut Conn, id: ZoneId, generation: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE zones SET published_generation = ? WHERE id = ? AND published_generation < ?",
    )
    .bind(generation)
    .bind(id.to_string())
    .bind(generation)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn set_sync_state_at(
    pool: &Pool<Db>,
    id: ZoneId,
    generation: i64,
    sync: &SyncState,
) -> Result<bool> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    set_sync_at_on(&mut conn, id, generation, sync).await
}

/// Sets the sync state while the zone is still at `generation`; says whether it did.
async fn set_sync_at_on(
    conn: &mut Conn,
    id: ZoneId,
    generation: i64,
    sync: &SyncState,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE zones SET sync_status = ?, sync_error = ?, last_synced_at = ? WHERE id = ? AND generation = ?",
    )
    .bind(sync.status.as_str())
    .bind(sync.error.as_deref())
    .bind(ts_opt(sync.last_synced_at))
    .bind(id.to_string())
    .bind(generation)
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() > 0)
}

/// A zone's publishing turn. On MariaDB and PostgreSQL it is a transaction holding the zone's
/// publication lock row (`super::LOCK_PUBLICATION`), in which the zone and its records are read
/// at READ COMMITTED (`mysql::begin_publication`), so each read sees every write that
/// committed before it (a turn taken beside a write is granted before that write commits, see
/// `service::zone_change`), and the outcome is written before the commit ends the turn (on
/// PostgreSQL a commit that does not wait for the disk, see `postgres::LOCK_PUBLICATION`). On
/// SQLite there is no lock to hold (one process publishes, its per-zone publishing turn orders
/// it), so it reads and writes through the pool.
pub(crate) struct Turn {
    id: ZoneId,
    pool: Pool<Db>,
    tx: Option<::sqlx::Transaction<'static, Db>>,
}

pub(crate) async fn publication_turn(
    pool: &Pool<Db>,
    id: ZoneId,
) -> Result<Box<dyn PublicationTurn>> {
    let tx = match super::LOCK_PUBLICATION {
        Some(lock) => {
            let mut tx = super::begin_publication(pool).await.map_err(db_err)?;
            sqlx::query(lock)
                .bind(format!("publish/{id}"))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            Some(tx)
        }
        None => None,
    };
    Ok(Box::new(Turn {
        id,
        pool: pool.clone(),
        tx,
    }))
}

/// [`publication_turn`] taken by a writer beside its write: the same turn, named apart in the
/// store's operation metrics (`SqlStore::with_observer`).
pub(crate) async fn publication_turn_beside_write(
    pool: &Pool<Db>,
    id: ZoneId,
) -> Result<Box<dyn PublicationTurn>> {
    publication_turn(pool, id).await
}

#[async_trait::async_trait]
impl PublicationTurn for Turn {
    async fn zone(&mut self) -> Result<Option<(Zone, i64)>> {
        let sql = concat!(
            "SELECT ",
            zone_columns!(),
            ", published_generation FROM zones WHERE id = ?"
        );
        let query = sqlx::query_as::<_, PublishedZoneRow>(sql).bind(self.id.to_string());
        let row = match &mut self.tx {
            Some(tx) => query.fetch_optional(&mut **tx).await,
            None => query.fetch_optional(&self.pool).await,
        }
        .map_err(db_err)?;
        row.map(|r| Ok((r.zone.into_model()?, r.published_generation)))
            .transpose()
    }

    async fn records(&mut self) -> Result<Vec<Record>> {
        let all = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        match &mut self.tx {
            Some(tx) => records::list_on(&mut **tx, self.id, &all).await,
            None => records::list_on(&self.pool, self.id, &all).await,
        }
    }

    async fn finish(
        self: Box<Self>,
        published: Option<i64>,
        sync: Option<(i64, SyncState)>,
    ) -> Result<()> {
        let Turn { id, pool, tx } = *self;
        match tx {
            Some(mut tx) => {
                let result = record_publication(&mut tx, id, published, sync.as_ref()).await;
                finish(tx, result).await
            }
            None if published.is_none() && sync.is_none() => Ok(()),
            None => {
                let mut conn = pool.acquire().await.map_err(db_err)?;
                record_publication(&mut conn, id, published, sync.as_ref()).await
            }
        }
    }
}

/// The outcome of a publishing turn (see [`PublicationTurn::finish`]).
async fn record_publication(
    conn: &mut Conn,
    id: ZoneId,
    published: Option<i64>,
    sync: Option<&(i64, SyncState)>,
) -> Result<()> {
    match (published, sync) {
        // The usual outcome, in one statement (one round trip less on every write): raise the
        // published generation, and set the sync state while the zone is still at `at`.
        (Some(generation), Some((at, sync))) => {
            sqlx::query(
                "UPDATE zones SET \
                 sync_status = CASE WHEN generation = ? THEN ? ELSE sync_status END, \
                 sync_error = CASE WHEN generation = ? THEN ? ELSE sync_error END, \
                 last_synced_at = CASE WHEN generation = ? THEN ? ELSE last_synced_at END, \
                 published_generation = CASE WHEN published_generation < ? THEN ? \
                 ELSE published_generation END \
                 WHERE id = ?",
            )
            .bind(*at)
            .bind(sync.status.as_str())
            .bind(*at)
            .bind(sync.error.as_deref())
            .bind(*at)
            .bind(ts_opt(sync.last_synced_at))
            .bind(generation)
            .bind(generation)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        (Some(generation), None) => {
            claim_on(conn, id, generation).await?;
        }
        (None, Some((at, sync))) => {
            set_sync_at_on(conn, id, *at, sync).await?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// A zone row with its last published generation.
#[derive(::sqlx::FromRow)]
struct PublishedZoneRow {
    #[sqlx(flatten)]
    zone: ZoneRow,
    published_generation: i64,
}

pub(crate) async fn count_by_status(pool: &Pool<Db>) -> Result<Vec<(ZoneStatus, u64)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM zones GROUP BY status ORDER BY status")
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    rows.into_iter()
        .map(|(status, n)| {
            let status = status
                .parse()
                .map_err(|e| Error::internal(format!("corrupt zones.status: {e}")))?;
            Ok((status, count(n)))
        })
        .collect()
}
