//! A change of an existing zone: planned on the zone as it stands, committed in a short
//! transaction with no backend call inside it, then published.
//!
//! Writers of one zone in this process take turns ([`ZoneQueue`], which also batches their
//! publications); a writer on another replica
//! that committed first shows up as the store's `generation_mismatch`, and the change is
//! re-read, re-planned and written again. So a write is refused for a concurrent change only
//! when it asked to be, with `If-Match` ([`IfMatch`], 412).
//!
//! The store holds the intended state: the commit marks the zone `pending`, the publication
//! then marks it `in_sync` (or leaves it `pending` with the backend's error for the retry
//! queue), but only while the zone is still at the published generation, so a newer change
//! keeps its own mark. Publication is ordered per zone: a publisher first raises the zone's
//! last published generation ([`ZoneStore::claim_publication`]); when a newer generation was
//! claimed already, its publisher carries this change too (a change planned on a zone not
//! `in_sync` publishes the whole zone), and this one publishes nothing.
//!
//! [`ZoneQueue`]: super::zone_queue::ZoneQueue
//! [`ZoneStore::claim_publication`]: crate::ports::store::ZoneStore::claim_publication

use std::future::Future;

use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::ports::store::{NoPublish, PublishOutcome, Publisher, ZoneWrite};
use crate::service::ScaiDns;
use crate::service::publish::Publication;
use crate::service::zone_queue::ZoneSlot;
use crate::zone::precondition::IfMatch;
use crate::zone::{SyncState, SyncStatus, Zone, ZoneStatus};

/// How often a change is re-planned after another replica committed first before giving up
/// (only reachable when other replicas write the zone without pause).
const MAX_ATTEMPTS: u32 = 100;

/// What a planner decided from the zone as it stands.
pub(crate) struct Planned<T> {
    /// The write and what to publish after it commits; `None`: nothing to write.
    pub change: Option<(ZoneWrite, Publication)>,
    /// Handed back to the caller.
    pub output: T,
}

impl ScaiDns {
    /// Checks `if_match`, lets `plan` decide a change from the zone as it stands, commits it
    /// and publishes it (see the module docs). Returns the zone afterwards.
    pub(crate) async fn change_zone<T, F, Fut>(
        &self,
        zone_id: ZoneId,
        if_match: &IfMatch,
        plan: F,
    ) -> Result<(Zone, T)>
    where
        F: Fn(Zone) -> Fut + Send,
        Fut: Future<Output = Result<Planned<T>>> + Send,
        T: Send,
    {
        let slot = self.zone_queue.slot(zone_id);
        let (zone, output, queued) = {
            let _turn = slot.writers.lock().await;
            self.commit_change(&slot, zone_id, if_match, plan).await?
        };
        if !queued {
            return Ok((zone, output));
        }
        let zone = self.publish_queued(&slot, zone).await?;
        Ok((zone, output))
    }

    /// Plans and commits in the writers' turn, re-planning when another replica committed
    /// first; queues the publication. Returns the zone as committed, the planner's output and
    /// whether a publication was queued.
    async fn commit_change<T, F, Fut>(
        &self,
        slot: &ZoneSlot,
        zone_id: ZoneId,
        if_match: &IfMatch,
        plan: F,
    ) -> Result<(Zone, T, bool)>
    where
        F: Fn(Zone) -> Fut + Send,
        Fut: Future<Output = Result<Planned<T>>> + Send,
        T: Send,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let zone = self
                .store()
                .get_zone(zone_id)
                .await?
                .filter(|z| z.status != ZoneStatus::Deleted)
                .ok_or_else(|| Error::not_found("Domain not found"))?;
            if_match.check(zone.generation)?;
            let mut planned_on = zone.clone();
            if planned_on.sync.status == SyncStatus::Pending && slot.queued_here(zone.generation) {
                // Pending only because its publication waits in this process's queue, which
                // publishes in order: RRset changes on top of it are safe.
                planned_on.sync.status = SyncStatus::InSync;
            }
            let Planned { change, output } = plan(planned_on).await?;
            let Some((mut write, publication)) = change else {
                return Ok((zone, output, false));
            };
            let publishes = !matches!(publication, Publication::Nothing);
            if publishes {
                write.zone.sync = SyncState {
                    status: SyncStatus::Pending,
                    error: None,
                    last_synced_at: zone.sync.last_synced_at,
                };
            }
            match self.store().write_zone(write, &NoPublish).await {
                Err(e) if e.code() == "generation_mismatch" && attempt < MAX_ATTEMPTS => {}
                Err(e) => return Err(e),
                Ok(stored) => {
                    if publishes {
                        slot.queue(stored.generation, publication);
                    }
                    return Ok((stored, output, publishes));
                }
            }
        }
    }

    /// In the publishing turn: publishes what is queued (this writer's change, unless an
    /// earlier publisher took it along) and answers with the zone's state afterwards.
    async fn publish_queued(&self, slot: &ZoneSlot, zone: Zone) -> Result<Zone> {
        let _turn = slot.publisher.lock().await;
        match slot.take() {
            Some((generation, publication)) => {
                self.publish_generation(slot, zone, generation, publication)
                    .await
            }
            None => Ok(self.store().get_zone(zone.id).await?.unwrap_or(zone)),
        }
    }

    /// Publishes `generation` of `zone` unless a newer one was claimed, and records the
    /// outcome as the zone's sync state. A backend refusal leaves the zone in `error` (the
    /// intended state stays in the store) and is returned (502).
    async fn publish_generation(
        &self,
        slot: &ZoneSlot,
        zone: Zone,
        generation: i64,
        publication: Publication,
    ) -> Result<Zone> {
        if !self.store().claim_publication(zone.id, generation).await? {
            // Another replica published a newer generation; ours may have been built on a
            // state it never saw published.
            slot.set_behind(true);
            return Ok(zone);
        }
        let (sync, refused) = match self.publisher(publication).publish().await {
            Ok(PublishOutcome::Skipped) => return Ok(zone),
            Ok(PublishOutcome::Published) => (SyncState::synced(self.clock().now()), None),
            Ok(PublishOutcome::Deferred(message)) => (
                SyncState {
                    status: SyncStatus::Pending,
                    error: Some(message),
                    last_synced_at: zone.sync.last_synced_at,
                },
                None,
            ),
            Err(e) => (
                SyncState {
                    status: SyncStatus::Error,
                    error: Some(e.message().to_owned()),
                    last_synced_at: zone.sync.last_synced_at,
                },
                Some(e),
            ),
        };
        slot.set_behind(sync.status != SyncStatus::InSync);
        self.store()
            .set_sync_state_at(zone.id, generation, &sync)
            .await?;
        match refused {
            Some(e) => Err(e),
            None if generation == zone.generation => Ok(Zone { sync, ..zone }),
            None => Ok(self.store().get_zone(zone.id).await?.unwrap_or(zone)),
        }
    }
}
