//! Zone history ([`crate::zone::history`]): entries are written by the zone write they
//! describe ([`crate::ports::store::ZoneStore::write_zone`]); this port reads and prunes them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::ZoneId;
use crate::paging::{Page, PageRequest};
use crate::zone::history::HistoryEntry;

/// The kept history of zones.
#[async_trait]
pub trait ZoneHistoryStore: Send + Sync {
    /// A page of a zone's entries made at or after `since`, newest first.
    async fn list_zone_history(
        &self,
        zone_id: ZoneId,
        since: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<HistoryEntry>>;

    /// A zone's entries of generations `from..=to` made at or after `since`, oldest first.
    async fn zone_history_span(
        &self,
        zone_id: ZoneId,
        from: i64,
        to: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<HistoryEntry>>;

    /// Removes the entries made before `before` and, of every zone, all but its newest `keep`;
    /// how many it removed.
    async fn prune_zone_history(&self, before: DateTime<Utc>, keep: u32) -> Result<u64>;
}
