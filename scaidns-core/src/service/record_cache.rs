//! The record sets of zones kept in memory by `(zone, generation)`, each with its rendering (the
//! body of the list's answer) once a caller who sees the whole set needed it: every change of a
//! zone's records steps its generation in the same transaction, and a read takes the zone (and
//! so its generation) from the store or from the zone cache, which drops a zone at once when
//! this replica writes it and within its staleness bound when another one does
//! (`zone_cache`). So a set cached under a generation is what the store holds at it, and a
//! deleted record is never served past that bound: its deletion made a new generation, under
//! which nothing is cached yet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::ids::ZoneId;
use crate::ports::store::RecordFilter;
use crate::record::{Record, RecordType};

/// Most records held, all zones together, each set counting one more than its records so that
/// empty sets are bounded too; a full cache starts over. A rendered set takes about twice the
/// memory of its records (a few hundred bytes each), so this bounds the cache near 100 MB.
const CAPACITY_RECORDS: usize = 100_000;

/// A filter as a map key. Only filters from a small fixed set are cached (a type or none, with
/// or without system records): text searches are answered from the store, so a caller cannot
/// fill the cache with sets that each cost nothing.
type FilterKey = (Option<RecordType>, bool);

fn filter_key(f: &RecordFilter) -> Option<FilterKey> {
    (f.name_contains.is_none() && f.query.is_none()).then_some((f.rtype, f.include_system))
}

/// A zone's records under one filter, and their rendering once made.
#[derive(Debug)]
pub(crate) struct RecordSet {
    records: Vec<Record>,
    rendered: OnceLock<Arc<[u8]>>,
}

impl RecordSet {
    pub(crate) fn new(records: Vec<Record>) -> Self {
        Self {
            records,
            rendered: OnceLock::new(),
        }
    }

    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// The set's rendering, made by `render` the first time it is asked for. Only for callers
    /// who see the whole set, and with one rendering for all of them (the server's).
    pub(crate) fn rendered(&self, render: impl FnOnce(&[Record]) -> Vec<u8>) -> Arc<[u8]> {
        Arc::clone(
            self.rendered
                .get_or_init(|| Arc::from(render(&self.records))),
        )
    }
}

/// What a set costs against [`CAPACITY_RECORDS`].
fn cost(set: &RecordSet) -> usize {
    set.records.len() + 1
}

/// One zone's sets at one generation, by filter.
type ZoneSets = (i64, HashMap<FilterKey, Arc<RecordSet>>);

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
    ) -> Option<Arc<RecordSet>> {
        let sets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (cached, by_filter) = sets.zones.get(&zone)?;
        if *cached != generation {
            return None;
        }
        by_filter.get(&filter_key(filter)?).cloned()
    }

    /// Keeps a set read after the zone was read at `generation`. Records read after the zone
    /// are at least that new, and a generation is never read again once a newer one is
    /// stored, so a set newer than its key is harmless.
    pub(crate) fn put(
        &self,
        zone: ZoneId,
        generation: i64,
        filter: &RecordFilter,
        records: Arc<RecordSet>,
    ) {
        let Some(key) = filter_key(filter) else {
            return;
        };
        let mut sets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cost(&records) > CAPACITY_RECORDS {
            return;
        }
        if sets.records + cost(&records) > CAPACITY_RECORDS {
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
            *held -= slot.1.values().map(|s| cost(s)).sum::<usize>();
            *slot = (generation, HashMap::new());
        }
        *held += cost(&records);
        if let Some(old) = slot.1.insert(key, records) {
            *held -= cost(&old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_searches_are_not_cached() {
        let cache = RecordCache::default();
        let zone = ZoneId::new();
        let search = RecordFilter {
            name_contains: Some("www".into()),
            ..RecordFilter::default()
        };
        cache.put(zone, 1, &search, Arc::new(RecordSet::new(Vec::new())));
        assert!(cache.get(zone, 1, &search).is_none());
    }

    #[test]
    fn a_set_serves_only_its_generation_and_filter() {
        let cache = RecordCache::default();
        let zone = ZoneId::new();
        let all = RecordFilter::default();
        let a_only = RecordFilter {
            rtype: Some(RecordType::A),
            ..RecordFilter::default()
        };
        cache.put(zone, 3, &all, Arc::new(RecordSet::new(Vec::new())));
        assert!(cache.get(zone, 3, &all).is_some());
        assert!(cache.get(zone, 3, &a_only).is_none());
        assert!(cache.get(zone, 4, &all).is_none());

        // A newer generation replaces the older sets; an older one never comes back.
        cache.put(zone, 4, &a_only, Arc::new(RecordSet::new(Vec::new())));
        assert!(cache.get(zone, 3, &all).is_none());
        cache.put(zone, 3, &all, Arc::new(RecordSet::new(Vec::new())));
        assert!(cache.get(zone, 3, &all).is_none());
        assert!(cache.get(zone, 4, &a_only).is_some());
    }
}
