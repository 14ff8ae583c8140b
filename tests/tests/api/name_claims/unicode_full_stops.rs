//! Names written with Unicode full stops (IDNA label separators) are checked as the DNS reads
//! them, everywhere a name enters.

use reqwest::Method;
use scaidns_client::types::ZoneStatusDto;
use scaidns_tests::spawn_app;
use serde_json::json;

use crate::domains::{record, zone};
use crate::util::{call as raw, error_of};

/// The IDNA label separators besides '.': ideographic, fullwidth and halfwidth ideographic
/// full stops.
const FULL_STOPS: [char; 3] = ['\u{3002}', '\u{FF0E}', '\u{FF61}'];

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
