//! Zone history (issue 14 item 4): the steps of a zone, a diff between any two kept
//! generations, and restoring the records of one as a new change through the normal change
//! path (`zone_change`), with its audit entries and `If-Match`.
//!
//! History is record data: reading it takes `records:read`, and a caller whose grants reach
//! only some records sees only their RRsets (a step with nothing left is hidden). A restore
//! needs, for every RRset it changes, what a single create, update or delete of it would, so
//! a grantee may restore within its grant and is refused (403) past it. SOA and apex NS (the
//! platform's) and DNSSEC state are not restored ([`restorable`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::queries::PageQuery;
use super::zone_change::Planned;
use crate::error::{Error, Result};
use crate::ids::ZoneId;
use crate::paging::{Page, PageRequest};
use crate::rbac::{Permission, RecordView};
use crate::record::name::relative_name;
use crate::record::{Record, RecordContent, RecordName, Ttl};
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::change_set::RrSetDelta;
use crate::zone::history::{HistoryEntry, check_span, diff, generation_not_found, restorable};
use crate::zone::precondition::IfMatch;
use crate::zone::rules::{ChangeSet, MergedChangeSet, NewRecord, RecordUpdate, check_change};

/// How long and how much history is kept (`ZONE_HISTORY_RETENTION_DAYS`,
/// `ZONE_HISTORY_MAX_ENTRIES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryRetention {
    /// Entries older than this are expired (and pruned by the worker).
    pub max_age: chrono::Duration,
    /// Entries kept per zone, newest first (pruned by the worker).
    pub max_entries: u32,
}

impl HistoryRetention {
    /// The oldest time whose entries are still answered. Saturates, so that an operator's
    /// huge `ZONE_HISTORY_RETENTION_DAYS` keeps everything instead of overflowing the date
    /// arithmetic on every read (a panic, not a 4xx).
    pub fn oldest_kept(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        super::retention::oldest_kept(now, self.max_age)
    }
}

impl Default for HistoryRetention {
    fn default() -> Self {
        Self {
            max_age: chrono::Duration::days(90),
            max_entries: 1000,
        }
    }
}

/// The change between two generations of a zone, as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneDiff {
    /// The zone as it stands.
    pub zone: Zone,
    /// From this generation…
    pub from: i64,
    /// …to this one.
    pub to: i64,
    /// The RRsets that differ: `before` at `from`, `after` at `to`.
    pub changes: Vec<RrSetDelta>,
}

/// What restoring a generation would write, made without writing anything (for the restore
/// itself and for plans).
#[derive(Debug, Clone, PartialEq)]
pub struct RestorePlan {
    /// The zone the plan was made on.
    pub zone: Zone,
    /// The generation whose records come back.
    pub generation: i64,
    /// The RRsets the restore changes: `before` as they are now, `after` as at `generation`.
    pub changes: Vec<RrSetDelta>,
    /// The checked record change (what the store would write).
    pub merged: MergedChangeSet,
}

/// A restore done.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreOutcome {
    /// The zone afterwards (its new generation, unless nothing differed).
    pub zone: Zone,
    /// The generation whose records came back.
    pub generation: i64,
    /// The RRsets it changed.
    pub changes: Vec<RrSetDelta>,
}

impl ScaiDns {
    /// The zone's kept history, newest first, as the caller may see it.
    pub async fn zone_history(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        page: PageQuery,
    ) -> Result<Page<HistoryEntry>> {
        let (zone, since) = self.history_zone(ctx, zone_id).await?;
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        if view.is_whole() {
            return self
                .store()
                .list_zone_history(zone.id, since, page.into())
                .await;
        }
        // Filtered per entry, so paged here; the per-zone cap bounds what is read.
        let all = self
            .store()
            .list_zone_history(zone.id, since, PageRequest::ALL)
            .await?;
        let seen: Vec<HistoryEntry> = all
            .items
            .into_iter()
            .filter_map(|entry| seen_entry(&view, &zone, entry))
            .collect();
        let page = PageRequest::from(page);
        Ok(Page {
            total: seen.len() as u64,
            items: page.slice(&seen).to_vec(),
        })
    }

    /// One step of the zone's history, as the caller may see it: 404 for a generation the
    /// zone has not reached (or whose step the caller sees nothing of), 410 when no longer
    /// kept.
    pub async fn zone_history_entry(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        generation: i64,
    ) -> Result<HistoryEntry> {
        let (zone, since) = self.history_zone(ctx, zone_id).await?;
        if generation < 1 || generation > zone.generation {
            return Err(generation_not_found(generation));
        }
        let entries = self
            .store()
            .zone_history_span(zone.id, generation, generation, since)
            .await?;
        check_span(&entries, generation, generation)?;
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        entries
            .into_iter()
            .next()
            .and_then(|entry| seen_entry(&view, &zone, entry))
            .ok_or_else(|| generation_not_found(generation))
    }

    /// The RRset-level change from generation `from` to `to` (either order), as the caller may
    /// see it. 400 for a generation the zone has not reached, 410 when the older one is no
    /// longer kept.
    pub async fn zone_history_diff(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        from: i64,
        to: i64,
    ) -> Result<ZoneDiff> {
        let (zone, since) = self.history_zone(ctx, zone_id).await?;
        for (field, generation) in [("from", from), ("to", to)] {
            if generation < 1 || generation > zone.generation {
                return Err(Error::bad_query(
                    field,
                    format!(
                        "the zone has no generation {generation} (it is at {})",
                        zone.generation
                    ),
                ));
            }
        }
        let (low, high) = (from.min(to), from.max(to));
        let entries = self
            .store()
            .zone_history_span(zone.id, low, high, since)
            .await?;
        check_span(&entries, low, high)?;
        let principal = self.principal(ctx).await?;
        let view = principal.record_view(Permission::RECORDS_READ, zone.id, zone.tenant_id);
        let changes = visible(&view, &zone, diff(&entries, from, to));
        Ok(ZoneDiff {
            zone,
            from,
            to,
            changes,
        })
    }

    /// Brings the zone's records back to what they were at `generation`, as one new change
    /// (one generation step, one audit entry per record and a `zone.history_restore` entry),
    /// published like any other. Nothing to change answers the zone as it is.
    pub async fn zone_history_restore(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        generation: i64,
        if_match: &IfMatch,
    ) -> Result<RestoreOutcome> {
        let zone = self.restore_zone(ctx, zone_id).await?;
        let (zone, changes) = self
            .change_records(ctx, zone.id, if_match, |zone| async move {
                let set = self.records_for_change(&zone).await?;
                let existing = set.records();
                let plan = self
                    .plan_restore(ctx, zone.clone(), existing, generation)
                    .await?;
                let changes = plan.changes.clone();
                let mut planned = self.planned_record_write(ctx, &zone, existing, plan.merged);
                if let Some((write, _)) = planned.change.as_mut() {
                    write.audit.push(ctx.audit(
                        zone.tenant_id,
                        "zone.history_restore",
                        "zone",
                        zone.id,
                        Some(zone.name.to_string()),
                        Some(json!({ "generation": zone.generation })),
                        Some(json!({
                            "restored_generation": generation,
                            "changed_rrsets": changes.len(),
                        })),
                    ));
                }
                Ok(Planned {
                    change: planned.change,
                    output: changes,
                    records_after: planned.records_after,
                })
            })
            .await?;
        Ok(RestoreOutcome {
            zone,
            generation,
            changes,
        })
    }

    /// Removes history past the retention and the per-zone cap (the worker's
    /// `prune_zone_history`); how many entries it removed.
    pub async fn prune_zone_history(&self) -> Result<u64> {
        let retention = self.config().zone_history;
        let before = retention.oldest_kept(self.clock().now());
        self.store()
            .prune_zone_history(before, retention.max_entries)
            .await
    }

    /// The zone whose history the caller reads, and the oldest time still kept.
    async fn history_zone(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
    ) -> Result<(Zone, DateTime<Utc>)> {
        ctx.require(Permission::RECORDS_READ)?;
        let zone = self
            .authorized_zone(ctx, Permission::RECORDS_READ, zone_id, false)
            .await?;
        Ok((zone, self.config().zone_history.oldest_kept(ctx.now)))
    }

    /// The zone a restore writes: one whose records the caller may update (each RRset is
    /// authorised again as the plan is made) and which are its own (not a secondary's). A
    /// restore reads the history it brings back and answers it, so it needs `records:read`
    /// too: a write-only key would otherwise read old records through it.
    async fn restore_zone(&self, ctx: &OpContext, zone_id: ZoneId) -> Result<Zone> {
        ctx.require(Permission::RECORDS_READ)?;
        ctx.require(Permission::RECORDS_UPDATE)?;
        self.writable_zone(ctx, Permission::RECORDS_UPDATE, zone_id)
            .await
    }

    /// The restore of `generation` planned on `zone` and its `existing` records.
    async fn plan_restore(
        &self,
        ctx: &OpContext,
        zone: Zone,
        existing: &[Record],
        generation: i64,
    ) -> Result<RestorePlan> {
        if generation < 1 || generation > zone.generation {
            return Err(generation_not_found(generation));
        }
        let since = self.config().zone_history.oldest_kept(ctx.now);
        let entries = self
            .store()
            .zone_history_span(zone.id, generation, zone.generation, since)
            .await?;
        check_span(&entries, generation, zone.generation)?;
        let changes: Vec<RrSetDelta> = diff(&entries, zone.generation, generation)
            .into_iter()
            .filter(|d| restorable(&zone.name, d))
            .collect();
        for delta in &changes {
            self.authorize_delta(ctx, &zone, delta).await?;
        }
        let policy = self.settings().ttl_policy;
        let change = restore_change(&zone, existing, &changes, |ttl| {
            policy.check(i64::from(ttl), "ttl")
        })?;
        let merged = match check_change(&zone.name, existing, &change) {
            Ok(merged) => merged,
            Err(v) => {
                return Err(self
                    .readable_conflicts(ctx, &zone, existing, v.into())
                    .await?);
            }
        };
        Ok(RestorePlan {
            zone,
            generation,
            changes,
            merged,
        })
    }

    /// What a single create, update or delete of the delta's RRset would need, and reading it
    /// (the restore answers its RRsets before and after).
    async fn authorize_delta(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        delta: &RrSetDelta,
    ) -> Result<()> {
        let permission = match (&delta.before, &delta.after) {
            (None, _) => Permission::RECORDS_CREATE,
            (_, None) => Permission::RECORDS_DELETE,
            _ => Permission::RECORDS_UPDATE,
        };
        ctx.require(permission)?;
        let name = RecordName::parse(&delta.name, &zone.name)?;
        for needed in [Permission::RECORDS_READ, permission] {
            self.authorize_record(ctx, needed, zone, &name, delta.rtype)
                .await?;
        }
        if delta.after.is_some() {
            self.authorize_delegation(ctx, permission, zone, &name, delta.rtype)
                .await?;
        }
        Ok(())
    }
}

/// `entry` with only the RRsets `view` covers; `None` when it covers none of a step that
/// changed records (a step that changed none is shown only to whole-zone readers).
fn seen_entry(view: &RecordView<'_>, zone: &Zone, mut entry: HistoryEntry) -> Option<HistoryEntry> {
    if view.is_whole() {
        return Some(entry);
    }
    entry.changes = visible(view, zone, std::mem::take(&mut entry.changes));
    (!entry.changes.is_empty()).then_some(entry)
}

fn visible(view: &RecordView<'_>, zone: &Zone, changes: Vec<RrSetDelta>) -> Vec<RrSetDelta> {
    view.filter(changes, |d| (relative_name(&zone.name, &d.name), d.rtype))
}

/// The record change that puts every RRset of `changes` to its `after` from the zone's
/// `existing` records: records already there are kept (their TTL and flag set), the others
/// deleted, the missing ones created. A TTL the current policy (`check_ttl`) refuses is
/// refused (422), as it would be for a new record.
fn restore_change(
    zone: &Zone,
    existing: &[Record],
    changes: &[RrSetDelta],
    check_ttl: impl Fn(u32) -> Result<Ttl>,
) -> Result<ChangeSet> {
    let mut by_set: HashMap<(String, crate::record::RecordType), Vec<&Record>> = HashMap::new();
    for record in existing.iter().filter(|r| !r.system) {
        by_set
            .entry((record.name.fqdn().to_owned(), record.rtype()))
            .or_default()
            .push(record);
    }
    let mut change = ChangeSet::new(zone.default_ttl);
    for delta in changes {
        let current = by_set
            .remove(&(delta.name.clone(), delta.rtype))
            .unwrap_or_default();
        let Some(target) = &delta.after else {
            change.deletes.extend(current.iter().map(|r| r.id));
            continue;
        };
        let ttl = check_ttl(target.ttl).map_err(|e| {
            Error::invalid(
                "ttl",
                format!(
                    "{} {}: ttl {}",
                    delta.name,
                    delta.rtype.as_str(),
                    e.message()
                ),
            )
        })?;
        let name = RecordName::parse(&delta.name, &zone.name)?;
        let mut wanted: HashMap<&str, bool> = target
            .records
            .iter()
            .map(|d| (d.content.as_str(), d.disabled))
            .collect();
        for record in current {
            match wanted.remove(record.content.as_str()) {
                Some(disabled) if record.ttl != ttl || record.disabled != disabled => {
                    change.updates.push(RecordUpdate {
                        id: record.id,
                        content: None,
                        ttl: Some(ttl),
                        disabled: Some(disabled),
                    });
                }
                Some(_) => {}
                None => change.deletes.push(record.id),
            }
        }
        for data in target
            .records
            .iter()
            .filter(|d| wanted.contains_key(d.content.as_str()))
        {
            change.creates.push(NewRecord {
                name: name.clone(),
                content: RecordContent::parse(delta.rtype, &data.content, &zone.name)?,
                ttl: Some(ttl),
                disabled: data.disabled,
            });
        }
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_retention_keeps_everything_instead_of_overflowing() {
        let now = Utc::now();
        let huge = HistoryRetention {
            max_age: chrono::Duration::MAX,
            max_entries: 1,
        };
        assert_eq!(
            huge.oldest_kept(now),
            crate::service::retention::EARLIEST_CUT_OFF
        );
        let usual = HistoryRetention::default();
        assert_eq!(usual.oldest_kept(now), now - chrono::Duration::days(90));
    }
}
