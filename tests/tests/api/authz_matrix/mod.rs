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

mod calls;
mod coverage;
mod rows;
mod world;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use scaidns_tests::pdns::PdnsServer;
use scaidns_tests::{TestApp, TestBackend, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

use calls::call;
use rows::rows;
use world::World;

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
    (
        "RK",
        "API key of tenant A's admin narrowed to domains:read, records:read, templates:read",
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
    /// `{fz}`: like [`Fresh::Zone`], a secondary (its primary never answers).
    SecondaryZone,
    /// `{fr}`: a record in zone A, outside `www`.
    Record,
    /// `{fr}`: an `A` record `www` in zone A.
    WwwRecord,
    /// `{fip}`: an address of the reverse zone `{rzone}` with a PTR, outside `www`.
    Ptr,
    /// `{fdel}`: a classless delegation of a /32 of `{rzone}` (192.0.2.224–255) to tenant B.
    Delegation,
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
    /// `{ft}`: a custom template of tenant A.
    Template,
    /// `{fh}`: a webhook subscription of tenant A.
    Hook,
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
    /// Who makes the follow-up `GET` (the platform admin unless said): tenant A's custom
    /// templates are seen by tenant A only.
    prober: Option<&'static str>,
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
        prober: None,
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

    /// The follow-up `GET` is made as `actor`.
    fn probed_by(mut self, actor: &'static str) -> Self {
        self.prober = Some(actor);
        self
    }

    fn after(mut self, path: &'static str, success: Probe, refused: Probe) -> Self {
        self.after = Some((path, success, refused));
        self
    }
}

/// Endpoints that need no authorization: public, or login flows that take no credentials.
const PUBLIC: &[&str] = &[
    "GET /api/v1/auth/config",
    "POST /api/v1/auth/token",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    // The token in the body is the credential (tests/tests/api/platform_admin_claims.rs).
    "POST /api/v1/auth/validate",
    // Authenticated by its HMAC signature instead (tests/tests/api/webhooks.rs).
    "POST /api/v1/webhooks/scaikey",
];

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
    key: &str,
    path: &str,
    probe: &Probe,
    vars: &HashMap<&'static str, String>,
) -> Option<String> {
    let path = fill(path, vars);
    let a = call(app, key, "GET", &path, None).await;
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
                let prober = row
                    .prober
                    .map_or(app.admin_key.clone(), |p| w.actors[p].key.clone());
                if let Some(wrong) = probe(app, &prober, after, expected, &vars).await {
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
