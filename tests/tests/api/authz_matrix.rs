//! The authorization matrix (DESIGN.md 16): every endpoint × every kind of caller, own tenant
//! and foreign tenant, with the expected status, driven by one table.
//!
//! Every row can fail: it names real objects, gives every caller a cell, has at least one caller
//! that succeeds, and says what that success shows ([`Row::shows`], [`Row::lists`]) or leaves
//! behind ([`Row::after`], [`Row::gone`]). A row that consumes its object (delete, revoke,
//! restore, …) gets a fresh one per caller ([`Fresh`]), so every caller acts on the same kind
//! of object and a refused caller is checked to have changed nothing. Where the reason for a
//! refusal is the point of the row (`own_grant`, `permission_not_held`), [`Row::refuses`]
//! checks its error code.
//!
//! To extend it: a new kind of caller (say a member of a group holding a role) is one entry in
//! [`ACTORS`] and its setup in `World::new`, then a cell in the rows it concerns; a new kind of
//! object acted upon (another principal's key, a group the caller belongs to) is one [`Fresh`]
//! variant. Cells a row leaves out are not called.
//!
//! Two golden files come with it: `docs/permissions-matrix.txt` (role × permission) and
//! `tests/golden/uncovered-authz-endpoints.txt` (endpoints of the OpenAPI document with no row
//! here, kept empty). Regenerate with `EXPECTORATE=overwrite`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

/// Callers of the matrix, with what each is.
const ACTORS: &[(&str, &str)] = &[
    ("P", "platform admin"),
    ("TA", "tenant_admin of tenant A"),
    ("DA", "domain_admin on zone A"),
    ("DM", "domain_manager on zone A"),
    ("RE", "record_editor on zone A"),
    ("RO", "read_only on zone A"),
    ("NR", "user of tenant A with no role"),
    ("FA", "tenant_admin of tenant B (foreign)"),
    (
        "RG",
        "user of tenant A holding a domain_admin grant limited to `www`, expiring, on zone A",
    ),
    (
        "KM",
        "user of tenant A whose only role is a custom one with api_keys:*",
    ),
];

/// The zone roles, one caller each, held on zone A and on every fresh zone.
const ZONE_ROLES: &[(&str, &str)] = &[
    ("DA", "domain_admin"),
    ("DM", "domain_manager"),
    ("RE", "record_editor"),
    ("RO", "read_only"),
];

/// An object made anew for each caller of a row, by tenant A's admin, before the call. The
/// placeholders it binds are listed per variant.
#[derive(Debug, Clone, Copy)]
enum Fresh {
    /// `{fz}`, `{fzg}`: an active zone of tenant A (below zone A), the zone roles held on it,
    /// and RG's grant limited to `www` on it.
    Zone,
    /// `{fz}`: like [`Fresh::Zone`], soft-deleted.
    DeletedZone,
    /// `{fz}`: like [`Fresh::Zone`], signed, delegated from zone A without a DS.
    SignedZone,
    /// `{fz}`: like [`Fresh::SignedZone`], its DS published in zone A.
    DsPublishedZone,
    /// `{fz}`: a zone of tenant A awaiting ownership validation.
    PendingZone,
    /// `{fr}`: a record in zone A, outside `www`.
    Record,
    /// `{fr}`: an `A` record `www` in zone A.
    WwwRecord,
    /// `{fu}`: a user of tenant A with no role.
    User,
    /// `{fu}`, `{fa}`: a user of tenant A and its read_only assignment over the tenant.
    UserAssignment,
    /// `{fg}`: a group of tenant A.
    Group,
    /// `{fg}`, `{fa}`: a group of tenant A and its read_only assignment over the tenant.
    GroupAssignment,
    /// `{fg}`, `{fu}`: a group of tenant A holding `validation_bypass` platform-wide (which
    /// only the platform admin holds), and a user of tenant A with no role.
    PrivilegedGroup,
    /// `{fu}`: a user of tenant A, member of group `{agroup}`.
    Member,
    /// `{fgrant}`: a read_only grant on zone A to a fresh user.
    Grant,
    /// `{frole}`: a custom role of tenant A.
    Role,
    /// `{fk}`: an active API key of tenant A's admin.
    Key,
    /// `{fk}`: a revoked API key of tenant A's admin.
    RevokedKey,
}

/// A follow-up `GET` as the platform admin, after the call.
#[derive(Debug, Clone)]
enum Probe {
    /// The status of the answer.
    Status(u16),
    /// A field of the answer (JSON pointer, value).
    Field(&'static str, Value),
    /// Whether the array at the pointer holds an element whose `key` (the element itself when
    /// empty) is the value.
    Holds(&'static str, &'static str, &'static str, bool),
}

/// What a caller's success must show in the answer's body.
#[derive(Debug, Clone)]
enum Shown {
    /// The field at the JSON pointer has this value (strings filled in).
    Field(&'static str, Value),
    /// The array at the pointer holds (or, when false, lacks) an element whose `key` (the
    /// element itself when empty) is the value.
    Holds(&'static str, &'static str, &'static str, bool),
}

#[derive(Debug, Clone)]
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<Value>,
    /// `ACTOR=status` cells.
    cells: &'static str,
    fresh: Option<Fresh>,
    /// What each success shows; `None` applies to every caller that succeeds, `Some("A B")`
    /// to those callers only.
    shown: Vec<(Option<&'static str>, Shown)>,
    /// Follow-up `GET` path and what it shows after a success and after a refusal.
    after: Option<(&'static str, Probe, Probe)>,
    /// The error `code` of these callers' refusals, where the reason is the point of the row.
    refusals: Vec<(&'static str, &'static str)>,
}

fn row(method: &'static str, path: &'static str, cells: &'static str) -> Row {
    Row {
        method,
        path,
        body: None,
        cells,
        fresh: None,
        shown: Vec::new(),
        after: None,
        refusals: Vec::new(),
    }
}

impl Row {
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn fresh(mut self, fresh: Fresh) -> Self {
        self.fresh = Some(fresh);
        self
    }

    /// Every success shows `value` at `pointer`.
    fn shows(mut self, pointer: &'static str, value: Value) -> Self {
        self.shown.push((None, Shown::Field(pointer, value)));
        self
    }

    /// The successes of `who` show `value` at `pointer`.
    fn shows_for(mut self, who: &'static str, pointer: &'static str, value: Value) -> Self {
        self.shown.push((Some(who), Shown::Field(pointer, value)));
        self
    }

    /// The array at `pointer` of `who`'s successes (every caller's when `None`) holds an
    /// element whose `key` is `value`.
    fn lists(
        mut self,
        who: Option<&'static str>,
        pointer: &'static str,
        key: &'static str,
        value: &'static str,
    ) -> Self {
        self.shown
            .push((who, Shown::Holds(pointer, key, value, true)));
        self
    }

    /// The array at `pointer` of `who`'s successes holds no element whose `key` is `value`.
    fn hides(
        mut self,
        who: &'static str,
        pointer: &'static str,
        key: &'static str,
        value: &'static str,
    ) -> Self {
        self.shown
            .push((Some(who), Shown::Holds(pointer, key, value, false)));
        self
    }

    /// The refusals of `who` carry the error `code`.
    fn refuses(mut self, who: &'static str, code: &'static str) -> Self {
        self.refusals.push((who, code));
        self
    }

    /// After a success `GET path` answers 404; after a refusal, 200.
    fn gone(self, path: &'static str) -> Self {
        self.after(path, Probe::Status(404), Probe::Status(200))
    }

    /// After a success the array at `pointer` of `GET path` lacks the element; after a
    /// refusal it still holds it.
    fn unlisted(
        self,
        path: &'static str,
        pointer: &'static str,
        key: &'static str,
        value: &'static str,
    ) -> Self {
        self.after(
            path,
            Probe::Holds(pointer, key, value, false),
            Probe::Holds(pointer, key, value, true),
        )
    }

    fn after(mut self, path: &'static str, success: Probe, refused: Probe) -> Self {
        self.after = Some((path, success, refused));
        self
    }
}

fn rows() -> Vec<Row> {
    let all200 = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=200 FA=200 RG=200 KM=200";
    let zone_read = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=200 KM=404";
    // Whole-zone operations: a grant limited to `www` gives none of them.
    let zone_admin = "P=200 TA=200 DA=200 DM=403 RE=403 RO=403 NR=404 FA=404 RG=403 KM=404";
    let zone_status = "P=200 TA=200 DA=200 DM=200 RE=200 RO=200 NR=404 FA=404 RG=403 KM=404";
    let tenant_admin_only = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=200 RG=403 KM=403";
    let tenant_a_admin = "P=200 TA=200 DA=403 DM=403 RE=403 RO=403 NR=403 FA=404 RG=403 KM=403";
    let platform_only = "P=200 TA=403 DA=403 DM=403 RE=403 RO=403 NR=403 FA=403 RG=403 KM=403";
    // The pending zone has no zone roles: only P and TA reach it, and RG's grant limited to
    // `www` does not give validation.
    let pending_admin = "P=200 TA=200 DA=404 DM=404 RE=404 RO=404 NR=404 FA=404 RG=403 KM=404";
    let record_writers = "P=201 TA=201 DA=201 DM=201 RE=201 RO=403 NR=404 FA=404 RG=201 KM=404";
    let outside_www = "P=201 TA=201 DA=201 DM=201 RE=201 RO=403 NR=404 FA=404 RG=403 KM=404";
    let in_zone = Some("TA DA DM RE RO RG");
    vec![
        row("GET", "/api/v1/health/live", all200).shows("/status", json!("ok")),
        row("GET", "/api/v1/health/ready", all200).shows("/status", json!("ok")),
        row("GET", "/api/v1/auth/me", all200).shows("/data/id", json!("{me}")),
        row("GET", "/api/v1/me", all200).shows("/data/id", json!("{me}")),
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
        row("GET", "/api/v1/domains/{zone}/records/{record}", zone_read)
            .shows("/id", json!("{record}")),
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
    ]
}

/// Endpoints that need no authorization: public, or login flows that take no credentials.
const PUBLIC: &[&str] = &[
    "GET /api/v1/auth/config",
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    // Authenticated by its HMAC signature instead (tests/tests/api/webhooks.rs).
    "POST /api/v1/webhooks/scaikey",
];

/// A caller: its key, its user and the id of its key.
struct Actor {
    key: String,
    user: String,
    key_id: String,
}

struct World {
    actors: HashMap<&'static str, Actor>,
    vars: HashMap<&'static str, String>,
    /// Zone roles by role name → user, granted on every fresh zone too.
    zone_users: Vec<(&'static str, String)>,
    /// RG's grant limited to `www` by zone, made on every zone of tenant A.
    rg_grants: HashMap<String, String>,
    /// When RG's grants end.
    rg_expires: String,
    /// Counts fresh objects, for unique names.
    made: usize,
}

/// One call's answer.
struct Answer {
    status: u16,
    body: Value,
}

async fn call(app: &TestApp, key: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
    let mut req = app
        .http
        .request(method.parse().unwrap(), app.url(path))
        .header("x-api-key", key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// A setup call that must succeed (`null`: no body); the answer's body.
async fn made(app: &TestApp, key: &str, method: &str, path: &str, body: Value) -> Value {
    let a = call(app, key, method, path, Some(body).filter(|b| !b.is_null())).await;
    assert!(
        (200..300).contains(&a.status),
        "setup {method} {path}: {} {}",
        a.status,
        a.body
    );
    a.body
}

fn id(body: &Value) -> String {
    body["id"].as_str().unwrap().to_owned()
}

/// A user of `tenant` with an API key.
async fn user_with_key(app: &TestApp, email: &str, tenant: &str) -> Actor {
    let p = &app.admin_key;
    let user = id(&made(
        app,
        p,
        "POST",
        "/api/v1/admin/users",
        json!({"email": email, "tenant_id": tenant}),
    )
    .await);
    let key = made(
        app,
        p,
        "POST",
        "/api/v1/api-keys",
        json!({"name": "k", "permission_source_id": user}),
    )
    .await;
    Actor {
        key: key["key"].as_str().unwrap().to_owned(),
        key_id: id(&key),
        user,
    }
}

impl World {
    async fn new(app: &TestApp) -> Self {
        let alpha = app.tenant_with_user("alpha").await;
        let beta = app.tenant_with_user("beta").await;
        let p = app.admin_key.clone();
        // Tenant A's admin may skip validation, so its zones are active at once.
        made(
            app,
            &p,
            "POST",
            &format!("/api/v1/roles/users/{}", alpha.user_id),
            json!({"role_name": "validation_bypass", "scope": "tenant",
                   "scope_id": alpha.tenant_id}),
        )
        .await;
        let keys = made(app, &p, "GET", "/api/v1/api-keys", json!(null)).await;
        let platform_key_id = keys["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["permission_source_id"] == json!(app.admin_user_id))
            .map(id)
            .unwrap();
        let mut actors = HashMap::from([
            (
                "P",
                Actor {
                    key: p.clone(),
                    user: app.admin_user_id.clone(),
                    key_id: platform_key_id,
                },
            ),
            (
                "TA",
                Actor {
                    key: alpha.key.clone(),
                    user: alpha.user_id.clone(),
                    key_id: alpha.key_id.clone(),
                },
            ),
            (
                "FA",
                Actor {
                    key: beta.key,
                    user: beta.user_id,
                    key_id: beta.key_id,
                },
            ),
        ]);
        let mut zone_users = Vec::new();
        for (actor, role) in ZONE_ROLES {
            let email = format!("{}@alpha.test", actor.to_lowercase());
            let a = user_with_key(app, &email, &alpha.tenant_id).await;
            zone_users.push((*role, a.user.clone()));
            actors.insert(actor, a);
        }
        for actor in ["NR", "RG", "KM"] {
            let email = format!("{}@alpha.test", actor.to_lowercase());
            actors.insert(actor, user_with_key(app, &email, &alpha.tenant_id).await);
        }
        // KM manages API keys and holds nothing else.
        made(
            app,
            &alpha.key,
            "POST",
            "/api/v1/roles",
            json!({"name": "key-manager", "permissions": ["api_keys:*"]}),
        )
        .await;
        made(
            app,
            &alpha.key,
            "POST",
            &format!("/api/v1/roles/users/{}", actors["KM"].user),
            json!({"role_name": "key-manager", "scope": "tenant", "scope_id": alpha.tenant_id}),
        )
        .await;
        // Whole seconds, as the store keeps them.
        let rg_expires = (chrono::Utc::now() + chrono::Duration::days(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut w = World {
            vars: HashMap::from([("tenant", alpha.tenant_id.clone())]),
            actors,
            zone_users,
            rg_grants: HashMap::new(),
            rg_expires,
            made: 0,
        };
        let zone = w.zone(app, "alpha.test").await;
        let ta = w.actors["TA"].key.clone();
        let pending = w.pending_zone(app, "pending-alpha.test").await;
        let record = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/records"),
            json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        )
        .await);
        let api_record = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/records"),
            json!({"name": "api", "type": "A", "content": "192.0.2.2"}),
        )
        .await);
        let ro_user = w.actors["RO"].user.clone();
        let assignment = made(
            app,
            &p,
            "GET",
            &format!("/api/v1/roles/users/{ro_user}"),
            json!(null),
        )
        .await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let grant = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/domains/{zone}/access-grants"),
            json!({"grant_type": "user", "grantee_id": ro_user, "role": "read_only",
                   "record_pattern": "*.dev"}),
        )
        .await);
        let crole = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/roles",
            json!({"name": "alpha-custom", "permissions": ["records:read"]}),
        )
        .await);
        // A group with a member and a role, none of them a caller of the matrix.
        let agroup = id(&made(
            app,
            &ta,
            "POST",
            "/api/v1/admin/groups",
            json!({"name": "alpha-ops"}),
        )
        .await);
        let member = w.user(app).await;
        made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/admin/groups/{agroup}/members"),
            json!({"user_id": member}),
        )
        .await;
        let gassignment = id(&made(
            app,
            &ta,
            "POST",
            &format!("/api/v1/roles/groups/{agroup}"),
            json!({"role_name": "read_only", "scope": "tenant", "scope_id": alpha.tenant_id}),
        )
        .await);
        let log = made(
            app,
            &ta,
            "GET",
            &format!("/api/v1/admin/audit-logs?action=domain.create&resource_id={zone}"),
            json!(null),
        )
        .await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        w.vars.extend([
            ("zone", zone),
            ("pending", pending),
            ("record", record),
            ("api_record", api_record),
            ("ta_user", w.actors["TA"].user.clone()),
            ("da_user", w.actors["DA"].user.clone()),
            ("ro_user", ro_user),
            ("nr_user", w.actors["NR"].user.clone()),
            ("assignment", assignment),
            ("grant", grant),
            ("crole", crole),
            ("agroup", agroup),
            ("member", member),
            ("gassignment", gassignment),
            ("key", alpha.key_id),
            ("log", log),
        ]);
        w
    }

    fn ta(&self) -> String {
        self.actors["TA"].key.clone()
    }

    fn next(&mut self) -> usize {
        self.made += 1;
        self.made
    }

    /// A zone of tenant A named `name` awaiting validation, RG's grant on it.
    async fn pending_zone(&mut self, app: &TestApp, name: &str) -> String {
        let zone = id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/domains",
            json!({"name": name, "skip_validation": false}),
        )
        .await);
        self.grant_rg(app, &zone).await;
        zone
    }

    /// Gives RG a domain_admin grant limited to `www`, expiring, on `zone`.
    async fn grant_rg(&mut self, app: &TestApp, zone: &str) {
        let grant = id(&made(
            app,
            &self.ta(),
            "POST",
            &format!("/api/v1/domains/{zone}/access-grants"),
            json!({"grant_type": "user", "grantee_id": self.actors["RG"].user,
                   "role": "domain_admin", "record_pattern": "www",
                   "expires_at": self.rg_expires}),
        )
        .await);
        self.rg_grants.insert(zone.to_owned(), grant);
    }

    /// An active zone of tenant A named `name`, the zone roles and RG's grant held on it.
    async fn zone(&mut self, app: &TestApp, name: &str) -> String {
        let zone = id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/domains",
            json!({"name": name}),
        )
        .await);
        for (role, user) in &self.zone_users {
            made(
                app,
                &app.admin_key,
                "POST",
                &format!("/api/v1/roles/users/{user}"),
                json!({"role_name": role, "scope": "domain", "scope_id": zone}),
            )
            .await;
        }
        self.grant_rg(app, &zone).await;
        zone
    }

    /// A user of tenant A with no role.
    async fn user(&mut self, app: &TestApp) -> String {
        let n = self.next();
        id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/admin/users",
            json!({"email": format!("fresh-{n}@alpha.test"), "tenant_id": self.vars["tenant"]}),
        )
        .await)
    }

    async fn group(&mut self, app: &TestApp) -> String {
        let n = self.next();
        id(&made(
            app,
            &self.ta(),
            "POST",
            "/api/v1/admin/groups",
            json!({"name": format!("fresh-{n}")}),
        )
        .await)
    }

    /// Makes `fresh`; the placeholders it binds.
    async fn fresh(&mut self, app: &TestApp, fresh: Fresh) -> Vec<(&'static str, String)> {
        let ta = self.ta();
        let zone = self.vars["zone"].clone();
        let tenant = self.vars["tenant"].clone();
        let n = self.next();
        let read_only = json!({"role_name": "read_only", "scope": "tenant", "scope_id": tenant});
        match fresh {
            Fresh::Zone => {
                let fz = self.zone(app, &format!("f{n}.alpha.test")).await;
                vec![("fzg", self.rg_grants[&fz].clone()), ("fz", fz)]
            }
            Fresh::DeletedZone => {
                let fz = self.zone(app, &format!("f{n}.alpha.test")).await;
                made(
                    app,
                    &ta,
                    "DELETE",
                    &format!("/api/v1/domains/{fz}"),
                    json!(null),
                )
                .await;
                vec![("fz", fz)]
            }
            Fresh::SignedZone | Fresh::DsPublishedZone => {
                let name = format!("f{n}");
                let fz = self.zone(app, &format!("{name}.alpha.test")).await;
                let records = format!("/api/v1/domains/{zone}/records");
                made(
                    app,
                    &ta,
                    "POST",
                    &records,
                    json!({"name": name, "type": "NS", "content": "ns1.scaidns.test."}),
                )
                .await;
                let signed = made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{fz}/dnssec/enable"),
                    json!({}),
                )
                .await;
                // The registrar publishes the SHA-256 DS at the parent.
                let published = matches!(fresh, Fresh::DsPublishedZone);
                for ds in signed["ds_records"].as_array().unwrap() {
                    if published && ds["digest_type"] == 2 {
                        let content = format!(
                            "{} {} 2 {}",
                            ds["key_tag"],
                            ds["algorithm"],
                            ds["digest"].as_str().unwrap()
                        );
                        made(
                            app,
                            &ta,
                            "POST",
                            &records,
                            json!({"name": name, "type": "DS", "content": content}),
                        )
                        .await;
                    }
                }
                vec![("fz", fz)]
            }
            Fresh::PendingZone => {
                let fz = self.pending_zone(app, &format!("pending-{n}.test")).await;
                vec![("fz", fz)]
            }
            Fresh::Record => {
                let fr = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/records"),
                    json!({"name": format!("fresh-{n}"), "type": "TXT", "content": "f"}),
                )
                .await);
                vec![("fr", fr)]
            }
            Fresh::WwwRecord => {
                // Apart from the addresses the callers add at `www` (192.0.2.x).
                let content = format!("198.51.100.{}", n % 250 + 1);
                let fr = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/records"),
                    json!({"name": "www", "type": "A", "content": content}),
                )
                .await);
                vec![("fr", fr)]
            }
            Fresh::User => vec![("fu", self.user(app).await)],
            Fresh::UserAssignment => {
                let fu = self.user(app).await;
                let path = format!("/api/v1/roles/users/{fu}");
                let fa = id(&made(app, &ta, "POST", &path, read_only).await);
                vec![("fu", fu), ("fa", fa)]
            }
            Fresh::Group => vec![("fg", self.group(app).await)],
            Fresh::GroupAssignment => {
                let fg = self.group(app).await;
                let path = format!("/api/v1/roles/groups/{fg}");
                let fa = id(&made(app, &ta, "POST", &path, read_only).await);
                vec![("fg", fg), ("fa", fa)]
            }
            Fresh::PrivilegedGroup => {
                let fg = self.group(app).await;
                made(
                    app,
                    &app.admin_key,
                    "POST",
                    &format!("/api/v1/roles/groups/{fg}"),
                    json!({"role_name": "validation_bypass", "scope": "platform"}),
                )
                .await;
                vec![("fg", fg), ("fu", self.user(app).await)]
            }
            Fresh::Member => {
                let fu = self.user(app).await;
                let path = format!("/api/v1/admin/groups/{}/members", self.vars["agroup"]);
                made(app, &ta, "POST", &path, json!({"user_id": fu})).await;
                vec![("fu", fu)]
            }
            Fresh::Grant => {
                let grantee = self.user(app).await;
                let fgrant = id(&made(
                    app,
                    &ta,
                    "POST",
                    &format!("/api/v1/domains/{zone}/access-grants"),
                    json!({"grant_type": "user", "grantee_id": grantee, "role": "read_only"}),
                )
                .await);
                vec![("fgrant", fgrant)]
            }
            Fresh::Role => {
                let frole = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/roles",
                    json!({"name": format!("fresh-{n}"), "permissions": ["records:read"]}),
                )
                .await);
                vec![("frole", frole)]
            }
            Fresh::Key | Fresh::RevokedKey => {
                let fk = id(&made(
                    app,
                    &ta,
                    "POST",
                    "/api/v1/api-keys",
                    json!({"name": format!("fresh-{n}")}),
                )
                .await);
                if matches!(fresh, Fresh::RevokedKey) {
                    let path = format!("/api/v1/api-keys/{fk}/revoke");
                    made(app, &ta, "POST", &path, json!(null)).await;
                }
                vec![("fk", fk)]
            }
        }
    }
}

fn fill(text: &str, vars: &HashMap<&'static str, String>) -> String {
    vars.iter().fold(text.to_owned(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

fn filled(value: &Value, vars: &HashMap<&'static str, String>) -> Value {
    serde_json::from_str(&fill(&value.to_string(), vars)).unwrap()
}

/// Whether the array at `pointer` holds an element whose `key` (itself when empty) is `value`.
fn holds(body: &Value, pointer: &str, key: &str, value: &str) -> Option<bool> {
    let items = body.pointer(pointer)?.as_array()?;
    Some(items.iter().any(|item| {
        let v = if key.is_empty() { item } else { &item[key] };
        v.as_str() == Some(value)
    }))
}

fn covers(who: Option<&str>, actor: &str) -> bool {
    who.is_none_or(|who| who.split_whitespace().any(|a| a == actor))
}

/// What is wrong with a success's body, if anything.
fn check_shown(
    row: &Row,
    actor: &str,
    body: &Value,
    vars: &HashMap<&'static str, String>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for (who, shown) in &row.shown {
        if !covers(*who, actor) {
            continue;
        }
        match shown {
            Shown::Field(pointer, want) => {
                let want = filled(want, vars);
                let got = body.pointer(pointer);
                if got != Some(&want) {
                    wrong.push(format!("{pointer} is {got:?}, want {want}"));
                }
            }
            Shown::Holds(pointer, key, value, present) => {
                let value = fill(value, vars);
                let got = holds(body, pointer, key, &value);
                if got != Some(*present) {
                    wrong.push(format!(
                        "{pointer} holding {key}={value}: {got:?}, want {present}"
                    ));
                }
            }
        }
    }
    wrong
}

async fn probe(
    app: &TestApp,
    path: &str,
    probe: &Probe,
    vars: &HashMap<&'static str, String>,
) -> Option<String> {
    let path = fill(path, vars);
    let a = call(app, &app.admin_key, "GET", &path, None).await;
    let ok = match probe {
        Probe::Status(s) => a.status == *s,
        Probe::Field(pointer, want) => a.body.pointer(pointer) == Some(&filled(want, vars)),
        Probe::Holds(pointer, key, value, present) => {
            holds(&a.body, pointer, key, &fill(value, vars)) == Some(*present)
        }
    };
    (!ok).then(|| {
        format!(
            "afterwards GET {path} is {} {}, want {probe:?}",
            a.status, a.body
        )
    })
}

async fn run_matrix(app: &TestApp) {
    let mut w = World::new(app).await;
    let mut failures = Vec::new();
    for (n, row) in rows().into_iter().enumerate() {
        // Numbered: several rows call one endpoint.
        let label = format!("#{n} {} {}", row.method, row.path);
        let cells: Vec<(&str, u16)> = row
            .cells
            .split_whitespace()
            .map(|cell| {
                let (actor, want) = cell.split_once('=').unwrap();
                (actor, want.parse().unwrap())
            })
            .collect();
        assert!(
            cells.iter().any(|(_, s)| (200..300).contains(s)),
            "{label}: no caller succeeds, so the row cannot fail"
        );
        assert!(
            !row.shown.is_empty() || row.after.is_some(),
            "{label}: nothing checks what a success did"
        );
        for (actor, want) in cells {
            let a = &w.actors[actor];
            let mut vars = w.vars.clone();
            // The caller's seat, for content that must differ between callers (an address).
            let seat = ACTORS.iter().position(|(a, _)| *a == actor).unwrap_or(0) + 10;
            vars.extend([
                ("actor", actor.to_lowercase()),
                ("seat", seat.to_string()),
                ("me", a.user.clone()),
                ("my_key", a.key_id.clone()),
            ]);
            let key = a.key.clone();
            if let Some(fresh) = row.fresh {
                vars.extend(w.fresh(app, fresh).await);
            }
            let path = fill(row.path, &vars);
            let body = row.body.as_ref().map(|b| filled(b, &vars));
            let got = call(app, &key, row.method, &path, body).await;
            if got.status != want {
                failures.push(format!(
                    "{label} as {actor}: got {} {}, want {want}",
                    got.status, got.body
                ));
                continue;
            }
            let success = (200..300).contains(&want);
            if success {
                for wrong in check_shown(&row, actor, &got.body, &vars) {
                    failures.push(format!("{label} as {actor}: {wrong}"));
                }
            } else {
                for (_, code) in row.refusals.iter().filter(|(w, _)| covers(Some(*w), actor)) {
                    if got.body["code"] != json!(code) {
                        failures.push(format!(
                            "{label} as {actor}: refused with {}, want code {code}",
                            got.body
                        ));
                    }
                }
            }
            if let Some((after, on_success, on_refusal)) = &row.after {
                let expected = if success { on_success } else { on_refusal };
                if let Some(wrong) = probe(app, after, expected, &vars).await {
                    failures.push(format!("{label} as {actor}: {wrong}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// On PowerDNS, which signs zones, with PowerDNS also answering the DS lookups of
/// `confirm-ds-published`: every DNSSEC row has callers that succeed.
#[tokio::test]
async fn every_endpoint_refuses_or_allows_as_the_table_says() {
    let pdns = PdnsServer::start().await;
    let app = spawn_app_configured(
        TestOptions {
            database_url: None,
            backend: TestBackend::PowerDns {
                api_url: pdns.api_url.clone(),
                api_key: pdns.api_key.clone(),
            },
        },
        |c| {
            c.validation_resolvers = vec![pdns.dns_addr];
            // The matrix makes a few thousand calls with a handful of keys within a minute.
            c.rate_limit_api_key_per_minute = 1_000_000;
            c.rate_limit_user_per_minute = 1_000_000;
        },
    )
    .await;
    run_matrix(&app).await;
    app.stop().await;
}

fn golden(relative: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{relative} is out of date; regenerate with EXPECTORATE=overwrite cargo test -p scaidns-tests --test api authz_matrix"
    );
}

#[test]
fn every_endpoint_has_an_authorization_row() {
    let spec: Value = serde_json::from_str(&scaidns_server::spec_json()).unwrap();
    let covered: BTreeSet<String> = rows()
        .iter()
        .map(|r| format!("{} {}", r.method, template(r.path)))
        .chain(PUBLIC.iter().map(|s| (*s).to_owned()))
        .collect();
    let mut out = String::from(
        "# Endpoints of openapi/scaidns.json with no row in tests/tests/api/authz_matrix.rs\n",
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let key = format!("{} {path}", method.to_uppercase());
            if !covered.contains(&key) {
                out.push_str(&key);
                out.push('\n');
            }
        }
    }
    golden("../tests/golden/uncovered-authz-endpoints.txt", &out);
}

#[test]
fn every_row_names_known_callers_once() {
    for r in rows() {
        let mut seen = BTreeSet::new();
        for cell in r.cells.split_whitespace() {
            let actor = cell.split_once('=').map_or(cell, |(a, _)| a);
            assert!(
                ACTORS.iter().any(|(a, _)| *a == actor),
                "{} {}: unknown caller {actor}",
                r.method,
                r.path
            );
            assert!(seen.insert(actor), "{} {}: {actor} twice", r.method, r.path);
        }
    }
}

/// `/api/v1/domains/{zone}/records?x=1` → `/api/v1/domains/{domain_id}/records`, as the spec
/// names path parameters.
fn template(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let names = [
        ("{zone}", "{domain_id}"),
        ("{pending}", "{domain_id}"),
        ("{fz}", "{domain_id}"),
        ("{record}", "{record_id}"),
        ("{fr}", "{record_id}"),
        ("{api_record}", "{record_id}"),
        ("{grant}", "{grant_id}"),
        ("{fgrant}", "{grant_id}"),
        ("{fzg}", "{grant_id}"),
        ("{crole}", "{role_id}"),
        ("{frole}", "{role_id}"),
        ("{nr_user}", "{user_id}"),
        ("{ro_user}", "{user_id}"),
        ("{fu}", "{user_id}"),
        ("{agroup}", "{group_id}"),
        ("{fg}", "{group_id}"),
        ("{assignment}", "{assignment_id}"),
        ("{fa}", "{assignment_id}"),
        ("{key}", "{key_id}"),
        ("{fk}", "{key_id}"),
        ("{log}", "{log_id}"),
        ("{tenant}", "{tenant_id}"),
    ];
    names
        .iter()
        .fold(path.to_owned(), |p, (from, to)| p.replace(from, to))
}

#[test]
fn role_permission_matrix_is_as_committed() {
    use scaidns_core::rbac::{Permission, SYSTEM_ROLES};
    let mut out = String::from(
        "# System roles × permissions (x = granted). Regenerate: EXPECTORATE=overwrite cargo test -p scaidns-tests --test api authz_matrix\n",
    );
    let width = Permission::all()
        .map(|p| p.as_str().len())
        .max()
        .unwrap_or(0);
    out.push_str(&format!("{:width$}", ""));
    for (i, _) in SYSTEM_ROLES.iter().enumerate() {
        out.push_str(&format!(" {}", i + 1));
    }
    out.push('\n');
    for p in Permission::all() {
        out.push_str(&format!("{:width$}", p.as_str()));
        for role in SYSTEM_ROLES {
            let mark = if role.perm_set().contains(p) {
                "x"
            } else {
                "."
            };
            out.push_str(&format!(" {mark}"));
        }
        out.push('\n');
    }
    out.push_str("\nRoles:\n");
    for (i, role) in SYSTEM_ROLES.iter().enumerate() {
        out.push_str(&format!("{} {} — {}\n", i + 1, role.name, role.description));
    }
    let legend: Vec<String> = ACTORS
        .iter()
        .map(|(a, what)| format!("{a} {what}"))
        .collect();
    out.push_str(&format!("\nMatrix test callers: {}\n", legend.join(" · ")));
    golden("../docs/permissions-matrix.txt", &out);
}
