//! Zone rows kept in memory for the record list, so an unchanged zone is listed without touching
//! the database (issue 12, reads).
//!
//! Correctness before speed. Every service method that writes a zone row (a record change, a
//! zone update, a status change, DNSSEC on or off, a purge) holds a [`ZoneWriteGuard`] across the
//! write: when it is dropped, after the commit and whatever happened next (even an error or a
//! cancelled request), the zone's entry is dropped at once on this replica and the change is
//! announced on the change feed (Redis pub/sub), which drops the other replicas' entry. Entries
//! also die after `max_staleness` (`ZONE_CACHE_MAX_STALENESS`), so a lost notice, a writer
//! without Redis or a write made past the service is stale for at most that long. A read that
//! started before a drop stores nothing (the epoch it started in is gone), so a row read before
//! a commit never outlives the write's answer.
//!
//! Only what a change steps the generation for may be taken from here: the zone's tenant, name,
//! status and generation. Its sync state changes without a new generation, so a read that
//! answers it reads the store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::ZoneId;
use crate::zone::Zone;

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
    /// Stepped under the entries' lock by every drop: a read that started in an older epoch
    /// stores nothing.
    epoch: AtomicU64,
    entries: Mutex<HashMap<ZoneId, Entry>>,
}

impl ZoneCache {
    pub(crate) fn new(config: ZoneCacheConfig) -> Self {
        Self {
            config,
            epoch: AtomicU64::new(0),
            entries: Mutex::default(),
        }
    }

    fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    fn fresh(&self, entry: &Entry, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(entry.read_at);
        age >= chrono::Duration::zero()
            && age
                .to_std()
                .is_ok_and(|age| age < self.config.max_staleness)
    }

    fn get(&self, id: ZoneId, now: DateTime<Utc>) -> Option<Arc<Zone>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&id)
            .filter(|e| self.fresh(e, now))
            .map(|e| Arc::clone(&e.zone))
    }

    /// Stores a row read at `read_at` by a read that started in `epoch`, unless a zone was
    /// dropped since.
    fn insert(&self, epoch: u64, read_at: DateTime<Utc>, zone: Arc<Zone>) {
        if self.config.max_staleness.is_zero() || self.config.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock `drop_zone` takes too, so no row read before a drop is kept.
        if epoch != self.epoch() {
            return;
        }
        if entries.len() >= self.config.capacity {
            entries.retain(|_, e| self.fresh(e, read_at));
            if entries.len() >= self.config.capacity {
                entries.clear();
            }
        }
        entries.insert(zone.id, Entry { read_at, zone });
    }

    /// Drops one zone's entry (and every read of any zone under way).
    pub(crate) fn drop_zone(&self, id: ZoneId) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.remove(&id);
    }

    /// Drops every entry.
    pub(crate) fn drop_all(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}

/// Held by a zone write: dropping it (after the commit, an error or a cancellation) drops the
/// zone's cached row here and announces the change to the other replicas.
#[must_use = "the zone's cached row is dropped when the guard is"]
pub(crate) struct ZoneWriteGuard<'a> {
    service: &'a ScaiDns,
    zone: ZoneId,
}

impl Drop for ZoneWriteGuard<'_> {
    fn drop(&mut self) {
        self.service.zone_cache.drop_zone(self.zone);
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
        }
    }

    /// The zone's row from the cache, else from the store (then cached). Only for reads that
    /// answer the tenant, name, status and generation (see the module docs).
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
}
