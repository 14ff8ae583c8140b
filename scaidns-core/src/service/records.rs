//! Record management inside a zone (spec §5). Every change goes through the zone rules
//! ([`check_change`]) at the names it touches in the zone's resulting record set, is written
//! with the zone's generation and its audit entries, and is published as RRset changes when the
//! zone is served.

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RecordId, ZoneId};
use crate::ports::store::{RecordFilter, ZoneWrite};
use crate::rbac::{Permission, Target};
use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use crate::service::publish::Publication;
use crate::service::zone_change::Planned;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::change_set::{RrSetDelta, change_set};
use crate::zone::precondition::IfMatch;
use crate::zone::rules::{self, ChangeSet, MergedChangeSet, NewRecord, check_change};

pub use super::record_listing::RecordListing;

/// Input of `record_create`.
#[derive(Debug, Clone, Default)]
pub struct RecordCreate {
    /// Owner name: `@`, relative, or absolute inside the zone.
    pub name: String,
    /// Type mnemonic.
    pub rtype: String,
    /// Content in presentation form (lenient).
    pub content: String,
    /// TTL; defaults to the RRset's current TTL, else the zone's default.
    pub ttl: Option<i64>,
    /// Kept but not served.
    pub disabled: Option<bool>,
}

/// Input of `record_update`; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct RecordUpdate {
    /// New content.
    pub content: Option<String>,
    /// New TTL (applies to the whole RRset).
    pub ttl: Option<i64>,
    /// New disabled flag.
    pub disabled: Option<bool>,
}

/// What a record change wrote.
#[derive(Debug, Clone)]
pub struct AppliedChange {
    /// The zone after the change.
    pub zone: Zone,
    /// The merge plan (created ids, duplicates merged away).
    pub plan: MergedChangeSet,
    /// Inserted and updated records as stored.
    pub written: Vec<Record>,
}

impl AppliedChange {
    fn record(&self, id: RecordId) -> Result<Record> {
        self.written
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| Error::internal("planned record missing"))
    }
}

impl ScaiDns {
    /// The record types a zone may hold (no authentication needed).
    pub fn record_type_list(&self) -> &'static [RecordType] {
        RecordType::ALL
    }

    /// One record.
    pub async fn record_get(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: RecordId,
    ) -> Result<(Zone, Record)> {
        ctx.require(Permission::RECORDS_READ)?;
        let zone = self
            .authorized_zone(ctx, Permission::RECORDS_READ, zone_id, false)
            .await?;
        let record = if zone.is_secondary() {
            // The primary's records, read from the backend like the record list, by the id the
            // list derived for them.
            let filter = RecordFilter {
                include_system: true,
                ..RecordFilter::default()
            };
            self.secondary_records(&zone, &filter)
                .await?
                .into_iter()
                .find(|r| r.id == id)
        } else {
            self.store().get_record(zone.id, id).await?
        }
        .ok_or_else(record_not_found)?;
        // A record outside the caller's grants is as unknown as in the record list.
        self.authorize_record(
            ctx,
            Permission::RECORDS_READ,
            &zone,
            &record.name,
            record.rtype(),
        )
        .await
        .map_err(|_| record_not_found())?;
        Ok((zone, record))
    }

    /// Adds a record.
    pub async fn record_create(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: RecordCreate,
        if_match: &IfMatch,
    ) -> Result<(Zone, Record)> {
        ctx.require(Permission::RECORDS_CREATE)?;
        let zone = self
            .writable_zone_for_change(ctx, Permission::RECORDS_CREATE, zone_id)
            .await?;
        let rtype: RecordType = input.rtype.parse()?;
        let name = RecordName::parse(&input.name, &zone.name)?;
        self.authorize_record(ctx, Permission::RECORDS_CREATE, &zone, &name, rtype)
            .await?;
        self.authorize_delegation(ctx, Permission::RECORDS_CREATE, &zone, &name, rtype)
            .await?;
        let mut change = change_for_turn(&zone);
        change.creates.push(NewRecord {
            name,
            content: RecordContent::parse(rtype, &input.content, &zone.name)?,
            ttl: self.record_ttl(input.ttl)?,
            disabled: input.disabled.unwrap_or(false),
        });
        let applied = self
            .apply_record_change(ctx, &zone, change, if_match)
            .await?;
        let id = applied
            .plan
            .creates
            .first()
            .map(|c| c.id)
            .ok_or_else(|| Error::internal("nothing planned"))?;
        Ok((applied.zone.clone(), applied.record(id)?))
    }

    /// Changes a record's content, TTL (for its whole RRset) or disabled flag.
    pub async fn record_update(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: RecordId,
        input: RecordUpdate,
        if_match: &IfMatch,
    ) -> Result<(Zone, Record)> {
        ctx.require(Permission::RECORDS_UPDATE)?;
        let zone = self
            .writable_zone_for_change(ctx, Permission::RECORDS_UPDATE, zone_id)
            .await?;
        let current = self.record_for(ctx, &zone, id).await?;
        self.authorize_record(
            ctx,
            Permission::RECORDS_UPDATE,
            &zone,
            &current.name,
            current.rtype(),
        )
        .await?;
        self.authorize_delegation(
            ctx,
            Permission::RECORDS_UPDATE,
            &zone,
            &current.name,
            current.rtype(),
        )
        .await?;
        let content = input
            .content
            .map(|c| RecordContent::parse(current.rtype(), &c, &zone.name))
            .transpose()?;
        let mut change = change_for_turn(&zone);
        change.updates.push(rules::RecordUpdate {
            id,
            content,
            ttl: self.record_ttl(input.ttl)?,
            disabled: input.disabled,
        });
        let applied = self
            .apply_record_change(ctx, &zone, change, if_match)
            .await?;
        let record = applied.record(id).unwrap_or(current);
        Ok((applied.zone, record))
    }

    /// Deletes a record (immediately and permanently).
    pub async fn record_delete(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: RecordId,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        ctx.require(Permission::RECORDS_DELETE)?;
        let zone = self
            .writable_zone_for_change(ctx, Permission::RECORDS_DELETE, zone_id)
            .await?;
        let current = self.record_for(ctx, &zone, id).await?;
        self.authorize_record(
            ctx,
            Permission::RECORDS_DELETE,
            &zone,
            &current.name,
            current.rtype(),
        )
        .await?;
        let mut change = change_for_turn(&zone);
        change.deletes.push(id);
        // The zone afterwards: its sync state tells the caller whether the delete is published.
        self.apply_record_change(ctx, &zone, change, if_match)
            .await
            .map(|applied| applied.zone)
    }

    /// Plans `change` against the zone's records as they stand in its turn (see
    /// `zone_change`), then writes it with one audit entry per created, updated and deleted
    /// record, and publishes it when the zone is served. `change.default_ttl` is ignored: the
    /// turn sets the zone's as it reads it (see [`change_for_turn`]).
    pub(crate) async fn apply_record_change(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        change: ChangeSet,
        if_match: &IfMatch,
    ) -> Result<AppliedChange> {
        let (zone, (plan, written)) = self
            .change_records(ctx, zone.id, if_match, |zone| {
                // A new RRset's TTL follows the zone as it stands in the turn, not as the
                // caller's (possibly cached) read of it found it.
                let change = ChangeSet {
                    default_ttl: zone.default_ttl,
                    ..change.clone()
                };
                async move { self.plan_record_change(ctx, zone, &change).await }
            })
            .await?;
        Ok(AppliedChange {
            zone,
            plan,
            written,
        })
    }

    pub(crate) async fn plan_record_change(
        &self,
        ctx: &OpContext,
        zone: Zone,
        change: &ChangeSet,
    ) -> Result<Planned<(MergedChangeSet, Vec<Record>)>> {
        let set = self.records_for_change(&zone).await?;
        let existing = set.records();
        let plan = match check_change(&zone.name, existing, change) {
            Ok(plan) => plan,
            Err(v) => {
                return Err(self
                    .readable_conflicts(ctx, &zone, existing, v.into())
                    .await?);
            }
        };
        Ok(self.planned_record_write(ctx, &zone, existing, plan))
    }

    /// The write of a checked `plan` made from `existing`: the upserts and deletes, one audit
    /// entry per record, one generation step, and the RRset changes to publish.
    pub(crate) fn planned_record_write(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        existing: &[Record],
        plan: MergedChangeSet,
    ) -> Planned<(MergedChangeSet, Vec<Record>)> {
        let written = plan.upserts(zone.id, ctx.now);
        if plan.is_empty() {
            return Planned {
                change: None,
                output: (plan, written),
                records_after: None,
            };
        }
        // The records as they were, for the audit entries: only those the plan updates or
        // deletes are looked up (created ids are new).
        let by_id = rules::records_with_ids(
            existing,
            plan.updates
                .iter()
                .map(|r| r.id)
                .chain(plan.deletes.iter().copied()),
        );
        let find = |id: RecordId| by_id.get(&id).copied();
        let mut audit = Vec::new();
        for record in &written {
            let before = find(record.id);
            let action = if before.is_some() {
                "record.update"
            } else {
                "record.create"
            };
            audit.push(ctx.audit(
                zone.tenant_id,
                action,
                "record",
                record.id,
                Some(record.name.to_string()),
                before.map(|b| record_audit_view(zone, b)),
                Some(record_audit_view(zone, record)),
            ));
        }
        for before in plan.deletes.iter().filter_map(|id| find(*id)) {
            audit.push(ctx.audit(
                zone.tenant_id,
                "record.delete",
                "record",
                before.id,
                Some(before.name.to_string()),
                Some(record_audit_view(zone, before)),
                None,
            ));
        }

        // The step's RRsets before and after, kept as its history entry; what is published is
        // derived from them. The plan holds the RRsets at the names it touches only: no other
        // RRset changes, so the zone's are not grouped.
        let changes = change_set(&plan.rrsets_before, &plan.rrsets_after);
        let publication = if zone.is_published() {
            // Whether the backend holds the state these changes start from is decided when
            // they are published (see `zone_change`). Deletions first, as PowerDNS is sent
            // them.
            let (removed, replaced): (Vec<&RrSetDelta>, Vec<&RrSetDelta>) =
                changes.iter().partition(|d| d.after.is_none());
            Publication::Changes {
                zone: zone.name.clone(),
                changes: removed
                    .into_iter()
                    .chain(replaced)
                    .map(RrSetDelta::forward)
                    .collect(),
            }
        } else {
            Publication::Nothing
        };
        // The zone's records once this commits (the untouched ones and what is written), for
        // the record cache; not built for a zone too large to be kept there.
        let after = (existing.len() + plan.creates.len()).saturating_sub(plan.deletes.len());
        let records_after = self.record_cache.keeps(after).then(|| {
            let replaced: std::collections::HashSet<RecordId> = plan
                .deletes
                .iter()
                .copied()
                .chain(written.iter().map(|r| r.id))
                .collect();
            existing
                .iter()
                .filter(|r| !replaced.contains(&r.id))
                .cloned()
                .chain(written.iter().map(as_stored))
                .collect()
        });
        let mut next = zone.clone();
        next.generation = zone.generation + 1;
        // `upserts` lists the creates first: their fresh ids go in as new records, without the
        // delete an update's replace needs.
        let (created, updated) = written.split_at(plan.creates.len());
        let write = ZoneWrite {
            zone: next,
            expected_generation: Some(zone.generation),
            new_records: created.to_vec(),
            upsert_records: updated.to_vec(),
            delete_records: plan.deletes.clone(),
            validations: Vec::new(),
            audit,
            changes,
            comments: Vec::new(),
        };
        Planned {
            change: Some((write, publication)),
            output: (plan, written),
            records_after,
        }
    }

    /// Authorizes `permission` on one record (name and type) of `zone`.
    pub(crate) async fn authorize_record(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone: &Zone,
        name: &RecordName,
        rtype: RecordType,
    ) -> Result<()> {
        let relative = name.relative_to(&zone.name);
        self.authorize(ctx, permission, record_target(zone, &relative, rtype))
            .await
    }

    /// An `NS` below the apex or a `DNAME` hands every name beneath it to whoever it points
    /// at: writing one needs `permission` over the name and its whole subtree, of every type.
    pub async fn authorize_delegation(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone: &Zone,
        name: &RecordName,
        rtype: RecordType,
    ) -> Result<()> {
        let delegates = match rtype {
            RecordType::DNAME => true,
            RecordType::NS => !name.is_apex(&zone.name),
            _ => false,
        };
        if !delegates {
            return Ok(());
        }
        let relative = name.relative_to(&zone.name);
        let target = Target::Subtree {
            zone: zone.id,
            tenant: zone.tenant_id,
            name: &relative,
        };
        if self.is_allowed(ctx, permission, target).await? {
            return Ok(());
        }
        Err(Error::forbidden(
            "permission_denied",
            format!(
                "a {rtype} record at '{relative}' delegates every name beneath it: it needs {permission} over '{relative}' and everything beneath, of every type"
            ),
        ))
    }

    /// Refuses (403) an operation that acts on every record of `zone` at once (import in
    /// `replace` mode, template apply) unless `permission` reaches every record: a caller
    /// whose access is limited to some records by its grants may not run it.
    pub async fn authorize_every_record(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone: &Zone,
    ) -> Result<()> {
        if self
            .principal(ctx)
            .await?
            .record_view(permission, zone.id, zone.tenant_id)
            .is_whole()
        {
            return Ok(());
        }
        Err(Error::forbidden(
            "permission_denied",
            format!(
                "this acts on every record of the domain: it needs {permission} over the whole domain"
            ),
        ))
    }

    /// A record of `zone` the caller may read (404 otherwise, as in the record list).
    async fn record_for(&self, ctx: &OpContext, zone: &Zone, id: RecordId) -> Result<Record> {
        let record = self
            .store()
            .get_record(zone.id, id)
            .await?
            .ok_or_else(record_not_found)?;
        self.authorize_record(
            ctx,
            Permission::RECORDS_READ,
            zone,
            &record.name,
            record.rtype(),
        )
        .await
        .map_err(|_| record_not_found())?;
        Ok(record)
    }

    /// A zone whose records the caller may change with `permission` (on some records at least).
    pub(crate) async fn writable_zone(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone_id: ZoneId,
    ) -> Result<Zone> {
        let zone = self
            .authorized_zone(ctx, permission, zone_id, false)
            .await?;
        writable(zone)
    }

    /// [`Self::writable_zone`] from the zone cache, for a change planned in the zone's writers'
    /// turn (`zone_change`), which takes the zone again (the store's, or a cached row only under
    /// that turn's rules): the row read here only decides whether the caller may write and how
    /// its input reads (its tenant, name and type, which never change), and the answer comes
    /// from the turn's.
    pub(crate) async fn writable_zone_for_change(
        &self,
        ctx: &OpContext,
        permission: Permission,
        zone_id: ZoneId,
    ) -> Result<Zone> {
        let zone = self
            .authorized_zone_cached(ctx, permission, zone_id)
            .await?;
        writable(Zone::clone(&zone))
    }

    pub(crate) fn record_ttl(&self, ttl: Option<i64>) -> Result<Option<Ttl>> {
        ttl.map(|t| self.settings().ttl_policy.check(t, "ttl"))
            .transpose()
    }
}

/// An empty change for [`ScaiDns::apply_record_change`]. `zone` is the caller's read of the
/// zone before its turn, possibly the zone cache's (`writable_zone_for_change`) and so possibly
/// stale: its default TTL only fills the field, which the turn replaces with the zone's as it
/// reads it. Nothing may rely on this change's `default_ttl` before then.
fn change_for_turn(zone: &Zone) -> ChangeSet {
    ChangeSet::new(zone.default_ttl)
}

/// `record` as the store keeps it: timestamps to the microsecond, as every engine stores them,
/// so a set computed after a commit equals the one read back.
fn as_stored(record: &Record) -> Record {
    use chrono::SubsecRound;
    Record {
        created_at: record.created_at.trunc_subsecs(6),
        updated_at: record.updated_at.trunc_subsecs(6),
        ..record.clone()
    }
}

/// `zone` unless its records are read-only (a secondary's come from its primary).
fn writable(zone: Zone) -> Result<Zone> {
    if zone.is_secondary() {
        return Err(Error::conflict(
            "zone_is_secondary",
            "the records of a secondary zone come from its primary: change them there",
        ));
    }
    Ok(zone)
}

/// The target of an operation on one record (`name` relative to the zone).
pub fn record_target<'a>(zone: &Zone, name: &'a str, rtype: RecordType) -> Target<'a> {
    Target::Record {
        zone: zone.id,
        tenant: zone.tenant_id,
        name,
        rtype,
    }
}

pub(crate) fn record_not_found() -> Error {
    Error::new(ErrorKind::NotFound, "record_not_found", "Record not found")
}

/// The record as audit entries show it.
pub(crate) fn record_audit_view(zone: &Zone, record: &Record) -> serde_json::Value {
    json!({
        "id": record.id.to_string(),
        "domain_id": zone.id.to_string(),
        "name": record.name.as_str(),
        "type": record.rtype().as_str(),
        "content": record.content.as_str(),
        "ttl": record.ttl.seconds(),
        "disabled": record.disabled,
    })
}
