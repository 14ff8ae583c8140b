//! Reverse zones from a CIDR block and PTRs by address (issue 10 item 1, spec §8): the plan of a
//! block and every way a block is refused; PTRs made by address answered by live PowerDNS for
//! a /24, an RFC 2317 /26 through its parent's CNAMEs, and an IPv6 /48; `ptr_exists` and
//! `replace`; atomic bulk writes; lookups; and what another tenant cannot do.

use reqwest::Method;
use scaidns_tests::dns;
use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{
    TenantUser, TestApp, TestBackend, TestOptions, spawn_app, spawn_app_configured,
};
use serde_json::{Value, json};

use crate::util::{call, ok, refused};

pub(crate) async fn powerdns_app() -> (PdnsServer, TestApp) {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |_| {},
    )
    .await;
    (pdns, app)
}

/// A tenant whose user may skip validation (its zones are active at once).
pub(crate) async fn bypassing_tenant(app: &TestApp, slug: &str) -> TenantUser {
    let tenant = app.tenant_with_user(slug).await;
    ok(
        app,
        &app.admin_key,
        Method::POST,
        &format!("/api/v1/roles/users/{}", tenant.user_id),
        json!({"role_name": "validation_bypass", "scope": "tenant", "scope_id": tenant.tenant_id}),
    )
    .await;
    tenant
}

pub(crate) async fn reverse_zone(app: &TestApp, tenant: &TenantUser, cidr: &str) -> Value {
    let zone = ok(
        app,
        &tenant.key,
        Method::POST,
        "/api/v1/reverse-zones",
        json!({"cidr": cidr}),
    )
    .await;
    assert_eq!(zone["status"], "active", "{zone}");
    zone
}

pub(crate) async fn add_ptr(
    app: &TestApp,
    key: &str,
    zone: &str,
    ip: &str,
    host: &str,
) -> (u16, Value) {
    call(
        app,
        key,
        Method::POST,
        &format!("/api/v1/reverse-zones/{zone}/ptr"),
        Some(json!({"ip": ip, "hostname": host})),
    )
    .await
}

/// What PowerDNS answers for `name PTR`: the PTR targets, following one CNAME in-server or by a
/// second query as a resolver would.
pub(crate) async fn ptr_answer(pdns: &PdnsServer, name: &str) -> Vec<String> {
    let reply = dns::query(pdns.dns_addr, name, "PTR").await;
    let ptrs = reply.answer_texts("PTR");
    if !ptrs.is_empty() {
        return ptrs;
    }
    match reply.answer_texts("CNAME").first() {
        Some(target) => dns::query(pdns.dns_addr, target, "PTR")
            .await
            .answer_texts("PTR"),
        None => Vec::new(),
    }
}

#[tokio::test]
async fn a_block_is_planned_or_refused_naming_the_problem() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let preview = |cidr: &'static str| {
        let app = &app;
        let key = key.clone();
        async move {
            call(
                app,
                &key,
                Method::POST,
                "/api/v1/reverse-zones/preview",
                Some(json!({ "cidr": cidr })),
            )
            .await
        }
    };
    let (status, body) = preview("192.0.2.0/24").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["zone_name"],
            &body["start_ip"],
            &body["end_ip"],
            &body["ip_count"],
            &body["domain_type"]
        ),
        (
            &json!("2.0.192.in-addr.arpa"),
            &json!("192.0.2.0"),
            &json!("192.0.2.255"),
            &json!(256.0),
            &json!("reverse_ipv4")
        ),
        "{body}"
    );
    let (_, body) = preview("192.0.2.64/26").await;
    assert_eq!(body["zone_name"], "64-26.2.0.192.in-addr.arpa", "{body}");
    assert_eq!(body["parent_zone"], "2.0.192.in-addr.arpa");
    let cnames = body["parent_cnames"].as_array().unwrap();
    assert_eq!(cnames.len(), 64);
    assert_eq!(
        cnames[0],
        json!({"name": "64.2.0.192.in-addr.arpa", "target": "64.64-26.2.0.192.in-addr.arpa."})
    );
    let (_, body) = preview("2001:db8:abcd::/48").await;
    assert_eq!(
        body["zone_name"], "d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa",
        "{body}"
    );
    assert_eq!(body["domain_type"], "reverse_ipv6");

    // Not on an octet boundary: the aligned zones, in the preview's refusal and the create's.
    for path in ["/api/v1/reverse-zones/preview", "/api/v1/reverse-zones"] {
        let got = call(
            &app,
            &key,
            Method::POST,
            path,
            Some(json!({"cidr": "192.0.0.0/22"})),
        )
        .await;
        assert_eq!(got.0, 422, "{}", got.1);
        assert_eq!(got.1["code"], "cidr_not_aligned", "{}", got.1);
        let zones: Vec<&str> = got.1["detail"][0]["zones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["zone_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            zones,
            [
                "0.0.192.in-addr.arpa",
                "1.0.192.in-addr.arpa",
                "2.0.192.in-addr.arpa",
                "3.0.192.in-addr.arpa"
            ]
        );
    }
    for (cidr, code) in [
        ("192.0.2.1/24", "cidr_host_bits_set"),
        ("192.0.2.0", "invalid_cidr"),
        ("banana/8", "invalid_cidr"),
        ("10.0.0.0/7", "cidr_unsupported_prefix"),
        ("2001:db8::/50", "cidr_unsupported_prefix"),
    ] {
        for path in ["/api/v1/reverse-zones/preview", "/api/v1/reverse-zones"] {
            let got = call(
                &app,
                &key,
                Method::POST,
                path,
                Some(json!({ "cidr": cidr })),
            )
            .await;
            refused(got.clone(), 422, code);
            assert_eq!(got.1["detail"][0]["loc"], json!(["body", "cidr"]), "{cidr}");
        }
    }
    // `cidr` on the forward create is refused, not dropped.
    let got = call(
        &app,
        &key,
        Method::POST,
        "/api/v1/domains",
        Some(json!({"name": "2.0.192.in-addr.arpa", "cidr": "192.0.2.0/24"})),
    )
    .await;
    refused(got, 422, "use_reverse_zones");
    let (_, zones) = call(&app, &key, Method::GET, "/api/v1/domains", None).await;
    assert_eq!(zones["total"], 0, "{zones}");
}

#[tokio::test]
async fn ptrs_made_by_address_answer_in_powerdns_for_v4_classless_and_v6() {
    let (pdns, app) = powerdns_app().await;
    let a = bypassing_tenant(&app, "isp").await;

    // A /24: made, refused twice, replaced, answered.
    let v4 = reverse_zone(&app, &a, "192.0.2.0/24").await;
    let v4 = v4["id"].as_str().unwrap();
    let (status, ptr) = add_ptr(&app, &a.key, v4, "192.0.2.10", "host-10.example.com").await;
    assert_eq!(status, 201, "{ptr}");
    assert_eq!(
        (&ptr["ip"], &ptr["hostname"]),
        (&json!("192.0.2.10"), &json!("host-10.example.com."))
    );
    assert_eq!(
        ptr_answer(&pdns, "10.2.0.192.in-addr.arpa.").await,
        ["host-10.example.com."]
    );
    let again = add_ptr(&app, &a.key, v4, "192.0.2.10", "other.example.com").await;
    refused(again.clone(), 409, "ptr_exists");
    assert_eq!(again.1["detail"]["conflicts"], json!([ptr["id"]]));
    refused(
        add_ptr(&app, &a.key, v4, "198.51.100.1", "x.example.com").await,
        422,
        "ip_outside_zone",
    );
    refused(
        add_ptr(&app, &a.key, v4, "192.0.2.300", "x.example.com").await,
        422,
        "invalid_input",
    );
    let replaced = ok(
        &app,
        &a.key,
        Method::POST,
        &format!("/api/v1/reverse-zones/{v4}/ptr"),
        json!({"ip": "192.0.2.10", "hostname": "renamed.example.com.", "replace": true}),
    )
    .await;
    assert_eq!(replaced["hostname"], "renamed.example.com.");
    assert_eq!(
        ptr_answer(&pdns, "10.2.0.192.in-addr.arpa.").await,
        ["renamed.example.com."]
    );

    // Bulk: all or nothing.
    let bulk = format!("/api/v1/reverse-zones/{v4}/ptr/bulk");
    let bad = call(
        &app,
        &a.key,
        Method::POST,
        &bulk,
        Some(json!({"ptrs": [
            {"ip": "192.0.2.20", "hostname": "h20.example.com"},
            {"ip": "192.0.3.21", "hostname": "h21.example.com"}
        ]})),
    )
    .await;
    refused(bad.clone(), 422, "ip_outside_zone");
    assert_eq!(
        bad.1["detail"][0]["loc"],
        json!(["body", "ptrs", 1, "ip"]),
        "{}",
        bad.1
    );
    assert!(
        ptr_answer(&pdns, "20.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );
    let made = ok(
        &app,
        &a.key,
        Method::POST,
        &bulk,
        json!({"ptrs": [
            {"ip": "192.0.2.20", "hostname": "h20.example.com", "ttl": 600},
            {"ip": "192.0.2.21", "hostname": "h21.example.com"}
        ]}),
    )
    .await;
    assert_eq!(made["created"].as_array().unwrap().len(), 2, "{made}");
    assert_eq!(made["created"][0]["ttl"], 600);
    assert_eq!(
        ptr_answer(&pdns, "21.2.0.192.in-addr.arpa.").await,
        ["h21.example.com."]
    );
    let (_, list) = call(
        &app,
        &a.key,
        Method::GET,
        &format!("/api/v1/reverse-zones/{v4}/ptr?search=h2"),
        None,
    )
    .await;
    let ips: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ip"].as_str().unwrap())
        .collect();
    assert_eq!(ips, ["192.0.2.20", "192.0.2.21"], "{list}");

    // Lookup, then delete by address.
    let (status, found) = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/reverse-zones/lookup/192.0.2.21",
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(
        (&found["hostname"], &found["zone_id"], &found["zone_name"]),
        (
            &json!("h21.example.com."),
            &json!(v4),
            &json!("2.0.192.in-addr.arpa")
        )
    );
    let (status, _) = call(
        &app,
        &a.key,
        Method::DELETE,
        &format!("/api/v1/reverse-zones/{v4}/ptr/192.0.2.21"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        ptr_answer(&pdns, "21.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );
    refused(
        call(
            &app,
            &a.key,
            Method::GET,
            "/api/v1/reverse-zones/lookup/192.0.2.21",
            None,
        )
        .await,
        404,
        "ptr_not_found",
    );

    // RFC 2317: the parent /24 is the tenant's own, so its CNAMEs are written with the zone.
    reverse_zone(&app, &a, "198.51.100.0/24").await;
    let classless = reverse_zone(&app, &a, "198.51.100.64/26").await;
    assert_eq!(classless["name"], "64-26.100.51.198.in-addr.arpa");
    assert_eq!(classless["parent_cnames_created"], true, "{classless}");
    let classless = classless["id"].as_str().unwrap();
    let (status, body) = add_ptr(
        &app,
        &a.key,
        classless,
        "198.51.100.70",
        "cust-70.example.net",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    refused(
        add_ptr(&app, &a.key, classless, "198.51.100.10", "x.example.net").await,
        422,
        "ip_outside_zone",
    );
    let via_parent = dns::query(pdns.dns_addr, "70.100.51.198.in-addr.arpa.", "PTR").await;
    assert_eq!(
        via_parent.answer_texts("CNAME"),
        ["70.64-26.100.51.198.in-addr.arpa."]
    );
    assert_eq!(
        ptr_answer(&pdns, "70.100.51.198.in-addr.arpa.").await,
        ["cust-70.example.net."]
    );
    // The most specific zone answers the lookup.
    let (_, found) = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/reverse-zones/lookup/198.51.100.70",
        None,
    )
    .await;
    assert_eq!(found["zone_id"], classless, "{found}");

    // IPv6 /48: any textual form of an address names the same PTR.
    let v6 = reverse_zone(&app, &a, "2001:db8:abcd::/48").await;
    let v6 = v6["id"].as_str().unwrap();
    let (status, body) = add_ptr(
        &app,
        &a.key,
        v6,
        "2001:DB8:ABCD:0:0:0:0:1",
        "v6.example.com",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["ip"], "2001:db8:abcd::1");
    let name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.8.b.d.0.1.0.0.2.ip6.arpa.";
    assert_eq!(ptr_answer(&pdns, name).await, ["v6.example.com."]);
    refused(
        add_ptr(&app, &a.key, v6, "2001:db8:abce::1", "x.example.com").await,
        422,
        "ip_outside_zone",
    );
    let (status, _) = call(
        &app,
        &a.key,
        Method::DELETE,
        &format!("/api/v1/reverse-zones/{v6}/ptr/2001%3Adb8%3Aabcd%3A%3A0001"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(ptr_answer(&pdns, name).await.is_empty());

    // The reverse list holds the four zones and no forward one; search by block.
    ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "example.com"}),
    )
    .await;
    let (_, list) = call(&app, &a.key, Method::GET, "/api/v1/reverse-zones", None).await;
    assert_eq!(list["total"], 4, "{list}");
    let (_, list) = call(
        &app,
        &a.key,
        Method::GET,
        "/api/v1/reverse-zones?search=198.51.100.64",
        None,
    )
    .await;
    assert_eq!(list["data"][0]["id"], classless, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    app.stop().await;
}

#[tokio::test]
async fn another_tenant_cannot_claim_inside_read_or_write_a_live_reverse_zone() {
    let (pdns, app) = powerdns_app().await;
    let a = bypassing_tenant(&app, "owner").await;
    let b = bypassing_tenant(&app, "intruder").await;
    let zone = reverse_zone(&app, &a, "192.0.2.0/24").await;
    let zone = zone["id"].as_str().unwrap();
    assert_eq!(
        add_ptr(&app, &a.key, zone, "192.0.2.10", "mail.owner.example")
            .await
            .0,
        201
    );

    // Inside and above A's live /24: refused as a forward claim would be.
    for cidr in ["192.0.2.64/26", "192.0.0.0/16", "192.0.2.0/24"] {
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
    // A's PTRs: unknown to B through lookup, list, write and delete.
    refused(
        call(
            &app,
            &b.key,
            Method::GET,
            "/api/v1/reverse-zones/lookup/192.0.2.10",
            None,
        )
        .await,
        404,
        "ptr_not_found",
    );
    let ptrs = format!("/api/v1/reverse-zones/{zone}/ptr");
    assert_eq!(call(&app, &b.key, Method::GET, &ptrs, None).await.0, 404);
    let got = add_ptr(&app, &b.key, zone, "192.0.2.10", "evil.example").await;
    assert_eq!(got.0, 404, "{}", got.1);
    let got = call(
        &app,
        &b.key,
        Method::POST,
        &format!("{ptrs}/bulk"),
        Some(json!({"ptrs": [{"ip": "192.0.2.11", "hostname": "evil.example"}], "replace": true})),
    )
    .await;
    assert_eq!(got.0, 404, "{}", got.1);
    let got = call(
        &app,
        &b.key,
        Method::DELETE,
        &format!("{ptrs}/192.0.2.10"),
        None,
    )
    .await;
    assert_eq!(got.0, 404, "{}", got.1);
    let (_, list) = call(&app, &b.key, Method::GET, "/api/v1/reverse-zones", None).await;
    assert_eq!(list["total"], 0, "{list}");
    assert_eq!(
        ptr_answer(&pdns, "10.2.0.192.in-addr.arpa.").await,
        ["mail.owner.example."]
    );
    assert!(
        ptr_answer(&pdns, "11.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );
    // A PTR endpoint on a forward zone is no reverse zone.
    let forward = ok(
        &app,
        &a.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "owner.example"}),
    )
    .await;
    refused(
        add_ptr(
            &app,
            &a.key,
            forward["id"].as_str().unwrap(),
            "192.0.2.1",
            "x.example",
        )
        .await,
        404,
        "reverse_zone_not_found",
    );
    app.stop().await;
}

#[tokio::test]
async fn auto_ptr_keeps_forward_and_reverse_in_step() {
    let (pdns, app) = powerdns_app().await;
    let a = bypassing_tenant(&app, "autoptr").await;
    let b = bypassing_tenant(&app, "neighbour").await;
    reverse_zone(&app, &a, "192.0.2.0/24").await;
    reverse_zone(&app, &a, "2001:db8:abcd::/48").await;
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

    // Create: the PTR follows, and the answer says so.
    let made = ok(
        &app,
        &a.key,
        Method::POST,
        &records,
        json!({"name": "www", "type": "A", "content": "192.0.2.50", "ptr": true}),
    )
    .await;
    assert_eq!(
        (
            &made["ptr"]["ip"],
            &made["ptr"]["hostname"],
            &made["ptr"]["zone_name"]
        ),
        (
            &json!("192.0.2.50"),
            &json!("www.example.com."),
            &json!("2.0.192.in-addr.arpa")
        ),
        "{made}"
    );
    assert_eq!(
        ptr_answer(&pdns, "50.2.0.192.in-addr.arpa.").await,
        ["www.example.com."]
    );
    let v6 = ok(
        &app,
        &a.key,
        Method::POST,
        &records,
        json!({"name": "www", "type": "AAAA", "content": "2001:db8:abcd::50", "ptr": true}),
    )
    .await;
    assert_eq!(v6["ptr"]["ip"], "2001:db8:abcd::50", "{v6}");

    // Update to a new address: the new PTR made, the old one gone.
    let id = made["id"].as_str().unwrap();
    let changed = ok(
        &app,
        &a.key,
        Method::PATCH,
        &format!("{records}/{id}"),
        json!({"content": "192.0.2.51", "ptr": true}),
    )
    .await;
    assert_eq!(changed["ptr"]["ip"], "192.0.2.51", "{changed}");
    assert_eq!(
        ptr_answer(&pdns, "51.2.0.192.in-addr.arpa.").await,
        ["www.example.com."]
    );
    assert!(
        ptr_answer(&pdns, "50.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );

    // Delete: the PTR pointing at the record goes with it.
    let (status, _) = call(
        &app,
        &a.key,
        Method::DELETE,
        &format!("{records}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        ptr_answer(&pdns, "51.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );

    // No reverse zone for the address, or not an address record: refused, nothing written.
    let none = call(
        &app,
        &a.key,
        Method::POST,
        &records,
        Some(json!({"name": "lost", "type": "A", "content": "203.0.113.5", "ptr": true})),
    )
    .await;
    refused(none, 422, "no_reverse_zone");
    let txt = call(
        &app,
        &a.key,
        Method::POST,
        &records,
        Some(json!({"name": "t", "type": "TXT", "content": "x", "ptr": true})),
    )
    .await;
    assert_eq!(txt.0, 422, "{}", txt.1);
    let (_, list) = call(
        &app,
        &a.key,
        Method::GET,
        &format!("{records}?search=lost"),
        None,
    )
    .await;
    assert_eq!(list["total"], 0, "{list}");

    // Another tenant cannot write its PTR into A's reverse zone.
    let theirs = ok(
        &app,
        &b.key,
        Method::POST,
        "/api/v1/domains",
        json!({"name": "neighbour.example"}),
    )
    .await;
    let got = call(
        &app,
        &b.key,
        Method::POST,
        &format!("/api/v1/domains/{}/records", theirs["id"].as_str().unwrap()),
        Some(json!({"name": "@", "type": "A", "content": "192.0.2.60", "ptr": true})),
    )
    .await;
    refused(got, 422, "no_reverse_zone");
    assert!(
        ptr_answer(&pdns, "60.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );
    app.stop().await;
}

/// Lookup and delete read PTRs by owner name: an address whose name is a suffix of another's
/// (`70.…` inside `170.…`) is not found through the other's PTR, nor deleted with it.
#[tokio::test]
async fn lookup_and_delete_by_address_match_the_owner_name_exactly() {
    let app = spawn_app().await;
    let tenant = bypassing_tenant(&app, "names").await;
    let zone = reverse_zone(&app, &tenant, "192.0.2.0/24").await;
    let zone = zone["id"].as_str().unwrap();
    let (status, body) = add_ptr(&app, &tenant.key, zone, "192.0.2.170", "h170.example").await;
    assert_eq!(status, 201, "{body}");
    let lookup = "/api/v1/reverse-zones/lookup/192.0.2";
    refused(
        call(
            &app,
            &tenant.key,
            Method::GET,
            &format!("{lookup}.70"),
            None,
        )
        .await,
        404,
        "ptr_not_found",
    );
    let path = format!("/api/v1/reverse-zones/{zone}/ptr/192.0.2.70");
    refused(
        call(&app, &tenant.key, Method::DELETE, &path, None).await,
        404,
        "ptr_not_found",
    );
    let (status, found) = call(
        &app,
        &tenant.key,
        Method::GET,
        &format!("{lookup}.170"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    assert!(
        found["hostname"]
            .as_str()
            .unwrap()
            .starts_with("h170.example"),
        "{found}"
    );
    app.stop().await;
}
