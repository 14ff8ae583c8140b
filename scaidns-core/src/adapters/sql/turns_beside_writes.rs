//! Publishing turns taken beside a write (`ZoneStore::publication_turn_beside_write`): the
//! writer waits for its write's connection while the turn holds another, so turns of this kind
//! may hold at most half the pool. The other half is left to the writes (and reads), which
//! wait on nothing a turn holds, so every writer holding such a turn gets its connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;

use crate::error::Result;
use crate::ports::store::PublicationTurn;
use crate::record::Record;
use crate::zone::{SyncState, Zone};

/// The connections that turns beside writes may still take.
#[derive(Debug, Clone)]
pub(crate) struct TurnsBesideWrites {
    free: Arc<AtomicU32>,
}

impl TurnsBesideWrites {
    /// For a pool of `pool_size` connections: half of them, none for a pool of one.
    pub(crate) fn for_pool(pool_size: u32) -> Self {
        Self {
            free: Arc::new(AtomicU32::new(pool_size / 2)),
        }
    }

    /// One of them, held until the returned permit is dropped; `None` when all are taken.
    pub(crate) fn try_take(&self) -> Option<Permit> {
        self.free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .ok()
            .map(|_| Permit {
                free: Arc::clone(&self.free),
            })
    }
}

/// A connection a turn beside a write may take; given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit {
    free: Arc<AtomicU32>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.free.fetch_add(1, Ordering::AcqRel);
    }
}

/// A publishing turn holding its permit until it ends.
pub(crate) struct PermittedTurn {
    pub turn: Box<dyn PublicationTurn>,
    pub permit: Permit,
}

#[async_trait]
impl PublicationTurn for PermittedTurn {
    async fn zone(&mut self) -> Result<Option<(Zone, i64)>> {
        self.turn.zone().await
    }

    async fn records(&mut self) -> Result<Vec<Record>> {
        self.turn.records().await
    }

    async fn finish(
        self: Box<Self>,
        published: Option<i64>,
        sync: Option<(i64, SyncState)>,
    ) -> Result<()> {
        let PermittedTurn { turn, permit } = *self;
        let finished = turn.finish(published, sync).await;
        drop(permit);
        finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_the_pool_and_given_back_when_dropped() {
        let turns = TurnsBesideWrites::for_pool(5);
        let (a, b) = (turns.try_take().unwrap(), turns.try_take().unwrap());
        assert!(turns.try_take().is_none());
        drop(a);
        let c = turns.try_take().unwrap();
        assert!(turns.try_take().is_none());
        drop((b, c));
        assert!(turns.try_take().is_some());
        // A pool of one connection has none to spare: its writer needs it.
        assert!(TurnsBesideWrites::for_pool(1).try_take().is_none());
    }
}
