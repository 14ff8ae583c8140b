//! Backend behaviours only the embedded server has.

use std::net::SocketAddr;

use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::pdns::PowerDnsBackend;
use scaidns_core::ports::backend::DnsBackend;
use scaidns_core::ports::dnssec_keys::DnssecKeyBackend;

use super::{spec, zone};
use crate::support::dns::{query, try_query_tcp};

/// DNSSEC keys are a port of their own, implemented by PowerDNS only: a service built on the
/// embedded backend has no key port and answers `dnssec_unsupported`
/// (`service::dnssec_lifecycle::embedded_backend_names_powerdns_as_the_requirement`).
#[test]
fn dnssec_is_unsupported() {
    fn implements_key_port<T: DnssecKeyBackend>() {}
    implements_key_port::<PowerDnsBackend>();
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
