//! RRset-level changes in the shape PowerDNS's HTTP API speaks (`changetype` `REPLACE` /
//! `DELETE` per name and type, or the whole zone's content at once), for the
//! PowerDNS-compatible API (issue 14, item 1).
//!
//! There is no second path for the rules: the wanted RRsets are compared with the zone's
//! records the caller can see, and the difference goes through [`ScaiDns::record_bulk`] (each
//! item authorised like the single change it stands for, the zone rules over the combined
//! result, one transaction, one generation step, one audit entry per record, one publication).
//! The difference is computed against the generation it was read at and the bulk write is
//! pinned to it, so a concurrent write can never make it delete or keep the wrong records; a
//! request without `If-Match` then recomputes and tries again (never refused for a change it
//! did not see, interface decision 6).
//!
//! An RRset's comments (PowerDNS's `comments`) ride in the same step: compared with the stored
//! ones, written by the bulk write's transaction, audited per RRset. ScaiDNS keeps comments only
//! on RRsets with records; the store drops them with the RRset's last record.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::ZoneId;
use crate::rbac::Permission;
use crate::record::{Record, RecordContent, RecordName, RecordType};
use crate::service::queries::RecordQuery;
use crate::service::record_bulk::{BulkOutcome, BulkRequest, BulkUpdate};
use crate::service::records::{RecordCreate, RecordUpdate};
use crate::service::{OpContext, ScaiDns};
use crate::zone::Zone;
use crate::zone::comments::{self, RrsetComment, RrsetComments};
use crate::zone::precondition::IfMatch;

/// How many times a write without `If-Match` recomputes its difference after another write
/// landed between its read and its write.
const MAX_ATTEMPTS: usize = 8;

/// One record of a wanted RRset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetRecord {
    /// Content in presentation form.
    pub content: String,
    /// Kept but not served.
    pub disabled: bool,
}

/// What a change does to its RRset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RrsetAction {
    /// The RRset becomes exactly these records (none: it is removed).
    Replace {
        /// The RRset's TTL (the zone's default when absent).
        ttl: Option<i64>,
        /// Its records.
        records: Vec<RrsetRecord>,
    },
    /// The RRset is removed.
    Delete,
    /// The records stay as they are (PowerDNS's `REPLACE` with comments only); authorised as an
    /// update of the RRset.
    Keep,
}

/// A comment as a change gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetCommentInput {
    /// The text.
    pub content: String,
    /// Who wrote it (empty when not given).
    pub account: String,
    /// Unix seconds; absent: the stored comment's time when the comment at this position is
    /// unchanged, else now.
    pub modified_at: Option<i64>,
}

/// One RRset change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetChange {
    /// Absolute owner name (trailing dot optional).
    pub name: String,
    /// Type mnemonic.
    pub rtype: String,
    /// What happens to it.
    pub action: RrsetAction,
    /// The RRset's comments afterwards (`None`: they stay as they are). Ignored by a
    /// [`RrsetAction::Delete`], whose RRset goes with its comments.
    pub comments: Option<Vec<RrsetCommentInput>>,
}

/// Comment changes of one step: the RRsets whose comments are set, and their audit entries.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommentChanges {
    /// What the store writes.
    pub sets: Vec<RrsetComments>,
    /// One `record.comments_update` entry per RRset.
    pub audit: Vec<AuditEvent>,
}

/// Whether the RRsets a request does not name stay as they are or go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RrsetScope {
    /// Only the named RRsets change (PowerDNS's `PATCH`).
    Named,
    /// The named RRsets are the zone's whole content, less the platform's records (PowerDNS's
    /// `PUT` with `rrsets`): every other RRset the caller can see is removed.
    WholeZone,
}

/// A change parsed against the zone.
struct Parsed {
    name: RecordName,
    rtype: RecordType,
    /// `None` for a delete or a keep.
    wanted: Option<Wanted>,
    /// The records stay ([`RrsetAction::Keep`]).
    keep: bool,
    /// The comments wanted (`None`: unchanged), and the change's index for error fields.
    comments: Option<(usize, Vec<RrsetCommentInput>)>,
}

/// What a `Replace` wants its RRset to be.
struct Wanted {
    ttl: Option<i64>,
    /// Contents, each with its disabled flag.
    records: Vec<(RecordContent, bool)>,
}

impl ScaiDns {
    /// Applies RRset changes to a zone as one change (see the module docs). Answers the zone as
    /// it stands afterwards (unchanged, without a new generation, when nothing differs).
    pub async fn rrsets_apply(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        changes: &[RrsetChange],
        scope: RrsetScope,
        if_match: &IfMatch,
    ) -> Result<Zone> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let query = RecordQuery {
                include_system: true,
                ..RecordQuery::default()
            };
            let (zone, visible) = self.record_list(ctx, zone_id, query).await?;
            if_match.check(zone.generation)?;
            let parsed = parse_changes(&zone, changes)?;
            if scope == RrsetScope::WholeZone {
                ctx.require(Permission::RECORDS_DELETE)?;
                self.authorize_every_record(ctx, Permission::RECORDS_DELETE, &zone)
                    .await?;
            }
            let request = self
                .rrset_difference(ctx, &zone, &visible, &parsed, scope)
                .await?;
            // Read only when needed: a zone's comments may hold megabytes.
            let stored = if parsed.iter().any(|p| p.comments.is_some()) {
                self.store().list_rrset_comments(zone.id).await?
            } else {
                Vec::new()
            };
            let comments = comment_changes(ctx, &zone, &visible, &parsed, &stored)?;
            if request.item_count() == 0 && comments.sets.is_empty() {
                return Ok(zone);
            }
            // Pinned to the generation read: the comments and records compared are that
            // generation's.
            let pinned = IfMatch::Generations(vec![zone.generation]);
            match self
                .record_bulk_noting(ctx, zone.id, request, &pinned, None, comments)
                .await
            {
                Ok(BulkOutcome::Applied(applied)) => return Ok(applied.zone),
                Ok(BulkOutcome::Rejected(failures) | BulkOutcome::Incomplete(failures)) => {
                    let reasons: Vec<String> = failures
                        .iter()
                        .map(|f| f.error.message().to_owned())
                        .collect();
                    return Err(Error::invalid("rrsets", reasons.join("; ")));
                }
                Err(e)
                    if e.kind() == ErrorKind::PreconditionFailed
                        && *if_match == IfMatch::Any
                        && attempt < MAX_ATTEMPTS => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The zone's records the caller may read (system records included) and the comments of
    /// the RRsets among them: an RRset the caller cannot read shows none of its comments.
    pub async fn rrsets_read(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
    ) -> Result<(Zone, Vec<Record>, Vec<RrsetComments>)> {
        let query = RecordQuery {
            include_system: true,
            ..RecordQuery::default()
        };
        let (zone, records) = self.record_list(ctx, zone_id, query).await?;
        let comments = {
            let readable: HashSet<(&RecordName, RecordType)> =
                records.iter().map(|r| (&r.name, r.rtype())).collect();
            self.store()
                .list_rrset_comments(zone.id)
                .await?
                .into_iter()
                .filter(|c| readable.contains(&(&c.name, c.rtype)))
                .collect()
        };
        Ok((zone, records, comments))
    }

    /// The bulk request that turns the visible records into the wanted RRsets, each RRset
    /// authorised for what is done to it (so a name outside the caller's grants is refused even
    /// when there is nothing to remove there).
    async fn rrset_difference(
        &self,
        ctx: &OpContext,
        zone: &Zone,
        visible: &[Record],
        parsed: &[Parsed],
        scope: RrsetScope,
    ) -> Result<BulkRequest> {
        let mut existing: HashMap<(&RecordName, RecordType), Vec<&Record>> = HashMap::new();
        for record in visible.iter().filter(|r| !r.system) {
            existing
                .entry((&record.name, record.rtype()))
                .or_default()
                .push(record);
        }
        let mut request = BulkRequest::default();
        let mut named = HashSet::new();
        for change in parsed {
            named.insert((&change.name, change.rtype));
            let current = existing
                .get(&(&change.name, change.rtype))
                .cloned()
                .unwrap_or_default();
            let permission = match (&change.wanted, current.is_empty()) {
                _ if change.keep => Permission::RECORDS_UPDATE,
                (None, _) => Permission::RECORDS_DELETE,
                (Some(_), true) => Permission::RECORDS_CREATE,
                (Some(_), false) => Permission::RECORDS_UPDATE,
            };
            ctx.require(permission)?;
            self.authorize_record(ctx, permission, zone, &change.name, change.rtype)
                .await?;
            if change.keep {
                continue;
            }
            let Some(Wanted {
                ttl,
                records: wanted,
            }) = &change.wanted
            else {
                request
                    .deletes
                    .extend(current.iter().map(|r| r.id.to_string()));
                continue;
            };
            let ttl = ttl.unwrap_or_else(|| i64::from(zone.default_ttl.seconds()));
            // Maps, not scans: an RRset may hold thousands of records.
            let wanted_by_content: HashMap<&RecordContent, bool> =
                wanted.iter().map(|(c, d)| (c, *d)).collect();
            let current_contents: HashSet<&RecordContent> =
                current.iter().map(|r| &r.content).collect();
            for record in &current {
                match wanted_by_content.get(&record.content) {
                    None => request.deletes.push(record.id.to_string()),
                    Some(disabled)
                        if i64::from(record.ttl.seconds()) != ttl
                            || record.disabled != *disabled =>
                    {
                        request.updates.push(BulkUpdate {
                            id: record.id.to_string(),
                            change: RecordUpdate {
                                content: None,
                                ttl: Some(ttl),
                                disabled: Some(*disabled),
                            },
                        });
                    }
                    Some(_) => {}
                }
            }
            for (content, disabled) in wanted {
                if current_contents.contains(content) {
                    continue;
                }
                request.creates.push(RecordCreate {
                    name: change.name.fqdn().to_owned(),
                    rtype: change.rtype.as_str().to_owned(),
                    content: content.as_str().to_owned(),
                    ttl: Some(ttl),
                    disabled: Some(*disabled),
                });
            }
        }
        if scope == RrsetScope::WholeZone {
            for ((name, rtype), records) in &existing {
                if !named.contains(&(*name, *rtype)) {
                    request
                        .deletes
                        .extend(records.iter().map(|r| r.id.to_string()));
                }
            }
        }
        Ok(request)
    }
}

/// Parses the changes against the zone, refusing what PowerDNS refuses (a name outside the
/// zone, an unknown type, the same RRset twice, duplicate contents) and what the platform
/// manages (SOA, apex NS).
fn parse_changes(zone: &Zone, changes: &[RrsetChange]) -> Result<Vec<Parsed>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        let field = format!("rrsets[{i}]");
        let fqdn = change.name.to_ascii_lowercase();
        let name = RecordName::from_fqdn(&fqdn, &zone.name).map_err(|e| {
            Error::invalid(
                format!("{field}.name"),
                format!("RRset {}: {}", change.name, e.message()),
            )
        })?;
        let rtype: RecordType = change
            .rtype
            .to_ascii_uppercase()
            .parse()
            .map_err(|e: Error| {
                Error::invalid(
                    format!("{field}.type"),
                    format!("RRset {} IN {}: {}", change.name, change.rtype, e.message()),
                )
            })?;
        let label = format!("RRset {} IN {}", name.fqdn(), rtype.as_str());
        if rtype == RecordType::SOA || (rtype == RecordType::NS && name.is_apex(&zone.name)) {
            return Err(Error::invalid(
                format!("{field}.type"),
                format!(
                    "{label}: the SOA and the apex NS records are managed by the platform and cannot be changed through this API"
                ),
            ));
        }
        if !seen.insert((name.clone(), rtype)) {
            return Err(Error::invalid(
                field,
                format!("Duplicate {label} with changetype"),
            ));
        }
        let wanted = match &change.action {
            RrsetAction::Delete | RrsetAction::Keep => None,
            RrsetAction::Replace { ttl, records } => {
                let mut contents: Vec<(RecordContent, bool)> = Vec::with_capacity(records.len());
                // A set, not a scan of `contents`: an RRset may hold thousands of records.
                let mut distinct: HashSet<RecordContent> = HashSet::with_capacity(records.len());
                for (j, record) in records.iter().enumerate() {
                    let content = RecordContent::parse(rtype, &record.content, &zone.name)
                        .map_err(|e| {
                            Error::invalid(
                                format!("{field}.records[{j}].content"),
                                format!(
                                    "Record {}/{} '{}': {}",
                                    name.fqdn(),
                                    rtype.as_str(),
                                    record.content,
                                    e.message()
                                ),
                            )
                        })?;
                    if !distinct.insert(content.clone()) {
                        return Err(Error::invalid(
                            format!("{field}.records[{j}].content"),
                            format!("Duplicate record in {label}: {}", content.as_str()),
                        ));
                    }
                    contents.push((content, record.disabled));
                }
                Some(Wanted {
                    ttl: *ttl,
                    records: contents,
                })
            }
        };
        out.push(Parsed {
            name,
            rtype,
            wanted,
            keep: change.action == RrsetAction::Keep,
            comments: match change.action {
                RrsetAction::Delete => None,
                _ => change.comments.clone().map(|c| (i, c)),
            },
        });
    }
    Ok(out)
}

/// The comment changes of `parsed` against the stored comments: only RRsets whose comments
/// differ, each checked ([`comments::validate`]) and refused (422) when its RRset has, or will
/// have, no record, or when the zone's comments would pass [`comments::MAX_ZONE_BYTES`]. Run
/// after every RRset was authorised.
fn comment_changes(
    ctx: &OpContext,
    zone: &Zone,
    visible: &[Record],
    parsed: &[Parsed],
    stored: &[RrsetComments],
) -> Result<CommentChanges> {
    let bytes_before: usize = stored.iter().map(|s| comments::bytes(&s.comments)).sum();
    let mut bytes_after = bytes_before;
    let stored: HashMap<(&RecordName, RecordType), &[RrsetComment]> = stored
        .iter()
        .map(|s| ((&s.name, s.rtype), s.comments.as_slice()))
        .collect();
    let with_records: HashSet<(&RecordName, RecordType)> = visible
        .iter()
        .filter(|r| !r.system)
        .map(|r| (&r.name, r.rtype()))
        .collect();
    let mut out = CommentChanges::default();
    for change in parsed {
        let Some((index, inputs)) = &change.comments else {
            continue;
        };
        let key = (&change.name, change.rtype);
        let before = stored.get(&key).copied().unwrap_or_default();
        let wanted: Vec<RrsetComment> = inputs
            .iter()
            .enumerate()
            .map(|(i, c)| RrsetComment {
                content: c.content.clone(),
                account: c.account.clone(),
                modified_at: c.modified_at.unwrap_or_else(|| match before.get(i) {
                    Some(s) if s.content == c.content && s.account == c.account => s.modified_at,
                    _ => ctx.now.timestamp(),
                }),
            })
            .collect();
        let field = format!("rrsets[{index}].comments");
        let label = format!("RRset {} IN {}", change.name.fqdn(), change.rtype.as_str());
        comments::validate(&field, &label, &wanted)?;
        let has_records = match &change.wanted {
            Some(w) => !w.records.is_empty(),
            None => with_records.contains(&key),
        };
        if !wanted.is_empty() && !has_records {
            return Err(Error::invalid(
                field,
                format!("{label}: comments are kept only on an RRset with records"),
            ));
        }
        if wanted == before {
            continue;
        }
        bytes_after = (bytes_after - comments::bytes(before)) + comments::bytes(&wanted);
        // The shape of a record's audit view (name, type, domain_id), so webhook deliveries
        // filter it by grants as they filter record events.
        let view = |count: usize| {
            json!({
                "domain_id": zone.id.to_string(),
                "name": change.name.as_str(),
                "type": change.rtype.as_str(),
                "comments": count,
            })
        };
        out.audit.push(ctx.audit(
            zone.tenant_id,
            "record.comments_update",
            "domain",
            zone.id,
            Some(zone.name.to_string()),
            Some(view(before.len())),
            Some(view(wanted.len())),
        ));
        out.sets.push(RrsetComments {
            name: change.name.clone(),
            rtype: change.rtype,
            comments: wanted,
        });
    }
    // Comments this change's record deletions sweep are still counted: the bound errs towards
    // refusing, and a zone over it (a lower bound in a later version) may still shrink.
    if bytes_after > comments::MAX_ZONE_BYTES && bytes_after > bytes_before {
        return Err(Error::invalid(
            "rrsets",
            // No total in the message: it would tell a grant-limited key the size of comments
            // it may not read.
            format!(
                "a zone's comments hold at most {} bytes together (texts, accounts and {} bytes per comment); this change would pass that",
                comments::MAX_ZONE_BYTES,
                comments::ROW_BYTES
            ),
        ));
    }
    Ok(out)
}
