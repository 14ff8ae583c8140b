//! `scaidns audit list|show` against a real server: filters, paging, table and JSON output.

use std::process::Output;

use scaidns_tests::{TestApp, spawn_app};
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

async fn ok(app: &TestApp, args: &[&str]) -> (String, String) {
    let out = run(app, args).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "scaidns {args:?}: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    serde_json::from_str(&ok(app, &all).await.0).expect("JSON on stdout")
}

#[tokio::test]
async fn audit_list_filters_pages_and_shows_entries() {
    let app = spawn_app().await;
    ok(&app, &["domains", "create", "audit-cli.test"]).await;
    ok(
        &app,
        &["records", "add", "audit-cli.test", "www", "A", "192.0.2.1"],
    )
    .await;
    let records = json(&app, &["records", "list", "audit-cli.test"]).await;
    let record = records["data"][0]["id"].as_str().unwrap().to_owned();
    ok(
        &app,
        &[
            "records",
            "update",
            "audit-cli.test",
            &record,
            "--content",
            "192.0.2.2",
        ],
    )
    .await;

    let (table, _) = ok(&app, &["audit", "list"]).await;
    assert!(table.starts_with("TIME"), "{table}");
    for action in ["domain.create", "record.create", "record.update"] {
        assert!(table.contains(action), "{action} missing:\n{table}");
    }

    let updates = json(&app, &["audit", "list", "--action", "record.update"]).await;
    assert_eq!(updates["total"], 1, "{updates}");
    let entry = &updates["data"][0];
    assert_eq!(entry["details"]["before"]["content"], "192.0.2.1");
    assert_eq!(entry["details"]["after"]["content"], "192.0.2.2");
    let by_resource = json(
        &app,
        &[
            "audit",
            "list",
            "--resource-type",
            "record",
            "--resource-id",
            &record,
            "--actor-type",
            "api_key",
        ],
    )
    .await;
    assert_eq!(by_resource["total"], 2, "{by_resource}");
    let later = json(&app, &["audit", "list", "--since", "2999-01-01T00:00:00Z"]).await;
    assert_eq!(later["total"], 0);

    // One page at a time, or every page.
    let everything = json(&app, &["audit", "list", "--all"]).await;
    let total = everything["total"].as_u64().unwrap();
    assert!(total >= 4, "{everything}");
    assert_eq!(everything["data"].as_array().unwrap().len() as u64, total);
    let (page, hint) = ok(&app, &["audit", "list", "--page-size", "1", "--page", "2"]).await;
    assert_eq!(page.lines().count(), 2, "{page}");
    assert!(hint.contains(&format!("page 2 of {total}")), "{hint}");
    let second = json(&app, &["audit", "list", "--page-size", "1", "--page", "2"]).await;
    assert_eq!(second["data"][0]["id"], everything["data"][1]["id"]);

    let id = entry["id"].as_str().unwrap();
    let (shown, _) = ok(&app, &["audit", "show", id]).await;
    assert!(shown.contains("record.update"), "{shown}");
    assert!(
        shown.contains("before:") && shown.contains("192.0.2.1"),
        "{shown}"
    );
    assert_eq!(json(&app, &["audit", "show", id]).await["id"], id);

    let missing = run(
        &app,
        &["audit", "show", "00000000-0000-7000-8000-000000000000"],
    )
    .await;
    assert_eq!(missing.status.code(), Some(3));
    let bad = run(&app, &["audit", "list", "--page-size", "0"]).await;
    assert_eq!(bad.status.code(), Some(2));
    app.stop().await;
}
