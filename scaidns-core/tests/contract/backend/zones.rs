//! Zones as a whole: creation, reading back, listing, deletion, re-creation.

use super::*;
use crate::support::backends::Served;
use crate::support::contract::contract;

contract!(
    DnsBackend:
    created_zone_answers_exactly_what_was_written,
    get_zone_returns_what_was_written,
    delete_zone_stops_answers_and_is_idempotent,
    create_on_existing_zone_converges,
    list_zones_lists_every_zone,
    apply_to_missing_zone_is_not_found,
);

async fn created_zone_answers_exactly_what_was_written(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("answers.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");

    let apex = z.fqdn();
    assert_answer(
        &query(dns, &name_in(&z, "www"), "A").await,
        RecordType::A,
        300,
        &["192.0.2.10", "192.0.2.11"],
    );
    assert_answer(
        &query(dns, apex, "TXT").await,
        RecordType::TXT,
        600,
        &["\"v=spf1 -all\"", "\"hello\" \"world\""],
    );
    let mx = [format!("10 mail.{apex}"), format!("20 backup.{apex}")];
    assert_answer(
        &query(dns, apex, "MX").await,
        RecordType::MX,
        900,
        &[&mx[0], &mx[1]],
    );
    assert_answer(
        &query(dns, apex, "NS").await,
        RecordType::NS,
        3600,
        &["ns1.example.net.", "ns2.example.net."],
    );

    let reply = query(dns, apex, "SOA").await;
    let served = reply.soa_serial().expect("SOA");
    assert!(served > 0, "the backend owns the serial and starts above 0");
    let expected = soa::with_serial(&soa_of(&z).records[0].content, served);
    assert_answer(&reply, RecordType::SOA, 3600, &[&expected]);
}

async fn get_zone_returns_what_was_written(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("readback.example");
    let spec = spec(&z);
    backend.create_zone(&spec).await.expect("create_zone");
    assert_eq!(
        zone_content(backend, &z).await,
        normalised(spec.rrsets.clone())
    );

    // The SOA that get_zone reports carries the serial that is served.
    let content = backend.get_zone(&z).await.unwrap().unwrap();
    let soa = content
        .iter()
        .find(|s| s.rtype == RecordType::SOA)
        .expect("SOA");
    assert_eq!(
        soa::serial_of(&soa.records[0].content),
        Some(serial(dns, &z).await)
    );
    assert_eq!(
        backend
            .get_zone(&zone("absent.example"))
            .await
            .expect("get_zone"),
        None
    );
}

async fn delete_zone_stops_answers_and_is_idempotent(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("gone.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    backend.delete_zone(&z).await.expect("delete_zone");
    assert_eq!(backend.get_zone(&z).await.expect("get_zone"), None);
    assert!(!backend.list_zones().await.expect("list_zones").contains(&z));
    let reply = query(dns, &name_in(&z, "www"), "A").await;
    assert_eq!(reply.rcode, ResponseCode::Refused, "{reply:?}");
    backend.delete_zone(&z).await.expect("second delete_zone");
}

async fn create_on_existing_zone_converges(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("converge.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let first_serial = serial(dns, &z).await;

    let zf = z.fqdn();
    let second = ZoneSpec {
        name: z.clone(),
        rrsets: vec![
            soa_of(&z),
            rrset(zf, RecordType::NS, 3600, &["ns3.example.net."]),
            rrset(&name_in(&z, "www"), RecordType::A, 300, &["203.0.113.5"]),
            rrset(&name_in(&z, "new"), RecordType::TXT, 300, &["\"fresh\""]),
        ],
        account: "tenant-contract".to_owned(),
    };
    backend
        .create_zone(&second)
        .await
        .expect("create_zone again");
    assert_eq!(
        zone_content(backend, &z).await,
        normalised(second.rrsets.clone())
    );
    assert_answer(
        &query(dns, &name_in(&z, "www"), "A").await,
        RecordType::A,
        300,
        &["203.0.113.5"],
    );
    assert_answer(
        &query(dns, zf, "NS").await,
        RecordType::NS,
        3600,
        &["ns3.example.net."],
    );
    assert_nxdomain(&query(dns, &name_in(&z, "mail"), "A").await);
    assert_nodata(&query(dns, zf, "MX").await);
    assert!(serial(dns, &z).await > first_serial);

    // The same spec once more changes nothing visible.
    backend
        .create_zone(&second)
        .await
        .expect("create_zone a third time");
    assert_eq!(zone_content(backend, &z).await, normalised(second.rrsets));
}

async fn list_zones_lists_every_zone(target: &Served) {
    let backend = &*target.backend;
    let names = [
        zone("one.example"),
        zone("two.example"),
        zone("sub.two.example"),
    ];
    for name in &names {
        backend.create_zone(&spec(name)).await.expect("create_zone");
    }
    let listed = backend.list_zones().await.expect("list_zones");
    for name in &names {
        assert!(listed.contains(name), "{name} missing from {listed:?}");
    }
    backend.health().await.expect("health");
}

async fn apply_to_missing_zone_is_not_found(target: &Served) {
    let backend = &*target.backend;
    let z = zone("never.example");
    let change = RrSetChange::Replace(rrset(
        &name_in(&z, "www"),
        RecordType::A,
        300,
        &["192.0.2.1"],
    ));
    let err = backend
        .apply(&z, &[change])
        .await
        .expect_err("apply on a missing zone");
    assert_eq!(err.kind, BackendErrorKind::NotFound, "{err:?}");
}
