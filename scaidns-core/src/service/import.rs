//! Zone import (spec §7.3, §7.4): a master file or a JSON/CSV record list read by
//! [`crate::zone_file::parse`], turned into one [`ChangeSet`] by the mode, and either previewed
//! (nothing written) or applied through the record change path: one transaction, one backend
//! PATCH, one generation step, one audit entry per record plus one `zone.import`.

use std::collections::HashSet;

use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::rbac::Permission;
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::precondition::IfMatch;
use crate::zone::rules::{
    ChangeRef, ChangeSet, MergedChangeSet, NewRecord, OnDuplicate, PlannedRecord, RuleViolation,
    Settled, settle_change,
};
use crate::zone_file::parse::{self, Format, LineNote, Options, Parsed, ParsedRecord};

/// How the file's records meet the zone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// Add what is missing; a record equal in name, type and content stays, taking the file's
    /// TTL (for its whole RRset) and disabled flag.
    #[default]
    Merge,
    /// Add only RRsets (name and type) the zone does not have yet.
    SkipExisting,
    /// The zone ends up as the file says, less the records the platform manages.
    Replace,
}

impl std::str::FromStr for ImportMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "merge" => Ok(Self::Merge),
            "skip_existing" => Ok(Self::SkipExisting),
            "replace" => Ok(Self::Replace),
            _ => Err(Error::invalid(
                "mode",
                "must be one of merge, skip_existing, replace",
            )),
        }
    }
}

impl ImportMode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Merge => "merge",
            Self::SkipExisting => "skip_existing",
            Self::Replace => "replace",
        }
    }
}

/// One import request.
#[derive(Debug, Clone)]
pub struct ImportInput {
    /// The text (already known to be UTF-8).
    pub content: String,
    /// Its format.
    pub format: Format,
    /// How it meets the zone.
    pub mode: ImportMode,
    /// Skip lines of types ScaiDNS cannot store instead of refusing the file.
    pub skip_unsupported: bool,
}

impl ImportInput {
    /// A short digest of everything that decides what the import does (format, mode,
    /// `skip_unsupported`, content): with the zone's generation it makes the preview's ETag,
    /// so an apply sent with that ETag is refused unless it is the very import previewed.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(format_name(self.format));
        hash.update([0]);
        hash.update(self.mode.as_str());
        hash.update([0, u8::from(self.skip_unsupported), 0]);
        hash.update(self.content.as_bytes());
        hex::encode(&hash.finalize()[..8])
    }
}

/// What an import does (preview) or did (apply).
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The zone: as previewed, or after the apply.
    pub zone: Zone,
    /// Whether anything was written.
    pub applied: bool,
    /// Records added.
    pub adds: Vec<PlannedRecord>,
    /// Records changed (TTL or disabled flag), before and after.
    pub changes: Vec<(Record, Record)>,
    /// Records removed.
    pub deletes: Vec<Record>,
    /// Records of the file the zone already held, left as they are.
    pub unchanged: usize,
    /// Lines left out on purpose.
    pub skipped: Vec<LineNote>,
    /// Lines in error: when any, nothing is applied.
    pub errors: Vec<LineNote>,
    /// Lines skipped beyond those listed, counted only.
    pub more_skipped: usize,
    /// Lines in error beyond those listed, counted only.
    pub more_errors: usize,
}

impl ScaiDns {
    /// What importing `input` into the zone would change; writes nothing.
    pub async fn zone_import_preview(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: ImportInput,
    ) -> Result<ImportReport> {
        let (zone, parsed) = self.import_read(ctx, zone_id, &input).await?;
        let mut report = report_of(zone.clone(), parsed.skipped, parsed.errors);
        report.more_skipped = parsed.more_skipped;
        report.more_errors = parsed.more_errors;
        if !report.errors.is_empty() {
            return Ok(report);
        }
        let existing = self.zone_records(&zone).await?;
        let (change, dropped) = import_change(&zone, &existing, &parsed.records, input.mode, self)?;
        match plan_import(&zone, &existing, &change, &parsed.records) {
            Ok(plan) => {
                self.authorize_updates(ctx, &zone, &plan).await?;
                summarize(&mut report, &existing, &plan, dropped);
            }
            Err(notes) => report.errors = notes,
        }
        Ok(report)
    }

    /// Imports `input` into the zone: all of it or, when any line is in error, nothing (the
    /// report lists the errors).
    pub async fn zone_import(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: ImportInput,
        if_match: &IfMatch,
    ) -> Result<ImportReport> {
        let (zone, parsed) = self.import_read(ctx, zone_id, &input).await?;
        if !parsed.errors.is_empty() {
            let mut report = report_of(zone, parsed.skipped, parsed.errors);
            report.more_skipped = parsed.more_skipped;
            report.more_errors = parsed.more_errors;
            return Ok(report);
        }
        let (after, mut report) = self
            .change_records(ctx, zone.id, if_match, |zone| {
                let records = &parsed.records;
                let skipped = parsed.skipped.clone();
                let more_skipped = parsed.more_skipped;
                async move {
                    let set = self.records_for_change(&zone).await?;
                    let existing = set.records();
                    let (change, dropped) =
                        import_change(&zone, existing, records, input.mode, self)?;
                    let plan = match plan_import(&zone, existing, &change, records) {
                        Ok(plan) => plan,
                        Err(notes) => {
                            return Ok(crate::service::zone_change::Planned {
                                change: None,
                                output: report_of(zone, skipped, notes),
                                records_after: None,
                            });
                        }
                    };
                    // The plan just checked is the one written: checking 10,000 records
                    // again would double the import's CPU time.
                    let mut planned = self.planned_record_write(ctx, &zone, existing, plan);
                    self.authorize_updates(ctx, &zone, &planned.output.0)
                        .await?;
                    let mut report = report_of(zone.clone(), skipped, Vec::new());
                    report.more_skipped = more_skipped;
                    summarize(&mut report, existing, &planned.output.0, dropped);
                    if let Some((write, _)) = planned.change.as_mut() {
                        write.audit.push(ctx.audit(
                            zone.tenant_id,
                            "zone.import",
                            "zone",
                            zone.id,
                            Some(zone.name.to_string()),
                            None,
                            Some(json!({
                                "format": format_name(input.format),
                                "mode": input.mode.as_str(),
                                "added": report.adds.len(),
                                "changed": report.changes.len(),
                                "deleted": report.deletes.len(),
                                "unchanged": report.unchanged,
                                "skipped": report.skipped.len() + report.more_skipped,
                            })),
                        ));
                        report.applied = true;
                    }
                    Ok(crate::service::zone_change::Planned {
                        change: planned.change,
                        output: report,
                        records_after: planned.records_after,
                    })
                }
            })
            .await?;
        report.zone = after;
        Ok(report)
    }

    /// Merge and replace change the TTL and disabled flag of records the file repeats: each
    /// such record needs what a single update of it would (creating is not changing).
    async fn authorize_updates(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        plan: &MergedChangeSet,
    ) -> Result<()> {
        if plan.updates.is_empty() {
            return Ok(());
        }
        ctx.require(Permission::RECORDS_UPDATE)?;
        for record in &plan.updates {
            self.authorize_record(
                ctx,
                Permission::RECORDS_UPDATE,
                zone,
                &record.name,
                record.rtype(),
            )
            .await?;
        }
        Ok(())
    }

    /// Authorises the import and reads the text: the zone, and the records with their lines.
    async fn import_read(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: &ImportInput,
    ) -> Result<(Zone, Parsed)> {
        ctx.require(Permission::RECORDS_CREATE)?;
        let zone = self
            .writable_zone(ctx, Permission::RECORDS_CREATE, zone_id)
            .await?;
        if input.mode == ImportMode::Replace {
            // Replace deletes what the file leaves out: only a caller who may delete every
            // record of the zone may run it, so nothing it cannot see is ever removed.
            ctx.require(Permission::RECORDS_DELETE)?;
            self.authorize_every_record(ctx, Permission::RECORDS_DELETE, &zone)
                .await?;
        }
        let max = self.config().bulk_max_items;
        let options = Options {
            skip_unsupported: input.skip_unsupported,
            max_records: Some(max),
        };
        let mut parsed = parse::parse(&input.content, input.format, &zone.name, options);
        if parsed.truncated {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "too_many_records",
                format!(
                    "the import holds more than {max} records; at most {max} may be imported at once (BULK_MAX_ITEMS)"
                ),
            ));
        }
        let policy = self.settings().ttl_policy;
        for record in &parsed.records {
            if let Some(ttl) = record.ttl
                && let Err(e) = policy.check(ttl, "ttl")
            {
                if parsed.errors.len() >= parse::NOTE_LIMIT {
                    parsed.more_errors += 1;
                    continue;
                }
                parsed.errors.push(LineNote {
                    line: record.line,
                    text: record.text.clone(),
                    reason: format!("ttl {}", e.message()),
                });
            }
        }
        parsed.errors.sort_by_key(|e| e.line);
        // Every record is authorised as a single create would be; one refusal refuses all.
        for record in &parsed.records {
            let rtype = record.content.rtype();
            self.authorize_record(ctx, Permission::RECORDS_CREATE, &zone, &record.name, rtype)
                .await?;
            self.authorize_delegation(ctx, Permission::RECORDS_CREATE, &zone, &record.name, rtype)
                .await?;
        }
        Ok((zone, parsed))
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Bind => "bind",
        Format::Json => "json",
        Format::Csv => "csv",
    }
}

fn report_of(zone: Zone, skipped: Vec<LineNote>, errors: Vec<LineNote>) -> ImportReport {
    ImportReport {
        zone,
        applied: false,
        adds: Vec::new(),
        changes: Vec::new(),
        deletes: Vec::new(),
        unchanged: 0,
        skipped,
        errors,
        more_skipped: 0,
        more_errors: 0,
    }
}

/// The change the file makes in `mode`, and how many of its records `skip_existing` dropped.
fn import_change(
    zone: &Zone,
    existing: &[Record],
    records: &[ParsedRecord],
    mode: ImportMode,
    service: &ScaiDns,
) -> Result<(ChangeSet, usize)> {
    let mut change = ChangeSet::new(zone.default_ttl);
    change.on_duplicate = match mode {
        ImportMode::SkipExisting => OnDuplicate::Skip,
        ImportMode::Merge | ImportMode::Replace => OnDuplicate::Update,
    };
    let user = existing.iter().filter(|r| !r.system);
    let rrsets: HashSet<(&RecordName, RecordType)> =
        user.clone().map(|r| (&r.name, r.rtype())).collect();
    let mut dropped = 0;
    for record in records {
        if mode == ImportMode::SkipExisting
            && rrsets.contains(&(&record.name, record.content.rtype()))
        {
            dropped += 1;
            continue;
        }
        change.creates.push(NewRecord {
            name: record.name.clone(),
            content: record.content.clone(),
            ttl: record
                .ttl
                .map(|t| service.settings().ttl_policy.check(t, "ttl"))
                .transpose()?,
            disabled: record.disabled,
        });
    }
    if mode == ImportMode::Replace {
        let kept: HashSet<(&RecordName, &RecordContent)> =
            records.iter().map(|f| (&f.name, &f.content)).collect();
        change.deletes = user
            .filter(|r| !kept.contains(&(&r.name, &r.content)))
            .map(|r| r.id)
            .collect();
    }
    Ok((change, dropped))
}

/// The checked plan of the import's change, or an error for every line a zone rule refuses
/// (not only the first: a file is fixed in one go), in line order.
fn plan_import(
    zone: &Zone,
    existing: &[Record],
    change: &ChangeSet,
    records: &[ParsedRecord],
) -> std::result::Result<MergedChangeSet, Vec<LineNote>> {
    let Settled { plan, refused } = match settle_change(&zone.name, existing, change) {
        Ok(settled) => settled,
        Err(v) => return Err(vec![violation_note(&v, v.at(), change, records)]),
    };
    match plan {
        Some(plan) if refused.is_empty() => Ok(plan),
        complete => {
            let mut notes: Vec<LineNote> = refused
                .iter()
                .map(|(at, v)| violation_note(v, Some(*at), change, records))
                .collect();
            notes.sort_by_key(|n| n.line);
            if complete.is_none() {
                notes.push(LineNote {
                    line: 0,
                    text: String::new(),
                    reason: format!(
                        "checking stopped after {} refused lines (the check is bounded); fix \
                         these and import again",
                        refused.len()
                    ),
                });
            }
            Err(notes)
        }
    }
}

/// A zone rule the change breaks, as an error of the line whose record breaks it (`at` is
/// the item's index in `change`, whose creates are the file's records in order, less those
/// `skip_existing` dropped).
fn violation_note(
    v: &RuleViolation,
    at: Option<ChangeRef>,
    change: &ChangeSet,
    records: &[ParsedRecord],
) -> LineNote {
    let error = Error::from(v.clone());
    let record = match at {
        Some(ChangeRef::Create(i)) => change.creates.get(i).and_then(|c| {
            records
                .iter()
                .find(|r| r.name == c.name && r.content == c.content)
        }),
        _ => None,
    };
    LineNote {
        line: record.map_or(0, |r| r.line),
        text: record.map(|r| r.text.clone()).unwrap_or_default(),
        reason: error.message().to_owned(),
    }
}

fn summarize(
    report: &mut ImportReport,
    existing: &[Record],
    plan: &MergedChangeSet,
    dropped: usize,
) {
    let by_id: std::collections::HashMap<_, _> = existing.iter().map(|r| (r.id, r)).collect();
    let find = |id| by_id.get(&id).copied();
    report.adds = plan.creates.clone();
    report.changes = plan
        .updates
        .iter()
        .filter_map(|after| find(after.id).map(|before| (before.clone(), after.clone())))
        .collect();
    report.deletes = plan
        .deletes
        .iter()
        .filter_map(|id| find(*id))
        .cloned()
        .collect();
    let matched = plan
        .duplicates
        .iter()
        .filter(|d| d.existing.is_some())
        .count();
    report.unchanged = dropped + matched.saturating_sub(report.changes.len());
}
