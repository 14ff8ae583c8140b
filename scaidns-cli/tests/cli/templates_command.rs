//! `scaidns templates …` against a real server (SQLite, embedded DNS): list, show by name,
//! create from a file, preview without writing, apply, and the exit code of bad variables.

use std::process::Output;

use scaidns_tests::{TestApp, dns, spawn_app};
use serde_json::Value;

async fn run(app: &TestApp, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", &app.base_url, "--api-key", &app.admin_key])
        .args(args)
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .output()
        .await
        .expect("run scaidns")
}

async fn ok(app: &TestApp, args: &[&str]) -> String {
    let out = run(app, args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    serde_json::from_str(&ok(app, &all).await).expect("JSON on stdout")
}

#[tokio::test]
async fn templates_list_show_create_preview_apply() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    ok(&app, &["domains", "create", "tplcli.test"]).await;

    let list = ok(&app, &["templates", "list", "--type", "system"]).await;
    for name in ["google-workspace-mail", "web-server", "caa-letsencrypt"] {
        assert!(list.contains(name), "{list}");
    }
    let shown = ok(&app, &["templates", "show", "web-server"]).await;
    assert!(shown.contains("ipv4") && shown.contains("CNAME"), "{shown}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("office.json");
    std::fs::write(
        &file,
        r#"{"name": "office", "records": [{"name": "office", "type": "A", "content": "${ip}"}],
            "variables": [{"name": "ip", "required": true}]}"#,
    )
    .unwrap();
    let created = json(
        &app,
        &["templates", "create", "--file", file.to_str().unwrap()],
    )
    .await;
    assert_eq!(created["template_type"], "custom");

    let preview = json(
        &app,
        &[
            "templates",
            "preview",
            "office",
            "tplcli.test",
            "--var",
            "ip=192.0.2.44",
        ],
    )
    .await;
    assert_eq!(preview["records"][0]["content"], "192.0.2.44");
    let before = dns::query(dns_addr, "office.tplcli.test.", "A").await;
    assert!(
        before.answers_of("A").is_empty(),
        "preview wrote nothing: {before:?}"
    );

    // A missing required variable is invalid input: exit 5.
    let out = run(&app, &["templates", "apply", "office", "tplcli.test"]).await;
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let applied = ok(
        &app,
        &[
            "templates",
            "apply",
            "office",
            "tplcli.test",
            "--var",
            "ip=192.0.2.44",
        ],
    )
    .await;
    assert!(applied.contains("created 1, skipped 0"), "{applied}");
    let after = dns::query(dns_addr, "office.tplcli.test.", "A").await;
    assert_eq!(after.answers_of("A").len(), 1, "{after:?}");
}

/// `templates update` replaces the fields given, `templates delete` removes a custom template
/// (a system one is read-only: exit 4), `templates variables` lists the built-in ones.
#[tokio::test]
async fn templates_update_delete_and_builtin_variables() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.json");
    std::fs::write(
        &file,
        r#"{"name": "shop", "description": "v1",
            "records": [{"name": "shop", "type": "A", "content": "192.0.2.1"}]}"#,
    )
    .unwrap();
    let created = json(
        &app,
        &["templates", "create", "--file", file.to_str().unwrap()],
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();

    let change = dir.path().join("shop-v2.json");
    std::fs::write(
        &change,
        r#"{"description": "v2",
            "records": [{"name": "shop", "type": "AAAA", "content": "2001:db8::1"}]}"#,
    )
    .unwrap();
    let out = ok(
        &app,
        &[
            "templates",
            "update",
            "shop",
            "--file",
            change.to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.contains("updated template shop"), "{out}");
    let shown = json(&app, &["templates", "show", &id]).await;
    assert_eq!(shown["description"], "v2", "{shown}");
    assert_eq!(shown["name"], "shop", "an absent field stays: {shown}");
    assert_eq!(shown["records"][0]["type"], "AAAA", "{shown}");

    // A system template cannot be changed or deleted.
    let out = run(&app, &["templates", "delete", "web-server"]).await;
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        ok(&app, &["templates", "list"])
            .await
            .contains("web-server")
    );

    let out = ok(&app, &["templates", "delete", "shop"]).await;
    assert!(out.contains("deleted template shop"), "{out}");
    let out = run(&app, &["templates", "show", &id]).await;
    assert_eq!(out.status.code(), Some(3));

    let vars = json(&app, &["templates", "variables"]).await;
    assert!(
        vars.as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "domain"),
        "{vars}"
    );
    let text = ok(&app, &["templates", "variables"]).await;
    assert!(text.contains("${domain}"), "{text}");
}
