//! RFC 2317 classless delegations (issue 10): the owner of a live /24 reverse zone lends a range
//! to another tenant, whose classless zone then answers through the parent's CNAMEs in live
//! PowerDNS; the refusals (overlap, PTRs in the way, bad ranges and tenants); audit on both
//! sides; revocation; and what a third tenant, a narrow key and a record-limited grantee cannot
//! do.

use reqwest::Method;
use scaidns_tests::dns;
use scaidns_tests::spawn_app;
use serde_json::{Value, json};

use crate::grants::user_without_role;
use crate::reverse_zones::{add_ptr, bypassing_tenant, powerdns_app, ptr_answer, reverse_zone};
use crate::util::{call, ok, refused};

fn delegations(zone: &str) -> String {
    format!("/api/v1/reverse-zones/{zone}/classless-delegations")
}

async fn delegate(
    app: &scaidns_tests::TestApp,
    key: &str,
    zone: &str,
    cidr: &str,
    tenant: &str,
) -> (u16, Value) {
    call(
        app,
        key,
        Method::POST,
        &delegations(zone),
        Some(json!({"cidr": cidr, "tenant_id": tenant})),
    )
    .await
}

async fn create_reverse(app: &scaidns_tests::TestApp, key: &str, cidr: &str) -> (u16, Value) {
    call(
        app,
        key,
        Method::POST,
        "/api/v1/reverse-zones",
        Some(json!({ "cidr": cidr })),
    )
    .await
}

/// Soft-deletes the zone `id` (a parent deleted so no longer vouches for its delegations).
async fn delete_zone(app: &scaidns_tests::TestApp, key: &str, id: &str) {
    let gone = call(
        app,
        key,
        Method::DELETE,
        &format!("/api/v1/domains/{id}"),
        None,
    )
    .await;
    assert!(matches!(gone.0, 200 | 204), "{}", gone.1);
}

/// How many entries of `action` the tenant behind `key` reads in its own audit log.
async fn audit_count(app: &scaidns_tests::TestApp, key: &str, action: &str) -> u64 {
    let (status, body) = call(
        app,
        key,
        Method::GET,
        &format!("/api/v1/admin/audit-logs?action={action}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_delegated_26_answers_the_other_tenants_ptrs_through_the_parents_cnames() {
    let (pdns, app) = powerdns_app().await;
    let isp = bypassing_tenant(&app, "isp").await;
    let customer = bypassing_tenant(&app, "customer").await;
    let third = bypassing_tenant(&app, "third").await;
    let parent = reverse_zone(&app, &isp, "192.0.2.0/24").await;
    let parent = parent["id"].as_str().unwrap();

    // Before any delegation the customer's classless zone overlaps the ISP's live /24.
    refused(
        create_reverse(&app, &customer.key, "192.0.2.64/26").await,
        409,
        "zone_overlap",
    );

    // Refusals, each naming its problem; nothing is written.
    let (status, ptr) = add_ptr(&app, &isp.key, parent, "192.0.2.65", "old.isp.example").await;
    assert_eq!(status, 201, "{ptr}");
    let got = delegate(&app, &isp.key, parent, "192.0.2.64/26", &customer.tenant_id).await;
    refused(got.clone(), 409, "range_has_records");
    assert_eq!(
        got.1["detail"]["conflicts"],
        json!([ptr["id"]]),
        "{}",
        got.1
    );
    let ptr_path = format!("/api/v1/reverse-zones/{parent}/ptr/192.0.2.65");
    assert_eq!(
        call(&app, &isp.key, Method::DELETE, &ptr_path, None)
            .await
            .0,
        204
    );
    for (cidr, tenant, code) in [
        (
            "192.0.2.0/24",
            customer.tenant_id.as_str(),
            "cidr_outside_zone",
        ),
        (
            "198.51.100.64/26",
            customer.tenant_id.as_str(),
            "cidr_outside_zone",
        ),
        (
            "192.0.2.65/26",
            customer.tenant_id.as_str(),
            "cidr_host_bits_set",
        ),
        (
            "192.0.2.64/26",
            isp.tenant_id.as_str(),
            "delegation_to_self",
        ),
        (
            "192.0.2.64/26",
            "0193c0de-0000-7000-8000-00000000dead",
            "tenant_not_found",
        ),
        ("192.0.2.64/26", "not-an-id", "tenant_not_found"),
    ] {
        let got = delegate(&app, &isp.key, parent, cidr, tenant).await;
        assert_eq!(
            (got.0, got.1["code"].as_str()),
            (422, Some(code)),
            "{cidr} {tenant}: {}",
            got.1
        );
    }

    let made = delegate(&app, &isp.key, parent, "192.0.2.64/26", &customer.tenant_id).await;
    assert_eq!(made.0, 201, "{}", made.1);
    let made = made.1;
    assert_eq!(made["zone_name"], "64-26.2.0.192.in-addr.arpa", "{made}");
    assert_eq!(made["parent_cnames"].as_array().unwrap().len(), 64);
    let delegation = made["id"].as_str().unwrap();
    refused(
        delegate(&app, &isp.key, parent, "192.0.2.96/27", &third.tenant_id).await,
        409,
        "delegation_overlap",
    );

    // Now the customer may create the classless zone, and only inside its range.
    let child = reverse_zone(&app, &customer, "192.0.2.64/26").await;
    let child = child["id"].as_str().unwrap();
    for cidr in ["192.0.2.0/25", "192.0.2.128/26", "192.0.2.0/24"] {
        let got = create_reverse(&app, &customer.key, cidr).await;
        assert_eq!(got.0, 409, "{cidr}: {}", got.1);
    }
    let (status, body) = add_ptr(
        &app,
        &customer.key,
        child,
        "192.0.2.70",
        "cust-70.example.net",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let via_parent = dns::query(pdns.dns_addr, "70.2.0.192.in-addr.arpa.", "PTR").await;
    assert_eq!(
        via_parent.answer_texts("CNAME"),
        ["70.64-26.2.0.192.in-addr.arpa."]
    );
    assert_eq!(
        ptr_answer(&pdns, "70.2.0.192.in-addr.arpa.").await,
        ["cust-70.example.net."]
    );

    // A third tenant still cannot claim the range, nor see or revoke the delegation; the
    // customer cannot list the parent's delegations either.
    for cidr in ["192.0.2.64/26", "192.0.2.96/27"] {
        let got = create_reverse(&app, &third.key, cidr).await;
        assert_eq!(got.0, 409, "{cidr}: {}", got.1);
    }
    let one = format!("{}/{delegation}", delegations(parent));
    for key in [&third.key, &customer.key] {
        assert_eq!(
            call(&app, key, Method::GET, &delegations(parent), None)
                .await
                .0,
            404
        );
        assert_eq!(call(&app, key, Method::DELETE, &one, None).await.0, 404);
        let got = delegate(&app, key, parent, "192.0.2.128/26", &third.tenant_id).await;
        assert_eq!(got.0, 404, "{}", got.1);
    }
    let (_, list) = call(&app, &isp.key, Method::GET, &delegations(parent), None).await;
    assert_eq!(list["data"][0]["id"], delegation, "{list}");
    assert_eq!(list["data"][0]["tenant_id"], customer.tenant_id.as_str());

    // Audited in both tenants' logs, and only there.
    assert_eq!(
        audit_count(&app, &isp.key, "reverse_zone.delegate").await,
        1
    );
    assert_eq!(
        audit_count(&app, &customer.key, "reverse_zone.delegate").await,
        1
    );
    assert_eq!(
        audit_count(&app, &third.key, "reverse_zone.delegate").await,
        0
    );

    // Revocation: the parent's CNAMEs go, the customer's zone stays its own, unread by the ISP.
    assert_eq!(
        call(&app, &isp.key, Method::DELETE, &one, None).await.0,
        204
    );
    assert!(
        dns::query(pdns.dns_addr, "70.2.0.192.in-addr.arpa.", "PTR")
            .await
            .answer_texts("CNAME")
            .is_empty()
    );
    assert!(
        ptr_answer(&pdns, "70.2.0.192.in-addr.arpa.")
            .await
            .is_empty()
    );
    assert_eq!(
        call(&app, &isp.key, Method::DELETE, &one, None).await.0,
        404
    );
    // The customer's zone went offline with the loan (soft-deleted, records kept for it, still
    // unread by the ISP); it cannot come back without a new delegation, and the range is the
    // ISP's to lend again.
    let child_zone = format!("/api/v1/domains/{child}");
    let (status, body) = call(
        &app,
        &customer.key,
        Method::GET,
        &format!("{child_zone}?include_deleted=true"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("deleted")),
        "{body}"
    );
    assert_eq!(
        dns::query(pdns.dns_addr, "70.64-26.2.0.192.in-addr.arpa.", "PTR")
            .await
            .answer_texts("PTR"),
        Vec::<String>::new()
    );
    assert_eq!(
        call(&app, &isp.key, Method::GET, &child_zone, None).await.0,
        404
    );
    let restore = call(
        &app,
        &customer.key,
        Method::POST,
        &format!("{child_zone}/restore"),
        None,
    )
    .await;
    assert_eq!(restore.0, 409, "{}", restore.1);
    let (status, log) = call(
        &app,
        &customer.key,
        Method::GET,
        "/api/v1/admin/audit-logs?action=domain.delete",
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(
        log["data"][0]["details"]["after"]["deleted_because"]["reason"],
        "classless_delegation_revoked",
        "{log}"
    );
    let again = delegate(&app, &isp.key, parent, "192.0.2.96/27", &third.tenant_id).await;
    assert_eq!(again.0, 201, "{}", again.1);
    assert_eq!(
        audit_count(&app, &isp.key, "reverse_zone.revoke_delegation").await,
        1
    );
    assert_eq!(
        audit_count(&app, &customer.key, "reverse_zone.revoke_delegation").await,
        1
    );
    let (_, list) = call(&app, &isp.key, Method::GET, &delegations(parent), None).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1), "{list}");
    app.stop().await;
}

#[tokio::test]
async fn a_narrow_key_and_a_record_limited_grantee_cannot_delegate() {
    let app = spawn_app().await;
    let isp = bypassing_tenant(&app, "isp").await;
    let customer = app.tenant_with_user("customer").await;
    let parent = reverse_zone(&app, &isp, "192.0.2.0/24").await;
    let parent = parent["id"].as_str().unwrap();

    let narrow = ok(
        &app,
        &isp.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "read-only", "scopes": ["domains:read", "records:*"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap();
    let got = delegate(&app, narrow, parent, "192.0.2.64/26", &customer.tenant_id).await;
    assert_eq!(got.0, 403, "{}", got.1);

    let (user, grantee) = user_without_role(&app, "grantee@isp.test", &isp.tenant_id).await;
    crate::grants::grant_user(
        &app,
        &isp.key,
        parent,
        &user,
        json!({"role": "record_editor", "record_pattern": "64", "record_types": ["CNAME"]}),
    )
    .await;
    let got = delegate(&app, &grantee, parent, "192.0.2.64/26", &customer.tenant_id).await;
    assert!(matches!(got.0, 403 | 404), "{}", got.1);
    let got = call(&app, &grantee, Method::GET, &delegations(parent), None).await;
    assert_eq!(got.0, 200, "{}", got.1);

    // A suspended tenant receives nothing, answered as an unknown id.
    let (status, body) = call(
        &app,
        &app.admin_key,
        Method::PATCH,
        &format!("/api/v1/admin/tenants/{}", customer.tenant_id),
        Some(json!({"status": "suspended"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    refused(
        delegate(&app, &isp.key, parent, "192.0.2.64/26", &customer.tenant_id).await,
        422,
        "tenant_not_found",
    );

    // Nothing was lent: the customer's classless zone still overlaps.
    let (_, list) = call(&app, &isp.key, Method::GET, &delegations(parent), None).await;
    assert_eq!(list["data"], json!([]), "{list}");
    app.stop().await;
}

/// A tenant that may not skip validation creates its classless zone inside the range lent to
/// it: the delegation proves it (no TXT challenge, which could not find the child's servers),
/// it answers through the parent's CNAMEs, and the proof is in its audit log. Nothing else is
/// proven so: a range outside the loan, another tenant, a parent no longer live.
#[tokio::test]
async fn the_delegation_proves_the_receiving_tenants_classless_zone() {
    let (pdns, app) = powerdns_app().await;
    let isp = bypassing_tenant(&app, "isp").await;
    let customer = app.tenant_with_user("customer").await;
    let third = app.tenant_with_user("third").await;
    let parent = reverse_zone(&app, &isp, "192.0.2.0/24").await;
    let parent = parent["id"].as_str().unwrap();
    let made = delegate(&app, &isp.key, parent, "192.0.2.64/26", &customer.tenant_id).await;
    assert_eq!(made.0, 201, "{}", made.1);
    let delegation = made.1["id"].as_str().unwrap().to_owned();

    let child = reverse_zone(&app, &customer, "192.0.2.64/26").await;
    let child = child["id"].as_str().unwrap();
    let (status, body) =
        add_ptr(&app, &customer.key, child, "192.0.2.70", "cust.example.net").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        ptr_answer(&pdns, "70.2.0.192.in-addr.arpa.").await,
        ["cust.example.net."]
    );
    let (_, log) = call(
        &app,
        &customer.key,
        Method::GET,
        "/api/v1/admin/audit-logs?action=domain.create",
        None,
    )
    .await;
    let proof = &log["data"][0]["details"]["after"]["validated_by"];
    assert_eq!(proof["method"], "delegation", "{log}");
    assert_eq!(proof["delegation_id"], delegation.as_str(), "{log}");

    // Outside the loan, or for another tenant, the /24 still stands in the way.
    refused(
        create_reverse(&app, &customer.key, "192.0.2.128/26").await,
        409,
        "zone_overlap",
    );
    refused(
        create_reverse(&app, &third.key, "192.0.2.96/27").await,
        409,
        "zone_overlap",
    );

    // A parent that is no longer live vouches for nothing: the zone waits for its TXT check.
    delete_zone(&app, &isp.key, parent).await;
    let (status, body) = create_reverse(&app, &customer.key, "192.0.2.96/27").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "pending_validation", "{body}");
    app.stop().await;
}

/// The receiving tenant lists the ranges lent to it while their parent vouches for them: not
/// the lending tenant, not a third one, not a key or user without `domains:read` over the
/// tenant; a revoked range and a range under a deleted parent drop out.
#[tokio::test]
async fn the_receiving_tenant_lists_the_ranges_lent_to_it() {
    const RECEIVED: &str = "/api/v1/classless-delegations";
    let app = spawn_app().await;
    let isp = bypassing_tenant(&app, "isp").await;
    let customer = app.tenant_with_user("customer").await;
    let third = app.tenant_with_user("third").await;
    let parent = reverse_zone(&app, &isp, "192.0.2.0/24").await;
    let parent = parent["id"].as_str().unwrap();
    let mut lent = Vec::new();
    for cidr in ["192.0.2.64/26", "192.0.2.128/27"] {
        let made = delegate(&app, &isp.key, parent, cidr, &customer.tenant_id).await;
        assert_eq!(made.0, 201, "{}", made.1);
        lent.push(made.1["id"].as_str().unwrap().to_owned());
    }

    let (status, got) = call(&app, &customer.key, Method::GET, RECEIVED, None).await;
    assert_eq!(status, 200, "{got}");
    let ids: Vec<&str> = got["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [lent[0].as_str(), lent[1].as_str()], "{got}");
    let first = &got["data"][0];
    assert_eq!(first["cidr"], "192.0.2.64/26");
    assert_eq!(first["zone_name"], "64-26.2.0.192.in-addr.arpa");
    assert_eq!(first["parent_zone_id"], parent);
    assert_eq!(first["parent_zone_name"], "2.0.192.in-addr.arpa");
    assert_eq!(first["tenant_id"], customer.tenant_id.as_str());

    // The lender and a third tenant receive nothing.
    for key in [&isp.key, &third.key] {
        let (status, got) = call(&app, key, Method::GET, RECEIVED, None).await;
        assert_eq!((status, &got["data"]), (200, &json!([])), "{got}");
    }
    // Delegations are the tenant's: a key without `domains:read` and a user with no role over
    // the tenant are refused.
    let narrow = ok(
        &app,
        &customer.key,
        Method::POST,
        "/api/v1/api-keys",
        json!({"name": "records-only", "scopes": ["records:read"]}),
    )
    .await;
    let narrow = narrow["key"].as_str().unwrap();
    assert_eq!(call(&app, narrow, Method::GET, RECEIVED, None).await.0, 403);
    let (_, no_role) = user_without_role(&app, "nobody@customer.test", &customer.tenant_id).await;
    assert_eq!(
        call(&app, &no_role, Method::GET, RECEIVED, None).await.0,
        403
    );

    // Revoked: gone. Under a parent no longer live: gone too, as it vouches for nothing.
    let revoked = call(
        &app,
        &isp.key,
        Method::DELETE,
        &format!("{}/{}", delegations(parent), lent[1]),
        None,
    )
    .await;
    assert_eq!(revoked.0, 204, "{}", revoked.1);
    let (_, got) = call(&app, &customer.key, Method::GET, RECEIVED, None).await;
    assert_eq!(got["data"].as_array().unwrap().len(), 1, "{got}");
    assert_eq!(got["data"][0]["id"], lent[0].as_str());
    delete_zone(&app, &isp.key, parent).await;
    let (status, got) = call(&app, &customer.key, Method::GET, RECEIVED, None).await;
    assert_eq!((status, &got["data"]), (200, &json!([])), "{got}");
    app.stop().await;
}
