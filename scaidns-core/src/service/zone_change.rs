//! Every change of an existing zone is planned under the zone's lock
//! ([`ZoneStore::change_zone`]): concurrent writers of one zone queue on its row, in this
//! process and across replicas, and each plans on the state the previous one committed. So a
//! write is refused for a concurrent change only when it asked to be, with `If-Match`
//! ([`IfMatch`], 412); otherwise it sees and respects that change (a record another writer
//! just created is a 409 `record_exists`, as if the two had come one after the other).
//!
//! [`ZoneStore::change_zone`]: crate::ports::store::ZoneStore::change_zone

use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::ownership::Validation;
use crate::ports::store::{LockedZone, ZonePlan, ZonePlanner, ZoneWrite};
use crate::service::ScaiDns;
use crate::service::publish::Publication;
use crate::zone::claims::OverlapPolicy;
use crate::zone::precondition::IfMatch;
use crate::zone::{Zone, ZoneStatus};

/// What a planner decided, with what it hands back to its caller.
pub(crate) enum Planned<T> {
    /// Nothing to write.
    Unchanged(T),
    /// Write and publish this.
    Write {
        write: ZoneWrite,
        overlap: OverlapPolicy,
        publication: Publication,
        output: T,
    },
}

/// A zone row change: the row after, the validations it writes, its audit entries and what to
/// publish.
pub(crate) struct RowChange {
    pub zone: Zone,
    pub validations: Vec<Validation>,
    pub audit: Vec<AuditEvent>,
    pub publication: Publication,
}

impl RowChange {
    /// The zone unchanged, with these validations and audit entries, publishing nothing.
    pub(crate) fn bookkeeping(
        zone: Zone,
        validations: Vec<Validation>,
        audit: Vec<AuditEvent>,
    ) -> Self {
        Self {
            zone,
            validations,
            audit,
            publication: Publication::Nothing,
        }
    }
}

/// The write that takes `current` (as locked) to `next` one generation later.
pub(crate) fn step(current: &Zone, mut next: Zone) -> ZoneWrite {
    next.generation = current.generation + 1;
    ZoneWrite {
        zone: next,
        expected_generation: Some(current.generation),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: Vec::new(),
    }
}

/// 404 when the locked zone was soft-deleted meanwhile: it is as unknown to a write as to
/// [`ScaiDns::authorized_zone`] without `include_deleted`.
pub(crate) fn not_deleted(zone: &Zone) -> Result<()> {
    if zone.status == ZoneStatus::Deleted {
        return Err(Error::not_found("Domain not found"));
    }
    Ok(())
}

impl ScaiDns {
    /// Checks `if_match`, then runs `plan` on the zone as it stands under its lock (with its
    /// records when `with_records`) and writes what it decides in the same transaction.
    pub(crate) async fn change_zone<T: Send>(
        &self,
        zone_id: ZoneId,
        if_match: &IfMatch,
        with_records: bool,
        plan: impl FnOnce(LockedZone) -> Result<Planned<T>> + Send,
    ) -> Result<(Zone, T)> {
        let mut output = None;
        let slot = &mut output;
        let planner: ZonePlanner<'_> = Box::new(move |locked: LockedZone| {
            if_match.check(locked.zone.generation)?;
            Ok(match plan(locked)? {
                Planned::Unchanged(out) => {
                    *slot = Some(out);
                    ZonePlan::Unchanged
                }
                Planned::Write {
                    write,
                    overlap,
                    publication,
                    output,
                } => {
                    *slot = Some(output);
                    ZonePlan::Write {
                        write,
                        overlap,
                        publisher: Box::new(self.publisher(publication)),
                    }
                }
            })
        });
        let zone = self
            .store()
            .change_zone(zone_id, with_records, planner)
            .await?;
        let output = output.ok_or_else(|| Error::internal("the zone planner did not run"))?;
        Ok((zone, output))
    }

    /// Changes a zone's row (not its records): `change` maps the zone as locked to the
    /// [`RowChange`] to write, or `None` when there is nothing to do.
    pub(crate) async fn change_zone_row(
        &self,
        zone_id: ZoneId,
        if_match: &IfMatch,
        overlap: OverlapPolicy,
        with_records: bool,
        change: impl FnOnce(&Zone, &[crate::record::Record]) -> Result<Option<RowChange>> + Send,
    ) -> Result<Zone> {
        let (zone, ()) = self
            .change_zone(zone_id, if_match, with_records, |locked| {
                let Some(row) = change(&locked.zone, &locked.records)? else {
                    return Ok(Planned::Unchanged(()));
                };
                let mut write = step(&locked.zone, row.zone);
                write.validations = row.validations;
                write.audit = row.audit;
                Ok(Planned::Write {
                    write,
                    overlap,
                    publication: row.publication,
                    output: (),
                })
            })
            .await?;
        Ok(zone)
    }
}
