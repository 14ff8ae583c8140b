//! Zones, their records and validation, and DNSSEC.

use super::*;

/// Zones made by [`zone_cases`].
pub(super) struct Zones {
    pub(super) active: String,
    pub(super) record: String,
    pub(super) parent: String,
    pub(super) child: String,
}

pub(super) async fn zone_cases(h: &mut Harness, p: &Caller, ta: &Caller, ids: &Ids) -> Zones {
    // The tenant admin may skip validation: this is itself a case.
    let c = h
        .case(
            "POST /api/v1/roles/users/{user_id}",
            p,
            &format!("/api/v1/roles/users/{}", ta.user_id),
            Some(json!({"role_name": "validation_bypass", "scope": "tenant",
                        "scope_id": ta.tenant_id})),
        )
        .await;
    let assignment = created(&c);
    let e = c.entry("role.assign", p);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (
            &json!("role_assignment"),
            &json!(assignment),
            &json!(ta.tenant_id)
        )
    );
    assert_eq!(e["details"]["after"]["role_name"], "validation_bypass");
    let _ = ids;

    let c = h
        .case(
            "POST /api/v1/domains",
            ta,
            "/api/v1/domains",
            Some(json!({"name": "audit.test"})),
        )
        .await;
    let active = created(&c);
    let e = c.entry("domain.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("domain"), &json!(active), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["status"], "active");
    assert_eq!(e["details"]["after"]["name"], "audit.test");

    let zone_path = format!("/api/v1/domains/{active}");
    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}",
            ta,
            &zone_path,
            Some(json!({"description": "audited"})),
        )
        .await;
    let e = c.entry("domain.update", ta);
    assert_eq!(e["details"]["before"]["description"], Value::Null);
    assert_eq!(e["details"]["after"]["description"], "audited");
    let same = h
        .call(
            ta,
            "PATCH",
            &zone_path,
            Some(json!({"description": "audited"})),
        )
        .await;
    assert_eq!(
        (same.status, same.entries.len()),
        (200, 0),
        "PATCH changing nothing"
    );

    let records = format!("{zone_path}/records");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/records",
            ta,
            &records,
            Some(json!({"name": "www", "type": "A", "content": "192.0.2.1"})),
        )
        .await;
    let record = created(&c);
    let e = c.entry("record.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("record"), &json!(record), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["content"], "192.0.2.1");
    assert_eq!(e["details"]["before"], Value::Null);

    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}/records/{record_id}",
            ta,
            &format!("{records}/{record}"),
            Some(json!({"content": "192.0.2.2"})),
        )
        .await;
    let e = c.entry("record.update", ta);
    assert_eq!(e["resource_id"], record.as_str());
    assert_eq!(e["details"]["before"]["content"], "192.0.2.1");
    assert_eq!(e["details"]["after"]["content"], "192.0.2.2");

    let doomed = created(
        &h.call(
            ta,
            "POST",
            &records,
            Some(json!({"name": "old", "type": "TXT", "content": "bye"})),
        )
        .await,
    );
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/records/{record_id}",
            ta,
            &format!("{records}/{doomed}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204);
    let e = c.entry("record.delete", ta);
    assert_eq!(e["resource_id"], doomed.as_str());
    assert_eq!(e["details"]["before"]["content"], "\"bye\"");
    assert_eq!(e["details"]["after"], Value::Null);

    // A bulk change: an entry per record plus one for the batch.
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/records/bulk",
            ta,
            &format!("{records}/bulk"),
            Some(json!({"records": [{"name": "bulk", "type": "TXT", "content": "many"}]})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let bulk_record = c.body["created"][0]["id"].as_str().unwrap().to_owned();
    let e = c.entry("record.create", ta);
    assert_eq!(e["resource_id"], bulk_record.as_str());
    let e = c.entry("records.bulk", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("domain"), &json!(active), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["created"], 1);
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/records/bulk-delete",
            ta,
            &format!("{records}/bulk-delete"),
            Some(json!({"record_ids": [bulk_record]})),
        )
        .await;
    assert_eq!(c.body["deleted"], 1, "{}", c.body);
    let e = c.entry("record.delete", ta);
    assert_eq!(e["resource_id"], bulk_record.as_str());
    assert_eq!(
        c.entry("records.bulk", ta)["details"]["after"]["deleted"],
        1
    );
    // Import: one entry per record, and one for the import.
    let import = format!("/api/v1/domains/{active}/import");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/import/text",
            ta,
            &format!("{import}/text"),
            Some(json!({"content": "imported TXT hello"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(
        c.entry("record.create", ta)["details"]["after"]["content"],
        "\"hello\""
    );
    let e = c.entry("zone.import", ta);
    assert_eq!(
        (&e["resource_id"], &e["details"]["after"]["added"]),
        (&json!(active), &json!(1))
    );
    let before_upload = c.body["generation"].as_i64().expect("generation");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/import/file",
            ta,
            &format!("{import}/file"),
            Some(json!({"file": "uploaded TXT hello", "mode": "merge"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(
        c.entry("zone.import", ta)["details"]["after"]["format"],
        "bind"
    );
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/import/preview",
            ta,
            &format!("{import}/preview"),
            Some(json!({"content": "previewed TXT hello"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    // Restoring the generation before the upload removes what it added.
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/history/{generation}/restore",
            ta,
            &format!("/api/v1/domains/{active}/history/{before_upload}/restore"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(
        c.entry("record.delete", ta)["details"]["before"]["name"],
        "uploaded.audit.test"
    );
    let e = c.entry("zone.history_restore", ta);
    assert_eq!(
        (
            &e["resource_id"],
            &e["details"]["after"]["restored_generation"]
        ),
        (&json!(active), &json!(before_upload))
    );

    // Validation on a zone that goes through it.
    let pending = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "pending-audit.test", "skip_validation": false})),
        )
        .await,
    );
    let validation = format!("/api/v1/domains/{pending}/validation");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/validation",
            ta,
            &validation,
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 201, "{}", c.body);
    let e = c.entry("domain.validation.start", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"]),
        (&json!("domain"), &json!(pending))
    );
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/validation/check",
            ta,
            &format!("{validation}/check"),
            None,
        )
        .await;
    assert_eq!(
        (c.status, &c.body["is_valid"]),
        (200, &json!(false)),
        "{}",
        c.body
    );
    let e = c.entry("domain.validation.failure", ta);
    assert_eq!(e["details"]["after"]["is_valid"], false);
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/validation",
            ta,
            &validation,
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    c.entry("domain.validation.cancel", ta);

    // A parent and a child for DNSSEC, the parent holding the child's delegation.
    let parent = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "parent.test"})),
        )
        .await,
    );
    let child = created(
        &h.call(
            ta,
            "POST",
            "/api/v1/domains",
            Some(json!({"name": "child.parent.test"})),
        )
        .await,
    );
    created(
        &h.call(
            ta,
            "POST",
            &format!("/api/v1/domains/{parent}/records"),
            Some(json!({"name": "child", "type": "NS", "content": "ns1.audit.example."})),
        )
        .await,
    );
    Zones {
        active,
        record,
        parent,
        child,
    }
}

pub(super) async fn dnssec_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    let base = format!("/api/v1/domains/{}/dnssec", z.child);
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/enable",
            ta,
            &format!("{base}/enable"),
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("dnssec.enable", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"]),
        (&json!("domain"), &json!(z.child))
    );
    // The registrar publishes the DS (SHA-256) at the parent.
    for ds in c.body["ds_records"].as_array().unwrap() {
        if ds["digest_type"] == 2 {
            let content = format!(
                "{} {} 2 {}",
                ds["key_tag"],
                ds["algorithm"],
                ds["digest"].as_str().unwrap()
            );
            created(
                &h.call(
                    ta,
                    "POST",
                    &format!("/api/v1/domains/{}/records", z.parent),
                    Some(json!({"name": "child", "type": "DS", "content": content})),
                )
                .await,
            );
        }
    }
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/confirm-ds-published",
            ta,
            &format!("{base}/confirm-ds-published"),
            Some(json!({})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    c.entry("dnssec.confirm_ds", ta);
    for (op, action) in [
        ("rotate-zsk", "dnssec.rotate_zsk"),
        ("rotate-ksk", "dnssec.rotate_ksk"),
    ] {
        let c = h
            .case(
                &format!("POST /api/v1/domains/{{domain_id}}/dnssec/{op}"),
                ta,
                &format!("{base}/{op}"),
                None,
            )
            .await;
        assert_eq!(c.status, 200, "{op}: {}", c.body);
        c.entry(action, ta);
    }
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/dnssec/disable",
            ta,
            &format!("{base}/disable?force=true"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    c.entry("dnssec.disable", ta);
}

/// Reverse zones: the zone's create, then a PTR made, made in bulk and deleted, each through
/// the bulk path (an entry per record and one for the batch); the preview writes nothing.
pub(super) async fn reverse_zone_cases(h: &mut Harness, ta: &Caller, other_tenant: &str) {
    let c = h
        .case(
            "POST /api/v1/reverse-zones/preview",
            ta,
            "/api/v1/reverse-zones/preview",
            Some(json!({"cidr": "192.0.2.0/24"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let c = h
        .case(
            "POST /api/v1/reverse-zones",
            ta,
            "/api/v1/reverse-zones",
            Some(json!({"cidr": "192.0.2.0/24"})),
        )
        .await;
    let zone = created(&c);
    let e = c.entry("domain.create", ta);
    assert_eq!(e["resource_id"], zone.as_str());
    assert_eq!(e["details"]["after"]["name"], "2.0.192.in-addr.arpa");
    assert_eq!(e["details"]["after"]["domain_type"], "reverse_ipv4");
    let ptrs = format!("/api/v1/reverse-zones/{zone}/ptr");
    let c = h
        .case(
            "POST /api/v1/reverse-zones/{domain_id}/ptr",
            ta,
            &ptrs,
            Some(json!({"ip": "192.0.2.10", "hostname": "host-10.example.com"})),
        )
        .await;
    let ptr = created(&c);
    let e = c.entry("record.create", ta);
    assert_eq!(e["resource_id"], ptr.as_str());
    assert_eq!(e["details"]["after"]["content"], "host-10.example.com.");
    assert_eq!(
        c.entry("records.bulk", ta)["details"]["after"]["created"],
        1
    );
    let c = h
        .case(
            "POST /api/v1/reverse-zones/{domain_id}/ptr/bulk",
            ta,
            &format!("{ptrs}/bulk"),
            Some(json!({"ptrs": [{"ip": "192.0.2.11", "hostname": "host-11.example.com"}]})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("record.create", ta);
    assert_eq!(e["resource_id"], c.body["created"][0]["id"]);
    let c = h
        .case(
            "DELETE /api/v1/reverse-zones/{domain_id}/ptr/{ip}",
            ta,
            &format!("{ptrs}/192.0.2.10"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("record.delete", ta);
    assert_eq!(e["resource_id"], ptr.as_str());
    assert_eq!(e["details"]["after"], Value::Null);

    // A classless delegation of a /32 to another tenant, audited in both tenants' logs.
    let delegations = format!("/api/v1/reverse-zones/{zone}/classless-delegations");
    let c = h
        .case(
            "POST /api/v1/reverse-zones/{domain_id}/classless-delegations",
            ta,
            &delegations,
            Some(json!({"cidr": "192.0.2.64/32", "tenant_id": other_tenant})),
        )
        .await;
    let delegation = created(&c);
    let tenants = |c: &Call, action: &str| -> BTreeSet<String> {
        c.entries
            .iter()
            .filter(|e| e["action"] == action)
            .map(|e| {
                assert_eq!(e["resource_id"], delegation.as_str(), "{action}");
                e["tenant_id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let both = BTreeSet::from([ta.tenant_id.clone(), other_tenant.to_owned()]);
    assert_eq!(tenants(&c, "reverse_zone.delegate"), both);
    let c = h.call(ta, "GET", &delegations, None).await;
    assert_eq!(c.body["data"][0]["id"], delegation.as_str(), "{}", c.body);
    let c = h
        .case(
            "DELETE /api/v1/reverse-zones/{domain_id}/classless-delegations/{delegation_id}",
            ta,
            &format!("{delegations}/{delegation}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    assert_eq!(tenants(&c, "reverse_zone.revoke_delegation"), both);
}
