//! Audit completeness (interface decision 21): every state-changing operation of the OpenAPI
//! document writes exactly its documented entries — right action, actor, tenant, resource,
//! before/after matching the change, request id, client address and user agent — and no read
//! writes any. [`CASES`] lists every POST/PUT/PATCH/DELETE of the document; a new endpoint
//! without a row fails `every_state_changing_endpoint_has_an_audit_case`, like the
//! authorization matrix does for authorization.
//!
//! Runs on PowerDNS (so DNSSEC can sign) with PowerDNS also playing the resolver that sees the
//! parent's DS, which lets `confirm-ds-published` succeed.

mod access;
mod cases;
mod pdns_compat;
mod platform_and_keys;
mod reads_and_deletions;
mod templates;
mod webhook_subscriptions;
mod zones;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use access::{access_control_cases, group_cases};
use cases::Audit::{Elsewhere, Nothing, Writes};
use cases::{CASES, spec_operations};
use pdns_compat::pdns_compat_cases;
use platform_and_keys::{api_key_cases, platform_cases};
use reads_and_deletions::{deletion_cases, nothing_cases, reads_write_nothing};
use templates::template_cases;
use webhook_subscriptions::webhook_cases;
use zones::{Zones, dnssec_cases, reverse_zone_cases, zone_cases};

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
        let resp =
            crate::util::send_with(&self.http, &self.app, &caller.key, method, path, body).await;
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
    reverse_zone_cases(&mut h, &ta, &p.tenant_id).await;
    template_cases(&mut h, &ta, &zones).await;
    webhook_cases(&mut h, &ta).await;
    access_control_cases(&mut h, &p, &ta, &ids, &zones).await;
    group_cases(&mut h, &ta, &ids).await;
    nothing_cases(&mut h, &ta, &zones).await;
    pdns_compat_cases(&mut h, &ta).await;
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
pub(super) struct Ids {
    pub(super) user: String,
}
