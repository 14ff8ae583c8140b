//! Unit tests of this module.

use super::*;

fn zone() -> ZoneName {
    ZoneName::parse("example.com").unwrap()
}

fn bind(text: &str) -> Parsed {
    parse(text, Format::Bind, &zone(), Options::default())
}

/// `(owner, type, content, ttl)` of every record read.
fn rows(p: &Parsed) -> Vec<(String, String, String, Option<i64>)> {
    p.records
        .iter()
        .map(|r| {
            (
                r.name.fqdn().to_owned(),
                r.content.rtype().as_str().to_owned(),
                r.content.as_str().to_owned(),
                r.ttl,
            )
        })
        .collect()
}

fn row(
    name: &str,
    t: &str,
    content: &str,
    ttl: Option<i64>,
) -> (String, String, String, Option<i64>) {
    (name.to_owned(), t.to_owned(), content.to_owned(), ttl)
}

#[test]
fn origin_ttl_relative_absolute_at_and_omitted_owner() {
    let p = bind(
        "$ORIGIN example.com.\n\
         $TTL 1h\n\
         @ IN A 192.0.2.1\n\
         www 300 IN A 192.0.2.2\n\
         \x20    IN 600 AAAA 2001:db8::1 ; same owner, class before TTL\n\
         mail.example.com. MX 10 mx\n\
         $ORIGIN sub.example.com.\n\
         host CNAME other\n\
         abs CNAME target.example.net.\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        rows(&p),
        vec![
            row("example.com.", "A", "192.0.2.1", Some(3600)),
            row("www.example.com.", "A", "192.0.2.2", Some(300)),
            row("www.example.com.", "AAAA", "2001:db8::1", Some(600)),
            row("mail.example.com.", "MX", "10 mx.example.com.", Some(3600)),
            row(
                "host.sub.example.com.",
                "CNAME",
                "other.sub.example.com.",
                Some(3600)
            ),
            row(
                "abs.sub.example.com.",
                "CNAME",
                "target.example.net.",
                Some(3600)
            ),
        ]
    );
    assert_eq!(p.records[2].line, 5);
}

#[test]
fn without_ttl_directive_the_last_explicit_ttl_carries_on() {
    let p = bind("a 120 A 192.0.2.1\nb A 192.0.2.2\nc TXT x\n");
    assert_eq!(p.records[1].ttl, Some(120));
    let p = bind("a A 192.0.2.1\n");
    assert_eq!(p.records[0].ttl, None);
}

#[test]
fn parentheses_span_lines_and_comments_are_dropped() {
    let p = bind(
        "txt TXT ( \"one ; not a comment\" ; a comment\n\
         \t\"two\" )\n\
         srv._tcp SRV ( 10 5\n 5060 sip ) ; trailing\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.records[0].content.as_str(),
        "\"one ; not a comment\" \"two\""
    );
    assert_eq!(p.records[1].content.as_str(), "10 5 5060 sip.example.com.");
    assert_eq!(p.records[1].line, 3);
}

#[test]
fn quoted_strings_keep_escapes() {
    let p = bind("q TXT \"say \\\"hi\\\"\" \"caf\\195\\169\"\n");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        p.records[0].content.as_str(),
        "\"say \\\"hi\\\"\" \"caf\\195\\169\""
    );
}

#[test]
fn include_and_generate_are_refused_with_their_line() {
    let p = bind("a A 192.0.2.1\n$INCLUDE other.zone\n$GENERATE 1-10 host$ A 10.0.0.$\n");
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3]);
    assert!(p.errors[0].reason.contains("$INCLUDE"));
    assert_eq!(p.errors[1].text, "$GENERATE 1-10 host$ A 10.0.0.$");
    assert_eq!(p.records.len(), 1);
}

#[test]
fn soa_apex_ns_and_dnssec_are_skipped_with_a_reason() {
    let p = bind(
        "@ SOA ns1.example.net. host.example.com. ( 1 3600 600 604800 300 )\n\
         @ NS ns1.example.net.\n\
         sub NS ns1.example.net.\n\
         @ DNSKEY 257 3 13 abcd\n\
         @ RRSIG A 13 2 300 20260101000000 20250101000000 1 example.com. abcd\n\
         @ NSEC3PARAM 1 0 0 -\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let skipped: Vec<usize> = p.skipped.iter().map(|s| s.line).collect();
    assert_eq!(skipped, vec![1, 2, 4, 5, 6]);
    assert!(p.skipped[0].reason.contains("SOA"));
    assert!(p.skipped[2].reason.contains("DNSSEC"));
    assert_eq!(
        rows(&p),
        vec![row("sub.example.com.", "NS", "ns1.example.net.", None)]
    );
}

#[test]
fn names_outside_the_zone_are_errors_of_their_line() {
    let p =
        bind("a A 192.0.2.1\nwww.example.org. A 192.0.2.2\n$ORIGIN example.net.\nb A 192.0.2.3\n");
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4]);
    assert!(
        p.errors[0].reason.contains("outside"),
        "{}",
        p.errors[0].reason
    );
}

#[test]
fn unsupported_types_are_errors_unless_skipped() {
    let text = "a MB mailbox.example.com.\nb A 192.0.2.1\n";
    let p = bind(text);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 1);
    let p = parse(
        text,
        Format::Bind,
        &zone(),
        Options {
            skip_unsupported: true,
            ..Options::default()
        },
    );
    assert!(p.errors.is_empty());
    assert_eq!(p.skipped.len(), 1);
    assert_eq!(p.records.len(), 1);
}

#[test]
fn every_bad_line_is_listed() {
    let p = bind("a A 999.1.1.1\nb A 192.0.2.1\nc TXT \"open\nd CH A 192.0.2.1\ne ( A 192.0.2.1\n");
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 3, 4, 5], "{:?}", p.errors);
    assert!(p.errors[1].reason.contains("quoted"));
    assert!(p.errors[2].reason.contains("class"));
    assert!(p.errors[3].reason.contains("parenthesis"));
    assert_eq!(p.records.len(), 1);
}

#[test]
fn rdata_names_follow_the_origin_per_type() {
    let p = bind(
        "$ORIGIN example.com.\n\
         @ RP admin contact\n\
         n NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp\n\
         s SVCB 1 svc port=8443\n\
         g IPSECKEY 10 3 2 gw AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==\n\
         x TYPE65280 \\# 4 0a000001\n\
         p PTR @\n",
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let contents: Vec<&str> = p.records.iter().map(|r| r.content.as_str()).collect();
    assert_eq!(contents[0], "admin.example.com. contact.example.com.");
    assert!(
        contents[1].ends_with(" _sip._udp.example.com."),
        "{}",
        contents[1]
    );
    assert!(
        contents[2].starts_with("1 svc.example.com. "),
        "{}",
        contents[2]
    );
    assert!(contents[3].contains(" gw.example.com. "), "{}", contents[3]);
    assert_eq!(contents[4], "\\# 4 0a000001");
    assert_eq!(contents[5], "example.com.");
}

#[test]
fn ttl_units() {
    assert_eq!(
        bind::parse_ttl("1w2d3h4m5s"),
        Some(604_800 + 172_800 + 10_800 + 240 + 5)
    );
    assert_eq!(bind::parse_ttl("300"), Some(300));
    assert_eq!(bind::parse_ttl("1H"), Some(3600));
    assert_eq!(bind::parse_ttl("h"), None);
    assert_eq!(bind::parse_ttl("99999999999"), None);
}

#[test]
fn json_list() {
    let p = parse(
        r#"[{"name":"@","type":"MX","content":"10 mail.example.com.","ttl":300},
            {"name":"www","type":"A","content":"192.0.2.1","disabled":true},
            {"name":"x","type":"A"}]"#,
        Format::Json,
        &zone(),
        Options::default(),
    );
    assert_eq!(p.records.len(), 2);
    assert!(p.records[1].disabled);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].line, 3);
    let p = parse("{\"a\":", Format::Json, &zone(), Options::default());
    assert_eq!(p.errors.len(), 1);
}

#[test]
fn csv_list() {
    let p = parse(
        "name,type,content,ttl,disabled\r\n\
         @,MX,10 mail.example.com.,3600,false\r\n\
         txt,TXT,\"\"\"a, b\"\" \"\"c\"\"\",,\r\n\
         bad,A,1.2.3,,\n\
         multi,TXT,\"\"\"line\nbreak\"\"\",60,true\n",
        Format::Csv,
        &zone(),
        Options::default(),
    );
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.errors[0].line, 4);
    assert_eq!(p.records.len(), 3);
    assert_eq!(p.records[1].content.as_str(), "\"a, b\" \"c\"");
    assert_eq!(p.records[2].line, 5);
    assert!(p.records[2].disabled);
    let p = parse(
        "www,A,192.0.2.1\n",
        Format::Csv,
        &zone(),
        Options::default(),
    );
    assert_eq!(p.errors.len(), 1);
    assert!(p.records.is_empty());
}

#[test]
fn crlf_case_and_escaped_semicolons() {
    let p = bind("$ttl 60\r\nWWW in a 192.0.2.1\r\nt TXT a\\;b ; comment\r\n");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(
        rows(&p),
        vec![
            row("www.example.com.", "A", "192.0.2.1", Some(60)),
            row("t.example.com.", "TXT", "\"a;b\"", Some(60)),
        ]
    );
    assert_eq!(p.records[1].text, "t TXT a\\;b ; comment");
}
