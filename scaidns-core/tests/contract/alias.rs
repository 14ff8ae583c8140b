//! ALIAS at the apex (CNAME flattening) on both backends, proven with real DNS queries on
//! loopback: the apex keeps its SOA, NS and MX and answers A and AAAA with the addresses of the
//! ALIAS target, a name in another zone served by the same server. PowerDNS expands through
//! `expand-alias=yes` and `resolver=` (itself, see the test support); the embedded backend
//! through the resolver adapter pointed at its own listener.

use std::net::SocketAddr;
use std::sync::Arc;

use scaidns_core::adapters::embedded::{AliasResolver, EmbeddedBackend};
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::{DnsBackend, ZoneSpec};
use scaidns_core::record::{RecordContent, RecordType};
use scaidns_core::zone::{RrData, RrSet, RrSetChange};

use crate::support::dns::query;
use crate::support::pdns::PdnsServer;

fn set(name: &str, rtype: RecordType, contents: &[&str]) -> RrSet {
    RrSet {
        name: name.to_owned(),
        rtype,
        ttl: 300,
        records: contents
            .iter()
            .map(|c| RrData {
                content: RecordContent::from_stored(rtype, c)
                    .unwrap()
                    .as_str()
                    .to_owned(),
                disabled: false,
            })
            .collect(),
    }
}

fn zone_spec(name: &str, extra: Vec<RrSet>) -> ZoneSpec {
    let zone = ZoneName::parse(name).unwrap();
    let apex = zone.fqdn().to_owned();
    let mut rrsets = vec![
        set(
            &apex,
            RecordType::SOA,
            &[&format!(
                "ns1.example.net. hostmaster.{apex} 1 3600 600 604800 600"
            )],
        ),
        set(&apex, RecordType::NS, &["ns1.example.net."]),
    ];
    rrsets.extend(extra);
    ZoneSpec {
        name: zone,
        rrsets,
        account: "alias".to_owned(),
    }
}

/// Creates the target zone, then the zone with the apex ALIAS, and checks the answers.
/// `embedded` is the embedded backend when that is under test: its lookups happen on publish
/// and on refresh, and the refresh is called here instead of waiting for the periodic one.
async fn check_apex_alias(
    backend: &dyn DnsBackend,
    dns: SocketAddr,
    embedded: Option<&EmbeddedBackend>,
) {
    backend
        .create_zone(&zone_spec(
            "target.example",
            vec![
                set(
                    "lb.target.example.",
                    RecordType::A,
                    &["192.0.2.77", "192.0.2.78"],
                ),
                set("lb.target.example.", RecordType::AAAA, &["2001:db8::77"]),
            ],
        ))
        .await
        .unwrap();
    backend
        .create_zone(&zone_spec(
            "flat.example",
            vec![
                set("flat.example.", RecordType::ALIAS, &["lb.target.example."]),
                set("flat.example.", RecordType::MX, &["10 mx.example.net."]),
            ],
        ))
        .await
        .unwrap();

    let a = query(dns, "flat.example.", "A").await;
    assert_eq!(a.answer_texts("A"), ["192.0.2.77", "192.0.2.78"]);
    assert!(
        a.answers.iter().all(|rr| rr.name == "flat.example."),
        "{a:?}"
    );
    let aaaa = query(dns, "flat.example.", "AAAA").await;
    assert_eq!(aaaa.answer_texts("AAAA"), ["2001:db8::77"]);
    let mx = query(dns, "flat.example.", "MX").await;
    assert_eq!(mx.answer_texts("MX"), ["10 mx.example.net."]);
    let soa = query(dns, "flat.example.", "SOA").await;
    assert_eq!(soa.answers_of("SOA").len(), 1);

    // Moving the ALIAS to another target is served at once.
    backend
        .apply(
            &ZoneName::parse("flat.example").unwrap(),
            &[RrSetChange::Replace(set(
                "flat.example.",
                RecordType::ALIAS,
                &["ns1.target.example."],
            ))],
        )
        .await
        .unwrap();
    backend
        .apply(
            &ZoneName::parse("target.example").unwrap(),
            &[RrSetChange::Replace(set(
                "ns1.target.example.",
                RecordType::A,
                &["192.0.2.53"],
            ))],
        )
        .await
        .unwrap();
    if let Some(embedded) = embedded {
        embedded.refresh_aliases().await.unwrap();
    }
    let a = query(dns, "flat.example.", "A").await;
    assert_eq!(a.answer_texts("A"), ["192.0.2.53"]);
}

#[tokio::test]
async fn powerdns_expands_an_apex_alias() {
    let server = PdnsServer::start().await;
    check_apex_alias(&server.backend(), server.dns_addr, None).await;
}

#[tokio::test]
async fn embedded_backend_expands_an_apex_alias() {
    let backend = EmbeddedBackend::new();
    let handle = backend
        .serve(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let backend = backend.with_alias_resolver(AliasResolver {
        resolver: Arc::new(HickoryResolver::new()),
        servers: vec![handle.local_addr()],
    });
    check_apex_alias(&backend, handle.local_addr(), Some(&backend)).await;
}
