//! The `Resolver` contract: `HickoryResolver` against every DNS backend's server (PowerDNS and
//! the embedded one, through the `DnsBackend` fixtures), for the answers ownership validation
//! and DS checks rely on.

use std::net::SocketAddr;
use std::time::Duration;

use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::ZoneSpec;
use scaidns_core::ports::resolver::{LookupAnswer, Resolver};
use scaidns_core::record::RecordType;
use scaidns_core::zone::soa::{self, SoaTimers};
use scaidns_core::zone::{RrData, RrSet};

use crate::support::backends::Served;
use crate::support::contract::contract;

contract!(DnsBackend: resolves_what_the_backend_serves);

const DS: &str = "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn rrset(name: &str, rtype: RecordType, contents: &[&str]) -> RrSet {
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
        ttl: 300,
        records,
    }
}

fn spec() -> ZoneSpec {
    let zone = ZoneName::parse("lookup.example").unwrap();
    let z = zone.fqdn().to_owned();
    let soa = soa::soa_content(&zone, "ns1.example.net", 0, SoaTimers::default());
    ZoneSpec {
        rrsets: vec![
            rrset(&z, RecordType::SOA, &[&soa]),
            rrset(
                &z,
                RecordType::NS,
                &["ns1.example.net.", "ns2.example.net."],
            ),
            rrset(
                &format!("_scaidns-challenge.{z}"),
                RecordType::TXT,
                &["\"scaidns-verify=abc123\""],
            ),
            rrset(
                &format!("long.{z}"),
                RecordType::TXT,
                &["\"part one \" \"part two\""],
            ),
            rrset(
                &format!("www.{z}"),
                RecordType::A,
                &["192.0.2.10", "192.0.2.11"],
            ),
            rrset(
                &format!("alias.{z}"),
                RecordType::CNAME,
                &["www.lookup.example."],
            ),
            rrset(
                &format!("child.{z}"),
                RecordType::NS,
                &["ns1.child-dns.example.net."],
            ),
            rrset(&format!("child.{z}"), RecordType::DS, &[DS]),
        ],
        name: zone,
        account: "tenant-resolver".to_owned(),
    }
}

/// A port nothing listens on (UDP queries to it go unanswered or are refused by the OS).
fn dead_server() -> SocketAddr {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap()
}

async fn resolves_what_the_backend_serves(target: &Served) {
    target.backend.create_zone(&spec()).await.unwrap();
    behaves(
        &HickoryResolver::with_timeout(Duration::from_secs(1)),
        target.dns,
    )
    .await;
}

async fn behaves(resolver: &dyn Resolver, server: SocketAddr) {
    let servers = [server];
    let lookup = |name: &'static str, rtype: RecordType| async move {
        resolver
            .lookup(&servers, name, rtype)
            .await
            .unwrap_or_else(|e| panic!("{name} {rtype}: {e}"))
    };

    assert_eq!(
        lookup("_scaidns-challenge.lookup.example", RecordType::TXT).await,
        LookupAnswer::Records(vec!["scaidns-verify=abc123".into()])
    );
    assert_eq!(
        lookup("long.lookup.example.", RecordType::TXT).await,
        LookupAnswer::Records(vec!["part one part two".into()])
    );
    assert_eq!(
        lookup("lookup.example", RecordType::NS).await,
        LookupAnswer::Records(vec!["ns1.example.net.".into(), "ns2.example.net.".into()])
    );
    assert_eq!(
        lookup("www.lookup.example", RecordType::A).await,
        LookupAnswer::Records(vec!["192.0.2.10".into(), "192.0.2.11".into()])
    );
    // Through a CNAME inside the zone, the target's addresses.
    assert_eq!(
        lookup("alias.lookup.example", RecordType::A).await,
        LookupAnswer::Records(vec!["192.0.2.10".into(), "192.0.2.11".into()])
    );
    assert_eq!(
        lookup("child.lookup.example", RecordType::DS).await,
        LookupAnswer::Records(vec![DS.into()])
    );
    assert_eq!(
        lookup("nothing.lookup.example", RecordType::TXT).await,
        LookupAnswer::NxDomain
    );
    assert_eq!(
        lookup("www.lookup.example", RecordType::TXT).await,
        LookupAnswer::NoData
    );

    // A dead server first: the next one answers.
    let answer = resolver
        .lookup(
            &[dead_server(), server],
            "www.lookup.example",
            RecordType::A,
        )
        .await
        .unwrap();
    assert_eq!(
        answer,
        LookupAnswer::Records(vec!["192.0.2.10".into(), "192.0.2.11".into()])
    );

    // REFUSED (a zone the server does not have) is an error, not an answer.
    let err = resolver
        .lookup(&servers, "example.invalid", RecordType::TXT)
        .await
        .unwrap_err();
    assert!(
        err.0.contains("Refused") || err.0.contains("REFUSED"),
        "{err}"
    );
}

#[tokio::test]
async fn no_server_answering_is_an_error() {
    let resolver = HickoryResolver::with_timeout(Duration::from_millis(300));
    let err = resolver
        .lookup(&[dead_server()], "example.org", RecordType::TXT)
        .await
        .unwrap_err();
    assert!(!err.0.is_empty());
    assert!(
        resolver
            .lookup(&[], "example.org", RecordType::TXT)
            .await
            .is_err()
    );
}
