//! `scaidns users …` against a real server without ScaiKey (users are local): every
//! subcommand, tables and `--output json`, the exit codes (3 not found, 5 for the ScaiKey-only
//! operations' 409), and a password read from standard input, never from the command line.

use std::process::{Output, Stdio};

use scaidns_tests::{TestApp, spawn_app};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// Runs `scaidns --url <app> --api-key <key> args…` with `stdin` on standard input.
async fn run(app: &TestApp, key: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", &app.base_url, "--api-key", key])
        .args(args)
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scaidns");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    child.wait_with_output().await.expect("scaidns output")
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    let out = run(app, &app.admin_key, &all, "").await;
    assert_eq!(
        code(&out),
        0,
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[tokio::test]
async fn users_commands_without_scaikey() {
    let app = spawn_app().await;
    let alpha = app.tenant_with_user("alpha").await;

    let created = json(
        &app,
        &[
            "users",
            "create",
            "Ada@Alpha.test",
            "--first-name",
            "Ada",
            "--tenant",
            &alpha.tenant_id,
        ],
    )
    .await;
    assert_eq!(
        (&created["email"], &created["tenant_id"]),
        (
            &Value::from("ada@alpha.test"),
            &Value::from(alpha.tenant_id.as_str())
        )
    );
    let id = created["id"].as_str().unwrap().to_owned();

    let listed = json(
        &app,
        &[
            "users",
            "list",
            "--tenant",
            &alpha.tenant_id,
            "--search",
            "ADA",
        ],
    )
    .await;
    assert_eq!(
        (listed["total"].as_u64(), listed["data"][0]["id"].as_str()),
        (Some(1), Some(id.as_str()))
    );
    let table = run(&app, &alpha.key, &["users", "list"], "").await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.starts_with("ID") && text.contains("ada@alpha.test"),
        "{text}"
    );

    let updated = json(&app, &["users", "update", &id, "--last-name", "Lovelace"]).await;
    assert_eq!(updated["name"], "Ada Lovelace");
    let disabled = json(&app, &["users", "disable", &id]).await;
    assert_eq!(disabled["status"], "inactive");
    let inactive = json(
        &app,
        &[
            "users",
            "list",
            "--tenant",
            &alpha.tenant_id,
            "--status",
            "inactive",
        ],
    )
    .await;
    assert_eq!(inactive["data"][0]["id"], id.as_str());
    let enabled = json(&app, &["users", "update", &id, "--enable"]).await;
    assert_eq!(enabled["status"], "active");
    assert_eq!(json(&app, &["users", "show", &id]).await["id"], id.as_str());

    // ScaiKey-only operations: 409 → exit 5, naming the setting.
    for args in [
        vec!["users", "reset-password", id.as_str()],
        vec!["users", "resend-invite", id.as_str()],
        vec!["users", "invite", "bob@alpha.test"],
    ] {
        let out = run(&app, &app.admin_key, &args, "a-long-password\n").await;
        assert_eq!(code(&out), 5, "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("SCAIKEY_URL"),
            "{args:?}"
        );
    }
    let empty = run(&app, &app.admin_key, &["users", "reset-password", &id], "").await;
    assert_eq!(code(&empty), 5, "no password on standard input");

    // Another tenant's user is not found for a tenant admin; a missing one for anybody.
    let beta = app.tenant_with_user("beta").await;
    assert_eq!(
        code(&run(&app, &beta.key, &["users", "show", &id], "").await),
        3
    );
    assert_eq!(
        code(&run(&app, &app.admin_key, &["users", "show", "usr_missing"], "").await),
        3
    );
    let help = run(
        &app,
        &app.admin_key,
        &["users", "reset-password", "--help"],
        "",
    )
    .await;
    assert!(String::from_utf8_lossy(&help.stdout).contains("Example:"));
}
