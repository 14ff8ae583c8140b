//! [`crate::ports::history_store::ZoneHistoryStore`] for [`SqlStore`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::error::Result;
use crate::ids::ZoneId;
use crate::paging::{Page, PageRequest};
use crate::ports::history_store::ZoneHistoryStore;
use crate::zone::history::HistoryEntry;

#[async_trait]
impl ZoneHistoryStore for SqlStore {
    async fn list_zone_history(
        &self,
        zone_id: ZoneId,
        since: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<HistoryEntry>> {
        dispatch!(self, zone_history::list(zone_id, since, page))
    }

    async fn zone_history_span(
        &self,
        zone_id: ZoneId,
        from: i64,
        to: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<HistoryEntry>> {
        dispatch!(self, zone_history::span(zone_id, from, to, since))
    }

    async fn prune_zone_history(&self, before: DateTime<Utc>, keep: u32) -> Result<u64> {
        dispatch!(self, zone_history::prune(before, keep))
    }
}
