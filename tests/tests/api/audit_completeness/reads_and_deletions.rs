//! Operations that change nothing, every read, and deletions.

use super::*;

/// Operations that change nothing write nothing.
pub(super) async fn nothing_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    for (op, path, body) in [
        (
            "POST /api/v1/me/permissions/check",
            "/api/v1/me/permissions/check".to_owned(),
            json!({"permission": "records:read", "domain_id": z.active}),
        ),
        (
            "POST /api/v1/domains/{domain_id}/records/search",
            format!("/api/v1/domains/{}/records/search", z.active),
            json!({"query": "www"}),
        ),
        (
            "POST /api/v1/plans",
            "/api/v1/plans".to_owned(),
            json!({"operation": "record_create", "params": {"domain_id": z.active},
                "body": {"name": "planned", "type": "A", "content": "192.0.2.99"}}),
        ),
        (
            "POST /api/v1/domains/{domain_id}/retrieve",
            format!("/api/v1/domains/{}/retrieve", z.active),
            json!({}),
        ),
        (
            "POST /api/v1/auth/logout",
            "/api/v1/auth/logout".to_owned(),
            json!({}),
        ),
        (
            "POST /api/v1/auth/token",
            "/api/v1/auth/token".to_owned(),
            json!({"code": "x", "redirect_uri": "http://localhost/cb"}),
        ),
        (
            "POST /api/v1/auth/refresh",
            "/api/v1/auth/refresh".to_owned(),
            json!({"refresh_token": "x"}),
        ),
        (
            "POST /api/v1/auth/validate",
            "/api/v1/auth/validate".to_owned(),
            json!({"token": "x"}),
        ),
    ] {
        let method = op.split_once(' ').unwrap().0;
        let mut c = h.raw(ta, method, &path, Some(body)).await;
        let entries = h.all_entries().await;
        c.entries = entries
            .into_iter()
            .filter(|e| h.seen.insert(e["id"].as_str().unwrap().to_owned()))
            .collect();
        assert!(c.entries.is_empty(), "{op} wrote {:#?}", c.entries);
        h.observed.entry(op.to_owned()).or_default();
    }
}

/// Every GET of the document, as the platform admin and the tenant admin: the log's size
/// does not move.
pub(super) async fn reads_write_nothing(
    h: &mut Harness,
    p: &Caller,
    ta: &Caller,
    ids: &Ids,
    z: &Zones,
) {
    let log = h.all_entries().await[0]["id"].as_str().unwrap().to_owned();
    let key = ta.actor_id.clone();
    let vars = [
        ("{domain_id}", z.active.as_str()),
        ("{record_id}", z.record.as_str()),
        ("{user_id}", ids.user.as_str()),
        ("{tenant_id}", ta.tenant_id.as_str()),
        ("{role_id}", "00000000-0000-0000-0000-000000000006"),
        ("{key_id}", key.as_str()),
        ("{log_id}", log.as_str()),
        ("{group_id}", "00000000-0000-7000-8000-000000000000"),
        ("{grant_id}", "00000000-0000-7000-8000-000000000000"),
        ("{key}", "validation.challenge_ttl"),
        ("{partner_id}", "prt_none"),
        ("{ip}", "192.0.2.1"),
        // The zone's first step (its creation).
        ("{generation}", "1"),
        // The web-server system template (migration 0012).
        ("{template_id}", "0193c0de-0000-7000-8000-000000000003"),
        ("{subscription_id}", "00000000-0000-7000-8000-000000000000"),
        // The PowerDNS-compatible API: the active zone by its PowerDNS id.
        ("{server_id}", "localhost"),
        ("{zone_id}", "audit.test."),
        ("{kind}", "ALSO-NOTIFY"),
    ];
    let before = h.audit_total().await;
    let mut reads = 0;
    for (method, template) in spec_operations() {
        if method != "get" {
            continue;
        }
        let path = vars
            .iter()
            .fold(template.clone(), |t, (k, v)| t.replace(k, v));
        assert!(
            !path.contains('{'),
            "no value for a parameter of {template}"
        );
        for caller in [p, ta] {
            let c = h.raw(caller, "GET", &path, None).await;
            assert!(
                c.status < 500 || template == "/api/v1/auth/config",
                "GET {path}: {}",
                c.status
            );
            reads += 1;
        }
    }
    assert!(reads > 40, "{reads} reads");
    assert_eq!(h.audit_total().await, before, "reads wrote audit entries");
}

pub(super) async fn deletion_cases(h: &mut Harness, ta: &Caller, z: &Zones) {
    let path = format!("/api/v1/domains/{}", z.active);
    let c = h
        .case("DELETE /api/v1/domains/{domain_id}", ta, &path, None)
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("domain.delete", ta);
    assert_eq!(e["resource_id"], z.active.as_str());
    assert_eq!(e["details"]["before"]["status"], "active");
    assert_eq!(e["details"]["after"]["status"], "deleted");
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/restore",
            ta,
            &format!("{path}/restore"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("domain.restore", ta);
    assert_eq!(e["details"]["before"]["status"], "deleted");
    assert_eq!(e["details"]["after"]["status"], "active");
    let c = h
        .call(ta, "DELETE", &format!("{path}?hard=true"), None)
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("domain.hard_delete", ta);
    assert_eq!(e["details"]["before"]["name"], "audit.test");
    assert_eq!(e["details"]["after"], Value::Null);
}
