//! The server's place in the layering (`docs/architecture.md`): it talks to the service, and
//! only the wiring module (`src/wiring/`) names ports and adapters, to build the service from
//! them, and neither it nor the CLI calls the service's port accessors. A line scanner is
//! enough: it names the file and line to fix.

use std::fs;
use std::path::{Path, PathBuf};

/// The one module allowed to name `scaidns_core::ports` and `scaidns_core::adapters`.
const WIRING: &str = "wiring/";

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

/// Whether a line of code (a `use` group joined onto one line) reaches the core's ports or
/// adapters.
fn names_ports_or_adapters(code: &str) -> bool {
    let code: String = code.split_whitespace().collect();
    if code.starts_with("//") {
        return false;
    }
    ["adapters", "ports"].iter().any(|layer| {
        code.contains(&format!("scaidns_core::{layer}"))
            || code.match_indices("scaidns_core::{").any(|(at, _)| {
                let group = &code[at + "scaidns_core::{".len()..];
                group.starts_with(layer)
                    || group.contains(&format!(",{layer}"))
                    || group.contains(&format!("{{{layer}"))
            })
    })
}

/// Whether a line calls the service's accessors of its ports, reaching past its methods.
fn reaches_past_the_service(code: &str) -> bool {
    let code = code.trim_start();
    !code.starts_with("//")
        && [".store()", ".backend()", ".clock()", ".random()"]
            .iter()
            .any(|accessor| code.contains(accessor))
}

/// `(file, line, text)` of every line of the server (outside the wiring module) and of the CLI
/// that names ports or adapters or calls the service's port accessors.
fn port_and_adapter_uses() -> Vec<(String, usize, String)> {
    let server = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&server.join("src"), &mut files);
    rust_files(&server.join("../scaidns-cli/src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(server).unwrap().display().to_string();
        if relative.starts_with(&format!("src/{WIRING}")) || relative == "src/architecture_tests.rs"
        {
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
            if names_ports_or_adapters(&code) || reaches_past_the_service(&code) {
                found.push((relative.clone(), start + 1, lines[start].trim().to_owned()));
            }
            i += 1;
        }
    }
    found
}

#[test]
fn only_the_wiring_module_names_ports_and_adapters() {
    let offending: Vec<String> = port_and_adapter_uses()
        .iter()
        .map(|(file, line, text)| format!("{file}:{line}: {text}"))
        .collect();
    assert!(
        offending.is_empty(),
        "the server builds the service in {WIRING} only and talks to the service elsewhere:\n{}",
        offending.join("\n")
    );
}

/// `(file, line)` of every `pub use` in the wiring module that hands a port or adapter item on,
/// which would let the rest of the server and the CLI name it unseen by the scan above.
fn wiring_re_exports() -> Vec<(String, usize)> {
    let server = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&server.join("src").join(WIRING), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let start = i;
            let mut code = lines[i].trim_start().to_owned();
            if code.starts_with("pub use ") || code.starts_with("pub(crate) use ") {
                while !code.contains(';') && i + 1 < lines.len() {
                    i += 1;
                    code.push(' ');
                    code.push_str(lines[i].trim());
                }
                if names_ports_or_adapters(&code) {
                    let relative = file.strip_prefix(server).unwrap().display().to_string();
                    found.push((relative, start + 1));
                }
            }
            i += 1;
        }
    }
    found
}

#[test]
fn the_wiring_module_hands_on_no_port_or_adapter_item() {
    let found = wiring_re_exports();
    assert!(
        found.is_empty(),
        "the wiring re-exports port or adapter items (give them wiring's own types): {found:?}"
    );
}

#[test]
fn the_scanner_sees_what_it_must() {
    assert!(names_ports_or_adapters(
        "use scaidns_core::adapters::sql::SqlStore;"
    ));
    assert!(names_ports_or_adapters(
        "use scaidns_core::{ids::X, adapters::pdns::P};"
    ));
    assert!(names_ports_or_adapters(
        "    let b = scaidns_core::adapters::embedded::EmbeddedBackend::new();"
    ));
    assert!(names_ports_or_adapters("use scaidns_core::ports::Store;"));
    assert!(!names_ports_or_adapters(
        "use scaidns_core::service::ScaiDns;"
    ));
    assert!(!names_ports_or_adapters("/// see scaidns_core::adapters"));
}
