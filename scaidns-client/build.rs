//! Generates the typed client from the committed OpenAPI document, so the SDK can never drift
//! from what the server serves (the server's golden test keeps the document current).

use std::path::Path;

fn main() {
    // A symlink to the workspace's `openapi/scaidns.json`: `cargo package` copies its content,
    // so the published crate builds from the spec it was released with.
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = std::fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let mut raw: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", spec_path.display()));
    relax(&mut raw);
    let spec: openapiv3::OpenAPI = serde_json::from_value(raw)
        .unwrap_or_else(|e| panic!("{} is not OpenAPI 3.0: {e}", spec_path.display()));
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        // The hand-written layer (`src/runtime.rs`) rides inside every generated `Client` and
        // implements its `exec` hook: retries, bearer tokens and idempotency keys apply to
        // every generated method without wrapping any of them.
        .with_inner_type(
            "crate::runtime::Runtime"
                .parse()
                .expect("a path is a token stream"),
        )
        .with_hooks(progenitor::HooksMode::Expected);
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

/// Drops the input constraints the document states (lengths, patterns, ranges, item counts,
/// UUID formats, inline enums): the generator would turn each into its own validating type
/// (`::uuid::Uuid`, regex newtypes, `NonZeroU32`, …), so every field a caller fills would
/// change type. The SDK keeps plain strings and numbers; the server enforces the constraints
/// and answers 422 naming the field. Named enums (component schemas) stay typed. Optional lists
/// stay `Vec`s (the server never sends `null` for them).
fn relax(spec: &mut serde_json::Value) {
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(|s| s.as_object_mut())
    {
        schemas.values_mut().for_each(|s| relax_schema(s, true));
    }
    // The generator knows no `multipart/form-data` body: uploads (the zone import's file
    // route) stay out of the SDK, whose callers send the same data as JSON text instead.
    if let Some(paths) = spec.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            item.retain(|_, op| {
                op.pointer("/requestBody/content/multipart~1form-data")
                    .is_none()
            });
        }
        paths.retain(|_, item| item.as_object().is_none_or(|i| !i.is_empty()));
    }
    let operations = spec
        .get_mut("paths")
        .and_then(|p| p.as_object_mut())
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut());
    for op in operations {
        if let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) {
            // Header parameters (`If-Match`) would become a positional argument of every write
            // method; the SDK leaves them out and its writes are serialised on the zone instead.
            params.retain(|param| param.get("in").and_then(|i| i.as_str()) != Some("header"));
            for param in params {
                if let Some(schema) = param.get_mut("schema") {
                    relax_schema(schema, false);
                }
            }
        }
    }
}

fn relax_schema(schema: &mut serde_json::Value, named: bool) {
    const DROPPED: &[&str] = &[
        "pattern",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minimum",
        "maximum",
    ];
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    for key in DROPPED {
        map.remove(*key);
    }
    if map.get("format").and_then(|f| f.as_str()) == Some("uuid") {
        map.remove("format");
    }
    if !named {
        map.remove("enum");
    }
    // An optional list reads as empty when absent or null; keep it a plain `Vec`.
    if map.get("type").and_then(|t| t.as_str()) == Some("array") {
        map.remove("nullable");
    }
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Some(props) = child.as_object_mut() {
                    props.values_mut().for_each(|p| relax_schema(p, false));
                }
            }
            "items" | "additionalProperties" => relax_schema(child, false),
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(list) = child.as_array_mut() {
                    list.iter_mut().for_each(|s| relax_schema(s, false));
                }
            }
            _ => {}
        }
    }
}
