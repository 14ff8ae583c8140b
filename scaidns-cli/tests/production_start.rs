//! `scaidns serve` in production never falls back to the in-memory DNS server: without the
//! PowerDNS settings and without `DNS_BACKEND=embedded` it refuses to start and names what is
//! missing.

use std::process::Command;

#[test]
fn serve_in_production_without_powerdns_refuses_and_names_the_variables() {
    // An empty working directory: no `.env` can supply what the environment lacks.
    let dir = std::env::temp_dir().join(format!("scaidns-prod-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .arg("serve")
        .current_dir(&dir)
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
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "serve started: {stderr}");
    for name in ["PDNS_API_URL", "PDNS_API_KEY", "DNS_BACKEND=embedded"] {
        assert!(stderr.contains(name), "{name} not named in: {stderr}");
    }
}

#[test]
fn a_malformed_env_file_names_its_line_and_nothing_starts() {
    let dir = std::env::temp_dir().join(format!("scaidns-bad-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        "ENVIRONMENT=production\nAPI_KEY_PEPPER=<openssl rand -hex 32>\nSESSION_SECRET=s\n",
    )
    .unwrap();
    for command in [&["serve"][..], &["migrate"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_scaidns"))
            .args(command)
            .current_dir(&dir)
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
    let _ = std::fs::remove_dir_all(&dir);
}
