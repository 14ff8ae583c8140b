//! Every refused item of a change set, not just the first: for requests that report all their
//! bad items at once (bulk changes) and may apply the rest.
//!
//! [`check_change`] stops at the first violation. Here the item at fault is taken out and the
//! rest checked again, until what remains passes; each round takes out one item, so it ends.
//! A violation no single item is blamed for refuses the whole change set. Each round checks
//! the whole set against the whole zone again, so the work is bounded twice: at
//! [`MAX_REFUSED`] refused items, and at [`MAX_WORK`] records and items looked at over all
//! rounds (a large zone with a large batch affords fewer rounds). Past either bound the rest is
//! left unchecked and there is no plan: the list of refused items is incomplete.

use crate::name::ZoneName;
use crate::record::Record;
use crate::zone::rules::{ChangeRef, ChangeSet, MergedChangeSet, RuleViolation, check_change};

/// Refused items after which [`settle_change`] stops checking.
pub const MAX_REFUSED: usize = 200;

/// Zone records plus change-set items checked, summed over the rounds, past which
/// [`settle_change`] stops checking: 200 rounds of 10,000 items against 10,000 records. The
/// first round always runs, whatever its size.
pub const MAX_WORK: usize = 200 * 20_000;

/// The outcome of [`settle_change`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The plan of the items that passed; its duplicates point into the change set given.
    /// `None` when checking stopped at [`MAX_REFUSED`] refused items or at [`MAX_WORK`]:
    /// `refused` is then incomplete.
    pub plan: Option<MergedChangeSet>,
    /// Each refused item (index into the change set given) and why. The violation's own `at`
    /// counts in the reduced set it was found in: use the pair's `ChangeRef`.
    pub refused: Vec<(ChangeRef, RuleViolation)>,
}

/// Checks `proposed` against `existing` like [`check_change`], taking out every item a zone
/// rule refuses (see the module docs).
pub fn settle_change(
    zone: &ZoneName,
    existing: &[Record],
    proposed: &ChangeSet,
) -> Result<Settled, RuleViolation> {
    settle_within(zone, existing, proposed, MAX_REFUSED, MAX_WORK)
}

fn settle_within(
    zone: &ZoneName,
    existing: &[Record],
    proposed: &ChangeSet,
    max_refused: usize,
    max_work: usize,
) -> Result<Settled, RuleViolation> {
    let mut change = proposed.clone();
    let mut creates: Vec<usize> = (0..change.creates.len()).collect();
    let mut updates: Vec<usize> = (0..change.updates.len()).collect();
    let mut deletes: Vec<usize> = (0..change.deletes.len()).collect();
    let mut refused = Vec::new();
    let mut work = 0usize;
    loop {
        let round =
            existing.len() + change.creates.len() + change.updates.len() + change.deletes.len();
        if work > 0 && work.saturating_add(round) > max_work {
            return Ok(Settled {
                plan: None,
                refused,
            });
        }
        work = work.saturating_add(round);
        let violation = match check_change(zone, existing, &change) {
            Ok(mut plan) => {
                for d in &mut plan.duplicates {
                    if let ChangeRef::Create(i) = d.at {
                        d.at = ChangeRef::Create(creates[i]);
                    }
                }
                return Ok(Settled {
                    plan: Some(plan),
                    refused,
                });
            }
            Err(v) => v,
        };
        let original = match violation.at() {
            Some(ChangeRef::Create(i)) if i < creates.len() => {
                change.creates.remove(i);
                ChangeRef::Create(creates.remove(i))
            }
            Some(ChangeRef::Update(i)) if i < updates.len() => {
                change.updates.remove(i);
                ChangeRef::Update(updates.remove(i))
            }
            Some(ChangeRef::Delete(i)) if i < deletes.len() => {
                change.deletes.remove(i);
                ChangeRef::Delete(deletes.remove(i))
            }
            _ => return Err(violation),
        };
        refused.push((original, violation));
        if refused.len() >= max_refused {
            return Ok(Settled {
                plan: None,
                refused,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{RecordContent, RecordName, RecordType, Ttl};
    use crate::zone::rules::NewRecord;

    fn create(zone: &ZoneName, name: &str, rtype: RecordType, content: &str) -> NewRecord {
        NewRecord {
            name: RecordName::parse(name, zone).unwrap(),
            content: RecordContent::parse(rtype, content, zone).unwrap(),
            ttl: None,
            disabled: false,
        }
    }

    #[test]
    fn every_refused_item_is_named_with_its_original_index() {
        let zone = ZoneName::parse("example.com").unwrap();
        let mut cs = ChangeSet::new(Ttl::new(300).unwrap());
        cs.creates = vec![
            create(&zone, "a", RecordType::A, "192.0.2.1"),
            create(&zone, "@", RecordType::CNAME, "elsewhere.example."),
            create(&zone, "b", RecordType::A, "192.0.2.2"),
            // Two items of the batch clash with each other: the CNAME is refused, whatever the order.
            create(&zone, "b", RecordType::CNAME, "elsewhere.example."),
            create(&zone, "c", RecordType::A, "192.0.2.3"),
        ];
        cs.deletes = vec![crate::ids::RecordId::new()];
        let settled = settle_change(&zone, &[], &cs).unwrap();
        let mut refused: Vec<(ChangeRef, &str)> = settled
            .refused
            .iter()
            .map(|(at, v)| (*at, v.code()))
            .collect();
        refused.sort_by_key(|(at, _)| format!("{at:?}"));
        assert_eq!(
            refused,
            [
                (ChangeRef::Create(1), "cname_at_apex"),
                (ChangeRef::Create(3), "cname_conflict"),
                (ChangeRef::Delete(0), "record_not_found"),
            ]
        );
        let plan = settled.plan.unwrap();
        let names: Vec<&str> = plan.creates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a.example.com", "b.example.com", "c.example.com"]);
    }

    #[test]
    fn duplicates_point_at_the_original_items() {
        let zone = ZoneName::parse("example.com").unwrap();
        let mut cs = ChangeSet::new(Ttl::new(300).unwrap());
        cs.creates = vec![
            create(&zone, "@", RecordType::CNAME, "elsewhere.example."),
            create(&zone, "a", RecordType::A, "192.0.2.1"),
            create(&zone, "a", RecordType::A, "192.0.2.1"),
        ];
        let plan = settle_change(&zone, &[], &cs).unwrap().plan.unwrap();
        assert_eq!(plan.creates.len(), 1);
        assert_eq!(plan.duplicates.len(), 1);
        assert_eq!(plan.duplicates[0].at, ChangeRef::Create(2));
    }

    #[test]
    fn checking_stops_after_so_many_refused_items() {
        let zone = ZoneName::parse("example.com").unwrap();
        let mut cs = ChangeSet::new(Ttl::new(300).unwrap());
        for i in 0..=MAX_REFUSED + 10 {
            let name = format!("n{i}");
            cs.creates
                .push(create(&zone, &name, RecordType::A, "192.0.2.1"));
            cs.creates.push(create(
                &zone,
                &name,
                RecordType::CNAME,
                "elsewhere.example.",
            ));
        }
        let settled = settle_change(&zone, &[], &cs).unwrap();
        assert_eq!(settled.plan, None);
        assert_eq!(settled.refused.len(), MAX_REFUSED);
    }

    #[test]
    fn checking_stops_when_the_rounds_would_cost_too_much() {
        let zone = ZoneName::parse("example.com").unwrap();
        let mut cs = ChangeSet::new(Ttl::new(300).unwrap());
        let clashes = 5;
        for i in 0..clashes {
            let name = format!("c{i}");
            cs.creates
                .push(create(&zone, &name, RecordType::A, "192.0.2.1"));
            cs.creates.push(create(
                &zone,
                &name,
                RecordType::CNAME,
                "elsewhere.example.",
            ));
        }
        // Few refused items, but the rounds cost 10 + 9 + 8 items: the third does not fit.
        let settled = settle_within(&zone, &[], &cs, MAX_REFUSED, 10 + 9 + 7).unwrap();
        assert_eq!(settled.plan, None);
        assert_eq!(settled.refused.len(), 2, "stopped before the third refusal");
    }
}
