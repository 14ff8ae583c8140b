//! `scaidns reverse-zones …` and `scaidns ptr …` against a real server (SQLite, embedded DNS):
//! a /24 from a CIDR, a PTR added by address and answered by the embedded DNS server, its
//! lookup, conflict and delete, and the exit codes of a refused block and a missing PTR.

use std::process::Output;

use scaidns_tests::{TestApp, dns, spawn_app};
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

async fn ok(app: &TestApp, args: &[&str]) -> String {
    let out = run(app, args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "scaidns {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--output", "json"]);
    serde_json::from_str(&ok(app, &all).await).expect("JSON on stdout")
}

#[tokio::test]
async fn reverse_zones_and_ptrs_by_address() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();

    let plan = ok(&app, &["reverse-zones", "preview", "192.0.2.64/26"]).await;
    assert!(plan.contains("64-26.2.0.192.in-addr.arpa"), "{plan}");
    assert!(plan.contains("64.64-26.2.0.192.in-addr.arpa."), "{plan}");

    let made = ok(&app, &["reverse-zones", "create", "192.0.2.0/24"]).await;
    assert!(made.contains("created 2.0.192.in-addr.arpa"), "{made}");
    let list = json(&app, &["reverse-zones", "list"]).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["data"][0]["name"], "2.0.192.in-addr.arpa");

    let added = ok(
        &app,
        &[
            "ptr",
            "add",
            "2.0.192.in-addr.arpa",
            "192.0.2.10",
            "host.example.com",
        ],
    )
    .await;
    assert!(added.contains("192.0.2.10 -> host.example.com."), "{added}");
    let reply = dns::query(dns_addr, "10.2.0.192.in-addr.arpa.", "PTR").await;
    assert_eq!(reply.answer_texts("PTR"), ["host.example.com."]);

    // Again: a conflict (exit 5) unless --replace.
    let again = run(
        &app,
        &[
            "ptr",
            "add",
            "2.0.192.in-addr.arpa",
            "192.0.2.10",
            "other.example.com",
        ],
    )
    .await;
    assert_eq!(again.status.code(), Some(5));
    ok(
        &app,
        &[
            "ptr",
            "add",
            "2.0.192.in-addr.arpa",
            "192.0.2.10",
            "other.example.com",
            "--replace",
        ],
    )
    .await;
    let found = json(&app, &["ptr", "lookup", "192.0.2.10"]).await;
    assert_eq!(found["hostname"], "other.example.com.", "{found}");
    let listed = json(&app, &["ptr", "list", "2.0.192.in-addr.arpa"]).await;
    assert_eq!(listed["data"][0]["ip"], "192.0.2.10", "{listed}");

    ok(
        &app,
        &["ptr", "delete", "2.0.192.in-addr.arpa", "192.0.2.10"],
    )
    .await;
    let reply = dns::query(dns_addr, "10.2.0.192.in-addr.arpa.", "PTR").await;
    assert!(reply.answer_texts("PTR").is_empty());
    assert_eq!(
        run(&app, &["ptr", "lookup", "192.0.2.10"])
            .await
            .status
            .code(),
        Some(3)
    );
    // A block no single zone covers: refused as invalid input (exit 5).
    let refused = run(&app, &["reverse-zones", "create", "192.0.0.0/22"]).await;
    assert_eq!(refused.status.code(), Some(5));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("0.0.192.in-addr.arpa"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    app.stop().await;
}

#[tokio::test]
async fn a_range_is_delegated_listed_and_revoked() {
    let app = spawn_app().await;
    let customer = app.tenant_with_user("customer").await;
    ok(&app, &["reverse-zones", "create", "192.0.2.0/24"]).await;
    let zone = "2.0.192.in-addr.arpa";
    let made = json(
        &app,
        &[
            "reverse-zones",
            "delegate",
            zone,
            "--cidr",
            "192.0.2.64/26",
            "--tenant",
            &customer.tenant_id,
        ],
    )
    .await;
    assert_eq!(made["zone_name"], "64-26.2.0.192.in-addr.arpa", "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let text = ok(&app, &["reverse-zones", "delegations", zone]).await;
    assert!(
        text.contains(&id) && text.contains("192.0.2.64/26"),
        "{text}"
    );
    // The receiving tenant sees the range and the zone it may create; the lender receives none.
    let received = crate::common::ok_as(
        &app,
        &customer.key,
        &["reverse-zones", "delegations-received"],
    )
    .await;
    assert!(
        received.contains(&id) && received.contains("64-26.2.0.192.in-addr.arpa"),
        "{received}"
    );
    let none = json(&app, &["reverse-zones", "delegations-received"]).await;
    assert_eq!(none["data"], serde_json::json!([]), "{none}");
    // The same range again is a conflict: exit 5.
    let again = run(
        &app,
        &[
            "reverse-zones",
            "delegate",
            zone,
            "--cidr",
            "192.0.2.64/26",
            "--tenant",
            &customer.tenant_id,
        ],
    )
    .await;
    assert_eq!(again.status.code(), Some(5));
    ok(&app, &["reverse-zones", "revoke-delegation", zone, &id]).await;
    let list = json(&app, &["reverse-zones", "delegations", zone]).await;
    assert_eq!(list["data"], serde_json::json!([]), "{list}");
    let gone = run(&app, &["reverse-zones", "revoke-delegation", zone, &id]).await;
    assert_eq!(gone.status.code(), Some(3));
    app.stop().await;
}

/// `ptr bulk-add`: every PTR of the file in one change, answered by DNS; a file with an address
/// outside the zone adds none of them (exit 5).
#[tokio::test]
async fn ptr_bulk_add_writes_all_or_nothing() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.unwrap();
    ok(&app, &["reverse-zones", "create", "198.51.100.0/24"]).await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"ptrs": [{"ip": "198.51.100.7", "hostname": "seven.example.com"},
                     {"ip": "203.0.113.9", "hostname": "elsewhere.example.com"}]}"#,
    )
    .unwrap();
    let out = run(
        &app,
        &[
            "ptr",
            "bulk-add",
            "100.51.198.in-addr.arpa",
            bad.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = json(&app, &["ptr", "list", "100.51.198.in-addr.arpa"]).await;
    assert_eq!(listed["total"], 0, "nothing added: {listed}");

    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"ptrs": [{"ip": "198.51.100.7", "hostname": "seven.example.com"},
                     {"ip": "198.51.100.8", "hostname": "eight.example.com"}]}"#,
    )
    .unwrap();
    let out = ok(
        &app,
        &[
            "ptr",
            "bulk-add",
            "100.51.198.in-addr.arpa",
            good.to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.contains("added 2 PTR(s)"), "{out}");
    let reply = dns::query(dns_addr, "8.100.51.198.in-addr.arpa.", "PTR").await;
    assert_eq!(reply.answers_of("PTR").len(), 1, "{reply:?}");
}
