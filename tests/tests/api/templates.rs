//! Record templates (issue 10 item 2): every system template applied to a fresh zone on
//! PowerDNS and answered over DNS; a zone created with a template gets its records when it
//! becomes active and not before; bad variables; tenant isolation of custom templates.

use scaidns_tests::dns::{self, ResponseCode};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestBackend, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::powerdns::provider_zone;
use crate::util::call;

/// The field a located error detail points at, as `records.0.content`.
fn located(body: &Value) -> String {
    body["detail"][0]["loc"]
        .as_array()
        .map(|loc| {
            loc.iter()
                .skip(1)
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default()
}

/// Values for the system templates' required variables.
fn variables_for(name: &str) -> Value {
    match name {
        "microsoft-365-mail" => json!({"mx_host": "contoso-test.mail.protection.outlook.com"}),
        "web-server" => json!({"ipv4": "192.0.2.10", "ipv6": "2001:db8::10"}),
        _ => json!({}),
    }
}

async fn system_templates(app: &scaidns_tests::TestApp, key: &str) -> Vec<Value> {
    let (status, body) = call(
        app,
        key,
        "GET",
        "/api/v1/templates?template_type=system",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

fn template_id(templates: &[Value], name: &str) -> String {
    templates
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no system template {name}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_system_template_applies_and_answers_over_powerdns() {
    let backend = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: backend.api_url.clone(),
                api_key: backend.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    let key = app.admin_key.clone();
    let templates = system_templates(&app, &key).await;
    let names: Vec<&str> = templates
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for expected in [
        "google-workspace-mail",
        "microsoft-365-mail",
        "web-server",
        "email-security-baseline",
        "caa-letsencrypt",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for (i, t) in templates.iter().enumerate() {
        assert_eq!(t["template_type"], "system");
        assert!(t["tenant_id"].is_null());
        let name = t["name"].as_str().unwrap();
        let zone_name = format!("tpl{i}.test");
        let (status, zone) = call(
            &app,
            &key,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": zone_name})),
        )
        .await;
        assert_eq!(status, 201, "{zone}");
        assert_eq!(zone["status"], "active");
        let zone_id = zone["id"].as_str().unwrap();
        let path = format!("/api/v1/templates/{}/apply", t["id"].as_str().unwrap());
        let body = json!({"domain_id": zone_id, "variables": variables_for(name)});
        let (status, applied) = call(&app, &key, "POST", &path, Some(body.clone())).await;
        assert_eq!(status, 200, "{name}: {applied}");
        let created = applied["created_records"].as_array().unwrap();
        assert_eq!(applied["total_created"], created.len());
        assert_eq!(
            created.len(),
            t["records"].as_array().unwrap().len(),
            "{name}: {applied}"
        );
        for r in created {
            let (owner, rtype) = (r["name"].as_str().unwrap(), r["type"].as_str().unwrap());
            let reply = dns::query(backend.dns_addr, &format!("{owner}."), rtype).await;
            assert_eq!(
                reply.rcode,
                ResponseCode::NoError,
                "{name}: {owner} {rtype}: {reply:?}"
            );
            assert!(
                !reply.answers_of(rtype).is_empty(),
                "{name}: {owner} {rtype}: {reply:?}"
            );
        }
        // Applying again creates nothing: every record is skipped as already there.
        let (status, again) = call(&app, &key, "POST", &path, Some(body)).await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["total_created"], 0);
        assert_eq!(again["total_skipped"], created.len());
        assert!(
            again["skipped_records"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("already exists")
        );
    }
    // System templates are read-only.
    let id = template_id(&templates, "web-server");
    let (status, body) = call(
        &app,
        &key,
        "PATCH",
        &format!("/api/v1/templates/{id}"),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("template_read_only")),
        "{body}"
    );
    let (status, _) = call(
        &app,
        &key,
        "DELETE",
        &format!("/api/v1/templates/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_zone_created_with_a_template_gets_it_on_activation_not_before() {
    let backend = PdnsServer::start().await;
    let provider = PdnsServer::start().await;
    let resolver = provider.dns_addr;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
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
    let tenant = app.tenant_with_user("webshop").await;
    let key = tenant.key.clone();
    let web = template_id(&system_templates(&app, &key).await, "web-server");

    // Checked at create: missing required variables, a bad value, an unknown template.
    let (status, body) = call(&app, &key, "POST", "/api/v1/domains",
        Some(json!({"name": "web.test", "template_id": web, "template_variables": {"ipv4": "192.0.2.7"}}))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("missing_variables")),
        "{body}"
    );
    assert!(body["detail"].to_string().contains("ipv6"), "{body}");
    let (status, body) = call(&app, &key, "POST", "/api/v1/domains",
        Some(json!({"name": "web.test", "template_id": web, "template_variables": {"ipv4": "not-an-ip", "ipv6": "2001:db8::7"}}))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("template_records_invalid")),
        "{body}"
    );
    let (status, _) = call(
        &app,
        &key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "web.test", "template_id": uuid::Uuid::now_v7().to_string()})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, list) = call(&app, &key, "GET", "/api/v1/domains", None).await;
    assert_eq!(
        (status, list["total"].as_u64()),
        (200, Some(0)),
        "refused creates leave no zone: {list}"
    );

    let (status, zone) = call(
        &app,
        &key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "web.test", "template_id": web,
                    "template_variables": {"ipv4": "192.0.2.7", "ipv6": "2001:db8::7"}})),
    )
    .await;
    assert_eq!(status, 201, "{zone}");
    assert_eq!(zone["status"], "pending_validation");
    let zone_id = zone["id"].as_str().unwrap().to_owned();
    let a_records = |records: &Value| {
        records["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["type"] == "A")
            .count()
    };
    let (_, records) = call(
        &app,
        &key,
        "GET",
        &format!("/api/v1/domains/{zone_id}/records"),
        None,
    )
    .await;
    assert_eq!(a_records(&records), 0, "not before activation: {records}");

    // A failing check (the provider does not serve the zone yet) applies nothing.
    let check = format!("/api/v1/domains/{zone_id}/validation/check");
    let (status, early) = call(&app, &key, "POST", &check, None).await;
    assert_eq!(status, 200, "{early}");
    assert_eq!(early["is_valid"], false);
    let (_, records) = call(
        &app,
        &key,
        "GET",
        &format!("/api/v1/domains/{zone_id}/records"),
        None,
    )
    .await;
    assert_eq!(a_records(&records), 0, "{records}");

    // Proven: active, and the template's records are there and served.
    let value = zone["validation"]["dns_record"]["value"].as_str().unwrap();
    provider_zone(&provider, "web.test", Some(value)).await;
    let (status, passed) = call(&app, &key, "POST", &check, None).await;
    assert_eq!(status, 200, "{passed}");
    assert_eq!(passed["is_valid"], true, "{passed}");
    let (_, records) = call(
        &app,
        &key,
        "GET",
        &format!("/api/v1/domains/{zone_id}/records"),
        None,
    )
    .await;
    assert_eq!(a_records(&records), 1, "{records}");
    let reply = dns::query(backend.dns_addr, "web.test.", "A").await;
    assert_eq!(reply.answers_of("A").len(), 1, "{reply:?}");
    let reply = dns::query(backend.dns_addr, "www.web.test.", "CNAME").await;
    assert_eq!(reply.answers_of("CNAME").len(), 1, "{reply:?}");
    // The apply is in the tenant's log, by the system, next to the records' own entries.
    let (_, log) = call(
        &app,
        &key,
        "GET",
        "/api/v1/admin/audit-logs?action=template.apply",
        None,
    )
    .await;
    assert_eq!(log["data"][0]["actor_type"], "system", "{log}");
    assert_eq!(
        log["data"][0]["details"]["after"]["domain_id"],
        zone_id.as_str(),
        "{log}"
    );

    // A template that cannot be applied at activation (deleted meanwhile): the zone still
    // becomes active, and the failure is in the tenant's log instead of being retried.
    let (status, custom) = call(
        &app,
        &key,
        "POST",
        "/api/v1/templates",
        Some(json!({"name": "gone-soon",
                    "records": [{"name": "x", "type": "A", "content": "192.0.2.9"}]})),
    )
    .await;
    assert_eq!(status, 201, "{custom}");
    let custom = custom["id"].as_str().unwrap().to_owned();
    let (status, zone) = call(
        &app,
        &key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "shop.test", "template_id": custom})),
    )
    .await;
    assert_eq!(status, 201, "{zone}");
    let shop = zone["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &app,
        &key,
        "DELETE",
        &format!("/api/v1/templates/{custom}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let value = zone["validation"]["dns_record"]["value"].as_str().unwrap();
    provider_zone(&provider, "shop.test", Some(value)).await;
    let check = format!("/api/v1/domains/{shop}/validation/check");
    let (status, passed) = call(&app, &key, "POST", &check, None).await;
    assert_eq!(
        (status, &passed["is_valid"]),
        (200, &json!(true)),
        "{passed}"
    );
    let (_, log) = call(
        &app,
        &key,
        "GET",
        "/api/v1/admin/audit-logs?action=template.apply_failed",
        None,
    )
    .await;
    let failed = &log["data"][0];
    assert_eq!(failed["resource_id"], custom.as_str(), "{log}");
    assert_eq!(
        failed["details"]["after"]["domain_id"],
        shop.as_str(),
        "{log}"
    );
    assert_eq!(
        failed["details"]["after"]["code"], "template_not_found",
        "{log}"
    );
}

#[tokio::test]
async fn custom_templates_validate_values_and_stay_in_their_tenant() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("tpl-a").await;
    let b = app.tenant_with_user("tpl-b").await;
    // Templates apply to pending zones too (records wait there until the zone is live).
    let (status, za) = call(
        &app,
        &a.key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "a-zone.test"})),
    )
    .await;
    assert_eq!(status, 201, "{za}");
    let za = za["id"].as_str().unwrap().to_owned();

    let tpl = json!({
        "name": "office",
        "description": "office host",
        "records": [
            {"name": "${host}", "type": "A", "content": "${ip}", "ttl": 300},
            {"name": "@", "type": "TXT", "content": "note=${note} owner=${tenant}"}
        ],
        "variables": [
            {"name": "host", "default": "office"},
            {"name": "ip", "required": true, "pattern": "192\\.0\\.2\\.[0-9]{1,3}"},
            {"name": "note", "default": "none"}
        ]
    });
    let (status, created) =
        call(&app, &a.key, "POST", "/api/v1/templates", Some(tpl.clone())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["template_type"], "custom");
    let id = created["id"].as_str().unwrap().to_owned();
    let (status, dup) = call(&app, &a.key, "POST", "/api/v1/templates", Some(tpl)).await;
    assert_eq!(
        (status, dup["code"].as_str()),
        (409, Some("template_exists"))
    );

    // Bad templates: unknown placeholder, pathological or broken pattern.
    for (bad, field) in [
        (
            json!({"name": "x", "records": [{"name": "@", "type": "A", "content": "${nope}"}]}),
            "records.0.content",
        ),
        (
            json!({"name": "x", "records": [{"name": "@", "type": "A", "content": "${v}"}],
                "variables": [{"name": "v", "pattern": "(\\w{1,100}){1,100}"}]}),
            "variables.0.pattern",
        ),
        (
            json!({"name": "x", "records": [{"name": "@", "type": "A", "content": "${v}"}],
                "variables": [{"name": "v", "pattern": "(unclosed"}]}),
            "variables.0.pattern",
        ),
    ] {
        let (status, body) = call(&app, &a.key, "POST", "/api/v1/templates", Some(bad)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(located(&body), field, "{body}");
    }

    let apply = format!("/api/v1/templates/{id}/apply");
    let records_of = |zone: String| {
        let app = &app;
        let key = a.key.clone();
        async move {
            let (_, r) = call(
                app,
                &key,
                "GET",
                &format!("/api/v1/domains/{zone}/records"),
                None,
            )
            .await;
            r["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["type"] != "SOA" && r["type"] != "NS")
                .count()
        }
    };
    // Missing required, pattern mismatch, a newline, an undeclared variable: 422, nothing written.
    for (vars, expect) in [
        (json!({}), "missing_variables"),
        (json!({"ip": "198.51.100.1"}), "variables.ip"),
        (json!({"ip": "192.0.2.1", "note": "a\nb"}), "variables.note"),
        (json!({"ip": "192.0.2.1", "extra": "1"}), "variables.extra"),
        (
            json!({"ip": "192.0.2.1", "domain": "evil.test"}),
            "variables.domain",
        ),
    ] {
        let (status, body) = call(
            &app,
            &a.key,
            "POST",
            &apply,
            Some(json!({"domain_id": za, "variables": vars})),
        )
        .await;
        assert_eq!(status, 422, "{vars}: {body}");
        assert!(
            body["code"] == expect || located(&body) == expect,
            "{expect}: {body}"
        );
    }
    // A host value that is no valid name is refused at apply, naming the record; nothing lands.
    let (status, body) = call(
        &app,
        &a.key,
        "POST",
        &apply,
        Some(json!({"domain_id": za, "variables": {"ip": "192.0.2.1", "host": "bad name!"}})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("template_records_invalid")),
        "{body}"
    );
    assert!(body["detail"].to_string().contains("records[0]"), "{body}");
    assert_eq!(records_of(za.clone()).await, 0);

    // Preview writes nothing; quotes in a value stay inside the one TXT record.
    let (status, preview) = call(
        &app,
        &a.key,
        "POST",
        &format!("/api/v1/templates/{id}/preview/{za}"),
        Some(json!({"variables": {"ip": "192.0.2.1", "note": "say \"hi\" ; x"}})),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["valid"], true, "{preview}");
    assert_eq!(
        preview["records"][1]["content"],
        "note=say \"hi\" ; x owner=tpl-a"
    );
    assert_eq!(records_of(za.clone()).await, 0);
    let (status, applied) = call(
        &app,
        &a.key,
        "POST",
        &apply,
        Some(json!({"domain_id": za, "variables": {"ip": "192.0.2.1", "note": "say \"hi\" ; x"}})),
    )
    .await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["total_created"], 2, "{applied}");
    assert_eq!(records_of(za.clone()).await, 2);

    // Tenant B neither sees nor uses A's template; A cannot apply to B's zone.
    let (status, zb) = call(
        &app,
        &b.key,
        "POST",
        "/api/v1/domains",
        Some(json!({"name": "b-zone.test"})),
    )
    .await;
    assert_eq!(status, 201, "{zb}");
    let zb = zb["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &app,
        &b.key,
        "GET",
        &format!("/api/v1/templates/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, list) = call(
        &app,
        &b.key,
        "GET",
        "/api/v1/templates?template_type=custom",
        None,
    )
    .await;
    assert_eq!(list["total"], 0, "{list}");
    let (status, _) = call(
        &app,
        &b.key,
        "POST",
        &apply,
        Some(json!({"domain_id": zb, "variables": {"ip": "192.0.2.1"}})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        &b.key,
        "POST",
        &format!("/api/v1/templates/{id}/preview/{zb}"),
        Some(json!({"variables": {}})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        &b.key,
        "PATCH",
        &format!("/api/v1/templates/{id}"),
        Some(json!({"name": "stolen"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        &b.key,
        "DELETE",
        &format!("/api/v1/templates/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(
        &app,
        &a.key,
        "POST",
        &apply,
        Some(json!({"domain_id": zb, "variables": {"ip": "192.0.2.1"}})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = call(&app, &b.key, "POST", "/api/v1/domains",
        Some(json!({"name": "b2.test", "template_id": id, "template_variables": {"ip": "192.0.2.1"}}))).await;
    assert_eq!(status, 404);

    // A's own update and delete work.
    let (status, updated) = call(
        &app,
        &a.key,
        "PATCH",
        &format!("/api/v1/templates/{id}"),
        Some(json!({"description": "changed"})),
    )
    .await;
    assert_eq!(
        (status, updated["description"].as_str()),
        (200, Some("changed")),
        "{updated}"
    );
    let (status, _) = call(
        &app,
        &a.key,
        "DELETE",
        &format!("/api/v1/templates/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    // Each write left its entry; the apply left the bulk path's.
    for action in ["template.create", "template.update", "template.delete"] {
        let (status, logs) = call(
            &app,
            &a.key,
            "GET",
            &format!("/api/v1/admin/audit-logs?resource_id={id}&action={action}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{logs}");
        assert_eq!(logs["total"], 1, "{action}: {logs}");
        assert_eq!(logs["data"][0]["tenant_id"], a.tenant_id.as_str(), "{logs}");
    }
    let (_, logs) = call(
        &app,
        &a.key,
        "GET",
        &format!("/api/v1/admin/audit-logs?resource_id={za}&action=records.bulk"),
        None,
    )
    .await;
    assert_eq!(logs["total"], 1, "one apply went through: {logs}");
    let (status, _) = call(
        &app,
        &a.key,
        "GET",
        &format!("/api/v1/templates/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}
