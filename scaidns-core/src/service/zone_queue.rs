//! This process's writers of one zone take turns, in arrival order, before they touch the
//! database: each plans on what the previous one committed, so none is refused for a change it
//! did not see, and none holds a pooled connection while it waits. Writers on other replicas
//! are caught by the store's generation check and re-planned (see `zone_change`).
//!
//! Publishing has a turn of its own, after the commit: a writer queues its publication and
//! leaves the writers' turn, and whoever next holds the publishing turn publishes everything
//! queued so far as one backend call, in commit order. So the backend's round trip is not
//! paid once per writer, and this process publishes a zone's generations in order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Held while publishing.
    pub publisher: AsyncMutex<()>,
    /// Committed and not yet published, in commit order: (generation, publication).
    queued: Mutex<Vec<(i64, Publication)>>,
    /// The last generation this process committed with a publication.
    last_queued: Mutex<Option<i64>>,
    /// A publication of this process failed or was overtaken: the backend may lack changes
    /// the next RRset changes build on, so the next one publishes the whole zone.
    behind: AtomicBool,
}

impl ZoneSlot {
    /// Queues the publication of a committed generation (call it in the writers' turn).
    pub(crate) fn queue(&self, generation: i64, publication: Publication) {
        self.queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((generation, publication));
        *self
            .last_queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(generation);
    }

    /// Whether `generation` is the last one this process committed with a publication: its
    /// `pending` mark then only means "queued here", and RRset changes planned on it are
    /// published after it, in order.
    pub(crate) fn queued_here(&self, generation: i64) -> bool {
        *self
            .last_queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            == Some(generation)
    }

    /// Records whether the last publication reached the backend as planned.
    pub(crate) fn set_behind(&self, behind: bool) {
        self.behind.store(behind, Ordering::SeqCst);
    }

    /// Everything queued, as one publication of the newest generation among them (call it in
    /// the publishing turn); `None` when an earlier publisher took it all.
    pub(crate) fn take(&self) -> Option<(i64, Publication)> {
        let queued =
            std::mem::take(&mut *self.queued.lock().unwrap_or_else(PoisonError::into_inner));
        let generation = queued.iter().map(|(g, _)| *g).max()?;
        let merged = match merge(queued.into_iter().map(|(_, p)| p)) {
            Publication::Changes { fallback, .. } if self.behind.load(Ordering::SeqCst) => {
                Publication::Full(fallback)
            }
            merged => merged,
        };
        Some((generation, merged))
    }
}

/// Publications of successive generations as one: RRset changes in order (the last change of
/// an RRset wins), or the whole zone as the newest one has it once any of them needs that.
fn merge(publications: impl Iterator<Item = Publication>) -> Publication {
    let mut merged = Publication::Nothing;
    for next in publications {
        merged = match (merged, next) {
            (merged, Publication::Nothing) => merged,
            (
                Publication::Changes {
                    zone, mut changes, ..
                },
                Publication::Changes {
                    changes: more,
                    fallback,
                    ..
                },
            ) => {
                for change in more {
                    let key = rrset_key(&change);
                    changes.retain(|c| rrset_key(c) != key);
                    changes.push(change);
                }
                Publication::Changes {
                    zone,
                    changes,
                    fallback,
                }
            }
            (Publication::Full(_), Publication::Changes { fallback, .. }) => {
                Publication::Full(fallback)
            }
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
            fallback: spec(&zone),
        };
        let slot = ZoneSlot::default();
        assert!(slot.take().is_none());
        slot.queue(3, diff(vec![replace("a.example.com.", 1)]));
        slot.queue(4, diff(vec![replace("b.example.com.", 1)]));
        slot.queue(5, diff(vec![replace("a.example.com.", 2)]));
        let (generation, merged) = slot.take().unwrap();
        assert_eq!(generation, 5);
        let Publication::Changes { changes, .. } = merged else {
            panic!("{merged:?}");
        };
        assert_eq!(
            changes,
            vec![replace("b.example.com.", 1), replace("a.example.com.", 2)]
        );
        assert!(slot.take().is_none());

        // Once one needs the whole zone, the newest whole zone is published.
        slot.queue(6, Publication::Full(spec(&zone)));
        slot.queue(7, diff(vec![replace("c.example.com.", 1)]));
        assert!(matches!(slot.take(), Some((7, Publication::Full(_)))));
    }
}
