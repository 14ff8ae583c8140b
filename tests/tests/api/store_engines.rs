//! The API on a store engine other than the default SQLite: PostgreSQL (MariaDB runs with
//! PowerDNS in `powerdns.rs`). The store behaviours themselves run per engine in the core's
//! contract suite; this checks that a server started on `postgres://` migrates and serves.

use scaidns_tests::db::TestDb;
use scaidns_tests::dns;
use scaidns_tests::{TestOptions, spawn_app_configured};

use crate::domains::{record, zone};

#[tokio::test]
async fn a_server_on_postgres_migrates_and_serves() {
    let db = TestDb::postgres().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(db.url.clone()),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let ready = app.client.health_ready(None).await.unwrap().into_inner();
    assert_eq!(ready.checks.get("database").map(String::as_str), Some("ok"));

    let z = app
        .client
        .zone_create(&zone("pg.test"))
        .await
        .unwrap()
        .into_inner();
    app.client
        .record_create(&z.id, &record("www", "A", "192.0.2.7"))
        .await
        .unwrap();
    let duplicate = app
        .client
        .record_create(&z.id, &record("www", "A", "192.0.2.7"))
        .await;
    assert!(duplicate.is_err(), "a duplicate record is refused");
    let records = app
        .client
        .record_list(&z.id, None, None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert!(records.data.iter().any(|r| r.content == "192.0.2.7"));
    let answer = dns::query(app.dns_addr.expect("embedded DNS"), "www.pg.test.", "A").await;
    assert_eq!(answer.answer_texts("A"), vec!["192.0.2.7"]);
    app.stop().await;
}
