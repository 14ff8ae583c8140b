//! What the client-command tests share: run the binary against a test server with a key,
//! with the caller's SCAIDNS_* environment removed and SCAIDNS_CONFIG pointing at a file that
//! does not exist (so a developer's own config file never leaks into a test).

use std::process::Output;

use scaidns_tests::TestApp;

/// A config path that does not exist (a fresh name under the temporary directory).
fn no_config_file() -> std::path::PathBuf {
    std::env::temp_dir()
        .join(format!("scaidns-cli-test-{}-none", std::process::id()))
        .join("config.toml")
}

/// Runs `scaidns --url <app> --api-key <key> args…` without blocking the server's runtime.
pub async fn run(app: &TestApp, key: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", &app.base_url, "--api-key", key])
        .args(args)
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .env_remove("SCAIDNS_PROFILE")
        .env("SCAIDNS_CONFIG", no_config_file())
        .output()
        .await
        .expect("run scaidns")
}

/// The exit code (-1 when killed by a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// [`run`] with `input` on standard input (secrets the CLI reads there: tokens, passwords).
pub async fn run_with_input(app: &TestApp, key: &str, args: &[&str], input: &str) -> Output {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", &app.base_url, "--api-key", key])
        .args(args)
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .env_remove("SCAIDNS_PROFILE")
        .env("SCAIDNS_CONFIG", no_config_file())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scaidns");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.expect("scaidns output")
}

/// Runs with `key`, asserts exit 0, and answers standard output.
pub async fn ok_as(app: &TestApp, key: &str, args: &[&str]) -> String {
    let out = run(app, key, args).await;
    assert_eq!(
        code(&out),
        0,
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// [`ok_as`] with `--json`, parsed.
pub async fn json_as(app: &TestApp, key: &str, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok_as(app, key, &all).await).expect("JSON on stdout")
}
