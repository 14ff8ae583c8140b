//! Generates the typed client from the committed OpenAPI document, so the SDK can never drift
//! from what the server serves (the server's golden test keeps the document current).

use std::path::Path;

fn main() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/scaidns.json");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = std::fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let spec: openapiv3::OpenAPI = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not OpenAPI 3.0: {e}", spec_path.display()));
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("client generation failed: {e}"));
    let ast: syn::File =
        syn::parse2(tokens).unwrap_or_else(|e| panic!("generated code does not parse: {e}"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("codegen.rs");
    std::fs::write(&out, prettyplease::unparse(&ast))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
