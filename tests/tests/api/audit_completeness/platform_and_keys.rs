//! Platform administration (tenants, users, settings) and API keys.

use super::*;

pub(super) async fn platform_cases(h: &mut Harness, p: &Caller, ta: &Caller) -> Ids {
    let c = h
        .case(
            "POST /api/v1/admin/tenants",
            p,
            "/api/v1/admin/tenants",
            Some(json!({"name": "Audit", "slug": "audit"})),
        )
        .await;
    let tenant = created(&c);
    let e = c.entry("tenant.create", p);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("tenant"), &json!(tenant), &json!(tenant))
    );
    assert_eq!(e["details"]["after"]["slug"], "audit");
    assert_eq!(e["details"]["before"], Value::Null);

    let c = h
        .case(
            "PATCH /api/v1/admin/tenants/{tenant_id}",
            p,
            &format!("/api/v1/admin/tenants/{tenant}"),
            Some(json!({"name": "Audited"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("tenant.update", p);
    assert_eq!(
        (
            &e["details"]["before"]["name"],
            &e["details"]["after"]["name"]
        ),
        (&json!("Audit"), &json!("Audited"))
    );

    let c = h
        .case(
            "PATCH /api/v1/admin/config/{key}",
            p,
            "/api/v1/admin/config/validation.expiry_hours",
            Some(json!({"value": "48"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("platform.config.update", p);
    assert_eq!(
        (
            &e["resource_id"],
            &e["details"]["before"]["value"],
            &e["details"]["after"]["value"]
        ),
        (
            &json!("validation.expiry_hours"),
            &json!("72"),
            &json!("48")
        )
    );

    let c = h
        .case(
            "PUT /api/v1/admin/authoritative-domains",
            p,
            "/api/v1/admin/authoritative-domains",
            Some(json!({"domains": ["audit.example"]})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("platform.authoritative_domains.update", p);
    assert_eq!(e["details"]["after"], json!(["audit.example"]));

    let c = h
        .case(
            "POST /api/v1/admin/users",
            ta,
            "/api/v1/admin/users",
            Some(json!({"email": "audited@alpha.test"})),
        )
        .await;
    let user = created(&c);
    let e = c.entry("user.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("user"), &json!(user), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["email"], "audited@alpha.test");

    let user_path = format!("/api/v1/admin/users/{user}");
    let c = h
        .case(
            "PATCH /api/v1/admin/users/{user_id}",
            ta,
            &user_path,
            Some(json!({"first_name": "Audited"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("user.update", ta);
    assert_eq!(
        (
            &e["details"]["before"]["first_name"],
            &e["details"]["after"]["first_name"]
        ),
        (&Value::Null, &json!("Audited"))
    );
    let c = h
        .case("DELETE /api/v1/admin/users/{user_id}", ta, &user_path, None)
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("user.deactivate", ta);
    assert_eq!(e["details"]["after"]["status"], "inactive");

    let c = h
        .case(
            "PUT /api/v1/admin/nameservers",
            p,
            "/api/v1/admin/nameservers",
            Some(json!({"nameservers": ["ns1.audit.example", "ns2.audit.example"]})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("platform.nameservers.update", p);
    assert_eq!(
        e["details"]["after"],
        json!(["ns1.audit.example.", "ns2.audit.example."])
    );
    Ids { user }
}

/// Key entries describe the key, never its secret or hash.
pub(super) fn assert_no_secret(e: &Value, secrets: &[&str]) {
    let text = e.to_string();
    for s in secrets {
        assert!(!text.contains(s), "secret material in {text}");
    }
    for side in ["before", "after"] {
        if let Some(obj) = e["details"][side].as_object() {
            assert!(
                !obj.contains_key("key_hash") && !obj.contains_key("key"),
                "{text}"
            );
        }
    }
}

pub(super) async fn api_key_cases(h: &mut Harness, ta: &Caller) {
    let c = h
        .case(
            "POST /api/v1/api-keys",
            ta,
            "/api/v1/api-keys",
            Some(json!({"name": "audited", "scopes": ["domains:read"]})),
        )
        .await;
    let id = created(&c);
    let secret = c.body["key"].as_str().unwrap().to_owned();
    let e = c.entry("api_key.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("api_key"), &json!(id), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["name"], "audited");
    assert_eq!(e["details"]["after"]["status"], "active");
    assert_no_secret(e, &[&secret]);

    let path = format!("/api/v1/api-keys/{id}/revoke");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/revoke", ta, &path, None)
        .await;
    let e = c.entry("api_key.revoke", ta);
    assert_eq!(e["details"]["before"]["status"], "active");
    assert_eq!(e["details"]["after"]["status"], "revoked");
    assert_no_secret(e, &[&secret]);
    let again = h.call(ta, "POST", &path, None).await;
    assert_eq!(
        (again.status, again.entries.len()),
        (200, 0),
        "repeated revoke"
    );

    let path = format!("/api/v1/api-keys/{id}/activate");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/activate", ta, &path, None)
        .await;
    let e = c.entry("api_key.activate", ta);
    assert_eq!(e["details"]["before"]["status"], "revoked");
    assert_eq!(e["details"]["after"]["status"], "active");
    let again = h.call(ta, "POST", &path, None).await;
    assert_eq!(
        (again.status, again.entries.len()),
        (200, 0),
        "repeated activate"
    );

    let path = format!("/api/v1/api-keys/{id}/regenerate");
    let c = h
        .case("POST /api/v1/api-keys/{key_id}/regenerate", ta, &path, None)
        .await;
    let fresh = c.body["key"].as_str().unwrap().to_owned();
    let e = c.entry("api_key.regenerate", ta);
    assert_ne!(
        e["details"]["before"]["key_prefix"],
        e["details"]["after"]["key_prefix"]
    );
    assert_no_secret(e, &[&secret, &fresh]);

    let c = h
        .case(
            "DELETE /api/v1/api-keys/{key_id}",
            ta,
            &format!("/api/v1/api-keys/{id}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204);
    let e = c.entry("api_key.delete", ta);
    assert_eq!(e["details"]["before"]["name"], "audited");
    assert_eq!(e["details"]["after"], Value::Null);
    assert_no_secret(e, &[&fresh]);
}
