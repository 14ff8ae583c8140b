//! Many record changes in one request (spec §6, issue 9 item 3): creates, updates and deletes
//! written as one change set, so one store transaction, one PowerDNS PATCH and one generation
//! step, with an audit entry per record plus one for the batch.
//!
//! Every bad item is found before anything is decided: each item is parsed and authorised like
//! the single change it stands for, then the zone rules run on the combined plan of the items
//! that passed ([`settle_change`]), so a clash between two items of the batch is found too. All
//! or nothing unless the caller asks to `continue_on_error`: then the items that passed apply
//! and the others are reported.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RecordId, ZoneId};
use crate::ports::store::ZoneWrite;
use crate::rbac::Permission;
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::publish::Publication;
use crate::service::record_conflicts::ReadableConflicts;
use crate::service::records::{RecordCreate, RecordUpdate, record_not_found};
use crate::service::rrset_changes::CommentChanges;
use crate::service::zone_change::Planned;
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::precondition::IfMatch;
use crate::zone::rules::{self, ChangeRef, ChangeSet, NewRecord, OnDuplicate, settle_change};

/// A bulk request.
#[derive(Debug, Clone, Default)]
pub struct BulkRequest {
    /// Records to create.
    pub creates: Vec<RecordCreate>,
    /// Records to change.
    pub updates: Vec<BulkUpdate>,
    /// Ids of records to delete.
    pub deletes: Vec<String>,
    /// Apply the items that pass and report the others (false: all or nothing).
    pub continue_on_error: bool,
}

impl BulkRequest {
    /// Items in the three lists together.
    pub fn item_count(&self) -> usize {
        self.creates.len() + self.updates.len() + self.deletes.len()
    }
}

/// One update of a bulk request.
#[derive(Debug, Clone, Default)]
pub struct BulkUpdate {
    /// The record's id (as sent: a malformed one is that item's `record_not_found`).
    pub id: String,
    /// What to change.
    pub change: RecordUpdate,
}

/// Which list of the request an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BulkList {
    /// `records` (creates).
    Create,
    /// `update`.
    Update,
    /// `delete`.
    Delete,
}

impl BulkList {
    /// The name the API gives the list's items.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// An item that was refused, and why.
#[derive(Debug, Clone)]
pub struct BulkFailure {
    /// Its list.
    pub list: BulkList,
    /// Its index in that list.
    pub index: usize,
    /// Why (code, message, field, kind).
    pub error: Error,
}

/// A create identical to a record already there (or to an earlier create): merged, not
/// added twice (interface decision 11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDuplicate {
    /// Index in `creates`.
    pub index: usize,
    /// The record it matched; `None` when it matched an earlier create of the batch.
    pub existing: Option<RecordId>,
}

/// What an applied bulk request did.
#[derive(Debug, Clone)]
pub struct BulkApplied {
    /// The zone afterwards.
    pub zone: Zone,
    /// Created records, in request order.
    pub created: Vec<Record>,
    /// Changed records (with siblings whose TTL followed an RRset TTL change).
    pub updated: Vec<Record>,
    /// Records deleted.
    pub deleted: usize,
    /// Creates merged into an existing record or an earlier create.
    pub duplicates: Vec<BulkDuplicate>,
    /// Items refused (only with `continue_on_error`).
    pub failures: Vec<BulkFailure>,
}

/// The answer to a bulk request.
#[derive(Debug, Clone)]
pub enum BulkOutcome {
    /// Applied (in full, or the items that passed with `continue_on_error`).
    Applied(Box<BulkApplied>),
    /// Nothing applied: every refused item, ordered by list and index.
    Rejected(Vec<BulkFailure>),
    /// Nothing applied: checking stopped at its bound (`rules::settle`'s `MAX_REFUSED` or
    /// `MAX_WORK`), so these are some of the refused items, not all of them.
    Incomplete(Vec<BulkFailure>),
}

/// The request's items that passed parsing and authorisation, as a change set, and where each
/// came from.
struct Prepared {
    change: ChangeSet,
    creates: Vec<usize>,
    updates: Vec<usize>,
    deletes: Vec<usize>,
    failures: Vec<BulkFailure>,
}

impl Prepared {
    fn origin(&self, at: ChangeRef) -> Result<(BulkList, usize)> {
        let found = match at {
            ChangeRef::Create(i) => self.creates.get(i).map(|o| (BulkList::Create, *o)),
            ChangeRef::Update(i) => self.updates.get(i).map(|o| (BulkList::Update, *o)),
            ChangeRef::Delete(i) => self.deletes.get(i).map(|o| (BulkList::Delete, *o)),
        };
        found.ok_or_else(|| Error::internal("bulk item index out of range"))
    }

    /// Records `error` against an item, or hands it back when it is not the item's fault (a
    /// store outage while authorising fails the whole request).
    fn fail(&mut self, list: BulkList, index: usize, error: Error) -> Result<()> {
        match error.kind() {
            ErrorKind::InvalidInput
            | ErrorKind::BadQuery
            | ErrorKind::Forbidden
            | ErrorKind::NotFound
            | ErrorKind::Conflict => {
                self.failures.push(BulkFailure { list, index, error });
                Ok(())
            }
            _ => Err(error),
        }
    }
}

impl ScaiDns {
    /// Applies a bulk request to a zone (see the module docs). Refuses the whole request (422)
    /// when it has no item; the caller bounds the item count.
    pub async fn record_bulk(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        request: BulkRequest,
        if_match: &IfMatch,
    ) -> Result<BulkOutcome> {
        self.record_bulk_noting(
            ctx,
            zone_id,
            request,
            if_match,
            None,
            CommentChanges::default(),
        )
        .await
    }

    /// [`Self::record_bulk`] with one more audit entry, `also`, for the operation the change
    /// set serves (`template.apply`), written in the same transaction; its `after` gains the
    /// batch's summary under `result`. `comments` (already authorised and checked by the
    /// caller, `rrset_changes`) are written in the same step; with them the request may have
    /// no item, and the step then changes only comments (nothing is published).
    pub(crate) async fn record_bulk_noting(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        request: BulkRequest,
        if_match: &IfMatch,
        also: Option<AuditEvent>,
        comments: CommentChanges,
    ) -> Result<BulkOutcome> {
        if request.item_count() == 0 && comments.sets.is_empty() {
            return Err(Error::invalid(
                "records",
                "the request changes nothing: give at least one record to create, update or delete",
            ));
        }
        let needed: Vec<Permission> = [
            (!request.creates.is_empty(), Permission::RECORDS_CREATE),
            (!request.updates.is_empty(), Permission::RECORDS_UPDATE),
            (!request.deletes.is_empty(), Permission::RECORDS_DELETE),
            // Comments only: the caller authorised each RRset's update.
            (request.item_count() == 0, Permission::RECORDS_UPDATE),
        ]
        .into_iter()
        .filter_map(|(used, p)| used.then_some(p))
        .collect();
        for permission in &needed {
            ctx.require(*permission)?;
        }
        let mut zone = None;
        for permission in &needed {
            zone = Some(
                self.writable_zone_for_change(ctx, *permission, zone_id)
                    .await?,
            );
        }
        let zone = zone.ok_or_else(|| Error::internal("no permission needed"))?;
        let (zone, outcome) = self
            .change_records(ctx, zone.id, if_match, |zone| {
                self.plan_bulk(ctx, zone, &request, also.as_ref(), &comments)
            })
            .await?;
        Ok(match outcome {
            BulkOutcome::Applied(applied) => {
                BulkOutcome::Applied(Box::new(BulkApplied { zone, ..*applied }))
            }
            rejected => rejected,
        })
    }

    async fn plan_bulk(
        &self,
        ctx: &OpContext,
        zone: Zone,
        request: &BulkRequest,
        also: Option<&AuditEvent>,
        comments: &CommentChanges,
    ) -> Result<Planned<BulkOutcome>> {
        if request.item_count() == 0 {
            return Ok(comments_only(zone, comments));
        }
        let set = self.records_for_change(&zone).await?;
        let existing = set.records();
        let mut prepared = self.prepare_bulk(ctx, &zone, existing, request).await?;
        let settled = match settle_change(&zone.name, existing, &prepared.change) {
            Ok(settled) => settled,
            Err(v) => {
                return Err(self
                    .readable_conflicts(ctx, &zone, existing, v.into())
                    .await?);
            }
        };
        // Refusals name only the records in the way that the caller may read.
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        let readable = ReadableConflicts::new(&zone, existing);
        for (at, violation) in settled.refused {
            let (list, index) = prepared.origin(at)?;
            prepared.fail(list, index, readable.filter(&view, violation.into()))?;
        }
        let mut failures = std::mem::take(&mut prepared.failures);
        failures.sort_by_key(|f| (f.list, f.index));
        let plan = match settled.plan {
            Some(plan) if failures.is_empty() || request.continue_on_error => plan,
            Some(_) => {
                return Ok(Planned {
                    change: None,
                    output: BulkOutcome::Rejected(failures),
                    records_after: None,
                });
            }
            // Checking stopped at its bound: refused whole, even with `continue_on_error`.
            None => {
                return Ok(Planned {
                    change: None,
                    output: BulkOutcome::Incomplete(failures),
                    records_after: None,
                });
            }
        };
        let mut duplicates = Vec::new();
        for d in &plan.duplicates {
            let (_, index) = prepared.origin(d.at)?;
            duplicates.push(BulkDuplicate {
                index,
                existing: d.existing,
            });
        }
        let created_ids: Vec<RecordId> = plan.creates.iter().map(|c| c.id).collect();
        let deleted = plan.deletes.len();
        let summary = json!({
            "created": created_ids.len(),
            "updated": plan.updates.len(),
            "deleted": deleted,
            "duplicates": duplicates.len(),
            "failed": failures.len(),
            "continue_on_error": request.continue_on_error,
        });
        let mut planned = self.planned_record_write(ctx, &zone, existing, plan);
        if let Some((write, _)) = &mut planned.change {
            write.audit.push(ctx.audit(
                zone.tenant_id,
                "records.bulk",
                "domain",
                zone.id,
                Some(zone.name.to_string()),
                None,
                Some(summary.clone()),
            ));
            if let Some(also) = also {
                let mut also = also.clone();
                if let Some(serde_json::Value::Object(after)) = &mut also.after {
                    after.insert("result".to_owned(), summary);
                }
                write.audit.push(also);
            }
        }
        match &mut planned.change {
            Some((write, _)) => {
                write.comments.clone_from(&comments.sets);
                write.audit.extend(comments.audit.iter().cloned());
            }
            None if !comments.sets.is_empty() => {
                planned.change = comments_only(zone.clone(), comments).change;
            }
            None => {}
        }
        let (_, written) = planned.output;
        let created_set: HashSet<RecordId> = created_ids.iter().copied().collect();
        let mut by_id: HashMap<RecordId, Record> = HashMap::new();
        let mut updated = Vec::new();
        for record in written {
            if created_set.contains(&record.id) {
                by_id.insert(record.id, record);
            } else {
                updated.push(record);
            }
        }
        let created = created_ids
            .iter()
            .filter_map(|id| by_id.remove(id))
            .collect();
        Ok(Planned {
            change: planned.change,
            records_after: planned.records_after,
            output: BulkOutcome::Applied(Box::new(BulkApplied {
                zone,
                created,
                updated,
                deleted,
                duplicates,
                failures,
            })),
        })
    }

    /// Parses and authorises every item like its single change (`record_create`,
    /// `record_update`, `record_delete`); an update or delete of a record the caller cannot
    /// read is `record_not_found`, as unknown as in the record list.
    async fn prepare_bulk(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        existing: &[Record],
        request: &BulkRequest,
    ) -> Result<Prepared> {
        let mut change = ChangeSet::new(zone.default_ttl);
        change.on_duplicate = OnDuplicate::Skip;
        let mut prepared = Prepared {
            change,
            creates: Vec::new(),
            updates: Vec::new(),
            deletes: Vec::new(),
            failures: Vec::new(),
        };
        for (index, item) in request.creates.iter().enumerate() {
            match self.bulk_create(ctx, zone, item).await {
                Ok(new) => {
                    prepared.change.creates.push(new);
                    prepared.creates.push(index);
                }
                Err(e) => prepared.fail(BulkList::Create, index, e)?,
            }
        }
        let by_id: HashMap<RecordId, &Record> = existing.iter().map(|r| (r.id, r)).collect();
        for (index, item) in request.updates.iter().enumerate() {
            match self.bulk_update(ctx, zone, &by_id, item).await {
                Ok(update) => {
                    prepared.change.updates.push(update);
                    prepared.updates.push(index);
                }
                Err(e) => prepared.fail(BulkList::Update, index, e)?,
            }
        }
        // The same id named twice is one delete: authorised and checked once, however many
        // copies a request carries.
        let mut named: HashSet<&str> = HashSet::new();
        for (index, id) in request.deletes.iter().enumerate() {
            if !named.insert(id.as_str()) {
                continue;
            }
            let record = self.bulk_visible(ctx, zone, &by_id, id).await;
            let allowed = match record {
                Ok(record) => self
                    .authorize_record(
                        ctx,
                        Permission::RECORDS_DELETE,
                        zone,
                        &record.name,
                        record.rtype(),
                    )
                    .await
                    .map(|()| record.id),
                Err(e) => Err(e),
            };
            match allowed {
                Ok(id) => {
                    prepared.change.deletes.push(id);
                    prepared.deletes.push(index);
                }
                Err(e) => prepared.fail(BulkList::Delete, index, e)?,
            }
        }
        Ok(prepared)
    }

    async fn bulk_create(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        item: &RecordCreate,
    ) -> Result<NewRecord> {
        let rtype: RecordType = item.rtype.parse::<RecordType>().map_err(in_type)?;
        let name = RecordName::parse(&item.name, &zone.name).map_err(in_name)?;
        self.authorize_record(ctx, Permission::RECORDS_CREATE, zone, &name, rtype)
            .await?;
        self.authorize_delegation(ctx, Permission::RECORDS_CREATE, zone, &name, rtype)
            .await?;
        Ok(NewRecord {
            content: RecordContent::parse(rtype, &item.content, &zone.name)?,
            ttl: self.record_ttl(item.ttl)?,
            disabled: item.disabled.unwrap_or(false),
            name,
        })
    }

    async fn bulk_update(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        by_id: &HashMap<RecordId, &Record>,
        item: &BulkUpdate,
    ) -> Result<rules::RecordUpdate> {
        let current = self.bulk_visible(ctx, zone, by_id, &item.id).await?;
        let permission = Permission::RECORDS_UPDATE;
        self.authorize_record(ctx, permission, zone, &current.name, current.rtype())
            .await?;
        self.authorize_delegation(ctx, permission, zone, &current.name, current.rtype())
            .await?;
        let change = &item.change;
        Ok(rules::RecordUpdate {
            id: current.id,
            content: change
                .content
                .as_deref()
                .map(|c| RecordContent::parse(current.rtype(), c, &zone.name))
                .transpose()?,
            ttl: self.record_ttl(change.ttl)?,
            disabled: change.disabled,
        })
    }

    /// The record `id` names, when it is in the zone and the caller may read it.
    async fn bulk_visible<'r>(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        by_id: &HashMap<RecordId, &'r Record>,
        id: &str,
    ) -> Result<&'r Record> {
        let id: RecordId = id.parse().map_err(|_| record_not_found())?;
        let record = by_id.get(&id).copied().ok_or_else(record_not_found)?;
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
}

/// A step that changes only comments: a new generation (so `ETag`s move) with the comments
/// and their audit entries, no record, nothing to publish.
fn comments_only(zone: Zone, comments: &CommentChanges) -> Planned<BulkOutcome> {
    let mut next = zone.clone();
    next.generation = zone.generation + 1;
    let write = ZoneWrite {
        zone: next,
        expected_generation: Some(zone.generation),
        new_records: Vec::new(),
        upsert_records: Vec::new(),
        delete_records: Vec::new(),
        validations: Vec::new(),
        audit: comments.audit.clone(),
        changes: Vec::new(),
        comments: comments.sets.clone(),
    };
    Planned {
        change: Some((write, Publication::Nothing)),
        output: BulkOutcome::Applied(Box::new(BulkApplied {
            zone,
            created: Vec::new(),
            updated: Vec::new(),
            deleted: 0,
            duplicates: Vec::new(),
            failures: Vec::new(),
        })),
        records_after: None,
    }
}

fn in_type(e: Error) -> Error {
    if e.field().is_some() {
        e
    } else {
        e.with_field("type")
    }
}

fn in_name(e: Error) -> Error {
    if e.field().is_some() {
        e
    } else {
        e.with_field("name")
    }
}
