//! The server reaches the core only through the service: no module outside `src/wiring/` names
//! a port (handlers and the edge call `ScaiDns` methods with the service's types) or an
//! adapter. Reads the source, so a new shortcut fails here rather than in review.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `path` before its unit tests, without comments.
fn code_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn only_the_wiring_names_ports_and_adapters() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let wiring = src.join("wiring");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut offences = Vec::new();
    for file in &files {
        if file.starts_with(&wiring) {
            continue;
        }
        for line in code_lines(file) {
            if line.contains("scaidns_core::adapters") || line.contains("scaidns_core::ports") {
                offences.push(format!(
                    "{}: {line}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "outside src/wiring/ the server talks to the service only:\n{}",
        offences.join("\n")
    );
}
