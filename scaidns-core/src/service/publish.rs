//! Publishing the store's intended state to the DNS backend.
//!
//! Record changes and zone updates publish after their commit (see `zone_change`). The zone
//! lifecycle's publishers run inside the store transaction (see `ports::store`): a backend that cannot be
//! reached defers the change (the zone is marked `pending` and converges later through
//! [`ScaiDns::sync_zone`]); a backend that refuses the data fails the write and the transaction
//! rolls back, so the store never claims what the backend does not hold.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind, DnsBackend, SecondarySpec, ZoneSpec};
use crate::ports::store::{PublishOutcome, Publisher};
use crate::record::Record;
use crate::service::ScaiDns;
use crate::zone::RrSetChange;
use crate::zone::rules::rrsets_of;
use crate::zone::{SyncState, SyncStatus, Zone};

/// What to do to the backend when a zone write commits.
#[derive(Debug)]
pub(crate) enum Publication {
    /// Nothing (the zone is not served, or only metadata changed).
    Nothing,
    /// Create the zone, or replace its whole content.
    Full(ZoneSpec),
    /// Apply RRset changes (published in the zone's publishing turn, see `zone_change`, which
    /// publishes the whole zone instead when the backend lacks it).
    Changes {
        zone: ZoneName,
        changes: Vec<RrSetChange>,
    },
    /// Remove the zone.
    Remove(ZoneName),
    /// Create a secondary zone, or point an existing one at its primaries (its records come
    /// from them, never from the store).
    Secondary(SecondarySpec),
}

/// Runs a [`Publication`] against a backend, inside the store's write transaction. Its
/// publications are whole zones, removals and secondaries (RRset changes take the publishing
/// turn of `zone_change`, which also sends their NOTIFY), so it sends no NOTIFY: a primary
/// notices a new or replaced zone's serial on its own.
pub(crate) struct BackendPublisher {
    pub backend: Arc<dyn DnsBackend>,
    pub publication: Publication,
}

#[async_trait]
impl Publisher for BackendPublisher {
    async fn publish(&self) -> Result<PublishOutcome> {
        let result = match &self.publication {
            Publication::Nothing => return Ok(PublishOutcome::Skipped),
            Publication::Full(spec) => self.backend.create_zone(spec).await,
            Publication::Changes { zone, changes } => self.backend.apply(zone, changes).await,
            Publication::Remove(zone) => self.backend.delete_zone(zone).await,
            Publication::Secondary(spec) => self.backend.create_secondary_zone(spec).await,
        };
        match result {
            Ok(()) => Ok(PublishOutcome::Published),
            Err(e) if e.is_transient() => {
                tracing::warn!(backend = self.backend.name(), error = %e, "backend unavailable; change queued for retry");
                Ok(PublishOutcome::Deferred(e.message))
            }
            Err(e) => Err(backend_error(&e)),
        }
    }
}

/// Maps a permanent backend failure to a core error (502).
pub(crate) fn backend_error(e: &BackendError) -> Error {
    let code = match e.kind {
        BackendErrorKind::Unsupported => "backend_unsupported",
        BackendErrorKind::Unavailable => "backend_unavailable",
        _ => "backend_rejected",
    };
    Error::new(
        ErrorKind::Upstream,
        code,
        format!("the DNS backend refused the change: {}", e.message),
    )
}

/// What publishing a zone in full means: its records, or for a secondary zone its primaries.
pub(crate) fn full_publication(zone: &Zone, records: &[Record]) -> Publication {
    match &zone.secondary {
        Some(source) => Publication::Secondary(secondary_spec(zone, source)),
        None => Publication::Full(zone_spec(zone, records)),
    }
}

fn secondary_spec(zone: &Zone, source: &crate::zone::secondary::SecondarySource) -> SecondarySpec {
    SecondarySpec {
        name: zone.name.clone(),
        source: source.clone(),
        account: zone.tenant_id.to_string(),
    }
}

/// The backend's view of a zone's records.
pub(crate) fn zone_spec(zone: &Zone, records: &[Record]) -> ZoneSpec {
    ZoneSpec {
        name: zone.name.clone(),
        rrsets: rrsets_of(records),
        account: zone.tenant_id.to_string(),
    }
}

impl ScaiDns {
    /// Publishes a zone's full intended state to the backend (or removes it when it is not
    /// active) and records the outcome as its sync state. Used by the retry queue, after
    /// start-up for the embedded backend, and by `reconcile --fix`. It runs in the zone's
    /// publishing turn (this process's and the store's, see `zone_change`) and reads the zone
    /// in it, so a writer's publication never lands between its read and its publication.
    pub async fn sync_zone(&self, zone_id: ZoneId) -> Result<SyncState> {
        let slot = self.zone_queue.slot(zone_id);
        let _turn = slot.publisher.lock().await;
        let mut turn = self.store().publication_turn(zone_id).await?;
        let Some((zone, _)) = turn.zone().await? else {
            turn.finish(None, None).await?;
            return Err(Error::not_found("zone not found"));
        };
        let result = if let (true, Some(source)) = (zone.is_published(), &zone.secondary) {
            // A secondary's records are the primary's: publishing it only makes sure the
            // backend transfers it from the right primaries.
            self.backend()
                .create_secondary_zone(&secondary_spec(&zone, source))
                .await
        } else if zone.is_published() {
            let records = turn.records().await?;
            self.backend()
                .create_zone(&zone_spec(&zone, &records))
                .await
        } else if self.name_published_elsewhere(&zone).await? {
            // The name now belongs to another live zone: leave it alone.
            Ok(())
        } else {
            self.backend().delete_zone(&zone.name).await
        };
        let published = result.is_ok().then_some(zone.generation);
        let sync = self.sync_outcome(&zone, result.map_err(|e| (e.is_transient(), e.message)));
        // Only while the zone is still at the generation published: a newer change keeps its
        // `pending` mark until its own publication says otherwise.
        turn.finish(published, Some((zone.generation, sync.clone())))
            .await?;
        self.cache_published(zone.id, zone.generation, &sync);
        Ok(sync)
    }

    /// The sync state after a publication of `zone` (as read in the publishing turn): in sync,
    /// or the backend's error (pending when it may pass, for the retry queue). Neither moves the
    /// `last_synced_at` of a zone in sync at its generation already (the backend has matched it
    /// since then): a row the zone cache holds in sync keeps the store's (`zone_cache`).
    pub(crate) fn sync_outcome(
        &self,
        zone: &Zone,
        result: std::result::Result<(), (bool, String)>,
    ) -> SyncState {
        match result {
            Ok(()) if zone.sync.status == SyncStatus::InSync => zone.sync.clone(),
            Ok(()) => SyncState::synced(self.clock().now()),
            Err((transient, message)) => SyncState {
                status: if transient {
                    SyncStatus::Pending
                } else {
                    SyncStatus::Error
                },
                error: Some(message),
                last_synced_at: zone.sync.last_synced_at,
            },
        }
    }

    /// Publishes every active zone, e.g. into a freshly started embedded backend. Returns how
    /// many zones were published and how many failed.
    pub async fn republish_all(&self) -> Result<(u64, u64)> {
        let mut ok = 0;
        let mut failed = 0;
        for zone in self
            .all_zones_with_status(Some(crate::zone::ZoneStatus::Active))
            .await?
        {
            match self.sync_zone(zone.id).await?.status {
                SyncStatus::InSync => {
                    // What an operator watches for after an outage (issue 16, item 4).
                    let since = zone.sync.last_synced_at.unwrap_or(zone.created_at);
                    tracing::info!(
                        zone = %zone.name,
                        generation = zone.generation,
                        out_of_sync_seconds = (self.clock().now() - since).num_seconds(),
                        "published what was pending"
                    );
                    ok += 1;
                }
                _ => failed += 1,
            }
        }
        Ok((ok, failed))
    }

    /// Re-publishes every zone whose sync state is not `in_sync`; returns (synced, still failing).
    pub async fn sync_pending_zones(&self) -> Result<(u64, u64)> {
        let mut ok = 0;
        let mut failed = 0;
        for zone in self.all_zones_with_status(None).await? {
            if zone.sync.status == SyncStatus::InSync {
                continue;
            }
            match self.sync_zone(zone.id).await {
                Ok(sync) if sync.status == SyncStatus::InSync => ok += 1,
                Ok(_) => failed += 1,
                // Purged or changed since it was listed (jobs run side by side): nothing left
                // for this pass to publish; the rest of the queue still runs.
                Err(e) if is_gone_or_moved_on(&e) => {
                    tracing::debug!(zone = %zone.name, code = e.code(), "zone changed while the retry queue ran: skipped");
                }
                Err(e) => return Err(e),
            }
        }
        Ok((ok, failed))
    }

    pub(crate) async fn all_zones_with_status(
        &self,
        status: Option<crate::zone::ZoneStatus>,
    ) -> Result<Vec<Zone>> {
        use crate::ports::store::{PageRequest, ZoneFilter};
        let filter = ZoneFilter {
            status,
            include_deleted: status.is_none(),
            ..ZoneFilter::default()
        };
        let mut zones = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 100,
        };
        loop {
            let batch = self.store().list_zones(&filter, page).await?;
            // By the total, not the page's length: a page may be short of a row that could not
            // be read back.
            let done = page.offset() + u64::from(page.page_size) >= batch.total;
            zones.extend(batch.items);
            if done {
                return Ok(zones);
            }
            page.page += 1;
        }
    }
}

/// A zone a job listed was purged (`not_found`) or changed (`generation_mismatch`) before the
/// job reached it: skipped, not a failure of the job.
pub(crate) fn is_gone_or_moved_on(e: &Error) -> bool {
    matches!(e.code(), "not_found" | "generation_mismatch")
}
