//! How many publishing turns may be open at once: one fewer than the pool's connections.
//!
//! A turn holds a pooled connection (on MariaDB and PostgreSQL, its transaction) for as long as
//! it lasts, and its holder may ask for a second one meanwhile: a lifecycle write's own
//! transaction (`in_publishing_turn`), the retry pass's reads, a record write whose turn was
//! taken beside its write (`ZoneStore::publication_turn_beside_write`). Were every connection
//! held by a turn whose holder waits for another, nothing would move until the pool's acquire
//! timeout. With at most one turn fewer than connections, one connection is always left to a
//! holder's second request or to a request that holds no turn, and neither waits on anything a
//! turn holds, so every turn ends.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};
use crate::ports::store::PublicationTurn;
use crate::record::Record;
use crate::zone::{SyncState, Zone};

/// The turns that may still be opened.
#[derive(Debug, Clone)]
pub(crate) struct TurnBudget {
    free: Arc<Semaphore>,
}

impl TurnBudget {
    /// For a pool of `pool_size` connections: one turn fewer (at least one: a pool of one
    /// cannot hold a turn and a write at once anyway).
    pub(crate) fn for_pool(pool_size: u32) -> Self {
        let turns = pool_size.saturating_sub(1).max(1);
        Self {
            free: Arc::new(Semaphore::new(turns as usize)),
        }
    }

    /// A turn's place, waiting for one to free up.
    pub(crate) async fn take(&self) -> Result<OwnedSemaphorePermit> {
        Arc::clone(&self.free)
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("the turn budget was closed"))
    }

    /// A turn's place if one is free now.
    pub(crate) fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.free).try_acquire_owned().ok()
    }
}

/// A publishing turn holding its place in the budget until it ends.
pub(crate) struct BudgetedTurn {
    pub turn: Box<dyn PublicationTurn>,
    pub place: OwnedSemaphorePermit,
}

#[async_trait]
impl PublicationTurn for BudgetedTurn {
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
        let BudgetedTurn { turn, place } = *self;
        let finished = turn.finish(published, sync).await;
        drop(place);
        finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_turn_fewer_than_connections_and_given_back_when_dropped() {
        let budget = TurnBudget::for_pool(3);
        let (a, b) = (budget.take().await.unwrap(), budget.try_take().unwrap());
        assert!(budget.try_take().is_none());
        let waiting = budget.take();
        futures::pin_mut!(waiting);
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        drop(a);
        let c = waiting.await.unwrap();
        drop((b, c));
        assert!(budget.try_take().is_some());
        // A pool of one still opens one turn at a time.
        let one = TurnBudget::for_pool(1);
        let only = one.try_take().unwrap();
        assert!(one.try_take().is_none());
        drop(only);
    }
}
