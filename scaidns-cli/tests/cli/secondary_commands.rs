//! `scaidns domains create --secondary` (issue 10 items 3 and 5): a secondary zone created from
//! the command line with its primary and a TSIG secret read from a file, its transfer state in
//! `domains show`, the secret in no output, a transfer asked for with `domains retrieve`; the
//! embedded backend's refusal names PowerDNS.

use std::process::Output;

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured};

const SECRET: &str = "Y2xpLXNlY29uZGFyeS10c2lnLXNlY3JldC1ieXRlcyE=";

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

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn create_and_show_a_secondary_zone() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("xfr.key");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let secret_path = secret_file.to_str().unwrap();

    let out = run(
        &app,
        &[
            "domains",
            "create",
            "cli-secondary.test",
            "--secondary",
            "--primary",
            "127.0.0.1:9",
            "--tsig-name",
            "cli-key",
            "--tsig-secret-file",
            secret_path,
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("primaries"), "{}", text(&out));
    assert!(
        text(&out).contains("cli-key (hmac-sha256)"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(SECRET));

    let out = run(&app, &["domains", "show", "cli-secondary.test"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The primary never answers: the transfer error is shown, the zone stays active.
    assert!(text(&out).contains("xfr error"), "{}", text(&out));
    assert!(text(&out).contains("active"), "{}", text(&out));

    let out = run(
        &app,
        &["domains", "show", "cli-secondary.test", "--output", "json"],
    )
    .await;
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(shown["domain_type"], "secondary");
    assert!(shown["transfer"]["serial"].is_null(), "{shown}");
    assert!(!shown.to_string().contains(SECRET));

    let out = run(
        &app,
        &[
            "domains",
            "create",
            "bad-secret.test",
            "--secondary",
            "--primary",
            "127.0.0.1:9",
            "--tsig-name",
            "k",
            "--tsig-secret-file",
            "/nonexistent/xfr.key",
        ],
    )
    .await;
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out).contains("--tsig-secret-file"), "{}", text(&out));

    // `domains retrieve` asks for a transfer now; a primary zone has none to ask for (exit 5).
    let out = run(&app, &["domains", "retrieve", "cli-secondary.test"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("transfer of cli-secondary.test requested"));
    let out = run(&app, &["domains", "create", "cli-primary.test"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&app, &["domains", "retrieve", "cli-primary.test"]).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(text(&out).contains("zone_not_secondary"), "{}", text(&out));
    app.stop().await;
}

#[tokio::test]
async fn the_embedded_backend_refuses_a_secondary_naming_powerdns() {
    let app = spawn_app().await;
    let out = run(
        &app,
        &[
            "domains",
            "create",
            "emb-secondary.test",
            "--secondary",
            "--primary",
            "192.0.2.53",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(text(&out).contains("PowerDNS"), "{}", text(&out));
    app.stop().await;
}
