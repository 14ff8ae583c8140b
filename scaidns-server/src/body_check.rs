//! Names the field behind a request-body parse failure.
//!
//! poem-openapi refuses a body with a missing or mistyped field with a message that names the
//! Rust type, not the field (`Type "string" expects an input value`). The contract wants the
//! field located (`{"loc": ["body", "slug"], "msg": "field required"}`), so when parsing fails
//! the request-context layer hands the body it kept to [`explain`], which walks the JSON against
//! the operation's request schema in the generated OpenAPI document and reports the first
//! problem. The document is the one the server serves, so the check can never disagree with it.

use std::sync::OnceLock;

use std::collections::HashMap;
use std::sync::Mutex;

use regex::Regex;
use serde_json::{Map, Value};

/// One problem found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    /// Path inside the body (`records[2].ttl`); empty for the whole body.
    pub field: String,
    /// What is wrong.
    pub msg: String,
    /// `invalid_body` for a wrong shape or type, `invalid_input` for a value outside a
    /// constraint the document states (the code the core gives the same refusal).
    pub code: &'static str,
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| serde_json::from_str(crate::spec::served_spec()).unwrap_or(Value::Null))
}

/// The first problem of `body` for `method path`, if the operation is known and the body is
/// JSON. `None` when nothing specific can be said.
pub fn explain(method: &str, path: &str, body: &[u8]) -> Option<BodyProblem> {
    let spec = spec();
    let item = find_path(spec, path)?;
    let op = item.get(method.to_ascii_lowercase())?;
    let schema = op
        .get("requestBody")?
        .get("content")?
        .as_object()?
        .values()
        .next()?
        .get("schema")?;
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => check(spec, schema, &value, ""),
        Err(e) => problem("", format!("body is not valid JSON: {e}")),
    }
}

/// Whether `path` is an instance of `template` (`{x}` matches one segment).
pub fn template_matches(template: &str, path: &str) -> bool {
    let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    parts.len() == wanted.len()
        && parts
            .iter()
            .zip(&wanted)
            .all(|(t, w)| (t.starts_with('{') && t.ends_with('}')) || t == w)
}

/// The spec's path item whose template matches `path`. A literal segment wins over a
/// parameter, as in the router.
fn find_path<'a>(spec: &'a Value, path: &str) -> Option<&'a Value> {
    spec.get("paths")?
        .as_object()?
        .iter()
        .filter(|(template, _)| template_matches(template, path))
        .min_by_key(|(template, _)| template.matches('{').count())
        .map(|(_, item)| item)
}

/// The methods the spec documents for `path` (upper case, `HEAD` wherever `GET` is), for the
/// `Allow` header of a 405. `None` for paths outside the API document.
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    let item = find_path(spec(), path)?.as_object()?;
    let mut methods: Vec<String> = item
        .keys()
        .filter(|m| {
            matches!(
                m.as_str(),
                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
            )
        })
        .map(|m| m.to_ascii_uppercase())
        .collect();
    if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
        methods.push("HEAD".to_owned());
    }
    Some(methods)
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    // poem writes a described reference as `allOf: [{$ref}, {description}]`.
    for _ in 0..8 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or_default();
            match spec.pointer(&format!("/components/schemas/{name}")) {
                Some(s) => schema = s,
                None => return schema,
            }
        } else if let Some(first) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|s| s.get("$ref").is_some()))
        {
            schema = first;
        } else {
            break;
        }
    }
    schema
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn problem(field: &str, msg: impl Into<String>) -> Option<BodyProblem> {
    Some(BodyProblem {
        field: field.to_owned(),
        msg: msg.into(),
        code: "invalid_body",
    })
}

fn out_of_bounds(field: &str, msg: impl Into<String>) -> Option<BodyProblem> {
    Some(BodyProblem {
        field: field.to_owned(),
        msg: msg.into(),
        code: "invalid_input",
    })
}

fn pattern_matches(pattern: &str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // A pattern the engine cannot compile constrains nothing here (the core still checks).
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(pattern).ok())
        .as_ref()
        .is_none_or(|re| re.is_match(text))
}

/// The constraints the document states on a value of the right type ([`crate::spec_refinement`]).
fn check_constraints(schema: &Value, value: &Value, at: &str) -> Option<BodyProblem> {
    let limit = |key: &str| schema.get(key).and_then(Value::as_u64);
    match value {
        Value::String(text) => {
            let chars = text.chars().count() as u64;
            if limit("minLength").is_some_and(|min| chars < min) {
                return out_of_bounds(at, "must not be empty");
            }
            if let Some(max) = limit("maxLength").filter(|max| chars > *max) {
                return out_of_bounds(at, format!("must be at most {max} characters"));
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && !pattern_matches(pattern, text)
            {
                return out_of_bounds(
                    at,
                    if pattern == "\\S" {
                        "must not be blank".to_owned()
                    } else {
                        format!("must match {pattern}")
                    },
                );
            }
            None
        }
        Value::Array(items) => {
            let n = items.len() as u64;
            match (limit("minItems"), limit("maxItems")) {
                (Some(min), Some(max)) if !(min..=max).contains(&n) => {
                    out_of_bounds(at, format!("give between {min} and {max} items"))
                }
                (Some(min), _) if n < min => {
                    out_of_bounds(at, format!("give at least {min} items"))
                }
                (_, Some(max)) if n > max => out_of_bounds(at, format!("give at most {max} items")),
                _ => None,
            }
        }
        Value::Number(n) => {
            let n = n.as_f64()?;
            let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
            match (bound("minimum"), bound("maximum")) {
                (min, max) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => {
                    out_of_bounds(
                        at,
                        format!(
                            "must be between {} and {}",
                            min.map_or_else(|| "-∞".to_owned(), |m| m.to_string()),
                            max.map_or_else(|| "∞".to_owned(), |m| m.to_string())
                        ),
                    )
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn check(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<BodyProblem> {
    let schema = resolve(spec, schema);
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        if !choices.contains(value) {
            let names: Vec<String> = choices.iter().map(ToString::to_string).collect();
            return problem(at, format!("value is not one of {}", names.join(", ")));
        }
        return None;
    }
    let shape = check_shape(spec, schema, value, at);
    if shape.is_some() {
        return shape;
    }
    check_constraints(schema, value, at)
}

fn check_shape(spec: &Value, schema: &Value, value: &Value, at: &str) -> Option<BodyProblem> {
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => match value {
            Value::Object(map) => check_object(spec, schema, map, at),
            _ => problem(at, "value is not an object"),
        },
        Some("array") => match value {
            Value::Array(items) => {
                let item_schema = schema.get("items")?;
                items
                    .iter()
                    .enumerate()
                    .find_map(|(i, item)| check(spec, item_schema, item, &format!("{at}[{i}]")))
            }
            _ => problem(at, "value is not a list"),
        },
        Some("string") if !value.is_string() => problem(at, "value is not a string"),
        Some("boolean") if !value.is_boolean() => problem(at, "value is not a boolean"),
        Some("integer") => check_integer(schema, value, at),
        Some("number") if !value.is_number() => problem(at, "value is not a number"),
        _ => None,
    }
}

fn check_object(
    spec: &Value,
    schema: &Value,
    map: &Map<String, Value>,
    at: &str,
) -> Option<BodyProblem> {
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for name in required.iter().filter_map(Value::as_str) {
        if map.get(name).is_none_or(Value::is_null) {
            return problem(&join(at, name), "field required");
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object)?;
    properties
        .iter()
        .find_map(|(name, prop)| match map.get(name) {
            // Optional fields may be null (poem reads null as absent).
            None | Some(Value::Null) => None,
            Some(v) => check(spec, prop, v, &join(at, name)),
        })
}

fn check_integer(schema: &Value, value: &Value, at: &str) -> Option<BodyProblem> {
    let Some(n) = value
        .as_i64()
        .map(i128::from)
        .or(value.as_u64().map(i128::from))
    else {
        return problem(at, "value is not an integer");
    };
    let (min, max): (i128, i128) = match schema.get("format").and_then(Value::as_str) {
        Some("uint32") => (0, i128::from(u32::MAX)),
        Some("uint64") => (0, i128::from(u64::MAX)),
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Some("uint16") => (0, i128::from(u16::MAX)),
        Some("uint8") => (0, i128::from(u8::MAX)),
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    if n < min || n > max {
        return problem(at, format!("value must be between {min} and {max}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_missing_and_mistyped_fields() {
        let p = explain("POST", "/api/v1/admin/tenants", br#"{"name":"x"}"#).unwrap();
        assert_eq!(
            (p.field.as_str(), p.msg.as_str()),
            ("slug", "field required")
        );
        let p = explain(
            "POST",
            "/api/v1/api-keys/",
            br#"{"name":"k","rate_limit":"lots"}"#,
        )
        .unwrap();
        assert_eq!(p.field, "rate_limit");
        let p = explain(
            "POST",
            "/api/v1/api-keys",
            br#"{"name":"k","scopes":["domains:read",3]}"#,
        )
        .unwrap();
        assert_eq!(p.field, "scopes[1]");
        let p = explain(
            "POST",
            "/api/v1/domains",
            br#"{"name":"a.test","domain_type":"x"}"#,
        )
        .unwrap();
        assert_eq!(p.field, "domain_type");
        let p = explain("POST", "/api/v1/domains", b"{nope").unwrap();
        assert_eq!(p.field, "");
        assert_eq!(
            explain(
                "POST",
                "/api/v1/domains",
                br#"{"name":"a.test","description":null}"#
            ),
            None
        );
        assert_eq!(explain("POST", "/api/v1/unknown", b"{nope"), None);
    }

    #[test]
    fn the_constraints_the_document_states_are_enforced() {
        let p = explain("PUT", "/api/v1/admin/nameservers", br#"{"nameservers":[]}"#).unwrap();
        assert_eq!((p.field.as_str(), p.code), ("nameservers", "invalid_input"));
        let p = explain(
            "POST",
            "/api/v1/admin/tenants",
            br#"{"name":"  ","slug":"ok"}"#,
        )
        .unwrap();
        assert_eq!(
            (p.field.as_str(), p.msg.as_str()),
            ("name", "must not be blank")
        );
        let p = explain(
            "POST",
            "/api/v1/admin/groups",
            br#"{"name":"g","tenant_id":"not-a-uuid"}"#,
        )
        .unwrap();
        assert_eq!((p.field.as_str(), p.code), ("tenant_id", "invalid_input"));
        let p = explain("POST", "/api/v1/roles", br#"{"name":"r","permissions":[]}"#).unwrap();
        assert_eq!(p.field, "permissions");
        // A well-typed value within every bound passes.
        assert_eq!(
            explain(
                "PUT",
                "/api/v1/admin/nameservers",
                br#"{"nameservers":["ns1.example.net."]}"#
            ),
            None
        );
        assert_eq!(explain("GET", "/api/v1/domains", b"{nope"), None);
    }
}
