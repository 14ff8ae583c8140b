//! The `DnsBackend` contract, written once and run against PowerDNS 4.7 (a private instance per
//! test) and the embedded backend (served on 127.0.0.1:0). Every behaviour is checked through
//! the port and with real DNS queries on loopback.

use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;

use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::{BackendErrorKind, DnsBackend, ZoneSpec};
use scaidns_core::record::RecordType;
use scaidns_core::zone::soa::{self, SoaTimers};
use scaidns_core::zone::{RrData, RrSet, RrSetChange};

use crate::support::dns::{DnsReply, ResponseCode, query, query_tcp, wire_of};
use crate::support::pdns::PdnsServer;

/// A backend under test, the address answering for it, and whatever keeps it running.
struct Target {
    backend: Arc<dyn DnsBackend>,
    dns: SocketAddr,
    _keep: Box<dyn Any + Send>,
}

async fn powerdns() -> Target {
    let server = PdnsServer::start().await;
    Target {
        backend: Arc::new(server.backend()),
        dns: server.dns_addr,
        _keep: Box::new(server),
    }
}

async fn embedded() -> Target {
    let backend = EmbeddedBackend::new();
    let handle = backend
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("embedded listener");
    Target {
        dns: handle.local_addr(),
        backend: Arc::new(backend),
        _keep: Box::new(handle),
    }
}

/// Runs each behaviour against both backends.
macro_rules! backend_suite {
    ($($behaviour:ident),* $(,)?) => {
        mod powerdns {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let target = super::powerdns().await;
                    super::$behaviour(&*target.backend, target.dns).await;
                }
            )*
        }
        mod embedded {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let target = super::embedded().await;
                    super::$behaviour(&*target.backend, target.dns).await;
                }
            )*
        }
    };
}

backend_suite!(
    created_zone_answers_exactly_what_was_written,
    get_zone_returns_what_was_written,
    serial_rises_after_every_apply,
    replace_changes_answers,
    delete_makes_names_vanish,
    negative_answers_carry_the_soa,
    cname_switch_in_one_apply,
    rejected_change_leaves_zone_unchanged,
    delete_zone_stops_answers_and_is_idempotent,
    create_on_existing_zone_converges,
    list_zones_lists_every_zone,
    disabled_records_are_kept_but_not_served,
    wildcards_and_delegations,
    apply_to_missing_zone_is_not_found,
    answers_over_tcp,
    concurrent_applies_all_land,
);

// ---------------------------------------------------------------------------------------------
// Fixtures

fn zone(name: &str) -> ZoneName {
    ZoneName::parse(name).expect("zone name")
}

fn rrset(name: &str, rtype: RecordType, ttl: u32, contents: &[&str]) -> RrSet {
    let mut records: Vec<RrData> = contents
        .iter()
        .map(|c| RrData {
            content: (*c).to_owned(),
            disabled: false,
        })
        .collect();
    records.sort();
    RrSet {
        name: name.to_owned(),
        rtype,
        ttl,
        records,
    }
}

fn soa_of(zone: &ZoneName) -> RrSet {
    let content = soa::soa_content(zone, "ns1.example.net", 0, SoaTimers::default());
    rrset(zone.fqdn(), RecordType::SOA, 3600, &[&content])
}

/// SOA + NS + A + TXT + MX, the zone most behaviours start from.
fn spec(zone: &ZoneName) -> ZoneSpec {
    let z = zone.fqdn();
    ZoneSpec {
        name: zone.clone(),
        rrsets: vec![
            soa_of(zone),
            rrset(
                z,
                RecordType::NS,
                3600,
                &["ns1.example.net.", "ns2.example.net."],
            ),
            rrset(
                &format!("www.{z}"),
                RecordType::A,
                300,
                &["192.0.2.10", "192.0.2.11"],
            ),
            rrset(
                z,
                RecordType::TXT,
                600,
                &["\"v=spf1 -all\"", "\"hello\" \"world\""],
            ),
            rrset(
                z,
                RecordType::MX,
                900,
                &[&format!("10 mail.{z}"), &format!("20 backup.{z}")],
            ),
            rrset(&format!("mail.{z}"), RecordType::A, 300, &["192.0.2.25"]),
        ],
        account: "tenant-contract".to_owned(),
    }
}

fn name_in(zone: &ZoneName, label: &str) -> String {
    format!("{label}.{}", zone.fqdn())
}

/// Sorts and blanks the SOA serial, so two zone contents compare on what the caller controls.
fn normalised(mut rrsets: Vec<RrSet>) -> Vec<RrSet> {
    for set in &mut rrsets {
        set.records.sort();
        if set.rtype == RecordType::SOA {
            for record in &mut set.records {
                record.content = soa::with_serial(&record.content, 0);
            }
        }
    }
    rrsets.sort_by(|a, b| (&a.name, a.rtype.as_str()).cmp(&(&b.name, b.rtype.as_str())));
    rrsets
}

async fn zone_content(backend: &dyn DnsBackend, zone: &ZoneName) -> Vec<RrSet> {
    let content = backend
        .get_zone(zone)
        .await
        .expect("get_zone")
        .expect("zone exists");
    normalised(content)
}

async fn serial(dns: SocketAddr, zone: &ZoneName) -> u32 {
    let reply = query(dns, zone.fqdn(), "SOA").await;
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    reply.soa_serial().expect("SOA in the answer")
}

/// The reply answers `rtype` with exactly `contents` at `ttl`, authoritatively.
fn assert_answer(reply: &DnsReply, rtype: RecordType, ttl: u32, contents: &[&str]) {
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.authoritative, "AA bit missing: {reply:?}");
    assert_eq!(
        reply.answer_wire(rtype.as_str()),
        wire_of(rtype, contents),
        "{reply:?}"
    );
    for rr in reply.answers_of(rtype.as_str()) {
        assert_eq!(rr.ttl, ttl, "{reply:?}");
    }
}

fn assert_nxdomain(reply: &DnsReply) {
    assert_eq!(reply.rcode, ResponseCode::NXDomain, "{reply:?}");
    assert!(reply.authoritative, "{reply:?}");
    assert!(reply.answers.is_empty(), "{reply:?}");
    assert!(
        reply.has_soa_in_authority(),
        "NXDOMAIN without SOA: {reply:?}"
    );
}

fn assert_nodata(reply: &DnsReply) {
    assert_eq!(reply.rcode, ResponseCode::NoError, "{reply:?}");
    assert!(reply.authoritative, "{reply:?}");
    assert!(reply.answers.is_empty(), "{reply:?}");
    assert!(
        reply.has_soa_in_authority(),
        "NODATA without SOA: {reply:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Behaviours

async fn created_zone_answers_exactly_what_was_written(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn get_zone_returns_what_was_written(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn serial_rises_after_every_apply(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn replace_changes_answers(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn delete_makes_names_vanish(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn negative_answers_carry_the_soa(backend: &dyn DnsBackend, dns: SocketAddr) {
    let z = zone("negative.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    assert_nodata(&query(dns, &name_in(&z, "www"), "TXT").await);
    assert_nxdomain(&query(dns, &name_in(&z, "nothing-here"), "A").await);
    // A name outside every zone the server holds.
    let reply = query(dns, "www.not-served.example.", "A").await;
    assert_eq!(reply.rcode, ResponseCode::Refused, "{reply:?}");
}

async fn cname_switch_in_one_apply(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn rejected_change_leaves_zone_unchanged(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn delete_zone_stops_answers_and_is_idempotent(backend: &dyn DnsBackend, dns: SocketAddr) {
    let z = zone("gone.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    backend.delete_zone(&z).await.expect("delete_zone");
    assert_eq!(backend.get_zone(&z).await.expect("get_zone"), None);
    assert!(!backend.list_zones().await.expect("list_zones").contains(&z));
    let reply = query(dns, &name_in(&z, "www"), "A").await;
    assert_eq!(reply.rcode, ResponseCode::Refused, "{reply:?}");
    backend.delete_zone(&z).await.expect("second delete_zone");
}

async fn create_on_existing_zone_converges(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn list_zones_lists_every_zone(backend: &dyn DnsBackend, _dns: SocketAddr) {
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

async fn disabled_records_are_kept_but_not_served(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn wildcards_and_delegations(backend: &dyn DnsBackend, dns: SocketAddr) {
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

async fn apply_to_missing_zone_is_not_found(backend: &dyn DnsBackend, _dns: SocketAddr) {
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

async fn answers_over_tcp(backend: &dyn DnsBackend, dns: SocketAddr) {
    let z = zone("tcp.example");
    backend.create_zone(&spec(&z)).await.expect("create_zone");
    assert_answer(
        &query_tcp(dns, &name_in(&z, "www"), "A").await,
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

async fn concurrent_applies_all_land(backend: &dyn DnsBackend, dns: SocketAddr) {
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

// ---------------------------------------------------------------------------------------------
// PowerDNS only

mod powerdns_only {
    use std::time::Duration;

    use scaidns_core::adapters::pdns::{PdnsConfig, PowerDnsBackend};
    use scaidns_core::dnssec::{KeyRole, NewKey};
    use scaidns_core::ports::backend::{BackendErrorKind, DnsBackend};
    use scaidns_core::ports::dnssec_keys::DnssecKeyBackend;

    use super::{spec, zone};
    use crate::support::pdns::PdnsServer;

    #[tokio::test]
    async fn unreachable_api_is_unavailable() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = PdnsConfig::new(format!("http://127.0.0.1:{port}"), "irrelevant");
        config.timeout = Duration::from_secs(2);
        let backend = PowerDnsBackend::new(config).unwrap();
        let z = zone("unreachable.example");
        assert_eq!(
            backend.health().await.unwrap_err().kind,
            BackendErrorKind::Unavailable
        );
        let err = backend.create_zone(&spec(&z)).await.unwrap_err();
        assert_eq!(err.kind, BackendErrorKind::Unavailable);
        assert!(err.is_transient());
        assert_eq!(
            backend.get_zone(&z).await.unwrap_err().kind,
            BackendErrorKind::Unavailable
        );
        assert_eq!(
            backend.list_zones().await.unwrap_err().kind,
            BackendErrorKind::Unavailable
        );
    }

    #[tokio::test]
    async fn wrong_api_key_is_unavailable_and_not_leaked() {
        let server = PdnsServer::start().await;
        let mut config = server.config();
        config.api_key = "wrong-key-value".into();
        let backend = PowerDnsBackend::new(config).unwrap();
        let err = backend.health().await.unwrap_err();
        assert_eq!(err.kind, BackendErrorKind::Unavailable);
        assert!(!err.message.contains("wrong-key-value"));
        assert!(!format!("{backend:?}").contains("wrong-key-value"));
        assert!(!format!("{:?}", server.config()).contains(&server.api_key));
    }

    #[tokio::test]
    async fn cryptokeys_add_list_toggle_remove() {
        let server = PdnsServer::start().await;
        let backend = server.backend();
        let z = zone("keys.example");
        backend.create_zone(&spec(&z)).await.unwrap();
        assert!(backend.list_keys(&z).await.unwrap().is_empty());

        let ksk = backend
            .add_key(
                &z,
                &NewKey {
                    role: KeyRole::Ksk,
                    algorithm: 13,
                    bits: None,
                    active: true,
                    published: true,
                },
            )
            .await
            .unwrap();
        // PowerDNS reports a KSK as CSK while the zone has no ZSK of the same algorithm.
        assert!(matches!(ksk.role, KeyRole::Ksk | KeyRole::Csk), "{ksk:?}");
        assert_eq!(ksk.algorithm, 13);
        assert_eq!(ksk.bits, 256);
        assert!(ksk.active && ksk.published);
        assert!(ksk.dnskey.starts_with("257 3 13 "), "{}", ksk.dnskey);
        assert!(!ksk.ds.is_empty());
        for ds in &ksk.ds {
            let digest_type = ds.split_whitespace().nth(2).unwrap();
            assert!(digest_type == "2" || digest_type == "4", "{ds}");
        }

        let zsk = backend
            .add_key(
                &z,
                &NewKey {
                    role: KeyRole::Zsk,
                    algorithm: 13,
                    bits: Some(256),
                    active: false,
                    published: true,
                },
            )
            .await
            .unwrap();
        assert_eq!(zsk.role, KeyRole::Zsk);
        assert!(!zsk.active);
        assert!(zsk.ds.is_empty());
        assert!(zsk.dnskey.starts_with("256 3 13 "), "{}", zsk.dnskey);

        let keys = backend.list_keys(&z).await.unwrap();
        assert_eq!(keys.len(), 2, "{keys:?}");
        assert_eq!(keys.iter().find(|k| k.id == zsk.id).unwrap(), &zsk);

        backend.set_key_state(&z, zsk.id, true, true).await.unwrap();
        let keys = backend.list_keys(&z).await.unwrap();
        let listed_ksk = keys.iter().find(|k| k.id == ksk.id).unwrap();
        assert_eq!(
            listed_ksk.role,
            KeyRole::Ksk,
            "beside an active ZSK the SEP key is a KSK"
        );
        assert_eq!(listed_ksk.dnskey, ksk.dnskey);
        assert_eq!(listed_ksk.ds, ksk.ds);

        backend
            .set_key_state(&z, ksk.id, false, false)
            .await
            .unwrap();
        let keys = backend.list_keys(&z).await.unwrap();
        let zsk_now = keys.iter().find(|k| k.id == zsk.id).unwrap();
        let ksk_now = keys.iter().find(|k| k.id == ksk.id).unwrap();
        assert!(zsk_now.active && zsk_now.published);
        assert!(!ksk_now.active && !ksk_now.published);

        backend.remove_key(&z, ksk.id).await.unwrap();
        let keys = backend.list_keys(&z).await.unwrap();
        assert_eq!(keys.iter().map(|k| k.id).collect::<Vec<_>>(), vec![zsk.id]);
        assert_eq!(
            backend.remove_key(&z, ksk.id).await.unwrap_err().kind,
            BackendErrorKind::NotFound
        );
        assert_eq!(
            backend
                .set_key_state(&z, 9999, true, true)
                .await
                .unwrap_err()
                .kind,
            BackendErrorKind::NotFound
        );

        // NOTIFY on a Native zone is accepted or quietly skipped.
        backend.notify(&z).await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Embedded only

mod embedded_only {
    use std::net::SocketAddr;

    use std::marker::PhantomData;

    use scaidns_core::adapters::embedded::EmbeddedBackend;
    use scaidns_core::adapters::pdns::PowerDnsBackend;
    use scaidns_core::ports::backend::DnsBackend;
    use scaidns_core::ports::dnssec_keys::DnssecKeyBackend;

    use super::{spec, zone};
    use crate::support::dns::{query, try_query_tcp};

    /// Whether `T` implements the DNSSEC key port, answered at compile time through autoref
    /// specialisation: the impl on `Probe<T>` needs the bound and is picked first when it holds;
    /// otherwise method lookup falls through to the impl on `&Probe<T>`.
    struct Probe<T>(PhantomData<T>);

    trait HasKeys {
        fn has_keys(&self) -> bool;
    }

    impl<T: DnssecKeyBackend> HasKeys for Probe<T> {
        fn has_keys(&self) -> bool {
            true
        }
    }

    trait HasNoKeys {
        fn has_keys(&self) -> bool;
    }

    impl<T> HasNoKeys for &Probe<T> {
        fn has_keys(&self) -> bool {
            false
        }
    }

    #[test]
    fn dnssec_is_unsupported() {
        // DNSSEC keys are a port of their own; the embedded backend does not implement it, so a
        // service built on it has no key port and answers `dnssec_unsupported`
        // (`dnssec_lifecycle::embedded_backend_names_powerdns_as_the_requirement`).
        let embedded = &Probe::<EmbeddedBackend>(PhantomData);
        assert!(!embedded.has_keys());
        let powerdns = &Probe::<PowerDnsBackend>(PhantomData);
        assert!(powerdns.has_keys());
    }

    #[tokio::test]
    async fn zones_published_before_serving_are_answered_and_shutdown_stops_the_listener() {
        let backend = EmbeddedBackend::new();
        let z = zone("early.example");
        backend.create_zone(&spec(&z)).await.unwrap();
        let handle = backend
            .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let addr = handle.local_addr();
        assert_ne!(addr.port(), 0);
        let reply = query(addr, &format!("www.{}", z.fqdn()), "A").await;
        assert_eq!(reply.answers.len(), 2, "{reply:?}");
        handle.shutdown().await.unwrap();
        assert!(
            try_query_tcp(addr, z.fqdn(), "SOA").await.is_err(),
            "still answering after shutdown"
        );
    }

    #[tokio::test]
    async fn serials_are_dated_and_count_changes() {
        use chrono::TimeZone;
        use scaidns_core::ports::clock::ManualClock;
        use scaidns_core::record::RecordType;
        use scaidns_core::zone::RrSetChange;

        let clock = std::sync::Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2026, 1, 26, 12, 0, 0).unwrap(),
        ));
        let backend = EmbeddedBackend::with_clock(clock.clone());
        let handle = backend
            .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let z = zone("dated.example");
        backend.create_zone(&spec(&z)).await.unwrap();
        let soa_serial = || async {
            query(handle.local_addr(), z.fqdn(), "SOA")
                .await
                .soa_serial()
        };
        assert_eq!(soa_serial().await, Some(2_026_012_601));
        let www = format!("www.{}", z.fqdn());
        let change = RrSetChange::Replace(super::rrset(&www, RecordType::A, 300, &["192.0.2.1"]));
        backend
            .apply(&z, std::slice::from_ref(&change))
            .await
            .unwrap();
        assert_eq!(soa_serial().await, Some(2_026_012_602));
        clock.advance(chrono::Duration::days(1));
        backend.apply(&z, &[change]).await.unwrap();
        assert_eq!(soa_serial().await, Some(2_026_012_701));
        // Re-creating an existing zone continues its numbering.
        backend.create_zone(&spec(&z)).await.unwrap();
        assert_eq!(soa_serial().await, Some(2_026_012_702));
    }

    #[tokio::test]
    async fn alias_is_stored_but_answered_as_nodata() {
        let backend = EmbeddedBackend::new();
        let handle = backend
            .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let z = zone("alias.example");
        let mut spec = spec(&z);
        spec.rrsets.push(super::rrset(
            &format!("cdn.{}", z.fqdn()),
            scaidns_core::record::RecordType::ALIAS,
            300,
            &["target.example.net."],
        ));
        backend.create_zone(&spec).await.unwrap();
        let reply = query(handle.local_addr(), &format!("cdn.{}", z.fqdn()), "A").await;
        super::assert_nodata(&reply);
        let content = backend.get_zone(&z).await.unwrap().unwrap();
        assert!(
            content
                .iter()
                .any(|s| s.rtype == scaidns_core::record::RecordType::ALIAS)
        );
    }
}
