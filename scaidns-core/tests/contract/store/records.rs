//! Records inside zone writes: uniqueness, replace/swap/delete, listing filters and order.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    duplicate_records_are_refused,
    records_are_replaced_swapped_and_deleted,
    list_records_filters_and_orders,
    many_records_name_the_first_duplicate,
    one_record_id_twice_is_refused,
    new_records_are_inserted_beside_upserts,
    a_new_record_with_a_stored_id_is_refused,
);

async fn duplicate_records_are_refused(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    let original = record(&zone, "www", RecordType::A, "192.0.2.1");
    w.upsert_records.push(original.clone());
    let zone = put(store, w).await;

    let mut w = change(&zone);
    let innocent = record(&zone, "other", RecordType::A, "192.0.2.7");
    w.upsert_records = vec![
        innocent.clone(),
        record(&zone, "WWW.example.com.", RecordType::A, "192.0.2.1"),
    ];
    w.audit.push(event(None, "record.create", "dup"));
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.message(), "Record already exists");
    assert_eq!(err.conflicts(), [original.id.to_string()]);
    assert_eq!(all_records(store, zone.id).await, vec![original.clone()]);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone.clone()));
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.action != "record.create")
    );

    // Two identical records in one write.
    let mut w = change(&zone);
    let twin = record(&zone, "twin", RecordType::TXT, "\"same\"");
    w.upsert_records = vec![
        twin.clone(),
        record(&zone, "twin", RecordType::TXT, "\"same\""),
    ];
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.conflicts(), [twin.id.to_string()]);

    // Same name and content with another type, same content elsewhere, TXT differing in case.
    let mut w = change(&zone);
    w.upsert_records = vec![
        record(&zone, "www", RecordType::AAAA, "2001:db8::1"),
        record(&zone, "www2", RecordType::A, "192.0.2.1"),
        record(&zone, "txt", RecordType::TXT, "\"Hello\""),
        record(&zone, "txt", RecordType::TXT, "\"hello\""),
    ];
    put(store, w).await;
    let other_zone = new_zone(TenantId::new(), "example.net");
    let mut w = create(&other_zone);
    w.upsert_records
        .push(record(&other_zone, "www", RecordType::A, "192.0.2.1"));
    put(store, w).await;
    assert_eq!(store.count_records().await.unwrap(), 6);
}

async fn records_are_replaced_swapped_and_deleted(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "example.com");
    let a = record(&zone, "a", RecordType::A, "192.0.2.1");
    let b = record(&zone, "a", RecordType::A, "192.0.2.2");
    let c = record(&zone, "c", RecordType::MX, "10 mail.example.com.");
    let mut w = create(&zone);
    w.upsert_records = vec![a.clone(), b.clone(), c.clone()];
    let zone = put(store, w).await;

    // Swap the contents of a and b in one write, and change c's TTL.
    let mut w = change(&zone);
    let (mut a2, mut b2, mut c2) = (a.clone(), b.clone(), c.clone());
    a2.content = b.content.clone();
    b2.content = a.content.clone();
    c2.ttl = Ttl::new(86_400).unwrap();
    c2.disabled = true;
    c2.updated_at = at(30);
    w.upsert_records = vec![a2.clone(), b2.clone(), c2.clone()];
    let zone = put(store, w).await;
    assert_eq!(
        store.get_record(zone.id, a.id).await.unwrap(),
        Some(a2.clone())
    );
    assert_eq!(
        store.get_record(zone.id, b.id).await.unwrap(),
        Some(b2.clone())
    );
    assert_eq!(
        store.get_record(zone.id, c.id).await.unwrap(),
        Some(c2.clone())
    );

    // Delete one; a delete naming another zone's record or an unknown id changes nothing.
    let other = new_zone(TenantId::new(), "example.org");
    let foreign = record(&other, "x", RecordType::A, "192.0.2.50");
    let mut w = create(&other);
    w.upsert_records.push(foreign.clone());
    put(store, w).await;
    let mut w = change(&zone);
    w.delete_records = vec![a.id, foreign.id, RecordId::new()];
    put(store, w).await;
    assert_eq!(all_records(store, zone.id).await, vec![b2, c2]);
    assert_eq!(
        store.get_record(other.id, foreign.id).await.unwrap(),
        Some(foreign.clone())
    );
    // A record is only found through its own zone.
    assert!(
        store
            .get_record(zone.id, foreign.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn list_records_filters_and_orders(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut soa = record(
        &zone,
        "@",
        RecordType::SOA,
        "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
    );
    soa.system = true;
    let mut ns = record(&zone, "@", RecordType::NS, "ns1.example.net.");
    ns.system = true;
    let records = vec![
        soa.clone(),
        ns.clone(),
        record(&zone, "www", RecordType::A, "192.0.2.2"),
        record(&zone, "www", RecordType::A, "192.0.2.1"),
        record(&zone, "www", RecordType::AAAA, "2001:db8::1"),
        record(
            &zone,
            "_sip._tcp",
            RecordType::SRV,
            "10 5 5060 sip.example.com.",
        ),
        record(&zone, "asip", RecordType::TXT, "\"Mixed Case Text\""),
        record(&zone, "@", RecordType::MX, "10 mail.example.com."),
    ];
    let mut w = create(&zone);
    w.upsert_records = records.clone();
    put(store, w).await;

    let list = |f: RecordFilter| async move { store.list_records(zone.id, &f).await.unwrap() };
    let keys = |rs: &[Record]| {
        rs.iter()
            .map(|r| format!("{} {} {}", r.name, r.rtype(), r.content.as_str()))
            .collect::<Vec<_>>()
    };

    let mut expected: Vec<&Record> = records.iter().filter(|r| !r.system).collect();
    expected.sort_by(|x, y| {
        (x.name.as_str(), x.rtype().as_str(), x.content.as_str()).cmp(&(
            y.name.as_str(),
            y.rtype().as_str(),
            y.content.as_str(),
        ))
    });
    let got = list(RecordFilter::default()).await;
    assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{:?}", keys(&got));
    assert_eq!(got[0].name.as_str(), "_sip._tcp.example.com");

    let got = list(RecordFilter {
        include_system: true,
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), records.len());
    assert!(got.contains(&soa) && got.contains(&ns));

    let got = list(RecordFilter {
        rtype: Some(RecordType::A),
        ..Default::default()
    })
    .await;
    assert_eq!(
        keys(&got),
        ["www.example.com A 192.0.2.1", "www.example.com A 192.0.2.2"]
    );

    let got = list(RecordFilter {
        rtype: Some(RecordType::NS),
        ..Default::default()
    })
    .await;
    assert!(got.is_empty(), "system records are hidden by default");

    let got = list(RecordFilter {
        name_contains: Some("WWW.Example".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 3);
    // `_` is a literal underscore, not "any character".
    let got = list(RecordFilter {
        name_contains: Some("_sip".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        keys(&got),
        ["_sip._tcp.example.com SRV 10 5 5060 sip.example.com."]
    );
    let got = list(RecordFilter {
        name_contains: Some("%".into()),
        ..Default::default()
    })
    .await;
    assert!(got.is_empty());

    // `query` matches the name or the content, case-insensitively.
    let got = list(RecordFilter {
        query: Some("mixed case".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rtype(), RecordType::TXT);
    let got = list(RecordFilter {
        query: Some("mail.example".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(keys(&got), ["example.com MX 10 mail.example.com."]);
    let got = list(RecordFilter {
        query: Some("sip".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(got.len(), 2);
    let got = list(RecordFilter {
        query: Some("www".into()),
        rtype: Some(RecordType::AAAA),
        ..Default::default()
    })
    .await;
    assert_eq!(keys(&got), ["www.example.com AAAA 2001:db8::1"]);

    assert!(
        store
            .list_records(ZoneId::new(), &RecordFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.count_records().await.unwrap(), records.len() as u64);
}

/// Records are inserted many to a statement: a large write lands whole, and a duplicate past
/// the first statement's rows is still refused naming what it duplicates, with nothing applied.
async fn many_records_name_the_first_duplicate(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    w.upsert_records = (0..1200)
        .map(|i| record(&zone, &format!("h{i}"), RecordType::A, "192.0.2.1"))
        .collect();
    let existing = w.upsert_records[3].clone();
    let zone = put(store, w).await;
    assert_eq!(all_records(store, zone.id).await.len(), 1200);

    let mut w = change(&zone);
    w.upsert_records = (0..700)
        .map(|i| record(&zone, &format!("n{i}"), RecordType::A, "192.0.2.2"))
        .collect();
    // Past the first 500 rows: a twin of a row of this write, then one of a stored record.
    let twin = w.upsert_records[520].clone();
    let mut again = record(&zone, "n520", RecordType::A, "192.0.2.2");
    again.ttl = Ttl::new(60).unwrap();
    w.upsert_records[610] = again;
    w.upsert_records[650] = record(&zone, "h3", RecordType::A, "192.0.2.1");
    let err = assert_code(
        store.write_zone(w.clone(), &NoPublish).await,
        "record_exists",
    );
    assert_eq!(err.conflicts(), [twin.id.to_string()]);
    w.upsert_records[610] = record(&zone, "n610", RecordType::A, "192.0.2.2");
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.conflicts(), [existing.id.to_string()]);
    assert_eq!(all_records(store, zone.id).await.len(), 1200);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

/// Two rows of one id in a write (the rules never plan one) are refused, not merged: the batched
/// insert tells skipped rows by id, so the second would otherwise vanish without an error.
async fn one_record_id_twice_is_refused(store: &dyn Store) {
    let zone = put(store, create(&new_zone(TenantId::new(), "example.com"))).await;
    let mut w = change(&zone);
    let first = record(&zone, "www", RecordType::A, "192.0.2.1");
    let mut second = record(&zone, "www", RecordType::A, "192.0.2.2");
    second.id = first.id;
    w.upsert_records = vec![first, second];
    assert_code(store.write_zone(w, &NoPublish).await, "internal_error");
    assert!(all_records(store, zone.id).await.is_empty());
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
}

/// New records go in with the upserts of the same write; a duplicate among them is refused as
/// an upsert's is, naming the record it duplicates, with nothing applied.
async fn new_records_are_inserted_beside_upserts(store: &dyn Store) {
    let zone = new_zone(TenantId::new(), "example.com");
    let mut w = create(&zone);
    let www = record(&zone, "www", RecordType::A, "192.0.2.1");
    let old = record(&zone, "old", RecordType::A, "192.0.2.2");
    w.new_records = vec![www.clone(), old.clone()];
    let zone = put(store, w).await;
    assert_eq!(
        all_records(store, zone.id).await,
        vec![old.clone(), www.clone()]
    );

    // An update frees the content a new record of the same write takes: the replace goes
    // before the insert.
    let mut w = change(&zone);
    let mut moved = www.clone();
    moved.content = RecordContent::parse(RecordType::A, "192.0.2.9", &zone.name).unwrap();
    let taker = record(&zone, "www", RecordType::A, "192.0.2.1");
    w.new_records = vec![taker.clone()];
    w.upsert_records = vec![moved.clone()];
    w.delete_records = vec![old.id];
    let zone = put(store, w).await;
    assert_eq!(
        all_records(store, zone.id).await,
        vec![taker.clone(), moved.clone()]
    );

    let mut w = change(&zone);
    w.new_records = vec![
        record(&zone, "fresh", RecordType::A, "192.0.2.3"),
        record(&zone, "www", RecordType::A, "192.0.2.9"),
    ];
    w.audit.push(event(None, "record.create", "dup"));
    let err = assert_code(store.write_zone(w, &NoPublish).await, "record_exists");
    assert_eq!(err.conflicts(), [moved.id.to_string()]);
    assert_eq!(all_records(store, zone.id).await, vec![taker, moved]);
    assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone));
    assert!(
        all_audit(store)
            .await
            .iter()
            .all(|e| e.resource_id.as_deref() != Some("dup"))
    );
}

/// A new record is inserted, never a replace: one whose id is already stored (in this zone or
/// another) fails the whole write as the bug it is, and the stored record stays as it was.
async fn a_new_record_with_a_stored_id_is_refused(store: &dyn Store) {
    let tenant = TenantId::new();
    let zone = new_zone(tenant, "example.com");
    let mut w = create(&zone);
    let stored = record(&zone, "www", RecordType::A, "192.0.2.1");
    w.new_records = vec![stored.clone()];
    let zone = put(store, w).await;
    let other = new_zone(tenant, "other.example");
    let mut w = create(&other);
    let elsewhere = record(&other, "www", RecordType::A, "192.0.2.1");
    w.new_records = vec![elsewhere.clone()];
    put(store, w).await;
    let audit_before = all_audit(store).await;

    for taken in [stored.id, elsewhere.id] {
        let mut w = change(&zone);
        w.zone.description = Some("lost".into());
        let mut reused = record(&zone, "reused", RecordType::A, "192.0.2.7");
        reused.id = taken;
        w.new_records = vec![
            record(&zone, "innocent", RecordType::A, "192.0.2.8"),
            reused,
        ];
        w.audit.push(event(Some(tenant), "record.create", "reused"));
        let err = assert_code(store.write_zone(w, &NoPublish).await, "internal_error");
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert_eq!(all_records(store, zone.id).await, vec![stored.clone()]);
        assert_eq!(all_records(store, other.id).await, vec![elsewhere.clone()]);
        assert_eq!(store.get_zone(zone.id).await.unwrap(), Some(zone.clone()));
        assert_eq!(all_audit(store).await, audit_before);
    }
}
