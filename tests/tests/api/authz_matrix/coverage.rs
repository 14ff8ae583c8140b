//! Tests that need no server: every endpoint of the OpenAPI document has a row, every row names
//! known callers, and the role × permission matrix matches its golden file.

use super::*;

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
        ("{config_key}", "{key}"),
        ("{first_step}", "{generation}"),
        ("{partner}", "{partner_id}"),
        ("{rzone}", "{domain_id}"),
        ("{fip}", "{ip}"),
        ("{fdel}", "{delegation_id}"),
        ("{rip}", "{ip}"),
        ("{tmpl}", "{template_id}"),
        ("{wtmpl}", "{template_id}"),
        ("{stmpl}", "{template_id}"),
        ("{ft}", "{template_id}"),
        ("{hook}", "{subscription_id}"),
        ("{fh}", "{subscription_id}"),
        ("{hookd}", "{delivery_id}"),
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
