//! DNSSEC endpoints on the embedded backend: every refusal is a documented 4xx that changes
//! nothing. (Signing itself is proven against PowerDNS in the core's service scenarios,
//! `dnssec_lifecycle`, where `delv` validates the zone through both rollovers.)

use scaidns_client::types::{
    DnssecConfirmRequest, DnssecEnableRequest, DnssecStatusDto, DomainCreateRequest,
};
use scaidns_tests::spawn_app;
use serde_json::json;

use crate::util::{error_of, located_field};

fn zone(body: serde_json::Value) -> DomainCreateRequest {
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn dnssec_refusals_are_documented_and_change_nothing() {
    let app = spawn_app().await;
    let z = app
        .client
        .zone_create(&zone(json!({"name": "sign.test"})))
        .await
        .unwrap()
        .into_inner();

    let status = app.client.dnssec_get(&z.id).await.unwrap().into_inner();
    assert!(!status.enabled);
    assert_eq!(status.status, DnssecStatusDto::Disabled);
    assert!(status.ksk.is_empty() && status.zsk.is_empty() && status.ds_records.is_empty());

    let (code, body) = error_of(
        app.client
            .dnssec_enable(&z.id, &DnssecEnableRequest { algorithm: Some(7) })
            .await,
    );
    assert_eq!((code, body.code.as_str()), (422, "unsupported_algorithm"));
    assert_eq!(located_field(&body).as_deref(), Some("algorithm"));

    // The embedded backend cannot sign, and says what can.
    let (code, body) = error_of(
        app.client
            .dnssec_enable(&z.id, &DnssecEnableRequest { algorithm: None })
            .await,
    );
    assert_eq!((code, body.code.as_str()), (409, "dnssec_unsupported"));
    assert!(
        body.detail.to_string().contains("PowerDNS"),
        "{:?}",
        body.detail
    );

    let (code, body) = error_of(app.client.dnssec_rotate_zsk(&z.id).await);
    assert_eq!((code, body.code.as_str()), (409, "dnssec_not_enabled"));
    let (code, body) = error_of(app.client.dnssec_rotate_ksk(&z.id).await);
    assert_eq!((code, body.code.as_str()), (409, "dnssec_not_enabled"));
    let (code, body) = error_of(app.client.dnssec_disable(&z.id, None).await);
    assert_eq!((code, body.code.as_str()), (409, "dnssec_not_enabled"));
    let (code, body) = error_of(
        app.client
            .dnssec_confirm_ds(
                &z.id,
                &DnssecConfirmRequest {
                    key_tag: Some(12345),
                },
            )
            .await,
    );
    assert_eq!((code, body.code.as_str()), (409, "dnssec_not_enabled"));

    let after = app.client.zone_get(&z.id, None).await.unwrap().into_inner();
    assert!(!after.dnssec_enabled);
    assert_eq!(
        app.client
            .dnssec_get(&z.id)
            .await
            .unwrap()
            .into_inner()
            .status,
        DnssecStatusDto::Disabled
    );

    // Any DNSSEC call on a zone that is not active: 409 zone_not_active.
    let pending = app
        .client
        .zone_create(&zone(
            json!({"name": "pending-sign.test", "skip_validation": false}),
        ))
        .await
        .unwrap()
        .into_inner();
    let (code, body) = error_of(app.client.dnssec_get(&pending.id).await);
    assert_eq!((code, body.code.as_str()), (409, "zone_not_active"));
    let (code, body) = error_of(
        app.client
            .dnssec_enable(&pending.id, &DnssecEnableRequest { algorithm: None })
            .await,
    );
    assert_eq!((code, body.code.as_str()), (409, "zone_not_active"));

    // Someone else's zone is not found.
    let other = app.tenant_with_user("dnssec-other").await;
    let (code, _) = error_of(other.client.dnssec_get(&z.id).await);
    assert_eq!(code, 404);
}
