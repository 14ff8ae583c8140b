//! The layering of `docs/architecture.md`, checked on the source text: the model imports no
//! port, adapter or service; a port imports no adapter or service; the model's top-level
//! modules form no import circle. A line scanner is enough because every path into another
//! top-level module is spelt `crate::…` (or `super::…` climbing to the crate root), and it
//! names the file and line to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The bottom layer: plain types and pure rules.
const MODEL: &[&str] = &[
    "error",
    "ids",
    "ip_network",
    "reverse",
    "template",
    "name",
    "paging",
    "string_enum",
    "record",
    "zone",
    "zone_file",
    "dnssec",
    "rbac",
    "identity",
    "ownership",
    "audit",
    "tenant",
    "outbound_webhook",
];

/// What the model must not import.
const ABOVE_MODEL: &[&str] = &["ports", "adapters", "service", "prelude"];

/// What a port must not import.
const ABOVE_PORTS: &[&str] = &["adapters", "service", "prelude"];

/// One reference from a source line to a top-level module of the crate.
#[derive(Debug)]
struct Reference {
    file: PathBuf,
    line: usize,
    text: String,
    target: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `zone/rules/plan.rs` is `zone::rules::plan`,
/// `zone/mod.rs` is `zone`, `lib.rs` is the root.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" {
            parts.push(stem.to_owned());
        }
    }
    parts
}

/// The top-level modules a line of code names: `crate::x`, `crate::{x, y::z}`, and `super::`
/// chains that climb to the crate root. Comment lines are skipped (doc links are not imports).
fn targets_of(code: &str, module: &[String]) -> Vec<String> {
    let trimmed = code.trim_start();
    if trimmed.starts_with("//") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let preceded_by_ident = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = &rest[at + "crate::".len()..];
        if !preceded_by_ident {
            if let Some(group) = after.strip_prefix('{') {
                found.extend(group_heads(group));
            } else {
                found.push(ident_at(after));
            }
        }
        rest = after;
    }
    // `super::` from a file `depth` modules deep reaches the root after `depth` steps.
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let preceded = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        let mut after = &rest[at..];
        let mut climbs = 0;
        while let Some(next) = after.strip_prefix("super::") {
            climbs += 1;
            after = next;
        }
        // Inside a file, `mod tests` adds one level that `super::` leaves first.
        let depth = module.len() + usize::from(code.starts_with("    "));
        if !preceded && climbs >= depth && climbs > 0 {
            found.push(ident_at(after));
        }
        rest = after;
    }
    found.retain(|t| !t.is_empty() && t != "self");
    found
}

fn ident_at(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first segment of every item of a `{a::b, c, d::{e}}` group (on one line).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && (c.is_alphanumeric() || c == '_') => {
                heads.push(ident_at(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    heads
}

/// Every reference from every file under `src/` to a top-level module, keyed by the file's
/// own top-level module. Multi-line `use crate::{…}` groups are joined first.
fn references() -> BTreeMap<String, Vec<Reference>> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().to_path_buf();
        let module = module_path(&relative);
        let Some(owner) = module.first().cloned() else {
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let start = i;
            let mut code = lines[i].to_owned();
            // Join an open `use …{` with the lines up to its closing `;`.
            if code.trim_start().starts_with("use ") || code.trim_start().starts_with("pub use ") {
                while !code.contains(';') && i + 1 < lines.len() {
                    i += 1;
                    code.push(' ');
                    code.push_str(lines[i].trim());
                }
            }
            for target in targets_of(&code, &module) {
                out.entry(owner.clone()).or_default().push(Reference {
                    file: relative.clone(),
                    line: start + 1,
                    text: lines[start].trim().to_owned(),
                    target,
                });
            }
            i += 1;
        }
    }
    out
}

fn violations(owners: &[&str], forbidden: &[&str]) -> Vec<String> {
    references()
        .into_iter()
        .filter(|(owner, _)| owners.contains(&owner.as_str()))
        .flat_map(|(_, refs)| refs)
        .filter(|r| forbidden.contains(&r.target.as_str()))
        .map(|r| {
            format!(
                "src/{}:{}: `{}` reaches `crate::{}`",
                r.file.display(),
                r.line,
                r.text,
                r.target
            )
        })
        .collect()
}

#[test]
fn the_model_imports_no_port_adapter_or_service() {
    let found = violations(MODEL, ABOVE_MODEL);
    assert!(
        found.is_empty(),
        "the model is the bottom layer (docs/architecture.md); move the type down or the code up:\n{}",
        found.join("\n")
    );
}

#[test]
fn ports_import_no_adapter_or_service() {
    let found = violations(&["ports"], ABOVE_PORTS);
    assert!(
        found.is_empty(),
        "ports speak the model's language only (docs/architecture.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn nothing_inside_the_core_imports_the_prelude() {
    let found = violations(&["ports", "adapters", "service"], &["prelude"]);
    assert!(
        found.is_empty(),
        "the prelude is for embedders only (docs/architecture.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<&str> = MODEL
        .iter()
        .chain(
            [
                "ports",
                "adapters",
                "service",
                "prelude",
                "architecture_tests",
            ]
            .iter(),
        )
        .copied()
        .collect();
    let unplaced: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(f.strip_prefix(&src).unwrap()).first().cloned())
        .filter(|m| !known.contains(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "top-level modules without a layer: {unplaced:?}; add them to MODEL here and to docs/architecture.md"
    );
}

#[test]
fn model_modules_form_no_import_circle() {
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (owner, refs) in references() {
        if !MODEL.contains(&owner.as_str()) {
            continue;
        }
        let edges = graph.entry(owner.clone()).or_default();
        for r in refs {
            if r.target != owner && MODEL.contains(&r.target.as_str()) {
                edges.entry(r.target.clone()).or_insert_with(|| {
                    format!("src/{}:{}: `{}`", r.file.display(), r.line, r.text)
                });
            }
        }
    }
    let circles = circles(&graph);
    assert!(
        circles.is_empty(),
        "import circles among model modules:\n{}",
        circles.join("\n\n")
    );
}

/// Every circle found by a depth-first walk, each with the line that makes each edge.
fn circles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    fn walk(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle: Vec<String> = stack[at..].to_vec();
            cycle.push(node.to_owned());
            let edges: Vec<String> = cycle
                .windows(2)
                .map(|pair| {
                    format!(
                        "  {} -> {}: {}",
                        pair[0], pair[1], graph[&pair[0]][&pair[1]]
                    )
                })
                .collect();
            found.push(edges.join("\n"));
            return;
        }
        if done.contains(node) {
            return;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            walk(next, graph, stack, done, found);
        }
        stack.pop();
        done.insert(node.to_owned());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        walk(node, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

#[test]
fn the_scanner_sees_what_it_must() {
    let root: Vec<String> = Vec::new();
    let deep = vec!["zone".to_owned(), "rules".to_owned()];
    assert_eq!(targets_of("use crate::ports::Store;", &root), ["ports"]);
    assert_eq!(
        targets_of("use crate::{ports::X, zone::{A, B}, error};", &root),
        ["ports", "zone", "error"]
    );
    assert_eq!(
        targets_of("    let x = crate::service::f();", &root),
        ["service"]
    );
    assert_eq!(targets_of("use super::super::ports::X;", &deep), ["ports"]);
    assert!(targets_of("use super::plan::X;", &deep).is_empty());
    assert!(targets_of("//! see [`crate::ports::Store`]", &root).is_empty());
    assert!(targets_of("use scaidns_core::ports::Store;", &root).is_empty());
}
