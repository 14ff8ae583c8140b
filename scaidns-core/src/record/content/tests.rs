//! Cross-type checks: every type's lenient input, exact canonical output and idempotence;
//! targets; serde; hickory conversion.

use hickory_proto::rr::RData;
use hickory_proto::serialize::binary::{BinDecoder, BinEncodable, BinEncoder, Restrict};

use super::*;

fn zone() -> ZoneName {
    ZoneName::parse("example.com").unwrap()
}

const H32: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// (type, lenient input, canonical output) — at least one row per type in `RecordType::ALL`.
fn cases() -> Vec<(RecordType, String, String)> {
    let up = H32.to_ascii_uppercase();
    let long = "x".repeat(300);
    let rows: Vec<(RecordType, String, &str)> = vec![
        (RecordType::A, " 192.0.2.10 ".into(), "192.0.2.10"),
        (
            RecordType::AAAA,
            "2001:0DB8:0:0:0:0:0:10".into(),
            "2001:db8::10",
        ),
        (
            RecordType::MX,
            "10\tMail.Example.com".into(),
            "10 mail.example.com.",
        ),
        (RecordType::MX, "0 .".into(), "0 ."),
        (RecordType::MX, "20 @".into(), "20 example.com."),
        (
            RecordType::CNAME,
            "Target.Example.NET".into(),
            "target.example.net.",
        ),
        (RecordType::TXT, "v=spf1 -all".into(), "\"v=spf1 -all\""),
        (RecordType::TXT, "\"a\"   \"b\"".into(), "\"a\" \"b\""),
        (RecordType::TXT, "\"\"".into(), "\"\""),
        (RecordType::NS, "NS1.example.net".into(), "ns1.example.net."),
        (
            RecordType::SRV,
            "10  5 5060 sip.example.com".into(),
            "10 5 5060 sip.example.com.",
        ),
        (
            RecordType::PTR,
            "host.example.com".into(),
            "host.example.com.",
        ),
        (
            RecordType::SOA,
            "ns1.example.net hostmaster.example.com 1 3600 600 604800 600".into(),
            "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600",
        ),
        (
            RecordType::CAA,
            "0 ISSUE letsencrypt.org".into(),
            "0 issue \"letsencrypt.org\"",
        ),
        (RecordType::SSHFP, format!("4 2 {up}"), ""),
        (
            RecordType::TLSA,
            format!("3 1 1 {}  {}", &up[..20], &up[20..]),
            "",
        ),
        (RecordType::DNAME, "Example.NET".into(), "example.net."),
        (
            RecordType::NAPTR,
            "100 10 s SIP+D2U \"\" _sip._udp.example.com".into(),
            "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
        ),
        (RecordType::DS, format!("12345 13 2 {up}"), ""),
        (
            RecordType::ALIAS,
            "Target.example.net".into(),
            "target.example.net.",
        ),
        (
            RecordType::HTTPS,
            "1 . port=443 alpn=h2,h3".into(),
            "1 . alpn=h2,h3 port=443",
        ),
        (
            RecordType::SVCB,
            "1 svc.example.com port=8443".into(),
            "1 svc.example.com. port=8443",
        ),
        (
            RecordType::AFSDB,
            "1 AFSDB.example.com".into(),
            "1 afsdb.example.com.",
        ),
        (
            RecordType::APL,
            "1:192.0.2.1/24  !2:2001:DB8:0:0::/32".into(),
            "1:192.0.2.0/24 !2:2001:db8::/32",
        ),
        (
            RecordType::CERT,
            "PKIX 0 RSASHA256 MIIBIjANBgkq hkiG9w0BAQEF".into(),
            "1 0 8 MIIBIjANBgkqhkiG9w0BAQEF",
        ),
        (RecordType::CDS, "0 0 0 00".into(), "0 0 0 00"),
        (RecordType::CDNSKEY, "0 3 0 AA".into(), "0 3 0 AA=="),
        (
            RecordType::CSYNC,
            "66 3 aaaa NS A TYPE65000".into(),
            "66 3 A NS AAAA TYPE65000",
        ),
        (
            RecordType::DHCID,
            "AAIBY2/AuCccgoJbsaxcQc9TUapptP69 lOjxfNuVAA2kjEA=".into(),
            "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=",
        ),
        (
            RecordType::EUI48,
            "00-00-5E-00-53-2A".into(),
            "00-00-5e-00-53-2a",
        ),
        (
            RecordType::EUI64,
            "00:00:5e:ef:10:00:00:2a".into(),
            "00-00-5e-ef-10-00-00-2a",
        ),
        (
            RecordType::HINFO,
            "PC \"Linux 6\"".into(),
            "\"PC\" \"Linux 6\"",
        ),
        (
            RecordType::IPSECKEY,
            "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==".into(),
            "10 0 2 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==",
        ),
        (
            RecordType::IPSECKEY,
            "10 3 2 GW.example.com AQNR U3mG".into(),
            "10 3 2 gw.example.com. AQNRU3mG",
        ),
        (
            RecordType::KEY,
            "256 3 ECDSAP256SHA256 AQID BA==".into(),
            "256 3 13 AQIDBA==",
        ),
        (
            RecordType::KX,
            "10 KX.example.com".into(),
            "10 kx.example.com.",
        ),
        (RecordType::L32, "10 10.1.2.0".into(), "10 10.1.2.0"),
        (
            RecordType::L64,
            "10 2001:db8:1140:1000".into(),
            "10 2001:0DB8:1140:1000",
        ),
        (
            RecordType::LOC,
            "51 56 0 N 5 54 0 E 4m".into(),
            "51 55 60.000 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m",
        ),
        (
            RecordType::LP,
            "10 l64-subnet.example.com".into(),
            "10 l64-subnet.example.com.",
        ),
        (
            RecordType::MINFO,
            "rmail.example.com email.example.com".into(),
            "rmail.example.com. email.example.com.",
        ),
        (RecordType::MR, "@".into(), "example.com."),
        (
            RecordType::NID,
            "10 14:4fff:ff20:ee64".into(),
            "10 0014:4FFF:FF20:EE64",
        ),
        (
            RecordType::OPENPGPKEY,
            "mQINBFit 2jsB".into(),
            "mQINBFit2jsB",
        ),
        (RecordType::RP, ". .".into(), ". ."),
        (
            RecordType::RP,
            "Admin.example.com contact.example.com.".into(),
            "admin.example.com. contact.example.com.",
        ),
        (RecordType::SMIMEA, format!("3 1 1 {up}"), ""),
        (RecordType::SPF, "v=spf1 -all".into(), "\"v=spf1 -all\""),
        (
            RecordType::URI,
            "10 1 ftp://ftp1.example.com/public".into(),
            "10 1 \"ftp://ftp1.example.com/public\"",
        ),
        (RecordType::ZONEMD, format!("2018031500 1 2 {up}{up}"), ""),
        (
            RecordType::Generic(65280),
            "\\# 4 0A00 0001".into(),
            "\\# 4 0a000001",
        ),
        (RecordType::Generic(65280), "\\# 0".into(), "\\# 0 "),
    ];
    let mut out: Vec<(RecordType, String, String)> = rows
        .into_iter()
        .map(|(t, input, want)| {
            let want = match t {
                RecordType::SSHFP => format!("4 2 {H32}"),
                RecordType::TLSA => format!("3 1 1 {H32}"),
                RecordType::DS => format!("12345 13 2 {H32}"),
                RecordType::SMIMEA => format!("3 1 1 {H32}"),
                RecordType::ZONEMD => format!("2018031500 1 2 {H32}{H32}"),
                _ => want.to_owned(),
            };
            (t, input, want)
        })
        .collect();
    out.push((
        RecordType::TXT,
        long.clone(),
        format!("\"{}\" \"{}\"", &long[..255], &long[255..]),
    ));
    out
}

#[test]
fn every_type_canonicalises_and_is_idempotent() {
    let z = zone();
    let rows = cases();
    for t in RecordType::ALL {
        assert!(rows.iter().any(|(rt, ..)| rt == t), "no case for {t}");
    }
    assert!(
        rows.iter()
            .any(|(rt, ..)| matches!(rt, RecordType::Generic(_)))
    );
    for (t, input, want) in rows {
        let c =
            RecordContent::parse(t, &input, &z).unwrap_or_else(|e| panic!("{t} {input:?}: {e}"));
        assert_eq!(c.as_str(), want, "{t} {input:?}");
        assert_eq!(c.rtype(), t);
        let again = RecordContent::parse(t, c.as_str(), &z).unwrap();
        assert_eq!(again.as_str(), c.as_str(), "{t} not idempotent");
        assert_eq!(again, c);
        assert_eq!(RecordContent::from_stored(t, c.as_str()).unwrap(), c);
        assert_eq!(RecordContent::from_rdata(c.rdata()).unwrap(), c);
    }
}

#[test]
fn empty_input_is_refused_for_every_type() {
    for t in RecordType::ALL {
        let e = RecordContent::parse(*t, "  ", &zone()).unwrap_err();
        assert_eq!(e.field(), Some("content"));
        assert!(e.message().contains("must not be empty"), "{t}");
    }
}

#[test]
fn addresses_are_not_targets() {
    for (t, input) in [
        (RecordType::CNAME, "192.0.2.1"),
        (RecordType::NS, "192.0.2.1."),
        (RecordType::PTR, "2001:db8::1"),
        (RecordType::MX, "10 192.0.2.1"),
        (RecordType::SRV, "1 1 1 192.0.2.1"),
    ] {
        let e = RecordContent::parse(t, input, &zone()).unwrap_err();
        assert!(
            e.message().contains("must be a host name, not an address"),
            "{t}: {e}"
        );
    }
}

#[test]
fn at_sign_needs_a_zone() {
    assert_eq!(
        RecordContent::parse(RecordType::CNAME, "@", &zone())
            .unwrap()
            .as_str(),
        "example.com."
    );
    assert!(RecordContent::from_stored(RecordType::CNAME, "@").is_err());
}

#[test]
fn targets() {
    let z = zone();
    let t = |rt, s: &str| {
        RecordContent::parse(rt, s, &z)
            .unwrap()
            .target()
            .map(str::to_owned)
    };
    assert_eq!(
        t(RecordType::CNAME, "a.example.net"),
        Some("a.example.net.".into())
    );
    assert_eq!(
        t(RecordType::MX, "10 mx.example.net"),
        Some("mx.example.net.".into())
    );
    assert_eq!(t(RecordType::MX, "0 ."), None);
    assert_eq!(
        t(RecordType::SRV, "1 2 3 s.example.net"),
        Some("s.example.net.".into())
    );
    assert_eq!(t(RecordType::SRV, "0 0 0 ."), None);
    assert_eq!(
        t(RecordType::NAPTR, "1 1 \"S\" \"a b\" \"\" x.example.net"),
        Some("x.example.net.".into())
    );
    assert_eq!(
        t(RecordType::HTTPS, "1 svc.example.net alpn=h2"),
        Some("svc.example.net.".into())
    );
    assert_eq!(t(RecordType::HTTPS, "1 . alpn=h2"), None);
    assert_eq!(
        t(RecordType::ALIAS, "lb.example.net"),
        Some("lb.example.net.".into())
    );
    assert_eq!(t(RecordType::A, "192.0.2.1"), None);
    assert_eq!(t(RecordType::TXT, "x.example.net."), None);
}

#[test]
fn serde_goes_through_validation() {
    let c = RecordContent::parse(RecordType::MX, "10 mail", &zone()).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(json, r#"{"type":"MX","content":"10 mail."}"#);
    assert_eq!(serde_json::from_str::<RecordContent>(&json).unwrap(), c);
    assert!(serde_json::from_str::<RecordContent>(r#"{"type":"A","content":"nope"}"#).is_err());
}

fn wire(rdata: &RData) -> Vec<u8> {
    let mut buf = Vec::new();
    rdata.emit(&mut BinEncoder::new(&mut buf)).unwrap();
    buf
}

fn decode(rtype: hickory_proto::rr::RecordType, bytes: &[u8]) -> RData {
    let mut d = BinDecoder::new(bytes);
    RData::read(
        &mut d,
        rtype,
        Restrict::new(u16::try_from(bytes.len()).unwrap()),
    )
    .unwrap()
}

#[test]
fn hickory_conversion_covers_every_type_but_alias() {
    let z = zone();
    for (t, input, _) in cases() {
        let c = RecordContent::parse(t, &input, &z).unwrap();
        let result = hickory::to_rdata(&c);
        if t == RecordType::ALIAS {
            assert_eq!(result.unwrap_err().code(), "alias_not_served");
            continue;
        }
        let rdata = result.unwrap_or_else(|e| panic!("{t}: {e}"));
        let htype = hickory::record_type(t);
        assert_eq!(rdata.record_type(), htype, "{t}");
        let bytes = wire(&rdata);
        assert_eq!(
            wire(&decode(htype, &bytes)),
            bytes,
            "{t} wire form does not survive decoding"
        );
    }
}

#[test]
fn hickory_wire_forms() {
    let z = zone();
    let w =
        |t, s: &str| wire(&hickory::to_rdata(&RecordContent::parse(t, s, &z).unwrap()).unwrap());
    assert_eq!(w(RecordType::A, "192.0.2.1"), vec![192, 0, 2, 1]);
    assert_eq!(
        w(RecordType::DNAME, "ex.net"),
        b"\x02ex\x03net\x00".to_vec()
    );
    assert_eq!(
        w(
            RecordType::DS,
            "258 13 1 00112233445566778899aabbccddeeff00112233"
        )[..4],
        [1, 2, 13, 1]
    );
    assert_eq!(w(RecordType::TXT, "\"ab\" \"\""), b"\x02ab\x00".to_vec());
    assert_eq!(
        w(RecordType::CAA, "128 issue \";\""),
        b"\x80\x05issue;".to_vec()
    );
    assert_eq!(
        w(RecordType::HTTPS, "1 . alpn=h2 port=443"),
        b"\x00\x01\x00\x00\x01\x00\x03\x02h2\x00\x03\x00\x02\x01\xbb".to_vec()
    );
    let soa = w(
        RecordType::SOA,
        "ns1.example.net. h.example.com. 1 4294967295 2 3 4",
    );
    assert_eq!(
        soa[soa.len() - 16..soa.len() - 12],
        [0xff, 0xff, 0xff, 0xff]
    );
}

/// Arbitrary input never panics: every type, random strings drawn from the characters that
/// matter to the parsers (digits, dots, colons, quotes, backslashes, spaces, letters, `=`, `,`,
/// non-ASCII). Either a value comes back, and re-parses to itself, or a field-named error.
#[test]
fn arbitrary_input_never_panics() {
    use rand::{Rng, SeedableRng};
    let zone = crate::name::ZoneName::parse("example.com").unwrap();
    let alphabet: Vec<char> = "0123456789abcdefxyzABC.:;\"\\ \t=,-_*@/()é\u{0}\u{7f}"
        .chars()
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x05ca_1d05);
    let generic = [crate::record::RecordType::Generic(65280)];
    for rtype in crate::record::RecordType::ALL.iter().chain(&generic) {
        for _ in 0..2_000 {
            let len = rng.random_range(0..40);
            let input: String = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            match crate::record::RecordContent::parse(*rtype, &input, &zone) {
                Ok(content) => {
                    let again =
                        crate::record::RecordContent::parse(*rtype, content.as_str(), &zone)
                            .unwrap_or_else(|e| {
                                panic!(
                                    "{rtype} {input:?} → {:?} does not re-parse: {e}",
                                    content.as_str()
                                )
                            });
                    assert_eq!(again.as_str(), content.as_str(), "{rtype} {input:?}");
                }
                Err(e) => assert!(
                    e.field().is_some(),
                    "{rtype} {input:?}: {e:?} names no field"
                ),
            }
        }
    }
}

/// The same for zone and record names (IDNA, labels, lengths).
#[test]
fn arbitrary_names_never_panic() {
    use rand::{Rng, SeedableRng};
    let zone = crate::name::ZoneName::parse("example.com").unwrap();
    let alphabet: Vec<char> = "abz09-_.*@ äßÄ\u{200d}\u{fffd}xn--".chars().collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..20_000 {
        let len = rng.random_range(0..80);
        let input: String = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        if let Ok(name) = crate::name::ZoneName::parse(&input) {
            assert_eq!(
                crate::name::ZoneName::parse(name.fqdn()).unwrap(),
                name,
                "{input:?}"
            );
        }
        match crate::record::RecordName::parse(&input, &zone) {
            Ok(name) => assert!(zone.contains_fqdn(name.fqdn()), "{input:?}"),
            Err(e) => assert_eq!(e.field(), Some("name"), "{input:?}"),
        }
    }
}

/// Found by the `record_content` fuzz target: a host name with an edge-hyphen label is valid
/// content (RFC 2181 §11; PowerDNS serves it) and must reach the wire, where hickory's text
/// parser would refuse it.
#[test]
fn names_with_edge_hyphens_reach_the_wire() {
    let z = zone();
    for (t, input) in [
        (RecordType::HTTPS, "0 ss.example.-et."),
        (RecordType::CNAME, "-a.example.net."),
        (RecordType::PTR, "x-.example.net."),
    ] {
        let c = RecordContent::parse(t, input, &z).unwrap_or_else(|e| panic!("{t} {input}: {e}"));
        let rdata = hickory::to_rdata(&c).unwrap_or_else(|e| panic!("{t} {input}: {e}"));
        assert_eq!(decode(hickory::record_type(t), &wire(&rdata)), rdata, "{t}");
    }
    let name = hickory::dns_name("-a.b-.example.").unwrap();
    let labels: Vec<&[u8]> = name.iter().collect();
    assert_eq!(labels, [&b"-a"[..], b"b-", b"example"]);
    assert!(hickory::dns_name(".").unwrap().is_root());
    assert!(hickory::dns_name("a..example.").is_err());
}
