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

/// `domains history ZONE --generation G`: that step with its RRsets before and after; a
/// generation the zone has not reached is not found (exit 3).
#[tokio::test]
async fn history_shows_one_generation_in_full() {
    let app = spawn_app().await;
    ok(&app, &["domains", "create", "histone.test"]).await;
    ok(
        &app,
        &["records", "add", "histone.test", "mail", "A", "192.0.2.25"],
    )
    .await;
    let generation =
        json(&app, &["domains", "history", "histone.test"]).await["data"][0]["generation"]
            .as_i64()
            .unwrap()
            .to_string();
    let step = json(
        &app,
        &[
            "domains",
            "history",
            "histone.test",
            "--generation",
            &generation,
        ],
    )
    .await;
    assert_eq!(step["action"], "record.create", "{step}");
    assert_eq!(
        step["changes"][0]["after"]["records"][0]["content"], "192.0.2.25",
        "{step}"
    );
    let text = ok(
        &app,
        &[
            "domains",
            "history",
            "histone.test",
            "--generation",
            &generation,
        ],
    )
    .await;
    assert!(
        text.contains("+ mail.histone.test 3600 A 192.0.2.25"),
        "{text}"
    );
    let out = run(
        &app,
        &app.admin_key,
        &["domains", "history", "histone.test", "--generation", "9999"],
    )
    .await;
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
}
