//! `--dry-run` on the write commands against a real server (SQLite, embedded DNS): the plan is
//! printed (text and JSON), nothing changes (records, DNS answers), and a write that would fail
//! exits with the code the real command gives.

use scaidns_tests::{dns, spawn_app};
use serde_json::Value;

use crate::common::{code, run, stdout};

#[tokio::test]
async fn dry_runs_print_the_plan_and_change_nothing() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let dns_addr = app.dns_addr.unwrap();
    let out = run(&app, &key, &["domains", "create", "dry.test"]).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));

    // A record add: the plan in text, then in JSON, and no record anywhere.
    let args = [
        "records",
        "add",
        "dry.test",
        "www",
        "A",
        "192.0.2.7",
        "--dry-run",
    ];
    let out = run(&app, &key, &args).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(
        text.contains("would succeed") && text.contains("+ www.dry.test. A"),
        "{text}"
    );
    assert!(text.contains("record.create"), "{text}");
    let mut json_args = args.to_vec();
    json_args.extend(["--output", "json"]);
    let plan: Value = serde_json::from_str(&stdout(&run(&app, &key, &json_args).await)).unwrap();
    assert_eq!(plan["status"], 201, "{plan}");
    assert_eq!(
        plan["changes"][0]["rrsets"][0]["after"]["records"][0]["content"],
        "192.0.2.7"
    );
    let reply = dns::query(dns_addr, "www.dry.test.", "A").await;
    assert!(reply.answers_of("A").is_empty(), "{reply:?}");
    let list = stdout(
        &run(
            &app,
            &key,
            &["records", "list", "dry.test", "--output", "json"],
        )
        .await,
    );
    assert!(!list.contains("192.0.2.7"), "{list}");

    // The zone's delete and DNSSEC disable plans change nothing either.
    let out = run(&app, &key, &["domains", "delete", "dry.test", "--dry-run"]).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).contains("active -> deleted"),
        "{}",
        stdout(&out)
    );
    let shown = stdout(
        &run(
            &app,
            &key,
            &["domains", "show", "dry.test", "--output", "json"],
        )
        .await,
    );
    assert!(shown.contains("\"active\""), "{shown}");

    // A write that would fail: the plan says so, and the exit code is the real command's (5).
    let out = run(
        &app,
        &key,
        &[
            "records",
            "add",
            "dry.test",
            "@",
            "CNAME",
            "elsewhere.example.",
            "--dry-run",
        ],
    )
    .await;
    assert_eq!(code(&out), 5, "{}", stdout(&out));
    assert!(stdout(&out).contains("would fail"), "{}", stdout(&out));
}
