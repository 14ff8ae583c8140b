//! Zone rows kept in memory, so an unchanged zone is listed, and a zone this replica just wrote
//! is written again, without reading its row (issue 12, reads and single writes).
//!
//! Correctness before speed.
//!
//! **Drops.** Every service method that writes a zone row (a record change, a zone update, a
//! status change, DNSSEC on or off, a purge) holds a [`ZoneWriteGuard`] across the write: when it
//! is dropped, after the commit and whatever happened next (even an error or a cancelled
//! request), the zone's entry is dropped at once on this replica and the change is announced on
//! the change feed (Redis pub/sub), which drops the other replicas' entry. Entries also die after
//! `max_staleness` (`ZONE_CACHE_MAX_STALENESS`), so a lost notice, a writer without Redis or a
//! write made past the service is stale for at most that long. A read that started before a drop
//! stores nothing (the epoch it started in is gone), so a row read before a commit never outlives
//! the write's answer.
//!
//! **Puts.** A change committed through `zone_change` puts the row it committed here, in the
//! zone's writers' turn, so this replica puts one zone's rows in generation order. A put steps
//! the epoch as a drop does (a read that started before the commit stores nothing afterwards),
//! and neither a put nor a read ever replaces a newer generation. A put is refused when the zone
//! was dropped since its commit started: a lifecycle write (delete, restore, DNSSEC…) takes no
//! writers' turn, so it may commit, and its guard drop, between a record write's commit and
//! that write's put, which would otherwise bring back the older (say, live) row after the
//! lifecycle write answered. The record writes (create, update, delete, bulk, import, history
//! restore) go through `ScaiDns::change_records`, which ends their guard with
//! [`ZoneWriteGuard::keep_committed`] when they succeeded:
//! the entry stays and the other replicas still hear of the change (the change feed does not
//! hand a replica its own zone notices, see `adapters::redis_change_feed`). On an error or a
//! cancellation they drop it as above; every other writer drops it.
//!
//! **What may be read from here.** What a change steps the generation for: every column of the
//! zone's row but its sync state. Every `UPDATE zones` in `adapters/sql` that changes a column
//! without a new generation:
//! - the sync state (`sync_status`, `sync_error`, `last_synced_at`): a publishing turn's outcome
//!   (`zones::record_publication` and `set_sync_at_on`, through `PublicationTurn::finish`), a
//!   lifecycle write's publication inside its transaction (`set_sync_on` in `write_in`, in the
//!   transaction that steps the generation; a bookkeeping write publishes nothing), and
//!   `ZoneStore::set_sync_state` (not used by the service);
//! - `published_generation` (`claim_on`, `record_publication`), which no [`Zone`] carries.
//!
//! `zones::update` and the DNSSEC switch (`dnssec_keys`) step the generation. So a read that
//! answers the sync state reads the store.
//!
//! **The sync state in writers' plans.** A change planned on a cached row (`zone_change`) writes
//! the whole row, sync state included, so that row's sync state must be what a read of the store
//! would give. It is, by these rules:
//! - A plan takes a cached row only when it is live, **in sync** at its generation, and its
//!   write publishes: such a write stores `pending`, no error, and the row's `last_synced_at`
//!   (the pending mark), so only `last_synced_at` comes from the row.
//! - A publication never moves the `last_synced_at` of a zone already in sync at the generation
//!   it publishes (`ScaiDns::sync_outcome`); one that fails keeps it too. So once the store has a
//!   zone in sync at generation G, its `last_synced_at` stays as it is while the zone is at G and
//!   in sync, whichever replica publishes. A row in sync at G was read from the store, or is the outcome
//!   this replica's publishing turn recorded at G ([`ScaiDns::cache_published`]: every turn of
//!   this replica gives the entry at that generation the sync state it read or recorded), so its
//!   `last_synced_at` is the store's whenever the store is at G, and the write commits only then
//!   (its generation guard). A row not in sync is never planned on: publications still to come
//!   (here, on another replica, or the retry queue's) may stamp that generation.
//!   Residual, within the staleness bound: another replica's re-publication of G that fails
//!   (the store goes `pending`, same `last_synced_at`) and then passes re-stamps G's
//!   `last_synced_at` unseen here, and a write planned on this row in that window stores the
//!   older one with its `pending` mark (docs/decisions.md).
//! - A dry run, and anything a cached plan does not settle (an `If-Match` it fails, a planning
//!   error, nothing to write, a write that publishes nothing), go to the store's row.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::ZoneId;
use crate::zone::{SyncState, SyncStatus, Zone, ZoneStatus};

use super::ScaiDns;

/// Bounds of the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneCacheConfig {
    /// How long an entry may serve after it was read (`ZONE_CACHE_MAX_STALENESS`): the longest
    /// another replica's change stays unseen when its notice is lost; zero turns the cache off.
    pub max_staleness: std::time::Duration,
    /// Most zones held; a full cache drops its expired entries, then everything.
    pub capacity: usize,
}

impl Default for ZoneCacheConfig {
    fn default() -> Self {
        Self {
            max_staleness: std::time::Duration::from_secs(1),
            capacity: 10_000,
        }
    }
}

#[derive(Debug)]
struct Entry {
    read_at: DateTime<Utc>,
    zone: Arc<Zone>,
}

/// The cache (one per service; clones of the service share it).
#[derive(Debug)]
pub(crate) struct ZoneCache {
    config: ZoneCacheConfig,
    /// Stepped under the entries' lock by every drop and put: a read that started in an older
    /// epoch stores nothing.
    epoch: AtomicU64,
    entries: Mutex<HashMap<ZoneId, Entry>>,
    /// When each zone was last dropped (the epoch its drop stepped to), so a put whose commit
    /// started before it is refused; taken under the entries' lock.
    drops: Mutex<Drops>,
}

/// Recent drops, bounded like the entries: when full they are forgotten and `floor` moves up,
/// refusing every put that started before.
#[derive(Debug, Default)]
struct Drops {
    at: HashMap<ZoneId, u64>,
    floor: u64,
}

impl ZoneCache {
    pub(crate) fn new(config: ZoneCacheConfig) -> Self {
        Self {
            config,
            epoch: AtomicU64::new(0),
            entries: Mutex::default(),
            drops: Mutex::default(),
        }
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    fn disabled(&self) -> bool {
        self.config.max_staleness.is_zero() || self.config.capacity == 0
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<ZoneId, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fresh(&self, entry: &Entry, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(entry.read_at);
        age >= chrono::Duration::zero()
            && age
                .to_std()
                .is_ok_and(|age| age < self.config.max_staleness)
    }

    fn get(&self, id: ZoneId, now: DateTime<Utc>) -> Option<Arc<Zone>> {
        self.entries()
            .get(&id)
            .filter(|e| self.fresh(e, now))
            .map(|e| Arc::clone(&e.zone))
    }

    /// Stores a row read at `read_at` by a read that started in `epoch`, unless a zone was
    /// dropped or put since.
    fn insert(&self, epoch: u64, read_at: DateTime<Utc>, zone: Arc<Zone>) {
        if self.disabled() {
            return;
        }
        let mut entries = self.entries();
        // Checked under the lock `drop_zone` and `put` take too, so no row read before a drop
        // or a commit is kept.
        if epoch != self.epoch() {
            return;
        }
        self.keep(&mut entries, read_at, zone);
    }

    fn drops(&self) -> std::sync::MutexGuard<'_, Drops> {
        self.drops.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the row a write of this replica committed at `now` (in the zone's writers' turn),
    /// unless the zone was dropped since `started` (the epoch before the commit).
    fn put(&self, started: u64, now: DateTime<Utc>, zone: Arc<Zone>) {
        if self.disabled() {
            return;
        }
        let mut entries = self.entries();
        // As a drop does: a read that started before the commit stores nothing after it.
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let drops = self.drops();
        if started < drops.floor || drops.at.get(&zone.id).is_some_and(|at| *at > started) {
            // Another write committed and dropped it meanwhile: its row may be newer.
            return;
        }
        drop(drops);
        self.keep(&mut entries, now, zone);
    }

    /// Holds `zone` unless a newer generation of it is held; makes room first.
    fn keep(&self, entries: &mut HashMap<ZoneId, Entry>, read_at: DateTime<Utc>, zone: Arc<Zone>) {
        if entries
            .get(&zone.id)
            .is_some_and(|e| e.zone.generation > zone.generation)
        {
            return;
        }
        if entries.len() >= self.config.capacity && !entries.contains_key(&zone.id) {
            entries.retain(|_, e| self.fresh(e, read_at));
            if entries.len() >= self.config.capacity {
                entries.clear();
            }
        }
        entries.insert(zone.id, Entry { read_at, zone });
    }

    /// Gives the entry of `id` the sync state a publication read or recorded at `generation`,
    /// if it is still at that generation; never adds one (a drop since stays a drop).
    fn set_sync(&self, id: ZoneId, generation: i64, sync: &SyncState) {
        let mut entries = self.entries();
        if let Some(entry) = entries
            .get_mut(&id)
            .filter(|e| e.zone.generation == generation)
        {
            Arc::make_mut(&mut entry.zone).sync = sync.clone();
        }
    }

    /// Drops one zone's entry (and every read of any zone under way).
    pub(crate) fn drop_zone(&self, id: ZoneId) {
        let mut entries = self.entries();
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        entries.remove(&id);
        let mut drops = self.drops();
        if drops.at.len() >= self.config.capacity.max(1) {
            drops.at.clear();
            drops.floor = epoch;
        }
        drops.at.insert(id, epoch);
    }

    /// Drops every entry (and refuses every put under way).
    pub(crate) fn drop_all(&self) {
        let mut entries = self.entries();
        let epoch = self.epoch.fetch_add(1, Ordering::SeqCst) + 1;
        entries.clear();
        let mut drops = self.drops();
        drops.at.clear();
        drops.floor = epoch;
    }
}

/// Held by a zone write: dropping it (after the commit, an error or a cancellation) drops the
/// zone's cached row here and announces the change to the other replicas.
#[must_use = "the zone's cached row is dropped when the guard is"]
pub(crate) struct ZoneWriteGuard<'a> {
    service: &'a ScaiDns,
    zone: ZoneId,
    /// Set by [`Self::keep_committed`].
    keep: bool,
}

impl ZoneWriteGuard<'_> {
    /// Ends a record write that succeeded: the row its commit put in the cache stays (see the
    /// module docs); the other replicas still hear of the change.
    pub(crate) fn keep_committed(mut self) {
        self.keep = true;
    }
}

impl Drop for ZoneWriteGuard<'_> {
    fn drop(&mut self) {
        let cache = &self.service.zone_cache;
        if !self.keep {
            cache.drop_zone(self.zone);
        }
        if let Some(feed) = &self.service.change_feed {
            feed.announce_zone_change(self.zone);
        }
    }
}

impl ScaiDns {
    /// Sets the zone cache's bounds (it starts with [`ZoneCacheConfig::default`]); the cache is
    /// emptied.
    #[must_use]
    pub fn with_zone_cache(mut self, config: ZoneCacheConfig) -> Self {
        self.zone_cache = Arc::new(ZoneCache::new(config));
        self
    }

    /// Hold across a write of `zone`'s row (see the module docs).
    pub(crate) fn zone_write(&self, zone: ZoneId) -> ZoneWriteGuard<'_> {
        ZoneWriteGuard {
            service: self,
            zone,
            keep: false,
        }
    }

    /// The zone's row from the cache, else from the store (then cached). Only for reads that
    /// answer nothing of its sync state (see the module docs).
    pub(crate) async fn cached_zone(&self, id: ZoneId) -> Result<Option<Arc<Zone>>> {
        let now = self.clock.now();
        if let Some(zone) = self.zone_cache.get(id, now) {
            return Ok(Some(zone));
        }
        let epoch = self.zone_cache.epoch();
        let Some(zone) = self.store().get_zone(id).await? else {
            return Ok(None);
        };
        let zone = Arc::new(zone);
        self.zone_cache.insert(epoch, now, Arc::clone(&zone));
        Ok(Some(zone))
    }

    /// The cached row of `id` when a change may be planned on it instead of the store's (see
    /// the module docs): live, in sync, and with the zone's whole record set cached at its
    /// generation, so the plan reads nothing from the store at a generation it has not proven.
    pub(crate) fn zone_to_plan_on(&self, id: ZoneId) -> Option<Zone> {
        let zone = self.zone_cache.get(id, self.clock.now())?;
        let usable = zone.status == ZoneStatus::Active
            && zone.sync.status == SyncStatus::InSync
            && self.record_cache.get_whole(id, zone.generation).is_some();
        usable.then(|| Zone::clone(&zone))
    }

    /// Where the zone cache stands before a commit, for [`Self::cache_committed`].
    pub(crate) fn zone_cache_epoch(&self) -> u64 {
        self.zone_cache.epoch()
    }

    /// Keeps the row a change just committed (call it in the zone's writers' turn, with the
    /// [`Self::zone_cache_epoch`] taken before the commit).
    pub(crate) fn cache_committed(&self, started: u64, zone: &Zone) {
        self.zone_cache
            .put(started, self.clock.now(), Arc::new(zone.clone()));
    }

    /// Gives the cached row the sync state a publishing turn read or recorded for the zone at
    /// `generation` (see the module docs).
    pub(crate) fn cache_published(&self, id: ZoneId, generation: i64, sync: &SyncState) {
        self.zone_cache.set_sync(id, generation, sync);
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_700_000_000_000 + ms).unwrap()
    }

    fn zone() -> Arc<Zone> {
        use crate::zone::{DomainType, SyncState, ZoneStatus};
        Arc::new(Zone {
            id: ZoneId::new(),
            tenant_id: crate::ids::TenantId::new(),
            name: crate::name::ZoneName::parse("cached.example").unwrap(),
            domain_type: DomainType::Primary,
            status: ZoneStatus::Active,
            status_before_delete: None,
            default_ttl: crate::record::Ttl::new(3600).unwrap(),
            description: None,
            settings: serde_json::json!({}),
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState::synced(at(0)),
            created_at: at(0),
            updated_at: at(0),
            deleted_at: None,
            secondary: None,
        })
    }

    fn cache(capacity: usize) -> ZoneCache {
        ZoneCache::new(ZoneCacheConfig {
            max_staleness: std::time::Duration::from_secs(1),
            capacity,
        })
    }

    #[test]
    fn entries_live_until_the_bound_or_a_drop() {
        let c = cache(10);
        let z = zone();
        c.insert(c.epoch(), at(0), Arc::clone(&z));
        assert!(c.get(z.id, at(999)).is_some());
        assert!(c.get(z.id, at(1000)).is_none(), "the bound has passed");
        assert!(
            c.get(z.id, at(-1)).is_none(),
            "a clock going back is not trusted"
        );
        c.drop_zone(z.id);
        assert!(c.get(z.id, at(1)).is_none(), "a write drops it at once");
    }

    #[test]
    fn a_read_that_started_before_a_drop_stores_nothing() {
        let c = cache(10);
        let z = zone();
        let started = c.epoch();
        c.drop_zone(z.id);
        c.insert(started, at(0), Arc::clone(&z));
        assert!(c.get(z.id, at(0)).is_none());
        c.insert(c.epoch(), at(0), Arc::clone(&z));
        c.drop_all();
        assert!(c.get(z.id, at(0)).is_none());
    }

    #[test]
    fn a_full_cache_stays_within_its_capacity_and_zero_caches_nothing() {
        let c = cache(2);
        for _ in 0..5 {
            c.insert(c.epoch(), at(0), zone());
        }
        assert!(c.entries.lock().unwrap().len() <= 2);
        let off = ZoneCache::new(ZoneCacheConfig {
            max_staleness: std::time::Duration::ZERO,
            ..ZoneCacheConfig::default()
        });
        let z = zone();
        off.insert(off.epoch(), at(0), Arc::clone(&z));
        assert!(off.get(z.id, at(0)).is_none());
    }

    fn at_generation(zone: &Arc<Zone>, generation: i64) -> Arc<Zone> {
        Arc::new(Zone {
            generation,
            ..Zone::clone(zone)
        })
    }

    #[test]
    fn a_put_outlives_no_read_that_started_before_it_and_no_newer_generation() {
        let c = cache(10);
        let z = zone();
        let read_before_commit = c.epoch();
        c.put(c.epoch(), at(0), at_generation(&z, 2));
        c.insert(read_before_commit, at(0), Arc::clone(&z));
        assert_eq!(
            c.get(z.id, at(1)).unwrap().generation,
            2,
            "the older read stored nothing"
        );

        c.put(c.epoch(), at(0), Arc::clone(&z));
        assert_eq!(
            c.get(z.id, at(1)).unwrap().generation,
            2,
            "a put never goes back"
        );
        c.insert(c.epoch(), at(0), Arc::clone(&z));
        assert_eq!(c.get(z.id, at(1)).unwrap().generation, 2, "nor does a read");

        c.put(c.epoch(), at(0), at_generation(&z, 3));
        assert_eq!(c.get(z.id, at(1)).unwrap().generation, 3);
        c.drop_zone(z.id);
        assert!(c.get(z.id, at(1)).is_none(), "a drop still drops a put");
    }

    #[test]
    fn a_publication_sets_the_sync_state_only_of_its_generation() {
        use crate::zone::{SyncState, SyncStatus};
        let c = cache(10);
        let z = zone();
        let pending = SyncState {
            status: SyncStatus::Pending,
            error: None,
            last_synced_at: Some(at(0)),
        };
        c.put(c.epoch(), at(0), at_generation(&z, 2));
        c.set_sync(z.id, 1, &pending);
        assert_eq!(
            c.get(z.id, at(1)).unwrap().sync,
            z.sync,
            "another generation's outcome"
        );
        c.set_sync(z.id, 2, &pending);
        assert_eq!(c.get(z.id, at(1)).unwrap().sync, pending);
        c.drop_zone(z.id);
        c.set_sync(z.id, 2, &pending);
        assert!(c.get(z.id, at(1)).is_none(), "an outcome adds no entry");
    }

    #[test]
    fn a_put_after_a_drop_of_its_zone_since_its_commit_started_is_refused() {
        let c = cache(10);
        let z = zone();
        c.put(c.epoch(), at(0), Arc::clone(&z));
        // A record write's commit starts; a delete commits and drops the zone before the
        // record write puts its (live, older) row.
        let started = c.epoch();
        c.drop_zone(z.id);
        c.put(started, at(0), at_generation(&z, 2));
        assert!(c.get(z.id, at(1)).is_none(), "the deleted zone came back");

        // Another zone's drop refuses nothing.
        c.drop_zone(ZoneId::new());
        let started = c.epoch();
        c.drop_zone(ZoneId::new());
        c.put(started, at(0), at_generation(&z, 3));
        assert_eq!(c.get(z.id, at(1)).unwrap().generation, 3);

        // Once the drops are forgotten (a full record, a resubscription), every put under way
        // is refused.
        let started = c.epoch();
        c.drop_all();
        c.put(started, at(0), at_generation(&z, 4));
        assert!(c.get(z.id, at(1)).is_none());
        let small = cache(1);
        let started = small.epoch();
        small.drop_zone(z.id);
        small.drop_zone(ZoneId::new());
        small.put(started, at(0), Arc::clone(&z));
        assert!(small.get(z.id, at(1)).is_none(), "forgotten, not allowed");
    }
}
