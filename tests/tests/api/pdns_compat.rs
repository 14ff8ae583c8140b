//! The PowerDNS-compatible API (`/api/v1/servers/localhost/…`) driven by real PowerDNS
//! clients, with ScaiDNS publishing to a live PowerDNS: octoDNS syncs a multi-type zone in and
//! then finds nothing to change, python-powerdns manages records, the audit log shows both,
//! and the rules hold as on the native API (another tenant's key sees no zone, a grant-limited
//! key stays inside its grant, a CNAME beside other data is 422, a stale `If-Match` is 412).

mod clients;
mod comments;

use reqwest::Method;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TenantUser, TestApp, TestBackend, TestOptions, spawn_app_with};
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::util::{call, ok};
use clients::{OctoDns, python_powerdns};

const ZONE: &str = "compat.test.";

const ZONE_PATH: &str = "/api/v1/servers/localhost/zones/compat.test.";

/// The zone octoDNS syncs: several types, one TTL of its own.
const OCTODNS_ZONE: &str = r#"---
'':
  - type: A
    values:
      - 192.0.2.1
      - 192.0.2.2
  - type: MX
    values:
      - exchange: mail.compat.test.
        preference: 10
  - type: TXT
    values:
      - v=spf1 -all
  - type: CAA
    value:
      flags: 0
      tag: issue
      value: letsencrypt.org
_sip._tcp:
  type: SRV
  value:
    port: 5060
    priority: 10
    target: sip.compat.test.
    weight: 20
mail:
  type: AAAA
  value: 2001:db8::25
sip:
  ttl: 600
  type: A
  value: 192.0.2.5
www:
  type: CNAME
  value: compat.test.
"#;

/// ScaiDNS publishing to a PowerDNS of its own.
async fn app_on_powerdns(pdns: &PdnsServer) -> TestApp {
    spawn_app_with(TestOptions {
        database_url: None,
        backend: TestBackend::PowerDns {
            api_url: pdns.api_url.clone(),
            api_key: pdns.api_key.clone(),
        },
    })
    .await
}

/// Lets the tenant's user create active zones (no ownership validation).
async fn may_skip_validation(app: &TestApp, tenant: &TenantUser) {
    ok(
        app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/roles/users/{}", tenant.user_id),
        json!({"role_name": "validation_bypass", "scope": "tenant", "scope_id": tenant.tenant_id}),
    )
    .await;
}

fn port_of(app: &TestApp) -> u16 {
    app.base_url.rsplit(':').next().unwrap().parse().unwrap()
}

/// `name type ttl [contents]` of every RRset of a PowerDNS zone object, SOA left out (its
/// serial is the backend's).
fn rrsets(zone: &Value) -> Vec<String> {
    let mut out: Vec<String> = zone["rrsets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] != "SOA")
        .map(|r| {
            let mut contents: Vec<&str> = r["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["content"].as_str().unwrap())
                .collect();
            contents.sort_unstable();
            format!(
                "{} {} {} {}",
                r["name"].as_str().unwrap(),
                r["type"].as_str().unwrap(),
                r["ttl"],
                contents.join(" | ")
            )
        })
        .collect();
    out.sort();
    out
}

/// The zone as PowerDNS itself serves it (what ScaiDNS published).
async fn published(pdns: &PdnsServer) -> Value {
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/servers/localhost/zones/{ZONE}",
            pdns.api_url
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// `(status, body)` of the zone through the compatible API.
async fn compat_zone(app: &TestApp, key: &str) -> (u16, Value) {
    call(app, key, Method::GET, ZONE_PATH, None).await
}

#[tokio::test]
async fn octodns_and_python_powerdns_manage_a_zone_through_the_compatible_api() {
    let pdns = PdnsServer::start().await;
    let app = app_on_powerdns(&pdns).await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let beta = app.tenant_with_user("beta").await;

    // First sync: the zone does not exist, so octoDNS's PATCH is 404 and it creates the zone.
    let octo = OctoDns::new(port_of(&app), &alpha.key, ZONE, OCTODNS_ZONE);
    let first = octo.sync().await;
    assert!(first.ok, "octodns-sync failed:\n{}", first.output);
    let (status, zone) = compat_zone(&app, &alpha.key).await;
    assert_eq!(status, 200, "{zone}");
    assert_eq!(zone["scaidns_status"], "active");
    let expected = vec![
        "_sip._tcp.compat.test. SRV 3600 10 20 5060 sip.compat.test.",
        "compat.test. A 3600 192.0.2.1 | 192.0.2.2",
        "compat.test. CAA 3600 0 issue \"letsencrypt.org\"",
        "compat.test. MX 3600 10 mail.compat.test.",
        "compat.test. TXT 3600 \"v=spf1 -all\"",
        "mail.compat.test. AAAA 3600 2001:db8::25",
        "sip.compat.test. A 600 192.0.2.5",
        "www.compat.test. CNAME 3600 compat.test.",
    ];
    let ours: Vec<String> = rrsets(&zone)
        .into_iter()
        .filter(|r| !r.starts_with("compat.test. NS "))
        .collect();
    assert_eq!(ours, expected);
    // Published: PowerDNS serves what ScaiDNS holds, platform NS included.
    assert_eq!(rrsets(&published(&pdns).await), rrsets(&zone));

    // Second sync: octoDNS reads back exactly what it wrote, so it changes nothing.
    let generation = zone["edited_serial"].as_i64().unwrap();
    let second = octo.sync().await;
    assert!(second.ok, "second octodns-sync failed:\n{}", second.output);
    assert!(
        second.output.contains("No changes were planned"),
        "the second sync planned changes:\n{}",
        second.output
    );
    let (_, again) = compat_zone(&app, &alpha.key).await;
    assert_eq!(again["edited_serial"].as_i64().unwrap(), generation);

    // A changed YAML is one PATCH: one generation step.
    octo.set_records(
        ZONE,
        &OCTODNS_ZONE.replace("value: 192.0.2.5", "value: 192.0.2.6"),
    );
    let third = octo.sync().await;
    assert!(third.ok, "third octodns-sync failed:\n{}", third.output);
    let (_, changed) = compat_zone(&app, &alpha.key).await;
    assert_eq!(changed["edited_serial"].as_i64().unwrap(), generation + 1);
    assert!(rrsets(&changed).contains(&"sip.compat.test. A 600 192.0.2.6".to_owned()));

    // python-powerdns: adds two RRsets and deletes one through the same API.
    let script = r#"
import json, sys, powerdns
api = powerdns.PDNSApiClient(api_endpoint=sys.argv[1], api_key=sys.argv[2])
server = powerdns.PDNSEndpoint(api).servers[0]
zone = server.get_zone(sys.argv[3])
if zone is None:
    print("NO ZONE")
    sys.exit(0)
zone.create_records([
    powerdns.RRSet('api', 'A', [('192.0.2.50', False), ('192.0.2.51', False)], ttl=300),
    powerdns.RRSet('note', 'TXT', ['"hello world"'], ttl=120),
])
zone.delete_records([powerdns.RRSet('mail', 'AAAA', [])])
print(json.dumps(zone.details['rrsets']))
"#;
    let ran = python_powerdns(script, &app.base_url, &alpha.key, &[ZONE]).await;
    assert!(ran.ok, "python-powerdns failed:\n{}", ran.output);
    let (_, after) = compat_zone(&app, &alpha.key).await;
    let after = rrsets(&after);
    assert!(after.contains(&"api.compat.test. A 300 192.0.2.50 | 192.0.2.51".to_owned()));
    assert!(after.contains(&"note.compat.test. TXT 120 \"hello world\"".to_owned()));
    assert!(
        !after
            .iter()
            .any(|r| r.starts_with("mail.compat.test. AAAA"))
    );
    assert_eq!(rrsets(&published(&pdns).await), after);

    // The audit log shows the clients' changes, by alpha's key, each with its request id.
    let (status, log) = call(
        &app,
        &app.admin_key,
        Method::GET,
        &format!(
            "/api/v1/admin/audit-logs?tenant_id={}&page_size=100",
            alpha.tenant_id
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let entries = log["data"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "domain.create",
        "records.bulk",
        "record.create",
        "record.delete",
    ] {
        assert!(actions.contains(&action), "no {action} in {actions:?}");
    }
    assert!(
        entries
            .iter()
            .filter(|e| e["action"] == "records.bulk")
            .all(|e| e["request_id"].is_string() && e["actor_type"] == "api_key"),
        "{log}"
    );

    // Another tenant's key: the zone does not exist for it, in every shape.
    let (status, body) = compat_zone(&app, &beta.key).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"error": "Could not find domain 'compat.test.'"})
        )
    );
    let patch = json!({"rrsets": [{"name": "x.compat.test.", "type": "A", "ttl": 60,
        "changetype": "REPLACE", "records": [{"content": "192.0.2.9", "disabled": false}]}]});
    assert_eq!(
        call(&app, &beta.key, Method::PATCH, ZONE_PATH, Some(patch))
            .await
            .0,
        404
    );
    assert_eq!(
        call(&app, &beta.key, Method::DELETE, ZONE_PATH, None)
            .await
            .0,
        404
    );
    let (status, list) = call(
        &app,
        &beta.key,
        Method::GET,
        "/api/v1/servers/localhost/zones",
        None,
    )
    .await;
    assert_eq!((status, list), (200, json!([])));
    let ran = python_powerdns(script, &app.base_url, &beta.key, &[ZONE]).await;
    assert!(ran.ok && ran.output.contains("NO ZONE"), "{}", ran.output);
    // Beta's octoDNS would create its own (pending) zone, never touch alpha's.
    let (_, still) = compat_zone(&app, &alpha.key).await;
    assert_eq!(rrsets(&still), after);
}

/// `PATCH` of one RRset.
fn replace(name: &str, rtype: &str, contents: &[&str]) -> Value {
    let records: Vec<Value> = contents
        .iter()
        .map(|c| json!({"content": c, "disabled": false}))
        .collect();
    json!({"rrsets": [{"name": name, "type": rtype, "ttl": 300, "changetype": "REPLACE",
        "records": records}]})
}

#[tokio::test]
async fn the_rules_grants_and_preconditions_hold_in_powerdns_shapes() {
    let pdns = PdnsServer::start().await;
    let app = app_on_powerdns(&pdns).await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let key = alpha.key.as_str();
    let (status, created) = call(
        &app,
        key,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": [],
            "rrsets": [{"name": "www.compat.test.", "type": "A", "ttl": 300,
                "records": [{"content": "192.0.2.1", "disabled": false}]}]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], ZONE);
    // The same name again: PowerDNS's 409.
    let (status, body) = call(
        &app,
        key,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": []})),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["error"].is_string());

    let (_, zone) = compat_zone(&app, key).await;
    let generation = zone["edited_serial"].as_i64().unwrap();
    let before = rrsets(&zone);

    // A CNAME beside an A: PowerDNS would take it here, ScaiDNS's rules do not.
    let (status, body) = call(
        &app,
        key,
        Method::PATCH,
        ZONE_PATH,
        Some(replace("www.compat.test.", "CNAME", &["compat.test."])),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("CNAME"), "{body}");

    // What PowerDNS itself refuses: 422 with its kind of message, nothing applied.
    for (bad, says) in [
        (
            replace("www.elsewhere.test.", "A", &["192.0.2.1"]),
            "outside the zone",
        ),
        (
            replace("compat.test.", "SOA", &["a. b. 1 2 3 4 5"]),
            "managed by the platform",
        ),
        (
            replace("compat.test.", "NS", &["ns.elsewhere.test."]),
            "managed by the platform",
        ),
        (
            replace("x.compat.test.", "A", &["192.0.2.1", "192.0.2.1"]),
            "Duplicate",
        ),
        (
            replace("x.compat.test.", "A", &["not-an-address"]),
            "x.compat.test.",
        ),
        (
            json!({"rrsets": [{"name": "x.compat.test.", "type": "A", "ttl": 60,
                "changetype": "EXTEND", "records": [{"content": "192.0.2.1"}]}]}),
            "not supported",
        ),
        (
            json!({"rrsets": [{"name": "x.compat.test.", "type": "A", "changetype": "REPLACE"}]}),
            "No change",
        ),
    ] {
        let (status, body) = call(&app, key, Method::PATCH, ZONE_PATH, Some(bad.clone())).await;
        assert_eq!(status, 422, "{bad}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(says), "{bad}: {error}");
    }

    // A stale If-Match: 412, nothing changes; the current ETag applies.
    let stale = reqwest::Client::new()
        .patch(app.url(ZONE_PATH))
        .header("X-API-Key", key)
        .header("If-Match", format!("\"{}\"", generation - 1))
        .json(&replace("new.compat.test.", "A", &["192.0.2.7"]))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let body: Value = stale.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    let (_, zone) = compat_zone(&app, key).await;
    assert_eq!(zone["edited_serial"].as_i64().unwrap(), generation);
    assert_eq!(rrsets(&zone), before);
    let fresh = reqwest::Client::new()
        .patch(app.url(ZONE_PATH))
        .header("X-API-Key", key)
        .header("If-Match", format!("\"{generation}\""))
        .json(&replace("new.compat.test.", "A", &["192.0.2.7"]))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 204);

    // A grant-limited key: its names only, and a name outside its grant is 422 even when
    // there is nothing there to remove.
    let zone_id = {
        let (_, list) = call(&app, key, Method::GET, "/api/v1/domains", None).await;
        list["data"][0]["id"].as_str().unwrap().to_owned()
    };
    let (user, narrow) = user_without_role(&app, "grantee@alpha.test", &alpha.tenant_id).await;
    crate::grants::grant_user(
        &app,
        key,
        &zone_id,
        &user,
        json!({"role": "record_editor", "record_pattern": "*.dev", "record_types": ["A"]}),
    )
    .await;
    let (status, body) = call(
        &app,
        &narrow,
        Method::PATCH,
        ZONE_PATH,
        Some(replace("api.dev.compat.test.", "A", &["192.0.2.30"])),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    for outside in [
        replace("www.compat.test.", "A", &["192.0.2.99"]),
        replace("api.dev.compat.test.", "TXT", &["\"x\""]),
        json!({"rrsets": [{"name": "www.compat.test.", "type": "A", "changetype": "DELETE"}]}),
        json!({"rrsets": [{"name": "nothing.compat.test.", "type": "A", "changetype": "DELETE"}]}),
        // Comments only are a change of the RRset, outside its grant.
        json!({"rrsets": [{"name": "www.compat.test.", "type": "A", "changetype": "REPLACE",
            "comments": [{"content": "mine now", "account": "x"}]}]}),
    ] {
        let (status, body) = call(
            &app,
            &narrow,
            Method::PATCH,
            ZONE_PATH,
            Some(outside.clone()),
        )
        .await;
        assert_eq!(status, 422, "{outside}: {body}");
    }
    // The owner's comments-only change: accepted, the records stay.
    let (status, body) = call(
        &app,
        key,
        Method::PATCH,
        ZONE_PATH,
        Some(json!({"rrsets": [{"name": "www.compat.test.", "type": "A",
            "changetype": "REPLACE", "comments": [{"content": "web", "account": "ops"}]}]})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    // It reads only its records, and may not replace the whole zone.
    let (_, seen) = compat_zone(&app, &narrow).await;
    let seen: Vec<String> = rrsets(&seen)
        .into_iter()
        .filter(|r| !r.starts_with("compat.test. NS"))
        .collect();
    assert_eq!(seen, vec!["api.dev.compat.test. A 300 192.0.2.30"]);
    let (status, _) = call(
        &app,
        &narrow,
        Method::PUT,
        ZONE_PATH,
        Some(json!({"rrsets": []})),
    )
    .await;
    assert_eq!(status, 422);
    let (_, zone) = compat_zone(&app, key).await;
    assert!(rrsets(&zone).contains(&"www.compat.test. A 300 192.0.2.1".to_owned()));

    // PUT with rrsets: the whole content (SOA sent as PowerDNS requires, and left to the
    // platform).
    let (status, body) = call(
        &app,
        key,
        Method::PUT,
        ZONE_PATH,
        Some(json!({"rrsets": [
            {"name": ZONE, "type": "SOA", "ttl": 3600,
             "records": [{"content": "a.b. c.d. 1 2 3 4 5", "disabled": false}]},
            {"name": "only.compat.test.", "type": "A", "ttl": 60,
             "records": [{"content": "192.0.2.40", "disabled": false}]}]})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, zone) = compat_zone(&app, key).await;
    let ours: Vec<String> = rrsets(&zone)
        .into_iter()
        .filter(|r| !r.starts_with("compat.test. NS"))
        .collect();
    assert_eq!(ours, vec!["only.compat.test. A 60 192.0.2.40"]);
    assert_eq!(rrsets(&published(&pdns).await), rrsets(&zone));

    // Export, notify, metadata and server reads clients make.
    let export = app
        .http
        .get(app.url(&format!("{ZONE_PATH}/export")))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(export.text().await.unwrap().contains("192.0.2.40"));
    let (status, body) = call(&app, key, Method::PUT, &format!("{ZONE_PATH}/notify"), None).await;
    assert_eq!(
        (status, body),
        (200, json!({"result": "Notification queued"}))
    );
    let (status, body) = call(
        &app,
        key,
        Method::GET,
        &format!("{ZONE_PATH}/metadata"),
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!([])));
    let (status, body) = call(&app, key, Method::GET, "/api/v1/servers/localhost", None).await;
    assert_eq!(status, 200);
    assert!(body["version"].as_str().unwrap().starts_with("4.7.0"));

    // Errors in PowerDNS's shape: no key, unknown server, unparsable body.
    let resp = app
        .http
        .get(app.url("/api/v1/servers/localhost/zones"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.json::<Value>().await.unwrap()["error"].is_string());
    let (status, body) = call(&app, key, Method::GET, "/api/v1/servers/other", None).await;
    assert_eq!((status, body["error"].is_string()), (404, true));
    let resp = app
        .http
        .patch(app.url(ZONE_PATH))
        .header("X-API-Key", key)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.json::<Value>().await.unwrap()["error"].is_string());

    // Delete: 204, then unknown.
    assert_eq!(
        call(&app, key, Method::DELETE, ZONE_PATH, None).await.0,
        204
    );
    assert_eq!(compat_zone(&app, key).await.0, 404);
}

/// A key that may create zones and records but not delete zones.
async fn creating_key(app: &TestApp, owner_key: &str) -> String {
    let (status, key) = call(
        app,
        owner_key,
        Method::POST,
        "/api/v1/api-keys",
        Some(
            json!({"name": "creator", "scopes": ["domains:read", "domains:create",
            "records:read", "records:create", "records:update"]}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{key}");
    key["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_refused_creation_leaves_no_zone_big_bodies_are_413_and_shared_names_are_never_guessed() {
    let app = scaidns_tests::spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    may_skip_validation(&app, &alpha).await;
    let creator = creating_key(&app, &alpha.key).await;

    // RRsets the rules refuse (a CNAME beside an A): 422, and the zone created for them is
    // gone again, though the key may not delete zones.
    let (status, body) = call(
        &app,
        &creator,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(
            json!({"name": ZONE, "kind": "Native", "nameservers": [], "rrsets": [
            {"name": "www.compat.test.", "type": "A", "ttl": 300,
             "records": [{"content": "192.0.2.1", "disabled": false}]},
            {"name": "www.compat.test.", "type": "CNAME", "ttl": 300,
             "records": [{"content": "compat.test.", "disabled": false}]}]}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        !body["error"]
            .as_str()
            .unwrap()
            .contains("could not be removed"),
        "{body}"
    );
    assert_eq!(compat_zone(&app, &alpha.key).await.0, 404);
    let (_, list) = call(
        &app,
        &app.admin_key,
        Method::GET,
        "/api/v1/domains?include_deleted=true",
        None,
    )
    .await;
    assert_eq!(list["data"], json!([]), "{list}");
    // The name is free again.
    let (status, body) = call(
        &app,
        &creator,
        Method::POST,
        "/api/v1/servers/localhost/zones",
        Some(json!({"name": ZONE, "kind": "Native", "nameservers": []})),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // More records than a bulk request may carry: 413 before anything is read or written.
    let records: Vec<Value> = (0..10_001)
        .map(|i| json!({"content": format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)}))
        .collect();
    let (status, body) = call(
        &app,
        &creator,
        Method::PATCH,
        ZONE_PATH,
        Some(
            json!({"rrsets": [{"name": "big.compat.test.", "type": "A", "ttl": 60,
            "changetype": "REPLACE", "records": records}]}),
        ),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("BULK_MAX_ITEMS"),
        "{body}"
    );
    // A body over the request-size limit: 413 in PowerDNS's shape too.
    let huge = format!(
        r#"{{"rrsets": [], "pad": "{}"}}"#,
        "x".repeat(5 * 1024 * 1024)
    );
    let resp = app
        .http
        .patch(app.url(ZONE_PATH))
        .header("X-API-Key", &creator)
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");

    // Two other tenants hold the same name, neither active: the platform key that sees both
    // gets 409, never one of them picked at random, nor a 404 as if there were none.
    for slug in ["beta", "gamma"] {
        let tenant = app.tenant_with_user(slug).await;
        let (status, body) = call(
            &app,
            &tenant.key,
            Method::POST,
            "/api/v1/servers/localhost/zones",
            Some(json!({"name": "shared.test.", "kind": "Native", "nameservers": []})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["scaidns_status"], "pending_validation", "{body}");
    }
    let (status, body) = call(
        &app,
        &app.admin_key,
        Method::GET,
        "/api/v1/servers/localhost/zones/shared.test.",
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("several tenants"),
        "{body}"
    );
}
