//! Roles, assignments, access grants and groups.

use super::*;

pub(super) async fn access_control_cases(
    h: &mut Harness,
    p: &Caller,
    ta: &Caller,
    ids: &Ids,
    z: &Zones,
) {
    let c = h
        .case(
            "POST /api/v1/roles",
            ta,
            "/api/v1/roles",
            Some(json!({"name": "auditor", "permissions": ["records:read"]})),
        )
        .await;
    let role = created(&c);
    let e = c.entry("role.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("role"), &json!(role), &json!(ta.tenant_id))
    );
    let c = h
        .case(
            "PATCH /api/v1/roles/{role_id}",
            ta,
            &format!("/api/v1/roles/{role}"),
            Some(json!({"permissions": ["records:read", "domains:read"]})),
        )
        .await;
    let e = c.entry("role.update", ta);
    assert_eq!(
        e["details"]["before"]["permissions"],
        json!(["records:read"])
    );
    assert_eq!(
        e["details"]["after"]["permissions"],
        json!(["records:read", "domains:read"])
    );

    let c = h
        .case(
            "POST /api/v1/roles/users/{user_id}",
            ta,
            &format!("/api/v1/roles/users/{}", ids.user),
            Some(json!({"role_name": "auditor", "scope": "domain", "scope_id": z.active})),
        )
        .await;
    let assignment = created(&c);
    let c = h
        .case(
            "DELETE /api/v1/roles/users/{user_id}/assignments/{assignment_id}",
            ta,
            &format!("/api/v1/roles/users/{}/assignments/{assignment}", ids.user),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("role.revoke", ta);
    assert_eq!(e["resource_id"], assignment.as_str());
    assert_eq!(e["details"]["before"]["role_name"], "auditor");
    assert_eq!(e["details"]["after"], Value::Null);

    let c = h
        .case(
            "DELETE /api/v1/roles/{role_id}",
            ta,
            &format!("/api/v1/roles/{role}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("role.delete", ta);
    assert_eq!(e["details"]["before"]["name"], "auditor");

    let grants = format!("/api/v1/domains/{}/access-grants", z.active);
    let c = h
        .case(
            "POST /api/v1/domains/{domain_id}/access-grants",
            ta,
            &grants,
            Some(
                json!({"grant_type": "user", "grantee_id": ids.user, "role": "record_editor",
                        "record_pattern": "*.dev", "record_types": ["A"]}),
            ),
        )
        .await;
    let grant = created(&c);
    let e = c.entry("access_grant.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("access_grant"), &json!(grant), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["record_pattern"], "*.dev");
    let c = h
        .case(
            "PATCH /api/v1/domains/{domain_id}/access-grants/{grant_id}",
            ta,
            &format!("{grants}/{grant}"),
            Some(json!({"record_pattern": "api.*"})),
        )
        .await;
    let e = c.entry("access_grant.update", ta);
    assert_eq!(e["details"]["before"]["record_pattern"], "*.dev");
    assert_eq!(e["details"]["after"]["record_pattern"], "api.*");
    let c = h
        .case(
            "DELETE /api/v1/domains/{domain_id}/access-grants/{grant_id}",
            ta,
            &format!("{grants}/{grant}"),
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("access_grant.delete", ta);
    assert_eq!(e["details"]["before"]["id"], grant.as_str());
    let _ = p;
}

pub(super) async fn group_cases(h: &mut Harness, ta: &Caller, ids: &Ids) {
    let c = h
        .case(
            "POST /api/v1/admin/groups",
            ta,
            "/api/v1/admin/groups",
            Some(json!({"name": "auditors"})),
        )
        .await;
    let group = created(&c);
    let e = c.entry("group.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("group"), &json!(group), &json!(ta.tenant_id))
    );
    let path = format!("/api/v1/admin/groups/{group}");
    let c = h
        .case(
            "PATCH /api/v1/admin/groups/{group_id}",
            ta,
            &path,
            Some(json!({"description": "audited"})),
        )
        .await;
    c.entry("group.update", ta);
    let c = h
        .case(
            "POST /api/v1/admin/groups/{group_id}/members",
            ta,
            &format!("{path}/members"),
            Some(json!({"user_id": ids.user})),
        )
        .await;
    c.entry("group.member_add", ta);
    let c = h
        .case(
            "DELETE /api/v1/admin/groups/{group_id}/members/{user_id}",
            ta,
            &format!("{path}/members/{}", ids.user),
            None,
        )
        .await;
    c.entry("group.member_remove", ta);
    let c = h
        .case(
            "POST /api/v1/roles/groups/{group_id}",
            ta,
            &format!("/api/v1/roles/groups/{group}"),
            Some(json!({"role_name": "read_only", "scope": "tenant", "scope_id": ta.tenant_id})),
        )
        .await;
    let assignment = created(&c);
    c.entry("role.assign", ta);
    let c = h
        .case(
            "DELETE /api/v1/roles/groups/{group_id}/assignments/{assignment_id}",
            ta,
            &format!("/api/v1/roles/groups/{group}/assignments/{assignment}"),
            None,
        )
        .await;
    c.entry("role.revoke", ta);
    let c = h
        .case("DELETE /api/v1/admin/groups/{group_id}", ta, &path, None)
        .await;
    c.entry("group.delete", ta);
}
