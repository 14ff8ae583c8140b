//! Zones through the API on the embedded backend: create, read, list, update, soft delete,
//! restore and hard delete, with real DNS queries showing what is served after each step.

use scaidns_client::types::{
    DomainCreateRequest, DomainUpdateRequest, RecordCreateRequest, ZoneStatusDto,
};
use scaidns_tests::dns::{self, ResponseCode};
use scaidns_tests::spawn_app;
use serde_json::Value;

use crate::util::{error_of, located_field};

pub fn zone(name: &str) -> DomainCreateRequest {
    DomainCreateRequest {
        cidr: None,
        name: name.into(),
        domain_type: None,
        default_ttl: None,
        description: None,
        settings: None,
        skip_validation: None,
        template_id: None,
        template_variables: Default::default(),
        primaries: Vec::new(),
        tsig_algorithm: None,
        tsig_key_name: None,
        tsig_secret: None,
    }
}

pub fn record(name: &str, rtype: &str, content: &str) -> RecordCreateRequest {
    RecordCreateRequest {
        ptr: None,
        name: name.into(),
        type_: rtype.into(),
        content: content.into(),
        ttl: None,
        disabled: None,
    }
}

#[tokio::test]
async fn lifecycle_is_served_as_documented() {
    let app = spawn_app().await;
    let dns_addr = app.dns_addr.expect("embedded DNS");

    let created = app.client.zone_create(&zone("Life.Test.")).await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let z = created.into_inner();
    assert_eq!(z.name, "life.test");
    assert_eq!(
        z.status,
        ZoneStatusDto::Active,
        "platform admins skip validation"
    );
    assert!(z.validation.is_none());
    let soa = dns::query(dns_addr, "life.test.", "SOA").await;
    assert_eq!(soa.rcode, ResponseCode::NoError);
    assert!(soa.authoritative);

    app.client
        .record_create(&z.id, &record("www", "A", "192.0.2.1"))
        .await
        .unwrap();
    let a = dns::query(dns_addr, "www.life.test.", "A").await;
    assert_eq!(a.answer_texts("A"), vec!["192.0.2.1"]);

    // Reads, by id and through the list with its filters.
    assert_eq!(
        app.client.zone_get(&z.id, None).await.unwrap().name,
        "life.test"
    );
    let found = app
        .client
        .zone_list(None, None, None, None, None, Some("life"), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((found.total, found.data[0].id.as_str()), (1, z.id.as_str()));
    let pending = app
        .client
        .zone_list(
            None,
            None,
            None,
            None,
            None,
            None,
            Some(ZoneStatusDto::PendingValidation),
        )
        .await
        .unwrap();
    assert_eq!(pending.total, 0);

    // Update: description and default TTL; a TTL outside policy is refused and named.
    let updated = app
        .client
        .zone_update(
            &z.id,
            &DomainUpdateRequest {
                description: Some("walk-through".into()),
                default_ttl: Some(600),
                // A float serde_json reads one unit off unless it parses exactly.
                settings: Some(serde_json::json!({"team": "dns", "ratio": 985.6906946328695})),
            },
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.description.as_deref(), Some("walk-through"));
    assert_eq!(updated.default_ttl, 600);
    assert_eq!(updated.settings["team"], "dns");
    // As written, in the answer and when read again.
    assert_eq!(updated.settings["ratio"].as_f64(), Some(985.6906946328695));
    let read = app.client.zone_get(&z.id, None).await.unwrap().into_inner();
    assert_eq!(read.settings, updated.settings);
    let low = app
        .client
        .zone_update(
            &z.id,
            &DomainUpdateRequest {
                description: None,
                default_ttl: Some(10),
                settings: None,
            },
        )
        .await;
    let (status, body) = error_of(low);
    assert_eq!(status, 422);
    assert_eq!(
        located_field(&body),
        Some("default_ttl".to_owned()),
        "{body:?}"
    );

    // Soft delete: gone from reads and from DNS, listed with include_deleted.
    let deleted = app.client.zone_delete(&z.id, None, None).await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(error_of(app.client.zone_get(&z.id, None).await).0, 404);
    let gone = dns::query(dns_addr, "www.life.test.", "A").await;
    assert!(gone.answers.is_empty(), "{gone:?}");
    let with_deleted = app
        .client
        .zone_list(None, None, Some(true), None, None, None, None)
        .await
        .unwrap();
    assert_eq!(with_deleted.data[0].status, ZoneStatusDto::Deleted);
    assert!(with_deleted.data[0].deleted_at.is_some());

    // Restore: served again with its records.
    let restored = app.client.zone_restore(&z.id).await.unwrap().into_inner();
    assert_eq!(restored.status, ZoneStatusDto::Active);
    assert!(restored.deleted_at.is_none());
    let back = dns::query(dns_addr, "www.life.test.", "A").await;
    assert_eq!(back.answer_texts("A"), vec!["192.0.2.1"]);
    let (status, body) = error_of(app.client.zone_restore(&z.id).await);
    assert_eq!((status, body.code.as_str()), (409, "zone_not_deleted"));

    // Hard delete: nothing left, not even with include_deleted.
    app.client
        .zone_delete(&z.id, None, Some(true))
        .await
        .unwrap();
    assert_eq!(
        error_of(app.client.zone_get(&z.id, Some(true)).await).0,
        404
    );
    assert!(
        dns::query(dns_addr, "life.test.", "SOA")
            .await
            .answers
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn duplicates_and_timestamps() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone("dup.test"))
        .await
        .unwrap()
        .into_inner();
    let (status, body) = error_of(app.client.zone_create(&zone("DUP.test")).await);
    assert_eq!((status, body.code.as_str()), (409, "domain_exists"));

    // Every timestamp on the wire is UTC with a Z suffix (api-zones §1.3).
    let raw: Value = app
        .http
        .get(app.url(&format!("/api/v1/domains/{}", z.id)))
        .header("x-api-key", &app.admin_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for key in ["created_at", "updated_at", "last_synced_at"] {
        let t = raw[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {raw}"));
        assert!(t.ends_with('Z') && !t.contains("+00:00"), "{key}: {t}");
    }
    app.stop().await;
}

#[tokio::test]
async fn record_types_are_listed() {
    let app = spawn_app().await;
    let types = app.client.record_type_list().await.unwrap().into_inner();
    let names: Vec<&str> = types.data.iter().map(|t| t.type_.as_str()).collect();
    for wanted in ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS", "PTR"] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    app.stop().await;
}
