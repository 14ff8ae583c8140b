//! `POST /api/v1/plans` against a real PowerDNS: for every covered write, the plan leaves the
//! store, PowerDNS and the audit log as they were, and predicts what the real call then does
//! (status and error envelope, the RRsets after, the audit actions), apart from generated
//! values; a write the caller may not make (another tenant's zone, a narrow key, a grantee
//! outside its grant) plans as the refusal the real call gives; `If-Match` predicts 412.

use std::collections::BTreeMap;

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use crate::util::{active_zone, call, every_record, ok};

/// Everything a plan must leave alone: the zone's records in the store, the zone as PowerDNS
/// has it, the audit log, and the tenant's zones.
async fn state(app: &TestApp, pdns: &PdnsServer, zone: &str, zone_id: &str) -> Value {
    // A deleted zone's records answer 404: that answer is the state then.
    let records = call(
        app,
        &app.admin_key,
        "GET",
        &format!("/api/v1/domains/{zone_id}/records?include_system=true&page_size=1000"),
        None,
    )
    .await;
    let (_, audit) = call(
        app,
        &app.admin_key,
        "GET",
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    let (_, zones) = call(
        app,
        &app.admin_key,
        "GET",
        "/api/v1/domains?page_size=100",
        None,
    )
    .await;
    let zones: Vec<Value> = zones["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| json!([z["id"], z["status"], z["generation"], z["dnssec_enabled"]]))
        .collect();
    json!({
        "records": [records.0, records.1.get("data").or(records.1.get("code"))],
        "pdns": pdns_state(pdns, zone).await,
        "audit_total": audit["total"],
        "zones": zones,
    })
}

/// The zone as PowerDNS's own API answers it (a missing zone: its status and text).
async fn pdns_state(pdns: &PdnsServer, zone: &str) -> Value {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/api/v1/servers/localhost/zones/{zone}.",
            pdns.api_url
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| json!([status, text]))
}

/// The plan of `operation` as `key` (must be 200).
async fn plan(
    app: &TestApp,
    key: &str,
    operation: &str,
    params: Value,
    body: Option<Value>,
) -> Value {
    let mut request = json!({"operation": operation, "params": params});
    if let Some(body) = body {
        request["body"] = body;
    }
    let (status, plan) = call(app, key, "POST", "/api/v1/plans", Some(request)).await;
    assert_eq!(status, 200, "{plan}");
    plan
}

/// The real call, with `If-Match` when given: status and JSON body.
async fn real(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method.parse().unwrap(), app.url(path))
        .header("x-api-key", key);
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The zone's RRsets in the store: (name, type) → (ttl, sorted contents), SOA content apart
/// (its serial is the backend's).
async fn rrsets(app: &TestApp, zone_id: &str) -> BTreeMap<(String, String), Value> {
    let mut sets: BTreeMap<(String, String), (u64, Vec<String>)> = BTreeMap::new();
    for r in every_record(
        app,
        &app.admin_key,
        &format!("/api/v1/domains/{zone_id}/records?include_system=true"),
    )
    .await
    {
        let name = format!("{}.", r["name"].as_str().unwrap());
        let rtype = r["type"].as_str().unwrap().to_owned();
        let entry = sets.entry((name, rtype.clone())).or_default();
        entry.0 = r["ttl"].as_u64().unwrap();
        if rtype != "SOA" {
            entry.1.push(r["content"].as_str().unwrap().to_owned());
        }
    }
    sets.into_iter()
        .map(|(k, (ttl, mut contents))| {
            contents.sort();
            (k, json!([ttl, contents]))
        })
        .collect()
}

/// Plans `operation`, checks nothing changed, makes the real call and checks the plan predicted
/// it: status, error envelope (code and detail), every planned RRset as the zone then holds
/// it, and the audit actions written. Answers the real call's body.
#[allow(clippy::too_many_arguments)]
async fn planned_then_real(
    app: &TestApp,
    pdns: &PdnsServer,
    key: &str,
    (zone, zone_id): (&str, &str),
    operation: &str,
    params: Value,
    body: Option<Value>,
    (method, path): (&str, &str),
) -> (u16, Value) {
    let before = state(app, pdns, zone, zone_id).await;
    let planned = plan(app, key, operation, params.clone(), body.clone()).await;
    assert_eq!(
        state(app, pdns, zone, zone_id).await,
        before,
        "{operation}: the plan changed something: {planned}"
    );
    let audit_before = before["audit_total"].as_u64().unwrap();
    let if_match = params.get("If-Match").and_then(Value::as_str);
    let (status, answer) = real(app, key, method, path, body, if_match).await;
    assert_eq!(
        planned["status"].as_u64(),
        Some(u64::from(status)),
        "{operation}: plan {planned} vs real {answer}"
    );
    assert_eq!(planned["would_succeed"], json!(status < 300), "{planned}");
    if status >= 300 {
        assert_eq!(
            planned["error"]["code"], answer["code"],
            "{planned} vs {answer}"
        );
        assert_eq!(
            planned["error"]["detail"], answer["detail"],
            "{planned} vs {answer}"
        );
        assert_eq!(planned["changes"], json!([]), "{planned}");
        assert_eq!(planned["audit"], json!([]), "{planned}");
        return (status, answer);
    }
    // The RRsets the plan says each zone ends with are the ones it holds.
    for change in planned["changes"].as_array().unwrap() {
        if change["status_after"].is_null() || change["rrsets"] == json!([]) {
            continue;
        }
        let id = change["domain_id"].as_str().unwrap();
        let id = if change["generation"].is_null() {
            // A zone the call created: the real one has its own id.
            answer["id"].as_str().unwrap().to_owned()
        } else {
            id.to_owned()
        };
        let held = rrsets(app, &id).await;
        for set in change["rrsets"].as_array().unwrap() {
            let key = (
                set["name"].as_str().unwrap().to_owned(),
                set["type"].as_str().unwrap().to_owned(),
            );
            let predicted = set["after"].as_object().map(|after| {
                let mut contents: Vec<String> = after["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["content"].as_str().unwrap().to_owned())
                    .collect();
                contents.sort();
                if key.1 == "SOA" {
                    contents.clear();
                }
                json!([after["ttl"], contents])
            });
            assert_eq!(
                held.get(&key).cloned(),
                predicted,
                "{operation}: {key:?} in {planned}"
            );
        }
    }
    // The audit entries the plan listed are the ones written.
    let (_, audit) = call(
        app,
        &app.admin_key,
        "GET",
        "/api/v1/admin/audit-logs?page_size=100",
        None,
    )
    .await;
    let written = audit["total"].as_u64().unwrap() - audit_before;
    let mut actions: Vec<&str> = audit["data"].as_array().unwrap()[..written as usize]
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let mut predicted: Vec<&str> = planned["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    predicted.sort_unstable();
    assert_eq!(actions, predicted, "{operation}: {planned}");
    (status, answer)
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
        |c| {
            c.rate_limit_api_key_per_minute = 1_000_000;
            c.rate_limit_api_key_max = 1_000_000;
        },
    )
    .await
}

#[tokio::test]
async fn every_write_plans_without_changing_anything_and_predicts_the_real_call() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns).await;
    let tenant = app.tenant_with_user("planner").await;
    let key = tenant.key.as_str();
    let zone = "plan.test";
    let id = active_zone(&app, &tenant, zone).await;
    let z = (zone, id.as_str());
    let records = format!("/api/v1/domains/{id}/records");

    // Record create, and one refused by the zone rules (a CNAME beside other data).
    let (_, www) = planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(json!({"name": "www", "type": "A", "content": "192.0.2.1"})),
        ("POST", &records),
    )
    .await;
    let www_id = www["id"].as_str().unwrap().to_owned();
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(json!({"name": "www", "type": "CNAME", "content": "elsewhere.example."})),
        ("POST", &records),
    )
    .await;
    // A body the endpoint refuses: the plan shows its 422.
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(json!({"name": "www", "type": "A"})),
        ("POST", &records),
    )
    .await;
    assert_eq!(status, 422);

    // Record update and delete.
    let one = format!("{records}/{www_id}");
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_update",
        json!({"domain_id": id, "record_id": www_id}),
        Some(json!({"content": "192.0.2.2", "ttl": 600})),
        ("PATCH", &one),
    )
    .await;

    // If-Match with a stale generation predicts the 412.
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_update",
        json!({"domain_id": id, "record_id": www_id, "If-Match": "\"1\""}),
        Some(json!({"content": "192.0.2.3"})),
        ("PATCH", &one),
    )
    .await;
    assert_eq!(status, 412);

    // Bulk, bulk delete, import, template apply.
    let (_, bulk) = planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_bulk",
        json!({"domain_id": id}),
        Some(json!({"records": [
            {"name": "a", "type": "A", "content": "192.0.2.10"},
            {"name": "a", "type": "A", "content": "192.0.2.11"},
            {"name": "@", "type": "TXT", "content": "v=spf1 -all"},
        ]})),
        ("POST", &format!("{records}/bulk")),
    )
    .await;
    let first = bulk["created"][0]["id"].as_str().unwrap().to_owned();
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_bulk_delete",
        json!({"domain_id": id}),
        Some(json!({"record_ids": [first]})),
        ("POST", &format!("{records}/bulk-delete")),
    )
    .await;
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "zone_import_text",
        json!({"domain_id": id}),
        Some(json!({"content": "mail 300 IN MX 10 mx.example.net.\nftp IN A 192.0.2.20\n"})),
        ("POST", &format!("/api/v1/domains/{id}/import/text")),
    )
    .await;
    let template = ok(
        &app,
        key,
        "POST",
        "/api/v1/templates",
        json!({"name": "web", "records": [{"name": "blog", "type": "CNAME", "content": "www"}]}),
    )
    .await;
    let template_id = template["id"].as_str().unwrap().to_owned();
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "template_apply",
        json!({"template_id": template_id}),
        Some(json!({"domain_id": id})),
        ("POST", &format!("/api/v1/templates/{template_id}/apply")),
    )
    .await;

    // Zone update, DNSSEC enable and disable.
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "zone_update",
        json!({"domain_id": id}),
        Some(json!({"description": "planned", "default_ttl": 900})),
        ("PATCH", &format!("/api/v1/domains/{id}")),
    )
    .await;
    let dnssec = format!("/api/v1/domains/{id}/dnssec");
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "dnssec_enable",
        json!({"domain_id": id}),
        Some(json!({})),
        ("POST", &format!("{dnssec}/enable")),
    )
    .await;
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "dnssec_disable",
        json!({"domain_id": id, "force": true}),
        None,
        ("POST", &format!("{dnssec}/disable?force=true")),
    )
    .await;

    // Record delete (its zone's last change), then the zone's own delete.
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "record_delete",
        json!({"domain_id": id, "record_id": www_id}),
        None,
        ("DELETE", &one),
    )
    .await;
    planned_then_real(
        &app,
        &pdns,
        key,
        z,
        "zone_delete",
        json!({"domain_id": id}),
        None,
        ("DELETE", &format!("/api/v1/domains/{id}")),
    )
    .await;

    // Zone create: the zone the plan shows is the one then created (pending validation, so
    // the plan lists its challenge too).
    let other = "created.plan.test";
    let before = state(&app, &pdns, other, &id).await;
    let planned = plan(
        &app,
        key,
        "zone_create",
        json!({}),
        Some(json!({"name": other, "skip_validation": false})),
    )
    .await;
    assert_eq!(state(&app, &pdns, other, &id).await, before, "{planned}");
    assert_eq!(planned["status"], 201, "{planned}");
    assert_eq!(planned["changes"][0]["status_after"], "pending_validation");
    assert_eq!(
        planned["validations"].as_array().unwrap().len(),
        1,
        "{planned}"
    );
    assert_eq!(planned["audit"][0]["action"], "domain.create");
    let (status, created) = real(
        &app,
        key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": other, "skip_validation": false})),
        None,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending_validation");
    assert_eq!(
        rrsets(&app, created["id"].as_str().unwrap()).await.len(),
        planned["changes"][0]["rrsets"].as_array().unwrap().len(),
        "{planned}"
    );
    // Planning it again now predicts the conflict the real call gives.
    let again = plan(
        &app,
        key,
        "zone_create",
        json!({}),
        Some(json!({"name": other})),
    )
    .await;
    let (status, refused) = real(
        &app,
        key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": other})),
        None,
    )
    .await;
    assert_eq!(
        (again["status"].as_u64(), &again["error"]["code"]),
        (Some(u64::from(status)), &refused["code"])
    );
}

#[tokio::test]
async fn a_forbidden_write_plans_as_the_refusal_the_real_call_gives() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns).await;
    let owner = app.tenant_with_user("owner").await;
    let id = active_zone(&app, &owner, "owned.test").await;
    let z = ("owned.test", id.as_str());
    let records = format!("/api/v1/domains/{id}/records");
    let body = json!({"name": "www", "type": "A", "content": "192.0.2.1"});

    // Another tenant: the same 404 as the real call, nothing more.
    let intruder = app.tenant_with_user("intruder").await;
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        &intruder.key,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(body.clone()),
        ("POST", &records),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        &intruder.key,
        z,
        "zone_delete",
        json!({"domain_id": id}),
        None,
        ("DELETE", &format!("/api/v1/domains/{id}")),
    )
    .await;
    assert_eq!(status, 404);

    // A key narrowed to reading: the real call's 403.
    let narrow = ok(
        &app,
        &owner.key,
        "POST",
        "/api/v1/api-keys",
        json!({"name": "reader", "scopes": ["domains:read", "records:read"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap().to_owned();
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        &narrow,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(body.clone()),
        ("POST", &records),
    )
    .await;
    assert_eq!(status, 403);

    // A grantee limited to `*.dev` A records: outside its grant, the real call's refusal.
    let (user, grantee) =
        crate::grants::user_without_role(&app, "grantee@owner.test", &owner.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &owner.key,
        &id,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        &grantee,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(json!({"name": "other", "type": "A", "content": "192.0.2.9"})),
        ("POST", &records),
    )
    .await;
    assert_eq!(status, 403);
    // Inside it, a plan of the change.
    let (status, _) = planned_then_real(
        &app,
        &pdns,
        &grantee,
        z,
        "record_create",
        json!({"domain_id": id}),
        Some(json!({"name": "db.dev", "type": "A", "content": "192.0.2.9"})),
        ("POST", &records),
    )
    .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_malformed_plan_request_is_refused_naming_what_is_wrong() {
    let app = scaidns_tests::spawn_app().await;
    let (status, body) = call(
        &app,
        &app.admin_key,
        "POST",
        "/api/v1/plans",
        Some(json!({"operation": "zone_explode", "params": {}})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("record_create"),
        "names the supported ones: {body}"
    );
    let (status, body) = call(
        &app,
        &app.admin_key,
        "POST",
        "/api/v1/plans",
        Some(json!({"operation": "record_delete", "params": {"domain_id": "x"}})),
    )
    .await;
    assert_eq!(status, 422, "a missing path parameter: {body}");
    let (status, body) = call(
        &app, &app.admin_key, "POST", "/api/v1/plans",
        Some(json!({"operation": "record_delete", "params": {"domain_id": "x", "record_id": "y", "nope": 1}})),
    )
    .await;
    assert_eq!(status, 422, "an unknown parameter: {body}");
    // Through the generated client: one success type.
    let plan = app
        .client_with_key(&app.admin_key)
        .plan_create(&scaidns_client::types::PlanRequest {
            operation: "record_delete".into(),
            params: [
                ("domain_id".to_owned(), json!("x")),
                ("record_id".to_owned(), json!("y")),
            ]
            .into_iter()
            .collect::<serde_json::Map<_, _>>()
            .into(),
            body: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!plan.would_succeed);
    assert!(plan.status >= 400, "{plan:?}");
}

#[tokio::test]
async fn a_plan_shows_only_the_records_the_caller_may_read() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns).await;
    let owner = app.tenant_with_user("reader").await;
    let id = active_zone(&app, &owner, "sealed.test").await;
    let records = format!("/api/v1/domains/{id}/records");
    let secret = ok(
        &app,
        &owner.key,
        "POST",
        &records,
        json!({"name": "www", "type": "A", "content": "192.0.2.77"}),
    )
    .await;
    let secret_id = secret["id"].as_str().unwrap().to_owned();
    let add = json!({"name": "www", "type": "A", "content": "192.0.2.78"});
    // The owner may read the RRset: its plan shows what is there.
    let full = plan(
        &app,
        &owner.key,
        "record_create",
        json!({"domain_id": id}),
        Some(add.clone()),
    )
    .await;
    assert!(full.to_string().contains("192.0.2.77"), "{full}");

    // A key that may add and change records but not read them: the real call answers only
    // with what it wrote, so its plan shows no RRset it cannot read, and no old content.
    let writer = ok(
        &app,
        &owner.key,
        "POST",
        "/api/v1/api-keys",
        json!({"name": "blind", "scopes": ["domains:read", "records:create", "records:update"]}),
    )
    .await;
    let writer = writer["key"].as_str().unwrap().to_owned();
    let blind = plan(
        &app,
        &writer,
        "record_create",
        json!({"domain_id": id}),
        Some(add),
    )
    .await;
    assert_eq!(blind["would_succeed"], true, "{blind}");
    assert!(!blind.to_string().contains("192.0.2.77"), "{blind}");
    let blind = plan(
        &app,
        &writer,
        "record_update",
        json!({"domain_id": id, "record_id": secret_id}),
        Some(json!({"content": "192.0.2.79"})),
    )
    .await;
    // Changing a record it cannot read: the real call's refusal, nothing of the record.
    assert!(!blind.to_string().contains("192.0.2.77"), "{blind}");
    let (status, _) = real(
        &app,
        &writer,
        "PATCH",
        &format!("{records}/{secret_id}"),
        Some(json!({"content": "192.0.2.79"})),
        None,
    )
    .await;
    assert_eq!(blind["status"].as_u64(), Some(u64::from(status)), "{blind}");
}

#[tokio::test]
async fn a_plan_takes_no_idempotency_key_and_an_unreadable_if_match_is_the_real_400() {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns).await;
    let owner = app.tenant_with_user("idem").await;
    let id = active_zone(&app, &owner, "idem.test").await;
    let records = format!("/api/v1/domains/{id}/records");
    let body = json!({"name": "www", "type": "A", "content": "192.0.2.5"});
    let send = |path: String, body: Value| {
        app.http
            .post(app.url(&path))
            .header("x-api-key", &owner.key)
            .header("idempotency-key", "plan-then-real-0001")
            .json(&body)
            .send()
    };
    let planned = send(
        "/api/v1/plans".into(),
        json!({"operation": "record_create", "params": {"domain_id": id}, "body": body}),
    )
    .await
    .unwrap();
    assert_eq!(planned.status().as_u16(), 200);
    // The key is still free: the real call runs (not a replay of the plan, not a reuse).
    let created = send(records.clone(), body).await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["content"], "192.0.2.5", "{created}");

    let planned = plan(
        &app,
        &owner.key,
        "record_delete",
        json!({"domain_id": id, "record_id": created["id"], "If-Match": "\"caf\u{e9}\""}),
        None,
    )
    .await;
    assert_eq!(planned["status"], 400, "{planned}");
    assert_eq!(planned["error"]["code"], "invalid_if_match", "{planned}");
}

#[tokio::test]
async fn a_plan_of_junk_is_a_4xx_or_a_plan_never_a_500() {
    let app = scaidns_tests::spawn_app().await;
    let owner = app.tenant_with_user("junk").await;
    let id = active_zone(&app, &owner, "junk.test").await;
    let odd_values = [
        json!(""),
        json!("../../admin"),
        json!("00000000-0000-0000-0000-000000000000"),
        json!(id),
        json!(-1),
        json!(1e300),
        json!(u64::MAX),
        json!(true),
        json!("\u{0}\u{7f}é"),
    ];
    let odd_bodies = [
        None,
        Some(json!(null)),
        Some(json!("text")),
        Some(json!([1, 2])),
        Some(json!({})),
        Some(
            json!({"name": null, "records": "x", "content": {"a": 1}, "ttl": -5,
            "mode": "both", "zone": 7, "algorithm": 1e9, "ids": [null]}),
        ),
    ];
    let operations = [
        "zone_create",
        "zone_update",
        "zone_delete",
        "record_create",
        "record_update",
        "record_delete",
        "record_bulk",
        "record_bulk_delete",
        "zone_import_text",
        "template_apply",
        "dnssec_enable",
        "dnssec_disable",
    ];
    for operation in operations {
        for value in &odd_values {
            for body in &odd_bodies {
                let params = json!({"domain_id": value, "record_id": value,
                    "template_id": value, "If-Match": value});
                let mut request = json!({"operation": operation, "params": params});
                if let Some(body) = body {
                    request["body"] = body.clone();
                }
                let (status, answer) = call(
                    &app,
                    &owner.key,
                    "POST",
                    "/api/v1/plans",
                    Some(request.clone()),
                )
                .await;
                assert!(
                    status == 200 || (400..500).contains(&status),
                    "{request} → {status} {answer}"
                );
                if status == 200 {
                    assert!(
                        answer["status"].as_u64().unwrap() < 500,
                        "{request} → {answer}"
                    );
                }
            }
        }
    }
    // Junk in the plan request itself.
    for request in [
        json!({"operation": 5}),
        json!({"operation": "record_create", "params": [1]}),
        json!({"operation": "record_create", "params": {"domain_id": {"x": 1}}}),
        json!({"operation": "\u{0}", "params": {}}),
        json!([]),
    ] {
        let (status, answer) = call(
            &app,
            &owner.key,
            "POST",
            "/api/v1/plans",
            Some(request.clone()),
        )
        .await;
        assert!(
            (400..500).contains(&status),
            "{request} → {status} {answer}"
        );
    }
}
