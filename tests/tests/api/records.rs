//! Records through the API on the embedded backend: several types added, changed, disabled and
//! deleted, each step checked against what the DNS server answers.

use scaidns_client::types::{RecordUpdateRequest, RecordWritten};
use scaidns_core::record::RecordType;
use scaidns_tests::dns;
use scaidns_tests::spawn_app;

use crate::domains::{record, zone};
use crate::util::{error_of, located_field};

fn update(content: Option<&str>, ttl: Option<i64>, disabled: Option<bool>) -> RecordUpdateRequest {
    RecordUpdateRequest {
        ptr: None,
        content: content.map(Into::into),
        ttl,
        disabled,
    }
}

#[tokio::test]
async fn records_of_several_types_are_served_as_reported() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    let z = app
        .client
        .zone_create(&zone("rr.test"))
        .await
        .unwrap()
        .into_inner();
    let cases = [
        ("www", "A", "192.0.2.10", "www.rr.test."),
        ("www", "AAAA", "2001:db8::10", "www.rr.test."),
        ("@", "MX", "10 mail.rr.test", "rr.test."),
        ("@", "TXT", "v=spf1 -all", "rr.test."),
        (
            "_sip._tcp",
            "SRV",
            "10 60 5060 sip.rr.test.",
            "_sip._tcp.rr.test.",
        ),
        ("@", "CAA", "0 issue \"letsencrypt.org\"", "rr.test."),
        ("alias", "CNAME", "www.rr.test", "alias.rr.test."),
    ];
    let mut created: Vec<RecordWritten> = Vec::new();
    for (name, rtype, content, _) in cases {
        let r = app
            .client
            .record_create(&z.id, &record(name, rtype, content))
            .await
            .unwrap_or_else(|e| panic!("{rtype} {content}: {e:?}"));
        assert_eq!(r.status().as_u16(), 201);
        created.push(r.into_inner());
    }
    assert_eq!(created[2].content, "10 mail.rr.test.");
    assert_eq!(created[3].content, "\"v=spf1 -all\"");
    assert_eq!(created[6].content, "www.rr.test.");
    assert_eq!(created[0].display_name, "www");
    assert_eq!(created[2].display_name, "@");

    // What the API reports is exactly what DNS answers.
    let list = app
        .client
        .record_list(&z.id, None, None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total, cases.len() as u64);
    assert_eq!(list.domain_name, "rr.test");
    for (_, rtype, _, owner) in cases {
        let reported: Vec<&str> = list
            .data
            .iter()
            .filter(|r| r.type_ == rtype)
            .map(|r| r.content.as_str())
            .collect();
        let rt: RecordType = rtype.parse().unwrap();
        let reply = dns::query(dns_addr, owner, rtype).await;
        assert_eq!(
            reply.answer_wire(rtype),
            dns::wire_of(rt, &reported),
            "{rtype}"
        );
    }

    // Content change, then TTL change: the TTL applies to the RRset.
    let second = app
        .client
        .record_create(&z.id, &record("www", "A", "192.0.2.11"))
        .await
        .unwrap()
        .into_inner();
    let changed = app
        .client
        .record_update(
            &z.id,
            &created[0].id,
            &update(Some("192.0.2.20"), Some(120), None),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!((changed.content.as_str(), changed.ttl), ("192.0.2.20", 120));
    let sibling = app.client.record_get(&z.id, &second.id).await.unwrap();
    assert_eq!(sibling.ttl, 120, "TTL belongs to the RRset");
    let reply = dns::query(dns_addr, "www.rr.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.11", "192.0.2.20"]);
    assert!(reply.answers.iter().all(|rr| rr.ttl == 120));

    // Disabled records are kept but not served; enabling serves them again.
    app.client
        .record_update(&z.id, &second.id, &update(None, None, Some(true)))
        .await
        .unwrap();
    let reply = dns::query(dns_addr, "www.rr.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.20"]);
    app.client
        .record_update(&z.id, &second.id, &update(None, None, Some(false)))
        .await
        .unwrap();

    // Delete.
    let gone = app.client.record_delete(&z.id, &second.id).await.unwrap();
    assert_eq!(gone.status().as_u16(), 204);
    assert_eq!(
        error_of(app.client.record_get(&z.id, &second.id).await).0,
        404
    );
    let reply = dns::query(dns_addr, "www.rr.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.20"]);

    // System records only on request.
    let all = app
        .client
        .record_list(&z.id, Some(true), None, None, None, None, Some("NS"))
        .await
        .unwrap()
        .into_inner();
    assert!(!all.data.is_empty() && all.data.iter().all(|r| r.system && r.type_ == "NS"));
    app.stop().await;
}

#[tokio::test]
async fn zone_rules_and_content_are_enforced() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("rules.test"))
        .await
        .unwrap()
        .into_inner();
    app.client
        .record_create(&z.id, &record("www", "A", "192.0.2.1"))
        .await
        .unwrap();

    let (status, body) = error_of(
        app.client
            .record_create(&z.id, &record("www", "A", "192.0.2.1"))
            .await,
    );
    assert_eq!((status, body.code.as_str()), (409, "record_exists"));

    let (status, _) = error_of(
        app.client
            .record_create(&z.id, &record("www", "CNAME", "elsewhere.example"))
            .await,
    );
    assert!(
        status == 409 || status == 422,
        "CNAME next to other data: {status}"
    );

    for (rtype, content) in [
        ("A", "300.1.1.1"),
        ("MX", "mail.example"),
        ("AAAA", "1.2.3.4"),
    ] {
        let (status, body) = error_of(
            app.client
                .record_create(&z.id, &record("bad", rtype, content))
                .await,
        );
        assert_eq!(status, 422, "{rtype} {content}");
        assert_eq!(located_field(&body).as_deref(), Some("content"), "{body:?}");
    }
    let (status, body) = error_of(
        app.client
            .record_create(&z.id, &record("x", "NOPE", "1"))
            .await,
    );
    assert_eq!(status, 422);
    assert_eq!(located_field(&body).as_deref(), Some("type"), "{body:?}");
    let (status, _) = error_of(
        app.client
            .record_create(&z.id, &record("outside.example.org.", "A", "192.0.2.1"))
            .await,
    );
    assert_eq!(status, 422);
    app.stop().await;
}
