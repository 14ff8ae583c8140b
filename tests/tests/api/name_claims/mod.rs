//! Who holds a name (issue 8, items 3 and 4), attacked through the API: a pending claim no
//! longer squats a name space, the first zone to prove ownership wins and every later
//! activation (validation, skip_validation, restore) is refused with the reason. The other
//! topics are in their own files: abandoned pending zones removed by the worker
//! (`abandoned_zones`), names written with Unicode full stops checked as the DNS reads them
//! (`unicode_full_stops`), and a record row that cannot be read back skipped, never a 500
//! (`unreadable_records`).

mod abandoned_zones;
mod unicode_full_stops;
mod unreadable_records;

use scaidns_client::types::{DomainCreateRequest, ZoneStatusDto};
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestOptions, spawn_app, spawn_app_configured};

use crate::domains::zone;
use crate::powerdns::provider_zone;
use crate::util::error_of;

fn skipping(name: &str) -> DomainCreateRequest {
    DomainCreateRequest {
        cidr: None,
        skip_validation: Some(true),
        template_id: None,
        template_variables: Default::default(),
        ..zone(name)
    }
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
