//! Who holds a name (issue 8, items 3 and 4), attacked through the API: a pending claim no
//! longer squats a name space, the first zone to prove ownership wins and every later
//! activation (validation, skip_validation, restore) is refused with the reason, abandoned
//! pending zones are removed by the worker, and names written with Unicode full stops are
//! checked as the DNS reads them. A record row that cannot be read back is skipped, never a 500.

use std::sync::Arc;

use chrono::Duration;
use reqwest::Method;
use scaidns_client::types::{DomainCreateRequest, ZoneStatusDto};
use scaidns_core::adapters::embedded::EmbeddedBackend;
use scaidns_core::adapters::resolver::HickoryResolver;
use scaidns_core::adapters::sql::SqlStore;
use scaidns_core::ports::ManualClock;
use scaidns_core::service::worker::WorkerConfig;
use scaidns_core::service::{ScaiDns, ServiceConfig};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestOptions, spawn_app, spawn_app_configured};
use serde_json::{Value, json};

use crate::domains::{record, zone};
use crate::powerdns::provider_zone;
use crate::util::error_of;

/// The IDNA label separators besides '.': ideographic, fullwidth and halfwidth ideographic
/// full stops.
const FULL_STOPS: [char; 3] = ['\u{3002}', '\u{FF0E}', '\u{FF61}'];

fn skipping(name: &str) -> DomainCreateRequest {
    DomainCreateRequest {
        skip_validation: Some(true),
        ..zone(name)
    }
}

async fn raw(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, app.url(path))
        .header("x-api-key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_pending_claim_does_not_squat_a_name_space() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("squatter").await;
    let b = app.tenant_with_user("owner").await;
    let squat = a
        .client
        .zone_create(&zone("squat.example"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(squat.status, ZoneStatusDto::PendingValidation);

    // Below, above and the same name: all free while A has proven nothing.
    for name in [
        "app.squat.example",
        "squat.example",
        "deep.app.squat.example",
    ] {
        let created = b.client.zone_create(&zone(name)).await;
        let created = created.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(created.status().as_u16(), 201, "{name}");
        assert_eq!(
            created.into_inner().status,
            ZoneStatusDto::PendingValidation
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_first_zone_to_prove_ownership_wins() {
    let provider = PdnsServer::start().await;
    let resolver = provider.dns_addr;
    let app = spawn_app_configured(TestOptions::default(), |c| {
        c.validation_resolvers = vec![resolver];
        c.validation_nameserver_port = resolver.port();
    })
    .await;
    let a = app.tenant_with_user("first").await;
    let b = app.tenant_with_user("second").await;
    let c = app.tenant_with_user("third").await;

    // Three pending claims: A's zone, B's zone inside it, C's zone of the same name.
    let a_zone = a
        .client
        .zone_create(&zone("race.example"))
        .await
        .unwrap()
        .into_inner();
    let b_zone = b
        .client
        .zone_create(&zone("app.race.example"))
        .await
        .unwrap()
        .into_inner();
    let c_zone = c
        .client
        .zone_create(&zone("race.example"))
        .await
        .unwrap()
        .into_inner();

    // A proves ownership first and goes live.
    let a_challenge = a_zone.validation.clone().expect("challenge");
    provider_zone(
        &provider,
        "race.example",
        Some(&a_challenge.dns_record.value),
    )
    .await;
    let passed = a
        .client
        .validation_check(&a_zone.id)
        .await
        .unwrap()
        .into_inner();
    assert!(passed.is_valid, "{}", passed.message);
    assert_eq!(passed.domain_status, "active");

    // B's and C's checks are refused with the reason, before any DNS is asked, and their
    // zones stay pending.
    let (status, body) = error_of(b.client.validation_check(&b_zone.id).await);
    assert_eq!(
        (status, body.code.as_str()),
        (409, "zone_overlap"),
        "{body:?}"
    );
    let detail = body.detail.to_string();
    assert!(
        detail.contains("app.race.example overlaps") && detail.contains("first"),
        "{detail}"
    );
    let (status, body) = error_of(c.client.validation_check(&c_zone.id).await);
    assert_eq!(
        (status, body.code.as_str()),
        (409, "zone_taken"),
        "{body:?}"
    );
    assert!(
        body.detail.to_string().contains("went live first"),
        "{body:?}"
    );
    for (client, id) in [(&b.client, &b_zone.id), (&c.client, &c_zone.id)] {
        let z = client.zone_get(id, None).await.unwrap().into_inner();
        assert_eq!(z.status, ZoneStatusDto::PendingValidation);
    }

    // Now that the name space is live, new claims in it are refused at creation.
    let (status, body) = error_of(b.client.zone_create(&zone("www.race.example")).await);
    assert_eq!((status, body.code.as_str()), (409, "zone_overlap"));
    let (status, body) = error_of(b.client.zone_create(&zone("RACE.example.")).await);
    assert_eq!((status, body.code.as_str()), (409, "zone_taken"));
    app.stop().await;
}

/// Every other way a zone goes live is checked the same way: creating with skip_validation
/// (a tenant holding validation_bypass) and restoring a deleted zone.
#[tokio::test]
async fn skip_validation_and_restore_cannot_take_a_live_name_space() {
    let app = spawn_app().await;
    let a = app.tenant_with_user("holder").await;
    let b = app.tenant_with_user("latecomer").await;
    for t in [&a, &b] {
        app.assign_role(&t.user_id, "validation_bypass", &t.tenant_id)
            .await;
    }

    // B served moved.example, then deleted it; A took a name inside it meanwhile.
    let moved = b
        .client
        .zone_create(&skipping("moved.example"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.status, ZoneStatusDto::Active);
    b.client.zone_delete(&moved.id, None, None).await.unwrap();
    let www = a
        .client
        .zone_create(&skipping("www.moved.example"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(www.status, ZoneStatusDto::Active);

    let (status, body) = error_of(b.client.zone_restore(&moved.id).await);
    assert_eq!(
        (status, body.code.as_str()),
        (409, "zone_overlap"),
        "{body:?}"
    );
    assert!(
        body.detail.to_string().contains("moved.example overlaps"),
        "{body:?}"
    );
    let still = b
        .client
        .zone_get(&moved.id, Some(true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(still.status, ZoneStatusDto::Deleted);

    // skip_validation from a tenant that may skip it still cannot reach into A's live zone.
    let (status, body) = error_of(
        b.client
            .zone_create(&skipping("api.www.moved.example"))
            .await,
    );
    assert_eq!((status, body.code.as_str()), (409, "zone_overlap"));
    let (status, body) = error_of(b.client.zone_create(&skipping("www.moved.example")).await);
    assert_eq!((status, body.code.as_str()), (409, "zone_taken"));
    // A platform admin may place a zone across tenants, but never a second live zone of a name.
    let admin_zone = app
        .client
        .zone_create(&zone("api.www.moved.example"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(admin_zone.status, ZoneStatusDto::Active);
    let (status, body) = error_of(app.client.zone_create(&zone("www.moved.example")).await);
    assert_eq!((status, body.code.as_str()), (409, "zone_taken"));
    app.stop().await;
}

#[tokio::test]
async fn the_worker_removes_abandoned_pending_zones() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("claims.sqlite3").display());
    let app = spawn_app_configured(
        TestOptions {
            database_url: Some(url.clone()),
            ..TestOptions::default()
        },
        |_| {},
    )
    .await;
    let a = app.tenant_with_user("abandoner").await;
    let pending = a
        .client
        .zone_create(&zone("abandoned.example"))
        .await
        .unwrap()
        .into_inner();
    let expires_at = pending.validation.clone().expect("challenge").expires_at;

    // A worker on the same database whose clock the test moves.
    let clock = Arc::new(ManualClock::new(
        expires_at + Duration::days(7) - Duration::hours(1),
    ));
    let store = SqlStore::connect(&url).await.unwrap();
    let worker = ScaiDns::new(
        Arc::new(store),
        Arc::new(EmbeddedBackend::new()),
        Arc::new(HickoryResolver::new()),
        clock.clone(),
        ServiceConfig::default(),
    );
    let config = WorkerConfig::new("name-claims-test");
    let outcome = |runs: Vec<scaidns_core::service::worker::JobRun>| {
        runs.into_iter()
            .find(|r| r.job == "purge_abandoned_zones")
            .expect("the job ran")
            .outcome
    };

    // Expired for less than PENDING_ZONE_RETENTION_DAYS (7): kept.
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(
        outcome(runs),
        Ok("0 abandoned pending zones removed".to_owned())
    );
    assert!(a.client.zone_get(&pending.id, None).await.is_ok());

    clock.advance(Duration::hours(2));
    let runs = worker.worker_run_once(&config).await.unwrap();
    assert_eq!(
        outcome(runs),
        Ok("1 abandoned pending zones removed".to_owned())
    );
    let (status, _) = error_of(a.client.zone_get(&pending.id, Some(true)).await);
    assert_eq!(status, 404);

    // One audit entry, in the zone's tenant, by the system.
    let (status, body) = raw(
        &app,
        &app.admin_key,
        Method::GET,
        "/api/v1/admin/audit-logs?action=domain.expire",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let entries = body["data"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{body}");
    assert_eq!(entries[0]["tenant_id"], a.tenant_id.as_str());
    assert_eq!(entries[0]["resource_id"], pending.id.as_str());
    assert_eq!(entries[0]["actor_type"], "system");

    // The name is free again for anyone.
    let again = a.client.zone_create(&zone("abandoned.example")).await;
    assert_eq!(again.unwrap().status().as_u16(), 201);
    app.stop().await;
}

#[tokio::test]
async fn unicode_full_stops_are_label_separators_everywhere() {
    let app = spawn_app().await;
    let b = app.tenant_with_user("unicode").await;
    // Another tenant (the platform's) serves victim.example.
    let victim = app
        .client
        .zone_create(&zone("victim.example"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(victim.status, ZoneStatusDto::Active);
    let own = b
        .client
        .zone_create(&zone("own.example"))
        .await
        .unwrap()
        .into_inner();
    let records = format!("/api/v1/domains/{}/records", own.id);

    for stop in FULL_STOPS {
        // Zone names: the overlap and the taken name are seen through the mapping.
        let (status, body) = error_of(
            b.client
                .zone_create(&zone(&format!("sub.victim.example{stop}")))
                .await,
        );
        assert_eq!(
            (status, body.code.as_str()),
            (409, "zone_overlap"),
            "{stop:?}"
        );
        let (status, body) = error_of(
            b.client
                .zone_create(&zone(&format!("sub{stop}victim{stop}example")))
                .await,
        );
        assert_eq!(
            (status, body.code.as_str()),
            (409, "zone_overlap"),
            "{stop:?}"
        );
        let (status, body) = error_of(
            b.client
                .zone_create(&zone(&format!("victim{stop}example{stop}")))
                .await,
        );
        assert_eq!(
            (status, body.code.as_str()),
            (409, "zone_taken"),
            "{stop:?}"
        );
        for bad in [
            format!("a{stop}{stop}b.example"),
            format!("x.example{stop}{stop}"),
        ] {
            let (status, body) = error_of(b.client.zone_create(&zone(&bad)).await);
            assert_eq!(
                (status, body.code.as_str()),
                (422, "invalid_domain_name"),
                "{bad:?}"
            );
        }

        // Record names: `x。` is the absolute `x.`, outside the zone; nothing odd is stored.
        for bad in [
            format!("x{stop}"),
            format!("x{stop}{stop}"),
            format!("{stop}x"),
        ] {
            let (status, body) = raw(
                &app,
                &b.key,
                Method::POST,
                &records,
                Some(json!({"name": bad, "type": "A", "content": "192.0.2.1"})),
            )
            .await;
            assert_eq!(status, 422, "{bad:?}: {body}");
        }
        let label = format!("l{}", u32::from(stop));
        let created = b
            .client
            .record_create(
                &own.id,
                &record(
                    &format!("a{stop}{label}"),
                    "CNAME",
                    &format!("target{stop}example{stop}net{stop}"),
                ),
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(created.name, format!("a.{label}.own.example"));
        assert_eq!(created.content, "target.example.net.");
        let absolute = b
            .client
            .record_create(
                &own.id,
                &record(
                    &format!("b{stop}{label}{stop}own{stop}example{stop}"),
                    "A",
                    "192.0.2.2",
                ),
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(absolute.name, format!("b.{label}.own.example"));
        let mx = b
            .client
            .record_create(
                &own.id,
                &record(
                    "@",
                    "MX",
                    &format!("10 mail{stop}{label}{stop}example{stop}"),
                ),
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(mx.content, format!("10 mail.{label}.example."));
    }

    // Grant patterns are mapped like names.
    let (status, user) = raw(
        &app,
        &app.admin_key,
        Method::POST,
        "/api/v1/admin/users",
        Some(json!({"email": "grantee@unicode.test", "tenant_id": b.tenant_id})),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let grants = format!("/api/v1/domains/{}/access-grants", own.id);
    for (i, stop) in FULL_STOPS.iter().enumerate() {
        let (status, grant) = raw(
            &app,
            &b.key,
            Method::POST,
            &grants,
            Some(
                json!({"grant_type": "user", "grantee_id": user["id"], "role": "record_editor",
                "record_pattern": format!("*{stop}dev{i}{stop}")}),
            ),
        )
        .await;
        assert_eq!(status, 201, "{grant}");
        assert_eq!(grant["record_pattern"], format!("*.dev{i}"));
        let (status, body) = raw(
            &app,
            &b.key,
            Method::POST,
            &grants,
            Some(
                json!({"grant_type": "user", "grantee_id": user["id"], "role": "record_editor",
                "record_pattern": format!("a{stop}{stop}b")}),
            ),
        )
        .await;
        assert_eq!(status, 422, "{body}");
    }

    // The record list stays readable and holds only canonical names.
    let (status, body) = raw(&app, &b.key, Method::GET, &records, None).await;
    assert_eq!(status, 200, "{body}");
    for r in body["data"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        assert!(name.is_ascii() && !name.contains(".."), "{name}");
    }
    app.stop().await;
}

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
        .record_list(&z.id, None, None, None)
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
