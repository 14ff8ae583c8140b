//! The record sets of zones kept in memory by `(zone, generation)`: every change of a zone's
//! records steps its generation in the same transaction, and a read always takes the zone (and
//! so its generation) fresh from the store first, so a set cached under that generation is
//! exactly what the store holds. A deleted record is never served: its deletion made a new
//! generation, under which nothing is cached yet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ids::ZoneId;
use crate::ports::store::RecordFilter;
use crate::record::{Record, RecordType};

/// Most records held, all zones together; a full cache starts over.
const CAPACITY_RECORDS: usize = 200_000;

/// A filter as a map key.
type FilterKey = (Option<RecordType>, Option<String>, Option<String>, bool);

fn filter_key(f: &RecordFilter) -> FilterKey {
    (
        f.rtype,
        f.name_contains.clone(),
        f.query.clone(),
        f.include_system,
    )
}

/// One zone's sets at one generation, by filter.
type ZoneSets = (i64, HashMap<FilterKey, Arc<Vec<Record>>>);

#[derive(Debug, Default)]
struct Sets {
    /// Per zone: the generation the sets belong to, and the sets by filter.
    zones: HashMap<ZoneId, ZoneSets>,
    records: usize,
}

/// The cache (one per service; clones of the service share it).
#[derive(Debug, Default)]
pub(crate) struct RecordCache(Mutex<Sets>);

impl RecordCache {
    /// The set of `zone` at `generation` under `filter`, if cached.
    pub(crate) fn get(
        &self,
        zone: ZoneId,
        generation: i64,
        filter: &RecordFilter,
    ) -> Option<Arc<Vec<Record>>> {
        let sets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (cached, by_filter) = sets.zones.get(&zone)?;
        if *cached != generation {
            return None;
        }
        by_filter.get(&filter_key(filter)).cloned()
    }

    /// Keeps a set read after the zone was read at `generation`. Records read after the zone
    /// are at least that new, and a generation is never read again once a newer one is
    /// stored, so a set newer than its key is harmless.
    pub(crate) fn put(
        &self,
        zone: ZoneId,
        generation: i64,
        filter: &RecordFilter,
        records: Arc<Vec<Record>>,
    ) {
        let mut sets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if records.len() > CAPACITY_RECORDS {
            return;
        }
        if sets.records + records.len() > CAPACITY_RECORDS {
            *sets = Sets::default();
        }
        let Sets {
            zones,
            records: held,
        } = &mut *sets;
        let slot = zones
            .entry(zone)
            .or_insert_with(|| (generation, HashMap::new()));
        if slot.0 > generation {
            return;
        }
        if slot.0 < generation {
            *held -= slot.1.values().map(|s| s.len()).sum::<usize>();
            *slot = (generation, HashMap::new());
        }
        *held += records.len();
        if let Some(old) = slot.1.insert(filter_key(filter), records) {
            *held -= old.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_serves_only_its_generation_and_filter() {
        let cache = RecordCache::default();
        let zone = ZoneId::new();
        let all = RecordFilter::default();
        let a_only = RecordFilter {
            rtype: Some(RecordType::A),
            ..RecordFilter::default()
        };
        cache.put(zone, 3, &all, Arc::new(Vec::new()));
        assert!(cache.get(zone, 3, &all).is_some());
        assert!(cache.get(zone, 3, &a_only).is_none());
        assert!(cache.get(zone, 4, &all).is_none());

        // A newer generation replaces the older sets; an older one never comes back.
        cache.put(zone, 4, &a_only, Arc::new(Vec::new()));
        assert!(cache.get(zone, 3, &all).is_none());
        cache.put(zone, 3, &all, Arc::new(Vec::new()));
        assert!(cache.get(zone, 3, &all).is_none());
        assert!(cache.get(zone, 4, &a_only).is_some());
    }
}
