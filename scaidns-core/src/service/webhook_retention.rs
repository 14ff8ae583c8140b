//! The worker's job `prune_webhook_deliveries`: without it the outbox's events and their
//! delivery log would grow for ever. An event goes once it is older than the retention
//! (`WEBHOOK_RETENTION_DAYS`) and every delivery of it is settled (delivered, failed for good
//! or skipped) and was queued before the retention too (a redelivery starts it over), together
//! with those deliveries. An event with a delivery still pending (waiting for its first
//! attempt or a retry) stays whatever its age, so delivery stays at least once.

use chrono::Duration;

use crate::error::Result;
use crate::service::ScaiDns;
use crate::service::retention::oldest_kept;

/// How long settled events are kept unless `WEBHOOK_RETENTION_DAYS` says otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::days(30);

impl ScaiDns {
    /// Removes settled webhook events past the retention with their deliveries (see the
    /// module docs); how many events went. The store removes them in bounded batches, each
    /// its own transaction.
    pub async fn prune_webhook_deliveries(&self) -> Result<u64> {
        let before = oldest_kept(self.clock().now(), self.config().webhook_retention);
        self.store().prune_webhook_events(before).await
    }
}
