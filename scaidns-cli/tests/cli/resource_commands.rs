//! One test per command group of the admin surface (issue 11 item 8) against a running server:
//! `tenants`, `groups`, `roles`, `grants`, `api-keys`, `nameservers`, `authoritative-domains`
//! `whoami`, and the `records`/`validation` operations added with them; each also checks that another tenant's key cannot reach what it changes.

use scaidns_client::types::UserCreateRequest;
use scaidns_tests::{TenantUser, TestApp, spawn_app};
use serde_json::Value;

use crate::common::{code, run, stdout};

async fn ok_as(app: &TestApp, key: &str, args: &[&str]) -> String {
    let out = run(app, key, args).await;
    assert_eq!(
        code(&out),
        0,
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

async fn json_as(app: &TestApp, key: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok_as(app, key, &all).await).expect("JSON on stdout")
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    json_as(app, &app.admin_key, args).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// A user of `tenant` with no role (test setup through the API, not under test).
async fn plain_user(app: &TestApp, tenant: &TenantUser, email: &str) -> String {
    app.client
        .user_create(&UserCreateRequest {
            display_name: None,
            email: email.to_owned(),
            first_name: None,
            last_name: None,
            password: None,
            tenant_id: Some(tenant.tenant_id.clone()),
        })
        .await
        .expect("user_create")
        .into_inner()
        .id
}

#[tokio::test]
async fn tenants_list_show_and_create() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;

    let created = json(
        &app,
        &[
            "tenants",
            "create",
            "--name",
            "Beta B.V.",
            "--slug",
            "beta",
            "--settings",
            r#"{"tier":"gold"}"#,
        ],
    )
    .await;
    assert_eq!(
        (&created["slug"], &created["settings"]["tier"]),
        (&Value::from("beta"), &Value::from("gold"))
    );
    let shown = ok_as(&app, &app.admin_key, &["tenants", "show", &id(&created)]).await;
    assert!(
        shown.starts_with("ID") && shown.contains("Beta B.V."),
        "{shown}"
    );
    let found = json(&app, &["tenants", "list", "--search", "beta"]).await;
    let slugs: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, vec!["beta"]);
    let all = json(&app, &["tenants", "list"]).await;
    assert!(all["total"].as_u64().unwrap() >= 3, "{all}");

    let again = run(
        &app,
        &app.admin_key,
        &["tenants", "create", "--name", "Beta", "--slug", "beta"],
    )
    .await;
    assert_eq!(code(&again), 5, "a taken slug is a conflict");
    let not_json = run(
        &app,
        &app.admin_key,
        &[
            "tenants",
            "create",
            "--name",
            "G",
            "--slug",
            "g",
            "--settings",
            "[1]",
        ],
    )
    .await;
    assert_eq!(code(&not_json), 5);
    let bad_status = run(&app, &app.admin_key, &["tenants", "list", "--status", "x"]).await;
    assert_eq!(code(&bad_status), 5);
    // A tenant admin sees no tenant list and creates no tenant.
    assert_eq!(code(&run(&app, &alpha.key, &["tenants", "list"]).await), 4);
    assert_eq!(
        code(
            &run(
                &app,
                &alpha.key,
                &["tenants", "create", "--name", "X", "--slug", "x"]
            )
            .await
        ),
        4
    );
}

#[tokio::test]
async fn groups_and_their_members() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let member = plain_user(&app, &alpha, "member@alpha.test").await;

    let group = json_as(
        &app,
        &alpha.key,
        &[
            "groups",
            "create",
            "--name",
            "editors",
            "--description",
            "Zone editors",
        ],
    )
    .await;
    let gid = id(&group);
    assert_eq!(group["tenant_id"], Value::from(alpha.tenant_id.clone()));
    let updated = json_as(
        &app,
        &alpha.key,
        &["groups", "update", &gid, "--name", "dns-editors"],
    )
    .await;
    assert_eq!(updated["name"], "dns-editors");
    let table = ok_as(&app, &alpha.key, &["groups", "list"]).await;
    assert!(
        table.starts_with("ID") && table.contains("dns-editors"),
        "{table}"
    );

    let added = json_as(
        &app,
        &alpha.key,
        &["groups", "members", "add", &gid, &member],
    )
    .await;
    assert_eq!(added["user_ids"], Value::from(vec![member.clone()]));
    let listed = ok_as(&app, &alpha.key, &["groups", "members", "list", &gid]).await;
    assert!(listed.contains(&member), "{listed}");

    // Another tenant's admin neither sees nor changes the group.
    let foreign = run(&app, &beta.key, &["groups", "show", &gid]).await;
    assert!(matches!(code(&foreign), 3 | 4), "{}", code(&foreign));
    let foreign = run(
        &app,
        &beta.key,
        &["groups", "members", "remove", &gid, &member],
    )
    .await;
    assert!(matches!(code(&foreign), 3 | 4));
    let beta_groups = json_as(&app, &beta.key, &["groups", "list"]).await;
    assert!(!beta_groups.to_string().contains(&gid), "{beta_groups}");

    let left = json_as(
        &app,
        &alpha.key,
        &["groups", "members", "remove", &gid, &member],
    )
    .await;
    assert_eq!(left["user_ids"], Value::Array(vec![]));
    ok_as(&app, &alpha.key, &["groups", "delete", &gid]).await;
    assert_eq!(
        code(&run(&app, &alpha.key, &["groups", "show", &gid]).await),
        3
    );
}

#[tokio::test]
async fn roles_assignments_and_effective_permissions() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let user = plain_user(&app, &alpha, "ops@alpha.test").await;

    let catalogue = json_as(&app, &alpha.key, &["roles", "permissions"]).await;
    let permission = catalogue["data"][0]["permission"]
        .as_str()
        .expect("a permission")
        .to_owned();
    let role = json_as(
        &app,
        &alpha.key,
        &[
            "roles",
            "create",
            "--name",
            "auditor",
            "--permission",
            &permission,
        ],
    )
    .await;
    let rid = id(&role);
    assert_eq!(role["permissions"], Value::from(vec![permission.clone()]));
    let table = ok_as(&app, &alpha.key, &["roles", "list"]).await;
    assert!(
        table.contains("auditor") && table.contains("system"),
        "{table}"
    );
    let renamed = json_as(
        &app,
        &alpha.key,
        &["roles", "update", &rid, "--description", "reads"],
    )
    .await;
    assert_eq!(
        (&renamed["description"], &renamed["permissions"]),
        (
            &Value::from("reads"),
            &Value::from(vec![permission.clone()])
        )
    );

    let alpha_zone = json_as(&app, &alpha.key, &["domains", "create", "alpha-roles.test"]).await;
    let assignment = json_as(
        &app,
        &alpha.key,
        &[
            "roles",
            "assign",
            "--user",
            &user,
            "auditor",
            "--scope",
            "domain",
            "--zone",
            "alpha-roles.test",
        ],
    )
    .await;
    assert_eq!(
        (&assignment["scope"], &assignment["scope_id"]),
        (&Value::from("domain"), &alpha_zone["id"])
    );
    let aid = id(&assignment);
    let listed = json_as(&app, &alpha.key, &["roles", "assignments", "--user", &user]).await;
    assert_eq!(listed["total"], 1, "{listed}");
    let effective = json_as(&app, &alpha.key, &["roles", "effective", &user]).await;
    assert!(
        effective["assignments"][0]["permissions"]
            .as_array()
            .unwrap()
            .contains(&Value::from(permission.clone())),
        "{effective}"
    );
    let text = ok_as(&app, &alpha.key, &["roles", "effective", &user]).await;
    assert!(
        text.starts_with("FROM") && text.contains("auditor (domain)"),
        "{text}"
    );

    // Usage mistakes are refused before anything is sent.
    let no_zone = run(
        &app,
        &alpha.key,
        &[
            "roles", "assign", "--user", &user, "auditor", "--scope", "domain",
        ],
    )
    .await;
    assert_eq!(code(&no_zone), 5);
    let both = run(
        &app,
        &alpha.key,
        &["roles", "assignments", "--user", &user, "--group", &user],
    )
    .await;
    assert_eq!(code(&both), 2);
    // Another tenant cannot revoke alpha's assignment nor read alpha's user.
    let foreign = run(&app, &beta.key, &["roles", "revoke", "--user", &user, &aid]).await;
    assert!(matches!(code(&foreign), 3 | 4));
    let foreign = run(&app, &beta.key, &["roles", "effective", &user]).await;
    assert!(matches!(code(&foreign), 3 | 4));

    ok_as(
        &app,
        &alpha.key,
        &["roles", "revoke", "--user", &user, &aid],
    )
    .await;
    let listed = json_as(&app, &alpha.key, &["roles", "assignments", "--user", &user]).await;
    assert_eq!(listed["total"], 0, "{listed}");
    ok_as(&app, &alpha.key, &["roles", "delete", &rid]).await;
    assert_eq!(
        code(&run(&app, &alpha.key, &["roles", "show", &rid]).await),
        3
    );
}

#[tokio::test]
async fn grants_on_a_zone_by_name() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;
    let grantee = plain_user(&app, &alpha, "grantee@alpha.test").await;
    json_as(&app, &alpha.key, &["domains", "create", "grants.test"]).await;

    let grant = json_as(
        &app,
        &alpha.key,
        &[
            "grants",
            "create",
            "grants.test",
            "--user",
            &grantee,
            "--role",
            "record_editor",
            "--record-pattern",
            "*.dev",
            "--record-type",
            "A",
            "--record-type",
            "AAAA",
        ],
    )
    .await;
    let gid = id(&grant);
    assert_eq!(
        (&grant["grant_type"], &grant["record_types"]),
        (&Value::from("user"), &Value::from(vec!["A", "AAAA"]))
    );
    let table = ok_as(&app, &alpha.key, &["grants", "list", "grants.test"]).await;
    assert!(
        table.starts_with("ID") && table.contains("*.dev") && table.contains("A,AAAA"),
        "{table}"
    );
    let updated = json_as(
        &app,
        &alpha.key,
        &[
            "grants",
            "update",
            "grants.test",
            &gid,
            "--record-type",
            "TXT",
        ],
    )
    .await;
    assert_eq!(updated["record_types"], Value::from(vec!["TXT"]));
    let shown = json_as(&app, &alpha.key, &["grants", "show", "grants.test", &gid]).await;
    assert_eq!(shown["role"], "record_editor");

    // Another tenant's admin finds no zone of that name, and not the zone by id either.
    let foreign = run(&app, &beta.key, &["grants", "list", "grants.test"]).await;
    assert_eq!(code(&foreign), 3);
    let zone_id = grant["domain_id"].as_str().unwrap();
    let foreign = run(&app, &beta.key, &["grants", "delete", zone_id, &gid]).await;
    assert!(matches!(code(&foreign), 3 | 4));

    ok_as(&app, &alpha.key, &["grants", "delete", "grants.test", &gid]).await;
    let listed = json_as(&app, &alpha.key, &["grants", "list", "grants.test"]).await;
    assert_eq!(listed["total"], 0, "{listed}");
}

#[tokio::test]
async fn api_keys_every_operation() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;

    let created = json_as(&app, &alpha.key, &["api-keys", "create", "--name", "ci"]).await;
    let kid = id(&created);
    let first = created["key"].as_str().unwrap().to_owned();
    let shown = ok_as(&app, &alpha.key, &["api-keys", "show", &kid]).await;
    assert!(shown.contains("ci") && !shown.contains(&first), "{shown}");
    let shown = json_as(&app, &alpha.key, &["api-keys", "show", &kid]).await;
    assert!(
        shown.get("key").is_none(),
        "the secret is never shown again"
    );

    let revoked = json_as(&app, &alpha.key, &["api-keys", "revoke", &kid]).await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(code(&run(&app, &first, &["whoami"]).await), 4);
    let active = json_as(&app, &alpha.key, &["api-keys", "activate", &kid]).await;
    assert_eq!(active["status"], "active");
    ok_as(&app, &first, &["whoami"]).await;

    let regenerated = ok_as(&app, &alpha.key, &["api-keys", "regenerate", &kid]).await;
    let second = regenerated
        .lines()
        .last()
        .expect("the new secret on the last line")
        .to_owned();
    assert!(
        regenerated.contains("shown once") && second != first,
        "{regenerated}"
    );
    assert_eq!(code(&run(&app, &first, &["whoami"]).await), 4, "old secret");
    ok_as(&app, &second, &["whoami"]).await;

    // Another tenant can do nothing to the key.
    for op in ["show", "revoke", "regenerate", "delete"] {
        let out = run(&app, &beta.key, &["api-keys", op, &kid]).await;
        assert!(matches!(code(&out), 3 | 4), "{op}: {}", code(&out));
    }
    ok_as(&app, &second, &["whoami"]).await;

    // Deleting is permanent: without a terminal it needs --yes.
    let unasked = run(&app, &alpha.key, &["api-keys", "delete", &kid]).await;
    assert_eq!(code(&unasked), 2);
    assert!(String::from_utf8_lossy(&unasked.stderr).contains("--yes"));
    ok_as(&app, &second, &["whoami"]).await;
    ok_as(&app, &alpha.key, &["api-keys", "delete", &kid, "--yes"]).await;
    assert_eq!(
        code(&run(&app, &alpha.key, &["api-keys", "show", &kid]).await),
        3
    );
    assert_eq!(code(&run(&app, &second, &["whoami"]).await), 4);

    // Revoking the very key the command uses says the login is now stale.
    let own = run(&app, &alpha.key, &["api-keys", "revoke", &alpha.key_id]).await;
    assert_eq!(code(&own), 0);
    assert!(
        String::from_utf8_lossy(&own.stderr).contains("run `scaidns login`"),
        "{}",
        String::from_utf8_lossy(&own.stderr)
    );
}

#[tokio::test]
async fn nameservers_authoritative_domains_and_whoami() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;

    let before = json(&app, &["nameservers", "show"]).await;
    assert!(
        !before["nameservers"].as_array().unwrap().is_empty(),
        "{before}"
    );
    let set = ok_as(
        &app,
        &app.admin_key,
        &[
            "nameservers",
            "set",
            "ns1.cli.example.",
            "ns2.cli.example.",
            "--yes",
        ],
    )
    .await;
    assert!(
        set.contains("ns1.cli.example.") && set.contains("zones updated"),
        "{set}"
    );
    let shown = ok_as(&app, &app.admin_key, &["nameservers", "show"]).await;
    assert_eq!(shown, "ns1.cli.example.\nns2.cli.example.\n");
    assert_eq!(
        code(
            &run(
                &app,
                &alpha.key,
                &["nameservers", "set", "ns.evil.example.", "--yes"]
            )
            .await
        ),
        4,
        "a tenant admin cannot change the platform nameservers"
    );

    let domains = json(&app, &["authoritative-domains", "set", "dns.example.net"]).await;
    assert_eq!(domains["domains"], Value::from(vec!["dns.example.net"]));
    let shown = ok_as(&app, &app.admin_key, &["authoritative-domains", "show"]).await;
    assert!(shown.contains("dns.example.net"), "{shown}");
    // Rewriting every zone's apex NS is asked for; without a terminal --yes is needed.
    let unasked = run(
        &app,
        &app.admin_key,
        &["nameservers", "set", "ns.x.example."],
    )
    .await;
    assert_eq!(code(&unasked), 2);
    // An empty list is only set with --clear, never by forgetting the arguments.
    assert_eq!(
        code(&run(&app, &app.admin_key, &["authoritative-domains", "set"]).await),
        2
    );
    assert_eq!(
        code(
            &run(
                &app,
                &alpha.key,
                &["authoritative-domains", "set", "--clear"]
            )
            .await
        ),
        4
    );
    let cleared = json(&app, &["authoritative-domains", "set", "--clear"]).await;
    assert_eq!(cleared["domains"], Value::Array(vec![]));

    let me = json_as(&app, &alpha.key, &["whoami"]).await;
    assert_eq!(
        (&me["data"]["email"], &me["data"]["tenant"]["slug"]),
        (&Value::from("user@alpha.test"), &Value::from("alpha"))
    );
    let table = ok_as(&app, &app.admin_key, &["whoami"]).await;
    assert!(table.contains("platform admin"), "{table}");
}

#[tokio::test]
async fn records_show_and_types_and_validation_cancel() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;
    let beta = app.tenant_with_user("beta").await;

    let types = ok_as(&app, &alpha.key, &["records", "types"]).await;
    assert!(
        types.starts_with("TYPE") && types.contains("AAAA"),
        "{types}"
    );
    json(&app, &["domains", "create", "show.test"]).await;
    let added = json(
        &app,
        &["records", "add", "show.test", "www", "A", "192.0.2.7"],
    )
    .await;
    let rid = id(&added);
    let shown = json(&app, &["records", "show", "show.test", &rid]).await;
    assert_eq!(shown["content"], "192.0.2.7");

    // A tenant's zone waits for validation; its challenge can be withdrawn once.
    json_as(&app, &alpha.key, &["domains", "create", "pending.test"]).await;
    let foreign = run(&app, &beta.key, &["validation", "cancel", "pending.test"]).await;
    assert_eq!(code(&foreign), 3, "another tenant finds no such zone");
    ok_as(&app, &alpha.key, &["validation", "cancel", "pending.test"]).await;
    let shown = json_as(&app, &alpha.key, &["validation", "show", "pending.test"]).await;
    assert_eq!(shown["status"], "cancelled", "{shown}");
    let again = run(&app, &alpha.key, &["validation", "cancel", "pending.test"]).await;
    assert_eq!(code(&again), 3, "nothing open any more");
}
