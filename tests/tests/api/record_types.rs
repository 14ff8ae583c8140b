//! Every record type through the API on the embedded backend: listed by `GET /domains/types`,
//! created from lenient input, reported in PowerDNS's canonical form and answered over DNS
//! exactly as reported; DNSSEC types the signer owns are refused with a pointer to the DNSSEC
//! endpoints.

use reqwest::Method;
use scaidns_core::record::RecordType;
use scaidns_tests::dns;
use scaidns_tests::spawn_app;

use crate::domains::{record, zone};
use crate::util::{call, refused};

#[tokio::test]
async fn types_endpoint_lists_every_type() {
    let app = spawn_app().await;
    let (status, body) = call(&app, "", Method::GET, "/api/v1/domains/types", None).await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<&str> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    for t in RecordType::ALL {
        assert!(listed.contains(&t.as_str()), "{t} not listed");
    }
    for t in [
        "LOC",
        "HINFO",
        "URI",
        "RP",
        "SPF",
        "OPENPGPKEY",
        "SMIMEA",
        "CERT",
        "IPSECKEY",
        "TYPEnnn",
    ] {
        assert!(listed.contains(&t), "{t} not listed");
    }
}

#[tokio::test]
async fn new_types_are_canonicalised_and_served() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    let z = app
        .client
        .zone_create(&zone("types.test"))
        .await
        .unwrap()
        .into_inner();
    let cases = [
        (
            "loc",
            "LOC",
            "51 56 0 N 5 54 0 E 4m",
            "51 55 60.000 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m",
        ),
        ("hinfo", "HINFO", "PC Linux", "\"PC\" \"Linux\""),
        (
            "uri",
            "URI",
            "10 1 https://www.example.com/",
            "10 1 \"https://www.example.com/\"",
        ),
        (
            "rp",
            "RP",
            "admin.types.test contact.types.test",
            "admin.types.test. contact.types.test.",
        ),
        (
            "cert",
            "CERT",
            "PKIX 0 RSASHA256 MIIB IjAN",
            "1 0 8 MIIBIjAN",
        ),
        (
            "dhcid",
            "DHCID",
            "AAIBY2/AuCccgoJbsaxcQc9TUapptP69 lOjxfNuVAA2kjEA=",
            "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=",
        ),
        ("eui", "EUI48", "00:00:5E:00:53:2A", "00-00-5e-00-53-2a"),
        ("@", "SPF", "v=spf1 -all", "\"v=spf1 -all\""),
        ("gen", "TYPE65280", "\\# 4 0A000001", "\\# 4 0a000001"),
        ("gen", "type65280", "\\# 2 0102", "\\# 2 0102"),
    ];
    for (name, rtype, input, want) in cases {
        let r = app
            .client
            .record_create(&z.id, &record(name, rtype, input))
            .await
            .unwrap_or_else(|e| panic!("{rtype} {input}: {e:?}"))
            .into_inner();
        assert_eq!(r.content, want, "{rtype} {input}");
        assert_eq!(r.type_, rtype.to_ascii_uppercase());
        let owner = if name == "@" {
            "types.test.".to_owned()
        } else {
            format!("{name}.types.test.")
        };
        let rt: RecordType = rtype.parse().unwrap();
        let reply = dns::query(dns_addr, &owner, rt.as_str()).await;
        assert!(
            reply
                .answer_wire(rt.as_str())
                .contains(&dns::wire_of(rt, &[want]).remove(0)),
            "{rtype} {want} not served"
        );
    }
}

#[tokio::test]
async fn signer_owned_and_meta_types_are_refused() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("refused.test"))
        .await
        .unwrap()
        .into_inner();
    let path = format!("/api/v1/domains/{}/records", z.id);
    for rtype in ["RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY"] {
        let got = call(
            &app,
            &app.admin_key,
            Method::POST,
            &path,
            Some(serde_json::json!({"name": "x", "type": rtype, "content": "1"})),
        )
        .await;
        assert!(
            got.1.to_string().contains("use the DNSSEC endpoints"),
            "{rtype}: {}",
            got.1
        );
        refused(got, 422, "dnssec_managed");
    }
    for rtype in ["TYPE251", "OPT", "A6", "TYPE0"] {
        let got = call(
            &app,
            &app.admin_key,
            Method::POST,
            &path,
            Some(serde_json::json!({"name": "x", "type": rtype, "content": "\\# 0"})),
        )
        .await;
        // Names are refused at the edge by the documented pattern, numbers by the core.
        assert_eq!(got.0, 422, "{rtype}: {}", got.1);
        assert!(
            matches!(
                got.1["code"].as_str(),
                Some("unsupported_record_type" | "invalid_input")
            ),
            "{rtype}: {}",
            got.1
        );
    }
    let bad = call(
        &app,
        &app.admin_key,
        Method::POST,
        &path,
        Some(serde_json::json!({"name": "x", "type": "TYPE65280", "content": "\\# 3 00"})),
    )
    .await;
    assert_eq!(bad.0, 422, "{}", bad.1);
    assert!(
        bad.1.to_string().contains("says 3 bytes but holds 1"),
        "{}",
        bad.1
    );
}

#[tokio::test]
async fn alpn_ids_a_zone_file_misreads_are_refused() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("alpn.test"))
        .await
        .unwrap()
        .into_inner();
    let path = format!("/api/v1/domains/{}/records", z.id);
    // Unquoted in a BIND export, `;` starts a comment and `(` a group.
    for content in ["1 . alpn=h2;x", "1 . alpn=a("] {
        let got = call(
            &app,
            &app.admin_key,
            Method::POST,
            &path,
            Some(serde_json::json!({"name": "svc", "type": "HTTPS", "content": content})),
        )
        .await;
        assert!(
            got.1.to_string().contains("protocol ids like h2"),
            "{content}: {}",
            got.1
        );
        refused(got, 422, "invalid_input");
    }
}
