//! Dry runs (issue 14 item 3): a write run as a plan, which changes nothing anywhere.
//!
//! A plan is the real operation, called with a planning context ([`OpContext::planning`]): the
//! same authorisation, parsing, rules and planner run, and each write path stops where it would
//! commit. Its stop point hands the [`ZoneWrite`] it was about to commit to the context's
//! [`PlanRecorder`] and goes on as if it had committed (returning the zone as it would be), so an
//! operation that changes two zones (an A record and its auto-PTR) plans both. Nothing is
//! written to the store, the backend, the audit log or the caches at a stop point: the zone
//! change path (`zone_change`) stops before `write_zone`, and the paths with their own
//! transaction (zone create, delete, purge, DNSSEC enable and disable) stop before theirs.
//! A path that acts after its commit on what the commit stored (a template given at zone
//! creation, applied once the zone is active) is not planned beyond the stop.
//!
//! [`ScaiDns::plan_report`] then reads each touched zone's records as they stand and tells
//! the change at RRset level (the shared [`change_set`](crate::zone::change_set) shape), with the audit entries and
//! validation challenges the writes carry. A zone-history restore becomes plannable by being
//! one more `change_zone` caller: nothing here needs to know it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::{RecordId, ZoneId};
use crate::name::ZoneName;
use crate::ownership::Validation;
use crate::ports::store::ZoneWrite;
use crate::rbac::Permission;
use crate::record::Record;
use crate::service::record_listing::covered;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::change_set::{RrSetDelta, change_set_of_records};

/// Where the stop points of a planned operation leave the writes they did not commit.
#[derive(Debug, Clone, Default)]
pub struct PlanRecorder(Arc<Mutex<Vec<PlannedWrite>>>);

/// One write a plan stopped before.
#[derive(Debug, Clone)]
pub struct PlannedWrite {
    /// The zone as it stood (`None`: the write creates it).
    pub before: Option<Zone>,
    /// What would have been committed.
    pub write: ZoneWrite,
    /// The write removes the zone for good (hard delete).
    pub purges: bool,
}

impl PlanRecorder {
    pub(crate) fn record(&self, before: Option<Zone>, write: ZoneWrite, purges: bool) {
        if let Ok(mut writes) = self.0.lock() {
            writes.push(PlannedWrite {
                before,
                write,
                purges,
            });
        }
    }

    fn take(&self) -> Vec<PlannedWrite> {
        self.0
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }
}

impl OpContext {
    /// This context for a plan of the operation it is given to, and where the plan's writes
    /// land (read them with [`ScaiDns::plan_report`]).
    pub fn planning(&self) -> (OpContext, PlanRecorder) {
        let recorder = PlanRecorder::default();
        let ctx = OpContext {
            plan: Some(recorder.clone()),
            ..self.clone()
        };
        (ctx, recorder)
    }

    /// The recorder when this request only plans: a write path's stop point.
    pub(crate) fn planning_into(&self) -> Option<&PlanRecorder> {
        self.plan.as_ref()
    }
}

/// What a planned operation would do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Each zone the operation would change, in the order of its writes (an error after a
    /// write leaves that write standing, as in the real call).
    pub zones: Vec<ZonePlan>,
    /// The audit entries the writes would add, in order.
    pub audit: Vec<AuditEvent>,
    /// The ownership-validation challenges the writes would open or change.
    pub validations: Vec<Validation>,
}

/// One zone's planned change.
#[derive(Debug, Clone)]
pub struct ZonePlan {
    /// The zone.
    pub zone_id: ZoneId,
    /// Its name.
    pub zone_name: ZoneName,
    /// The zone before (`None`: created by the operation).
    pub before: Option<Zone>,
    /// The zone after (`None`: removed for good).
    pub after: Option<Zone>,
    /// The RRsets that change.
    pub rrsets: Vec<RrSetDelta>,
}

impl ScaiDns {
    /// The plan of an operation run with a context from [`OpContext::planning`], from what its
    /// stop points recorded. Reads the touched zones; writes nothing. Each zone's RRsets are
    /// the ones `ctx` may read there (a record-limited grantee's plan shows only its records,
    /// as its record list does), so a plan tells nothing the caller could not read.
    pub async fn plan_report(&self, ctx: &OpContext, recorder: &PlanRecorder) -> Result<Plan> {
        let principal = self.principal(ctx).await?;
        let mut zones: Vec<ZonePlan> = Vec::new();
        let mut audit = Vec::new();
        let mut validations = Vec::new();
        // Records as planned so far, per zone: a second write of the same zone in one
        // operation starts from the first one's result.
        let mut current: HashMap<ZoneId, Vec<Record>> = HashMap::new();
        for planned in recorder.take() {
            let PlannedWrite {
                before,
                write,
                purges,
            } = planned;
            let id = write.zone.id;
            let records_before = match current.remove(&id) {
                Some(records) => records,
                None => match &before {
                    Some(zone) => self.zone_records(zone).await?,
                    None => Vec::new(),
                },
            };
            let records_after = if purges {
                Vec::new()
            } else {
                apply(
                    &records_before,
                    write.written_records(),
                    &write.delete_records,
                )
            };
            let view = principal.record_view(
                Permission::RECORDS_READ,
                write.zone.id,
                write.zone.tenant_id,
            );
            let readable = |records: &[Record]| covered(&view, &write.zone, records);
            let (readable_before, readable_after) =
                (readable(&records_before), readable(&records_after));
            let rrsets = change_set_of_records(&readable_before, &readable_after);
            // A record the caller may change but not read (a key scoped to `records:update`)
            // keeps its old content to itself, as the real call's answer does.
            let unreadable = |event: &AuditEvent| {
                event.resource_type == "record"
                    && !readable_before
                        .iter()
                        .chain(&readable_after)
                        .any(|r| event.resource_id.as_deref() == Some(r.id.to_string().as_str()))
            };
            audit.extend(write.audit.into_iter().map(|mut event| {
                if unreadable(&event) {
                    event.before = None;
                }
                event
            }));
            current.insert(id, records_after);
            validations.extend(write.validations);
            let after = (!purges).then_some(write.zone);
            match zones.iter_mut().find(|z| z.zone_id == id) {
                Some(existing) => {
                    existing.rrsets =
                        crate::zone::change_set::compose([&existing.rrsets[..], &rrsets[..]]);
                    existing.after = after;
                }
                None => zones.push(ZonePlan {
                    zone_id: id,
                    zone_name: before
                        .as_ref()
                        .or(after.as_ref())
                        .map(|z| z.name.clone())
                        .ok_or_else(|| Error::internal("a planned write without a zone"))?,
                    before,
                    after,
                    rrsets,
                }),
            }
        }
        Ok(Plan {
            zones,
            audit,
            validations,
        })
    }
}

/// `records` with `deletes` removed and `upserts` put in (by id).
fn apply<'a>(
    records: &'a [Record],
    upserts: impl Iterator<Item = &'a Record> + Clone,
    deletes: &[RecordId],
) -> Vec<Record> {
    let replaced: std::collections::HashSet<RecordId> = deletes
        .iter()
        .copied()
        .chain(upserts.clone().map(|r| r.id))
        .collect();
    records
        .iter()
        .filter(|r| !replaced.contains(&r.id))
        .chain(upserts)
        .cloned()
        .collect()
}
