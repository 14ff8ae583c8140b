//! Whether a write reached the DNS backend (issue 16, item 4): every write answer carries the
//! zone's publication state in the zone's own terms, so a change saved during a PowerDNS
//! outage never looks published. A body gets [`PublicationState`]; a 204 gets
//! [`SYNC_STATUS_HEADER`].

use poem_openapi::Object;
use scaidns_core::zone::Zone;

use crate::api::zones::SyncStatusDto;
use crate::error::ApiError;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// The header carrying `sync_status` on answers without a body.
pub const SYNC_STATUS_HEADER: &str = "X-Sync-Status";

/// The zone's publication state after a write.
#[derive(Debug, Clone, Object)]
pub struct PublicationState {
    /// `in_sync` (published), `pending` (saved; the retry loop publishes it), `error` (the
    /// backend refused; see `sync_error`) or `unpublished` (the zone is not served).
    pub sync_status: SyncStatusDto,
    /// Why it is not published yet.
    pub sync_error: Option<String>,
    /// When the retry loop next tries, while not published (absent when no worker has run).
    pub next_retry_at: Option<Timestamp>,
}

/// The publication state of `zone` as a write left it.
pub async fn of(state: &AppState, zone: &Zone) -> Result<PublicationState, ApiError> {
    let sync_status = SyncStatusDto::of(zone);
    let next_retry_at = match sync_status {
        SyncStatusDto::Pending | SyncStatusDto::Error => state
            .service
            .next_publication_retry()
            .await?
            .map(Into::into),
        SyncStatusDto::InSync | SyncStatusDto::Unpublished => None,
    };
    Ok(PublicationState {
        sync_status,
        sync_error: zone.sync.error.clone(),
        next_retry_at,
    })
}

/// `sync_status` as the header spells it.
pub fn header_value(zone: &Zone) -> String {
    match SyncStatusDto::of(zone) {
        SyncStatusDto::InSync => "in_sync",
        SyncStatusDto::Pending => "pending",
        SyncStatusDto::Error => "error",
        SyncStatusDto::Unpublished => "unpublished",
    }
    .to_owned()
}
