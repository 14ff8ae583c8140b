//! The production shape end to end: ScaiDNS on MariaDB publishing to PowerDNS 4.7, a tenant
//! proving ownership against a second PowerDNS that plays its current DNS provider, then
//! records of several types added and changed, each step checked with real DNS queries so that
//! PowerDNS answers exactly what the API reports; soft delete, restore and hard delete.
//!
//! Everything runs on loopback: both PowerDNS instances are private to the test (fresh sqlite
//! databases, free ports), MariaDB gets a fresh database. Nothing is skipped when a service is
//! missing: CI (`scripts/test.sh`) provides them.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use scaidns_client::Client;
use scaidns_client::types::{RecordUpdateRequest, ZoneStatusDto};
use scaidns_core::record::RecordType;
use scaidns_tests::db::TestDb;
use scaidns_tests::dns::{self, ResponseCode};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestBackend, TestOptions, spawn_app_configured};
use serde_json::json;

use crate::domains::{record, zone};
use crate::util::error_of;

/// Creates `zone` at the "current provider": NS ns1/ns2 inside the zone with glue on
/// 127.0.0.1, so the validator's NS lookup and its authoritative query both end up here.
pub async fn provider_zone(provider: &PdnsServer, zone: &str, txt: Option<&str>) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let fqdn = format!("{zone}.");
    let mut rrsets = vec![
        json!({"name": format!("ns1.{fqdn}"), "type": "A", "ttl": 60, "changetype": "REPLACE",
               "records": [{"content": "127.0.0.1", "disabled": false}]}),
        json!({"name": format!("ns2.{fqdn}"), "type": "A", "ttl": 60, "changetype": "REPLACE",
               "records": [{"content": "127.0.0.1", "disabled": false}]}),
    ];
    if let Some(value) = txt {
        rrsets.push(json!({"name": format!("_scaidns-verify.{fqdn}"), "type": "TXT", "ttl": 60,
            "changetype": "REPLACE", "records": [{"content": format!("\"{value}\""), "disabled": false}]}));
    }
    let resp = http
        .post(format!(
            "{}/api/v1/servers/localhost/zones",
            provider.api_url
        ))
        .header("X-API-Key", &provider.api_key)
        .json(&json!({
            "name": fqdn,
            "kind": "Native",
            "nameservers": [format!("ns1.{fqdn}"), format!("ns2.{fqdn}")],
            "rrsets": rrsets,
        }))
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "provider zone: {}",
        resp.text().await.unwrap_or_default()
    );
}

/// Checks that `server` answers, for every (name, type) the API lists as enabled, exactly the
/// listed contents with the listed TTL.
async fn assert_served_as_reported(client: &Client, zone_id: &str, server: SocketAddr) {
    let list = client
        .record_list(zone_id, Some(true), None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    let mut rrsets: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
    for r in list.data.iter().filter(|r| !r.disabled && r.type_ != "SOA") {
        let entry = rrsets
            .entry((r.name.clone(), r.type_.clone()))
            .or_insert((r.ttl, Vec::new()));
        entry.1.push(r.content.clone());
    }
    assert!(!rrsets.is_empty());
    for ((name, rtype), (ttl, contents)) in rrsets {
        let reply = dns::query(server, &format!("{name}."), &rtype).await;
        assert_eq!(
            reply.rcode,
            ResponseCode::NoError,
            "{name} {rtype}: {reply:?}"
        );
        assert!(reply.authoritative, "{name} {rtype}");
        let rt: RecordType = rtype.parse().unwrap();
        let refs: Vec<&str> = contents.iter().map(String::as_str).collect();
        assert_eq!(
            reply.answer_wire(&rtype),
            dns::wire_of(rt, &refs),
            "{name} {rtype}: API says {contents:?}, PowerDNS says {:?}",
            reply.answer_texts(&rtype)
        );
        assert!(
            reply.answers_of(&rtype).iter().all(|rr| rr.ttl == ttl),
            "{name} {rtype}: TTL {ttl} expected, got {reply:?}"
        );
    }
}

#[tokio::test]
async fn mariadb_and_powerdns_with_ownership_validation() {
    let backend = PdnsServer::start().await;
    let provider = PdnsServer::start().await;
    let db = TestDb::mysql().await;
    let resolver = provider.dns_addr;
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(db.url.clone()),
            backend: TestBackend::PowerDns {
                api_url: backend.api_url.clone(),
                api_key: backend.api_key.clone(),
            },
        },
        |c| {
            c.validation_resolvers = vec![resolver];
            c.validation_nameserver_port = resolver.port();
        },
    )
    .await;
    let tenant = app.tenant_with_user("shop").await;
    let c = &tenant.client;

    // A tenant's zone starts pending, unpublished, with a challenge to publish at its provider.
    let created = c
        .zone_create(&zone("shop.test"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.status, ZoneStatusDto::PendingValidation);
    let challenge = created.validation.expect("challenge");
    let unpublished = dns::query(backend.dns_addr, "shop.test.", "SOA").await;
    assert_eq!(unpublished.rcode, ResponseCode::Refused, "{unpublished:?}");

    // The provider serves the zone but not the TXT yet: the check fails and says why.
    provider_zone(&provider, "shop.test", None).await;
    let early = c.validation_check(&created.id).await.unwrap().into_inner();
    assert!(!early.is_valid, "{}", early.message);
    assert_eq!(early.domain_status, "pending_validation");

    // With the TXT in place at the provider, the check passes and the zone goes live.
    let provider_api = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = provider_api
        .patch(format!(
            "{}/api/v1/servers/localhost/zones/shop.test.",
            provider.api_url
        ))
        .header("X-API-Key", &provider.api_key)
        .json(&json!({"rrsets": [{"name": "_scaidns-verify.shop.test.", "type": "TXT", "ttl": 60,
            "changetype": "REPLACE",
            "records": [{"content": format!("\"{}\"", challenge.dns_record.value), "disabled": false}]}]}))
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success(),
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let passed = c.validation_check(&created.id).await.unwrap().into_inner();
    assert!(passed.is_valid, "{}", passed.message);
    assert_eq!(passed.domain_status, "active");
    let z = c.zone_get(&created.id, None).await.unwrap().into_inner();
    assert_eq!(z.status, ZoneStatusDto::Active);
    let soa = dns::query(backend.dns_addr, "shop.test.", "SOA").await;
    assert!(
        soa.authoritative && soa.rcode == ResponseCode::NoError,
        "{soa:?}"
    );

    // Records of several types, then changes: PowerDNS answers what the API reports.
    let mut ids = BTreeMap::new();
    for (name, rtype, content) in [
        ("@", "A", "192.0.2.1"),
        ("www", "A", "192.0.2.10"),
        ("www", "A", "192.0.2.11"),
        ("www", "AAAA", "2001:db8::10"),
        ("@", "MX", "10 mail.shop.test"),
        ("@", "TXT", "v=spf1 -all"),
        ("mail", "CNAME", "www.shop.test"),
        ("_imaps._tcp", "SRV", "0 1 993 mail.shop.test"),
        ("@", "CAA", "0 issue \"letsencrypt.org\""),
        ("long", "TXT", &"x".repeat(300)),
    ] {
        let r = c
            .record_create(&z.id, &record(name, rtype, content))
            .await
            .unwrap_or_else(|e| panic!("{name} {rtype}: {e:?}"))
            .into_inner();
        ids.insert(format!("{name} {rtype} {content}"), r.id);
    }
    assert_served_as_reported(c, &z.id, backend.dns_addr).await;

    let change =
        |content: Option<&str>, ttl: Option<i64>, disabled: Option<bool>| RecordUpdateRequest {
            ptr: None,
            content: content.map(Into::into),
            ttl,
            disabled,
        };
    c.record_update(
        &z.id,
        &ids["www A 192.0.2.10"],
        &change(Some("192.0.2.20"), Some(300), None),
    )
    .await
    .unwrap();
    c.record_update(
        &z.id,
        &ids["@ MX 10 mail.shop.test"],
        &change(Some("20 mx.example.net."), None, None),
    )
    .await
    .unwrap();
    c.record_update(
        &z.id,
        &ids["www A 192.0.2.11"],
        &change(None, None, Some(true)),
    )
    .await
    .unwrap();
    c.record_delete(&z.id, &ids["@ TXT v=spf1 -all"])
        .await
        .unwrap();
    assert_served_as_reported(c, &z.id, backend.dns_addr).await;
    let www = dns::query(backend.dns_addr, "www.shop.test.", "A").await;
    assert_eq!(www.answer_texts("A"), vec!["192.0.2.20"]);
    assert!(www.answers.iter().all(|rr| rr.ttl == 300));
    let spf = dns::query(backend.dns_addr, "shop.test.", "TXT").await;
    assert!(spf.answers_of("TXT").is_empty(), "{spf:?}");

    // Soft delete: PowerDNS stops answering; restore: it answers the same records again.
    c.zone_delete(&z.id, None, None).await.unwrap();
    let gone = dns::query(backend.dns_addr, "www.shop.test.", "A").await;
    assert_eq!(gone.rcode, ResponseCode::Refused, "{gone:?}");
    assert_eq!(error_of(c.zone_get(&z.id, None).await).0, 404);
    let restored = c.zone_restore(&z.id).await.unwrap().into_inner();
    assert_eq!(restored.status, ZoneStatusDto::Active);
    assert_served_as_reported(c, &z.id, backend.dns_addr).await;

    // Hard delete: gone from PowerDNS and from the API.
    c.zone_delete(&z.id, None, Some(true)).await.unwrap();
    let purged = dns::query(backend.dns_addr, "shop.test.", "SOA").await;
    assert_eq!(purged.rcode, ResponseCode::Refused, "{purged:?}");
    assert_eq!(error_of(c.zone_get(&z.id, Some(true)).await).0, 404);
    app.stop().await;
    drop(db);
}

/// With `PDNS_ZONE_KIND=master` a record change reaches the zone's secondaries as a NOTIFY,
/// sent by the server's NOTIFY task after the write's answer (`wiring::notify_queue`); a
/// scripted DNS server on loopback, named in the zone's `ALSO-NOTIFY`, plays the secondary.
#[tokio::test]
async fn a_master_zone_change_reaches_its_secondaries_as_a_notify() {
    use crate::health::{sample_sum, scrape};
    use crate::util::pdns_call;
    use reqwest::Method;
    use scaidns_server::config::{BackendConfig, ZoneKind};
    use scaidns_tests::scripted_dns::{ScriptedDns, Table};
    use serde_json::Value;
    use std::net::Ipv4Addr;

    let backend = PdnsServer::start().await;
    let secondary = ScriptedDns::start(&[Ipv4Addr::LOCALHOST], &[], Table::default()).await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: backend.api_url.clone(),
                api_key: backend.api_key.clone(),
            },
        },
        |c| {
            c.metrics_enabled = true;
            if let BackendConfig::PowerDns { zone_kind, .. } = &mut c.backend {
                *zone_kind = ZoneKind::Master;
            }
        },
    )
    .await;
    let z = app
        .client
        .zone_create(&zone("notified.test"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(z.status, ZoneStatusDto::Active);
    let zone_path = "zones/notified.test.";
    let published = pdns_call(&backend, Method::GET, zone_path, Value::Null).await;
    assert_eq!(published["kind"], "Master", "{published}");
    pdns_call(
        &backend,
        Method::PUT,
        &format!("{zone_path}/metadata/ALSO-NOTIFY"),
        json!({"metadata": [secondary.at(Ipv4Addr::LOCALHOST).to_string()]}),
    )
    .await;

    app.client
        .record_create(&z.id, &record("www", "A", "192.0.2.80"))
        .await
        .unwrap();
    let notified = |asked: &[scaidns_tests::scripted_dns::Asked]| {
        asked
            .iter()
            .any(|a| a.name == "notified.test." && a.rtype == "SOA")
    };
    // The bound stays well inside PowerDNS's own check of changed serials (`xfr-cycle-interval`,
    // 60 s after its start), which would notify the zone without ScaiDNS; the scripted server
    // is nobody's primary, so an SOA question to it can only be a NOTIFY.
    let mut asked = secondary.asked();
    for _ in 0..2_000 {
        if notified(&asked) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        asked = secondary.asked();
    }
    assert!(notified(&asked), "no NOTIFY for notified.test: {asked:?}");

    // The call went through the metered backend, and nothing is left waiting.
    let notify_calls = |metrics: &str| {
        sample_sum(
            metrics,
            "scaidns_pdns_requests_total",
            &[
                "backend=\"powerdns\"",
                "operation=\"notify\"",
                "outcome=\"ok\"",
            ],
        )
    };
    let mut metrics = scrape(&app).await;
    for _ in 0..2_000 {
        if notify_calls(&metrics) >= 1.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        metrics = scrape(&app).await;
    }
    assert_eq!(notify_calls(&metrics), 1.0, "{metrics}");
    assert!(
        metrics.lines().any(|l| l == "scaidns_notifies_queued 0"),
        "{metrics}"
    );
    app.stop().await;
}
