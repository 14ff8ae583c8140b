//! Secondary zones (issue 10 item 3): a second PowerDNS plays the primary, holding the zone and
//! a TSIG key it demands for transfers; ScaiDNS creates the zone as a secondary with that key,
//! its PowerDNS transfers it and answers over DNS, and after a change on the primary and
//! `POST /domains/{id}/retrieve` it answers the new data. Along the way: the TSIG secret is in
//! no answer and no audit entry, records are read-only (409 `zone_is_secondary`), DNSSEC is
//! refused, a wrong key leaves the zone active with the error visible, another tenant can
//! neither read nor retrieve it, and bad input is a 422.

use std::time::{Duration, Instant};

use reqwest::Method;
use scaidns_tests::dns;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured, spawn_app_with};
use serde_json::{Value, json};

use crate::util::{call, ok, pdns_call, refused};

const ZONE: &str = "secondary.test";
const KEY_NAME: &str = "xfr-key";
/// The name the key signs with (`TsigKey::wire_name`), which the primary must know it by.
const WIRE_NAME: &str = "xfr-key._scaidns.secondary.test";
/// Base64 of a 32-byte HMAC-SHA256 key.
const SECRET: &str = "c2NhaWRucy1zZWNvbmRhcnktdGVzdC1rZXktMzJieXQ=";
const POLL: Duration = Duration::from_secs(40);

/// The primary: the zone with `www` A 192.0.2.1, transfers allowed only with the TSIG key.
async fn primary() -> PdnsServer {
    let pdns = PdnsServer::start().await;
    pdns_call(
        &pdns,
        Method::POST,
        "tsigkeys",
        json!({"name": WIRE_NAME, "algorithm": "hmac-sha256", "key": SECRET}),
    )
    .await;
    let fqdn = format!("{ZONE}.");
    pdns_call(
        &pdns,
        Method::POST,
        "zones",
        json!({
            "name": fqdn,
            "kind": "Master",
            "soa_edit_api": "DEFAULT",
            "nameservers": [format!("ns1.{fqdn}")],
            "master_tsig_key_ids": [format!("{WIRE_NAME}.")],
            "rrsets": [
                {"name": format!("ns1.{fqdn}"), "type": "A", "ttl": 60,
                 "records": [{"content": "127.0.0.1", "disabled": false}]},
                {"name": format!("www.{fqdn}"), "type": "A", "ttl": 60,
                 "records": [{"content": "192.0.2.1", "disabled": false}]},
            ],
        }),
    )
    .await;
    pdns
}

async fn app_on(pdns: &PdnsServer) -> TestApp {
    spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await
}

/// Polls `server` until `www.<zone>` A is `want`, asking for a transfer on each round.
async fn wait_for_www(app: &TestApp, id: &str, server: std::net::SocketAddr, want: &str) {
    let deadline = Instant::now() + POLL;
    loop {
        let got = dns::try_query(server, &format!("www.{ZONE}."), "A")
            .await
            .map(|reply| reply.answer_texts("A"))
            .unwrap_or_default();
        if got == [want] {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "www.{ZONE} A never became {want} (last answer {got:?})"
        );
        let (status, body) = call(
            app,
            &app.admin_key,
            Method::POST,
            &format!("/api/v1/domains/{id}/retrieve"),
            None,
        )
        .await;
        assert_eq!(status, 202, "{body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn secondary_body(primary: &PdnsServer, secret: &str) -> Value {
    json!({
        "name": ZONE,
        "domain_type": "secondary",
        "primaries": [primary.dns_addr.to_string()],
        "tsig_key_name": KEY_NAME,
        "tsig_algorithm": "hmac-sha256",
        "tsig_secret": secret,
    })
}

#[tokio::test]
async fn a_secondary_transfers_with_tsig_follows_changes_and_stays_read_only() {
    let primary = primary().await;
    let served = PdnsServer::start().await;
    let app = app_on(&served).await;
    let admin = app.admin_key.clone();

    let created = ok(
        &app,
        &admin,
        Method::POST,
        "/api/v1/domains",
        secondary_body(&primary, SECRET),
    )
    .await;
    assert!(!created.to_string().contains(SECRET), "{created}");
    assert_eq!(created["domain_type"], "secondary");
    assert_eq!(created["status"], "active");
    assert_eq!(created["tsig_key_name"], KEY_NAME);
    assert_eq!(created["tsig_key_wire_name"], WIRE_NAME);
    assert_eq!(created["primaries"], json!([primary.dns_addr.to_string()]));
    let id = created["id"].as_str().unwrap().to_owned();

    wait_for_www(&app, &id, served.dns_addr, "192.0.2.1").await;
    let (status, zone) = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/domains/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{zone}");
    assert!(!zone.to_string().contains(SECRET), "{zone}");
    let first_serial = zone["transfer"]["serial"]
        .as_u64()
        .expect("a serial after the transfer");
    assert!(zone["transfer"]["last_error"].is_null(), "{zone}");

    // A change on the primary, then a transfer asked for through the API.
    pdns_call(
        &primary,
        Method::PATCH,
        &format!("zones/{ZONE}."),
        json!({"rrsets": [{"name": format!("www.{ZONE}."), "type": "A", "ttl": 60,
            "changetype": "REPLACE", "records": [{"content": "192.0.2.2", "disabled": false}]}]}),
    )
    .await;
    wait_for_www(&app, &id, served.dns_addr, "192.0.2.2").await;
    let (_, zone) = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/domains/{id}"),
        None,
    )
    .await;
    assert!(
        zone["transfer"]["serial"].as_u64().unwrap() > first_serial,
        "{zone}"
    );

    // Records are read from PowerDNS (the primary's), and are read-only; no signing here.
    let records = format!("/api/v1/domains/{id}/records");
    let (status, listed) = call(
        &app,
        &admin,
        Method::GET,
        &format!("{records}?type=A"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let contents: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["display_name"] == "www")
        .map(|r| r["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["192.0.2.2"], "{listed}");
    // One record by the id the list gave it, and the export, read PowerDNS too.
    let www = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["display_name"] == "www")
        .unwrap();
    let (status, one) = call(
        &app,
        &admin,
        Method::GET,
        &format!("{records}/{}", www["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["content"], "192.0.2.2", "{one}");
    let (status, exported) = call(
        &app,
        &admin,
        Method::GET,
        &format!("/api/v1/domains/{id}/export"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{exported}");
    let file = exported["zone_file"].as_str().unwrap();
    assert!(
        file.contains("www") && file.contains("192.0.2.2") && file.contains("SOA"),
        "{file}"
    );
    refused(
        call(
            &app,
            &admin,
            Method::POST,
            &records,
            Some(json!({"name": "x", "type": "A", "content": "192.0.2.9"})),
        )
        .await,
        409,
        "zone_is_secondary",
    );
    refused(
        call(
            &app,
            &admin,
            Method::POST,
            &format!("{records}/bulk"),
            Some(json!({"records": [{"name": "x", "type": "A", "content": "192.0.2.9"}]})),
        )
        .await,
        409,
        "zone_is_secondary",
    );
    refused(
        call(
            &app,
            &admin,
            Method::POST,
            &format!("/api/v1/domains/{id}/dnssec/enable"),
            Some(json!({})),
        )
        .await,
        409,
        "zone_is_secondary",
    );

    // Another tenant sees nothing and cannot ask for a transfer.
    let other = app.tenant_with_user("other-sec").await;
    refused(
        call(
            &app,
            &other.key,
            Method::GET,
            &format!("/api/v1/domains/{id}"),
            None,
        )
        .await,
        404,
        "domain_not_found",
    );
    let (status, _) = call(
        &app,
        &other.key,
        Method::POST,
        &format!("/api/v1/domains/{id}/retrieve"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // The secret is in no audit entry.
    let (status, audit) = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    assert_eq!(status, 200, "{audit}");
    assert!(audit.to_string().contains("domain.create"), "{audit}");
    assert!(
        !audit.to_string().contains(SECRET),
        "the TSIG secret leaked into the audit log"
    );
}

#[tokio::test]
async fn a_refused_transfer_leaves_the_zone_active_with_the_error_visible() {
    let primary = primary().await;
    let served = PdnsServer::start().await;
    let app = app_on(&served).await;
    // Another key name: the primary does not know it and refuses the transfer.
    let mut body = secondary_body(&primary, "d3JvbmctdHNpZy1rZXktd3Jvbmcta2V5LXdyb25nISE=");
    body["tsig_key_name"] = json!("unknown-key");
    let created = ok(&app, &app.admin_key, Method::POST, "/api/v1/domains", body).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["status"], "active");
    let (status, zone) = call(
        &app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/domains/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{zone}");
    assert_eq!(zone["status"], "active");
    assert!(zone["transfer"]["serial"].is_null(), "{zone}");
    assert!(zone["transfer"]["last_error"].as_str().is_some(), "{zone}");
    let (status, _) = call(
        &app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/domains/{id}/retrieve"),
        None,
    )
    .await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn bad_secondary_input_is_refused_and_the_embedded_backend_names_powerdns() {
    let primary = primary().await;
    let served = PdnsServer::start().await;
    let app = app_on(&served).await;
    let admin = app.admin_key.clone();
    let domains = "/api/v1/domains";
    let cases = [
        json!({"name": ZONE, "domain_type": "secondary"}),
        json!({"name": ZONE, "domain_type": "secondary", "primaries": ["ns1.example.com"]}),
        json!({"name": ZONE, "domain_type": "secondary", "primaries": ["127.0.0.1"],
               "tsig_key_name": "k", "tsig_secret": "not base64!"}),
        json!({"name": ZONE, "domain_type": "secondary", "primaries": ["127.0.0.1"],
               "tsig_secret": SECRET}),
        json!({"name": ZONE, "primaries": ["127.0.0.1"]}),
        // Valid alone, too long once PowerDNS's per-zone name is built from it.
        json!({"name": ZONE, "domain_type": "secondary", "primaries": ["127.0.0.1"],
               "tsig_key_name": (["k".repeat(63), "k".repeat(63), "k".repeat(63), "k".repeat(50)].join(".")),
               "tsig_secret": SECRET}),
    ];
    for body in cases {
        let (status, answer) = call(&app, &admin, Method::POST, domains, Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(!answer.to_string().contains(SECRET));
    }
    let (status, answer) = call(&app, &admin, Method::GET, "/api/v1/domains", None).await;
    assert_eq!(
        (status, answer["total"].as_u64()),
        (200, Some(0)),
        "{answer}"
    );

    let embedded = spawn_app_with(TestOptions::default()).await;
    let (status, answer) = call(
        &embedded,
        &embedded.admin_key,
        Method::POST,
        domains,
        Some(secondary_body(&primary, SECRET)),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["detail"].to_string().contains("PowerDNS"),
        "{answer}"
    );
}

/// A TSIG key as ScaiDNS's PowerDNS holds it: (status, body).
async fn pdns_tsig_key(pdns: &PdnsServer, name: &str) -> (u16, Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = http
        .get(format!(
            "{}/api/v1/servers/localhost/tsigkeys/{name}.",
            pdns.api_url
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_tenants_naming_their_keys_alike_keep_their_own_secrets_and_keys_go_with_zones() {
    let primary = primary().await;
    let served = PdnsServer::start().await;
    let app = app_on(&served).await;
    let a = crate::reverse_zones::bypassing_tenant(&app, "tsig-a").await;
    let b = crate::reverse_zones::bypassing_tenant(&app, "tsig-b").await;
    const OTHER: &str = "b3RoZXItdGVuYW50LXNlY29uZGFyeS1rZXktMzJieXQ=";
    let mut ids = Vec::new();
    for (tenant, zone, secret) in [(&a, "a-sec.test", SECRET), (&b, "b-sec.test", OTHER)] {
        let made = ok(
            &app,
            &tenant.key,
            Method::POST,
            "/api/v1/domains",
            json!({"name": zone, "domain_type": "secondary",
                   "primaries": [primary.dns_addr.to_string()],
                   "tsig_key_name": "xfr", "tsig_secret": secret}),
        )
        .await;
        assert_eq!(made["status"], "active", "{made}");
        assert_eq!(made["tsig_key_wire_name"], format!("xfr._scaidns.{zone}"));
        ids.push(made["id"].as_str().unwrap().to_owned());
    }
    // Each zone's key holds its own tenant's secret: neither overwrote the other.
    for (zone, secret) in [("a-sec.test", SECRET), ("b-sec.test", OTHER)] {
        let (status, key) = pdns_tsig_key(&served, &format!("xfr._scaidns.{zone}")).await;
        assert_eq!(status, 200, "{zone}: {key}");
        assert_eq!(key["key"], secret, "{zone}");
    }
    // A hard delete takes A's key from PowerDNS, and only A's.
    let (status, body) = call(
        &app,
        &a.key,
        Method::DELETE,
        &format!("/api/v1/domains/{}?hard=true", ids[0]),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        pdns_tsig_key(&served, "xfr._scaidns.a-sec.test").await.0,
        404
    );
    assert_eq!(
        pdns_tsig_key(&served, "xfr._scaidns.b-sec.test").await.0,
        200
    );
    app.stop().await;
}
