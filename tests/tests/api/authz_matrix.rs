//! The authorization matrix (DESIGN.md 16): every endpoint × every kind of caller, own tenant
//! and foreign tenant, with the expected status, driven by one table. Rows that change state
//! list only callers that are refused (or whose allowed call is harmless), so the table can run
//! in one pass. Two golden files come with it: `docs/permissions-matrix.txt` (role ×
//! permission) and `tests/golden/uncovered-authz-endpoints.txt` (endpoints of the OpenAPI
//! document with no row here — kept empty). Regenerate with `EXPECTORATE=overwrite`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use scaidns_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Callers of the matrix.
const ACTORS: &[&str] = &["P", "TA", "DA", "DM", "RE", "RO", "NR", "FA"];

/// What each caller is.
const LEGEND: &str = "P platform admin · TA tenant_admin of tenant A · DA/DM/RE/RO \
     domain_admin/domain_manager/record_editor/read_only on zone A · NR user of tenant A with no \
     role · FA tenant_admin of tenant B (foreign)";

/// One row: method, path (with `{placeholders}`), body, expected status per caller.
type Row = (&'static str, &'static str, Option<Value>, &'static str);

fn rows() -> Vec<Row> {
    let all200 = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=200 FA=200";
    let zone_read = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404";
    let tenant_admin_only = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200";
    let platform_only = "P=200 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403";
    vec![
        ("GET", "/api/v1/health/live", None, all200),
        ("GET", "/api/v1/health/ready", None, all200),
        ("GET", "/api/v1/auth/me", None, all200),
        ("GET", "/api/v1/me", None, all200),
        // Zones.
        ("GET", "/api/v1/domains", None, all200),
        ("GET", "/api/v1/domains/types", None, all200),
        ("GET", "/api/v1/domains/{zone}", None, zone_read),
        (
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "new.alpha.test"})),
            "DA=403 DM=403 RE=403 RO=403 NR=403",
        ),
        (
            "PATCH",
            "/api/v1/domains/{zone}",
            Some(json!({"description": "matrix"})),
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/domains/{zone}",
            None,
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/restore",
            None,
            "P=409 TA=409 DA=409 DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        // Records.
        ("GET", "/api/v1/domains/{zone}/records", None, zone_read),
        (
            "GET",
            "/api/v1/domains/{zone}/records/{record}",
            None,
            zone_read,
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/records",
            Some(json!({"name": "matrix", "type": "TXT", "content": "m"})),
            "RE=201 RO=403 NR=404 FA=404",
        ),
        (
            "PATCH",
            "/api/v1/domains/{zone}/records/{record}",
            Some(json!({"ttl": 600})),
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/domains/{zone}/records/{record}",
            None,
            "RE=403 RO=403 NR=404 FA=404",
        ),
        // Validation (on a pending zone of tenant A that only P and TA reach).
        (
            "GET",
            "/api/v1/domains/{pending}/validation",
            None,
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{pending}/validation",
            Some(json!({})),
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{pending}/validation/check",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/domains/{pending}/validation",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        // DNSSEC.
        ("GET", "/api/v1/domains/{zone}/dnssec", None, zone_read),
        (
            "POST",
            "/api/v1/domains/{zone}/dnssec/enable",
            Some(json!({})),
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/dnssec/disable",
            None,
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/dnssec/rotate-zsk",
            None,
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/dnssec/rotate-ksk",
            None,
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/dnssec/confirm-ds-published",
            Some(json!({})),
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        // Access grants.
        (
            "GET",
            "/api/v1/domains/{zone}/access-grants",
            None,
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=200 NR=404 FA=404",
        ),
        (
            "GET",
            "/api/v1/domains/{zone}/access-grants/{grant}",
            None,
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=200 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/domains/{zone}/access-grants",
            Some(json!({"grant_type": "user", "grantee_id": "{nr_user}", "role": "read_only"})),
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "PATCH",
            "/api/v1/domains/{zone}/access-grants/{grant}",
            Some(json!({"notes": "matrix"})),
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/domains/{zone}/access-grants/{grant}",
            None,
            "DM=403 RE=403 RO=403 NR=404 FA=404",
        ),
        // Roles.
        ("GET", "/api/v1/roles", None, tenant_admin_only),
        ("GET", "/api/v1/roles/permissions", None, all200),
        ("GET", "/api/v1/roles/{role}", None, tenant_admin_only),
        (
            "POST",
            "/api/v1/roles",
            Some(json!({"name": "matrix", "permissions": ["records:read"]})),
            "DA=403 DM=403 RE=403 RO=403 NR=403",
        ),
        (
            "PATCH",
            "/api/v1/roles/{role}",
            Some(json!({"description": "x"})),
            "P=403 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403",
        ),
        (
            "DELETE",
            "/api/v1/roles/{role}",
            None,
            "P=403 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403",
        ),
        (
            "GET",
            "/api/v1/roles/users/{nr_user}",
            None,
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "POST",
            "/api/v1/roles/users/{nr_user}",
            Some(json!({"role_name": "read_only", "scope": "tenant", "scope_id": "{tenant}"})),
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/roles/users/{ro_user}/assignments/{assignment}",
            None,
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "GET",
            "/api/v1/roles/users/{nr_user}/permissions",
            None,
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=200 FA=404",
        ),
        (
            "GET",
            "/api/v1/roles/groups/{group}",
            None,
            "P=404 TA=404 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/roles/groups/{group}",
            Some(json!({"role_name": "read_only", "scope": "tenant", "scope_id": "{tenant}"})),
            "P=404 TA=404 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/roles/groups/{group}/assignments/{assignment}",
            None,
            "P=404 TA=404 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/me/permissions/check",
            Some(json!({"permission": "records:read", "domain_id": "{zone}"})),
            all200,
        ),
        // Audit log.
        ("GET", "/api/v1/admin/audit-logs", None, tenant_admin_only),
        (
            "GET",
            "/api/v1/admin/audit-logs?tenant_id={tenant}",
            None,
            platform_only,
        ),
        (
            "GET",
            "/api/v1/admin/audit-logs/{log}",
            None,
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        // Groups (of tenant A; mutating rows list only the refused callers).
        ("GET", "/api/v1/admin/groups", None, tenant_admin_only),
        (
            "POST",
            "/api/v1/admin/groups",
            Some(json!({"name": "matrix-group"})),
            "DA=403 DM=403 RE=403 RO=403 NR=403",
        ),
        (
            "GET",
            "/api/v1/admin/groups/{agroup}",
            None,
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "PATCH",
            "/api/v1/admin/groups/{agroup}",
            Some(json!({"description": "matrix"})),
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "GET",
            "/api/v1/admin/groups/{agroup}/members",
            None,
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "POST",
            "/api/v1/admin/groups/{agroup}/members",
            Some(json!({"user_id": "{nr_user}"})),
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/admin/groups/{agroup}/members/{nr_user}",
            None,
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/admin/groups/{agroup}",
            None,
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=404",
        ),
        // Platform administration.
        ("GET", "/api/v1/admin/tenants", None, platform_only),
        ("GET", "/api/v1/admin/tenants/{tenant}", None, platform_only),
        (
            "POST",
            "/api/v1/admin/tenants",
            Some(json!({"name": "m", "slug": "matrix"})),
            "TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403",
        ),
        ("GET", "/api/v1/admin/users", None, tenant_admin_only),
        (
            "POST",
            "/api/v1/admin/users",
            Some(json!({"email": "new@alpha.test", "tenant_id": "{tenant}"})),
            "DA=403 DM=403 RE=403 RO=403 NR=403 FA=403",
        ),
        ("GET", "/api/v1/admin/nameservers", None, platform_only),
        (
            "PUT",
            "/api/v1/admin/nameservers",
            Some(json!({"nameservers": ["ns1.example.net", "ns2.example.net"]})),
            "TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403",
        ),
        // API keys: everyone manages its own; another user's key is invisible.
        ("GET", "/api/v1/api-keys", None, all200),
        (
            "GET",
            "/api/v1/api-keys/{key}",
            None,
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/api-keys",
            Some(json!({"name": "m", "permission_source_id": "{nr_user}"})),
            // Another tenant's admin is told what an unknown id gets: no such user.
            "TA=201 DA=403 DM=403 RE=403 RO=403 FA=422",
        ),
        (
            "POST",
            "/api/v1/api-keys/{key}/revoke",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/api-keys/{key}/activate",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "POST",
            "/api/v1/api-keys/{key}/regenerate",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
        (
            "DELETE",
            "/api/v1/api-keys/{key}",
            None,
            "DA=404 DM=404 RE=404 RO=404 NR=404 FA=404",
        ),
    ]
}

/// Endpoints that need no authorization: public, or login flows that take no credentials.
const PUBLIC: &[&str] = &[
    "GET /api/v1/auth/config",
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    // Authenticated by its HMAC signature instead (tests/tests/api/webhooks.rs).
    "POST /api/v1/webhooks/scaikey",
];

struct World {
    keys: HashMap<&'static str, String>,
    vars: HashMap<&'static str, String>,
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> Value {
    let r = app
        .http
        .post(app.url(path))
        .header("x-api-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// A user of `tenant` with an API key.
async fn user_with_key(app: &TestApp, email: &str, tenant: &str) -> (String, String) {
    let user = post(
        app,
        &app.admin_key,
        "/api/v1/admin/users",
        json!({"email": email, "tenant_id": tenant}),
    )
    .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let key = post(
        app,
        &app.admin_key,
        "/api/v1/api-keys",
        json!({"name": "k", "permission_source_id": id}),
    )
    .await;
    (id, key["key"].as_str().unwrap().to_owned())
}

async fn world(app: &TestApp) -> World {
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let p = app.admin_key.clone();
    // Tenant A's admin may skip validation, so its zone is active at once.
    post(
        app,
        &p,
        &format!("/api/v1/roles/users/{}", alpha.user_id),
        json!({"role_name": "validation_bypass", "scope": "tenant", "scope_id": alpha.tenant_id}),
    )
    .await;
    let zone = post(
        app,
        &alpha.key,
        "/api/v1/domains",
        json!({"name": "alpha.test"}),
    )
    .await;
    let zone = zone["id"].as_str().unwrap().to_owned();
    let pending = post(
        app,
        &alpha.key,
        "/api/v1/domains",
        json!({"name": "pending-alpha.test", "skip_validation": false}),
    )
    .await;
    let record = post(
        app,
        &alpha.key,
        &format!("/api/v1/domains/{zone}/records"),
        json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
    )
    .await;
    let mut keys = HashMap::from([
        ("P", p.clone()),
        ("TA", alpha.key.clone()),
        ("FA", beta.key),
    ]);
    let mut vars = HashMap::new();
    for (actor, role, email) in [
        ("DA", "domain_admin", "da@alpha.test"),
        ("DM", "domain_manager", "dm@alpha.test"),
        ("RE", "record_editor", "re@alpha.test"),
        ("RO", "read_only", "ro@alpha.test"),
    ] {
        let (user, key) = user_with_key(app, email, &alpha.tenant_id).await;
        let a = post(
            app,
            &p,
            &format!("/api/v1/roles/users/{user}"),
            json!({"role_name": role, "scope": "domain", "scope_id": zone}),
        )
        .await;
        keys.insert(actor, key);
        if actor == "RO" {
            vars.insert("ro_user", user);
            vars.insert("assignment", a["id"].as_str().unwrap().to_owned());
        }
    }
    let (nr_user, nr_key) = user_with_key(app, "nr@alpha.test", &alpha.tenant_id).await;
    keys.insert("NR", nr_key);
    let grant = post(
        app,
        &alpha.key,
        &format!("/api/v1/domains/{zone}/access-grants"),
        json!({"grant_type": "user", "grantee_id": vars["ro_user"], "role": "read_only",
               "record_pattern": "*.dev"}),
    )
    .await;
    let agroup = post(
        app,
        &alpha.key,
        "/api/v1/admin/groups",
        json!({"name": "alpha-ops"}),
    )
    .await;
    let logs: Value = app
        .http
        .get(app.url("/api/v1/admin/audit-logs?action=domain.create"))
        .header("x-api-key", &alpha.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    vars.extend([
        ("zone", zone),
        ("pending", pending["id"].as_str().unwrap().to_owned()),
        ("record", record["id"].as_str().unwrap().to_owned()),
        ("tenant", alpha.tenant_id.clone()),
        ("nr_user", nr_user),
        ("role", "00000000-0000-0000-0000-000000000006".to_owned()),
        ("group", "00000000-0000-7000-8000-000000000000".to_owned()),
        ("agroup", agroup["id"].as_str().unwrap().to_owned()),
        ("grant", grant["id"].as_str().unwrap().to_owned()),
        ("key", alpha.key_id.clone()),
        ("log", logs["data"][0]["id"].as_str().unwrap().to_owned()),
    ]);
    World { keys, vars }
}

fn fill(text: &str, vars: &HashMap<&'static str, String>) -> String {
    vars.iter().fold(text.to_owned(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

#[tokio::test]
async fn every_endpoint_refuses_or_allows_as_the_table_says() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut failures = Vec::new();
    for (method, path, body, cells) in rows() {
        for cell in cells.split_whitespace() {
            let (actor, want) = cell.split_once('=').unwrap();
            let want: u16 = want.parse().unwrap();
            let url = app.url(&fill(path, &w.vars));
            let mut req = app
                .http
                .request(method.parse().unwrap(), url)
                .header("x-api-key", &w.keys[actor]);
            if let Some(b) = &body {
                let b: Value = serde_json::from_str(&fill(&b.to_string(), &w.vars)).unwrap();
                req = req.json(&b);
            }
            let got = req.send().await.unwrap().status().as_u16();
            if got != want {
                failures.push(format!(
                    "{method} {path} as {actor}: got {got}, want {want}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.stop().await;
}

fn golden(relative: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{relative} is out of date; regenerate with EXPECTORATE=overwrite cargo test -p scaidns-tests --test api authz_matrix"
    );
}

#[test]
fn every_endpoint_has_an_authorization_row() {
    let spec: Value = serde_json::from_str(&scaidns_server::spec_json()).unwrap();
    let covered: BTreeSet<String> = rows()
        .iter()
        .map(|(m, p, _, _)| format!("{m} {}", template(p)))
        .chain(PUBLIC.iter().map(|s| (*s).to_owned()))
        .collect();
    let mut out = String::from(
        "# Endpoints of openapi/scaidns.json with no row in tests/tests/api/authz_matrix.rs\n",
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let key = format!("{} {path}", method.to_uppercase());
            if !covered.contains(&key) {
                out.push_str(&key);
                out.push('\n');
            }
        }
    }
    golden("../tests/golden/uncovered-authz-endpoints.txt", &out);
}

/// `/api/v1/domains/{zone}/records?x=1` → `/api/v1/domains/{domain_id}/records`, as the spec
/// names path parameters.
fn template(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let names = [
        ("{zone}", "{domain_id}"),
        ("{pending}", "{domain_id}"),
        ("{record}", "{record_id}"),
        ("{grant}", "{grant_id}"),
        ("{role}", "{role_id}"),
        ("{nr_user}", "{user_id}"),
        ("{ro_user}", "{user_id}"),
        ("{group}", "{group_id}"),
        ("{agroup}", "{group_id}"),
        ("{assignment}", "{assignment_id}"),
        ("{key}", "{key_id}"),
        ("{log}", "{log_id}"),
        ("{tenant}", "{tenant_id}"),
    ];
    names
        .iter()
        .fold(path.to_owned(), |p, (from, to)| p.replace(from, to))
}

#[test]
fn role_permission_matrix_is_as_committed() {
    use scaidns_core::rbac::{Permission, SYSTEM_ROLES};
    let mut out = String::from(
        "# System roles × permissions (x = granted). Regenerate: EXPECTORATE=overwrite cargo test -p scaidns-tests --test api authz_matrix\n",
    );
    let width = Permission::all()
        .map(|p| p.as_str().len())
        .max()
        .unwrap_or(0);
    out.push_str(&format!("{:width$}", ""));
    for (i, _) in SYSTEM_ROLES.iter().enumerate() {
        out.push_str(&format!(" {}", i + 1));
    }
    out.push('\n');
    for p in Permission::all() {
        out.push_str(&format!("{:width$}", p.as_str()));
        for role in SYSTEM_ROLES {
            let mark = if role.perm_set().contains(p) {
                "x"
            } else {
                "."
            };
            out.push_str(&format!(" {mark}"));
        }
        out.push('\n');
    }
    out.push_str("\nRoles:\n");
    for (i, role) in SYSTEM_ROLES.iter().enumerate() {
        out.push_str(&format!("{} {} — {}\n", i + 1, role.name, role.description));
    }
    out.push_str(&format!("\nMatrix test callers: {LEGEND}\n"));
    let _ = ACTORS;
    golden("../docs/permissions-matrix.txt", &out);
}
