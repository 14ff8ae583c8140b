//! `scaidns records bulk-delete` against a real server (SQLite, embedded DNS): exactly the
//! named records go, `--dry-run` removes none, an unknown id refuses the whole request, and
//! `--continue-on-error` deletes what it can and lists the rest.

use scaidns_tests::{TestApp, dns, spawn_app};
use serde_json::Value;

use crate::common::{code, json_as, ok_as, run, stdout};

/// The zone's records by display name → id.
async fn ids(app: &TestApp, zone: &str) -> Vec<(String, String)> {
    let listed = json_as(app, &app.admin_key, &["records", "list", zone]).await;
    let mut ids: Vec<(String, String)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_owned();
            (text("display_name"), text("id"))
        })
        .collect();
    ids.sort();
    ids
}

fn id_of<'a>(ids: &'a [(String, String)], name: &str) -> &'a str {
    &ids.iter().find(|(n, _)| n == name).expect(name).1
}

fn names(ids: &[(String, String)]) -> Vec<&str> {
    ids.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn bulk_delete_removes_exactly_the_named_records_and_dry_run_none() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let dns_addr = app.dns_addr.unwrap();
    ok_as(&app, &key, &["domains", "create", "bulkdel.test"]).await;
    for (name, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2"), ("c", "192.0.2.3")] {
        ok_as(
            &app,
            &key,
            &["records", "add", "bulkdel.test", name, "A", ip],
        )
        .await;
    }
    let before = ids(&app, "bulkdel.test").await;
    assert_eq!(names(&before), ["a", "b", "c"]);
    let (a, b, c) = (
        id_of(&before, "a").to_owned(),
        id_of(&before, "b").to_owned(),
        id_of(&before, "c").to_owned(),
    );

    // The plan: both RRsets go, and nothing changes.
    let out = ok_as(
        &app,
        &key,
        &[
            "records",
            "bulk-delete",
            "bulkdel.test",
            &a,
            &b,
            "--dry-run",
        ],
    )
    .await;
    assert!(out.contains("would succeed"), "{out}");
    assert!(out.contains("- a.bulkdel.test. A"), "{out}");
    assert!(out.contains("- b.bulkdel.test. A"), "{out}");
    assert_eq!(
        ids(&app, "bulkdel.test").await,
        before,
        "a dry run deletes nothing"
    );

    // An unknown id refuses the whole request: exit 5, the id named, nothing deleted.
    let unknown = "0193c0de-0000-7000-8000-00000000dead";
    let out = run(
        &app,
        &key,
        &["records", "bulk-delete", "bulkdel.test", &a, unknown],
    )
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 5, "{err}");
    assert!(err.contains("record_not_found"), "{err}");
    assert_eq!(ids(&app, "bulkdel.test").await, before, "all or nothing");

    // The real delete: a and b go, c stays, in the store and in DNS.
    let out = ok_as(
        &app,
        &key,
        &["records", "bulk-delete", "bulkdel.test", &a, &b],
    )
    .await;
    assert!(out.contains("deleted 2"), "{out}");
    assert_eq!(names(&ids(&app, "bulkdel.test").await), ["c"]);
    let reply = dns::query(dns_addr, "a.bulkdel.test.", "A").await;
    assert!(reply.answers_of("A").is_empty(), "{reply:?}");
    let reply = dns::query(dns_addr, "c.bulkdel.test.", "A").await;
    assert_eq!(reply.answers_of("A").len(), 1, "{reply:?}");

    // --continue-on-error: c goes, the unknown id is listed.
    let answer: Value = json_as(
        &app,
        &key,
        &[
            "records",
            "bulk-delete",
            "bulkdel.test",
            &c,
            unknown,
            "--continue-on-error",
        ],
    )
    .await;
    assert_eq!(answer["deleted"], 1, "{answer}");
    assert_eq!(
        answer["failures"][0]["code"], "record_not_found",
        "{answer}"
    );
    assert!(names(&ids(&app, "bulkdel.test").await).is_empty());
}

/// Another tenant cannot delete a zone's records: the zone is not found by name, and by id
/// the request is refused; nothing is deleted.
#[tokio::test]
async fn bulk_delete_is_refused_to_another_tenant() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let zone: Value = json_as(&app, &key, &["domains", "create", "mine-bulk.test"]).await;
    let zone_id = zone["id"].as_str().expect("zone id").to_owned();
    ok_as(
        &app,
        &key,
        &["records", "add", "mine-bulk.test", "a", "A", "192.0.2.1"],
    )
    .await;
    let before = ids(&app, "mine-bulk.test").await;
    let a = id_of(&before, "a").to_owned();
    let other = app.tenant_with_user("other-bulk").await;

    let out = run(
        &app,
        &other.key,
        &["records", "bulk-delete", "mine-bulk.test", &a],
    )
    .await;
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&app, &other.key, &["records", "bulk-delete", &zone_id, &a]).await;
    assert!(
        matches!(code(&out), 3 | 4),
        "{}: {}",
        code(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout(&out).contains("deleted"), "{}", stdout(&out));
    assert_eq!(ids(&app, "mine-bulk.test").await, before);
}
