//! The `DnsBackend` contract, written once and run against PowerDNS 4.7 (a private instance per
//! test) and the embedded backend (served on 127.0.0.1:0). Every behaviour is checked through
//! the port and with real DNS queries on loopback.
//!
//! Each behaviour lives in a topic module and runs as `backend::<topic>::<implementation>::*`.

mod answers;
mod changes;
mod embedded_only;
mod powerdns_only;
mod zones;

use std::net::SocketAddr;

use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::{BackendErrorKind, DnsBackend, ZoneSpec};
use scaidns_core::record::RecordType;
use scaidns_core::zone::soa::{self, SoaTimers};
use scaidns_core::zone::{RrData, RrSet, RrSetChange};

use crate::support::dns::{DnsReply, ResponseCode, query, query_tcp, wire_of};

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
