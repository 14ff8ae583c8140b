//! `scaidns records edit ZONE` driven without a terminal by an `EDITOR` script (sed), against a
//! server publishing to a real PowerDNS: changes, additions and deletions arrive as one change;
//! a write that lands while the editor is open makes the apply 412 (nothing applied, the
//! edits kept in a backup file); bad lines and an unchanged file change nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, dns, spawn_app_with};
use serde_json::Value;

use crate::common::{code, run, stdout};

/// Runs `scaidns records edit ZONE --yes` with `EDITOR` set to `editor`.
async fn edit(app: &TestApp, zone: &str, editor: &Path) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_scaidns"))
        .args(["--url", &app.base_url, "--api-key", &app.admin_key])
        .args(["records", "edit", zone, "--yes"])
        .env_remove("SCAIDNS_URL")
        .env_remove("SCAIDNS_API_KEY")
        .env_remove("SCAIDNS_PROFILE")
        .env_remove("VISUAL")
        .env("EDITOR", editor)
        .env("SCAIDNS_CONFIG", "/nonexistent/scaidns/config.toml")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run scaidns")
}

/// An executable `sh` script in `dir`; `$1` is the file being edited.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path
}

async fn records(app: &TestApp, zone: &str) -> Vec<(String, String, String)> {
    let out = run(
        app,
        &app.admin_key,
        &["records", "list", zone, "--output", "json"],
    )
    .await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let listed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut all: Vec<_> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["type"].as_str().unwrap().to_owned(),
                r["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

#[tokio::test]
async fn records_edit_applies_the_edited_file_as_one_change_and_never_over_a_newer_zone() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_with(TestOptions {
        backend: TestBackend::PowerDns {
            api_url: pdns.api_url.clone(),
            api_key: pdns.api_key.clone(),
        },
        ..TestOptions::default()
    })
    .await;
    let zone = "cli-edit.test";
    let key = app.admin_key.clone();
    for args in [
        vec!["domains", "create", zone],
        vec!["records", "add", zone, "www", "A", "192.0.2.1"],
        vec!["records", "add", zone, "old", "A", "192.0.2.9"],
        vec!["records", "add", zone, "@", "MX", "10 www"],
    ] {
        let out = run(&app, &key, &args).await;
        assert_eq!(code(&out), 0, "{args:?}: {:?}", out);
    }
    let dir = tempfile::tempdir().unwrap();

    // Change www, delete old, add new; the SOA and apex NS are comments the script leaves be.
    let editor = script(
        dir.path(),
        "change.sh",
        "grep -q '^; system, not editable: @.*SOA' \"$1\"\n\
         sed -i -e 's/192\\.0\\.2\\.1$/192.0.2.2/' -e '/^old\\s/d' \"$1\"\n\
         printf 'new\\t300\\tIN\\tA\\t192.0.2.3\\n' >> \"$1\"",
    );
    let out = edit(&app, zone, &editor).await;
    let text = stdout(&out);
    assert_eq!(
        code(&out),
        0,
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("- www.cli-edit.test"), "{text}");
    assert!(
        text.contains("+ new.cli-edit.test 300 A 192.0.2.3"),
        "{text}"
    );
    assert!(text.contains("applied: "), "{text}");
    let served = |name: &'static str| dns::query(pdns.dns_addr, name, "A");
    assert_eq!(
        served("www.cli-edit.test.").await.answer_texts("A"),
        ["192.0.2.2"]
    );
    assert_eq!(
        served("new.cli-edit.test.").await.answer_texts("A"),
        ["192.0.2.3"]
    );
    assert!(
        served("old.cli-edit.test.")
            .await
            .answer_texts("A")
            .is_empty()
    );
    let after_edit = records(&app, zone).await;
    assert!(after_edit.iter().any(|r| r.1 == "MX"), "{after_edit:?}");

    // An editor that changes nothing: nothing to apply.
    let unchanged = script(dir.path(), "unchanged.sh", "true");
    let out = edit(&app, zone, &unchanged).await;
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("no changes"), "{}", stdout(&out));

    // Another write lands while the editor is open: 412, nothing of the edit applied, the
    // edit kept in a backup file; the other write stands.
    let racing = script(
        dir.path(),
        "racing.sh",
        &format!(
            "'{bin}' --url '{url}' --api-key '{key}' records add {zone} other A 192.0.2.4 >/dev/null\n\
             sed -i -e 's/192\\.0\\.2\\.2$/192.0.2.5/' \"$1\"",
            bin = env!("CARGO_BIN_EXE_scaidns"),
            url = app.base_url,
        ),
    );
    let out = edit(&app, zone, &racing).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(code(&out), 5, "{stderr}");
    assert!(stderr.contains("changed while you edited"), "{stderr}");
    let backup = stderr
        .split_whitespace()
        .find(|w| w.ends_with(".zone.bak"))
        .expect("the backup's path");
    let kept = std::fs::read_to_string(backup).unwrap();
    assert!(kept.contains("192.0.2.5"), "{kept}");
    let _ = std::fs::remove_file(backup);
    let mut expected = after_edit.clone();
    expected.push((
        "other.cli-edit.test".to_owned(),
        "A".to_owned(),
        "192.0.2.4".to_owned(),
    ));
    expected.sort();
    assert_eq!(records(&app, zone).await, expected);
    assert_eq!(
        served("www.cli-edit.test.").await.answer_texts("A"),
        ["192.0.2.2"]
    );

    // A bad line without a terminal: shown, exit 5, nothing changed.
    let bad = script(
        dir.path(),
        "bad.sh",
        "printf 'bad\\t300\\tIN\\tA\\t1.2.3\\n' >> \"$1\"",
    );
    let out = edit(&app, zone, &bad).await;
    assert_eq!(code(&out), 5);
    assert!(stdout(&out).contains("error line"), "{}", stdout(&out));
    assert_eq!(records(&app, zone).await, expected);
}
