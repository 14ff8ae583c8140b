//! `scaidns serve` in production never falls back to the in-memory DNS server: without the
//! PowerDNS settings and without `DNS_BACKEND=embedded` it refuses to start and names what is
//! missing.

use std::process::Command;

#[test]
fn serve_in_production_without_powerdns_refuses_and_names_the_variables() {
    // An empty working directory: no `.env` can supply what the environment lacks.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("ENVIRONMENT", "production")
        .env(
            "DATABASE_URL",
            format!("sqlite:{}", dir.join("db.sqlite3").display()),
        )
        .env("API_KEY_PEPPER", "pepper")
        .env("SESSION_SECRET", "session")
        .env("EXTERNAL_URL", "https://dns.example")
        .env("BIND_ADDRESS", "127.0.0.1:0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "serve started: {stderr}");
    for name in ["PDNS_API_URL", "PDNS_API_KEY", "DNS_BACKEND=embedded"] {
        assert!(stderr.contains(name), "{name} not named in: {stderr}");
    }
}

#[test]
fn a_malformed_env_file_names_its_line_and_nothing_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join(".env"),
        "ENVIRONMENT=production\nAPI_KEY_PEPPER=<openssl rand -hex 32>\nSESSION_SECRET=s\n",
    )
    .unwrap();
    for command in [&["serve"][..], &["migrate"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args(command)
            .current_dir(dir)
            .env_clear()
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{command:?}: {stderr}");
        assert!(
            stderr.contains(".env line 2 (API_KEY_PEPPER)") && stderr.contains("quote it"),
            "{command:?}: {stderr}"
        );
        assert!(!stderr.contains("missing"), "no spurious missing: {stderr}");
        assert!(
            !stderr.contains("openssl"),
            "the value is not echoed: {stderr}"
        );
    }
}

#[test]
fn log_settings_in_the_env_file_are_honoured_including_rust_log() {
    use std::io::BufRead;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join(".env"),
        format!(
            "LOG_FORMAT=json\nRUST_LOG=debug\nDATABASE_URL=sqlite:{}\nDNS_BACKEND=embedded\n\
             BIND_ADDRESS=127.0.0.1:0\nEMBEDDED_DNS_ADDRESS=127.0.0.1:0\n",
            dir.join("db.sqlite3").display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["serve", "--dev"])
        .current_dir(dir)
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Every line is JSON (LOG_FORMAT); a DEBUG line shows RUST_LOG replaced the INFO default.
    // Startup writes DEBUG lines at once; the wait is a bound for a server that stays quiet.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut debug = false;
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        let entry: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if entry["level"] == "DEBUG" {
            debug = true;
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(debug, "RUST_LOG=debug from .env was ignored");
}
