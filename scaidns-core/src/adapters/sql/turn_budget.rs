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
//!
//! On SQLite a turn holds no connection (only the process orders its publications), so its
//! turns are not counted; a turn beside a write still needs a second connection for its read,
//! so none is taken with a pool of one (an in-memory database's), where the write holds it.

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
    /// `None`: turns hold no connection (SQLite), so they are not counted.
    free: Option<Arc<Semaphore>>,
    /// Whether a turn may be taken beside a write: not with a pool of one connection.
    beside_writes: bool,
}

/// A turn's place in the budget, given back when dropped (`None`: not counted).
pub(crate) type Place = Option<OwnedSemaphorePermit>;

impl TurnBudget {
    /// For a pool of `pool_size` connections whose turns each hold one: one turn fewer (at
    /// least one: a pool of one cannot hold a turn and a write at once anyway).
    pub(crate) fn for_pool(pool_size: u32) -> Self {
        let turns = pool_size.saturating_sub(1).max(1);
        Self {
            free: Some(Arc::new(Semaphore::new(turns as usize))),
            beside_writes: pool_size >= 2,
        }
    }

    /// For a pool of `pool_size` connections whose turns hold none (SQLite).
    pub(crate) fn uncounted(pool_size: u32) -> Self {
        Self {
            free: None,
            beside_writes: pool_size >= 2,
        }
    }

    /// A turn's place, waiting for one to free up.
    pub(crate) async fn take(&self) -> Result<Place> {
        match &self.free {
            Some(free) => Arc::clone(free)
                .acquire_owned()
                .await
                .map(Some)
                .map_err(|_| Error::internal("the turn budget was closed")),
            None => Ok(None),
        }
    }

    /// A place for a turn beside a write, if one is free now.
    pub(crate) fn try_take_beside_write(&self) -> Option<Place> {
        if !self.beside_writes {
            return None;
        }
        match &self.free {
            Some(free) => Arc::clone(free).try_acquire_owned().ok().map(Some),
            None => Some(None),
        }
    }
}

/// A publishing turn holding its place in the budget until it ends.
pub(crate) struct BudgetedTurn {
    pub turn: Box<dyn PublicationTurn>,
    pub place: Place,
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
        let a = budget.take().await.unwrap();
        let b = budget.try_take_beside_write().unwrap();
        assert!(budget.try_take_beside_write().is_none());
        let waiting = budget.take();
        futures::pin_mut!(waiting);
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        drop(a);
        let c = waiting.await.unwrap();
        drop((b, c));
        assert!(budget.try_take_beside_write().is_some());
    }

    #[tokio::test]
    async fn a_pool_of_one_opens_one_turn_and_none_beside_a_write() {
        let one = TurnBudget::for_pool(1);
        assert!(one.try_take_beside_write().is_none());
        let only = one.take().await.unwrap();
        assert!(only.is_some());
        let waiting = one.take();
        futures::pin_mut!(waiting);
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        // SQLite's turns hold no connection: not counted, but none beside a write on one.
        let uncounted = TurnBudget::uncounted(2);
        let places: Vec<Place> = vec![
            uncounted.take().await.unwrap(),
            uncounted.take().await.unwrap(),
            uncounted.try_take_beside_write().unwrap(),
        ];
        assert!(places.iter().all(Option::is_none));
        assert!(TurnBudget::uncounted(1).try_take_beside_write().is_none());
    }
}
