//! Zone import (spec §7.3, §7.4): a real-world master file into live PowerDNS, preview and its
//! ETag, all-or-nothing refusal listing every bad line, the three modes, JSON/CSV, upload, and
//! the limits; grant-limited keys and other tenants' zones.

use std::collections::BTreeMap;

use reqwest::Method;
use scaidns_client::types::DomainCreateRequest;
use scaidns_tests::dns;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::concurrent_writes::served;
use crate::domains::zone;
use crate::grants::user_without_role;
use crate::util::{active_zone, call, every_record, multipart, ok, refused, send};

const REALWORLD: &str = include_str!("fixtures/realworld.zone");

fn path(zone: &str, what: &str) -> String {
    format!("/api/v1/domains/{zone}/import/{what}")
}

async fn live_zone(app: &TestApp, name: &str) -> String {
    app.client
        .zone_create(&DomainCreateRequest {
            cidr: None,
            skip_validation: Some(true),
            template_id: None,
            template_variables: Default::default(),
            ..zone(name)
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

/// `name type content ttl` of every record the admin sees (SOA and apex NS apart).
async fn listing(app: &TestApp, zone: &str) -> Vec<String> {
    let path = format!("/api/v1/domains/{zone}/records");
    let mut out: Vec<String> = every_record(app, &app.admin_key, &path)
        .await
        .iter()
        .map(|r| format!("{} {} {} {}", r["name"], r["type"], r["content"], r["ttl"]))
        .collect();
    out.sort();
    out
}

/// (name, type) → sorted contents, as the API lists them (SOA apart, apex NS included), in the
/// shape `served` reads PowerDNS.
async fn listed_rrsets(app: &TestApp, zone: &str) -> BTreeMap<(String, String), Vec<String>> {
    let path = format!("/api/v1/domains/{zone}/records?include_system=true");
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &every_record(app, &app.admin_key, &path).await {
        let (name, rtype) = (r["name"].as_str().unwrap(), r["type"].as_str().unwrap());
        if rtype != "SOA" {
            out.entry((name.to_owned(), rtype.to_owned()))
                .or_default()
                .push(r["content"].as_str().unwrap().to_owned());
        }
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

#[tokio::test]
async fn a_real_world_zone_imports_into_powerdns_and_reimports_as_nothing() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    real_world_zone_round_trip(&app, pdns.dns_addr, Some(&pdns)).await;
}

#[tokio::test]
async fn a_real_world_zone_imports_into_the_embedded_backend_and_reimports_as_nothing() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.expect("embedded DNS");
    real_world_zone_round_trip(&app, dns_addr, None).await;
}

/// Every RRset the API lists for `zone`, asked of the DNS server at `dns_addr` over TCP (some
/// answers pass 512 bytes): it answers exactly those records. Names at and below the
/// delegation `child` are answered with a referral, not an answer, so they are left out.
async fn answers_over_dns(
    dns_addr: std::net::SocketAddr,
    listed: &BTreeMap<(String, String), Vec<String>>,
) {
    let mut asked = 0;
    for ((name, rtype), contents) in listed {
        if name == "child.import.test" || name.ends_with(".child.import.test") {
            continue;
        }
        let rt: scaidns_core::record::RecordType = rtype.parse().unwrap();
        let contents: Vec<&str> = contents.iter().map(String::as_str).collect();
        let reply = dns::query_tcp(dns_addr, &format!("{name}."), rt.as_str()).await;
        let mut served = reply.answer_wire(rt.as_str());
        served.sort();
        if matches!(rtype.as_str(), "MR" | "MINFO") {
            // PowerDNS compresses the names of these RFC 1035 types (as it may), and hickory
            // keeps their rdata as opaque bytes whose pointers mean something only inside the
            // message: the count is what can be compared.
            assert_eq!(served.len(), contents.len(), "{name} {rtype}");
        } else {
            assert_eq!(
                served,
                dns::wire_of(rt, &contents),
                "{name} {rtype} {contents:?} not served as listed"
            );
        }
        asked += 1;
    }
    assert!(asked > 250, "only {asked} RRsets asked");
}

/// The real-world file through preview, apply with the preview's ETag, the DNS answers,
/// re-import as nothing and a stale preview refused; with `pdns`, PowerDNS's API also holds
/// exactly what the API lists.
async fn real_world_zone_round_trip(
    app: &TestApp,
    dns_addr: std::net::SocketAddr,
    pdns: Option<&PdnsServer>,
) {
    let id = live_zone(app, "import.test").await;
    let body = json!({"content": REALWORLD});

    let resp = send(
        app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        Some(body.clone()),
    )
    .await;
    if resp.status() != 200 {
        panic!("{}", resp.text().await.unwrap());
    }
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    let preview: Value = resp.json().await.unwrap();
    assert_eq!(preview["errors"], json!([]), "{}", preview["errors"]);
    assert_eq!(preview["adds"].as_array().unwrap().len(), 289);
    let skipped: Vec<u64> = preview["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["line"].as_u64().unwrap())
        .collect();
    // SOA, both apex NS, DNSKEY, RRSIG.
    assert_eq!(skipped.len(), 5, "{}", preview["skipped"]);
    assert!(
        etag.starts_with(&format!("\"{}-", preview["generation"])),
        "{etag}"
    );
    let types: std::collections::BTreeSet<&str> = preview["adds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(types.len() >= 30, "{types:?}");

    let resp = app
        .http
        .post(app.url(&path(&id, "text")))
        .header("x-api-key", &app.admin_key)
        .header("if-match", &etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let result: Value = resp.json().await.unwrap();
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["added"], 289);
    assert_eq!(result["sync_status"], "in_sync", "{result}");

    // The backend serves exactly what the API lists: every imported record.
    let listed = listed_rrsets(app, &id).await;
    if let Some(pdns) = pdns {
        let (in_pdns, _) = served(pdns, "import.test").await;
        assert_eq!(in_pdns, listed);
    }
    answers_over_dns(dns_addr, &listed).await;
    assert_eq!(listed.values().map(Vec::len).sum::<usize>(), 289 + 2);
    assert_eq!(
        listed[&("www.import.test".to_owned(), "CNAME".to_owned())],
        vec!["import.test.".to_owned()]
    );
    assert_eq!(
        listed[&("3.mx.import.test".to_owned(), "MX".to_owned())],
        vec!["10 web03.hosts.import.test.".to_owned()]
    );

    // The same file again changes nothing.
    let again = ok(
        app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        body.clone(),
    )
    .await;
    assert_eq!(
        (&again["adds"], &again["changes"], &again["deletes"]),
        (&json!([]), &json!([]), &json!([])),
        "{again}"
    );
    assert_eq!(again["unchanged"], 289);

    // A preview gone stale: the apply with its ETag is refused and nothing changes.
    let resp = send(
        app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        Some(json!({"content": "stale A 192.0.2.99"})),
    )
    .await;
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    ok(
        app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/domains/{id}/records"),
        json!({"name": "between", "type": "A", "content": "192.0.2.98"}),
    )
    .await;
    let before = listing(app, &id).await;
    let resp = app
        .http
        .post(app.url(&path(&id, "text")))
        .header("x-api-key", &app.admin_key)
        .header("if-match", &etag)
        .json(&json!({"content": "stale A 192.0.2.99"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 412);
    assert_eq!(listing(app, &id).await, before);
}

#[tokio::test]
async fn a_file_with_bad_lines_is_refused_whole_naming_each() {
    let app = spawn_app().await;
    let id = live_zone(&app, "bad.test").await;
    ok(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": "keep A 192.0.2.1"}),
    )
    .await;
    let before = listing(&app, &id).await;
    let text = "ok1 A 192.0.2.2\nbroken A 300.1.1.1\nok2 A 192.0.2.3\n$INCLUDE other.zone\nout.example.org. A 192.0.2.4\n";
    let (status, body) = call(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "text"),
        Some(json!({"content": text})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_zone_data")),
        "{body}"
    );
    let lines: Vec<u64> = body["detail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 4, 5]);
    assert_eq!(body["detail"][0]["text"], "broken A 300.1.1.1");
    assert!(
        body["detail"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("$INCLUDE")
    );
    assert_eq!(listing(&app, &id).await, before);

    // The preview lists the same lines and applies nothing either.
    let preview = ok(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        json!({"content": text}),
    )
    .await;
    assert_eq!(preview["errors"].as_array().unwrap().len(), 3);
    assert_eq!(listing(&app, &id).await, before);

    // A zone rule broken by the combined change is an error of the line that breaks it, and
    // every such line is listed, not only the first: a CNAME beside the zone's own record, a
    // CNAME at the apex, a CNAME beside a record of the same file.
    let text = "new A 192.0.2.9\nkeep CNAME elsewhere.example.\n@ CNAME apex.example.\n\
                x A 192.0.2.10\nx CNAME y.example.\nlast A 192.0.2.11\n";
    let (status, body) = call(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "text"),
        Some(json!({"content": text})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_zone_data")),
        "{body}"
    );
    let noted = |items: &Value| -> Vec<(u64, String)> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["line"].as_u64().unwrap(),
                    d["text"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let expected = vec![
        (2, "keep CNAME elsewhere.example.".to_owned()),
        (3, "@ CNAME apex.example.".to_owned()),
        (5, "x CNAME y.example.".to_owned()),
    ];
    assert_eq!(noted(&body["detail"]), expected, "{body}");
    assert!(
        body["detail"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !d["reason"].as_str().unwrap().is_empty()),
        "{body}"
    );
    assert_eq!(listing(&app, &id).await, before);
    let preview = ok(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        json!({"content": text}),
    )
    .await;
    assert_eq!(noted(&preview["errors"]), expected, "{preview}");
    assert_eq!(preview["adds"], json!([]), "{preview}");
    assert_eq!(listing(&app, &id).await, before);

    // Unsupported types: an error unless skipped on request.
    let text = "old MB mailbox.bad.test.\nnew A 192.0.2.5\n";
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": text})),
        )
        .await,
        422,
        "invalid_zone_data",
    );
    let done = ok(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": text, "skip_unsupported": true}),
    )
    .await;
    assert_eq!(
        (done["added"].as_u64(), done["skipped"][0]["line"].as_u64()),
        (Some(1), Some(1))
    );

    // Bad fields of the request itself.
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": "", "format": "xml"})),
        )
        .await,
        422,
        "invalid_input",
    );
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": "a\u{0}b"})),
        )
        .await,
        422,
        "invalid_encoding",
    );
}

#[tokio::test]
async fn modes_merge_skip_existing_and_replace() {
    let app = spawn_app().await;
    let id = live_zone(&app, "modes.test").await;
    let post = |body: Value| {
        ok(
            &app,
            &app.admin_key,
            Method::POST,
            path(&id, "text").leak(),
            body,
        )
    };
    post(json!({"content": "a 300 A 192.0.2.1\nb 300 A 192.0.2.2\nc TXT \"x\""})).await;

    // merge: equal records stay, the TTL follows the file, new records come in.
    let done = post(json!({"content": "a 600 A 192.0.2.1\nd A 192.0.2.4"})).await;
    assert_eq!(
        (done["added"].as_u64(), done["changed"].as_u64()),
        (Some(1), Some(1)),
        "{done}"
    );
    // skip_existing: the RRset b A exists, so its new member is left out.
    let done =
        post(json!({"content": "b A 192.0.2.20\ne A 192.0.2.5", "mode": "skip_existing"})).await;
    assert_eq!(
        (done["added"].as_u64(), done["conflict_count"].as_u64()),
        (Some(1), Some(1)),
        "{done}"
    );

    // replace: the preview lists the deletes; the zone ends as the file says.
    let text = "a 600 A 192.0.2.1\nz A 192.0.2.26\n@ NS ns9.elsewhere.example.";
    let preview = ok(
        &app,
        &app.admin_key,
        Method::POST,
        &path(&id, "preview"),
        json!({"content": text, "mode": "replace"}),
    )
    .await;
    let mut deleted: Vec<&str> = preview["deletes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    deleted.sort();
    assert_eq!(
        deleted,
        vec![
            "b.modes.test",
            "c.modes.test",
            "d.modes.test",
            "e.modes.test"
        ]
    );
    let done = post(json!({"content": text, "mode": "replace"})).await;
    assert_eq!(done["deleted"], 4);
    assert_eq!(
        listing(&app, &id).await,
        vec![
            "\"a.modes.test\" \"A\" \"192.0.2.1\" 600".to_owned(),
            "\"z.modes.test\" \"A\" \"192.0.2.26\" 600".to_owned(),
        ]
    );

    // JSON and CSV read the export's shapes.
    let json_text =
        json!([{"name": "j", "type": "TXT", "content": "\"from json\"", "ttl": 120}]).to_string();
    post(json!({"content": json_text, "format": "json"})).await;
    post(json!({"content": "name,type,content,ttl\nk,MX,10 mail.modes.test.,\n", "format": "csv"}))
        .await;
    let listed = listing(&app, &id).await;
    assert!(
        listed.contains(&"\"j.modes.test\" \"TXT\" \"\\\"from json\\\"\" 120".to_owned()),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|r| r.starts_with("\"k.modes.test\" \"MX\"")),
        "{listed:?}"
    );
}

#[tokio::test]
async fn upload_and_limits() {
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.bulk_max_items = 3;
        c.import_max_bytes = 2048;
    })
    .await;
    let id = live_zone(&app, "upload.test").await;
    let upload = |file: Vec<u8>, fields: Vec<(&'static str, &'static str)>| {
        let (ct, body) = multipart(&file, &fields);
        app.http
            .post(app.url(&path(&id, "file")))
            .header("x-api-key", &app.admin_key)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let resp = upload(
        b"a A 192.0.2.1\nb A 192.0.2.2\n".to_vec(),
        vec![("mode", "merge")],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(listing(&app, &id).await.len(), 2);
    let resp = upload(
        b"name,type,content\nc,A,192.0.2.3\n".to_vec(),
        vec![("format", "csv")],
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(listing(&app, &id).await.len(), 3);

    let resp = upload(vec![0xff, 0xfe, b'a', 0x00], vec![]).await.unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_encoding");

    // More records than BULK_MAX_ITEMS, a body over IMPORT_MAX_BYTES: 413, nothing changed.
    let four = "w A 192.0.2.1\nx A 192.0.2.2\ny A 192.0.2.3\nz A 192.0.2.4\n";
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": four})),
        )
        .await,
        413,
        "too_many_records",
    );
    let big = format!("; {}\n", "x".repeat(4096));
    refused(
        call(
            &app,
            &app.admin_key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": big})),
        )
        .await,
        413,
        "body_too_large",
    );
    let resp = upload(big.into_bytes(), vec![]).await.unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(listing(&app, &id).await.len(), 3);
}

#[tokio::test]
async fn grant_limited_keys_are_refused_whole_and_other_tenants_see_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let id = active_zone(&app, &alpha, "grant-import.test").await;
    ok(
        &app,
        &alpha.key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": "www A 192.0.2.1"}),
    )
    .await;
    let (user, key) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &alpha.key,
        &id,
        &user,
        json!({"role": "domain_manager", "record_pattern": "*.dev"}),
    )
    .await;
    let before = listing(&app, &id).await;

    // Inside the grant: fine.
    ok(
        &app,
        &key,
        Method::POST,
        &path(&id, "text"),
        json!({"content": "api.dev A 192.0.2.2"}),
    )
    .await;
    // One record outside the grant refuses the whole file.
    refused(
        call(
            &app,
            &key,
            Method::POST,
            &path(&id, "text"),
            Some(json!({"content": "db.dev A 192.0.2.3\nwww A 192.0.2.4"})),
        )
        .await,
        403,
        "permission_denied",
    );
    refused(
        call(
            &app,
            &key,
            Method::POST,
            &path(&id, "preview"),
            Some(json!({"content": "www A 192.0.2.4"})),
        )
        .await,
        403,
        "permission_denied",
    );
    // Replace would delete records the key cannot see: refused.
    refused(
        call(
            &app,
            &key,
            Method::POST,
            &path(&id, "preview"),
            Some(json!({"content": "x.dev A 192.0.2.5", "mode": "replace"})),
        )
        .await,
        403,
        "permission_denied",
    );
    let after = listing(&app, &id).await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");

    // Another tenant's zone does not exist for beta, by any of the three routes.
    for what in ["text", "preview"] {
        refused(
            call(
                &app,
                &beta.key,
                Method::POST,
                &path(&id, what),
                Some(json!({"content": "evil A 192.0.2.66"})),
            )
            .await,
            404,
            "domain_not_found",
        );
    }
    let (ct, body) = multipart(b"evil A 192.0.2.66\n", &[]);
    let resp = app
        .http
        .post(app.url(&path(&id, "file")))
        .header("x-api-key", &beta.key)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(listing(&app, &id).await, after);
}
