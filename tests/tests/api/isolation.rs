//! A tenant can neither see nor change another tenant's zones, records, challenges or keys:
//! every such attempt is a 404, exactly as for an id that does not exist.

use scaidns_client::types::{DomainUpdateRequest, RecordUpdateRequest, ValidationCreateRequest};
use scaidns_tests::spawn_app;

use crate::domains::{record, zone};
use crate::util::error_of;

#[tokio::test]
async fn tenants_cannot_reach_each_others_zones_records_or_keys() {
    let app = spawn_app().await;
    let alice = app.tenant_with_user("alice").await;
    let bob = app.tenant_with_user("bob").await;

    let z = alice
        .client
        .zone_create(&zone("alice.test"))
        .await
        .unwrap()
        .into_inner();
    let r = alice
        .client
        .record_create(&z.id, &record("www", "A", "192.0.2.1"))
        .await
        .unwrap()
        .into_inner();

    // Bob sees nothing of Alice's.
    let bobs = bob
        .client
        .zone_list(None, None, Some(true), None, None, None, None)
        .await
        .unwrap();
    assert_eq!(bobs.total, 0);
    let c = &bob.client;
    let not_found = |status: u16, what: &str| assert_eq!(status, 404, "{what}");
    not_found(error_of(c.zone_get(&z.id, Some(true)).await).0, "zone_get");
    not_found(
        error_of(
            c.record_list(&z.id, None, None, None, None, None, None)
                .await,
        )
        .0,
        "record_list",
    );
    not_found(error_of(c.record_get(&z.id, &r.id).await).0, "record_get");
    not_found(error_of(c.validation_get(&z.id).await).0, "validation_get");

    // Nor can he change any of it.
    let upd = DomainUpdateRequest {
        description: Some("mine now".into()),
        default_ttl: None,
        settings: None,
    };
    not_found(error_of(c.zone_update(&z.id, &upd).await).0, "zone_update");
    not_found(
        error_of(
            c.record_create(&z.id, &record("evil", "A", "192.0.2.66"))
                .await,
        )
        .0,
        "record_create",
    );
    let rec_upd = RecordUpdateRequest {
        ptr: None,
        content: Some("192.0.2.66".into()),
        ttl: None,
        disabled: None,
    };
    not_found(
        error_of(c.record_update(&z.id, &r.id, &rec_upd).await).0,
        "record_update",
    );
    not_found(
        error_of(c.record_delete(&z.id, &r.id).await).0,
        "record_delete",
    );
    not_found(
        error_of(
            c.validation_create(
                &z.id,
                &ValidationCreateRequest {
                    validation_type: None,
                },
            )
            .await,
        )
        .0,
        "validation_create",
    );
    not_found(
        error_of(c.validation_check(&z.id).await).0,
        "validation_check",
    );
    not_found(
        error_of(c.validation_cancel(&z.id).await).0,
        "validation_cancel",
    );
    not_found(
        error_of(c.zone_delete(&z.id, None, None).await).0,
        "zone_delete",
    );
    not_found(
        error_of(c.zone_delete(&z.id, None, Some(true)).await).0,
        "hard delete",
    );
    not_found(error_of(c.zone_restore(&z.id).await).0, "zone_restore");

    // Alice's record id under Bob's own zone is just as unknown.
    let bz = c.zone_create(&zone("bob.test")).await.unwrap().into_inner();
    not_found(
        error_of(c.record_get(&bz.id, &r.id).await).0,
        "foreign record, own zone",
    );
    not_found(
        error_of(c.record_delete(&bz.id, &r.id).await).0,
        "foreign record delete",
    );

    // Keys: Bob cannot see, revoke or delete Alice's.
    let keys = c
        .api_key_list(None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert!(keys.data.iter().all(|k| k.id != alice.key_id));
    not_found(
        error_of(c.api_key_get(&alice.key_id).await).0,
        "api_key_get",
    );
    not_found(
        error_of(c.api_key_revoke(&alice.key_id).await).0,
        "api_key_revoke",
    );
    not_found(
        error_of(c.api_key_delete(&alice.key_id).await).0,
        "api_key_delete",
    );

    // And everything of Alice's is intact.
    let still = alice
        .client
        .record_get(&z.id, &r.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(still.content, "192.0.2.1");
    assert!(
        alice
            .client
            .zone_get(&z.id, None)
            .await
            .unwrap()
            .description
            .is_none()
    );
    alice
        .client
        .api_key_list(None, None, None, None)
        .await
        .expect("Alice's key still works");

    // The platform admin sees both tenants' zones.
    let all = app
        .client
        .zone_list(None, None, None, None, None, None, None)
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_tenant_validates_before_its_zone_is_served() {
    let app = spawn_app().await;
    let carol = app.tenant_with_user("carol").await;
    let created = carol
        .client
        .zone_create(&zone("carol.test"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.status.to_string(), "pending_validation");
    let v = created.validation.expect("challenge on creation");
    assert_eq!(v.dns_record.name, "_scaidns-verify.carol.test");
    assert_eq!(v.dns_record.type_, "TXT");
    assert!(v.dns_record.value.contains(&v.challenge_value));

    // Skipping validation is for callers holding validation_bypass only.
    let mut skip = zone("carol2.test");
    skip.skip_validation = Some(true);
    let (status, _) = error_of(carol.client.zone_create(&skip).await);
    assert_eq!(status, 403);

    // The development default has no resolvers: the check says so and the zone stays pending.
    let check = carol
        .client
        .validation_check(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(!check.is_valid);
    assert!(
        check.message.contains("VALIDATION_RESOLVERS"),
        "{}",
        check.message
    );
    assert_eq!(check.domain_status, "pending_validation");
    let latest = carol
        .client
        .validation_get(&created.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(latest.status.to_string(), "failed");
    assert!(latest.checked_at.is_some());
    app.stop().await;
}
