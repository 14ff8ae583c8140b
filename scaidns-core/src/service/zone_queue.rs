//! This process's writers of one zone take turns, in arrival order, before they touch the
//! database: each plans on what the previous one committed, so none is refused for a change it
//! did not see, and none holds a pooled connection while it waits. Writers on other replicas
//! are caught by the store's generation check and re-planned (see `zone_change`).
//!
//! Publishing has a turn of its own: a writer queues its generation after the commit and
//! leaves the writers' turn, and whoever next holds the publishing turn publishes everything
//! queued so far as one backend call, in commit order (a writer that found the publishing
//! turn free took it beside its write, before its commit: see `zone_change`). So the
//! backend's round trip is not paid once per writer, and this process publishes a zone's
//! generations in order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use futures::lock::Mutex as AsyncMutex;

use crate::ids::ZoneId;
use crate::service::publish::Publication;
use crate::zone::RrSetChange;

/// The queues of one zone.
#[derive(Debug, Default)]
pub(crate) struct ZoneSlot {
    /// Held from reading the zone to the commit.
    pub writers: AsyncMutex<()>,
    /// Held while publishing, by a writer that took it beside its write from before its
    /// commit, and until a publication's outcome is recorded after the answer (see
    /// `zone_change`).
    pub publisher: Arc<AsyncMutex<()>>,
    /// Marks an outcome in flight: taken by the publisher before its write answers, held until
    /// the outcome it records after the answer is in the store (`zone_change::OutcomeInFlight`).
    /// A read of the zone on this replica waits for it, and a writer that finds the publishing
    /// turn held tries it to tell an outcome in flight from a publication (a reader's wait and
    /// a writer's try hold it only for an instant).
    pub outcome_in_flight: Arc<AsyncMutex<()>>,
    /// Committed by this process and not yet published, in commit order: (generation, what it
    /// publishes). Generations that publish nothing are kept too: they tell the publisher
    /// that no other replica wrote in between (see [`Batch::follows`]).
    queued: Mutex<Vec<(i64, Publication)>>,
}

/// What one publishing turn publishes: every generation queued, merged.
#[derive(Debug)]
pub(crate) struct Batch {
    /// The generations, in commit order.
    pub generations: Vec<i64>,
    /// Their publications as one (see [`merge`]).
    pub publication: Publication,
}

impl Batch {
    /// The newest generation.
    pub(crate) fn top(&self) -> i64 {
        self.generations.iter().copied().max().unwrap_or_default()
    }

    /// Whether this batch holds every generation after `published` up to its newest: then
    /// the backend holds the state `published` and this batch's changes lead it to the newest;
    /// otherwise another replica (or a failed publication) left changes this batch does not
    /// know, and the whole zone must be published.
    pub(crate) fn follows(&self, published: i64) -> bool {
        (published + 1..=self.top()).all(|g| self.generations.contains(&g))
    }
}

impl ZoneSlot {
    /// Queues a committed generation (call it in the writers' turn).
    pub(crate) fn queue(&self, generation: i64, publication: Publication) {
        self.queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((generation, publication));
    }

    /// Everything queued, as one batch (call it in the publishing turn); `None` when an
    /// earlier publisher took it all.
    pub(crate) fn take(&self) -> Option<Batch> {
        let queued =
            std::mem::take(&mut *self.queued.lock().unwrap_or_else(PoisonError::into_inner));
        if queued.is_empty() {
            return None;
        }
        let generations = queued.iter().map(|(g, _)| *g).collect();
        Some(Batch {
            generations,
            publication: merge(queued.into_iter().map(|(_, p)| p)),
        })
    }
}

/// Publications of successive generations as one: RRset changes in order (the last change of
/// an RRset wins), or the whole zone once any of them needs that.
fn merge(publications: impl Iterator<Item = Publication>) -> Publication {
    let mut merged = Publication::Nothing;
    for next in publications {
        merged = match (merged, next) {
            (merged, Publication::Nothing) => merged,
            (
                Publication::Changes { zone, mut changes },
                Publication::Changes { changes: more, .. },
            ) => {
                for change in more {
                    let key = rrset_key(&change);
                    changes.retain(|c| rrset_key(c) != key);
                    changes.push(change);
                }
                Publication::Changes { zone, changes }
            }
            (full @ Publication::Full(_), Publication::Changes { .. }) => full,
            (_, next) => next,
        };
    }
    merged
}

fn rrset_key(change: &RrSetChange) -> (&str, crate::record::RecordType) {
    match change {
        RrSetChange::Replace(set) => (set.name.as_str(), set.rtype),
        RrSetChange::Delete { name, rtype } => (name.as_str(), *rtype),
    }
}

/// One [`ZoneSlot`] per zone being written; entries go once nobody holds or awaits them.
#[derive(Debug, Default)]
pub(crate) struct ZoneQueue {
    zones: Mutex<HashMap<ZoneId, Weak<ZoneSlot>>>,
}

impl ZoneQueue {
    /// The queues of `zone`, kept while the returned handle lives.
    pub(crate) fn slot(&self, zone: ZoneId) -> Arc<ZoneSlot> {
        let mut zones = self.zones.lock().unwrap_or_else(PoisonError::into_inner);
        zones.retain(|_, slot| slot.strong_count() > 0);
        match zones.get(&zone).and_then(Weak::upgrade) {
            Some(slot) => slot,
            None => {
                let slot = Arc::new(ZoneSlot::default());
                zones.insert(zone, Arc::downgrade(&slot));
                slot
            }
        }
    }

    /// The zone's queues when some writer or publisher of the zone holds them.
    pub(crate) fn existing(&self, zone: ZoneId) -> Option<Arc<ZoneSlot>> {
        let zones = self.zones.lock().unwrap_or_else(PoisonError::into_inner);
        zones.get(&zone).and_then(Weak::upgrade)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        let zones = self.zones.lock().unwrap_or_else(PoisonError::into_inner);
        zones.values().filter(|q| q.strong_count() > 0).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::ZoneName;
    use crate::ports::backend::ZoneSpec;
    use crate::record::RecordType;
    use crate::zone::RrSet;

    #[tokio::test]
    async fn writers_of_one_zone_take_turns_and_other_zones_do_not_wait() {
        let queue = ZoneQueue::default();
        let (a, b) = (ZoneId::new(), ZoneId::new());
        let (slot_a, slot_b) = (queue.slot(a), queue.slot(b));
        let first = slot_a.writers.lock().await;
        // Another zone is not behind it.
        let other = slot_b.writers.lock().await;
        // The same zone is.
        let again = queue.slot(a);
        {
            let second = again.writers.lock();
            futures::pin_mut!(second);
            assert!(futures::poll!(second.as_mut()).is_pending());
            drop(first);
            let second = second.await;
            drop((second, other));
        }
        drop((slot_a, slot_b, again));
        // Nobody holds or awaits a turn: nothing is kept.
        assert_eq!(queue.len(), 0);
        let _kept = queue.slot(a);
        assert_eq!(queue.len(), 1);
    }

    fn spec(zone: &ZoneName) -> ZoneSpec {
        ZoneSpec {
            name: zone.clone(),
            rrsets: Vec::new(),
            account: String::new(),
        }
    }

    fn replace(name: &str, ttl: u32) -> RrSetChange {
        RrSetChange::Replace(RrSet {
            name: name.to_owned(),
            rtype: RecordType::A,
            ttl,
            records: Vec::new(),
        })
    }

    #[test]
    fn queued_changes_merge_in_order_and_the_newest_generation_is_published() {
        let zone = ZoneName::parse("example.com").unwrap();
        let diff = |c: Vec<RrSetChange>| Publication::Changes {
            zone: zone.clone(),
            changes: c,
        };
        let slot = ZoneSlot::default();
        assert!(slot.take().is_none());
        slot.queue(3, diff(vec![replace("a.example.com.", 1)]));
        slot.queue(4, Publication::Nothing);
        slot.queue(5, diff(vec![replace("b.example.com.", 1)]));
        slot.queue(6, diff(vec![replace("a.example.com.", 2)]));
        let batch = slot.take().unwrap();
        assert_eq!(batch.top(), 6);
        assert_eq!(batch.generations, vec![3, 4, 5, 6]);
        // It leads the backend on from generation 2, not from 1 (generation 2 is unknown).
        assert!(batch.follows(2));
        assert!(batch.follows(4));
        assert!(!batch.follows(1));
        let Publication::Changes { changes, .. } = batch.publication else {
            panic!("{:?}", batch.publication);
        };
        assert_eq!(
            changes,
            vec![replace("b.example.com.", 1), replace("a.example.com.", 2)]
        );
        assert!(slot.take().is_none());

        // Once one needs the whole zone, the whole zone is published.
        slot.queue(7, Publication::Full(spec(&zone)));
        slot.queue(8, diff(vec![replace("c.example.com.", 1)]));
        let batch = slot.take().unwrap();
        assert!(matches!(batch.publication, Publication::Full(_)));
        assert_eq!(batch.top(), 8);
    }
}
