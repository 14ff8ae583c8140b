//! A change of an existing zone: planned on the zone as it stands, committed in a short
//! transaction with no backend call inside it, then published.
//!
//! Writers of one zone in this process take turns ([`ZoneQueue`], which also batches their
//! publications); a writer on another replica that committed first shows up as the store's
//! `generation_mismatch`, and the change is re-read, re-planned and written again. So a write
//! is refused for a concurrent change only when it asked to be, with `If-Match` ([`IfMatch`],
//! 412).
//!
//! The zone a change is planned on is, first, the row this replica keeps in its zone cache when
//! the last change of the zone was its own (the commit put it there, see `zone_cache` for when
//! it may be taken and why its sync state is the store's); otherwise, and whenever that plan
//! does not settle the change (a stale row's generation fails `If-Match` or meets the store's
//! generation check, its plan fails or writes nothing), the zone as the store holds it. A
//! stale row thus costs a second plan, never a wrong answer: the write commits only at the
//! generation it was planned on, and only the store's row answers 412 or 404.
//!
//! The store holds the intended state: the commit marks the zone `pending`, the publication
//! then marks it `in_sync` (or leaves it `pending` with the backend's error for the retry
//! queue), but only while the zone is still at the published generation, so a newer change
//! keeps its own mark.
//!
//! Publication is ordered per zone across replicas: it happens in the zone's publishing turn
//! ([`ZoneStore::publication_turn`], a lock every replica and the retry pass take), which
//! reads the zone's last published generation. A batch that follows it directly (every
//! generation in between is this batch's) sends its RRset changes as planned: nothing else
//! changed the zone since the backend last caught up. Otherwise (another replica's change, or a
//! failed publication, lies in between) the whole zone as the store holds it in the turn is
//! published; and when a newer generation was published already, this batch was carried by it.
//! Since every publication sends what the store held when its turn began, and turns do not
//! overlap, no replica can send an older state over a newer one.
//!
//! A writer whose change publishes takes that turn beside its write when this process's turn
//! of the zone is free, or held only by an outcome in flight (below) ([`TurnBesideWrite`]):
//! waiting for the turn and reading the last published generation then overlap the write
//! instead of following its commit. The usual batch
//! (its newest generation this writer's, following the last one published) is then sent as
//! planned without reading anything more; any other batch reads the zone in that turn, as in a
//! turn taken after the commit (a turn reads at READ COMMITTED, so it sees the commit).
//!
//! Once the backend has taken a change, the write may answer before the turn records the
//! outcome ([`ScaiDns::with_after_answer`], [`OutcomeInFlight`]): the turn, this process's and
//! the store's, stays held until the outcome is in the store, so the order above is unchanged.
//! Meanwhile the zone's `outcome_in_flight` lock is held: a read of the zone on this replica
//! waits for it ([`ScaiDns::outcome_in_flight`]), and so does the next writer's turn
//! beside its write, instead of giving up.
//!
//! [`ZoneQueue`]: super::zone_queue::ZoneQueue
//! [`ZoneStore::publication_turn`]: crate::ports::store::ZoneStore::publication_turn

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::{BoxFuture, Either, MaybeDone, maybe_done, select};
use futures::lock::OwnedMutexGuard;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind};
use crate::ports::store::{NoPublish, PublicationTurn, ZoneWrite};
use crate::service::publish::{Publication, backend_error, full_publication, zone_spec};
use crate::service::zone_queue::{Batch, ZoneSlot};
use crate::service::{OpContext, ScaiDns};
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
    /// Every record of the zone once the write commits, when the planner knows them and the
    /// record cache can keep them (a zone over its capacity gets `None`, not a copy thrown
    /// away): kept there under the committed generation, so the next writer's plan reads no
    /// records (see `ScaiDns::records_for_change`).
    pub records_after: Option<Vec<crate::record::Record>>,
}

impl ScaiDns {
    /// Checks `if_match`, lets `plan` decide a change from the zone as it stands, commits it
    /// and publishes it (see the module docs). Returns the zone afterwards. When `ctx` only
    /// plans, the change is recorded instead of committed (`service::plans`).
    pub(crate) async fn change_zone<T, F, Fut>(
        &self,
        ctx: &OpContext,
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
        let mut taking = None;
        let committed = {
            let _turn = slot.writers.lock().await;
            self.commit_change(ctx, &slot, zone_id, if_match, plan, &mut taking)
                .await
        };
        // Out of the writers' turn: while this writer may still wait for the store's turn
        // (another replica publishing the zone), this process's next writer commits. Taken to
        // its end even when unused: dropped while its `BEGIN` is on the wire, sqlx would hand
        // the pool a connection inside a transaction.
        let beside = match taking {
            Some(taking) => taken(taking).await,
            None => None,
        };
        let (zone, output) = match committed {
            Ok((zone, output, true)) => (zone, output),
            other => {
                if let Some(beside) = beside {
                    end_unused(beside.turn).await;
                }
                return other.map(|(zone, output, _)| (zone, output));
            }
        };
        let zone = match self.publish_queued(&slot, zone.clone(), beside).await {
            Ok(published) => published,
            // The backend refused the change itself: the caller hears it (502).
            Err(e) if e.kind() == ErrorKind::Upstream => return Err(e),
            // The turn's own store calls failed after the commit: the change is saved and the
            // zone stays `pending`, so the retry queue publishes it. Answering an error here
            // would make clients retry a write that succeeded.
            Err(e) => {
                tracing::warn!(zone = %zone.name, generation = zone.generation, error = %e,
                    "committed change left to the retry queue: its publishing turn failed");
                zone
            }
        };
        Ok((zone, output))
    }

    /// [`Self::change_zone`] for a record change (create, update, delete, bulk, import, history
    /// restore): the zone's write guard is held across it and, when it succeeds, keeps the row
    /// it committed in the zone cache (see `zone_cache`).
    pub(crate) async fn change_records<T, F, Fut>(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        if_match: &IfMatch,
        plan: F,
    ) -> Result<(Zone, T)>
    where
        F: Fn(Zone) -> Fut + Send,
        Fut: Future<Output = Result<Planned<T>>> + Send,
        T: Send,
    {
        let guard = self.zone_write(zone_id);
        let changed = self.change_zone(ctx, zone_id, if_match, plan).await?;
        guard.keep_committed();
        Ok(changed)
    }

    /// Runs a lifecycle write (delete, purge, restore, validation and activation), which reads
    /// the zone, checks `if_match` and commits guarded by the generation it read, starting it
    /// over when another write committed in between: without `If-Match` it is never refused for
    /// a change it did not see; with it, that change is answered 412 (nothing applied).
    pub(crate) async fn lifecycle_write<T, F, Fut>(&self, if_match: &IfMatch, write: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match write().await {
                Err(e)
                    if e.code() == "generation_mismatch"
                        && *if_match == IfMatch::Any
                        && attempt < MAX_ATTEMPTS => {}
                other => return other.map_err(|e| if_match.stale_on_conflict(e)),
            }
        }
    }

    /// Runs a lifecycle write (delete, restore, activation, purge), which publishes inside its
    /// own transaction, in the zone's publishing turn. Without the turn, a record change's
    /// publication that read the zone before the write could land after it: a PATCH answered
    /// "not found" would re-create a deleted zone from that stale read.
    pub(crate) async fn in_publishing_turn<T>(
        &self,
        zone_id: ZoneId,
        write: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let slot = self.zone_queue.slot(zone_id);
        let _in_process = slot.publisher.lock().await;
        let turn = self.store().publication_turn(zone_id).await?;
        let result = write.await;
        if let Err(e) = turn.finish(None, None).await {
            tracing::warn!(zone = %zone_id, error = %e, "could not end a lifecycle write's publishing turn");
        }
        result
    }

    /// Plans and commits in the writers' turn (on the cached row first, see the module docs),
    /// re-planning when another replica committed first; keeps the committed row in the zone
    /// cache and queues the publication. Returns the zone as committed, the planner's output and
    /// whether a publication was queued. A write that publishes starts taking the publishing
    /// turn beside it (into `taking`, see [`TurnBesideWrite`]).
    async fn commit_change<'s, T, F, Fut>(
        &'s self,
        ctx: &OpContext,
        slot: &'s ZoneSlot,
        zone_id: ZoneId,
        if_match: &IfMatch,
        plan: F,
        taking: &mut Option<TakingTurn<'s>>,
    ) -> Result<(Zone, T, bool)>
    where
        F: Fn(Zone) -> Fut + Send,
        Fut: Future<Output = Result<Planned<T>>> + Send,
        T: Send,
    {
        let mut attempt = 0;
        // Tried once, first: a plan on the row this replica keeps (see the module docs).
        let mut cached = match ctx.planning_into() {
            None => self.zone_to_plan_on(zone_id),
            Some(_) => None,
        };
        loop {
            attempt += 1;
            let from_cache = cached.is_some();
            let zone = match cached.take() {
                Some(zone) => zone,
                None => self.zone_to_change(zone_id).await?,
            };
            if let Err(stale) = if_match.check(zone.generation) {
                // On a cached row, possibly a stale generation: only the store's answers 412.
                if from_cache {
                    continue;
                }
                return Err(stale);
            }
            let planned = plan(zone.clone()).await;
            if from_cache && !settled_on_cache(&planned) {
                continue;
            }
            let Planned {
                change,
                output,
                records_after,
            } = planned?;
            let Some((mut write, publication)) = change else {
                return Ok((zone, output, false));
            };
            // A plan stops here: the write is recorded, and the caller goes on with the zone
            // as the commit would have left it (`service::plans`).
            if let Some(recorder) = ctx.planning_into() {
                let after = write.zone.clone();
                recorder.record(Some(zone), write, false);
                return Ok((after, output, false));
            }
            let publishes = !matches!(publication, Publication::Nothing);
            if publishes {
                write.zone.sync = SyncState {
                    status: SyncStatus::Pending,
                    error: None,
                    last_synced_at: zone.sync.last_synced_at,
                };
            }
            let started = self.zone_cache_epoch();
            if publishes && taking.is_none() {
                let turn = self.turn_beside_write(slot, zone_id).boxed();
                *taking = Some(Box::pin(maybe_done(turn)));
            }
            let written = self.store().write_zone(write, &NoPublish);
            let written = match taking {
                // The turn moves while the write runs, but is not waited for here (see
                // `change_zone`). The write asks the pool first.
                Some(taking) => match select(Box::pin(written), taking.as_mut()).await {
                    Either::Left((written, _)) => written,
                    Either::Right(((), written)) => written.await,
                },
                None => written.await,
            };
            match written {
                Err(e) if e.code() == "generation_mismatch" && attempt < MAX_ATTEMPTS => {}
                Err(e) => return Err(e),
                Ok(stored) => {
                    self.cache_committed(started, &stored);
                    if let Some(records) = records_after {
                        self.record_cache
                            .put_written(zone_id, stored.generation, records);
                    }
                    // A served zone's change that publishes nothing (its description, say) is
                    // queued too: it keeps the batch that follows it contiguous.
                    let queued = publishes || stored.is_published();
                    if queued {
                        slot.queue(stored.generation, publication);
                    }
                    return Ok((stored, output, queued));
                }
            }
        }
    }

    /// The outcome of this replica's last publication of the zone, when it is being recorded
    /// after its write answered ([`OutcomeInFlight`]): a read of the zone's sync state that
    /// follows a write's answer waits for it ([`PendingRecord::recorded`]) and reads again.
    pub(crate) fn outcome_in_flight(&self, zone_id: ZoneId) -> Option<PendingRecord> {
        let slot = self.zone_queue.existing(zone_id)?;
        let in_flight = slot.outcome_in_flight.try_lock().is_none();
        in_flight.then_some(PendingRecord(slot))
    }

    /// The zone as the store holds it, for a change (404 when deleted).
    async fn zone_to_change(&self, zone_id: ZoneId) -> Result<Zone> {
        self.store()
            .get_zone(zone_id)
            .await?
            .filter(|z| z.status != ZoneStatus::Deleted)
            .ok_or_else(|| Error::not_found("Domain not found"))
    }

    /// Takes this process's and the store's publishing turn of the zone, when this process's
    /// is free or held only by an outcome being recorded ([`OutcomeInFlight`]; the write goes on
    /// meanwhile) and the store can open it without waiting, and reads the last generation
    /// published in it.
    async fn turn_beside_write(&self, slot: &ZoneSlot, zone_id: ZoneId) -> Option<TurnBesideWrite> {
        let in_process = match slot.publisher.try_lock_owned() {
            Some(in_process) => in_process,
            // Most likely held only by an outcome in flight, a store call or two, which the turn
            // may as well wait for beside the write. (A heuristic: a reader holds the mark for
            // an instant too, and the next publisher may take the turn just before the mark
            // goes; then this waits through that publication, as a writer that found the turn
            // busy waits for it after its commit.)
            None if slot.outcome_in_flight.try_lock().is_none() => {
                Arc::clone(&slot.publisher).lock_owned().await
            }
            None => return None,
        };
        let mut turn = match self.store().publication_turn_beside_write(zone_id).await {
            Ok(turn) => turn?,
            Err(e) => {
                // The turn is taken again after the commit, where a failure is handled.
                tracing::debug!(zone = %zone_id, error = %e, "no publishing turn beside the write");
                return None;
            }
        };
        match turn.zone().await {
            Ok(Some((_, published))) => Some(TurnBesideWrite {
                in_process,
                turn,
                published,
            }),
            _ => {
                end_unused(turn).await;
                None
            }
        }
    }

    /// In the publishing turn (taken beside the write, or now): publishes what is queued (this
    /// writer's change, unless an earlier publisher took it along) and answers with the zone's
    /// state afterwards.
    async fn publish_queued(
        &self,
        slot: &Arc<ZoneSlot>,
        zone: Zone,
        beside: Option<TurnBesideWrite>,
    ) -> Result<Zone> {
        let (in_process, beside) = match beside {
            Some(TurnBesideWrite {
                in_process,
                turn,
                published,
            }) => (in_process, Some((turn, published))),
            None => (Arc::clone(&slot.publisher).lock_owned().await, None),
        };
        let held = HeldTurn {
            slot: Arc::clone(slot),
            _in_process: in_process,
        };
        match slot.take() {
            Some(batch) => self.publish_batch(held, zone, batch, beside).await,
            None => {
                if let Some((turn, _)) = beside {
                    end_unused(turn).await;
                }
                self.published_by_another(zone).await
            }
        }
    }

    /// The zone after an earlier publisher of this process took this writer's change along.
    async fn published_by_another(&self, zone: Zone) -> Result<Zone> {
        match self.store().get_zone(zone.id).await? {
            Some(now) => {
                self.cache_published(now.id, now.generation, &now.sync);
                Ok(now)
            }
            None => Ok(zone),
        }
    }

    /// Publishes a batch in the store's publishing turn (see the module docs) and records the
    /// outcome as the zone's sync state. A backend refusal leaves the zone in `error` (the
    /// intended state stays in the store) and is returned (502).
    ///
    /// `beside` is a turn taken beside the write, with the last generation published as read
    /// in it before the commit (nothing but a turn moves it, so it still holds). The usual
    /// batch then needs no read: its newest generation is the one this writer committed and it
    /// follows the last one published, so its RRset changes are sent as planned. Any other
    /// batch reads the zone in the turn as one taken now would.
    async fn publish_batch(
        &self,
        held: HeldTurn,
        committed: Zone,
        batch: Batch,
        beside: Option<(Box<dyn PublicationTurn>, i64)>,
    ) -> Result<Zone> {
        let top = batch.top();
        // The backend answered the planned changes "no such zone": it is published whole.
        let mut lost = false;
        let mut turn = match beside {
            Some((turn, published)) => {
                match &batch.publication {
                    Publication::Changes { zone, changes }
                        if committed.generation == top
                            && committed.is_published()
                            && committed.secondary.is_none()
                            // Already published (`follows` would hold too): read below.
                            && published < top
                            && batch.follows(published) =>
                    {
                        match self.backend().apply(zone, changes).await {
                            Err(e) if e.kind == BackendErrorKind::NotFound => lost = true,
                            result => {
                                return self
                                    .end_publication(held, turn, committed, top, top, result)
                                    .await;
                            }
                        }
                    }
                    _ => {}
                }
                turn
            }
            None => self.store().publication_turn(committed.id).await?,
        };
        let Some((zone, published)) = turn.zone().await? else {
            // Purged meanwhile: nothing left to publish.
            turn.finish(None, None).await?;
            return Ok(committed);
        };
        if published >= top || !zone.is_published() {
            // Carried by a newer publication (another replica's, the retry pass's, or a
            // lifecycle write's, which published the zone's removal when it is not live).
            turn.finish(None, None).await?;
            self.cache_published(zone.id, zone.generation, &zone.sync);
            return Ok(zone);
        }
        let follows = batch.follows(published);
        let (result, at) = match batch.publication {
            Publication::Nothing if follows => {
                // Nothing to send, and nothing missed: the backend is as of `top`.
                turn.finish(Some(top), None).await?;
                self.cache_published(zone.id, zone.generation, &zone.sync);
                return Ok(zone);
            }
            Publication::Changes {
                zone: name,
                changes,
            } if follows && !lost => {
                match self.backend().apply(&name, &changes).await {
                    // The backend lost the zone: publish it whole.
                    Err(e) if e.kind == BackendErrorKind::NotFound => {
                        let spec = zone_spec(&zone, &turn.records().await?);
                        (self.backend().create_zone(&spec).await, zone.generation)
                    }
                    other => (other, top),
                }
            }
            // A secondary's content is its primary's: only its source is published.
            _ if zone.secondary.is_some() => {
                let result = match full_publication(&zone, &[]) {
                    Publication::Secondary(spec) => {
                        self.backend().create_secondary_zone(&spec).await
                    }
                    _ => Ok(()),
                };
                (result, zone.generation)
            }
            _ => {
                let spec = zone_spec(&zone, &turn.records().await?);
                (self.backend().create_zone(&spec).await, zone.generation)
            }
        };
        self.end_publication(held, turn, zone, top, at, result)
            .await
    }

    /// Ends a publishing turn that sent `zone` (as read in the turn, or as committed) to the
    /// backend, up to generation `at` when `result` says it passed: records the outcome (at
    /// `top`, the batch's newest generation, when it failed), tells the zone cache, and leaves
    /// the turn; then NOTIFYs the secondaries (queued or sent, see
    /// [`ScaiDns::notify_secondaries`]). A refusal is returned (502).
    ///
    /// When the backend took the change and the service records outcomes after the answer
    /// ([`ScaiDns::with_after_answer`]), the record and the end of the turn are handed over
    /// ([`OutcomeInFlight`]) instead of awaited.
    async fn end_publication(
        &self,
        held: HeldTurn,
        turn: Box<dyn PublicationTurn>,
        zone: Zone,
        top: i64,
        at: i64,
        result: std::result::Result<(), BackendError>,
    ) -> Result<Zone> {
        let refused = match &result {
            Err(e) if !e.is_transient() => Some(backend_error(e)),
            _ => None,
        };
        let published = result.is_ok().then_some(at);
        let sync = self.sync_outcome(&zone, result.map_err(|e| (e.is_transient(), e.message)));
        let recorded_at = published.unwrap_or(top);
        let outcome = Some((recorded_at, sync.clone()));
        match (&self.after_answer, published) {
            (Some(tasks), Some(_)) => {
                let in_flight = Arc::clone(&held.slot.outcome_in_flight).lock_owned().await;
                let pending = OutcomeInFlight {
                    turn,
                    published,
                    outcome,
                    zone: zone.name.clone(),
                    held,
                    in_flight,
                };
                tasks.run(Box::pin(pending.record()));
            }
            _ => turn.finish(published, outcome).await?,
        }
        if zone.generation == recorded_at {
            self.cache_published(zone.id, zone.generation, &sync);
        }
        if published.is_some() {
            // Not inside the turn's store calls: a NOTIFY only prompts secondaries to ask for
            // what is published.
            self.notify_secondaries(&zone.name).await;
        }
        match refused {
            Some(e) => Err(e),
            None if zone.generation == recorded_at => Ok(Zone { sync, ..zone }),
            None => Ok(zone),
        }
    }
}

/// The zone's publishing turn, this process's and the store's, taken by a writer beside its
/// write ([`ScaiDns::turn_beside_write`]): waiting for it and reading the last published
/// generation in it overlap the write rather than follow the commit, which takes the turn's
/// `BEGIN`, lock statement and zone read off a write's answer on MariaDB and PostgreSQL (the
/// zone read on SQLite). The generation read before the commit is still the last published
/// when the turn publishes, since nothing but a turn moves it (see [`ScaiDns::publish_batch`]).
///
/// A writer has one when its change publishes, this process's turn of the zone was free or
/// held only by an outcome in flight (waited for beside the write, which goes on meanwhile:
/// see [`ScaiDns::turn_beside_write`]), the store could open one
/// without waiting ([`ZoneStore::publication_turn_beside_write`]), and the turn's zone read
/// succeeded; otherwise it takes the turn after its commit, as every writer did before.
///
/// [`ZoneStore::publication_turn_beside_write`]: crate::ports::store::ZoneStore::publication_turn_beside_write
pub(crate) struct TurnBesideWrite {
    in_process: OwnedMutexGuard<()>,
    turn: Box<dyn PublicationTurn>,
    published: i64,
}

/// This process's publishing turn of a zone, held from before a publication until its outcome
/// is recorded, with the zone's queues: kept alive by it, the slot stays registered, so every
/// writer and reader of the zone meanwhile gets the same locks (`ZoneQueue::slot`). A turn of
/// this process that reads the last published generation therefore sees the outcomes of this
/// process's earlier turns (on SQLite, where the store's turn holds no lock, this is the only
/// thing that orders them); the store's turn orders the other replicas' as before.
struct HeldTurn {
    slot: Arc<ZoneSlot>,
    _in_process: OwnedMutexGuard<()>,
}

/// An outcome in flight, seen by a reader ([`ScaiDns::outcome_in_flight`]).
pub(crate) struct PendingRecord(Arc<ZoneSlot>);

impl PendingRecord {
    /// Returns once the outcome is in the store: a store call away, never the backend's.
    pub(crate) async fn recorded(self) {
        drop(self.0.outcome_in_flight.lock().await);
    }
}

/// The end of a publishing turn whose publication passed, run after the write answered
/// ([`ScaiDns::with_after_answer`]): it records the outcome, which ends the store's turn (on
/// MariaDB and PostgreSQL the `COMMIT` that releases the lock row), then releases this
/// process's turn and the zone's `outcome_in_flight` mark, in that order, so that a writer
/// finding this process's turn held finds the mark too (see [`ScaiDns::turn_beside_write`]).
/// Dropped unrun (a stop), it ends the store's turn without a record: the zone stays `pending`
/// with its published generation behind, and is published again.
struct OutcomeInFlight {
    turn: Box<dyn PublicationTurn>,
    published: Option<i64>,
    outcome: Option<(i64, SyncState)>,
    zone: ZoneName,
    held: HeldTurn,
    in_flight: OwnedMutexGuard<()>,
}

impl OutcomeInFlight {
    async fn record(self) {
        let Self {
            turn,
            published,
            outcome,
            zone,
            held,
            in_flight,
        } = self;
        if let Err(e) = turn.finish(published, outcome).await {
            tracing::warn!(zone = %zone, generation = ?published, error = %e,
                "a published change's outcome was not recorded: the zone stays pending and is published again");
        }
        drop(held);
        drop(in_flight);
    }
}

/// A [`TurnBesideWrite`] being taken, driven while the write runs and finished by [`taken`].
type TakingTurn<'s> = Pin<Box<MaybeDone<BoxFuture<'s, Option<TurnBesideWrite>>>>>;

/// Waits for a turn being taken beside a write: the turn, or `None` when none was granted.
async fn taken(mut taking: TakingTurn<'_>) -> Option<TurnBesideWrite> {
    taking.as_mut().await;
    taking.as_mut().take_output().flatten()
}

/// Ends a publishing turn that published nothing.
async fn end_unused(turn: Box<dyn PublicationTurn>) {
    if let Err(e) = turn.finish(None, None).await {
        tracing::warn!(error = %e, "could not end a publishing turn");
    }
}

/// Whether a plan made on the cached row may be written as it is: it writes, and publishes, so
/// the write takes nothing of the row's sync state but what the module docs of `zone_cache`
/// prove the store's. Anything else (an error, which a stale row may have caused, or nothing to
/// write, answered with the row) is settled on the store's row.
fn settled_on_cache<T>(planned: &Result<Planned<T>>) -> bool {
    matches!(
        planned,
        Ok(Planned {
            change: Some((_, publication)),
            ..
        }) if !matches!(publication, Publication::Nothing)
    )
}

#[cfg(all(test, feature = "sql", feature = "embedded", feature = "resolver"))]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use crate::adapters::embedded::EmbeddedBackend;
    use crate::adapters::resolver::HickoryResolver;
    use crate::adapters::sql::SqlStore;
    use crate::ids::{TenantId, ZoneId};
    use crate::ports::{Clock, ManualClock, Store};
    use crate::service::dnssec::system_context_for;
    use crate::service::records::RecordCreate;
    use crate::service::zones::{ZoneCreate, ZoneUpdate};
    use crate::service::{OpContext, ScaiDns, ServiceConfig};
    use crate::zone::precondition::IfMatch;

    async fn service(dir: &tempfile::TempDir) -> (ScaiDns, OpContext) {
        let store = SqlStore::connect(&format!("sqlite:{}", dir.path().join("z.db").display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let clock = Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        ));
        let ctx = system_context_for(TenantId::new(), clock.now());
        let svc = ScaiDns::new(
            Arc::new(store),
            Arc::new(EmbeddedBackend::new()),
            Arc::new(HickoryResolver::new()),
            clock,
            ServiceConfig::default(),
        );
        (svc, ctx)
    }

    async fn create(svc: &ScaiDns, ctx: &OpContext, zone: ZoneId, name: &str) -> i64 {
        let input = RecordCreate {
            name: name.into(),
            rtype: "A".into(),
            content: "192.0.2.1".into(),
            ..RecordCreate::default()
        };
        let (zone, _) = svc
            .record_create(ctx, zone, input, &IfMatch::Any)
            .await
            .unwrap();
        zone.generation
    }

    /// The row a change would be planned on, if the cached one: its generation.
    fn cached_plan_generation(svc: &ScaiDns, zone: ZoneId) -> Option<i64> {
        svc.zone_to_plan_on(zone).map(|z| z.generation)
    }

    #[tokio::test]
    async fn a_record_write_leaves_the_row_the_next_one_plans_on() {
        let dir = tempfile::tempdir().unwrap();
        let (svc, ctx) = service(&dir).await;
        let create_zone = ZoneCreate {
            name: "plan-on-cache.test".into(),
            skip_validation: Some(true),
            ..ZoneCreate::default()
        };
        let zone = svc.zone_create(&ctx, create_zone).await.unwrap().zone;
        let first = create(&svc, &ctx, zone.id, "a").await;
        assert_eq!(cached_plan_generation(&svc, zone.id), Some(first));
        let second = create(&svc, &ctx, zone.id, "b").await;
        assert_eq!(second, first + 1);
        assert_eq!(cached_plan_generation(&svc, zone.id), Some(second));

        // Another writer drops it, as before.
        let update = ZoneUpdate {
            description: Some(Some("dropped".into())),
            ..ZoneUpdate::default()
        };
        svc.zone_update(&ctx, zone.id, update, &IfMatch::Any)
            .await
            .unwrap();
        assert_eq!(cached_plan_generation(&svc, zone.id), None);
        let third = create(&svc, &ctx, zone.id, "c").await;
        assert_eq!(third, second + 2);
        assert_eq!(cached_plan_generation(&svc, zone.id), Some(third));
    }
}
