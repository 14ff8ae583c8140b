//! Canonical record content against a real PowerDNS 4.7: for every supported type, content
//! parsed from lenient input is written through the PowerDNS backend, read back byte-identical,
//! re-parses to itself, and is served on the wire exactly as the hickory conversion encodes it
//! (so the embedded server answers what PowerDNS answers).

use scaidns_core::name::ZoneName;
use scaidns_core::ports::backend::{DnsBackend, ZoneSpec};
use scaidns_core::record::{RecordContent, RecordType};
use scaidns_core::zone::soa::with_serial;
use scaidns_core::zone::{RrData, RrSet, RrSetChange};

use crate::support::dns::{query_tcp, wire_of};
use crate::support::pdns::PdnsServer;

const H32: &str = "0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef";
const H20: &str = "0123456789ABCDEF0123456789abcdef01234567";
const ECH: &str = "AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA";

/// Lenient inputs, at least one per type (SOA and PTR are covered separately).
fn cases() -> Vec<(RecordType, String)> {
    let long = format!(
        "v=DKIM1; k=rsa; p={}",
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(14)
    );
    let h48 = format!("{H32}{}", &H32[..32]);
    [
        (RecordType::A, " 192.0.2.10 ".to_owned()),
        (RecordType::AAAA, "2001:0DB8:0:0:1:0:0:1".into()),
        (RecordType::AAAA, "::2".into()),
        (RecordType::MX, "10\tMail.Example.com".into()),
        (RecordType::MX, "0 .".into()),
        (RecordType::MX, "20 @".into()),
        (RecordType::CNAME, "Target.Example.NET".into()),
        (RecordType::CNAME, "sel._domainkey.provider.example".into()),
        (RecordType::TXT, "v=spf1 include:_spf.example.com -all".into()),
        (RecordType::TXT, "\"a\"   \"b\"".into()),
        (RecordType::TXT, "\"\"".into()),
        (RecordType::TXT, long),
        (RecordType::TXT, "say \"hi\" \\o/ café\ttab".into()),
        (RecordType::TXT, "\"nul\\000 del\\127 \\\"q\\\" \\\\\"".into()),
        (RecordType::NS, "NS1.example.net".into()),
        (RecordType::SRV, "10  5 5060 sip.example.com".into()),
        (RecordType::SRV, "0 0 0 .".into()),
        (RecordType::CAA, "0 ISSUE letsencrypt.org".into()),
        (RecordType::CAA, "128 iodef mailto:security@example.com".into()),
        (RecordType::CAA, "0 issue \"ca.example; account=\\\"x\\\"\"".into()),
        (RecordType::CAA, "0 Custom1 value".into()),
        (RecordType::SSHFP, format!("4 2 {H32}")),
        (RecordType::SSHFP, format!("1 1 {H20}")),
        (RecordType::TLSA, format!("3 1 1 {} {}", &H32[..20], &H32[20..])),
        (RecordType::TLSA, "3 0 0 30820122300D".into()),
        (RecordType::DNAME, "Example.NET".into()),
        (RecordType::NAPTR, "100 10 s SIP+D2U \"\" _SIP._udp.example.com".into()),
        (RecordType::NAPTR, "100 10 \"U\" \"E2U+sip\" \"!^\\\\+1(.*)$!sip:\\\\1@example.com!\" .".into()),
        (RecordType::DS, format!("12345 13 2 {H32}")),
        (RecordType::DS, format!("1 8 1 {H20}")),
        (RecordType::DS, format!("2 14 4 {h48}")),
        (RecordType::ALIAS, "Target.example.net".into()),
        (RecordType::HTTPS, "1 . port=443 alpn=h2,h3".into()),
        (RecordType::HTTPS, "0 svc.example.com".into()),
        (
            RecordType::HTTPS,
            "1 . ipv6hint=2001:DB8::1 mandatory=port,alpn alpn=h3 no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2"
                .into(),
        ),
        (RecordType::HTTPS, format!("1 . ech={ECH}")),
        (RecordType::SVCB, "1 svc.example.com port=8443".into()),
        (RecordType::SVCB, "2 . alpn=\"h2\"".into()),
    ]
    .into_iter()
    .collect()
}

fn set(name: String, content: &RecordContent) -> RrSet {
    RrSet {
        name,
        rtype: content.rtype(),
        ttl: 300,
        records: vec![RrData {
            content: content.as_str().to_owned(),
            disabled: false,
        }],
    }
}

fn parse(rtype: RecordType, input: &str, zone: &ZoneName) -> RecordContent {
    RecordContent::parse(rtype, input, zone).unwrap_or_else(|e| panic!("{rtype} {input:?}: {e}"))
}

/// Reads `name`/`rtype` back and checks it holds exactly `wanted`, and that it re-parses to
/// itself. Returns a failure description instead of panicking so one run reports every type.
fn check_read_back(
    got: &[RrSet],
    name: &str,
    rtype: RecordType,
    wanted: &str,
    ignore_serial: bool,
) -> Option<String> {
    let Some(found) = got.iter().find(|s| s.name == name && s.rtype == rtype) else {
        return Some(format!("{rtype} at {name}: missing after the write"));
    };
    let contents: Vec<&str> = found.records.iter().map(|r| r.content.as_str()).collect();
    let normalise = |s: &str| {
        if ignore_serial {
            with_serial(s, 0)
        } else {
            s.to_owned()
        }
    };
    if contents.len() != 1 || normalise(contents[0]) != normalise(wanted) {
        return Some(format!(
            "{rtype} at {name}: wrote {wanted:?}, PowerDNS returned {contents:?}"
        ));
    }
    match RecordContent::from_stored(rtype, contents[0]) {
        Ok(again) if again.as_str() == contents[0] => None,
        Ok(again) => Some(format!(
            "{rtype} {:?} re-parses as {:?}",
            contents[0],
            again.as_str()
        )),
        Err(e) => Some(format!(
            "{rtype} {:?} from PowerDNS does not parse: {e}",
            contents[0]
        )),
    }
}

#[tokio::test]
async fn canonical_content_round_trips_through_powerdns() {
    let server = PdnsServer::start().await;
    let backend = server.backend();
    let zone = ZoneName::parse("rdata.example").unwrap();
    let soa = parse(
        RecordType::SOA,
        "NS1.example.net hostmaster@rdata.example 1 3600 600 604800 600",
        &zone,
    );
    let apex_ns = parse(RecordType::NS, "ns1.example.net", &zone);
    let spec = ZoneSpec {
        name: zone.clone(),
        rrsets: vec![
            set(zone.fqdn().to_owned(), &soa),
            set(zone.fqdn().to_owned(), &apex_ns),
        ],
        account: "rdata-roundtrip".to_owned(),
    };
    backend
        .create_zone(&spec)
        .await
        .unwrap_or_else(|e| panic!("create zone: {e}\n{}", server.log()));

    let mut failures = Vec::new();
    let mut written = Vec::new();
    for (i, (rtype, input)) in cases().into_iter().enumerate() {
        let content = parse(rtype, &input, &zone);
        let name = format!("r{i}.{}", zone.fqdn());
        // One PATCH per record so a refusal names the content PowerDNS objected to.
        match backend
            .apply(&zone, &[RrSetChange::Replace(set(name.clone(), &content))])
            .await
        {
            Ok(()) => written.push((name, content)),
            Err(e) => failures.push(format!("{rtype} {:?} refused: {e}", content.as_str())),
        }
    }

    let got = backend.get_zone(&zone).await.unwrap().expect("zone exists");
    failures.extend(check_read_back(
        &got,
        zone.fqdn(),
        RecordType::SOA,
        soa.as_str(),
        true,
    ));
    failures.extend(check_read_back(
        &got,
        zone.fqdn(),
        RecordType::NS,
        apex_ns.as_str(),
        false,
    ));
    for (name, content) in &written {
        failures.extend(check_read_back(
            &got,
            name,
            content.rtype(),
            content.as_str(),
            false,
        ));
    }
    for (name, content) in &written {
        // PowerDNS only expands ALIAS with a resolver configured, and an NS below the apex is a
        // referral rather than an answer.
        if matches!(content.rtype(), RecordType::ALIAS | RecordType::NS) {
            continue;
        }
        let reply = query_tcp(server.dns_addr, name, content.rtype().as_str()).await;
        let served = reply.answer_wire(content.rtype().as_str());
        if served != wire_of(content.rtype(), &[content.as_str()]) {
            failures.push(format!(
                "{} {:?}: served wire form differs from the hickory conversion",
                content.rtype(),
                content.as_str()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn ptr_round_trips_in_a_reverse_zone() {
    let server = PdnsServer::start().await;
    let backend = server.backend();
    let zone = ZoneName::parse("2.0.192.in-addr.arpa").unwrap();
    let soa = parse(
        RecordType::SOA,
        "ns1.example.net hostmaster.example.net 1 3600 600 604800 600",
        &zone,
    );
    let ns = parse(RecordType::NS, "ns1.example.net", &zone);
    let spec = ZoneSpec {
        name: zone.clone(),
        rrsets: vec![
            set(zone.fqdn().to_owned(), &soa),
            set(zone.fqdn().to_owned(), &ns),
        ],
        account: "rdata-roundtrip".to_owned(),
    };
    backend
        .create_zone(&spec)
        .await
        .unwrap_or_else(|e| panic!("create zone: {e}\n{}", server.log()));
    let ptr = parse(RecordType::PTR, "Host-10.Example.COM", &zone);
    assert_eq!(ptr.as_str(), "host-10.example.com.");
    let name = format!("10.{}", zone.fqdn());
    backend
        .apply(&zone, &[RrSetChange::Replace(set(name.clone(), &ptr))])
        .await
        .unwrap();
    let got = backend.get_zone(&zone).await.unwrap().expect("zone exists");
    assert_eq!(
        check_read_back(&got, &name, RecordType::PTR, ptr.as_str(), false),
        None
    );
    let reply = query_tcp(server.dns_addr, &name, "PTR").await;
    assert_eq!(
        reply.answer_wire("PTR"),
        wire_of(RecordType::PTR, &[ptr.as_str()])
    );
}

#[tokio::test]
async fn long_txt_is_stored_split_and_served_as_255_byte_strings() {
    let server = PdnsServer::start().await;
    let backend = server.backend();
    let zone = ZoneName::parse("txt.example").unwrap();
    let soa = parse(
        RecordType::SOA,
        "ns1.example.net hostmaster.txt.example 1 3600 600 604800 600",
        &zone,
    );
    let ns = parse(RecordType::NS, "ns1.example.net", &zone);
    let spec = ZoneSpec {
        name: zone.clone(),
        rrsets: vec![
            set(zone.fqdn().to_owned(), &soa),
            set(zone.fqdn().to_owned(), &ns),
        ],
        account: "rdata-roundtrip".to_owned(),
    };
    backend
        .create_zone(&spec)
        .await
        .unwrap_or_else(|e| panic!("create zone: {e}\n{}", server.log()));
    let text = "x".repeat(600);
    let txt = parse(RecordType::TXT, &text, &zone);
    assert_eq!(
        txt.as_str(),
        format!(
            "\"{}\" \"{}\" \"{}\"",
            "x".repeat(255),
            "x".repeat(255),
            "x".repeat(90)
        )
    );
    let name = format!("long.{}", zone.fqdn());
    backend
        .apply(&zone, &[RrSetChange::Replace(set(name.clone(), &txt))])
        .await
        .unwrap();
    let got = backend.get_zone(&zone).await.unwrap().expect("zone exists");
    assert_eq!(
        check_read_back(&got, &name, RecordType::TXT, txt.as_str(), false),
        None
    );
    let wire = query_tcp(server.dns_addr, &name, "TXT")
        .await
        .answer_wire("TXT");
    let mut want = Vec::new();
    for len in [255u8, 255, 90] {
        want.push(len);
        want.extend(std::iter::repeat_n(b'x', usize::from(len)));
    }
    assert_eq!(wire, vec![want]);
}
