//! Audit completeness (interface decision 21): every state-changing operation of the OpenAPI
//! document writes exactly its documented entries — right action, actor, tenant, resource,
//! before/after matching the change, request id, client address and user agent — and no read
//! writes any. [`CASES`] lists every POST/PUT/PATCH/DELETE of the document; a new endpoint
//! without a row fails `every_state_changing_endpoint_has_an_audit_case`, like the
//! authorization matrix does for authorization.
//!
//! Runs on PowerDNS (so DNSSEC can sign) with PowerDNS also playing the resolver that sees the
//! parent's DS, which lets `confirm-ds-published` succeed.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

/// What an operation writes to the audit log.
enum Audit {
    /// These actions, one entry each, in the same transaction as the change.
    Writes(&'static [&'static str]),
    /// Nothing, on purpose (the reason); the test still calls it and checks.
    Nothing(&'static str),
    /// Proven by another suite (where).
    Elsewhere(&'static str),
}

use Audit::{Elsewhere, Nothing, Writes};

/// Every state-changing operation and its audit entries.
const CASES: &[(&str, Audit)] = &[
    (
        "POST /api/v1/auth/token",
        Nothing("login flow: tokens belong to the provider"),
    ),
    (
        "POST /api/v1/auth/refresh",
        Nothing("login flow: tokens belong to the provider"),
    ),
    (
        "POST /api/v1/auth/logout",
        Nothing("ScaiDNS keeps no session"),
    ),
    (
        "POST /api/v1/me/permissions/check",
        Nothing("a question, not a change"),
    ),
    (
        "POST /api/v1/webhooks/scaikey",
        Elsewhere("identity suites: entries with actor_type webhook and the event id"),
    ),
    ("POST /api/v1/admin/tenants", Writes(&["tenant.create"])),
    ("POST /api/v1/admin/users", Writes(&["user.create"])),
    (
        "PUT /api/v1/admin/nameservers",
        Writes(&["platform.nameservers.update"]),
    ),
    ("POST /api/v1/api-keys", Writes(&["api_key.create"])),
    // Revoking a revoked key (activating an active one) answers 200 and writes nothing.
    (
        "POST /api/v1/api-keys/{key_id}/revoke",
        Writes(&["api_key.revoke"]),
    ),
    (
        "POST /api/v1/api-keys/{key_id}/activate",
        Writes(&["api_key.activate"]),
    ),
    (
        "POST /api/v1/api-keys/{key_id}/regenerate",
        Writes(&["api_key.regenerate"]),
    ),
    (
        "DELETE /api/v1/api-keys/{key_id}",
        Writes(&["api_key.delete"]),
    ),
    ("POST /api/v1/domains", Writes(&["domain.create"])),
    // A PATCH that changes nothing writes nothing.
    (
        "PATCH /api/v1/domains/{domain_id}",
        Writes(&["domain.update"]),
    ),
    // Soft delete; `?hard=true` writes `domain.hard_delete` (checked below too).
    (
        "DELETE /api/v1/domains/{domain_id}",
        Writes(&["domain.delete"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/restore",
        Writes(&["domain.restore"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/records",
        Writes(&["record.create"]),
    ),
    // A TTL change writes one entry per record of the RRset (TTL belongs to the RRset).
    (
        "PATCH /api/v1/domains/{domain_id}/records/{record_id}",
        Writes(&["record.update"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/records/{record_id}",
        Writes(&["record.delete"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/validation",
        Writes(&["domain.validation.start"]),
    ),
    // A passing check writes `domain.validation.success` with the zone before and after.
    (
        "POST /api/v1/domains/{domain_id}/validation/check",
        Writes(&["domain.validation.failure"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/validation",
        Writes(&["domain.validation.cancel"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/enable",
        Writes(&["dnssec.enable"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/disable",
        Writes(&["dnssec.disable"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/rotate-zsk",
        Writes(&["dnssec.rotate_zsk"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/rotate-ksk",
        Writes(&["dnssec.rotate_ksk"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/confirm-ds-published",
        Writes(&["dnssec.confirm_ds"]),
    ),
    ("POST /api/v1/roles", Writes(&["role.create"])),
    ("PATCH /api/v1/roles/{role_id}", Writes(&["role.update"])),
    ("DELETE /api/v1/roles/{role_id}", Writes(&["role.delete"])),
    (
        "POST /api/v1/roles/users/{user_id}",
        Writes(&["role.assign"]),
    ),
    (
        "DELETE /api/v1/roles/users/{user_id}/assignments/{assignment_id}",
        Writes(&["role.revoke"]),
    ),
    (
        "POST /api/v1/roles/groups/{group_id}",
        Writes(&["role.assign"]),
    ),
    (
        "DELETE /api/v1/roles/groups/{group_id}/assignments/{assignment_id}",
        Writes(&["role.revoke"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/access-grants",
        Writes(&["access_grant.create"]),
    ),
    (
        "PATCH /api/v1/domains/{domain_id}/access-grants/{grant_id}",
        Writes(&["access_grant.update"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/access-grants/{grant_id}",
        Writes(&["access_grant.delete"]),
    ),
    ("POST /api/v1/admin/groups", Writes(&["group.create"])),
    (
        "PATCH /api/v1/admin/groups/{group_id}",
        Writes(&["group.update"]),
    ),
    (
        "DELETE /api/v1/admin/groups/{group_id}",
        Writes(&["group.delete"]),
    ),
    (
        "POST /api/v1/admin/groups/{group_id}/members",
        Writes(&["group.member_add"]),
    ),
    (
        "DELETE /api/v1/admin/groups/{group_id}/members/{user_id}",
        Writes(&["group.member_remove"]),
    ),
];

const STATE_CHANGING: &[&str] = &["post", "put", "patch", "delete"];

/// The document's operations as `METHOD /path`.
fn spec_operations() -> Vec<(String, String)> {
    let spec: Value = serde_json::from_str(&scaidns_server::spec_json()).unwrap();
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((method.clone(), path.clone()));
        }
    }
    out
}

#[test]
fn every_state_changing_endpoint_has_an_audit_case() {
    let spec: BTreeSet<String> = spec_operations()
        .into_iter()
        .filter(|(m, _)| STATE_CHANGING.contains(&m.as_str()))
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let table: BTreeSet<String> = CASES.iter().map(|(op, _)| (*op).to_owned()).collect();
    let missing: Vec<_> = spec.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "state-changing endpoints without a row in audit_completeness.rs CASES: {missing:?}"
    );
    // A row that writes nothing says why.
    for (op, audit) in CASES {
        if let Nothing(why) | Elsewhere(why) = audit {
            assert!(!why.is_empty(), "{op}: give the reason");
        }
    }
    let stale: Vec<_> = CASES
        .iter()
        .filter(|(op, _)| !spec.contains(*op))
        .map(|(op, _)| *op)
        .collect();
    assert!(
        stale.is_empty(),
        "rows for operations the document lacks: {stale:?}"
    );
}

const UA: &str = "scaidns-audit-test/1.0";

/// Who a call is made as.
#[derive(Clone)]
struct Caller {
    key: String,
    actor_type: &'static str,
    actor_id: String,
    tenant_id: String,
    user_id: String,
}

/// The answer of a call and the entries it wrote.
struct Call {
    status: u16,
    body: Value,
    request_id: String,
    entries: Vec<Value>,
}

impl Call {
    /// The one entry with `action`, checked against the call and the caller.
    fn entry(&self, action: &str, caller: &Caller) -> &Value {
        let found: Vec<&Value> = self
            .entries
            .iter()
            .filter(|e| e["action"] == action)
            .collect();
        assert_eq!(found.len(), 1, "{action}: {:#?}", self.entries);
        let e = found[0];
        assert_eq!(e["actor_type"], caller.actor_type, "{action}");
        assert_eq!(e["actor_id"], caller.actor_id.as_str(), "{action}");
        assert_eq!(e["request_id"], self.request_id.as_str(), "{action}");
        assert_eq!(e["ip_address"], "127.0.0.1", "{action}");
        assert_eq!(e["user_agent"], UA, "{action}");
        e
    }
}

struct Harness {
    app: TestApp,
    http: reqwest::Client,
    seen: HashSet<String>,
    /// Operation → actions of the first call of it made as a case.
    observed: BTreeMap<String, Vec<String>>,
}

impl Harness {
    async fn all_entries(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for page in 1.. {
            let body: Value = self
                .http
                .get(self.app.url(&format!(
                    "/api/v1/admin/audit-logs?page={page}&page_size=100"
                )))
                .header("x-api-key", &self.app.admin_key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let data = body["data"]
                .as_array()
                .unwrap_or_else(|| panic!("audit list: {body}"))
                .clone();
            if data.is_empty() {
                break;
            }
            out.extend(data);
        }
        out
    }

    async fn audit_total(&self) -> u64 {
        let body: Value = self
            .http
            .get(self.app.url("/api/v1/admin/audit-logs?page_size=1"))
            .header("x-api-key", &self.app.admin_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["total"].as_u64().unwrap()
    }

    async fn raw(&self, caller: &Caller, method: &str, path: &str, body: Option<Value>) -> Call {
        let mut req = self
            .http
            .request(method.parse().unwrap(), self.app.url(path))
            .header("x-api-key", &caller.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let request_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        let text = resp.text().await.unwrap();
        Call {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            request_id,
            entries: Vec::new(),
        }
    }

    /// A call whose audit entries are collected (setup calls use it too).
    async fn call(
        &mut self,
        caller: &Caller,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Call {
        let mut call = self.raw(caller, method, path, body).await;
        let entries = self.all_entries().await;
        call.entries = entries
            .into_iter()
            .filter(|e| self.seen.insert(e["id"].as_str().unwrap().to_owned()))
            .collect();
        assert!(
            call.status < 500,
            "{method} {path}: {} {}",
            call.status,
            call.body
        );
        call
    }

    /// A call that is the case of operation `op` (`METHOD /template`); the first one defines
    /// what the operation writes.
    async fn case(&mut self, op: &str, caller: &Caller, path: &str, body: Option<Value>) -> Call {
        let method = op.split_once(' ').unwrap().0;
        let call = self.call(caller, method, path, body).await;
        let actions = call
            .entries
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        self.observed.entry(op.to_owned()).or_insert(actions);
        call
    }
}

fn created(call: &Call) -> String {
    assert!(
        matches!(call.status, 200 | 201),
        "{} {}",
        call.status,
        call.body
    );
    call.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_state_change_writes_its_documented_entries_and_reads_write_none() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |c| {
            c.validation_resolvers = vec![pdns.dns_addr];
            // The test reads the whole log after every call.
            c.rate_limit_api_key_per_minute = 100_000;
        },
    )
    .await;
    let alpha = app.tenant_with_user("alpha").await;
    let http = reqwest::Client::builder()
        .user_agent(UA)
        .no_proxy()
        .build()
        .unwrap();
    let p = Caller {
        key: app.admin_key.clone(),
        actor_type: "api_key",
        actor_id: String::new(),
        tenant_id: app.platform_tenant_id.clone(),
        user_id: app.admin_user_id.clone(),
    };
    let ta = Caller {
        key: alpha.key.clone(),
        actor_type: "api_key",
        actor_id: alpha.key_id.clone(),
        tenant_id: alpha.tenant_id.clone(),
        user_id: alpha.user_id.clone(),
    };
    let mut h = Harness {
        app,
        http,
        seen: HashSet::new(),
        observed: BTreeMap::new(),
    };
    h.all_entries().await.iter().for_each(|e| {
        h.seen.insert(e["id"].as_str().unwrap().to_owned());
    });
    let admin_key_id = {
        let keys = h.raw(&p, "GET", "/api/v1/api-keys", None).await;
        keys.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["permission_source_id"] == h.app.admin_user_id.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let p = Caller {
        actor_id: admin_key_id,
        ..p
    };

    let ids = platform_cases(&mut h, &p, &ta).await;
    api_key_cases(&mut h, &ta).await;
    let zones = zone_cases(&mut h, &p, &ta, &ids).await;
    dnssec_cases(&mut h, &ta, &zones).await;
    access_control_cases(&mut h, &p, &ta, &ids, &zones).await;
    group_cases(&mut h, &ta, &ids).await;
    nothing_cases(&mut h, &ta, &zones).await;
    reads_write_nothing(&mut h, &p, &ta, &ids, &zones).await;
    deletion_cases(&mut h, &ta, &zones).await;

    let spec: BTreeSet<String> = spec_operations()
        .into_iter()
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let mut failures = Vec::new();
    for (op, audit) in CASES.iter().filter(|(op, _)| spec.contains(*op)) {
        let want: Vec<String> = match audit {
            Writes(actions) => actions.iter().map(|a| (*a).to_owned()).collect(),
            Nothing(_) => Vec::new(),
            Elsewhere(_) => continue,
        };
        match h.observed.get(*op) {
            None => failures.push(format!("{op}: never called")),
            Some(got) if *got != want => {
                failures.push(format!("{op}: wrote {got:?}, want {want:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    h.app.stop().await;
}

/// Ids made along the way.
struct Ids {
    user: String,
}

async fn platform_cases(h: &mut Harness, p: &Caller, ta: &Caller) -> Ids {
    let c = h
        .case(
            "POST /api/v1/admin/tenants",
            p,
            "/api/v1/admin/tenants",
            Some(json!({"name": "Audit", "slug": "audit"})),
        )
        .await;
    let tenant = created(&c);
    let e = c.entry("tenant.create", p);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("tenant"), &json!(tenant), &json!(tenant))
    );
    assert_eq!(e["details"]["after"]["slug"], "audit");
    assert_eq!(e["details"]["before"], Value::Null);

    let c = h
        .case(
            "POST /api/v1/admin/users",
            ta,
            "/api/v1/admin/users",
            Some(json!({"email": "audited@alpha.test"})),
        )
        .await;
    let user = created(&c);
    let e = c.entry("user.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("user"), &json!(user), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["email"], "audited@alpha.test");

    let c = h
        .case(
            "PUT /api/v1/admin/nameservers",
            p,
            "/api/v1/admin/nameservers",
            Some(json!({"nameservers": ["ns1.audit.example", "ns2.audit.example"]})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("platform.nameservers.update", p);
    assert_eq!(
        e["details"]["after"],
        json!(["ns1.audit.example.", "ns2.audit.example."])
    );
    Ids { user }
}

/// Key entries describe the key, never its secret or hash.
fn assert_no_secret(e: &Value, secrets: &[&str]) {
    let text = e.to_string();
    for s in secrets {
        assert!(!text.contains(s), "secret material in {text}");
    }
    for side in ["before", "after"] {
        if let Some(obj) = e["details"][side].as_object() {
            assert!(
                !obj.contains_key("key_hash") && !obj.contains_key("key"),
                "{text}"
            );
        }
    }
}

async fn api_key_cases(h: &mut Harness, ta: &Caller) {
    let c = h
        .case(
            "POST /api/v1/api-keys",
            ta,
            "/api/v1/api-keys",
            Some(json!({"name": "audited", "scopes": ["domains:read"]})),
        )
        .await;
    let id = created(&c);
    let secret = c.body["key"].as_str().unwrap().to_owned();
    let e = c.entry("api_key.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("api_key"), &json!(id), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["name"], "audited");
    assert_eq!(e["details"]["after"]["status"], "active");
    assert_no_secret(e, &[&secret]);

    let path = format!("/api/v1/api-keys/{id}/revoke");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/revoke", ta, &path, None)
        .await;
    let e = c.entry("api_key.revoke", ta);
    assert_eq!(e["details"]["before"]["status"], "active");
    assert_eq!(e["details"]["after"]["status"], "revoked");
    assert_no_secret(e, &[&secret]);
    let again = h.call(ta, "POST", &path, None).await;
    assert_eq!(
        (again.status, again.entries.len()),
        (200, 0),
        "repeated revoke"
    );

    let path = format!("/api/v1/api-keys/{id}/activate");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/activate", ta, &path, None)
        .await;
    let e = c.entry("api_key.activate", ta);
    assert_eq!(e["details"]["before"]["status"], "revoked");
    assert_eq!(e["details"]["after"]["status"], "active");
    let again = h.call(ta, "POST", &path, None).await;
    assert_eq!(
        (again.status, again.entries.len()),
        (200, 0),
        "repeated activate"
    );

    let path = format!("/api/v1/api-keys/{id}/regenerate");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/regenerate", ta, &path, None)
        .await;
    let fresh = c.body["key"].as_str().unwrap().to_owned();
    let e = c.entry("api_key.regenerate", ta);
    assert_ne!(
        e["details"]["before"]["key_prefix"],
        e["details"]["after"]["key_prefix"]
    );
    assert_no_secret(e, &[&secret, &fresh]);

    let c = h
        .case(
            "DELETE /api/v1/api-keys/{key_id}",
            ta,
            &format!("/api/v1/api-keys/{id}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204);
    let e = c.entry("api_key.delete", ta);
    assert_eq!(e["details"]["before"]["name"], "audited");
    assert_eq!(e["details"]["after"], Value::Null);
    assert_no_secret(e, &[&fresh]);
}

/// Zones made by [`zone_cases`].
struct Zones {
    active: String,
    record: String,
    parent: String,
    child: String,
}

async fn zone_cases(h: &mut Harness, p: &Caller, ta: &Caller, ids: &Ids) -> Zones {
    // The tenant admin may skip validation: this is itself a case.
    let c = h
        .case(
            "POST /api/v1/roles/users/{user_id}",
            p,
            &format!("/api/v1/roles/users/{}", ta.user_id),
            Some(json!({"role_name": "validation_bypass", "scope": "tenant",
                        "scope_id": ta.tenant_id})),
        )
        .await;
    let assignment = created(&c);
    let e = c.entry("role.assign", p);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (
            &json!("role_assignment"),
            &json!(assignment),
            &json!(ta.tenant_id)
        )
    );
    assert_eq!(e["details"]["after"]["role_name"], "validation_bypass");
    let _ = ids;

    let c = h
        .case(
            "POST /api/v1/domains",
            ta,
            "/api/v1/domains",
            Some(json!({"name": "audit.test"})),
        )
        .await;
    let active = created(&c);
    let e = c.entry("domain.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("domain"), &json!(active), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["status"], "active");
    assert_eq!(e["details"]["after"]["name"], "audit.test");

    let zone_path = format!("/api/v1/domains/{active}");
    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}",
            ta,
            &zone_path,
            Some(json!({"description": "audited"})),
        )
        .await;
    let e = c.entry("domain.update", ta);
    assert_eq!(e["details"]["before"]["description"], Value::Null);
    assert_eq!(e["details"]["after"]["description"], "audited");
    let same = h
        .call(
            ta,
            "PATCH",
            &zone_path,
            Some(json!({"description": "audited"})),
        )
        .await;
    assert_eq!(
        (same.status, same.entries.len()),
        (200, 0),
        "PATCH changing nothing"
    );

    let records = format!("{zone_path}/records");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/records",
            ta,
            &records,
            Some(json!({"name": "www", "type": "A", "content": "192.0.2.1"})),
        )
        .await;
    let record = created(&c);
    let e = c.entry("record.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("record"), &json!(record), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["content"], "192.0.2.1");
    assert_eq!(e["details"]["before"], Value::Null);

    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}/records/{record_id}",
            ta,
            &format!("{records}/{record}"),
            Some(json!({"content": "192.0.2.2"})),
        )
        .await;
    let e = c.entry("record.update", ta);
    assert_eq!(e["resource_id"], record.as_str());
    assert_eq!(e["details"]["before"]["content"], "192.0.2.1");
    assert_eq!(e["details"]["after"]["content"], "192.0.2.2");

    let doomed = created(
        &h.call(
            ta,
            "POST",
            &records,
            Some(json!({"name": "old", "type": "TXT", "content": "bye"})),
        )
        .await,
    );
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/records/{record_id}",
            ta,
            &format!("{records}/{doomed}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204);
    let e = c.entry("record.delete", ta);
    assert_eq!(e["resource_id"], doomed.as_str());
    assert_eq!(e["details"]["before"]["content"], "\"bye\"");
    assert_eq!(e["details"]["after"], Value::Null);

    // Validation on a zone that goes through it.
    let pending = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "pending-audit.test", "skip_validation": false})),
        )
        .await,
    );
    let validation = format!("/api/v1/domains/{pending}/validation");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/validation",
            ta,
            &validation,
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let e = c.entry("domain.validation.start", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"]),
        (&json!("domain"), &json!(pending))
    );
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/validation/check",
            ta,
            &format!("{validation}/check"),
            None,
        )
        .await;
    assert_eq!(
        (c.status, &c.body["is_valid"]),
        (200, &json!(false)),
        "{}",
        c.body
    );
    let e = c.entry("domain.validation.failure", ta);
    assert_eq!(e["details"]["after"]["is_valid"], false);
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/validation",
            ta,
            &validation,
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    c.entry("domain.validation.cancel", ta);

    // A parent and a child for DNSSEC, the parent holding the child's delegation.
    let parent = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "parent.test"})),
        )
        .await,
    );
    let child = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "child.parent.test"})),
        )
        .await,
    );
    created(
        &h.call(
            ta,
            "POST",
            &format!("/api/v1/domains/{parent}/records"),
            Some(json!({"name": "child", "type": "NS", "content": "ns1.audit.example."})),
        )
        .await,
    );
    Zones {
        active,
        record,
        parent,
        child,
    }
}

async fn dnssec_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    let base = format!("/api/v1/domains/{}/dnssec", z.child);
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/enable",
            ta,
            &format!("{base}/enable"),
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("dnssec.enable", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"]),
        (&json!("domain"), &json!(z.child))
    );
    // The registrar publishes the DS (SHA-256) at the parent.
    for ds in c.body["ds_records"].as_array().unwrap() {
        if ds["digest_type"] == 2 {
            let content = format!(
                "{} {} 2 {}",
                ds["key_tag"],
                ds["algorithm"],
                ds["digest"].as_str().unwrap()
            );
            created(
                &h.call(
                    ta,
                    "POST",
                    &format!("/api/v1/domains/{}/records", z.parent),
                    Some(json!({"name": "child", "type": "DS", "content": content})),
                )
                .await,
            );
        }
    }
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/confirm-ds-published",
            ta,
            &format!("{base}/confirm-ds-published"),
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    c.entry("dnssec.confirm_ds", ta);
    for (op, action) in [
        ("rotate-zsk", "dnssec.rotate_zsk"),
        ("rotate-ksk", "dnssec.rotate_ksk"),
    ] {
        let c = h
            .case(
                &format!("POST /api/v1/domains/{{domain_id}}/dnssec/{op}"),
                ta,
                &format!("{base}/{op}"),
                None,
            )
            .await;
        assert_eq!(c.status, 200, "{op}: {}", c.body);
        c.entry(action, ta);
    }
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/disable",
            ta,
            &format!("{base}/disable?force=true"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    c.entry("dnssec.disable", ta);
}

async fn access_control_cases(h: &mut Harness, p: &Caller, ta: &Caller, ids: &Ids, z: &Zones) {
    let c = h
        .case(
            "POST /api/v1/roles",
            ta,
            "/api/v1/roles",
            Some(json!({"name": "auditor", "permissions": ["records:read"]})),
        )
        .await;
    let role = created(&c);
    let e = c.entry("role.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("role"), &json!(role), &json!(ta.tenant_id))
    );
    let c = h
        .case(
            "PATCH /api/v1/roles/{role_id}",
            ta,
            &format!("/api/v1/roles/{role}"),
            Some(json!({"permissions": ["records:read", "domains:read"]})),
        )
        .await;
    let e = c.entry("role.update", ta);
    assert_eq!(
        e["details"]["before"]["permissions"],
        json!(["records:read"])
    );
    assert_eq!(
        e["details"]["after"]["permissions"],
        json!(["records:read", "domains:read"])
    );

    let c = h
        .case(
            "POST /api/v1/roles/users/{user_id}",
            ta,
            &format!("/api/v1/roles/users/{}", ids.user),
            Some(json!({"role_name": "auditor", "scope": "domain", "scope_id": z.active})),
        )
        .await;
    let assignment = created(&c);
    let c = h
        .case(
            "DELETE /api/v1/roles/users/{user_id}/assignments/{assignment_id}",
            ta,
            &format!("/api/v1/roles/users/{}/assignments/{assignment}", ids.user),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("role.revoke", ta);
    assert_eq!(e["resource_id"], assignment.as_str());
    assert_eq!(e["details"]["before"]["role_name"], "auditor");
    assert_eq!(e["details"]["after"], Value::Null);

    let c = h
        .case(
            "DELETE /api/v1/roles/{role_id}",
            ta,
            &format!("/api/v1/roles/{role}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("role.delete", ta);
    assert_eq!(e["details"]["before"]["name"], "auditor");

    let grants = format!("/api/v1/domains/{}/access-grants", z.active);
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/access-grants",
            ta,
            &grants,
            Some(
                json!({"grant_type": "user", "grantee_id": ids.user, "role": "record_editor",
                        "record_pattern": "*.dev", "record_types": ["A"]}),
            ),
        )
        .await;
    let grant = created(&c);
    let e = c.entry("access_grant.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("access_grant"), &json!(grant), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["record_pattern"], "*.dev");
    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}/access-grants/{grant_id}",
            ta,
            &format!("{grants}/{grant}"),
            Some(json!({"record_pattern": "api.*"})),
        )
        .await;
    let e = c.entry("access_grant.update", ta);
    assert_eq!(e["details"]["before"]["record_pattern"], "*.dev");
    assert_eq!(e["details"]["after"]["record_pattern"], "api.*");
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/access-grants/{grant_id}",
            ta,
            &format!("{grants}/{grant}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("access_grant.delete", ta);
    assert_eq!(e["details"]["before"]["id"], grant.as_str());
    let _ = p;
}

async fn group_cases(h: &mut Harness, ta: &Caller, ids: &Ids) {
    let c = h
        .case(
            "POST /api/v1/admin/groups",
            ta,
            "/api/v1/admin/groups",
            Some(json!({"name": "auditors"})),
        )
        .await;
    let group = created(&c);
    let e = c.entry("group.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("group"), &json!(group), &json!(ta.tenant_id))
    );
    let path = format!("/api/v1/admin/groups/{group}");
    let c = h
        .case(
            "PATCH /api/v1/admin/groups/{group_id}",
            ta,
            &path,
            Some(json!({"description": "audited"})),
        )
        .await;
    c.entry("group.update", ta);
    let c = h
        .case(
            "POST /api/v1/admin/groups/{group_id}/members",
            ta,
            &format!("{path}/members"),
            Some(json!({"user_id": ids.user})),
        )
        .await;
    c.entry("group.member_add", ta);
    let c = h
        .case(
            "DELETE /api/v1/admin/groups/{group_id}/members/{user_id}",
            ta,
            &format!("{path}/members/{}", ids.user),
            None,
        )
        .await;
    c.entry("group.member_remove", ta);
    let c = h
        .case(
            "POST /api/v1/roles/groups/{group_id}",
            ta,
            &format!("/api/v1/roles/groups/{group}"),
            Some(json!({"role_name": "read_only", "scope": "tenant", "scope_id": ta.tenant_id})),
        )
        .await;
    let assignment = created(&c);
    c.entry("role.assign", ta);
    let c = h
        .case(
            "DELETE /api/v1/roles/groups/{group_id}/assignments/{assignment_id}",
            ta,
            &format!("/api/v1/roles/groups/{group}/assignments/{assignment}"),
            None,
        )
        .await;
    c.entry("role.revoke", ta);
    let c = h
        .case("DELETE /api/v1/admin/groups/{group_id}", ta, &path, None)
        .await;
    c.entry("group.delete", ta);
}

/// Operations that change nothing write nothing.
async fn nothing_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    for (op, path, body) in [
        (
            "POST /api/v1/me/permissions/check",
            "/api/v1/me/permissions/check".to_owned(),
            json!({"permission": "records:read", "domain_id": z.active}),
        ),
        (
            "POST /api/v1/auth/logout",
            "/api/v1/auth/logout".to_owned(),
            json!({}),
        ),
        (
            "POST /api/v1/auth/token",
            "/api/v1/auth/token".to_owned(),
            json!({"code": "x", "redirect_uri": "http://localhost/cb"}),
        ),
        (
            "POST /api/v1/auth/refresh",
            "/api/v1/auth/refresh".to_owned(),
            json!({"refresh_token": "x"}),
        ),
    ] {
        let method = op.split_once(' ').unwrap().0;
        let mut c = h.raw(ta, method, &path, Some(body)).await;
        let entries = h.all_entries().await;
        c.entries = entries
            .into_iter()
            .filter(|e| h.seen.insert(e["id"].as_str().unwrap().to_owned()))
            .collect();
        assert!(c.entries.is_empty(), "{op} wrote {:#?}", c.entries);
        h.observed.entry(op.to_owned()).or_default();
    }
}

/// Every GET of the document, as the platform admin and the tenant admin: the log's size
/// does not move.
async fn reads_write_nothing(h: &mut Harness, p: &Caller, ta: &Caller, ids: &Ids, z: &Zones) {
    let log = h.all_entries().await[0]["id"].as_str().unwrap().to_owned();
    let key = ta.actor_id.clone();
    let vars = [
        ("{domain_id}", z.active.as_str()),
        ("{record_id}", z.record.as_str()),
        ("{user_id}", ids.user.as_str()),
        ("{tenant_id}", ta.tenant_id.as_str()),
        ("{role_id}", "00000000-0000-0000-0000-000000000006"),
        ("{key_id}", key.as_str()),
        ("{log_id}", log.as_str()),
        ("{group_id}", "00000000-0000-7000-8000-000000000000"),
        ("{grant_id}", "00000000-0000-7000-8000-000000000000"),
    ];
    let before = h.audit_total().await;
    let mut reads = 0;
    for (method, template) in spec_operations() {
        if method != "get" {
            continue;
        }
        let path = vars
            .iter()
            .fold(template.clone(), |t, (k, v)| t.replace(k, v));
        assert!(
            !path.contains('{'),
            "no value for a parameter of {template}"
        );
        for caller in [p, ta] {
            let c = h.raw(caller, "GET", &path, None).await;
            assert!(
                c.status < 500 || template == "/api/v1/auth/config",
                "GET {path}: {}",
                c.status
            );
            reads += 1;
        }
    }
    assert!(reads > 40, "{reads} reads");
    assert_eq!(h.audit_total().await, before, "reads wrote audit entries");
}

async fn deletion_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    let path = format!("/api/v1/domains/{}", z.active);
    let c = h
        .case("DELETE /api/v1/domains/{domain_id}", ta, &path, None)
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("domain.delete", ta);
    assert_eq!(e["resource_id"], z.active.as_str());
    assert_eq!(e["details"]["before"]["status"], "active");
    assert_eq!(e["details"]["after"]["status"], "deleted");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/restore",
            ta,
            &format!("{path}/restore"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("domain.restore", ta);
    assert_eq!(e["details"]["before"]["status"], "deleted");
    assert_eq!(e["details"]["after"]["status"], "active");
    let c = h
        .call(ta, "DELETE", &format!("{path}?hard=true"), None)
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("domain.hard_delete", ta);
    assert_eq!(e["details"]["before"]["name"], "audit.test");
    assert_eq!(e["details"]["after"], Value::Null);
}
