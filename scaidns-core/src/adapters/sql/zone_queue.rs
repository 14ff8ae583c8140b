//! In-process queues of writers, in front of the database's own locks.
//!
//! The row lock (`FOR UPDATE`, `BEGIN IMMEDIATE`) already serialises writers of a zone across
//! replicas, but a writer waiting on it holds a pooled connection and, on SQLite, sleeps in the
//! busy handler, which is not first come first served and gives up after its timeout. Fifty
//! writers of one zone would exhaust the pool or time out instead of waiting their turn, and
//! on SQLite the one-statement writes of every request (an API key's use) would starve behind
//! them. Here writers queue first, in arrival order and without a connection: on MariaDB one
//! queue per zone, on SQLite (one writer for the whole file) one queue for every hot write.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::ids::ZoneId;

/// Where this process's writers wait for their turn.
#[derive(Debug)]
pub(crate) enum WriteQueue {
    /// MariaDB: writers of different zones proceed in parallel.
    PerZone(ZoneQueue),
    /// SQLite: one writer at a time, whatever it writes.
    WholeDatabase(Arc<AsyncMutex<()>>),
}

impl WriteQueue {
    /// The queue of `engine`.
    pub(crate) fn whole_database(whole: bool) -> Self {
        if whole {
            Self::WholeDatabase(Arc::default())
        } else {
            Self::PerZone(ZoneQueue::default())
        }
    }

    /// The turn of a writer of `zone`.
    pub(crate) async fn zone_turn(&self, zone: ZoneId) -> OwnedMutexGuard<()> {
        match self {
            Self::PerZone(queue) => queue.turn(zone).await,
            Self::WholeDatabase(lock) => Arc::clone(lock).lock_owned().await,
        }
    }

    /// The turn of a writer of something else: none needed where writers of different rows
    /// do not exclude each other.
    pub(crate) async fn database_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match self {
            Self::PerZone(_) => None,
            Self::WholeDatabase(lock) => Some(Arc::clone(lock).lock_owned().await),
        }
    }
}

/// One fair async mutex per zone being written; entries go once nobody holds or awaits them.
#[derive(Debug, Default)]
pub(crate) struct ZoneQueue {
    zones: Mutex<HashMap<ZoneId, Weak<AsyncMutex<()>>>>,
}

impl ZoneQueue {
    /// Waits for this process's earlier writers of `zone`; the turn lasts as long as the guard.
    pub(crate) async fn turn(&self, zone: ZoneId) -> OwnedMutexGuard<()> {
        let lock = {
            let mut zones = self.zones.lock().unwrap_or_else(PoisonError::into_inner);
            zones.retain(|_, queue| queue.strong_count() > 0);
            match zones.get(&zone).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(AsyncMutex::new(()));
                    zones.insert(zone, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        lock.lock_owned().await
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

    #[tokio::test]
    async fn writers_of_one_zone_take_turns_and_other_zones_do_not_wait() {
        let queue = ZoneQueue::default();
        let (a, b) = (ZoneId::new(), ZoneId::new());
        let first = queue.turn(a).await;
        // Another zone is not behind it.
        let other = queue.turn(b).await;
        // The same zone is.
        let second = queue.turn(a);
        tokio::pin!(second);
        assert!(futures::poll!(second.as_mut()).is_pending());
        drop(first);
        let second = second.await;
        drop((second, other));
        // Nobody holds or awaits a turn: nothing is kept.
        assert_eq!(queue.len(), 0);
        let _again = queue.turn(a).await;
        assert_eq!(queue.len(), 1);
    }
}
