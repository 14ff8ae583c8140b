//! The committed OpenAPI document is what the server generates (regenerate with
//! `EXPECTORATE=overwrite cargo test -p scaidns-tests --test api openapi`), and it has what the
//! client generator needs.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use serde_json::Value;

fn spec_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/scaidns.json")
}

#[test]
fn committed_spec_matches_the_server() {
    let generated = scaidns_server::spec_json();
    let path = spec_path();
    if std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite") {
        std::fs::write(&path, &generated).expect("write spec");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/scaidns.json is out of date; regenerate with EXPECTORATE=overwrite cargo test -p scaidns-tests --test api openapi"
    );
}

#[test]
fn every_operation_suits_the_client_generator() {
    let spec: Value = serde_json::from_str(&scaidns_server::spec_json()).unwrap();
    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            match op["operationId"].as_str() {
                Some(id) if ids.insert(id.to_owned()) => {
                    if !id.chars().all(|c| c.is_ascii_lowercase() || c == '_') || !id.contains('_')
                    {
                        problems.push(format!(
                            "{name}: operation id {id} is not <resource>_<verb>"
                        ));
                    }
                }
                Some(id) => problems.push(format!("{name}: duplicate operation id {id}")),
                None => problems.push(format!("{name}: no operation id")),
            }
            if op["tags"].as_array().map_or(0, Vec::len) != 1 {
                problems.push(format!("{name}: needs exactly one tag"));
            }
            let mut success = BTreeSet::new();
            let mut errors = BTreeSet::new();
            let mut bodiless_success = false;
            for (status, resp) in op["responses"].as_object().unwrap() {
                let schema = resp["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|m| m["schema"].to_string());
                if status.starts_with('2') {
                    match schema {
                        Some(s) => {
                            success.insert(s);
                        }
                        None => bodiless_success = true,
                    }
                } else if let Some(s) = schema {
                    errors.insert(s);
                }
            }
            if success.len() > 1 || (bodiless_success && !success.is_empty()) {
                problems.push(format!("{name}: more than one success body type"));
            }
            if errors.len() > 1 {
                problems.push(format!("{name}: more than one error body type"));
            }
            if let Some(content) = op["requestBody"]["content"].as_object()
                && content.len() != 1
            {
                problems.push(format!(
                    "{name}: request body has {} content types",
                    content.len()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The PowerDNS-compatible API's own document (`openapi/pdns-compat.json`) is what the server
/// generates; regenerate with the same `EXPECTORATE=overwrite` run.
#[test]
fn committed_pdns_compat_spec_matches_the_server() {
    let generated = scaidns_server::pdns_compat::pdns_spec_json();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/pdns-compat.json");
    if std::env::var("EXPECTORATE").is_ok_and(|v| v == "overwrite") {
        std::fs::write(&path, &generated).expect("write spec");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/pdns-compat.json is out of date; regenerate with EXPECTORATE=overwrite cargo test -p scaidns-tests --test api openapi"
    );
    // None of its paths leaks into the native document, nor the reverse.
    let native: Value = serde_json::from_str(&scaidns_server::spec_json()).unwrap();
    assert!(
        native["paths"]
            .as_object()
            .unwrap()
            .keys()
            .all(|p| !p.starts_with("/servers"))
    );
}

/// The document and the Swagger UI page are built on their first request (`spec::served_spec`,
/// `spec::docs_page`): concurrent requests (the first of this server's process unless another
/// test's request came first) all get the generated document, and `/docs` answers with or
/// without its trailing slash, as the nested Swagger UI did.
#[tokio::test]
async fn the_served_document_and_docs_page_are_the_generated_ones() {
    let app = scaidns_tests::spawn_app().await;
    let generated = scaidns_server::spec_json();
    let mut fetches = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (http, url) = (app.http.clone(), app.url("/api/v1/openapi.json"));
        fetches.spawn(async move {
            let resp = http.get(url).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.text().await.unwrap()
        });
    }
    while let Some(served) = fetches.join_next().await {
        assert!(served.unwrap() == generated, "the served document differs");
    }
    for path in ["/docs", "/docs/"] {
        let resp = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let page = resp.text().await.unwrap();
        assert!(page.contains("<html"), "{path}: not a page");
        assert!(page.contains("\"ScaiDNS API\""), "{path}: no document");
    }
    app.stop().await;
}
