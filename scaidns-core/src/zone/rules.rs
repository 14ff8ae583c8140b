//! Zone-level record rules: what may coexist at a name, where types may appear, which records
//! belong to the platform, and how a change set merges with the zone's current records.
//!
//! [`check_change`] is a pure function over the zone's records and a proposed [`ChangeSet`]; it
//! returns the merged plan (records to insert, update and delete, duplicates found, and the
//! RRsets at the names it touches before and after, to publish) or the first [`RuleViolation`].
//! It enforces at least everything PowerDNS 4.7 enforces on a PATCH (powerdns.md §8.4), so a
//! plan that passes here is not refused by the backend after the store has committed it.
//! References: RFC 1034 §3.6.2 and RFC 2181 §10.1 (CNAME), RFC 2181 §5.2 (one TTL per RRset),
//! RFC 6672 (DNAME), RFC 4035 §2.4 (DS), interface decisions 5, 10 and 11.

mod plan;
mod rrsets;
mod scope;
mod settle;
mod violation;

#[cfg(test)]
mod equivalence;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use plan::check_change;
pub use rrsets::{diff_rrsets, rrsets_of, same_rrset};
pub(crate) use scope::records_with_ids;
pub use settle::{MAX_REFUSED, MAX_WORK, Settled, settle_change};
pub use violation::{ChangeRef, RuleViolation};

use crate::ids::{RecordId, ZoneId};
use crate::name::ZoneName;
use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
use crate::zone::RrSet;

/// What to do with a created record identical (name, type, content) to one already in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Refuse with `record_exists` (single-record create, interface decision 11).
    Reject,
    /// Keep the existing record but take the new TTL and disabled flag (import `merge`).
    Update,
    /// Leave the existing record untouched (bulk create, import `skip_existing`).
    Skip,
}

/// A record to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// Owner name.
    pub name: RecordName,
    /// Type and canonical content.
    pub content: RecordContent,
    /// TTL; `None` takes the RRset's current TTL, or the zone default for a new RRset.
    pub ttl: Option<Ttl>,
    /// Kept but not served.
    pub disabled: bool,
}

/// A change to an existing record; name and type are immutable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordUpdate {
    /// The record.
    pub id: RecordId,
    /// New content (same type).
    pub content: Option<RecordContent>,
    /// New TTL, applied to the whole RRset (interface decision 10).
    pub ttl: Option<Ttl>,
    /// New disabled flag.
    pub disabled: Option<bool>,
}

/// A proposed change to a zone's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// Records to add.
    pub creates: Vec<NewRecord>,
    /// Records to change.
    pub updates: Vec<RecordUpdate>,
    /// Records to remove.
    pub deletes: Vec<RecordId>,
    /// TTL for records created without one in a new RRset.
    pub default_ttl: Ttl,
    /// Handling of creates that duplicate existing records.
    pub on_duplicate: OnDuplicate,
    /// Made by the platform itself (zone creation, nameserver rewrite): may touch SOA and apex NS.
    pub system: bool,
}

impl ChangeSet {
    /// An empty user change set.
    pub fn new(default_ttl: Ttl) -> Self {
        Self {
            creates: Vec::new(),
            updates: Vec::new(),
            deletes: Vec::new(),
            default_ttl,
            on_duplicate: OnDuplicate::Reject,
            system: false,
        }
    }
}

/// A record the plan inserts (its id is chosen at planning time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRecord {
    /// New id.
    pub id: RecordId,
    /// Owner name.
    pub name: RecordName,
    /// Content.
    pub content: RecordContent,
    /// Resolved TTL.
    pub ttl: Ttl,
    /// Kept but not served.
    pub disabled: bool,
    /// SOA or apex NS.
    pub system: bool,
}

/// A duplicate found while merging, reported back to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The create that duplicated something.
    pub at: ChangeRef,
    /// Owner name.
    pub name: RecordName,
    /// Content.
    pub content: RecordContent,
    /// The existing record it matched, or `None` when it matched an earlier create.
    pub existing: Option<RecordId>,
}

/// The outcome of [`check_change`]: what to write and what to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedChangeSet {
    /// Records to insert.
    pub creates: Vec<PlannedRecord>,
    /// Existing records with their new values (content, TTL, disabled); includes siblings whose
    /// TTL follows an RRset TTL change. `updated_at` is left as it was.
    pub updates: Vec<Record>,
    /// Records to remove.
    pub deletes: Vec<RecordId>,
    /// Duplicates merged away.
    pub duplicates: Vec<Duplicate>,
    /// The RRsets at the names this change touches (its creates', and those of the records it
    /// updates or deletes), before the change: every RRset it can alter, and no other.
    pub rrsets_before: Vec<RrSet>,
    /// The RRsets at the names this change touches, after the change; [`diff_rrsets`] or
    /// [`crate::zone::change_set::change_set`] of the two is the change's whole effect on the
    /// zone's RRsets.
    pub rrsets_after: Vec<RrSet>,
}

impl MergedChangeSet {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.updates.is_empty() && self.deletes.is_empty()
    }

    /// Inserted and updated records as the store writes them, stamped `now`.
    pub fn upserts(&self, zone_id: ZoneId, now: DateTime<Utc>) -> Vec<Record> {
        let created = self.creates.iter().map(|p| Record {
            id: p.id,
            zone_id,
            name: p.name.clone(),
            content: p.content.clone(),
            ttl: p.ttl,
            disabled: p.disabled,
            system: p.system,
            created_at: now,
            updated_at: now,
        });
        let updated = self.updates.iter().map(|r| Record {
            updated_at: now,
            ..r.clone()
        });
        created.chain(updated).collect()
    }
}

/// Whether a record of `rtype` at `name` belongs to the platform (SOA, apex NS).
pub fn is_system_managed(zone: &ZoneName, name: &RecordName, rtype: RecordType) -> bool {
    rtype == RecordType::SOA || (rtype == RecordType::NS && name.is_apex(zone))
}
