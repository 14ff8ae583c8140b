//! The record sets of zones kept in memory by `(zone, generation)`, each with the renderings of
//! its pages (bodies of the list's answer) once a caller who sees the whole set needed them: every change of a
//! zone's records steps its generation in the same transaction, and a read takes the zone (and
//! so its generation) from the store or from the zone cache, which drops a zone at once when
//! this replica writes it and within its staleness bound when another one does
//! (`zone_cache`). So a set cached under a generation is what the store holds at it, and a
//! deleted record is never served past that bound: its deletion made a new generation, under
//! which nothing is cached yet.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ids::ZoneId;
use crate::paging::PageRequest;
use crate::ports::store::RecordFilter;
use crate::record::{Record, RecordType};

/// Most records held unless configured (`RECORD_CACHE_MAX_RECORDS`), all zones together, each
/// set counting one more than its records so that empty sets are bounded too; a full cache
/// starts over. A set's rendered pages hold at most twice its records (`RENDERED_SLACK`) and a
/// rendered record takes about twice the memory of a record (a few hundred bytes each), so a
/// record held costs up to about 2 KB: this default bounds the cache near 60 MB and still keeps
/// a 10,000-record zone's set beside its written one (docs/decisions.md, "Idle memory").
pub const DEFAULT_CAPACITY_RECORDS: usize = 30_000;

/// A filter as a map key. Only filters from a small fixed set are cached (a type or none, with
/// or without system records): text searches are answered from the store, so a caller cannot
/// fill the cache with sets that each cost nothing. The last part says whether the set was
/// read (true) or computed: the set a committed change left ([`RecordCache::put_written`]),
/// sorted as the store lists it ([`sort_as_stored`]) but served to writers' plans only.
type FilterKey = (Option<RecordType>, bool, bool);

fn filter_key(f: &RecordFilter) -> Option<FilterKey> {
    (f.name_contains.is_none() && f.query.is_none()).then_some((f.rtype, f.include_system, true))
}

/// The key of a whole zone (system records included) as a change left it.
const WRITTEN: FilterKey = (None, true, false);

/// The kept renderings of one set hold at most twice the set's records plus this many: every
/// page of the set at two page sizes, say, but no more, so a caller asking for many page sizes
/// or pages past the end (each rendering counts its records plus one) cannot grow the memory a
/// set takes beyond a small multiple of its records. A page over the budget is rendered for its
/// request only.
const RENDERED_SLACK: usize = 16;

/// A zone's records under one filter, and the renderings of its pages once made.
#[derive(Debug)]
pub(crate) struct RecordSet {
    records: Vec<Record>,
    rendered: Mutex<Renderings>,
}

/// Rendered pages by (page, page size), and the records they hold together.
#[derive(Debug, Default)]
struct Renderings {
    pages: HashMap<(u32, u32), Arc<[u8]>>,
    records: usize,
}

impl RecordSet {
    pub(crate) fn new(records: Vec<Record>) -> Self {
        Self {
            records,
            rendered: Mutex::new(Renderings::default()),
        }
    }

    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// The rendering of `page` of the set, made by `render` from that page's records the first
    /// time it is asked for. Only for callers who see the whole set, and with one rendering for
    /// all of them (the server's).
    pub(crate) fn rendered(
        &self,
        page: PageRequest,
        render: impl FnOnce(&[Record]) -> Vec<u8>,
    ) -> Arc<[u8]> {
        let key = (page.page, page.page_size);
        if let Some(body) = self.lock_rendered().pages.get(&key) {
            return Arc::clone(body);
        }
        // Rendered outside the lock: a large page takes a while, and two callers racing for
        // the same page make the same bytes.
        let records = page.slice(&self.records);
        let body: Arc<[u8]> = Arc::from(render(records));
        let mut kept = self.lock_rendered();
        let cost = records.len() + 1;
        if kept.records + cost <= 2 * self.records.len() + RENDERED_SLACK
            && kept.pages.insert(key, Arc::clone(&body)).is_none()
        {
            kept.records += cost;
        }
        body
    }

    fn lock_rendered(&self) -> std::sync::MutexGuard<'_, Renderings> {
        self.rendered.lock().unwrap_or_else(PoisonError::into_inner)
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
#[derive(Debug)]
pub(crate) struct RecordCache {
    /// Most records held ([`DEFAULT_CAPACITY_RECORDS`]); zero keeps nothing.
    capacity: usize,
    sets: Mutex<Sets>,
}

impl crate::service::ScaiDns {
    /// Bounds the record cache to `max_records` records (`RECORD_CACHE_MAX_RECORDS`; it starts
    /// with [`DEFAULT_CAPACITY_RECORDS`]); zero turns it off. The cache is emptied.
    #[must_use]
    pub fn with_record_cache(mut self, max_records: usize) -> Self {
        self.record_cache = Arc::new(RecordCache::new(max_records));
        self
    }
}

impl Default for RecordCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY_RECORDS)
    }
}

impl RecordCache {
    /// A cache holding at most `capacity` records.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            sets: Mutex::new(Sets::default()),
        }
    }

    /// Whether a set of `records` records may be kept at all (a larger one is never cached, so
    /// a caller need not build it).
    pub(crate) fn keeps(&self, records: usize) -> bool {
        records < self.capacity
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sets> {
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The set of `zone` at `generation` under `filter`, if cached.
    pub(crate) fn get(
        &self,
        zone: ZoneId,
        generation: i64,
        filter: &RecordFilter,
    ) -> Option<Arc<RecordSet>> {
        let sets = self.lock();
        let (cached, by_filter) = sets.zones.get(&zone)?;
        if *cached != generation {
            return None;
        }
        by_filter.get(&filter_key(filter)?).cloned()
    }

    /// Every record of `zone` (system records included) at `generation`, in the store's order:
    /// the set a committed change left ([`Self::put_written`]) or a read's.
    pub(crate) fn get_whole(&self, zone: ZoneId, generation: i64) -> Option<Arc<RecordSet>> {
        let sets = self.lock();
        let (cached, by_filter) = sets.zones.get(&zone)?;
        if *cached != generation {
            return None;
        }
        by_filter
            .get(&WRITTEN)
            .or_else(|| by_filter.get(&(None, true, true)))
            .cloned()
    }

    /// Keeps every record of `zone` as the change that committed `generation` left them, sorted
    /// with [`sort_as_stored`] (computed, not read: so served only by [`Self::get_whole`]). Exact
    /// when the change was planned on the set of the generation before it, which its commit
    /// proved (the store refuses a write whose expected generation is not the stored one).
    pub(crate) fn put_written(&self, zone: ZoneId, generation: i64, mut records: Vec<Record>) {
        if !self.keeps(records.len()) {
            return;
        }
        sort_as_stored(&mut records);
        self.put_key(zone, generation, WRITTEN, Arc::new(RecordSet::new(records)));
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
        self.put_key(zone, generation, key, records);
    }

    fn put_key(&self, zone: ZoneId, generation: i64, key: FilterKey, records: Arc<RecordSet>) {
        if !self.keeps(records.records.len()) {
            return;
        }
        let mut sets = self.lock();
        // What the set replaces, freed before the capacity test: the zone's sets of an older
        // generation, or its own filter's set at this one. Else every write to a zone holding
        // over half the capacity would empty the cache of every zone.
        let replaced = match sets.zones.get(&zone) {
            Some((cached, _)) if *cached > generation => return,
            Some((cached, by_filter)) if *cached < generation => {
                by_filter.values().map(|s| cost(s)).sum()
            }
            Some((_, by_filter)) => by_filter.get(&key).map_or(0, |s| cost(s)),
            None => 0,
        };
        if sets.records - replaced + cost(&records) > self.capacity {
            *sets = Sets::default();
        }
        let Sets {
            zones,
            records: held,
        } = &mut *sets;
        let slot = zones
            .entry(zone)
            .or_insert_with(|| (generation, HashMap::new()));
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

/// Sorts `records` as the store lists a zone's records (`ORDER BY name, rtype, content, id`,
/// byte-wise on every engine, see the migrations), so a set computed after a change lists
/// like the one read back: plans, reports and audit rows made from either come out alike.
fn sort_as_stored(records: &mut [Record]) {
    records.sort_by(|a, b| {
        (
            a.name.as_str(),
            a.rtype().as_str(),
            a.content.as_str(),
            a.id,
        )
            .cmp(&(
                b.name.as_str(),
                b.rtype().as_str(),
                b.content.as_str(),
                b.id,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use crate::name::ZoneName;
    use crate::record::{RecordContent, RecordName, Ttl};

    fn record(name: &str, rtype: RecordType, content: &str) -> Record {
        let zone = ZoneName::parse("example.com").unwrap();
        let epoch = chrono::DateTime::from_timestamp(0, 0).unwrap();
        Record {
            id: RecordId::new(),
            zone_id: ZoneId::new(),
            name: RecordName::parse(name, &zone).unwrap(),
            content: RecordContent::parse(rtype, content, &zone).unwrap(),
            ttl: Ttl::new(300).unwrap(),
            disabled: false,
            system: false,
            created_at: epoch,
            updated_at: epoch,
        }
    }

    /// A small capacity, so the tests build small sets.
    const CAPACITY_RECORDS: usize = 300;

    fn held(cache: &RecordCache) -> usize {
        cache.lock().records
    }

    #[test]
    fn a_big_zones_next_set_replaces_its_last_without_emptying_the_cache() {
        let cache = RecordCache::new(CAPACITY_RECORDS);
        let (big, small) = (ZoneId::new(), ZoneId::new());
        // Over half the capacity: the old and new sets together would not fit.
        let many = || vec![record("www", RecordType::A, "192.0.2.1"); CAPACITY_RECORDS * 2 / 3];
        cache.put_written(small, 1, Vec::new());
        cache.put_written(big, 1, many());
        // The next generation's set, then the same generation's again.
        cache.put_written(big, 2, many());
        cache.put_written(big, 2, many());
        assert!(cache.get_whole(small, 1).is_some());
        assert!(cache.get_whole(big, 2).is_some());
        assert!(cache.get_whole(big, 1).is_none());
        assert_eq!(held(&cache), 1 + CAPACITY_RECORDS * 2 / 3 + 1);
        // A set that does not fit beside the others still starts the cache over.
        cache.put_written(ZoneId::new(), 1, many());
        assert!(cache.get_whole(small, 1).is_none());
        assert_eq!(held(&cache), CAPACITY_RECORDS * 2 / 3 + 1);
    }

    #[test]
    fn a_set_too_large_for_the_cache_is_not_kept() {
        let cache = RecordCache::new(CAPACITY_RECORDS);
        let zone = ZoneId::new();
        assert!(cache.keeps(CAPACITY_RECORDS - 1));
        assert!(!cache.keeps(CAPACITY_RECORDS));
        let too_many = vec![record("www", RecordType::A, "192.0.2.1"); CAPACITY_RECORDS];
        cache.put_written(zone, 1, too_many);
        assert!(cache.get_whole(zone, 1).is_none());
        assert_eq!(held(&cache), 0);
    }

    #[test]
    fn a_cache_of_no_capacity_keeps_nothing() {
        let cache = RecordCache::new(0);
        let zone = ZoneId::new();
        assert!(!cache.keeps(0));
        cache.put_written(zone, 1, Vec::new());
        cache.put(
            zone,
            1,
            &RecordFilter::default(),
            Arc::new(RecordSet::new(Vec::new())),
        );
        assert!(cache.get_whole(zone, 1).is_none());
        assert!(cache.get(zone, 1, &RecordFilter::default()).is_none());
        assert_eq!(held(&cache), 0);
    }

    #[test]
    fn a_written_set_is_kept_in_the_stores_order() {
        let cache = RecordCache::default();
        let zone = ZoneId::new();
        // Byte-wise by name, type mnemonic, content, id: "192.0.2.10" before "192.0.2.2".
        let sorted = vec![
            record("a", RecordType::A, "192.0.2.10"),
            record("a", RecordType::A, "192.0.2.2"),
            record("a", RecordType::AAAA, "2001:db8::1"),
            record("a", RecordType::MX, "10 mx.example.com."),
            record("a", RecordType::TXT, "\"x\""),
            record("b", RecordType::A, "192.0.2.1"),
        ];
        let mut shuffled = sorted.clone();
        shuffled.reverse();
        shuffled.swap(0, 3);
        cache.put_written(zone, 1, shuffled);
        let kept = cache.get_whole(zone, 1).unwrap();
        let ids = |records: &[Record]| records.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(kept.records()), ids(&sorted));
    }

    #[test]
    fn a_written_set_serves_writers_at_its_generation_only_and_never_a_listing() {
        let cache = RecordCache::default();
        let zone = ZoneId::new();
        let whole = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        // A read's set at generation 4 serves the writers too.
        cache.put(zone, 4, &whole, Arc::new(RecordSet::new(Vec::new())));
        assert!(cache.get_whole(zone, 4).is_some());
        // What the change committing generation 5 left: writers only, and only at 5.
        cache.put_written(zone, 5, Vec::new());
        assert!(cache.get_whole(zone, 5).is_some());
        assert!(cache.get_whole(zone, 4).is_none());
        assert!(cache.get_whole(zone, 6).is_none());
        assert!(cache.get(zone, 5, &whole).is_none());
        assert!(cache.get(zone, 5, &RecordFilter::default()).is_none());
    }

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

    #[test]
    fn each_page_is_rendered_once_and_pages_past_the_end_stay_bounded() {
        let set = RecordSet::new(Vec::new());
        let page = |page| PageRequest {
            page,
            page_size: 10,
        };
        let first = set.rendered(page(1), |_| b"one".to_vec());
        let again = set.rendered(page(1), |_| b"other".to_vec());
        assert_eq!(&*again, b"one");
        assert!(Arc::ptr_eq(&first, &again));
        for n in 2..5_000 {
            set.rendered(page(n), |_| b"[]".to_vec());
        }
        assert!(set.lock_rendered().pages.len() <= RENDERED_SLACK);
    }
}
