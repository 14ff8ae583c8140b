//! One test per rule, plus merging, TTL handling and the plan's RRsets.

use chrono::DateTime;

use super::*;
use crate::error::{Error, ErrorKind};
use crate::zone::RrSetChange;

fn zone() -> ZoneName {
    ZoneName::parse("example.com").unwrap()
}

fn ttl(s: i64) -> Ttl {
    Ttl::new(s).unwrap()
}

fn rec(name: &str, rtype: RecordType, content: &str, seconds: i64) -> Record {
    let z = zone();
    let name = RecordName::parse(name, &z).unwrap();
    let epoch = DateTime::from_timestamp(0, 0).unwrap();
    Record {
        id: RecordId::new(),
        zone_id: ZoneId::new(),
        system: is_system_managed(&z, &name, rtype),
        name,
        content: RecordContent::parse(rtype, content, &z).unwrap(),
        ttl: ttl(seconds),
        disabled: false,
        created_at: epoch,
        updated_at: epoch,
    }
}

fn new(name: &str, rtype: RecordType, content: &str) -> NewRecord {
    let z = zone();
    NewRecord {
        name: RecordName::parse(name, &z).unwrap(),
        content: RecordContent::parse(rtype, content, &z).unwrap(),
        ttl: None,
        disabled: false,
    }
}

fn creating(records: Vec<NewRecord>) -> ChangeSet {
    ChangeSet {
        creates: records,
        ..ChangeSet::new(ttl(3600))
    }
}

fn base() -> Vec<Record> {
    vec![
        rec(
            "@",
            RecordType::SOA,
            "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
            3600,
        ),
        rec("@", RecordType::NS, "ns1.example.net.", 3600),
        rec("www", RecordType::A, "192.0.2.1", 300),
    ]
}

fn violation(existing: &[Record], cs: &ChangeSet) -> RuleViolation {
    check_change(&zone(), existing, cs).unwrap_err()
}

#[test]
fn cname_cannot_join_other_data() {
    let existing = base();
    let www_a = existing[2].id;
    let v = violation(
        &existing,
        &creating(vec![new("www", RecordType::CNAME, "web.example.net")]),
    );
    assert_eq!(v.code(), "cname_conflict");
    assert_eq!(v.conflicts(), vec![www_a]);
    assert_eq!(v.at(), Some(ChangeRef::Create(0)));
    let e = Error::from(v);
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.conflicts(), [www_a.to_string()]);

    let mut with_cname = base();
    with_cname.push(rec("alias", RecordType::CNAME, "web.example.net", 300));
    let cname_id = with_cname[3].id;
    let v = violation(
        &with_cname,
        &creating(vec![new("alias", RecordType::TXT, "hello")]),
    );
    assert_eq!(
        (v.code(), v.conflicts()),
        ("cname_conflict", vec![cname_id])
    );
}

#[test]
fn disabled_records_still_count_for_coexistence() {
    let mut existing = base();
    existing[2].disabled = true;
    let v = violation(
        &existing,
        &creating(vec![new("www", RecordType::CNAME, "web.example.net")]),
    );
    assert_eq!(v.code(), "cname_conflict");
}

#[test]
fn switching_a_to_cname_in_one_change_deletes_first() {
    let existing = base();
    let www_a = existing[2].id;
    let mut cs = creating(vec![new("www", RecordType::CNAME, "web.example.net")]);
    cs.deletes.push(www_a);
    let plan = check_change(&zone(), &existing, &cs).unwrap();
    assert_eq!(plan.deletes, vec![www_a]);
    assert_eq!(plan.creates.len(), 1);
    let changes = diff_rrsets(&plan.rrsets_before, &plan.rrsets_after);
    assert!(matches!(
        &changes[0],
        RrSetChange::Delete {
            rtype: RecordType::A,
            ..
        }
    ));
    assert!(matches!(&changes[1], RrSetChange::Replace(s) if s.rtype == RecordType::CNAME));
    assert_eq!(changes.len(), 2);
}

#[test]
fn cname_not_at_apex() {
    let v = violation(
        &base(),
        &creating(vec![new("@", RecordType::CNAME, "web.example.net")]),
    );
    assert_eq!(v.code(), "cname_at_apex");
    assert_eq!(Error::from(v).kind(), ErrorKind::InvalidInput);
}

#[test]
fn single_valued_types() {
    let two = creating(vec![
        new("x", RecordType::CNAME, "a.example.net"),
        new("x", RecordType::CNAME, "b.example.net"),
    ]);
    let v = violation(&base(), &two);
    assert_eq!(v.code(), "single_value_type");
    assert!(v.conflicts().is_empty());
    assert_eq!(v.at(), Some(ChangeRef::Create(0)));

    let mut existing = base();
    existing.push(rec("d", RecordType::DNAME, "example.net", 300));
    let dname = existing[3].id;
    let v = violation(
        &existing,
        &creating(vec![new("d", RecordType::DNAME, "example.org")]),
    );
    assert_eq!(
        (v.code(), v.conflicts()),
        ("single_value_type", vec![dname])
    );

    let aliases = creating(vec![
        new("@", RecordType::ALIAS, "a.example.net"),
        new("@", RecordType::ALIAS, "b.example.net"),
    ]);
    assert_eq!(violation(&base(), &aliases).code(), "single_value_type");
}

#[test]
fn alias_and_addresses_do_not_mix() {
    let existing = base();
    let v = violation(
        &existing,
        &creating(vec![new("www", RecordType::ALIAS, "lb.example.net")]),
    );
    assert_eq!(
        (v.code(), v.conflicts()),
        ("alias_conflict", vec![existing[2].id])
    );
    assert!(
        check_change(
            &zone(),
            &existing,
            &creating(vec![new("@", RecordType::ALIAS, "lb.example.net")])
        )
        .is_ok()
    );
}

#[test]
fn dname_and_ns_only_together_at_apex() {
    let cs = creating(vec![
        new("sub", RecordType::NS, "ns.example.net"),
        new("sub", RecordType::DNAME, "example.org"),
    ]);
    assert_eq!(violation(&base(), &cs).code(), "dname_ns_conflict");
    assert!(
        check_change(
            &zone(),
            &base(),
            &creating(vec![new("@", RecordType::DNAME, "example.org")])
        )
        .is_ok()
    );
}

#[test]
fn soa_and_apex_ns_are_system_managed() {
    let existing = base();
    let soa = creating(vec![new(
        "@",
        RecordType::SOA,
        "ns2.example.net. h.example.com. 1 2 3 4 5",
    )]);
    assert_eq!(violation(&existing, &soa).code(), "system_managed");
    let v = violation(
        &existing,
        &creating(vec![new("@", RecordType::NS, "ns9.example.net")]),
    );
    assert_eq!((v.code(), v.field()), ("ns_at_apex", "name"));

    let mut delete_ns = ChangeSet::new(ttl(3600));
    delete_ns.deletes.push(existing[1].id);
    assert_eq!(violation(&existing, &delete_ns).code(), "system_managed");
    let mut update_soa = ChangeSet::new(ttl(3600));
    update_soa.updates.push(RecordUpdate {
        id: existing[0].id,
        content: None,
        ttl: Some(ttl(60)),
        disabled: None,
    });
    assert_eq!(violation(&existing, &update_soa).code(), "system_managed");

    let delegation = creating(vec![new("sub", RecordType::NS, "ns.example.net")]);
    let plan = check_change(&zone(), &existing, &delegation).unwrap();
    assert!(!plan.creates[0].system);

    let mut platform = creating(vec![new("@", RecordType::NS, "ns2.example.net")]);
    platform.system = true;
    platform.deletes.push(existing[1].id);
    let plan = check_change(&zone(), &existing, &platform).unwrap();
    assert!(plan.creates[0].system);
    let mut stray_soa = soa;
    stray_soa.system = true;
    stray_soa.creates[0].name = RecordName::parse("sub", &zone()).unwrap();
    assert_eq!(violation(&existing, &stray_soa).code(), "soa_outside_apex");
}

#[test]
fn ptr_only_in_reverse_zones() {
    let v = violation(
        &base(),
        &creating(vec![new("1", RecordType::PTR, "host.example.com")]),
    );
    assert_eq!((v.code(), v.field()), ("ptr_outside_reverse_zone", "type"));
    let rz = ZoneName::parse("2.0.192.in-addr.arpa").unwrap();
    let cs = creating(vec![NewRecord {
        name: RecordName::parse("10", &rz).unwrap(),
        content: RecordContent::parse(RecordType::PTR, "host.example.com", &rz).unwrap(),
        ttl: None,
        disabled: false,
    }]);
    assert!(check_change(&rz, &[], &cs).is_ok());
}

#[test]
fn ds_only_below_apex() {
    let ds = "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_eq!(
        violation(&base(), &creating(vec![new("@", RecordType::DS, ds)])).code(),
        "ds_at_apex"
    );
    assert!(
        check_change(
            &zone(),
            &base(),
            &creating(vec![new("sub", RecordType::DS, ds)])
        )
        .is_ok()
    );
}

#[test]
fn duplicates_are_merged_rejected_or_skipped() {
    let existing = base();
    let www_a = existing[2].id;
    let twice = creating(vec![
        new("api", RecordType::A, "192.0.2.7"),
        new("api", RecordType::A, "192.0.2.7"),
    ]);
    let plan = check_change(&zone(), &existing, &twice).unwrap();
    assert_eq!(plan.creates.len(), 1);
    assert_eq!(plan.duplicates.len(), 1);
    assert_eq!(
        (plan.duplicates[0].at, plan.duplicates[0].existing),
        (ChangeRef::Create(1), None)
    );

    let mut again = creating(vec![new("www", RecordType::A, "192.0.2.1")]);
    let v = violation(&existing, &again);
    assert_eq!((v.code(), v.conflicts()), ("record_exists", vec![www_a]));
    assert_eq!(Error::from(v).kind(), ErrorKind::Conflict);

    again.on_duplicate = OnDuplicate::Skip;
    again.creates[0].ttl = Some(ttl(60));
    let plan = check_change(&zone(), &existing, &again).unwrap();
    assert!(plan.is_empty());
    assert_eq!(plan.duplicates[0].existing, Some(www_a));

    again.on_duplicate = OnDuplicate::Update;
    again.creates[0].disabled = true;
    let plan = check_change(&zone(), &existing, &again).unwrap();
    assert!(plan.creates.is_empty());
    assert_eq!(plan.updates.len(), 1);
    assert_eq!(
        (
            plan.updates[0].id,
            plan.updates[0].ttl,
            plan.updates[0].disabled
        ),
        (www_a, ttl(60), true)
    );
}

#[test]
fn ttl_belongs_to_the_rrset() {
    let existing = base();
    let plan = check_change(
        &zone(),
        &existing,
        &creating(vec![new("www", RecordType::A, "192.0.2.2")]),
    )
    .unwrap();
    assert_eq!(plan.creates[0].ttl, ttl(300), "joins the set's TTL");
    assert!(plan.updates.is_empty());

    let plan = check_change(
        &zone(),
        &existing,
        &creating(vec![new("new", RecordType::A, "192.0.2.2")]),
    )
    .unwrap();
    assert_eq!(plan.creates[0].ttl, ttl(3600), "zone default for a new set");

    let mut explicit = new("www", RecordType::A, "192.0.2.2");
    explicit.ttl = Some(ttl(60));
    let plan = check_change(&zone(), &existing, &creating(vec![explicit])).unwrap();
    assert_eq!(plan.creates[0].ttl, ttl(60));
    assert_eq!(
        (plan.updates[0].id, plan.updates[0].ttl),
        (existing[2].id, ttl(60)),
        "sibling follows"
    );
    let www = plan
        .rrsets_after
        .iter()
        .find(|s| s.name == "www.example.com.")
        .unwrap();
    assert_eq!((www.ttl, www.records.len()), (60, 2));
}

#[test]
fn update_rules() {
    let mut existing = base();
    existing.push(rec("www", RecordType::A, "192.0.2.2", 300));
    let (a1, a2) = (existing[2].id, existing[3].id);
    let z = zone();
    let upd = |id, content: Option<&str>| RecordUpdate {
        id,
        content: content.map(|c| RecordContent::parse(RecordType::A, c, &z).unwrap()),
        ttl: None,
        disabled: None,
    };
    let with = |updates: Vec<RecordUpdate>, deletes: Vec<RecordId>| ChangeSet {
        updates,
        deletes,
        ..ChangeSet::new(ttl(3600))
    };

    let v = violation(&existing, &with(vec![upd(RecordId::new(), None)], vec![]));
    assert_eq!(
        (v.code(), Error::from(v).kind()),
        ("record_not_found", ErrorKind::NotFound)
    );
    let v = violation(&existing, &with(vec![upd(a1, None), upd(a1, None)], vec![]));
    assert_eq!(
        (v.code(), v.at()),
        ("conflicting_edits", Some(ChangeRef::Update(1)))
    );
    assert_eq!(
        violation(&existing, &with(vec![upd(a1, None)], vec![a1])).code(),
        "conflicting_edits"
    );
    let v = violation(&existing, &with(vec![upd(a1, Some("192.0.2.2"))], vec![]));
    assert_eq!((v.code(), v.conflicts()), ("record_exists", vec![a2]));
    let mut retype = upd(a1, None);
    retype.content = Some(RecordContent::parse(RecordType::AAAA, "2001:db8::1", &z).unwrap());
    assert_eq!(
        violation(&existing, &with(vec![retype], vec![])).code(),
        "type_immutable"
    );

    let mut ttl_change = upd(a1, Some("192.0.2.9"));
    ttl_change.ttl = Some(ttl(120));
    let plan = check_change(&z, &existing, &with(vec![ttl_change], vec![])).unwrap();
    assert_eq!(
        plan.updates.len(),
        2,
        "both records of the set take the new TTL"
    );
    assert!(plan.updates.iter().all(|r| r.ttl == ttl(120)));
    assert!(
        plan.updates
            .iter()
            .any(|r| r.id == a1 && r.content.as_str() == "192.0.2.9")
    );
}

#[test]
fn older_problems_elsewhere_are_not_blamed() {
    let mut existing = base();
    existing.push(rec("legacy", RecordType::CNAME, "a.example.net", 300));
    existing.push(rec("legacy", RecordType::TXT, "old", 300));
    assert!(
        check_change(
            &zone(),
            &existing,
            &creating(vec![new("fresh", RecordType::A, "192.0.2.5")])
        )
        .is_ok()
    );
}

#[test]
fn plan_matches_written_records() {
    let existing = base();
    let mut cs = creating(vec![new("mail", RecordType::MX, "10 mx.example.net")]);
    cs.updates.push(RecordUpdate {
        id: existing[2].id,
        content: None,
        ttl: None,
        disabled: Some(true),
    });
    let plan = check_change(&zone(), &existing, &cs).unwrap();
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let upserts = plan.upserts(existing[0].zone_id, now);
    assert_eq!(upserts.len(), 2);
    assert!(upserts.iter().all(|r| r.updated_at == now));
    let mut after: Vec<Record> = existing
        .iter()
        .filter(|r| !upserts.iter().any(|u| u.id == r.id))
        .cloned()
        .collect();
    after.extend(upserts);
    // The plan's RRsets are those at the names it touches (mail and www), not the apex's.
    let touched = |sets: Vec<RrSet>| -> Vec<RrSet> {
        sets.into_iter()
            .filter(|s| s.name != "example.com.")
            .collect()
    };
    assert_eq!(touched(rrsets_of(&existing)), plan.rrsets_before);
    assert_eq!(touched(rrsets_of(&after)), plan.rrsets_after);
}
