//! Reverse zones and PTRs shared between hosts and tenants (review of issue 10 item 1): a
//! forward delete removes only its own PTR at an address another host's PTR shares, and RFC 2317
//! sibling blocks of one /24 cannot overlap across tenants.

use reqwest::Method;
use serde_json::json;

use crate::reverse_zones::{add_ptr, bypassing_tenant, powerdns_app, ptr_answer, reverse_zone};
use crate::util::{call, ok, refused};

#[tokio::test]
async fn deleting_an_address_record_keeps_other_hosts_ptrs_at_that_address() {
    let (pdns, app) = powerdns_app().await;
    let a = bypassing_tenant(&app, "sharedptr").await;
    let reverse = reverse_zone(&app, &a, "192.0.2.0/24").await;
    let reverse = reverse["id"].as_str().unwrap();
    let forward = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "example.com"}),
    )
    .await;
    let records = format!(
        "/api/v1/domains/{}/records",
        forward["id"].as_str().unwrap()
    );
    let www = ok(
        &app,
        &a.key,
        Method::POST,
        &records,
        json!({"name": "www", "type": "A", "content": "192.0.2.70", "ptr": true}),
    )
    .await;
    // A second host's PTR at the same address, written as a plain record.
    ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/domains/{reverse}/records"),
        json!({"name": "70", "type": "PTR", "content": "other.example.net."}),
    )
    .await;
    let mut both = ptr_answer(&pdns, "70.2.0.192.in-addr.arpa.").await;
    both.sort();
    assert_eq!(both, ["other.example.net.", "www.example.com."]);

    let (status, body) = call(
        &app,
        &a.key,
        Method::DELETE,
        &format!("{records}/{}", www["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        ptr_answer(&pdns, "70.2.0.192.in-addr.arpa.").await,
        ["other.example.net."]
    );
    let (_, list) = call(
        &app,
        &a.key,
        Method::GET,
        &format!("/api/v1/reverse-zones/{reverse}/ptr"),
        None,
    )
    .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["data"][0]["hostname"], "other.example.net.", "{list}");
    // An IPv4-mapped IPv6 address is the IPv4 address.
    let (status, _) = add_ptr(&app, &a.key, reverse, "::ffff:192.0.2.71", "m.example.com").await;
    assert_eq!(status, 201);
    assert_eq!(
        ptr_answer(&pdns, "71.2.0.192.in-addr.arpa.").await,
        ["m.example.com."]
    );
    app.stop().await;
}

#[tokio::test]
async fn classless_sibling_blocks_cannot_overlap_another_tenants_block() {
    let (_pdns, app) = powerdns_app().await;
    let a = bypassing_tenant(&app, "classlessa").await;
    let b = bypassing_tenant(&app, "classlessb").await;
    reverse_zone(&app, &a, "192.0.2.0/26").await;

    // Overlapping blocks whose names do not nest: refused for another tenant.
    for cidr in ["192.0.2.0/25", "192.0.2.32/27", "192.0.2.0/26"] {
        let got = call(
            &app,
            &b.key,
            Method::POST,
            "/api/v1/reverse-zones",
            Some(json!({ "cidr": cidr })),
        )
        .await;
        assert_eq!(got.0, 409, "{cidr}: {}", got.1);
        assert!(
            matches!(got.1["code"].as_str(), Some("zone_overlap" | "zone_taken")),
            "{cidr}: {}",
            got.1
        );
    }
    refused(
        call(
            &app,
            &b.key,
            Method::POST,
            "/api/v1/reverse-zones",
            Some(json!({ "cidr": "192.0.2.0/25" })),
        )
        .await,
        409,
        "zone_overlap",
    );
    // A sibling that does not overlap is free.
    reverse_zone(&app, &b, "192.0.2.64/26").await;
    let (_, list) = call(&app, &b.key, Method::GET, "/api/v1/reverse-zones", None).await;
    assert_eq!(list["total"], 1, "{list}");
    app.stop().await;
}
