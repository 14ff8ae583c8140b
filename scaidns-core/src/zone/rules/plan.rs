//! The merge of a change set into a zone's records, and the checks on the result.
//!
//! Records are checked where they are placed (apex, reverse zone) as they come in; coexistence
//! is checked on the merged state, at the names the change touches only, so a change is never
//! blamed for an older problem elsewhere. Every rule is about one name (what coexists there, one
//! TTL per RRset, one record per name and content), so only the records at the touched names
//! are merged: past one pass over the zone to find them, a change costs what those names hold,
//! not what the zone holds. Disabled records count: PowerDNS checks a new RRset
//! against enabled records only, so allowing a disabled CNAME beside an A would let a later
//! "enable" be refused by the backend after the store committed it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

use crate::ids::RecordId;
use crate::name::{ReverseKind, ZoneName};
use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use crate::zone::rules::rrsets::{Member, group};
use crate::zone::rules::scope::Scope;
use crate::zone::rules::{
    ChangeRef, ChangeSet, Duplicate, MergedChangeSet, NewRecord, OnDuplicate, PlannedRecord,
    RuleViolation, is_system_managed,
};

/// One record of the merged state.
struct Entry<'a> {
    id: RecordId,
    /// The record as the zone holds it; `None` for a record this change creates.
    original: Option<&'a Record>,
    name: RecordName,
    content: RecordContent,
    ttl: Option<Ttl>,
    disabled: bool,
    system: bool,
    at: Option<ChangeRef>,
}

impl<'a> Entry<'a> {
    fn of(record: &'a Record) -> Self {
        Self {
            id: record.id,
            original: Some(record),
            name: record.name.clone(),
            content: record.content.clone(),
            ttl: Some(record.ttl),
            disabled: record.disabled,
            system: record.system,
            at: None,
        }
    }

    fn existing(&self) -> bool {
        self.original.is_some()
    }

    fn rtype(&self) -> RecordType {
        self.content.rtype()
    }
}

type Result<T> = std::result::Result<T, RuleViolation>;

/// Merges `proposed` into the zone's `existing` records and checks every zone rule.
pub fn check_change(
    zone: &ZoneName,
    existing: &[Record],
    proposed: &ChangeSet,
) -> Result<MergedChangeSet> {
    check_in(zone, Scope::of(existing, proposed), proposed)
}

/// [`check_change`] merging every record of the zone, as it did before it looked at the touched
/// names only: the equivalence test's reference. Its RRsets are all of the zone's.
#[cfg(test)]
pub(super) fn check_change_over_whole_zone(
    zone: &ZoneName,
    existing: &[Record],
    proposed: &ChangeSet,
) -> Result<MergedChangeSet> {
    check_in(zone, Scope::whole(existing, proposed), proposed)
}

fn check_in(zone: &ZoneName, scope: Scope, proposed: &ChangeSet) -> Result<MergedChangeSet> {
    let deletes = check_deletes(&scope.named, proposed)?;
    let deleted: HashSet<RecordId> = deletes.iter().copied().collect();
    let mut entries: Vec<Entry> = scope
        .records
        .iter()
        .filter(|r| !deleted.contains(&r.id))
        .map(|r| Entry::of(r))
        .collect();
    let mut ttl_votes: HashMap<(String, RecordType), Ttl> = HashMap::new();
    apply_updates(&mut entries, &deleted, proposed, &mut ttl_votes)?;
    let duplicates = apply_creates(zone, &mut entries, proposed, &mut ttl_votes)?;
    resolve_ttls(&mut entries, &ttl_votes, proposed.default_ttl);
    check_names(zone, &entries)?;
    Ok(finish(
        &scope.records,
        entries,
        deletes,
        duplicates,
        proposed.default_ttl,
    ))
}

/// `named`: the zone's records the change names by id.
fn check_deletes(named: &HashMap<RecordId, &Record>, cs: &ChangeSet) -> Result<Vec<RecordId>> {
    // De-duplicated through a hash: a bulk request may name thousands of ids (the same one
    // many times, too), and settling re-runs this check.
    let mut seen: HashSet<RecordId> = HashSet::new();
    let mut out: Vec<RecordId> = Vec::new();
    for (i, id) in cs.deletes.iter().enumerate() {
        let at = Some(ChangeRef::Delete(i));
        let rec = named
            .get(id)
            .ok_or(RuleViolation::UnknownRecord { id: *id, at })?;
        if rec.system && !cs.system {
            return Err(RuleViolation::SystemManaged {
                rtype: rec.rtype(),
                at,
            });
        }
        if seen.insert(*id) {
            out.push(*id);
        }
    }
    Ok(out)
}

fn vote(
    votes: &mut HashMap<(String, RecordType), Ttl>,
    name: &RecordName,
    rtype: RecordType,
    ttl: Ttl,
) {
    votes
        .entry((name.fqdn().to_owned(), rtype))
        .and_modify(|t| *t = (*t).min(ttl))
        .or_insert(ttl);
}

fn apply_updates(
    entries: &mut [Entry],
    deleted: &HashSet<RecordId>,
    cs: &ChangeSet,
    votes: &mut HashMap<(String, RecordType), Ttl>,
) -> Result<()> {
    let mut seen = HashSet::new();
    // Looked up by id and by data rather than scanned: a change set may hold thousands of items.
    let by_id: HashMap<RecordId, usize> =
        entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    for (i, u) in cs.updates.iter().enumerate() {
        let at = Some(ChangeRef::Update(i));
        if deleted.contains(&u.id) || !seen.insert(u.id) {
            return Err(RuleViolation::ConflictingEdits { id: u.id, at });
        }
        let entry = by_id
            .get(&u.id)
            .map(|i| &mut entries[*i])
            .ok_or(RuleViolation::UnknownRecord { id: u.id, at })?;
        if entry.system && !cs.system {
            return Err(RuleViolation::SystemManaged {
                rtype: entry.rtype(),
                at,
            });
        }
        if let Some(content) = &u.content {
            if content.rtype() != entry.rtype() {
                return Err(RuleViolation::TypeChange { id: u.id, at });
            }
            check_target(content, at)?;
            entry.content = content.clone();
        }
        if let Some(ttl) = u.ttl {
            vote(votes, &entry.name, entry.rtype(), ttl);
        }
        if let Some(disabled) = u.disabled {
            entry.disabled = disabled;
        }
        entry.at = at;
    }
    let mut by_data: HashMap<(&RecordName, &RecordContent), Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_data.entry((&e.name, &e.content)).or_default().push(i);
    }
    for e in entries.iter().filter(|e| e.at.is_some()) {
        if let Some(other) = by_data[&(&e.name, &e.content)]
            .iter()
            .map(|i| &entries[*i])
            .find(|o| o.id != e.id)
        {
            return Err(RuleViolation::RecordExists {
                name: e.name.clone(),
                rtype: e.rtype(),
                existing: other.id,
                at: e.at,
            });
        }
    }
    Ok(())
}

fn apply_creates(
    zone: &ZoneName,
    entries: &mut Vec<Entry>,
    cs: &ChangeSet,
    votes: &mut HashMap<(String, RecordType), Ttl>,
) -> Result<Vec<Duplicate>> {
    let mut duplicates = Vec::new();
    // The first entry holding each (name, content): found by lookup, not by a scan per create.
    let mut by_data: HashMap<(RecordName, RecordContent), usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_data
            .entry((e.name.clone(), e.content.clone()))
            .or_insert(i);
    }
    for (i, c) in cs.creates.iter().enumerate() {
        let at = ChangeRef::Create(i);
        check_placement(zone, c, cs.system, Some(at))?;
        check_target(&c.content, Some(at))?;
        let dup = |existing| Duplicate {
            at,
            name: c.name.clone(),
            content: c.content.clone(),
            existing,
        };
        let key = (c.name.clone(), c.content.clone());
        if let Some(other) = by_data.get(&key).map(|i| &mut entries[*i]) {
            if !other.existing() {
                duplicates.push(dup(None));
            } else {
                match cs.on_duplicate {
                    OnDuplicate::Reject => {
                        return Err(RuleViolation::RecordExists {
                            name: c.name.clone(),
                            rtype: c.content.rtype(),
                            existing: other.id,
                            at: Some(at),
                        });
                    }
                    OnDuplicate::Skip => {
                        duplicates.push(dup(Some(other.id)));
                        continue;
                    }
                    OnDuplicate::Update => {
                        other.disabled = c.disabled;
                        other.at = other.at.or(Some(at));
                        duplicates.push(dup(Some(other.id)));
                    }
                }
            }
            if let Some(ttl) = c.ttl {
                vote(votes, &c.name, c.content.rtype(), ttl);
            }
            continue;
        }
        if let Some(ttl) = c.ttl {
            vote(votes, &c.name, c.content.rtype(), ttl);
        }
        by_data.insert(key, entries.len());
        entries.push(Entry {
            id: RecordId::new(),
            original: None,
            name: c.name.clone(),
            system: is_system_managed(zone, &c.name, c.content.rtype()),
            content: c.content.clone(),
            ttl: None,
            disabled: c.disabled,
            at: Some(at),
        });
    }
    Ok(duplicates)
}

fn check_placement(
    zone: &ZoneName,
    c: &NewRecord,
    system: bool,
    at: Option<ChangeRef>,
) -> Result<()> {
    let apex = c.name.is_apex(zone);
    match c.content.rtype() {
        RecordType::SOA if !system => Err(RuleViolation::SystemManaged {
            rtype: RecordType::SOA,
            at,
        }),
        RecordType::SOA if !apex => Err(RuleViolation::SoaOutsideApex { at }),
        RecordType::NS if apex && !system => Err(RuleViolation::NsAtApex { at }),
        RecordType::CNAME if apex => Err(RuleViolation::CnameAtApex { at }),
        RecordType::DS if apex => Err(RuleViolation::DsAtApex { at }),
        RecordType::PTR if zone.reverse_kind() == ReverseKind::Forward => {
            Err(RuleViolation::PtrOutsideReverseZone { at })
        }
        _ => Ok(()),
    }
}

/// The content parser already refuses addresses as names; this guards content built elsewhere.
fn check_target(content: &RecordContent, at: Option<ChangeRef>) -> Result<()> {
    let is_address = content
        .target()
        .is_some_and(|t| t.strip_suffix('.').unwrap_or(t).parse::<IpAddr>().is_ok());
    if is_address {
        Err(RuleViolation::TargetIsAddress { at })
    } else {
        Ok(())
    }
}

/// One TTL per RRset: the smallest TTL this change asks for wins for the whole set; otherwise
/// new records join the set's current TTL, or the zone default for a new set.
fn resolve_ttls(
    entries: &mut [Entry],
    votes: &HashMap<(String, RecordType), Ttl>,
    default_ttl: Ttl,
) {
    let mut current: HashMap<(String, RecordType), Ttl> = HashMap::new();
    for e in entries.iter().filter(|e| e.existing()) {
        if let Some(ttl) = e.ttl {
            let key = (e.name.fqdn().to_owned(), e.rtype());
            current
                .entry(key)
                .and_modify(|t| *t = (*t).min(ttl))
                .or_insert(ttl);
        }
    }
    for e in entries.iter_mut() {
        let key = (e.name.fqdn().to_owned(), e.rtype());
        if let Some(ttl) = votes.get(&key) {
            e.ttl = Some(*ttl);
        } else if e.ttl.is_none() {
            e.ttl = Some(current.get(&key).copied().unwrap_or(default_ttl));
        }
    }
}

/// Coexistence rules at every name the change touches.
fn check_names(zone: &ZoneName, entries: &[Entry]) -> Result<()> {
    let touched: BTreeSet<&RecordName> = entries
        .iter()
        .filter(|e| e.at.is_some())
        .map(|e| &e.name)
        .collect();
    let mut at_name: HashMap<&RecordName, Vec<&Entry>> = HashMap::new();
    for e in entries.iter().filter(|e| touched.contains(&e.name)) {
        at_name.entry(&e.name).or_default().push(e);
    }
    for name in touched.iter().copied() {
        let here: Vec<&Entry> = at_name.remove(name).unwrap_or_default();
        for single in [
            RecordType::CNAME,
            RecordType::DNAME,
            RecordType::SOA,
            RecordType::ALIAS,
        ] {
            if let Some((at, conflicts)) = clash(&here, |t| t == single, |t| t == single) {
                return Err(RuleViolation::SingleValueType {
                    name: name.clone(),
                    rtype: single,
                    conflicts,
                    at,
                });
            }
        }
        if let Some((at, conflicts)) = clash(
            &here,
            |t| t == RecordType::CNAME,
            |t| t != RecordType::CNAME,
        ) {
            return Err(RuleViolation::CnameConflict {
                name: name.clone(),
                conflicts,
                at,
            });
        }
        let is_address = |t| t == RecordType::A || t == RecordType::AAAA;
        if let Some((at, conflicts)) = clash(&here, |t| t == RecordType::ALIAS, is_address) {
            return Err(RuleViolation::AliasConflict {
                name: name.clone(),
                conflicts,
                at,
            });
        }
        if !name.is_apex(zone)
            && let Some((at, conflicts)) =
                clash(&here, |t| t == RecordType::DNAME, |t| t == RecordType::NS)
        {
            return Err(RuleViolation::DnameNsConflict {
                name: name.clone(),
                conflicts,
                at,
            });
        }
    }
    Ok(())
}

/// Whether records of the `left` and `right` kinds collide at one name (for a single-valued
/// type, both sides are that type and a collision needs two records). Returns the touched
/// record at fault and the untouched records on the other side.
fn clash(
    here: &[&Entry],
    left: impl Fn(RecordType) -> bool,
    right: impl Fn(RecordType) -> bool,
) -> Option<(Option<ChangeRef>, Vec<RecordId>)> {
    let lefts: Vec<&&Entry> = here.iter().filter(|e| left(e.rtype())).collect();
    let rights: Vec<&&Entry> = here.iter().filter(|e| right(e.rtype())).collect();
    let same_kind =
        lefts.len() == rights.len() && lefts.iter().zip(&rights).all(|(a, b)| a.id == b.id);
    let collides = if same_kind {
        lefts.len() > 1
    } else {
        !lefts.is_empty() && !rights.is_empty()
    };
    if !collides {
        return None;
    }
    let culprit = lefts.iter().chain(&rights).find(|e| e.at.is_some())?;
    let culprit_left = left(culprit.rtype());
    let others = if same_kind || !culprit_left {
        &lefts
    } else {
        &rights
    };
    let conflicts = others
        .iter()
        .filter(|e| e.at.is_none())
        .map(|e| e.id)
        .collect();
    Some((culprit.at, conflicts))
}

/// The plan of the merged `entries`; `before` holds every record of the zone at the touched
/// names, deleted ones included.
fn finish(
    before: &[&Record],
    entries: Vec<Entry>,
    deletes: Vec<RecordId>,
    duplicates: Vec<Duplicate>,
    default_ttl: Ttl,
) -> MergedChangeSet {
    // Every entry has a TTL once `resolve_ttls` ran; the default only keeps this total.
    let ttl_of = |e: &Entry| e.ttl.unwrap_or(default_ttl);
    let rrsets_before = group(before.iter().map(|r| Member::of(r)));
    let rrsets_after = group(entries.iter().map(|e| Member {
        name: e.name.fqdn(),
        rtype: e.rtype(),
        content: e.content.as_str(),
        ttl: ttl_of(e).seconds(),
        disabled: e.disabled,
    }));
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for e in &entries {
        let ttl = ttl_of(e);
        match e.original {
            Some(orig) => {
                if orig.content != e.content || orig.ttl != ttl || orig.disabled != e.disabled {
                    updates.push(Record {
                        content: e.content.clone(),
                        ttl,
                        disabled: e.disabled,
                        ..orig.clone()
                    });
                }
            }
            None => creates.push(PlannedRecord {
                id: e.id,
                name: e.name.clone(),
                content: e.content.clone(),
                ttl,
                disabled: e.disabled,
                system: e.system,
            }),
        }
    }
    MergedChangeSet {
        creates,
        updates,
        deletes,
        duplicates,
        rrsets_before,
        rrsets_after,
    }
}
