//! Changes applied to a zone: serials, replacements, deletions, CNAME switches, rejected
//! change sets and concurrent applies.

use super::*;
use crate::support::backends::Served;
use crate::support::contract::contract;

contract!(
    DnsBackend:
    serial_rises_after_every_apply,
    replace_changes_answers,
    delete_makes_names_vanish,
    cname_switch_in_one_apply,
    rejected_change_leaves_zone_unchanged,
    concurrent_applies_all_land,
);

async fn serial_rises_after_every_apply(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("serial.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let mut last = serial(dns, &z).await;
    for (i, address) in ["192.0.2.50", "192.0.2.51", "192.0.2.52"]
        .into_iter()
        .enumerate()
    {
        let change =
            RrSetChange::Replace(rrset(&name_in(&z, "www"), RecordType::A, 300, &[address]));
        backend.apply(&z, &[change]).await.expect("apply");
        let now = serial(dns, &z).await;
        assert!(
            now > last,
            "apply {i}: serial {now} did not rise above {last}"
        );
        last = now;
    }

    // Rewriting the SOA itself (the store sends a placeholder serial) must not move it back.
    let mut new_soa = soa_of(&z);
    new_soa.records[0].content = soa::soa_content(
        &z,
        "ns9.example.net",
        0,
        SoaTimers {
            minimum: 300,
            ..SoaTimers::default()
        },
    );
    backend
        .apply(&z, &[RrSetChange::Replace(new_soa.clone())])
        .await
        .expect("apply SOA");
    let now = serial(dns, &z).await;
    assert!(
        now > last,
        "SOA rewrite: serial {now} did not rise above {last}"
    );
    let reply = query(dns, z.fqdn(), "SOA").await;
    assert_answer(
        &reply,
        RecordType::SOA,
        3600,
        &[&soa::with_serial(&new_soa.records[0].content, now)],
    );
}

async fn replace_changes_answers(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("replace.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let www = name_in(&z, "www");
    backend
        .apply(
            &z,
            &[
                RrSetChange::Replace(rrset(&www, RecordType::A, 120, &["198.51.100.7"])),
                RrSetChange::Replace(rrset(&www, RecordType::AAAA, 120, &["2001:db8::7"])),
                RrSetChange::Replace(rrset(
                    &name_in(&z, "_acme-challenge"),
                    RecordType::TXT,
                    60,
                    &["\"token-abc\""],
                )),
            ],
        )
        .await
        .expect("apply");
    assert_answer(
        &query(dns, &www, "A").await,
        RecordType::A,
        120,
        &["198.51.100.7"],
    );
    assert_answer(
        &query(dns, &www, "AAAA").await,
        RecordType::AAAA,
        120,
        &["2001:db8::7"],
    );
    assert_answer(
        &query(dns, &name_in(&z, "_acme-challenge"), "TXT").await,
        RecordType::TXT,
        60,
        &["\"token-abc\""],
    );
}

async fn delete_makes_names_vanish(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("delete.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let www = name_in(&z, "www");
    backend
        .apply(
            &z,
            &[RrSetChange::Delete {
                name: www.clone(),
                rtype: RecordType::A,
            }],
        )
        .await
        .expect("delete");
    assert_nxdomain(&query(dns, &www, "A").await);
    // A REPLACE with no records deletes too.
    let mail = name_in(&z, "mail");
    backend
        .apply(
            &z,
            &[RrSetChange::Replace(rrset(&mail, RecordType::A, 300, &[]))],
        )
        .await
        .expect("empty replace");
    assert_nxdomain(&query(dns, &mail, "A").await);
    let content = zone_content(backend, &z).await;
    assert!(
        !content.iter().any(|s| s.name == www || s.name == mail),
        "{content:?}"
    );
}

async fn cname_switch_in_one_apply(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("cname.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let www = name_in(&z, "www");
    backend
        .apply(
            &z,
            &[
                RrSetChange::Delete {
                    name: www.clone(),
                    rtype: RecordType::A,
                },
                RrSetChange::Replace(rrset(
                    &www,
                    RecordType::CNAME,
                    300,
                    &["target.example.net."],
                )),
            ],
        )
        .await
        .expect("apply");
    // Asked for A, the server gives the CNAME at the name (the target is elsewhere).
    let reply = query(dns, &www, "A").await;
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.authoritative, "{reply:?}");
    assert_eq!(
        reply.answer_wire("CNAME"),
        wire_of(RecordType::CNAME, &["target.example.net."]),
        "{reply:?}"
    );
    assert!(reply.answers_of("A").is_empty(), "{reply:?}");
    assert_answer(
        &query(dns, &www, "CNAME").await,
        RecordType::CNAME,
        300,
        &["target.example.net."],
    );

    // And back again.
    backend
        .apply(
            &z,
            &[
                RrSetChange::Delete {
                    name: www.clone(),
                    rtype: RecordType::CNAME,
                },
                RrSetChange::Replace(rrset(&www, RecordType::A, 300, &["192.0.2.99"])),
            ],
        )
        .await
        .expect("apply");
    assert_answer(
        &query(dns, &www, "A").await,
        RecordType::A,
        300,
        &["192.0.2.99"],
    );
}

async fn rejected_change_leaves_zone_unchanged(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("rejected.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let before = zone_content(backend, &z).await;
    let serial_before = serial(dns, &z).await;

    let bad_batches = [
        // A good change followed by content PowerDNS 4.x refuses (no trailing dot).
        vec![
            RrSetChange::Replace(rrset(
                &name_in(&z, "www"),
                RecordType::A,
                300,
                &["192.0.2.200"],
            )),
            RrSetChange::Replace(rrset(
                &name_in(&z, "alias"),
                RecordType::CNAME,
                300,
                &["target.example.net"],
            )),
        ],
        // Garbage content.
        vec![RrSetChange::Replace(rrset(
            &name_in(&z, "www"),
            RecordType::A,
            300,
            &["not-an-address"],
        ))],
        // CNAME beside other data.
        vec![RrSetChange::Replace(rrset(
            &name_in(&z, "www"),
            RecordType::CNAME,
            300,
            &["target.example.net."],
        ))],
        // A name outside the zone.
        vec![RrSetChange::Replace(rrset(
            "www.elsewhere.example.",
            RecordType::A,
            300,
            &["192.0.2.1"],
        ))],
    ];
    for batch in bad_batches {
        let err = backend
            .apply(&z, &batch)
            .await
            .expect_err(&format!("{batch:?} accepted"));
        assert_eq!(err.kind, BackendErrorKind::Rejected, "{batch:?}: {err:?}");
        assert!(!err.message.is_empty());
    }
    assert_eq!(zone_content(backend, &z).await, before);
    assert_eq!(serial(dns, &z).await, serial_before);
    assert_answer(
        &query(dns, &name_in(&z, "www"), "A").await,
        RecordType::A,
        300,
        &["192.0.2.10", "192.0.2.11"],
    );
}

/// Polls all `futures` concurrently on this task (they borrow the backend, so no spawning).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}

async fn concurrent_applies_all_land(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("concurrent.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let before = serial(dns, &z).await;
    let names: Vec<String> = (0..12).map(|i| name_in(&z, &format!("host{i}"))).collect();
    let applies = names.iter().enumerate().map(|(i, name)| {
        let change = RrSetChange::Replace(rrset(
            name,
            RecordType::A,
            300,
            &[&format!("192.0.2.{}", i + 1)],
        ));
        let z = z.clone();
        async move { backend.apply(&z, &[change]).await }
    });
    for result in join_all(applies.collect()).await {
        result.expect("concurrent apply");
    }
    for (i, name) in names.iter().enumerate() {
        assert_answer(
            &query(dns, name, "A").await,
            RecordType::A,
            300,
            &[&format!("192.0.2.{}", i + 1)],
        );
    }
    let content = zone_content(backend, &z).await;
    assert_eq!(
        content
            .iter()
            .filter(|s| s.rtype == RecordType::SOA)
            .count(),
        1,
        "{content:?}"
    );
    assert_eq!(
        content
            .iter()
            .find(|s| s.rtype == RecordType::SOA)
            .unwrap()
            .records
            .len(),
        1
    );
    assert!(serial(dns, &z).await > before);
}
