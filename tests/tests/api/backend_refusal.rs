//! A change PowerDNS refuses for good after ScaiDNS committed it is rolled back: its writer is
//! answered 502 `backend_rejected` and finds nothing changed, PowerDNS serves what the store
//! holds, and the zone ends `in_sync`. Writers whose changes shared the refused publication
//! are either answered with success and served, or answered 502 and absent: never 502 and
//! present. PowerDNS is made to refuse a record ScaiDNS accepts by putting a CNAME at its
//! name behind ScaiDNS's back ("Conflicts with pre-existing RRset", 422).

use std::collections::BTreeSet;

use scaidns_client::Client;
use scaidns_client::types::RecordUpdateRequest;
use scaidns_tests::db::TestDb;
use scaidns_tests::pdns::PdnsServer;
use serde_json::json;
use tokio::task::JoinSet;

use crate::concurrent_writes::{app_on, live_zone, served};
use crate::domains::record;
use crate::util::error_of;

const VALID_WRITERS: usize = 8;

/// Puts a CNAME at `name` in PowerDNS only (in place of its A RRset), so an A record there is
/// refused.
async fn cname_behind_our_back(pdns: &PdnsServer, zone: &str, name: &str) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}/api/v1/servers/localhost/zones/{zone}.", pdns.api_url);
    let delete_a = json!({"name": format!("{name}."), "type": "A", "changetype": "DELETE"});
    let add_cname = json!({"name": format!("{name}."), "type": "CNAME", "ttl": 60,
        "changetype": "REPLACE",
        "records": [{"content": "elsewhere.example.net.", "disabled": false}]});
    // Two requests: PowerDNS checks a CNAME against the RRsets stored before the request.
    for rrset in [delete_a, add_cname] {
        let resp = http
            .patch(&url)
            .header("X-API-Key", &pdns.api_key)
            .json(&json!({ "rrsets": [rrset] }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{:?}", resp.text().await);
    }
}

/// The store's (name, type, content) of `zone_id`, system records apart.
async fn stored(client: &Client, zone_id: &str) -> BTreeSet<(String, String, String)> {
    let list = client
        .record_list(zone_id, Some(false), None, None)
        .await
        .unwrap()
        .into_inner();
    list.data
        .into_iter()
        .map(|r| (r.name, r.type_, r.content))
        .collect()
}

async fn sync_status(client: &Client, zone_id: &str) -> String {
    let zone = client.zone_get(zone_id, None).await.unwrap().into_inner();
    zone.sync_status.to_string()
}

async fn refused_change_is_rolled_back(database_url: Option<String>) {
    let pdns = PdnsServer::start().await;
    let app = app_on(&pdns, database_url).await;
    let c = &app.client;
    let name = "refuse.example";
    let zone_id = live_zone(c, name).await;
    c.record_create(&zone_id, &record("keep", "A", "192.0.2.1"))
        .await
        .unwrap();

    // One refused writer alone.
    cname_behind_our_back(&pdns, name, &format!("clash.{name}")).await;
    let (status, body) = error_of(
        c.record_create(&zone_id, &record("clash", "A", "192.0.2.2"))
            .await,
    );
    assert_eq!((status, body.code.as_str()), (502, "backend_rejected"));
    let keep = (
        format!("keep.{name}"),
        "A".to_owned(),
        "192.0.2.1".to_owned(),
    );
    assert_eq!(stored(c, &zone_id).await, BTreeSet::from([keep.clone()]));
    let (served_now, _) = served(&pdns, name).await;
    assert!(
        !served_now
            .keys()
            .any(|(n, _)| n == &format!("clash.{name}")),
        "{served_now:?}"
    );
    assert_eq!(
        served_now.get(&(format!("keep.{name}"), "A".to_owned())),
        Some(&vec!["192.0.2.1".to_owned()])
    );
    // The rollback republished the zone: nothing left to retry.
    assert_eq!(sync_status(c, &zone_id).await, "in_sync");
    // It is audited, after the refused create.
    let rollbacks = c
        .audit_list(
            Some("record.rollback"),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    let names: Vec<Option<String>> = rollbacks
        .data
        .into_iter()
        .map(|e| e.resource_name)
        .collect();
    assert_eq!(names, vec![Some(format!("clash.{name}"))]);

    // A refused update and a refused delete leave the records as they were.
    let upd = c
        .record_create(&zone_id, &record("upd", "A", "192.0.2.10"))
        .await
        .unwrap()
        .into_inner();
    let pair = c
        .record_create(&zone_id, &record("pair", "A", "192.0.2.20"))
        .await
        .unwrap()
        .into_inner();
    c.record_create(&zone_id, &record("pair", "A", "192.0.2.21"))
        .await
        .unwrap();
    let before = stored(c, &zone_id).await;
    cname_behind_our_back(&pdns, name, &format!("upd.{name}")).await;
    let update = RecordUpdateRequest {
        content: Some("192.0.2.11".to_owned()),
        ttl: None,
        disabled: None,
    };
    let (status, body) = error_of(c.record_update(&zone_id, &upd.id, &update).await);
    assert_eq!((status, body.code.as_str()), (502, "backend_rejected"));
    assert_eq!(stored(c, &zone_id).await, before);
    cname_behind_our_back(&pdns, name, &format!("pair.{name}")).await;
    let (status, body) = error_of(c.record_delete(&zone_id, &pair.id).await);
    assert_eq!((status, body.code.as_str()), (502, "backend_rejected"));
    assert_eq!(stored(c, &zone_id).await, before);
    let (served_now, _) = served(&pdns, name).await;
    assert_eq!(
        served_now.get(&(format!("upd.{name}"), "A".to_owned())),
        Some(&vec!["192.0.2.10".to_owned()])
    );
    assert_eq!(
        served_now.get(&(format!("pair.{name}"), "A".to_owned())),
        Some(&vec!["192.0.2.20".to_owned(), "192.0.2.21".to_owned()])
    );
    assert!(
        !served_now.keys().any(|(_, t)| t == "CNAME"),
        "{served_now:?}"
    );
    assert_eq!(sync_status(c, &zone_id).await, "in_sync");

    // A refused writer among valid ones: whoever shared its publication is either answered
    // with success and served, or answered 502 and absent.
    cname_behind_our_back(&pdns, name, &format!("clash2.{name}")).await;
    let mut writers = JoinSet::new();
    for w in 0..=VALID_WRITERS {
        let client = c.clone();
        let zone_id = zone_id.clone();
        writers.spawn(async move {
            let (host, content) = if w == VALID_WRITERS {
                ("clash2".to_owned(), "192.0.2.3".to_owned())
            } else {
                (format!("ok{w}"), format!("198.51.100.{w}"))
            };
            let result = client
                .record_create(&zone_id, &record(&host, "A", &content))
                .await;
            let outcome = match result {
                Ok(_) => None,
                Err(e) => {
                    let (status, body) = error_of::<()>(Err(e));
                    Some((status, body.code))
                }
            };
            (host, content, outcome)
        });
    }
    let outcomes = writers.join_all().await;
    let stored_now = stored(c, &zone_id).await;
    let (served_now, _) = served(&pdns, name).await;
    let mut succeeded = 0;
    for (host, content, outcome) in outcomes {
        let fqdn = format!("{host}.{name}");
        let in_store = stored_now.contains(&(fqdn.clone(), "A".to_owned(), content.clone()));
        let is_served = served_now
            .get(&(fqdn.clone(), "A".to_owned()))
            .is_some_and(|v| v.contains(&content));
        match outcome {
            None => {
                assert_ne!(host, "clash2", "the refused record was accepted");
                assert!(in_store && is_served, "{fqdn}: answered 201 but missing");
                succeeded += 1;
            }
            Some((status, code)) => {
                assert_eq!((status, code.as_str()), (502, "backend_rejected"), "{fqdn}");
                assert!(!in_store && !is_served, "{fqdn}: answered 502 but present");
            }
        }
    }
    assert!(before.is_subset(&stored_now));
    assert_eq!(stored_now.len(), before.len() + succeeded, "{stored_now:?}");
    assert_eq!(sync_status(c, &zone_id).await, "in_sync");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_change_on_sqlite_is_rolled_back() {
    refused_change_is_rolled_back(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_change_on_mariadb_is_rolled_back() {
    let db = TestDb::mysql().await;
    refused_change_is_rolled_back(Some(db.url.clone())).await;
}
