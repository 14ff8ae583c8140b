//! Pending zones nobody validated. They block no one (interface decision 12), but left alone
//! they pile up for ever; the worker removes each once its latest challenge has been expired
//! for the retention (`PENDING_ZONE_RETENTION_DAYS`) and the zone has not changed for as long.

use chrono::{DateTime, Duration, Utc};

use crate::error::Result;
use crate::ports::store::NoPublish;
use crate::service::ScaiDns;
use crate::zone::{Zone, ZoneStatus};

impl ScaiDns {
    /// Removes abandoned pending zones for good, each with a `domain.expire` audit entry in its
    /// tenant. Returns how many went.
    pub async fn purge_abandoned_zones(&self, retention: Duration) -> Result<u64> {
        let now = self.clock().now();
        let oldest_kept = super::retention::oldest_kept(now, retention);
        let mut purged = 0;
        for zone in self
            .all_zones_with_status(Some(ZoneStatus::PendingValidation))
            .await?
        {
            if self.abandoned_since(&zone).await? > oldest_kept {
                continue;
            }
            // A pending zone was never published, and another tenant's live zone of the same
            // name may be: the backend is not touched.
            match self
                .purge_zone_for_good(&zone, now, "domain.expire", &NoPublish)
                .await
            {
                Ok(()) => {
                    tracing::info!(zone = %zone.name, zone_id = %zone.id, "abandoned pending zone removed");
                    purged += 1;
                }
                // Changed meanwhile (validated, a new challenge): no longer abandoned.
                Err(e) if e.code() == "generation_mismatch" => {
                    tracing::info!(zone = %zone.name, "abandoned pending zone changed meanwhile: kept");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(purged)
    }

    /// When the zone stopped being claimable: its latest challenge's expiry, or its last
    /// change when that is later (a restore, say); without any challenge, its last change
    /// plus a challenge's lifetime.
    async fn abandoned_since(&self, zone: &Zone) -> Result<DateTime<Utc>> {
        Ok(match self.store().latest_validation(zone.id).await? {
            Some(v) => v.expires_at.max(zone.updated_at),
            // Saturating: the challenge lifetime is an operator's setting.
            None => zone
                .updated_at
                .checked_add_signed(self.settings().validation.expiry)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        })
    }
}
