//! `scaidns domains history|diff|restore ZONE GENERATION` against a real server (SQLite,
//! embedded DNS): the steps, a diff, a restore that asks without `--yes` and without a
//! terminal refuses (nothing changes), and with `--yes` brings the record back in DNS.

use scaidns_tests::{TestApp, dns, spawn_app};
use serde_json::Value;

use crate::common::{code, run, stdout};

async fn ok(app: &TestApp, args: &[&str]) -> String {
    let out = run(app, &app.admin_key, args).await;
    assert_eq!(
        code(&out),
        0,
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(app, &all).await).expect("JSON on stdout")
}

#[tokio::test]
async fn history_diff_and_restore_a_generation() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    ok(&app, &["domains", "create", "histcli.test"]).await;
    ok(
        &app,
        &["records", "add", "histcli.test", "www", "A", "192.0.2.10"],
    )
    .await;
    // The newest step is the record's.
    let with_www =
        json(&app, &["domains", "history", "histcli.test"]).await["data"][0]["generation"]
            .as_i64()
            .unwrap();
    let listed = json(&app, &["records", "list", "histcli.test"]).await;
    let id = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "A")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&app, &["records", "delete", "histcli.test", &id]).await;

    let table = ok(&app, &["domains", "history", "histcli.test"]).await;
    assert!(
        table.contains("record.delete") && table.contains("record.create"),
        "{table}"
    );
    let history = json(&app, &["domains", "history", "histcli.test"]).await;
    assert_eq!(history["data"][0]["action"], "record.delete");

    let diff = ok(
        &app,
        &[
            "domains",
            "diff",
            "histcli.test",
            "--from",
            &with_www.to_string(),
        ],
    )
    .await;
    assert!(
        diff.contains("- www.histcli.test 3600 A 192.0.2.10"),
        "{diff}"
    );

    // Without --yes and without a terminal: refused, nothing restored.
    let out = run(
        &app,
        &app.admin_key,
        &["domains", "restore", "histcli.test", &with_www.to_string()],
    )
    .await;
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
    let reply = dns::query(dns_addr, "www.histcli.test.", "A").await;
    assert!(reply.answers_of("A").is_empty());

    let done = json(
        &app,
        &[
            "domains",
            "restore",
            "histcli.test",
            &with_www.to_string(),
            "--yes",
        ],
    )
    .await;
    assert_eq!(done["restored_generation"], with_www);
    let reply = dns::query(dns_addr, "www.histcli.test.", "A").await;
    assert_eq!(reply.answers_of("A").len(), 1, "{reply:?}");

    // A generation the zone never had: refused as invalid (exit 5), saying which.
    let out = run(
        &app,
        &app.admin_key,
        &["domains", "restore", "histcli.test", "999", "--yes"],
    )
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 5, "{err}");
    assert!(err.contains("no generation 999"), "{err}");

    app.stop().await;
}
