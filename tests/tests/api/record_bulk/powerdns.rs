//! Bulk changes against live PowerDNS: one change, and a refused batch that changes nothing.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use super::{a, api_records, audit_count, failures, generation, ids, pdns_records, powerdns_app};
use crate::util::{active_zone, call, ok};

#[tokio::test]
async fn a_batch_of_creates_updates_and_deletes_is_one_change_in_powerdns() {
    let (pdns, app) = powerdns_app().await;
    let tenant = app.tenant_with_user("bulk").await;
    let zone = active_zone(&app, &tenant, "bulk.test").await;
    let bulk = format!("/api/v1/domains/{zone}/records/bulk");
    let seed: Vec<Value> = (0..80)
        .map(|i| a(&format!("h{i}"), &format!("192.0.2.{}", i + 1)))
        .collect();
    let seeded = ok(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        json!({"records": seed}),
    )
    .await;
    assert_eq!(seeded["total_created"], 80, "{seeded}");
    let seeded = ids(&seeded, "created");

    let before = generation(&app, &zone).await;
    let counts_before = [
        audit_count(&app, "record.create").await,
        audit_count(&app, "record.update").await,
        audit_count(&app, "record.delete").await,
        audit_count(&app, "records.bulk").await,
    ];
    let creates: Vec<Value> = (0..120)
        .map(|i| {
            json!({"name": format!("n{i}"), "type": "TXT", "content": format!("v{i}"),
                   "ttl": 600})
        })
        .collect();
    let updates: Vec<Value> = seeded[..40]
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": id, "content": format!("198.51.100.{}", i + 1)}))
        .collect();
    let deletes: Vec<&String> = seeded[40..].iter().collect();
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(json!({"records": creates, "update": updates, "delete": deletes})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["total_created"],
            &body["total_updated"],
            &body["deleted"],
            &body["total_errors"]
        ),
        (&json!(120), &json!(40), &json!(40), &json!(0)),
        "{body}"
    );
    assert_eq!(body["sync_status"], "in_sync", "{body}");
    assert_eq!(body["created"][7]["display_name"], "n7");
    assert_eq!(body["created"][7]["ttl"], 600);

    assert_eq!(generation(&app, &zone).await, before + 1);
    let listed = api_records(&app, &zone).await;
    assert_eq!(pdns_records(&pdns, "bulk.test").await, listed);
    let hosts: BTreeSet<String> = listed
        .iter()
        .filter(|r| r.1 == "A")
        .map(|r| format!("{} {}", r.0, r.3))
        .collect();
    assert_eq!(hosts.len(), 40);
    assert!(hosts.contains("h0.bulk.test 198.51.100.1"), "{hosts:?}");
    assert!(!hosts.iter().any(|h| h.starts_with("h40.")), "{hosts:?}");
    assert_eq!(listed.iter().filter(|r| r.1 == "TXT").count(), 120);

    let counts_after = [
        audit_count(&app, "record.create").await,
        audit_count(&app, "record.update").await,
        audit_count(&app, "record.delete").await,
        audit_count(&app, "records.bulk").await,
    ];
    let added: Vec<u64> = counts_after
        .iter()
        .zip(counts_before)
        .map(|(a, b)| a - b)
        .collect();
    assert_eq!(added, [120, 40, 40, 1]);
    let (_, batch) = call(
        &app,
        &app.admin_key,
        Method::GET,
        "/api/v1/admin/audit-logs?action=records.bulk&page_size=1",
        None,
    )
    .await;
    let entry = &batch["data"][0];
    assert_eq!(entry["resource_id"], zone.as_str(), "{entry}");
    assert_eq!(entry["details"]["after"]["created"], 120, "{entry}");
    assert_eq!(entry["details"]["after"]["deleted"], 40, "{entry}");
    app.stop().await;
}

#[tokio::test]
async fn one_bad_item_refuses_the_batch_and_names_it_unless_asked_to_continue() {
    let (pdns, app) = powerdns_app().await;
    let tenant = app.tenant_with_user("strict").await;
    let zone = active_zone(&app, &tenant, "strict.test").await;
    let bulk = format!("/api/v1/domains/{zone}/records/bulk");
    let kept = ok(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        a("kept", "192.0.2.1"),
    )
    .await;
    let kept = kept["id"].as_str().unwrap().to_owned();
    let records_before = api_records(&app, &zone).await;
    let pdns_before = pdns_records(&pdns, "strict.test").await;
    assert_eq!(records_before, pdns_before);
    let generation_before = generation(&app, &zone).await;

    let mut creates: Vec<Value> = (0..50)
        .map(|i| a(&format!("ok{i}"), &format!("192.0.2.{}", i + 10)))
        .collect();
    creates[17] = a("bad17", "not-an-address");
    // Each fine alone; together a CNAME beside an A at one name.
    creates.push(a("clash", "192.0.2.200"));
    creates.push(json!({"name": "clash", "type": "CNAME", "content": "elsewhere.example."}));
    let request = json!({
        "records": creates,
        "update": [{"id": kept, "ttl": 900}, {"id": "r_nothing", "content": "192.0.2.9"}],
        "delete": [uuid::Uuid::now_v7().to_string()],
    });
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(request.clone()),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("bulk_rejected")),
        "{body}"
    );
    let refused = failures(&body["detail"]["failures"]);
    assert_eq!(
        refused
            .iter()
            .map(|(l, i, _)| (l.as_str(), *i))
            .collect::<Vec<_>>(),
        [("create", 17), ("create", 51), ("update", 1), ("delete", 0)],
        "{body}"
    );
    assert_eq!(refused[1].2, "cname_conflict");
    assert_eq!(refused[2].2, "record_not_found");
    assert_eq!(refused[3].2, "record_not_found");
    assert!(body["detail"]["failures"][0]["detail"].is_string());
    // Nothing changed: store, PowerDNS, generation.
    assert_eq!(api_records(&app, &zone).await, records_before);
    assert_eq!(pdns_records(&pdns, "strict.test").await, pdns_before);
    assert_eq!(generation(&app, &zone).await, generation_before);

    let mut request = request;
    request["continue_on_error"] = json!(true);
    let (status, body) = call(&app, &tenant.key, Method::POST, &bulk, Some(request)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total_errors"], 4, "{body}");
    assert_eq!(body["total_created"], 50, "{body}");
    assert_eq!(failures(&body["failures"]), refused);
    let listed = api_records(&app, &zone).await;
    assert_eq!(pdns_records(&pdns, "strict.test").await, listed);
    assert!(listed.contains(&(
        "kept.strict.test".into(),
        "A".into(),
        900,
        "192.0.2.1".into()
    )));
    assert!(
        listed
            .iter()
            .any(|r| r.0 == "clash.strict.test" && r.1 == "A")
    );
    assert!(
        !listed
            .iter()
            .any(|r| r.0 == "clash.strict.test" && r.1 == "CNAME")
    );
    assert!(!listed.iter().any(|r| r.0 == "bad17.strict.test"));
    assert_eq!(generation(&app, &zone).await, generation_before + 1);
    app.stop().await;
}

/// Sends one RRset change straight to PowerDNS's API, behind ScaiDNS's back.
async fn patch_pdns(pdns: &scaidns_tests::pdns::PdnsServer, zone: &str, rrset: Value) {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .patch(format!(
            "{}/api/v1/servers/localhost/zones/{zone}.",
            pdns.api_url
        ))
        .header("X-API-Key", &pdns.api_key)
        .json(&json!({ "rrsets": [rrset] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
}

/// PowerDNS refusing a batch's PATCH (422: a CNAME beside an RRset added to PowerDNS behind
/// ScaiDNS's back) is answered 502 `backend_rejected`; PowerDNS applies none of the batch (its
/// PATCH is one transaction), the store keeps the whole batch (docs/decisions.md: a refusal
/// after the commit leaves the change in the store), the zone shows the publication error, and
/// once the obstacle is gone the next write publishes the whole zone: all of the batch, never
/// part of it.
#[tokio::test]
async fn a_batch_powerdns_refuses_is_502_and_published_whole_or_not_at_all() {
    let (pdns, app) = powerdns_app().await;
    let tenant = app.tenant_with_user("refusal").await;
    let zone = active_zone(&app, &tenant, "refusal.test").await;
    let clash = |changetype: &str| {
        json!({"name": "clash.refusal.test.", "type": "A", "ttl": 300, "changetype": changetype,
               "records": [{"content": "192.0.2.200", "disabled": false}]})
    };
    patch_pdns(&pdns, "refusal.test", clash("REPLACE")).await;
    let served_before = pdns_records(&pdns, "refusal.test").await;
    let batch = json!({"records": [
        a("one", "192.0.2.1"),
        a("two", "192.0.2.2"),
        {"name": "clash", "type": "CNAME", "content": "elsewhere.example."},
    ]});
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records/bulk"),
        Some(batch),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("backend_rejected")),
        "{body}"
    );
    assert_eq!(pdns_records(&pdns, "refusal.test").await, served_before);
    let stored = api_records(&app, &zone).await;
    let names: BTreeSet<&str> = stored.iter().map(|(name, _, _, _)| name.as_str()).collect();
    assert!(
        ["one", "two", "clash"]
            .iter()
            .all(|n| names.contains(format!("{n}.refusal.test").as_str())),
        "the store holds the whole batch: {stored:?}"
    );
    let (_, shown) = call(
        &app,
        &tenant.key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert_eq!(shown["sync_status"], "error", "{shown}");
    assert!(
        !shown["sync_error"].as_str().unwrap_or("").is_empty(),
        "{shown}"
    );

    patch_pdns(&pdns, "refusal.test", clash("DELETE")).await;
    ok(
        &app,
        &tenant.key,
        Method::POST,
        &format!("/api/v1/domains/{zone}/records"),
        a("three", "192.0.2.3"),
    )
    .await;
    assert_eq!(
        pdns_records(&pdns, "refusal.test").await,
        api_records(&app, &zone).await
    );
    app.stop().await;
}
