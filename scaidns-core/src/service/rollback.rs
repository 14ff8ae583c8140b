//! Rolling back committed changes whose publication the backend refused for good (a 422, not
//! an outage), so a writer answered 502 `backend_rejected` finds nothing of its change in the
//! store ("never a half-applied change: retry or roll back, and say which").
//!
//! The publisher that met the refusal takes the writers' turn and commits the inverse of every
//! change the refused publication carried, newest first, as one new generation audited as
//! `record.rollback`; then it republishes the whole zone, so the backend equals the store
//! again. An RRset is restored only while it is still exactly as the refused writer left it: a
//! later writer's committed change to it stands (and so does a restore that would put a
//! CNAME beside other data, or other data beside a CNAME, that a later writer put there).

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::{AuditEventId, RecordId, ZoneId};
use crate::ports::store::{NoPublish, PublishOutcome, Publisher, RecordFilter, ZoneWrite};
use crate::record::{Record, RecordName, RecordType};
use crate::service::ScaiDns;
use crate::service::publish::{Publication, zone_spec};
use crate::service::zone_queue::ZoneSlot;
use crate::zone::{SyncState, SyncStatus, Zone, ZoneStatus};

/// How often the rollback is re-planned after another replica committed first.
const MAX_ATTEMPTS: u32 = 100;

/// What a committed change did, to undo it.
#[derive(Debug, Default)]
pub(crate) struct Undo {
    /// The records of the RRsets the change touched, as they were before it.
    pub before: Vec<Record>,
    /// Records the change inserted or replaced, as it wrote them.
    pub written: Vec<Record>,
    /// Records the change deleted.
    pub deleted: Vec<RecordId>,
    /// The change's audit entries (their actor and views are reused for the rollback's).
    pub audit: Vec<AuditEvent>,
}

type RrSetKey = (RecordName, RecordType);

fn key_of(record: &Record) -> RrSetKey {
    (record.name.clone(), record.rtype())
}

/// Same record as far as the zone's data goes (timestamps aside: stores round them).
fn same(a: &Record, b: &Record) -> bool {
    a.id == b.id
        && a.name == b.name
        && a.content == b.content
        && a.ttl == b.ttl
        && a.disabled == b.disabled
}

fn same_set(a: &[&Record], b: &[&Record]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same(x, y)))
}

impl Undo {
    /// Reverts this change in `state` (the zone's records), RRset by RRset, where the RRset is
    /// still as the change left it; adds a `record.rollback` audit entry per record restored.
    fn revert(&self, state: &mut Vec<Record>, audit: &mut Vec<AuditEvent>, zone: &Zone) {
        let mut keys: Vec<RrSetKey> = Vec::new();
        let touched = self
            .written
            .iter()
            .chain(self.before.iter().filter(|r| self.deleted.contains(&r.id)));
        for key in touched.map(key_of) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for key in keys {
            let in_set = |r: &&Record| key_of(r) == key;
            let left: Vec<&Record> = self
                .before
                .iter()
                .filter(in_set)
                .filter(|r| {
                    !self.deleted.contains(&r.id) && !self.written.iter().any(|w| w.id == r.id)
                })
                .chain(self.written.iter().filter(in_set))
                .collect();
            let now: Vec<&Record> = state.iter().filter(in_set).collect();
            if !same_set(&left, &now) {
                continue;
            }
            let restored: Vec<Record> = self.before.iter().filter(in_set).cloned().collect();
            let beside: Vec<RecordType> = state
                .iter()
                .filter(|r| r.name == key.0 && r.rtype() != key.1)
                .map(Record::rtype)
                .collect();
            let cname_clash = !restored.is_empty()
                && !beside.is_empty()
                && (key.1 == RecordType::CNAME || beside.contains(&RecordType::CNAME));
            if cname_clash {
                continue;
            }
            let changed = now
                .iter()
                .filter(|r| !restored.iter().any(|b| same(r, b)))
                .map(|r| r.id)
                .chain(
                    restored
                        .iter()
                        .filter(|b| !now.iter().any(|r| same(r, b)))
                        .map(|b| b.id),
                );
            for id in changed {
                if audit
                    .iter()
                    .any(|a| a.resource_id.as_deref() == Some(&id.to_string()))
                {
                    continue;
                }
                if let Some(original) = self
                    .audit
                    .iter()
                    .find(|a| a.resource_id.as_deref() == Some(&id.to_string()))
                {
                    audit.push(AuditEvent {
                        id: AuditEventId::new(),
                        action: "record.rollback".to_owned(),
                        before: original.after.clone(),
                        after: original.before.clone(),
                        tenant_id: Some(zone.tenant_id),
                        ..original.clone()
                    });
                }
            }
            state.retain(|r| key_of(r) != key);
            state.extend(restored);
        }
    }
}

impl ScaiDns {
    /// Rolls back the changes of `undos` (in commit order) in the zone's turn and republishes
    /// the whole zone (see the module docs).
    pub(crate) async fn roll_back(
        &self,
        slot: &ZoneSlot,
        zone_id: ZoneId,
        undos: Vec<(i64, Undo)>,
    ) -> Result<()> {
        let committed = {
            let _turn = slot.writers.lock().await;
            self.commit_rollback(zone_id, &undos).await?
        };
        match committed {
            Some((zone, records)) => self.republish(slot, &zone, &records).await,
            None => Ok(()),
        }
    }

    /// Commits the inverse changes; returns the zone and its records afterwards (`None`: the
    /// zone is gone).
    async fn commit_rollback(
        &self,
        zone_id: ZoneId,
        undos: &[(i64, Undo)],
    ) -> Result<Option<(Zone, Vec<Record>)>> {
        let filter = RecordFilter {
            include_system: true,
            ..RecordFilter::default()
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(zone) = self
                .store()
                .get_zone(zone_id)
                .await?
                .filter(|z| z.status != ZoneStatus::Deleted)
            else {
                return Ok(None);
            };
            let current = self.store().list_records(zone.id, &filter).await?;
            let mut state = current.clone();
            let mut audit = Vec::new();
            for (_, undo) in undos.iter().rev() {
                undo.revert(&mut state, &mut audit, &zone);
            }
            let now = self.clock().now();
            for entry in &mut audit {
                entry.created_at = now;
            }
            let upsert_records = state
                .iter()
                .filter(|r| !current.iter().any(|c| same(c, r)))
                .cloned()
                .collect();
            let delete_records = current
                .iter()
                .filter(|c| !state.iter().any(|r| r.id == c.id))
                .map(|c| c.id)
                .collect();
            let mut next = zone.clone();
            next.generation = zone.generation + 1;
            next.sync = SyncState {
                status: SyncStatus::Pending,
                error: None,
                last_synced_at: zone.sync.last_synced_at,
            };
            let write = ZoneWrite {
                zone: next,
                expected_generation: Some(zone.generation),
                upsert_records,
                delete_records,
                validations: Vec::new(),
                audit,
            };
            match self.store().write_zone(write, &NoPublish).await {
                Err(e) if e.code() == "generation_mismatch" && attempt < MAX_ATTEMPTS => {}
                Err(e) => return Err(e),
                Ok(stored) => return Ok(Some((stored, state))),
            }
        }
    }

    /// Publishes the rolled-back zone in full, unless a newer generation was claimed, and
    /// records the outcome as its sync state.
    async fn republish(&self, slot: &ZoneSlot, zone: &Zone, records: &[Record]) -> Result<()> {
        if !self
            .store()
            .claim_publication(zone.id, zone.generation)
            .await?
        {
            slot.set_behind(true);
            return Ok(());
        }
        let publication = if zone.is_published() {
            Publication::Full(zone_spec(zone, records))
        } else {
            Publication::Nothing
        };
        let sync = match self.publisher(publication).publish().await {
            Ok(PublishOutcome::Skipped) => return Ok(()),
            Ok(PublishOutcome::Published) => SyncState::synced(self.clock().now()),
            Ok(PublishOutcome::Deferred(message)) => SyncState {
                status: SyncStatus::Pending,
                error: Some(message),
                last_synced_at: zone.sync.last_synced_at,
            },
            // What stays is refused too (a later writer's change): the zone shows the error.
            Err(e) => SyncState {
                status: SyncStatus::Error,
                error: Some(e.message().to_owned()),
                last_synced_at: zone.sync.last_synced_at,
            },
        };
        slot.set_behind(sync.status != SyncStatus::InSync);
        self.store()
            .set_sync_state_at(zone.id, zone.generation, &sync)
            .await
            .map(drop)
    }
}
