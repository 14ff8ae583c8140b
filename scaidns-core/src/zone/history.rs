//! Zone history: what every generation step of a zone changed, RRset by RRset, with who made
//! it and when. An entry is written in the same transaction as its step (the store's
//! `write_zone`), so the entries of a zone are contiguous from its first kept one to its
//! current generation; the state at an older generation is the current one with every later
//! step undone ([`diff`]), which is what a diff and a restore are computed from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{ActorType, AuditEvent};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{TenantId, ZoneId};
use crate::name::ZoneName;
use crate::record::RecordType;
use crate::record::name::relative_name;
use crate::zone::Zone;
use crate::zone::change_set::{RrSetDelta, compose, invert};

/// One generation step of a zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The zone.
    pub zone_id: ZoneId,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The generation this step made.
    pub generation: i64,
    /// The step's main audit action (`record.create`, `zone.import`, `domain.update`, …).
    pub action: String,
    /// Who made it.
    pub actor_type: ActorType,
    /// Actor id (user id, key id), if any.
    pub actor_id: Option<String>,
    /// Actor e-mail, if any.
    pub actor_email: Option<String>,
    /// The request that made it.
    pub request_id: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// The RRsets it changed, before and after; empty for a step that changed no record
    /// (metadata, lifecycle, DNSSEC).
    pub changes: Vec<RrSetDelta>,
}

impl HistoryEntry {
    /// The entry of a write that steps `zone` to its generation: the actor, request and time of
    /// its audit entries (the zone-level one names the action when there is one, so an import
    /// reads as `zone.import` rather than as its first record), or the system's when it has
    /// none.
    pub fn of_step(zone: &Zone, audit: &[AuditEvent], changes: Vec<RrSetDelta>) -> Self {
        let main = main_event(audit);
        Self {
            zone_id: zone.id,
            tenant_id: zone.tenant_id,
            generation: zone.generation,
            action: main.map_or_else(|| "zone.change".to_owned(), |e| e.action.clone()),
            actor_type: main.map_or(ActorType::System, |e| e.actor_type),
            actor_id: main.and_then(|e| e.actor_id.clone()),
            actor_email: main.and_then(|e| e.actor_email.clone()),
            request_id: main.and_then(|e| e.request_id.clone()),
            created_at: main.map_or(zone.updated_at, |e| e.created_at),
            changes,
        }
    }
}

/// The audit entry a step's history entry takes its action, actor, request and time from:
/// the zone-level one when there is one (an import reads as `zone.import`, not as its first
/// record), else the first.
pub(crate) fn main_event(audit: &[AuditEvent]) -> Option<&AuditEvent> {
    audit
        .iter()
        .find(|e| matches!(e.resource_type.as_str(), "zone" | "domain"))
        .or_else(|| audit.first())
}

/// 410 `history_expired`: a generation whose entry is no longer kept (retention, the per-zone
/// cap, or a step made before history was kept).
pub fn history_expired(generation: i64) -> Error {
    Error::new(
        ErrorKind::Gone,
        "history_expired",
        format!(
            "generation {generation} is older than the history kept for this zone (ZONE_HISTORY_RETENTION_DAYS, ZONE_HISTORY_MAX_ENTRIES)"
        ),
    )
}

/// 404 `generation_not_found`: a generation the zone has not reached.
pub fn generation_not_found(generation: i64) -> Error {
    Error::new(
        ErrorKind::NotFound,
        "generation_not_found",
        format!("the zone has no generation {generation}"),
    )
}

/// Refuses unless `entries` (oldest first) are exactly the steps `from..=to`: a gap or a
/// missing start means part of the span is no longer kept (410).
pub fn check_span(entries: &[HistoryEntry], from: i64, to: i64) -> Result<()> {
    let contiguous = entries
        .iter()
        .zip(from..=to)
        .all(|(e, g)| e.generation == g);
    let expected = usize::try_from(to - from + 1).unwrap_or(usize::MAX);
    if contiguous && entries.len() == expected {
        Ok(())
    } else {
        Err(history_expired(from))
    }
}

/// The change from generation `from` to generation `to` (either order), given the steps
/// `min..=max` of the two, oldest first ([`check_span`]): the steps after the older one
/// composed, inverted when going back.
pub fn diff(entries: &[HistoryEntry], from: i64, to: i64) -> Vec<RrSetDelta> {
    let (low, high) = (from.min(to), from.max(to));
    let composed = compose(
        entries
            .iter()
            .filter(|e| e.generation > low && e.generation <= high)
            .map(|e| e.changes.as_slice()),
    );
    if from <= to {
        composed
    } else {
        invert(&composed)
    }
}

/// Whether a restore brings this RRset back: SOA and apex NS are the platform's (interface
/// decision 5), so they stay as they are now. (The signer's DNSSEC records are never records
/// of the store, so no history holds them.)
pub fn restorable(zone: &ZoneName, delta: &RrSetDelta) -> bool {
    match delta.rtype {
        RecordType::SOA => false,
        RecordType::NS => relative_name(zone, &delta.name) != "@",
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::RrData;
    use crate::zone::RrSet;
    use crate::zone::change_set::change_set;

    fn www(content: &str) -> RrSet {
        RrSet {
            name: "www.example.com.".into(),
            rtype: RecordType::A,
            ttl: 300,
            records: vec![RrData {
                content: content.into(),
                disabled: false,
            }],
        }
    }

    fn entry(generation: i64, changes: Vec<RrSetDelta>) -> HistoryEntry {
        HistoryEntry {
            zone_id: ZoneId::new(),
            tenant_id: TenantId::new(),
            generation,
            action: "record.update".into(),
            actor_type: ActorType::User,
            actor_id: None,
            actor_email: None,
            request_id: None,
            created_at: Utc::now(),
            changes,
        }
    }

    #[test]
    fn a_diff_goes_either_way_and_a_gap_is_expired() {
        let entries = vec![
            entry(1, change_set(&[], &[www("192.0.2.1")])),
            entry(2, change_set(&[www("192.0.2.1")], &[www("192.0.2.2")])),
            entry(3, Vec::new()),
        ];
        check_span(&entries, 1, 3).unwrap();
        let forward = diff(&entries, 1, 3);
        assert_eq!(forward.len(), 1);
        assert_eq!(forward[0].after, Some(www("192.0.2.2")));
        let back = diff(&entries, 3, 1);
        assert_eq!(back[0].after, Some(www("192.0.2.1")));
        assert!(diff(&entries, 2, 2).is_empty());
        let err = check_span(&entries[1..], 1, 3).unwrap_err();
        assert_eq!(err.code(), "history_expired");
        assert!(check_span(&[entries[0].clone(), entries[2].clone()], 1, 3).is_err());
    }

    #[test]
    fn system_and_dnssec_sets_are_not_restored_but_delegations_are() {
        let zone = ZoneName::parse("example.com").unwrap();
        let delta = |name: &str, rtype| RrSetDelta {
            name: name.into(),
            rtype,
            before: None,
            after: None,
        };
        assert!(!restorable(&zone, &delta("example.com.", RecordType::SOA)));
        assert!(!restorable(&zone, &delta("example.com.", RecordType::NS)));
        assert!(restorable(
            &zone,
            &delta("sub.example.com.", RecordType::NS)
        ));
        assert!(restorable(&zone, &delta("www.example.com.", RecordType::A)));
    }
}
