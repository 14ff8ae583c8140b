//! Inventory numbers for metrics: zones per status and records, counted by the store when
//! metrics are scraped.

use crate::error::Result;
use crate::zone::ZoneStatus;

use super::ScaiDns;

/// What the platform holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// Every status, with zero for those no zone is in.
    pub zones_by_status: Vec<(ZoneStatus, u64)>,
    /// Records across all zones.
    pub records: u64,
}

impl ScaiDns {
    /// Zones per status and the number of records, platform-wide. Not an API operation: only
    /// the metrics endpoint (protected by its own token) calls it.
    pub async fn inventory(&self) -> Result<Inventory> {
        let counted = self.store.count_zones().await?;
        let records = self.store.count_records().await?;
        let zones_by_status = ZoneStatus::ALL
            .iter()
            .map(|status| {
                let n = counted
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                (*status, n)
            })
            .collect();
        Ok(Inventory {
            zones_by_status,
            records,
        })
    }
}
