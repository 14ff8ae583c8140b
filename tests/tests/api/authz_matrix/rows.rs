//! The table: one row per endpoint and case, with a cell per caller.

use super::*;

pub(super) fn rows() -> Vec<Row> {
    let all200 = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=200 FA=200 RG=200 KM=200";
    let zone_read = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=200 KM=404";
    // Whole-zone operations: a grant limited to `www` gives none of them.
    let zone_admin = "P=200 TA=200 DA=200 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404";
    let zone_status = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=403 KM=404";
    let tenant_admin_only = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403";
    let tenant_a_admin = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403";
    let platform_only = "P=200 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403 RG=403 KM=403";
    // A user of tenant A: its tenant's admins and platform admins; tenant B does not see it.
    let users_of_a = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403";
    // The pending zone has no zone roles: only P and TA reach it, and RG's grant limited to
    // `www` does not give validation.
    let pending_admin = "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=403 KM=404";
    let record_writers = "P=201 TA=201 DA=201 DM=201 RE=201 RO=403 NR=404 FA=404 RG=201 KM=404";
    let outside_www = "P=201 TA=201 DA=201 DM=201 RE=201 RO=403 NR=404 FA=404 RG=403 KM=404";
    let importers = "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=403 KM=404";
    let in_zone = Some("TA DA DM RE RO RG");
    // Tenant A's custom template: its admins read it, another tenant's admin does not see it,
    // nor does the platform admin, who works in its own tenant (no tenant selector here).
    let tmpl_reader = "P=404 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403 RK=200";
    let tmpl_admin = "P=404 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403 RK=403";
    let hook_reader = "P=404 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403 RK=403";
    vec![
        row("GET", "/api/v1/health/live", all200).shows("/status", json!("ok")),
        row("GET", "/api/v1/health/ready", all200).shows("/status", json!("ok")),
        row("GET", "/api/v1/auth/me", all200).shows("/data/id", json!("{me}")),
        row("GET", "/api/v1/me", all200).shows("/data/id", json!("{me}")),
        row("GET", "/api/v1/me/context", all200).shows("/data/user/id", json!("{me}")),
        // Zones.
        row("GET", "/api/v1/domains", all200)
            .lists(in_zone, "/data", "id", "{zone}")
            .hides("NR FA KM", "/data", "id", "{zone}"),
        row("GET", "/api/v1/domains/types", all200).lists(None, "/data", "type", "SVCB"),
        row("GET", "/api/v1/domains/{zone}", zone_read).shows("/id", json!("{zone}")),
        row(
            "POST",
            "/api/v1/domains",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403",
        )
        .body(json!({"name": "new-{actor}.test"}))
        .shows("/name", json!("new-{actor}.test")),
        row("PATCH", "/api/v1/domains/{zone}", zone_admin)
            .body(json!({"description": "matrix {actor}"}))
            .shows("/description", json!("matrix {actor}")),
        row(
            "DELETE",
            "/api/v1/domains/{fz}",
            "P=204 TA=204 DA=204 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Zone)
        .gone("/api/v1/domains/{fz}"),
        row(
            "DELETE",
            "/api/v1/domains/{fz}?hard=true",
            "P=204 TA=204 DA=204 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Zone)
        .gone("/api/v1/domains/{fz}"),
        row(
            "POST",
            "/api/v1/domains/{fz}/retrieve",
            "P=202 TA=202 DA=202 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::SecondaryZone)
        .shows("/domain_type", json!("secondary")),
        row("POST", "/api/v1/domains/{fz}/restore", zone_admin)
            .fresh(Fresh::DeletedZone)
            .shows("/status", json!("active"))
            .after(
                "/api/v1/domains/{fz}",
                Probe::Status(200),
                Probe::Status(404),
            ),
        // Records. RG's grant covers `www` only: it sees, writes and deletes records there and
        // nowhere else, and may not delegate `www` (that hands on every name beneath it).
        row("GET", "/api/v1/domains/{zone}/records", zone_read)
            .lists(None, "/data", "id", "{record}")
            .lists(Some("P TA DA DM RE RO"), "/data", "id", "{api_record}")
            .hides("RG", "/data", "id", "{api_record}"),
        row(
            "POST",
            "/api/v1/domains/{zone}/records/search?page_size=1000",
            zone_read,
        )
        .body(json!({"query": "192.0.2."}))
        .lists(None, "/data", "id", "{record}")
        .lists(Some("P TA DA DM RE RO"), "/data", "id", "{api_record}")
        .hides("RG", "/data", "id", "{api_record}"),
        // Across zones: everyone may search, and finds only what it may read.
        row(
            "GET",
            "/api/v1/records?search=192.0.2.&page_size=1000",
            all200,
        )
        .lists(in_zone, "/data", "id", "{record}")
        .hides("NR FA KM", "/data", "id", "{record}")
        .lists(Some("P TA DA DM RE RO"), "/data", "id", "{api_record}")
        .hides("RG", "/data", "id", "{api_record}"),
        row("GET", "/api/v1/domains/{zone}/records/{record}", zone_read)
            .shows("/id", json!("{record}")),
        // Export: the record list's reach, as a file (RG's holds `www` only).
        row(
            "GET",
            "/api/v1/domains/{zone}/export?format=json",
            zone_read,
        )
        .shows("/domain_id", json!("{zone}"))
        .shows("/format", json!("json")),
        row(
            "GET",
            "/api/v1/domains/{zone}/export/download?format=json",
            zone_read,
        )
        .lists(None, "", "name", "www")
        .lists(Some("P TA DA DM RE RO"), "", "name", "api")
        .hides("RG", "", "name", "api"),
        row(
            "GET",
            "/api/v1/domains/{zone}/records/{api_record}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=404 KM=404",
        )
        .shows("/id", json!("{api_record}")),
        row("POST", "/api/v1/domains/{zone}/records", outside_www)
            .body(json!({"name": "new-{actor}", "type": "TXT", "content": "m"}))
            .shows("/display_name", json!("new-{actor}"))
            .shows("/type", json!("TXT")),
        row("POST", "/api/v1/domains/{zone}/records", record_writers)
            .body(json!({"name": "www", "type": "A", "content": "192.0.2.{seat}"}))
            .shows("/display_name", json!("www"))
            .shows("/content", json!("192.0.2.{seat}")),
        row("POST", "/api/v1/domains/{zone}/records", outside_www)
            .body(json!({"name": "api", "type": "A", "content": "192.0.2.{seat}"}))
            .shows("/display_name", json!("api"))
            .shows("/content", json!("192.0.2.{seat}")),
        row("POST", "/api/v1/domains/{fz}/records", outside_www)
            .fresh(Fresh::Zone)
            .body(json!({"name": "www", "type": "NS", "content": "ns1.elsewhere.example."}))
            .shows("/type", json!("NS"))
            .refuses("RG", "permission_denied"),
        row("POST", "/api/v1/domains/{fz}/records", outside_www)
            .fresh(Fresh::Zone)
            .body(json!({"name": "www", "type": "DNAME", "content": "elsewhere.example."}))
            .shows("/type", json!("DNAME"))
            .refuses("RG", "permission_denied"),
        // Import: every record authorised as a single create; RG's grant covers `www` only.
        // A plan needs no permission of its own: every caller gets one, carrying the refusal
        // the real call would give (`plans` suite checks they match).
        row("POST", "/api/v1/plans", all200)
            .body(
                json!({"operation": "record_create", "params": {"domain_id": "{zone}"},
                "body": {"name": "plan-{actor}", "type": "A", "content": "192.0.2.77"}}),
            )
            .shows("/operation", json!("record_create")),
        row("POST", "/api/v1/domains/{zone}/import/text", importers)
            .body(json!({"content": "imp-{actor} TXT m"}))
            .shows("/added", json!(1)),
        row("POST", "/api/v1/domains/{zone}/import/preview", importers)
            .body(json!({"content": "pre-{actor} TXT m"}))
            .shows("/adds/0/type", json!("TXT")),
        row("POST", "/api/v1/domains/{zone}/import/file", importers)
            .body(json!({"file": "up-{actor} TXT m", "mode": "merge"}))
            .shows("/added", json!(1)),
        // History is record data: RG sees the steps touching `www` only, so not the zone's
        // first (its SOA and NS); a restore needs record writes, and one that changes
        // nothing (the fresh zone is at generation 1) needs no RRset of RG's grant.
        row("GET", "/api/v1/domains/{zone}/history", zone_read).shows("/page", json!(1)),
        row(
            "GET",
            "/api/v1/domains/{zone}/history/{first_step}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=404 KM=404",
        )
        .shows("/generation", json!(1)),
        row("GET", "/api/v1/domains/{zone}/diff?from=1&to=1", zone_read)
            .shows("/changes", json!([])),
        row(
            "POST",
            "/api/v1/domains/{fz}/history/{first_step}/restore",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=200 KM=404",
        )
        .fresh(Fresh::Zone)
        .shows("/restored_generation", json!(1)),
        row(
            "PATCH",
            "/api/v1/domains/{zone}/records/{record}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=200 KM=404",
        )
        .body(json!({"ttl": 600}))
        .shows("/ttl", json!(600)),
        row(
            "PATCH",
            "/api/v1/domains/{zone}/records/{api_record}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=404 KM=404",
        )
        .body(json!({"ttl": 600}))
        .shows("/ttl", json!(600)),
        row(
            "DELETE",
            "/api/v1/domains/{zone}/records/{fr}",
            "P=204 TA=204 DA=204 DM=204 RE=403 RO=403 NR=404 FA=404 RG=404 KM=404",
        )
        .fresh(Fresh::Record)
        .gone("/api/v1/domains/{zone}/records/{fr}"),
        row(
            "DELETE",
            "/api/v1/domains/{zone}/records/{fr}",
            "P=204 TA=204 DA=204 DM=204 RE=403 RO=403 NR=404 FA=404 RG=204 KM=404",
        )
        .fresh(Fresh::WwwRecord)
        .gone("/api/v1/domains/{zone}/records/{fr}"),
        // Bulk: each item is authorised like its single change; one outside RG's `www` refuses
        // the batch, and a record RG cannot see is unknown.
        row(
            "POST",
            "/api/v1/domains/{zone}/records/bulk",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .body(json!({"records": [{"name": "bulk-{actor}", "type": "TXT", "content": "m"}]}))
        .shows("/created/0/display_name", json!("bulk-{actor}"))
        .refuses("RG", "bulk_rejected"),
        row(
            "POST",
            "/api/v1/domains/{zone}/records/bulk",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=200 KM=404",
        )
        .body(json!({"records": [{"name": "www", "type": "A", "content": "198.51.100.{seat}"}]}))
        .shows("/created/0/content", json!("198.51.100.{seat}")),
        row(
            "POST",
            "/api/v1/domains/{zone}/records/bulk-delete",
            "P=200 TA=200 DA=200 DM=200 RE=403 RO=403 NR=404 FA=404 RG=422 KM=404",
        )
        .fresh(Fresh::Record)
        .body(json!({"record_ids": ["{fr}"]}))
        .shows("/deleted", json!(1))
        .gone("/api/v1/domains/{zone}/records/{fr}"),
        row(
            "POST",
            "/api/v1/domains/{zone}/records/bulk-delete",
            "P=200 TA=200 DA=200 DM=200 RE=403 RO=403 NR=404 FA=404 RG=200 KM=404",
        )
        .fresh(Fresh::WwwRecord)
        .body(json!({"record_ids": ["{fr}"]}))
        .shows("/deleted", json!(1))
        .gone("/api/v1/domains/{zone}/records/{fr}"),
        // Reverse zones and PTRs: zone A's roles are held on `{rzone}` too; RG's grant there
        // is limited to `www`, so it reaches no PTR (may write none, and one it cannot see is
        // unknown, as a record is).
        row("GET", "/api/v1/reverse-zones", all200)
            .lists(in_zone, "/data", "id", "{rzone}")
            .hides("NR FA KM", "/data", "id", "{rzone}"),
        row("POST", "/api/v1/reverse-zones/preview", all200)
            .body(json!({"cidr": "192.0.2.64/26"}))
            .shows("/zone_name", json!("64-26.2.0.192.in-addr.arpa")),
        row(
            "POST",
            "/api/v1/reverse-zones",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403",
        )
        .body(json!({"cidr": "10.{seat}.0.0/16"}))
        .shows("/name", json!("{seat}.10.in-addr.arpa")),
        row("GET", "/api/v1/reverse-zones/{rzone}/ptr", zone_read)
            .lists(Some("P TA DA DM RE RO"), "/data", "id", "{rptr}")
            .hides("RG", "/data", "id", "{rptr}"),
        row("POST", "/api/v1/reverse-zones/{rzone}/ptr", outside_www)
            .body(json!({"ip": "192.0.2.{seat}", "hostname": "h-{actor}.alpha.test"}))
            .shows("/ip", json!("192.0.2.{seat}")),
        row(
            "POST",
            "/api/v1/reverse-zones/{rzone}/ptr/bulk",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .body(json!({"ptrs": [{"ip": "192.0.2.1{seat}", "hostname": "b-{actor}.alpha.test"}]}))
        .shows("/created/0/ip", json!("192.0.2.1{seat}")),
        row(
            "DELETE",
            "/api/v1/reverse-zones/{rzone}/ptr/{fip}",
            "P=204 TA=204 DA=204 DM=204 RE=403 RO=403 NR=404 FA=404 RG=404 KM=404",
        )
        .fresh(Fresh::Ptr)
        .gone("/api/v1/reverse-zones/lookup/{fip}"),
        row(
            "GET",
            "/api/v1/reverse-zones/lookup/{rip}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=404 KM=404",
        )
        .shows("/record_id", json!("{rptr}"))
        .shows("/zone_id", json!("{rzone}")),
        // Classless delegations: whole-zone operations on `{rzone}`, lent to tenant B.
        row(
            "POST",
            "/api/v1/reverse-zones/{rzone}/classless-delegations",
            "P=201 TA=201 DA=201 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .body(json!({"cidr": "192.0.2.2{seat}/32", "tenant_id": "{btenant}"}))
        .shows("/cidr", json!("192.0.2.2{seat}/32")),
        row(
            "GET",
            "/api/v1/reverse-zones/{rzone}/classless-delegations",
            zone_read,
        )
        .lists(None, "/data", "id", "{deleg}"),
        row(
            "DELETE",
            "/api/v1/reverse-zones/{rzone}/classless-delegations/{fdel}",
            "P=204 TA=204 DA=204 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Delegation)
        .after(
            "/api/v1/reverse-zones/{rzone}/classless-delegations",
            Probe::Holds("/data", "id", "{fdel}", false),
            Probe::Holds("/data", "id", "{fdel}", true),
        ),
        // The ranges lent to the caller's tenant: `{deleg}` is lent to tenant B.
        row(
            "GET",
            "/api/v1/classless-delegations",
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403 RK=200",
        )
        .lists(Some("FA"), "/data", "id", "{deleg}")
        .hides("P TA RK", "/data", "id", "{deleg}"),
        // Validation.
        row("GET", "/api/v1/domains/{pending}/validation", pending_admin)
            .shows("/status", json!("pending")),
        row(
            "POST",
            "/api/v1/domains/{pending}/validation",
            "P=201 TA=201 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=403 KM=404",
        )
        .body(json!({}))
        .shows("/status", json!("pending")),
        row(
            "POST",
            "/api/v1/domains/{pending}/validation/check",
            pending_admin,
        )
        .shows("/is_valid", json!(false))
        .shows("/domain_status", json!("pending_validation")),
        row(
            "DELETE",
            "/api/v1/domains/{fz}/validation",
            "P=204 TA=204 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::PendingZone)
        .after(
            "/api/v1/domains/{fz}/validation",
            Probe::Field("/status", json!("cancelled")),
            Probe::Field("/status", json!("pending")),
        ),
        // DNSSEC.
        row("GET", "/api/v1/domains/{zone}/dnssec", zone_status)
            .shows("/domain_id", json!("{zone}"))
            .shows("/enabled", json!(false)),
        row("POST", "/api/v1/domains/{fz}/dnssec/enable", zone_admin)
            .fresh(Fresh::Zone)
            .body(json!({}))
            .shows("/enabled", json!(true))
            .after(
                "/api/v1/domains/{fz}",
                Probe::Field("/dnssec_enabled", json!(true)),
                Probe::Field("/dnssec_enabled", json!(false)),
            ),
        row("POST", "/api/v1/domains/{fz}/dnssec/disable", zone_admin)
            .fresh(Fresh::SignedZone)
            .shows("/enabled", json!(false))
            .after(
                "/api/v1/domains/{fz}",
                Probe::Field("/dnssec_enabled", json!(false)),
                Probe::Field("/dnssec_enabled", json!(true)),
            ),
        row("POST", "/api/v1/domains/{fz}/dnssec/rotate-zsk", zone_admin)
            .fresh(Fresh::SignedZone)
            .shows("/action", json!("rotate_zsk")),
        row("POST", "/api/v1/domains/{fz}/dnssec/rotate-ksk", zone_admin)
            .fresh(Fresh::SignedZone)
            .shows("/action", json!("rotate_ksk")),
        row(
            "POST",
            "/api/v1/domains/{fz}/dnssec/confirm-ds-published",
            zone_admin,
        )
        .fresh(Fresh::DsPublishedZone)
        .body(json!({}))
        .shows("/action", json!("confirm_ds"))
        .shows("/status", json!("active")),
        // Access grants.
        row(
            "GET",
            "/api/v1/domains/{zone}/access-grants",
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=200 NR=404 FA=404 RG=403 KM=404",
        )
        .lists(None, "/data", "id", "{grant}"),
        row(
            "GET",
            "/api/v1/domains/{zone}/access-grants/{grant}",
            "P=200 TA=200 DA=200 DM=403 RE=403 RO=200 NR=404 FA=404 RG=403 KM=404",
        )
        .shows("/id", json!("{grant}")),
        row(
            "POST",
            "/api/v1/domains/{zone}/access-grants",
            "P=201 TA=201 DA=201 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::User)
        .body(json!({"grant_type": "user", "grantee_id": "{fu}", "role": "read_only"}))
        .shows("/grantee_id", json!("{fu}"))
        .shows("/role", json!("read_only")),
        row(
            "PATCH",
            "/api/v1/domains/{zone}/access-grants/{grant}",
            zone_admin,
        )
        .body(json!({"notes": "matrix {actor}"}))
        .shows("/notes", json!("matrix {actor}")),
        row(
            "DELETE",
            "/api/v1/domains/{zone}/access-grants/{fgrant}",
            "P=204 TA=204 DA=204 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Grant)
        .gone("/api/v1/domains/{zone}/access-grants/{fgrant}"),
        // Nobody widens, or removes, its own grant: RG's on a fresh zone, limited to `www` and
        // expiring.
        row(
            "PATCH",
            "/api/v1/domains/{fz}/access-grants/{fzg}",
            zone_admin,
        )
        .fresh(Fresh::Zone)
        .body(json!({"record_pattern": null, "expires_at": null}))
        .shows("/record_pattern", Value::Null)
        .shows("/expires_at", Value::Null)
        .after(
            "/api/v1/domains/{fz}/access-grants/{fzg}",
            Probe::Field("/record_pattern", Value::Null),
            Probe::Field("/record_pattern", json!("www")),
        ),
        row(
            "DELETE",
            "/api/v1/domains/{fz}/access-grants/{fzg}",
            "P=204 TA=204 DA=204 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Zone)
        .gone("/api/v1/domains/{fz}/access-grants/{fzg}"),
        // Nor grants itself anything, where it could grant others: TA and DA each grant the
        // other and are refused for themselves.
        row(
            "POST",
            "/api/v1/domains/{fz}/access-grants",
            "P=201 TA=403 DA=201 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Zone)
        .body(json!({"grant_type": "user", "grantee_id": "{ta_user}", "role": "read_only"}))
        .shows("/grantee_id", json!("{ta_user}"))
        .refuses("TA", "own_grant"),
        row(
            "POST",
            "/api/v1/domains/{fz}/access-grants",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404",
        )
        .fresh(Fresh::Zone)
        .body(json!({"grant_type": "user", "grantee_id": "{da_user}", "role": "read_only"}))
        .shows("/grantee_id", json!("{da_user}"))
        .refuses("DA", "own_grant"),
        // Roles.
        row("GET", "/api/v1/roles", tenant_admin_only).lists(None, "/data", "name", "read_only"),
        row("GET", "/api/v1/roles/permissions", all200).lists(
            None,
            "/data",
            "permission",
            "records:read",
        ),
        row("GET", "/api/v1/roles/{crole}", tenant_a_admin).shows("/id", json!("{crole}")),
        row(
            "POST",
            "/api/v1/roles",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403",
        )
        .body(json!({"name": "new-{actor}", "permissions": ["records:read"]}))
        .shows("/name", json!("new-{actor}"))
        .shows("/is_system", json!(false)),
        row("PATCH", "/api/v1/roles/{crole}", tenant_a_admin)
            .body(json!({"description": "matrix {actor}"}))
            .shows("/description", json!("matrix {actor}")),
        row(
            "DELETE",
            "/api/v1/roles/{frole}",
            "P=204 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::Role)
        .gone("/api/v1/roles/{frole}"),
        row("GET", "/api/v1/roles/users/{ro_user}", tenant_a_admin).lists(
            None,
            "/data",
            "id",
            "{assignment}",
        ),
        row(
            "POST",
            "/api/v1/roles/users/{fu}",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::User)
        .body(json!({"role_name": "read_only", "scope": "tenant", "scope_id": "{tenant}"}))
        .shows("/principal_id", json!("{fu}"))
        .shows("/role_name", json!("read_only")),
        row(
            "DELETE",
            "/api/v1/roles/users/{fu}/assignments/{fa}",
            "P=204 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::UserAssignment)
        .unlisted("/api/v1/roles/users/{fu}", "/data", "id", "{fa}"),
        row(
            "GET",
            "/api/v1/roles/users/{nr_user}/permissions",
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=200 FA=404 RG=403 KM=403",
        )
        .shows("/user_id", json!("{nr_user}")),
        row("GET", "/api/v1/roles/groups/{agroup}", tenant_a_admin).lists(
            None,
            "/data",
            "id",
            "{gassignment}",
        ),
        row(
            "POST",
            "/api/v1/roles/groups/{fg}",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::Group)
        .body(json!({"role_name": "read_only", "scope": "tenant", "scope_id": "{tenant}"}))
        .shows("/principal_id", json!("{fg}"))
        .shows("/principal_type", json!("group")),
        row(
            "DELETE",
            "/api/v1/roles/groups/{fg}/assignments/{fa}",
            "P=204 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::GroupAssignment)
        .unlisted("/api/v1/roles/groups/{fg}", "/data", "id", "{fa}"),
        row("POST", "/api/v1/me/permissions/check", all200)
            .body(json!({"permission": "records:read", "domain_id": "{zone}"}))
            .shows_for("P TA DA DM RE RO RG", "/allowed", json!(true))
            .shows_for("NR FA KM", "/allowed", json!(false)),
        // RG's grant reaches the records at `www` only, and nothing zone-wide.
        row("POST", "/api/v1/me/permissions/check", all200)
            .body(
                json!({"permission": "records:update", "domain_id": "{zone}",
                         "record_name": "www", "record_type": "A"}),
            )
            .shows_for("P TA DA DM RE RG", "/allowed", json!(true))
            .shows_for("RO NR FA KM", "/allowed", json!(false)),
        row("POST", "/api/v1/me/permissions/check", all200)
            .body(
                json!({"permission": "records:update", "domain_id": "{zone}",
                         "record_name": "api", "record_type": "A"}),
            )
            .shows_for("P TA DA DM RE", "/allowed", json!(true))
            .shows_for("RO NR FA KM RG", "/allowed", json!(false)),
        row("POST", "/api/v1/me/permissions/check", all200)
            .body(json!({"permission": "dnssec:read", "domain_id": "{zone}"}))
            .shows_for("P TA DA DM RE RO", "/allowed", json!(true))
            .shows_for("NR FA KM RG", "/allowed", json!(false)),
        // Audit log.
        row(
            "GET",
            "/api/v1/admin/audit-logs?resource_id={zone}&action=domain.create",
            tenant_admin_only,
        )
        .lists(Some("TA"), "/data", "id", "{log}")
        .hides("FA", "/data", "id", "{log}"),
        row(
            "GET",
            "/api/v1/admin/audit-logs?tenant_id={tenant}&resource_id={zone}",
            platform_only,
        )
        .lists(None, "/data", "id", "{log}"),
        row("GET", "/api/v1/admin/audit-logs/{log}", tenant_a_admin).shows("/id", json!("{log}")),
        // Groups.
        row("GET", "/api/v1/admin/groups", tenant_admin_only)
            .lists(Some("TA"), "/data", "id", "{agroup}")
            .hides("FA", "/data", "id", "{agroup}"),
        row(
            "POST",
            "/api/v1/admin/groups",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403",
        )
        .body(json!({"name": "new-{actor}"}))
        .shows("/name", json!("new-{actor}")),
        row("GET", "/api/v1/admin/groups/{agroup}", tenant_a_admin).shows("/id", json!("{agroup}")),
        row("PATCH", "/api/v1/admin/groups/{agroup}", tenant_a_admin)
            .body(json!({"description": "matrix {actor}"}))
            .shows("/description", json!("matrix {actor}")),
        row(
            "GET",
            "/api/v1/admin/groups/{agroup}/members",
            tenant_a_admin,
        )
        .lists(None, "/user_ids", "", "{member}"),
        row(
            "POST",
            "/api/v1/admin/groups/{agroup}/members",
            tenant_a_admin,
        )
        .fresh(Fresh::User)
        .body(json!({"user_id": "{fu}"}))
        .lists(None, "/user_ids", "", "{fu}"),
        // A group holding what even the tenant admin lacks takes members from the platform
        // admin only.
        row(
            "POST",
            "/api/v1/admin/groups/{fg}/members",
            "P=200 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::PrivilegedGroup)
        .body(json!({"user_id": "{fu}"}))
        .lists(None, "/user_ids", "", "{fu}")
        .refuses("TA", "permission_not_held")
        .after(
            "/api/v1/admin/groups/{fg}/members",
            Probe::Holds("/user_ids", "", "{fu}", true),
            Probe::Holds("/user_ids", "", "{fu}", false),
        ),
        row(
            "DELETE",
            "/api/v1/admin/groups/{agroup}/members/{fu}",
            "P=204 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::Member)
        .unlisted(
            "/api/v1/admin/groups/{agroup}/members",
            "/user_ids",
            "",
            "{fu}",
        ),
        row(
            "DELETE",
            "/api/v1/admin/groups/{fg}",
            "P=204 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403",
        )
        .fresh(Fresh::Group)
        .gone("/api/v1/admin/groups/{fg}"),
        // API keys: everyone manages its own; another user's key is invisible to all but key
        // managers, who act only as principals holding no more than they do.
        row("GET", "/api/v1/api-keys", all200).lists(None, "/data", "id", "{my_key}"),
        row(
            "GET",
            "/api/v1/api-keys/{key}",
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=404 KM=200",
        )
        .shows("/id", json!("{key}")),
        row(
            "POST",
            "/api/v1/api-keys",
            // Another tenant's admin is told what an unknown id gets: no such user.
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=201 FA=422 RG=403 KM=201",
        )
        .body(json!({"name": "new-{actor}", "permission_source_id": "{nr_user}"}))
        .shows("/name", json!("new-{actor}"))
        .shows("/permission_source_id", json!("{nr_user}")),
        row(
            "POST",
            "/api/v1/api-keys",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=422 RG=403 KM=403",
        )
        .body(json!({"name": "as-ta-{actor}", "permission_source_id": "{ta_user}"}))
        .shows("/permission_source_id", json!("{ta_user}"))
        .refuses("KM", "permission_not_held"),
        row(
            "POST",
            "/api/v1/api-keys",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=422 RG=403 KM=403",
        )
        .body(
            json!({"name": "as-group-{actor}", "permission_source": "group",
                     "permission_source_id": "{agroup}"}),
        )
        .refuses("FA", "invalid_input")
        .shows("/permission_source", json!("group"))
        .shows("/permission_source_id", json!("{agroup}"))
        .refuses("KM", "permission_not_held"),
        row(
            "POST",
            "/api/v1/api-keys/{fk}/revoke",
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=404 KM=200",
        )
        .fresh(Fresh::Key)
        .shows("/status", json!("revoked"))
        .after(
            "/api/v1/api-keys/{fk}",
            Probe::Field("/status", json!("revoked")),
            Probe::Field("/status", json!("active")),
        ),
        row(
            "POST",
            "/api/v1/api-keys/{fk}/activate",
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=404 KM=403",
        )
        .fresh(Fresh::RevokedKey)
        .shows("/status", json!("active"))
        .refuses("KM", "permission_not_held")
        .after(
            "/api/v1/api-keys/{fk}",
            Probe::Field("/status", json!("active")),
            Probe::Field("/status", json!("revoked")),
        ),
        row(
            "POST",
            "/api/v1/api-keys/{fk}/regenerate",
            "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=404 KM=403",
        )
        .fresh(Fresh::Key)
        .shows("/id", json!("{fk}"))
        .shows("/status", json!("active"))
        .refuses("KM", "permission_not_held"),
        row(
            "DELETE",
            "/api/v1/api-keys/{fk}",
            "P=204 TA=204 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=404 KM=204",
        )
        .fresh(Fresh::Key)
        .gone("/api/v1/api-keys/{fk}"),
        // Platform administration (last: the name servers apply to every zone).
        row("GET", "/api/v1/admin/tenants", platform_only).lists(None, "/data", "id", "{tenant}"),
        row("GET", "/api/v1/admin/tenants/{tenant}", platform_only).shows("/id", json!("{tenant}")),
        row("GET", "/api/v1/admin/tenants?status=active", platform_only)
            .lists(None, "/data", "id", "{tenant}"),
        // Settings only: suspending the shared tenant would lock the other callers out. That a
        // tenant admin cannot suspend its own tenant is this row's TA cell.
        row("PATCH", "/api/v1/admin/tenants/{tenant}", platform_only)
            .body(json!({"settings": {"matrix": "{actor}"}}))
            .shows("/settings/matrix", json!("{actor}")),
        row("GET", "/api/v1/admin/partners", platform_only).lists(
            None,
            "/data",
            "scaikey_partner_id",
            "prt_matrix",
        ),
        row("GET", "/api/v1/admin/partners/{partner}", platform_only)
            .shows("/scaikey_partner_id", json!("prt_matrix")),
        row("GET", "/api/v1/admin/config", platform_only).lists(
            None,
            "/configs",
            "key",
            "validation.challenge_ttl",
        ),
        row("GET", "/api/v1/admin/config/{config_key}", platform_only)
            .shows("/key", json!("validation.challenge_ttl")),
        row("PATCH", "/api/v1/admin/config/{config_key}", platform_only)
            .body(json!({"value": "3600"}))
            .shows("/source", json!("api")),
        row("PUT", "/api/v1/admin/authoritative-domains", platform_only)
            .body(json!({"domains": ["matrix.test"]}))
            .lists(None, "/domains", "", "matrix.test"),
        row("GET", "/api/v1/admin/authoritative-domains", platform_only).lists(
            None,
            "/domains",
            "",
            "matrix.test",
        ),
        row(
            "POST",
            "/api/v1/admin/tenants",
            "P=201 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403 RG=403 KM=403",
        )
        .body(json!({"name": "New {actor}", "slug": "new-{actor}"}))
        .shows("/slug", json!("new-{actor}")),
        row(
            "GET",
            "/api/v1/admin/users?page_size=100",
            tenant_admin_only,
        )
        .lists(Some("TA"), "/data", "id", "{nr_user}")
        .hides("FA", "/data", "id", "{nr_user}"),
        row(
            "GET",
            "/api/v1/admin/users?status=active&search=@&page_size=100",
            tenant_admin_only,
        )
        .lists(Some("TA"), "/data", "id", "{nr_user}")
        .hides("FA", "/data", "id", "{nr_user}"),
        row("GET", "/api/v1/admin/users/{nr_user}", users_of_a).shows("/id", json!("{nr_user}")),
        row("PATCH", "/api/v1/admin/users/{fu}", users_of_a)
            .fresh(Fresh::User)
            .body(json!({"first_name": "{actor}"}))
            .shows("/first_name", json!("{actor}")),
        row("DELETE", "/api/v1/admin/users/{fu}", users_of_a)
            .fresh(Fresh::User)
            .shows("/status", json!("inactive")),
        row(
            "POST",
            "/api/v1/admin/users",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403 RG=403 KM=403",
        )
        .body(json!({"email": "new-{actor}@alpha.test", "tenant_id": "{tenant}"}))
        .shows("/email", json!("new-{actor}@alpha.test"))
        .shows("/tenant_id", json!("{tenant}")),
        row("PUT", "/api/v1/admin/nameservers", platform_only)
            .body(json!({"nameservers": ["ns1.scaidns.test", "ns2.scaidns.test"]}))
            .lists(None, "/nameservers", "", "ns2.scaidns.test."),
        row("GET", "/api/v1/admin/nameservers", platform_only).lists(
            None,
            "/nameservers",
            "",
            "ns1.scaidns.test.",
        ),
        // Outbound webhook subscriptions: tenant A's admins only (`webhooks:*`); another
        // tenant's admin and the platform admin (in its own tenant) do not see A's.
        row(
            "GET",
            "/api/v1/webhook-subscriptions",
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403 RK=403",
        )
        .lists(Some("TA"), "/data", "id", "{hook}")
        .hides("P FA", "/data", "id", "{hook}"),
        row(
            "POST",
            "/api/v1/webhook-subscriptions",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403 RK=403",
        )
        .body(json!({"url": "http://127.0.0.1:9/{actor}", "events": ["zone.*"]}))
        .shows("/url", json!("http://127.0.0.1:9/{actor}")),
        row("GET", "/api/v1/webhook-subscriptions/{hook}", hook_reader)
            .shows("/id", json!("{hook}")),
        row("PATCH", "/api/v1/webhook-subscriptions/{hook}", hook_reader)
            .body(json!({"description": "matrix {actor}"}))
            .shows("/description", json!("matrix {actor}")),
        row(
            "DELETE",
            "/api/v1/webhook-subscriptions/{fh}",
            "P=404 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403 RK=403",
        )
        .fresh(Fresh::Hook)
        .gone("/api/v1/webhook-subscriptions/{fh}")
        .probed_by("TA"),
        row(
            "POST",
            "/api/v1/webhook-subscriptions/{hook}/test",
            hook_reader,
        )
        .shows("/event", json!("test")),
        row(
            "GET",
            "/api/v1/webhook-subscriptions/{hook}/deliveries",
            hook_reader,
        )
        .lists(None, "/data", "id", "{hookd}"),
        row(
            "POST",
            "/api/v1/webhook-subscriptions/{hook}/deliveries/{hookd}/redeliver",
            hook_reader,
        )
        .shows("/id", json!("{hookd}")),
        // Templates: system ones for every holder of `templates:read`, custom ones for their
        // tenant only (another tenant's are unknown: 404). RK is a key narrowed to reading.
        row(
            "GET",
            "/api/v1/templates?page_size=100",
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403 RK=200",
        )
        .lists(None, "/data", "id", "{stmpl}")
        .lists(Some("TA RK"), "/data", "id", "{tmpl}")
        .hides("FA", "/data", "id", "{tmpl}"),
        row("GET", "/api/v1/templates/variables", all200).lists(None, "", "name", "domain"),
        row(
            "POST",
            "/api/v1/templates",
            "P=201 TA=201 DA=403 DM=403 RE=403 RO=403 NR=403 FA=201 RG=403 KM=403 RK=403",
        )
        .body(json!({"name": "new-{actor}",
                     "records": [{"name": "n", "type": "A", "content": "192.0.2.{seat}"}]}))
        .shows("/name", json!("new-{actor}")),
        row("GET", "/api/v1/templates/{tmpl}", tmpl_reader).shows("/id", json!("{tmpl}")),
        row(
            "GET",
            "/api/v1/templates/{stmpl}",
            "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403 RK=200",
        )
        .shows("/name", json!("caa-letsencrypt")),
        row(
            "GET",
            "/api/v1/templates/{tmpl}/required-variables",
            tmpl_reader,
        )
        .lists(None, "", "name", "ip"),
        row("PATCH", "/api/v1/templates/{tmpl}", tmpl_admin)
            .body(json!({"description": "matrix {actor}"}))
            .shows("/description", json!("matrix {actor}")),
        row(
            "DELETE",
            "/api/v1/templates/{ft}",
            "P=404 TA=204 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403 RK=403",
        )
        .fresh(Fresh::Template)
        .gone("/api/v1/templates/{ft}")
        .probed_by("TA"),
        // Preview needs `records:read` on the zone, not `templates:read`.
        row(
            "POST",
            "/api/v1/templates/{tmpl}/preview/{zone}",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=200 KM=404 RK=200",
        )
        .body(json!({"variables": {}}))
        .shows("/records/0/content", json!("192.0.2.50"))
        .shows("/valid", json!(true)),
        // Apply: each record is authorised as its own create. RG's grant covers `www` only, so
        // `tmpl` is refused and nothing is written; a narrowed read key writes nothing.
        row(
            "POST",
            "/api/v1/templates/{tmpl}/apply",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=403 KM=404 RK=403",
        )
        .fresh(Fresh::Zone)
        .body(json!({"domain_id": "{fz}", "variables": {"ip": "192.0.2.{seat}"}}))
        .shows("/total_created", json!(1))
        .shows("/created_records/0/content", json!("192.0.2.{seat}"))
        .refuses("RG", "permission_denied")
        .after(
            "/api/v1/domains/{fz}/records",
            Probe::Holds("/data", "display_name", "tmpl", true),
            Probe::Holds("/data", "display_name", "tmpl", false),
        ),
        row(
            "POST",
            "/api/v1/templates/{wtmpl}/apply",
            "P=200 TA=200 DA=200 DM=200 RE=200 RO=403 NR=404 FA=404 RG=200 KM=404 RK=403",
        )
        .fresh(Fresh::Zone)
        .body(json!({"domain_id": "{fz}"}))
        .shows("/created_records/0/display_name", json!("www"))
        .after(
            "/api/v1/domains/{fz}/records",
            Probe::Holds("/data", "type", "AAAA", true),
            Probe::Holds("/data", "type", "AAAA", false),
        ),
        // The PowerDNS-compatible API: the same rules in PowerDNS's shapes. Another tenant's
        // zone is unknown (404); a write the rules refuse, RG's outside `www` included, is 422.
        row(
            "GET",
            "/api/v1/servers/localhost/zones/alpha.test.",
            zone_read,
        )
        .shows("/name", json!("alpha.test.")),
        row(
            "PATCH",
            "/api/v1/servers/localhost/zones/alpha.test.",
            "P=204 TA=204 DA=204 DM=204 RE=204 RO=422 NR=404 FA=404 RG=422 KM=404",
        )
        .body(json!({"rrsets": [{"name": "pdns-{actor}.alpha.test.", "type": "A", "ttl": 300,
            "changetype": "REPLACE", "records": [{"content": "192.0.2.{seat}", "disabled": false}]}]}))
        .after(
            "/api/v1/servers/localhost/zones/alpha.test.?rrset_name=pdns-{actor}.alpha.test.",
            Probe::Holds("/rrsets", "type", "A", true),
            Probe::Holds("/rrsets", "type", "A", false),
        ),
    ]
}
