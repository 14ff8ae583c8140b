//! Bulk record changes (issue 9 item 3, spec §6): many creates, updates and deletes as one
//! change against live PowerDNS (one generation step, PowerDNS holding exactly the result, an
//! audit entry per record plus one for the batch); a refused batch names every bad item and
//! changes nothing in the store or in PowerDNS; `continue_on_error` applies the rest; a
//! grant-limited caller cannot slip a name into a batch; another tenant's zone is unknown; the
//! item limit answers 413.

use std::collections::BTreeSet;

use reqwest::Method;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::util::{active_zone, call, ok, send};

/// `(name, type, ttl, content)` of every enabled record but the SOA, as the API lists them.
type RecordSet = BTreeSet<(String, String, u64, String)>;

async fn api_records(app: &TestApp, zone: &str) -> RecordSet {
    let (status, body) = call(
        app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/domains/{zone}/records?include_system=true"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] != "SOA")
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["type"].as_str().unwrap().to_owned(),
                r["ttl"].as_u64().unwrap(),
                r["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The same for what PowerDNS holds.
async fn pdns_records(pdns: &PdnsServer, zone: &str) -> RecordSet {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let body: Value = http
        .get(format!(
            "{}/api/v1/servers/localhost/zones/{zone}.",
            pdns.api_url
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out = RecordSet::new();
    for rrset in body["rrsets"].as_array().unwrap() {
        if rrset["type"] == "SOA" {
            continue;
        }
        let name = rrset["name"].as_str().unwrap().trim_end_matches('.');
        for r in rrset["records"].as_array().unwrap() {
            assert_eq!(r["disabled"], false);
            out.insert((
                name.to_owned(),
                rrset["type"].as_str().unwrap().to_owned(),
                rrset["ttl"].as_u64().unwrap(),
                r["content"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

/// The zone's generation (its `ETag`).
async fn generation(app: &TestApp, zone: &str) -> i64 {
    let resp = send(
        app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/domains/{zone}"),
        None,
    )
    .await;
    assert_eq!(resp.status(), 200);
    resp.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap()
}

/// How many audit entries with `action` exist.
async fn audit_count(app: &TestApp, action: &str) -> u64 {
    let (status, body) = call(
        app,
        &app.admin_key,
        Method::GET,
        &format!("/api/v1/admin/audit-logs?action={action}&page_size=1"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

async fn powerdns_app() -> (PdnsServer, TestApp) {
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
    (pdns, app)
}

fn a(name: &str, content: &str) -> Value {
    json!({"name": name, "type": "A", "content": content})
}

/// `(list, index, code)` of each failure in a refusal's or an answer's list.
fn failures(list: &Value) -> Vec<(String, u64, String)> {
    list.as_array()
        .unwrap_or_else(|| panic!("no failure list: {list}"))
        .iter()
        .map(|f| {
            (
                f["list"].as_str().unwrap().to_owned(),
                f["index"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ids(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

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

/// A user of `tenant` whose only access is a `record_editor` grant on `*.dev` (A and AAAA).
async fn dev_grantee(app: &TestApp, tenant: &str, zone: &str, ta: &str) -> String {
    let user = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/admin/users",
        json!({"email": "dev@bulk.test", "tenant_id": tenant}),
    )
    .await;
    let user = user["id"].as_str().unwrap().to_owned();
    let key = ok(
        app,
        &app.admin_key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "dev", "permission_source_id": user}),
    )
    .await;
    ok(
        app,
        ta,
        Method::POST,
        &format!("/api/v1/domains/{zone}/access-grants"),
        json!({"grant_type": "user", "grantee_id": user, "role": "record_editor",
               "record_pattern": "*.dev", "record_types": ["A", "AAAA"]}),
    )
    .await;
    key["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_grant_limited_caller_cannot_slip_a_name_into_a_batch() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let zone = active_zone(&app, &alpha, "grant.test").await;
    let records = format!("/api/v1/domains/{zone}/records");
    let bulk = format!("{records}/bulk");
    let www = ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        a("www", "192.0.2.1"),
    )
    .await;
    let www = www["id"].as_str().unwrap().to_owned();
    let api = ok(
        &app,
        &alpha.key,
        Method::POST,
        &records,
        a("api.dev", "192.0.2.2"),
    )
    .await;
    let api = api["id"].as_str().unwrap().to_owned();
    let key = dev_grantee(&app, &alpha.tenant_id, &zone, &alpha.key).await;
    let before = api_records(&app, &zone).await;

    // One name outside the grant refuses the whole batch.
    let request = json!({"records": [a("new.dev", "192.0.2.3"), a("www", "192.0.2.66")],
                         "update": [{"id": api, "content": "192.0.2.4"}]});
    let (status, body) = call(&app, &key, Method::POST, &bulk, Some(request.clone())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("bulk_rejected")),
        "{body}"
    );
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("create".to_owned(), 1, "permission_denied".to_owned())]
    );
    assert_eq!(api_records(&app, &zone).await, before);

    // A record outside the grant is as unknown as one that does not exist: not "forbidden".
    let (status, body) = call(
        &app,
        &key,
        Method::POST,
        &bulk,
        Some(json!({"update": [{"id": www, "content": "192.0.2.66"}]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("update".to_owned(), 0, "record_not_found".to_owned())]
    );
    assert!(!body.to_string().contains("www"), "{body}");

    // With continue_on_error the covered items apply and the other is listed.
    let mut request = request;
    request["continue_on_error"] = json!(true);
    let (status, body) = call(&app, &key, Method::POST, &bulk, Some(request)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        failures(&body["failures"]),
        [("create".to_owned(), 1, "permission_denied".to_owned())]
    );
    let after = api_records(&app, &zone).await;
    assert!(after.iter().any(|r| r.0 == "new.dev.grant.test"));
    assert!(
        after
            .iter()
            .any(|r| r.0 == "api.dev.grant.test" && r.3 == "192.0.2.4")
    );
    assert!(
        after
            .iter()
            .any(|r| r.0 == "www.grant.test" && r.3 == "192.0.2.1")
    );
    assert!(!after.iter().any(|r| r.3 == "192.0.2.66"));
    app.stop().await;
}

#[tokio::test]
async fn another_tenants_zone_and_records_are_unknown() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let alpha_zone = active_zone(&app, &alpha, "alpha-bulk.test").await;
    let beta_zone = active_zone(&app, &beta, "beta-bulk.test").await;
    let alpha_record = ok(
        &app,
        &alpha.key,
        Method::POST,
        &format!("/api/v1/domains/{alpha_zone}/records"),
        a("www", "192.0.2.1"),
    )
    .await;
    let alpha_record = alpha_record["id"].as_str().unwrap().to_owned();
    for path in ["bulk", "bulk-delete"] {
        let (status, body) = call(
            &app,
            &beta.key,
            Method::POST,
            &format!("/api/v1/domains/{alpha_zone}/records/{path}"),
            Some(json!({"records": [a("evil", "192.0.2.66")], "record_ids": [alpha_record]})),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("domain_not_found")),
            "{path}: {body}"
        );
    }
    // Alpha's record id used in beta's own zone names nothing there.
    let (status, body) = call(
        &app,
        &beta.key,
        Method::POST,
        &format!("/api/v1/domains/{beta_zone}/records/bulk-delete"),
        Some(json!({"record_ids": [alpha_record]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("delete".to_owned(), 0, "record_not_found".to_owned())]
    );
    assert_eq!(
        api_records(&app, &alpha_zone).await.len(),
        3,
        "two NS and www"
    );
    app.stop().await;
}

#[tokio::test]
async fn bulk_delete_counts_and_the_limits_hold() {
    let app = spawn_app_configured(TestOptions::default(), |c| c.bulk_max_items = 5).await;
    let tenant = app.tenant_with_user("limits").await;
    let zone = active_zone(&app, &tenant, "limits.test").await;
    let bulk = format!("/api/v1/domains/{zone}/records/bulk");
    let bulk_delete = format!("/api/v1/domains/{zone}/records/bulk-delete");

    let six: Vec<Value> = (0..6).map(|i| a(&format!("x{i}"), "192.0.2.1")).collect();
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(json!({"records": six})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (413, Some("too_many_items")),
        "{body}"
    );
    // The three lists count together.
    let (status, _) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        Some(json!({"records": [a("y", "192.0.2.1")], "delete": ["a", "b", "c", "d", "e"]})),
    )
    .await;
    assert_eq!(status, 413);
    let (status, body) = call(&app, &tenant.key, Method::POST, &bulk, Some(json!({}))).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        Some(json!({"record_ids": []})),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let five: Vec<Value> = (0..5).map(|i| a(&format!("x{i}"), "192.0.2.1")).collect();
    let created = ok(
        &app,
        &tenant.key,
        Method::POST,
        &bulk,
        json!({"records": five}),
    )
    .await;
    let created = ids(&created, "created");
    assert_eq!(created.len(), 5);

    // If-Match is honoured like on single writes.
    let stale = app
        .http
        .post(app.url(&bulk_delete))
        .header("x-api-key", &tenant.key)
        .header("if-match", "\"1\"")
        .json(&json!({"record_ids": [created[0]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);

    // An unknown id refuses the whole delete; the known ones stay.
    let (status, body) = call(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        Some(json!({"record_ids": [created[0], created[1], "r_unknown"]})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        failures(&body["detail"]["failures"]),
        [("delete".to_owned(), 2, "record_not_found".to_owned())]
    );
    assert_eq!(api_records(&app, &zone).await.len(), 7);

    let body = ok(
        &app,
        &tenant.key,
        Method::POST,
        &bulk_delete,
        json!({"record_ids": [created[0], created[1], created[2], created[3]]}),
    )
    .await;
    assert_eq!(body["deleted"], 4, "{body}");
    assert_eq!(body["total_errors"], 0, "{body}");
    assert!(body["sync_status"].is_string(), "{body}");
    assert_eq!(api_records(&app, &zone).await.len(), 3);
    app.stop().await;
}
