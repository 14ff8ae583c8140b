//! The examples do what their documentation says: the embedded core answers DNS for the zone
//! it created, and provisioning through the client leaves the records the API then lists.

use std::net::SocketAddr;

use scaidns_tests::{dns, spawn_app};

#[tokio::test]
async fn embedded_core_answers_dns() {
    let running = scaidns_examples::embedded::serve_zone(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        "example.test",
        "192.0.2.10",
    )
    .await
    .expect("embedded core starts");
    let reply = dns::query(running.dns.local_addr(), "www.example.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.10"]);
    assert!(reply.authoritative);
    running.dns.shutdown().await.expect("stops");
}

#[tokio::test]
async fn provisioning_through_the_client() {
    let app = spawn_app().await;
    let done = scaidns_examples::provision::provision(&app.client, "shop.test")
        .await
        .expect("provision");
    assert_eq!(done.status, "active");
    let mut seen: Vec<String> = done
        .records
        .iter()
        .map(|r| format!("{} {} {}", r.display_name, r.type_, r.content))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "@ MX 10 mail.shop.test.",
            "@ TXT \"v=spf1 mx -all\"",
            "www A 192.0.2.10"
        ]
    );
    let reply = dns::query(app.dns_addr.unwrap(), "shop.test.", "MX").await;
    assert_eq!(reply.answer_texts("MX"), vec!["10 mail.shop.test."]);
    // Provisioning twice is a conflict the caller sees.
    assert!(
        scaidns_examples::provision::provision(&app.client, "shop.test")
            .await
            .is_err()
    );
    app.stop().await;
}

// The SDK's own example (`cargo run -p scaidns-client --example provision`), run for real.
#[allow(dead_code)]
#[path = "../../scaidns-client/examples/provision.rs"]
mod client_provision;

#[tokio::test]
async fn sdk_example_provisions_once_however_often_it_runs() {
    use futures::TryStreamExt;

    let app = spawn_app().await;
    let client = client_provision::client(&app.base_url, &app.admin_key).expect("client");
    let first = client_provision::provision(&client, "shop.test")
        .await
        .expect("provision");
    let again = client_provision::provision(&client, "shop.test")
        .await
        .expect("a second run finds what the first made");
    assert_eq!(again.zone_id, first.zone_id);
    let mut seen: Vec<String> = again
        .records
        .iter()
        .filter(|r| !r.system)
        .map(|r| format!("{} {} {}", r.display_name, r.type_, r.content))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "@ MX 10 mail.shop.test.",
            "@ TXT \"v=spf1 mx -all\"",
            "www A 192.0.2.10"
        ]
    );
    let names: Vec<String> = client
        .zones_stream()
        .map_ok(|z| z.name)
        .try_collect()
        .await
        .expect("zones");
    assert_eq!(names, vec!["shop.test"]);
    // The server's envelope arrives typed.
    let missing = scaidns_client::Error::from(
        client
            .zone_get("0190f5c1-0000-7000-8000-000000000000", None)
            .await
            .expect_err("no such zone"),
    );
    assert!(missing.is_not_found(), "{missing}");
    assert!(!missing.code().is_empty());
    assert!(missing.request_id().is_some_and(|id| !id.is_empty()));
    app.stop().await;
}

#[tokio::test]
async fn sdk_reads_the_real_rate_limit_answer() {
    let app = spawn_app().await;
    let key = app
        .client
        .api_key_create(&scaidns_client::types::ApiKeyCreateRequest {
            name: "one a minute".into(),
            description: None,
            permission_source: None,
            permission_source_id: Some(app.admin_user_id.clone()),
            scopes: vec![],
            rate_limit: Some(1),
            ip_whitelist: vec![],
            expires_at: None,
        })
        .await
        .expect("api_key_create")
        .into_inner()
        .key;
    // No retries: the answer itself is under test. Three calls see a 429 even when a minute
    // window ends between two of them.
    let client = scaidns_client::Client::builder()
        .base_url(&app.base_url)
        .api_key(key)
        .retry(scaidns_client::RetryPolicy::none())
        .build()
        .expect("client");
    let mut limited = None;
    for _ in 0..3 {
        if let Err(e) = client
            .zone_list(None, None, None, None, None, None, None)
            .await
        {
            limited = Some(scaidns_client::Error::from(e));
            break;
        }
    }
    let limited = limited.expect("the limit of one a minute is reached");
    assert!(limited.is_rate_limited(), "{limited}");
    assert_eq!(limited.code(), "rate_limited");
    assert!(
        limited
            .retry_after()
            .is_some_and(|wait| (1..=60).contains(&wait.as_secs()))
    );
    assert!(limited.request_id().is_some());
    app.stop().await;
}

/// The zone's own records as `name type ttl content`, sorted.
async fn listed(client: &scaidns_client::Client, zone: &str) -> Vec<String> {
    let mut seen: Vec<String> = client
        .record_list(zone, None, None, None, Some(1000), None, None)
        .await
        .expect("record_list")
        .into_inner()
        .data
        .into_iter()
        .filter(|r| !r.system)
        .map(|r| format!("{} {} {} {}", r.display_name, r.type_, r.ttl, r.content))
        .collect();
    seen.sort();
    seen
}

#[tokio::test]
async fn bulk_change_from_csv() {
    use scaidns_examples::bulk_csv::{BulkError, apply, parse_csv};

    let app = spawn_app().await;
    let zone = scaidns_examples::provision::provision(&app.client, "bulk.test")
        .await
        .expect("provision")
        .zone_id;
    // One refused row refuses the whole file: nothing applied, every failure listed.
    let before = listed(&app.client, &zone).await;
    let refused = parse_csv(
        "action,name,type,content,ttl\n\
         add,api,A,192.0.2.20,300\n\
         add,bad,A,192.0.2.300,\n",
    )
    .expect("rows");
    let Err(BulkError::Api(e)) = apply(&app.client, &zone, &refused).await else {
        panic!("a bad address is refused by the server");
    };
    assert_eq!(e.status().map(|s| s.as_u16()), Some(422), "{e}");
    assert_eq!(e.detail()["failures"][0]["index"], 1, "{e}");
    assert_eq!(listed(&app.client, &zone).await, before);

    // A delete row naming no record stops before anything is sent.
    let missing = parse_csv("action,name,type,content,ttl\ndelete,nope,A,192.0.2.1,\n").unwrap();
    assert!(matches!(
        apply(&app.client, &zone, &missing).await,
        Err(BulkError::NoSuchRecord { line: 2 })
    ));

    // Quoted fields keep their commas and quotes (RFC 4180); a delete names a listed record.
    let rows = parse_csv(
        "action,name,type,content,ttl\n\
         add,api,A,192.0.2.20,300\n\
         add,@,TXT,\"\"\"v=DKIM1; k=rsa, p=none\"\"\",\n\
         delete,www,A,192.0.2.10,\n",
    )
    .expect("rows");
    let done = apply(&app.client, &zone, &rows).await.expect("bulk");
    assert_eq!((done.total_created, done.deleted), (2, 1));
    assert_eq!(
        listed(&app.client, &zone).await,
        vec![
            "@ MX 3600 10 mail.bulk.test.",
            "@ TXT 3600 \"v=DKIM1; k=rsa, p=none\"",
            "@ TXT 3600 \"v=spf1 mx -all\"",
            "api A 300 192.0.2.20",
        ]
    );
    let dns_addr = app.dns_addr.unwrap();
    let reply = dns::query(dns_addr, "api.bulk.test.", "A").await;
    assert_eq!(reply.answer_texts("A"), vec!["192.0.2.20"]);
    assert!(
        dns::query(dns_addr, "www.bulk.test.", "A")
            .await
            .answer_texts("A")
            .is_empty()
    );
    app.stop().await;
}

// The pure core's validation example (`cargo run -p scaidns-core --no-default-features
// --example validate_records`), run on the lines its documentation shows.
#[allow(dead_code)]
#[path = "../../scaidns-core/examples/validate_records.rs"]
mod validate_records;

#[test]
fn core_validation_example_canonicalises_and_refuses() {
    let zone = scaidns_core::name::ZoneName::parse("Example.com").unwrap();
    let checked = validate_records::check_all(
        &zone,
        "; a comment\nwww A 192.0.2.1\n@ MX 10 Mail\n\nbad A 300.1.1.1\nx AAAA 2001:DB8::0:1\n_dmarc TXT v=DMARC1; p=none\n",
    );
    assert_eq!(checked.len(), 5);
    assert_eq!(checked[0], (2, Ok("www.example.com. A 192.0.2.1".into())));
    assert_eq!(checked[1], (3, Ok("example.com. MX 10 mail.".into())));
    assert_eq!(checked[2].0, 5);
    assert!(
        checked[2]
            .1
            .as_ref()
            .is_err_and(|why| why.starts_with("content")),
        "{checked:?}"
    );
    assert_eq!(
        checked[3],
        (6, Ok("x.example.com. AAAA 2001:db8::1".into()))
    );
    assert_eq!(
        checked[4],
        (7, Ok("_dmarc.example.com. TXT \"v=DMARC1; p=none\"".into()))
    );
}

mod verify_webhook {
    use chrono::{Duration, Utc};
    use poem::listener::{Acceptor, Listener, TcpListener};
    use scaidns_core::outbound_webhook::{SIGNATURE_HEADER, signature};
    use scaidns_examples::verify_webhook::{Inbox, receiver};

    const SECRET: &str = "whsec_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// The example receiver on a loopback port: its URL and what it accepted.
    async fn start() -> (String, Inbox) {
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        let inbox = Inbox::default();
        tokio::spawn(
            poem::Server::new_with_acceptor(acceptor).run(receiver(SECRET, inbox.clone())),
        );
        (format!("http://{addr}/hook"), inbox)
    }

    async fn post(url: &str, signature: Option<String>, body: &[u8]) -> u16 {
        let mut request = reqwest::Client::new().post(url).body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn the_receiver_believes_only_fresh_bodies_signed_with_the_secret() {
        let (url, inbox) = start().await;
        let body = br#"{"id":"0193c0de-0000-7000-8000-000000000001","type":"record.create","zone":{"name":"example.com"}}"#;
        let now = Utc::now().timestamp();

        // Signed by the core's own signer, as ScaiDNS sends it.
        assert_eq!(
            post(&url, Some(signature(SECRET, now, body)), body).await,
            204
        );
        assert_eq!(inbox.events().len(), 1);
        assert_eq!(inbox.events()[0]["type"], "record.create");

        // The same signature over a body changed on the way.
        let tampered = String::from_utf8_lossy(body).replace("record.create", "record.delete");
        assert_eq!(
            post(
                &url,
                Some(signature(SECRET, now, body)),
                tampered.as_bytes()
            )
            .await,
            401
        );
        // Signed with another secret, or not at all.
        let other = SECRET.replace("0123", "3210");
        assert_eq!(
            post(&url, Some(signature(&other, now, body)), body).await,
            401
        );
        assert_eq!(post(&url, None, body).await, 401);
        // A genuine signature made beyond the tolerance: a replay.
        let stale = now - scaidns_core::identity::webhook::TOLERANCE_SECONDS - 60;
        assert_eq!(
            post(&url, Some(signature(SECRET, stale, body)), body).await,
            401
        );
        let ahead = (Utc::now() + Duration::minutes(10)).timestamp();
        assert_eq!(
            post(&url, Some(signature(SECRET, ahead, body)), body).await,
            401
        );
        assert_eq!(inbox.events().len(), 1, "nothing refused was kept");

        // Within the tolerance, and a repeat (at least once) is acknowledged but kept once.
        let recent = now - 60;
        assert_eq!(
            post(&url, Some(signature(SECRET, recent, body)), body).await,
            204
        );
        assert_eq!(inbox.events().len(), 1);

        // Signed but not an event: refused rather than guessed at.
        assert_eq!(
            post(&url, Some(signature(SECRET, now, b"[]")), b"[]").await,
            400
        );
    }
}
