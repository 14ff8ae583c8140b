//! Secondary zones at run time: their transfer state as the backend reports it, and asking
//! the backend for a transfer now. The records themselves are the primary's: the store holds
//! none, reads of a secondary's records go to the backend (`record_listing`).

use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::rbac::Permission;
use crate::service::publish::backend_error;
use crate::service::{OpContext, ScaiDns};
use crate::zone::secondary::TransferState;
use crate::zone::{Zone, ZoneStatus};

impl ScaiDns {
    /// The transfer state of `zone` (already authorized by the caller's read): `None` unless
    /// it is a secondary. Never fails: what the backend cannot tell becomes `last_error`, so
    /// an unreachable primary or backend shows on the zone instead of failing its read.
    pub async fn zone_transfer_state(&self, zone: &Zone) -> Option<TransferState> {
        if !zone.is_secondary() {
            return None;
        }
        if zone.status != ZoneStatus::Active {
            return Some(TransferState {
                last_error: Some(format!(
                    "not transferred while the zone is {}; it is transferred once active",
                    zone.status
                )),
                ..TransferState::default()
            });
        }
        let state = match self.backend().transfer_state(&zone.name).await {
            Ok(Some(state)) => state,
            Ok(None) => TransferState {
                last_error: Some(
                    "the DNS backend does not hold the zone yet (publication pending)".to_owned(),
                ),
                ..TransferState::default()
            },
            Err(e) => {
                tracing::warn!(zone = %zone.name, error = %e, "transfer state unavailable");
                TransferState {
                    last_error: Some(format!("transfer state unavailable: {}", e.message)),
                    ..TransferState::default()
                }
            }
        };
        Some(state)
    }

    /// Asks the backend to transfer a secondary zone from its primaries now; the transfer
    /// happens in the background (202). Needs `domains:update` on the zone.
    pub async fn zone_retrieve(&self, ctx: &OpContext, id: ZoneId) -> Result<Zone> {
        ctx.require(Permission::DOMAINS_UPDATE)?;
        let zone = self
            .authorized_zone(ctx, Permission::DOMAINS_UPDATE, id, false)
            .await?;
        if !zone.is_secondary() {
            return Err(Error::conflict(
                "zone_not_secondary",
                "only a secondary zone is transferred from a primary",
            ));
        }
        if zone.status != ZoneStatus::Active {
            return Err(Error::conflict(
                "zone_not_active",
                format!("the zone is {}: it is transferred once active", zone.status),
            ));
        }
        self.backend()
            .retrieve(&zone.name)
            .await
            .map_err(|e| backend_error(&e))?;
        Ok(zone)
    }

    /// Asks the backend to send NOTIFY for an active zone now (secondaries then ask for what is
    /// published). Changes nothing, so it writes no audit entry; needs `records:update` on the
    /// zone, since whoever may change the records may prompt secondaries to fetch them.
    pub async fn zone_notify(&self, ctx: &OpContext, id: ZoneId) -> Result<Zone> {
        ctx.require(Permission::RECORDS_UPDATE)?;
        let zone = self
            .authorized_zone(ctx, Permission::RECORDS_UPDATE, id, false)
            .await?;
        if zone.status != ZoneStatus::Active {
            return Err(Error::conflict(
                "zone_not_active",
                format!("the zone is {}: only an active zone is served", zone.status),
            ));
        }
        self.backend()
            .notify(&zone.name)
            .await
            .map_err(|e| backend_error(&e))?;
        Ok(zone)
    }
}
