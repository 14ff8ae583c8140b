//! A record row that cannot be read back is skipped in lists, never a 500.

use scaidns_tests::{TestOptions, spawn_app_configured};

use crate::domains::{record, zone};

#[tokio::test]
async fn a_record_row_that_cannot_be_read_back_does_not_break_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corrupt.sqlite3");
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(format!("sqlite:{}", path.display())),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let z = app
        .client
        .zone_create(&zone("corrupt.example"))
        .await
        .unwrap()
        .into_inner();
    let good = app
        .client
        .record_create(&z.id, &record("www", "A", "192.0.2.1"))
        .await
        .unwrap()
        .into_inner();

    // What the old code stored for `x。`: a name with an empty label. Inserted by hand, as a
    // row written before the checks existed would be.
    {
        use sqlx::{AssertSqlSafe, Connection};
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
            .await
            .unwrap();
        let columns = "zone_id, name, rtype, content, content_hash, ttl, disabled, is_system, created_at, updated_at";
        let sql = format!(
            "INSERT INTO records (id, {columns}) SELECT '{}', zone_id, 'x..corrupt.example', rtype, \
             content, 'corrupt', ttl, disabled, is_system, created_at, updated_at FROM records WHERE id = '{}'",
            uuid::Uuid::new_v4(),
            good.id
        );
        sqlx::query(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }

    let listed = app
        .client
        .record_list(&z.id, None, None, None, None, None, None)
        .await
        .expect("the list answers despite the bad row")
        .into_inner();
    let names: Vec<&str> = listed.data.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["www.corrupt.example"]);

    // The zone stays usable: records can still be added and the zone is served.
    app.client
        .record_create(&z.id, &record("api", "A", "192.0.2.2"))
        .await
        .unwrap();
    let dns_addr = app.dns_addr.expect("embedded DNS");
    let api = scaidns_tests::dns::query(dns_addr, "api.corrupt.example.", "A").await;
    assert_eq!(api.answer_texts("A"), vec!["192.0.2.2"]);
    app.stop().await;
}
