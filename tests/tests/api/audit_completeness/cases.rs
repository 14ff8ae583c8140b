//! The table of every state-changing operation and what it writes, checked against the
//! OpenAPI document.

use super::*;

/// What an operation writes to the audit log.
pub(super) enum Audit {
    /// These actions, one entry each, in the same transaction as the change.
    Writes(&'static [&'static str]),
    /// Nothing, on purpose (the reason); the test still calls it and checks.
    Nothing(&'static str),
    /// Proven by another suite (where).
    Elsewhere(&'static str),
}

use Audit::{Elsewhere, Nothing, Writes};

/// Every state-changing operation and its audit entries.
pub(super) const CASES: &[(&str, Audit)] = &[
    (
        "POST /api/v1/auth/token",
        Nothing("login flow: tokens belong to the provider"),
    ),
    (
        "POST /api/v1/auth/refresh",
        Nothing("login flow: tokens belong to the provider"),
    ),
    (
        "POST /api/v1/auth/logout",
        Nothing("ScaiDNS keeps no session"),
    ),
    (
        "POST /api/v1/me/permissions/check",
        Nothing("a question, not a change"),
    ),
    (
        "POST /api/v1/auth/validate",
        Nothing("a question, not a change"),
    ),
    (
        "POST /api/v1/domains/{domain_id}/records/search",
        Nothing("a search, not a change"),
    ),
    (
        "POST /api/v1/plans",
        Nothing("a plan lists the entries the write would add and writes none"),
    ),
    (
        "POST /api/v1/domains/{domain_id}/retrieve",
        Nothing("asks PowerDNS to refresh a secondary's copy; nothing ScaiDNS stores changes"),
    ),
    (
        "POST /api/v1/webhooks/scaikey",
        Elsewhere("identity suites: entries with actor_type webhook and the event id"),
    ),
    // The PowerDNS-compatible API: the entries of the native operations it maps to.
    (
        "POST /api/v1/servers/{server_id}/zones",
        Writes(&["domain.create"]),
    ),
    (
        "PATCH /api/v1/servers/{server_id}/zones/{zone_id}",
        Writes(&["records.bulk", "record.create", "record.comments_update"]),
    ),
    (
        "PUT /api/v1/servers/{server_id}/zones/{zone_id}",
        Writes(&["records.bulk", "record.delete"]),
    ),
    (
        "DELETE /api/v1/servers/{server_id}/zones/{zone_id}",
        Writes(&["domain.delete"]),
    ),
    (
        "PUT /api/v1/servers/{server_id}/zones/{zone_id}/notify",
        Nothing("asks the backend to send NOTIFY now; nothing ScaiDNS stores changes"),
    ),
    ("POST /api/v1/admin/tenants", Writes(&["tenant.create"])),
    // `tenant.suspend` / `tenant.resume` when the status changes (tenant_admin suite).
    (
        "PATCH /api/v1/admin/tenants/{tenant_id}",
        Writes(&["tenant.update"]),
    ),
    (
        "PATCH /api/v1/admin/config/{key}",
        Writes(&["platform.config.update"]),
    ),
    (
        "PUT /api/v1/admin/authoritative-domains",
        Writes(&["platform.authoritative_domains.update"]),
    ),
    ("POST /api/v1/admin/users", Writes(&["user.create"])),
    (
        "PATCH /api/v1/admin/users/{user_id}",
        Writes(&["user.update"]),
    ),
    (
        "DELETE /api/v1/admin/users/{user_id}",
        Writes(&["user.deactivate"]),
    ),
    (
        "POST /api/v1/admin/users/invite",
        Elsewhere("admin_users suite: user.invite, with the ScaiKey stand-in"),
    ),
    (
        "POST /api/v1/admin/users/{user_id}/password",
        Elsewhere("admin_users suite: user.password_reset, with the ScaiKey stand-in"),
    ),
    (
        "POST /api/v1/admin/users/{user_id}/resend-invite",
        Elsewhere("admin_users suite: user.invite_resend, with the ScaiKey stand-in"),
    ),
    (
        "PUT /api/v1/admin/nameservers",
        Writes(&["platform.nameservers.update"]),
    ),
    ("POST /api/v1/api-keys", Writes(&["api_key.create"])),
    // Revoking a revoked key (activating an active one) answers 200 and writes nothing.
    (
        "POST /api/v1/api-keys/{key_id}/revoke",
        Writes(&["api_key.revoke"]),
    ),
    (
        "POST /api/v1/api-keys/{key_id}/activate",
        Writes(&["api_key.activate"]),
    ),
    (
        "POST /api/v1/api-keys/{key_id}/regenerate",
        Writes(&["api_key.regenerate"]),
    ),
    (
        "DELETE /api/v1/api-keys/{key_id}",
        Writes(&["api_key.delete"]),
    ),
    ("POST /api/v1/domains", Writes(&["domain.create"])),
    // A PATCH that changes nothing writes nothing.
    (
        "PATCH /api/v1/domains/{domain_id}",
        Writes(&["domain.update"]),
    ),
    // Soft delete; `?hard=true` writes `domain.hard_delete` (checked below too).
    (
        "DELETE /api/v1/domains/{domain_id}",
        Writes(&["domain.delete"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/restore",
        Writes(&["domain.restore"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/records",
        Writes(&["record.create"]),
    ),
    // A TTL change writes one entry per record of the RRset (TTL belongs to the RRset).
    (
        "PATCH /api/v1/domains/{domain_id}/records/{record_id}",
        Writes(&["record.update"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/records/{record_id}",
        Writes(&["record.delete"]),
    ),
    // Newest first: the batch entry is written after the records'.
    (
        "POST /api/v1/domains/{domain_id}/records/bulk",
        Writes(&["records.bulk", "record.create"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/records/bulk-delete",
        Writes(&["records.bulk", "record.delete"]),
    ),
    // Reverse zones: a zone's create, and PTRs written through the bulk path.
    (
        "POST /api/v1/reverse-zones/preview",
        Nothing("a dry run, not a change"),
    ),
    ("POST /api/v1/reverse-zones", Writes(&["domain.create"])),
    (
        "POST /api/v1/reverse-zones/{domain_id}/ptr",
        Writes(&["records.bulk", "record.create"]),
    ),
    (
        "POST /api/v1/reverse-zones/{domain_id}/ptr/bulk",
        Writes(&["records.bulk", "record.create"]),
    ),
    (
        "DELETE /api/v1/reverse-zones/{domain_id}/ptr/{ip}",
        Writes(&["records.bulk", "record.delete"]),
    ),
    // A classless delegation: the parent's CNAMEs through the bulk path, then one entry in
    // each tenant's log.
    (
        "POST /api/v1/reverse-zones/{domain_id}/classless-delegations",
        Writes(&[
            "reverse_zone.delegate",
            "reverse_zone.delegate",
            "records.bulk",
            "record.create",
        ]),
    ),
    (
        "DELETE /api/v1/reverse-zones/{domain_id}/classless-delegations/{delegation_id}",
        Writes(&[
            "reverse_zone.revoke_delegation",
            "reverse_zone.revoke_delegation",
            "records.bulk",
            "record.delete",
        ]),
    ),
    // An import writes one entry per record it adds, changes or deletes, and `zone.import`
    // (the log lists the newest first).
    (
        "POST /api/v1/domains/{domain_id}/import/text",
        Writes(&["zone.import", "record.create"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/import/file",
        Writes(&["zone.import", "record.create"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/import/preview",
        Nothing("a preview applies nothing"),
    ),
    // A restore writes one entry per record it brings back or removes, and
    // `zone.history_restore`.
    (
        "POST /api/v1/domains/{domain_id}/history/{generation}/restore",
        Writes(&["zone.history_restore", "record.delete"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/validation",
        Writes(&["domain.validation.start"]),
    ),
    // A passing check writes `domain.validation.success` with the zone before and after.
    (
        "POST /api/v1/domains/{domain_id}/validation/check",
        Writes(&["domain.validation.failure"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/validation",
        Writes(&["domain.validation.cancel"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/enable",
        Writes(&["dnssec.enable"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/disable",
        Writes(&["dnssec.disable"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/rotate-zsk",
        Writes(&["dnssec.rotate_zsk"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/rotate-ksk",
        Writes(&["dnssec.rotate_ksk"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/dnssec/confirm-ds-published",
        Writes(&["dnssec.confirm_ds"]),
    ),
    ("POST /api/v1/roles", Writes(&["role.create"])),
    ("PATCH /api/v1/roles/{role_id}", Writes(&["role.update"])),
    ("DELETE /api/v1/roles/{role_id}", Writes(&["role.delete"])),
    (
        "POST /api/v1/roles/users/{user_id}",
        Writes(&["role.assign"]),
    ),
    (
        "DELETE /api/v1/roles/users/{user_id}/assignments/{assignment_id}",
        Writes(&["role.revoke"]),
    ),
    (
        "POST /api/v1/roles/groups/{group_id}",
        Writes(&["role.assign"]),
    ),
    (
        "DELETE /api/v1/roles/groups/{group_id}/assignments/{assignment_id}",
        Writes(&["role.revoke"]),
    ),
    (
        "POST /api/v1/domains/{domain_id}/access-grants",
        Writes(&["access_grant.create"]),
    ),
    (
        "PATCH /api/v1/domains/{domain_id}/access-grants/{grant_id}",
        Writes(&["access_grant.update"]),
    ),
    (
        "DELETE /api/v1/domains/{domain_id}/access-grants/{grant_id}",
        Writes(&["access_grant.delete"]),
    ),
    ("POST /api/v1/templates", Writes(&["template.create"])),
    (
        "PATCH /api/v1/templates/{template_id}",
        Writes(&["template.update"]),
    ),
    (
        "DELETE /api/v1/templates/{template_id}",
        Writes(&["template.delete"]),
    ),
    (
        "POST /api/v1/templates/{template_id}/preview/{domain_id}",
        Nothing("a preview writes nothing"),
    ),
    (
        "POST /api/v1/templates/{template_id}/apply",
        Writes(&["records.bulk", "record.create", "template.apply"]),
    ),
    (
        "POST /api/v1/webhook-subscriptions",
        Writes(&["webhook_subscription.create"]),
    ),
    (
        "PATCH /api/v1/webhook-subscriptions/{subscription_id}",
        Writes(&["webhook_subscription.update"]),
    ),
    (
        "DELETE /api/v1/webhook-subscriptions/{subscription_id}",
        Writes(&["webhook_subscription.delete"]),
    ),
    (
        "POST /api/v1/webhook-subscriptions/{subscription_id}/test",
        Writes(&["webhook_subscription.test"]),
    ),
    (
        "POST /api/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
        Writes(&["webhook_delivery.redeliver"]),
    ),
    ("POST /api/v1/admin/groups", Writes(&["group.create"])),
    (
        "PATCH /api/v1/admin/groups/{group_id}",
        Writes(&["group.update"]),
    ),
    (
        "DELETE /api/v1/admin/groups/{group_id}",
        Writes(&["group.delete"]),
    ),
    (
        "POST /api/v1/admin/groups/{group_id}/members",
        Writes(&["group.member_add"]),
    ),
    (
        "DELETE /api/v1/admin/groups/{group_id}/members/{user_id}",
        Writes(&["group.member_remove"]),
    ),
];

pub(super) const STATE_CHANGING: &[&str] = &["post", "put", "patch", "delete"];

/// The document's operations as `METHOD /path`.
pub(super) fn spec_operations() -> Vec<(String, String)> {
    let mut out = Vec::new();
    // The native document and the PowerDNS-compatible API's own.
    for doc in [
        scaidns_server::spec_json(),
        scaidns_server::pdns_compat::pdns_spec_json(),
    ] {
        let spec: Value = serde_json::from_str(&doc).unwrap();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[test]
pub(super) fn every_state_changing_endpoint_has_an_audit_case() {
    let spec: BTreeSet<String> = spec_operations()
        .into_iter()
        .filter(|(m, _)| STATE_CHANGING.contains(&m.as_str()))
        .map(|(m, p)| format!("{} {p}", m.to_uppercase()))
        .collect();
    let table: BTreeSet<String> = CASES.iter().map(|(op, _)| (*op).to_owned()).collect();
    let missing: Vec<_> = spec.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "state-changing endpoints without a row in audit_completeness.rs CASES: {missing:?}"
    );
    // A row that writes nothing says why.
    for (op, audit) in CASES {
        if let Nothing(why) | Elsewhere(why) = audit {
            assert!(!why.is_empty(), "{op}: give the reason");
        }
    }
    let stale: Vec<_> = CASES
        .iter()
        .filter(|(op, _)| !spec.contains(*op))
        .map(|(op, _)| *op)
        .collect();
    assert!(
        stale.is_empty(),
        "rows for operations the document lacks: {stale:?}"
    );
}
