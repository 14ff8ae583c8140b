//! The server's place in the layering (`docs/architecture.md`): it talks to the service, and
//! only the one wiring module (`wiring.rs`) names adapters, to build the ports the service is
//! assembled from. A line scanner over `src/` is enough: it names the file and line to fix.

use std::fs;
use std::path::{Path, PathBuf};

/// The one module allowed to name `scaidns_core::adapters`.
const WIRING: &str = "wiring.rs";

/// Files that still build adapters themselves until the wiring module takes that over; each
/// entry must still need its exemption, so the list only shrinks.
const NOT_YET_IN_WIRING: &[&str] = &["app.rs", "identity_config.rs", "identity_setup.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
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

/// Whether a line of code (a `use` group joined onto one line) reaches the core's adapters.
fn names_adapters(code: &str) -> bool {
    let code: String = code.split_whitespace().collect();
    if code.starts_with("//") {
        return false;
    }
    code.contains("scaidns_core::adapters")
        || code.match_indices("scaidns_core::{").any(|(at, _)| {
            let group = &code[at + "scaidns_core::{".len()..];
            group.starts_with("adapters")
                || group.contains(",adapters")
                || group.contains("{adapters")
        })
}

/// `(file, line, text)` of every line outside the wiring module that names adapters.
fn adapter_uses() -> Vec<(String, usize, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().display().to_string();
        if relative == WIRING || relative == "architecture_tests.rs" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let start = i;
            let mut code = lines[i].to_owned();
            if code.trim_start().starts_with("use ") || code.trim_start().starts_with("pub use ") {
                while !code.contains(';') && i + 1 < lines.len() {
                    i += 1;
                    code.push(' ');
                    code.push_str(lines[i].trim());
                }
            }
            if names_adapters(&code) {
                found.push((relative.clone(), start + 1, lines[start].trim().to_owned()));
            }
            i += 1;
        }
    }
    found
}

#[test]
fn only_the_wiring_module_names_adapters() {
    let found = adapter_uses();
    let offending: Vec<String> = found
        .iter()
        .filter(|(file, _, _)| !NOT_YET_IN_WIRING.contains(&file.as_str()))
        .map(|(file, line, text)| format!("src/{file}:{line}: {text}"))
        .collect();
    assert!(
        offending.is_empty(),
        "the server builds adapters in {WIRING} only and talks to the service elsewhere:\n{}",
        offending.join("\n")
    );
    let stale: Vec<&&str> = NOT_YET_IN_WIRING
        .iter()
        .filter(|exempt| !found.iter().any(|(file, _, _)| file == **exempt))
        .collect();
    assert!(
        stale.is_empty(),
        "these files no longer name adapters; drop them from NOT_YET_IN_WIRING: {stale:?}"
    );
}

#[test]
fn the_scanner_sees_what_it_must() {
    assert!(names_adapters("use scaidns_core::adapters::sql::SqlStore;"));
    assert!(names_adapters(
        "use scaidns_core::{ids::X, adapters::pdns::P};"
    ));
    assert!(names_adapters(
        "    let b = scaidns_core::adapters::embedded::EmbeddedBackend::new();"
    ));
    assert!(!names_adapters("use scaidns_core::ports::Store;"));
    assert!(!names_adapters("/// see scaidns_core::adapters"));
}
