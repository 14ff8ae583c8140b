//! What is served: negative answers, disabled records, wildcards and delegations, TCP.

use super::*;
use crate::support::backends::Served;
use crate::support::contract::contract;

contract!(
    DnsBackend:
    negative_answers_carry_the_soa,
    disabled_records_are_kept_but_not_served,
    wildcards_and_delegations,
    answers_over_tcp,
);

async fn negative_answers_carry_the_soa(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("negative.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    assert_nodata(&query(dns, &name_in(&z, "www"), "TXT").await);
    assert_nxdomain(&query(dns, &name_in(&z, "nothing-here"), "A").await);
    // A name outside every zone the server holds.
    let reply = query(dns, "www.not-served.example.", "A").await;
    assert_eq!(reply.rcode, ResponseCode::Refused, "{reply:?}");
}

async fn disabled_records_are_kept_but_not_served(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("disabled.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    let www = name_in(&z, "www");
    let mut set = rrset(&www, RecordType::A, 300, &["192.0.2.1", "192.0.2.2"]);
    set.records[1].disabled = true;
    backend
        .apply(&z, &[RrSetChange::Replace(set.clone())])
        .await
        .expect("apply");
    assert_answer(
        &query(dns, &www, "A").await,
        RecordType::A,
        300,
        &["192.0.2.1"],
    );
    let content = zone_content(backend, &z).await;
    let stored = content
        .iter()
        .find(|s| s.name == www && s.rtype == RecordType::A)
        .expect("www A");
    assert_eq!(stored.records, set.records);
}

async fn wildcards_and_delegations(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("wild.example");
    let mut spec = spec(&z);
    spec.rrsets.push(rrset(
        &name_in(&z, "*.apps"),
        RecordType::A,
        300,
        &["192.0.2.80"],
    ));
    spec.rrsets.push(rrset(
        &name_in(&z, "child"),
        RecordType::NS,
        3600,
        &["ns1.child-dns.example.net."],
    ));
    spec.rrsets.push(rrset(
        &name_in(&z, "child"),
        RecordType::DS,
        3600,
        &["12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
    ));
    backend.create_zone(&spec).await.expect("create_zone");

    // RFC 4592: the wildcard answers for a name that does not exist, under the queried name.
    let reply = query(dns, &name_in(&z, "anything.apps"), "A").await;
    assert_answer(&reply, RecordType::A, 300, &["192.0.2.80"]);
    assert_eq!(reply.answers[0].name, name_in(&z, "anything.apps"));
    // `apps` itself is an empty non-terminal: NODATA, not NXDOMAIN.
    assert_nodata(&query(dns, &name_in(&z, "apps"), "A").await);

    // Below a delegation the server refers: NS in the authority section, no answers.
    let reply = query(dns, &name_in(&z, "www.child"), "A").await;
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.answers.is_empty(), "{reply:?}");
    let ns: Vec<&str> = reply
        .authority
        .iter()
        .filter(|rr| rr.rtype == "NS")
        .map(|rr| rr.name.as_str())
        .collect();
    assert_eq!(ns, vec![name_in(&z, "child").as_str()], "{reply:?}");
    // The DS of the child is answered by the parent, authoritatively.
    assert_answer(
        &query(dns, &name_in(&z, "child"), "DS").await,
        RecordType::DS,
        3600,
        &["12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],
    );
}

async fn answers_over_tcp(target: &Served) {
    let (backend, dns) = (&*target.backend, target.dns);
    let z = zone("tcp.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    assert_answer(
        &query_tcp(dns, &name_in(&z, "www"), "A").await,
        RecordType::A,
        300,
        &["192.0.2.10", "192.0.2.11"],
    );
}
