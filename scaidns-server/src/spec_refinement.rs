//! The OpenAPI document as a strict client reads it: every optional field is declared nullable
//! (poem-openapi sends an absent `Option` as `null` and reads `null` as absent, but never says
//! so), and every constraint the core enforces on input is stated, so a request valid by the
//! document is one the server accepts. The rules live here, in one table, rather than as
//! validators on the request types, because the document and the edge check
//! (`body_check::check_constraints`) read the same table; the core enforces them too, with its
//! own codes and messages, and schemathesis in `scripts/test.sh` fails CI whenever this table
//! and the server disagree in either direction.

use scaidns_core::rbac::Permission;
use scaidns_core::record::RecordType;
use serde_json::{Map, Value, json};

/// A UUID as the API writes ids.
const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// Text the core trims and refuses when nothing is left.
const NOT_BLANK: &str = "\\S";

/// A nameserver host name (letters, digits, inner `-`; at least two labels; optional final dot).
const HOST: &str = "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";

fn host() -> Value {
    json!({"minLength": 1, "maxLength": 253, "pattern": HOST})
}

/// A record type in any case, as the core reads it (`a`, `Aaaa`, ` MX `), or `TYPEnnn`
/// (RFC 3597). The DNSSEC types the signer owns are let through so the core can answer with
/// its pointer to the DNSSEC endpoints rather than a bare pattern mismatch; the core also
/// refuses the `TYPEnnn` numbers that are meta types or that PowerDNS names otherwise.
fn record_type_any_case() -> Value {
    let names: Vec<String> = RecordType::ALL
        .iter()
        .map(|t| t.as_str())
        .chain(["RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY", "TYPE"])
        .map(|t| {
            t.chars()
                .map(|c| match (c.to_ascii_uppercase(), c.to_ascii_lowercase()) {
                    (u, l) if u != l => format!("[{u}{l}]"),
                    _ => c.to_string(),
                })
                .collect()
        })
        .collect();
    let names = names
        .join("|")
        .replace("[Tt][Yy][Pp][Ee]", "[Tt][Yy][Pp][Ee][0-9]{1,5}");
    json!({"pattern": format!("^\\s*({names})\\s*$")})
}

fn record_types() -> Value {
    let names: Vec<&str> = RecordType::ALL.iter().map(|t| t.as_str()).collect();
    json!({"enum": names})
}

/// Every scope the core accepts: a catalogue permission, `*`, `<resource>:*` or `records:write`.
fn permission_spellings() -> Vec<String> {
    let names: Vec<&str> = Permission::all().map(Permission::as_str).collect();
    let mut resources: Vec<&str> = names
        .iter()
        .filter_map(|n| n.split_once(':').map(|(r, _)| r))
        .collect();
    resources.dedup();
    let wildcards = resources.iter().map(|r| format!("{r}:*"));
    ["*".to_owned(), "records:write".to_owned()]
        .into_iter()
        .chain(names.iter().map(|n| (*n).to_owned()))
        .chain(wildcards)
        .collect()
}

fn uuid() -> Value {
    json!({"format": "uuid", "pattern": UUID})
}

fn text(max: u32) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": NOT_BLANK})
}

fn optional_text(max: u32) -> Value {
    json!({"maxLength": max})
}

/// `(schema, property, constraints)` for request bodies.
fn property_rules() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("TenantCreateRequest", "name", text(255)),
        (
            "TenantCreateRequest",
            "slug",
            json!({"minLength": 1, "maxLength": 63, "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"}),
        ),
        (
            "TenantCreateRequest",
            "scaikey_tenant_id",
            optional_text(255),
        ),
        ("UserCreateRequest", "tenant_id", uuid()),
        ("UserCreateRequest", "first_name", optional_text(100)),
        ("UserCreateRequest", "last_name", optional_text(100)),
        (
            "UserCreateRequest",
            "email",
            json!({"maxLength": 254, "pattern": "^\\s*[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+\\s*$"}),
        ),
        ("UserCreateRequest", "display_name", optional_text(200)),
        (
            "UserCreateRequest",
            "password",
            json!({"minLength": 8, "maxLength": 256}),
        ),
        ("UserInviteRequest", "tenant_id", uuid()),
        ("UserInviteRequest", "first_name", optional_text(100)),
        ("UserInviteRequest", "last_name", optional_text(100)),
        ("UserInviteRequest", "display_name", optional_text(200)),
        ("UserUpdateRequest", "first_name", optional_text(100)),
        ("UserUpdateRequest", "last_name", optional_text(100)),
        ("UserUpdateRequest", "display_name", optional_text(200)),
        (
            "UserPasswordRequest",
            "password",
            json!({"minLength": 8, "maxLength": 256}),
        ),
        ("GroupCreateRequest", "name", text(191)),
        ("GroupCreateRequest", "description", optional_text(1000)),
        ("GroupCreateRequest", "tenant_id", uuid()),
        ("GroupUpdateRequest", "name", text(191)),
        ("GroupUpdateRequest", "description", optional_text(1000)),
        ("GroupMemberRequest", "user_id", uuid()),
        ("ApiKeyCreateRequest", "name", text(100)),
        ("ApiKeyCreateRequest", "description", optional_text(1000)),
        ("ApiKeyCreateRequest", "permission_source_id", uuid()),
        ("ApiKeyCreateRequest", "rate_limit", json!({"minimum": 1})),
        (
            "ApiKeyCreateRequest",
            "scopes",
            json!({"items": {"enum": permission_spellings()}}),
        ),
        ("RoleAssignRequest", "role_name", role_name()),
        ("RoleAssignRequest", "scope_id", uuid()),
        (
            "DnssecConfirmRequest",
            "key_tag",
            json!({"minimum": 0, "maximum": 65535}),
        ),
        ("DomainCreateRequest", "default_ttl", ttl()),
        ("DomainUpdateRequest", "default_ttl", ttl()),
        ("RecordCreateRequest", "ttl", ttl()),
        ("RecordUpdateRequest", "ttl", ttl()),
        ("RoleCreateRequest", "name", role_name()),
        ("RoleCreateRequest", "description", optional_text(1000)),
        ("RoleUpdateRequest", "name", role_name()),
        ("RoleUpdateRequest", "description", optional_text(1000)),
        ("AccessGrantCreateRequest", "grantee_id", uuid()),
        ("AccessGrantCreateRequest", "notes", optional_text(1000)),
        ("AccessGrantUpdateRequest", "notes", optional_text(1000)),
        ("DomainCreateRequest", "description", optional_text(1000)),
        ("DomainUpdateRequest", "description", optional_text(1000)),
        ("PermissionCheckRequest", "domain_id", uuid()),
        (
            "PermissionCheckRequest",
            "record_type",
            record_type_any_case(),
        ),
        (
            "NameserverSetRequest",
            "nameservers",
            json!({"minItems": 1, "maxItems": 13, "uniqueItems": true, "items": host()}),
        ),
        // Any spelling the core maps to a DNS name (UTS-46 included), of at least two labels
        // (any of the full stops UTS-46 maps separates them).
        (
            "DomainCreateRequest",
            "name",
            json!({"minLength": 3, "maxLength": 253, "pattern": "[^.。．｡][.。．｡][^.。．｡]"}),
        ),
        ("RecordCreateRequest", "type", record_type_any_case()),
        ("RoleCreateRequest", "permissions", json!({"minItems": 1})),
        ("RoleUpdateRequest", "permissions", json!({"minItems": 1})),
    ]
}

/// What the core accepts whatever the deployment's TTL policy (`TTL_MIN`, `TTL_MAX`) narrows.
fn ttl() -> Value {
    json!({"minimum": 0, "maximum": i32::MAX})
}

fn role_name() -> Value {
    json!({"minLength": 1, "maxLength": 64, "pattern": "^[a-z0-9_-]+$"})
}

/// `(query parameter, constraints)`, wherever the parameter appears.
fn query_rules() -> Vec<(&'static str, Value)> {
    vec![
        ("page", json!({"minimum": 1})),
        (
            "page_size",
            json!({"minimum": 1, "maximum": crate::api::MAX_PAGE_SIZE}),
        ),
        ("tenant_id", uuid()),
        (
            "actor_type",
            json!({"enum": ["user", "api_key", "system", "webhook"]}),
        ),
        ("type", record_types()),
    ]
}

/// The range of each integer format poem-openapi writes, which the parser enforces.
fn integer_range(format: &str) -> Option<(i64, i64)> {
    match format {
        "uint8" => Some((0, i64::from(u8::MAX))),
        "uint16" => Some((0, i64::from(u16::MAX))),
        "uint32" => Some((0, i64::from(u32::MAX))),
        "int8" => Some((i64::from(i8::MIN), i64::from(i8::MAX))),
        "int16" => Some((i64::from(i16::MIN), i64::from(i16::MAX))),
        "int32" => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        _ => None,
    }
}

/// States the range of every sized integer (`minimum`/`maximum` already set win).
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("integer")
                && let Some((min, max)) = map
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(integer_range)
            {
                map.entry("minimum").or_insert(json!(min));
                map.entry("maximum").or_insert(json!(max));
            }
            map.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// Applies the rules to a document poem-openapi generated.
pub fn refine(spec: &mut Value) {
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            mark_optional_nullable(schema);
        }
        for (schema, property, rules) in property_rules() {
            if let Some(target) = schemas
                .get_mut(schema)
                .and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
            {
                merge(target, &rules);
                // In OpenAPI 3.0 a nullable enum must list null itself.
                if target.get("nullable") == Some(&Value::Bool(true))
                    && let Some(choices) = target.get_mut("enum").and_then(Value::as_array_mut)
                {
                    choices.push(Value::Null);
                }
            }
        }
    }
    let rules = query_rules();
    let params = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flat_map(|params| params.iter_mut());
    for param in params {
        if param.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some((_, rules)) = rules.iter().find(|(n, _)| *n == name)
            && let Some(schema) = param.get_mut("schema")
        {
            merge(schema, rules);
        }
    }
    widen_record_pages(spec);
    close_strict_bodies(spec);
    document_expired_history(spec);
    bound_integers(spec);
    declare_idempotency_keys(spec);
}

/// The optional `Idempotency-Key` header of every `POST` and `PATCH` that takes one
/// ([`crate::idempotency`]; it is read before the routes, so poem-openapi never sees it), and
/// its refusals in the 409 and 422 answers of those operations.
fn declare_idempotency_keys(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            // Anonymous operations (token, refresh, the ScaiKey webhook) have no principal to
            // keep answers for; the middleware lets their keys pass untouched.
            let anonymous = op
                .get("security")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if !matches!(method.as_str(), "post" | "patch")
                || anonymous
                || crate::idempotency::returns_secret(path)
                || crate::idempotency::reads_only(path)
            {
                continue;
            }
            let header = json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "deprecated": false,
                "explode": true,
                "description": "Makes the write safe to send again: a repeat by the same caller \
                    with the same key and the same request gets the first answer (with \
                    `Idempotent-Replayed: true`) and changes nothing, for 24 hours by default. \
                    The same key with a different request is 422 `idempotency_key_reused`; a \
                    repeat while the first still runs is 409 `idempotency_in_progress`. One new \
                    key (e.g. a UUID) per change.",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": crate::idempotency::MAX_KEY_LEN,
                    "pattern": "^[!-~]+$",
                },
            });
            if let Some(op) = op.as_object_mut() {
                match op.get_mut("parameters").and_then(Value::as_array_mut) {
                    Some(params) => params.push(header),
                    None => {
                        op.insert("parameters".into(), json!([header]));
                    }
                }
                for (status, also) in [
                    (
                        "409",
                        "; `idempotency_in_progress`: a request with this Idempotency-Key still runs",
                    ),
                    (
                        "422",
                        "; `idempotency_key_reused` or `invalid_idempotency_key`: see Idempotency-Key",
                    ),
                ] {
                    if let Some(Value::String(description)) = op
                        .get_mut("responses")
                        .and_then(|r| r.pointer_mut(&format!("/{status}/description")))
                    {
                        description.push_str(also);
                    }
                }
            }
        }
    }
}

/// The zone-history operations that name a generation answer 410 `history_expired` when it
/// is no longer kept; no other operation does, so the status is stated on these only.
fn document_expired_history(spec: &mut Value) {
    const EXPIRING: [(&str, &str); 3] = [
        ("/api/v1/domains/{domain_id}/history/{generation}", "get"),
        (
            "/api/v1/domains/{domain_id}/history/{generation}/restore",
            "post",
        ),
        ("/api/v1/domains/{domain_id}/diff", "get"),
    ];
    for (path, method) in EXPIRING {
        let pointer = format!("/paths/{}/{method}/responses", path.replace('/', "~1"));
        let Some(responses) = spec.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let Some(mut gone) = responses.get("404").cloned() else {
            continue;
        };
        gone["description"] = json!(
            "`history_expired`: the generation is older than the history kept \
             (ZONE_HISTORY_RETENTION_DAYS, ZONE_HISTORY_MAX_ENTRIES)"
        );
        responses.insert("410".into(), gone);
    }
}

/// The request bodies declared `#[oai(deny_unknown_fields)]` (a misspelt `mode` must not
/// silently merge instead of replacing), which poem-openapi does not state in the document.
fn close_strict_bodies(spec: &mut Value) {
    const STRICT: [&str; 5] = [
        "/components/schemas/RecordBulkRequest",
        "/components/schemas/RecordBulkUpdate",
        "/components/schemas/RecordBulkDeleteRequest",
        "/components/schemas/ImportRequest",
        "/paths/~1api~1v1~1domains~1{domain_id}~1import~1file/post/requestBody/content/multipart~1form-data/schema",
    ];
    for pointer in STRICT {
        if let Some(schema) = spec.pointer_mut(pointer).and_then(Value::as_object_mut) {
            schema.insert("additionalProperties".into(), json!(false));
        }
    }
}

/// Record lists page up to [`crate::api::MAX_RECORD_PAGE_SIZE`], the other lists up to
/// [`crate::api::MAX_PAGE_SIZE`].
fn widen_record_pages(spec: &mut Value) {
    const RECORD_LISTS: [&str; 3] = [
        "/api/v1/domains/{domain_id}/records",
        "/api/v1/domains/{domain_id}/records/search",
        "/api/v1/records",
    ];
    for path in RECORD_LISTS {
        let Some(item) = spec.pointer_mut(&format!("/paths/{}", path.replace('/', "~1"))) else {
            continue;
        };
        let params = item
            .as_object_mut()
            .into_iter()
            .flat_map(|ops| ops.values_mut())
            .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
            .flat_map(|params| params.iter_mut())
            .filter(|p| p["name"] == "page_size" && p["in"] == "query");
        for param in params {
            param["schema"]["maximum"] = json!(crate::api::MAX_RECORD_PAGE_SIZE);
        }
    }
}

/// Every property an object does not require may be `null`.
fn mark_optional_nullable(schema: &mut Value) {
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let Some(object) = property.as_object_mut() else {
            continue;
        };
        if object.is_empty() {
            // Any JSON value, `null` included.
            continue;
        }
        if object.contains_key("$ref") {
            // Siblings of `$ref` are ignored in OpenAPI 3.0: wrap it.
            let reference = std::mem::take(object);
            *object = Map::from_iter([("allOf".to_owned(), json!([reference]))]);
        }
        object.insert("nullable".to_owned(), Value::Bool(true));
    }
}

fn merge(target: &mut Value, rules: &Value) {
    if let (Some(target), Some(rules)) = (target.as_object_mut(), rules.as_object()) {
        for (k, v) in rules {
            match target.get_mut(k) {
                Some(existing) if k == "items" => merge(existing, v),
                _ => {
                    target.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scaidns_core::rbac::PermSet;

    #[test]
    fn optional_fields_become_nullable_and_required_ones_do_not() {
        let mut spec = json!({"components": {"schemas": {"X": {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string"},
                "b": {"type": "string"},
                "c": {"$ref": "#/components/schemas/Y"},
                "d": {}
            }
        }}}, "paths": {}});
        refine(&mut spec);
        let x = &spec["components"]["schemas"]["X"]["properties"];
        assert_eq!(x["a"].get("nullable"), None);
        assert_eq!(x["b"]["nullable"], true);
        assert_eq!(
            x["c"],
            json!({"allOf": [{"$ref": "#/components/schemas/Y"}], "nullable": true})
        );
        assert_eq!(x["d"], json!({}));
    }

    #[test]
    fn every_stated_scope_is_one_the_core_accepts() {
        let spellings = permission_spellings();
        for s in &spellings {
            assert!(PermSet::parse_one(s).is_ok(), "{s}");
        }
        for s in [
            "*",
            "records:write",
            "domains:*",
            "dnssec:read",
            "validation_bypass",
        ] {
            assert!(spellings.iter().any(|x| x == s), "{s}");
        }
        assert!(
            !spellings
                .iter()
                .any(|x| x == "0" || x == "validation_bypass:*")
        );
    }

    #[test]
    fn the_served_document_states_the_core_limits() {
        let spec: Value = serde_json::from_str(&crate::spec::spec_json()).unwrap();
        let ns =
            &spec["components"]["schemas"]["NameserverSetRequest"]["properties"]["nameservers"];
        assert_eq!(
            (ns["minItems"].as_u64(), ns["maxItems"].as_u64()),
            (Some(1), Some(13))
        );
        let page = spec["paths"]["/api/v1/domains"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "page_size")
            .unwrap();
        assert_eq!(page["schema"]["maximum"], 100);
        let upload = "/paths/~1api~1v1~1domains~1{domain_id}~1import~1file/post/requestBody/content/multipart~1form-data/schema";
        for strict in ["/components/schemas/ImportRequest", upload] {
            let schema = spec.pointer(strict).unwrap_or_else(|| panic!("{strict}"));
            assert_eq!(schema["additionalProperties"], false, "{strict}");
        }
        for (path, method) in [
            ("/api/v1/domains/{domain_id}/records", "get"),
            ("/api/v1/domains/{domain_id}/records/search", "post"),
            ("/api/v1/records", "get"),
        ] {
            let page = spec["paths"][path][method]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "page_size")
                .unwrap();
            assert_eq!(page["schema"]["maximum"], 1000, "{path}");
        }
        let scopes = &spec["components"]["schemas"]["ApiKeyCreateRequest"]["properties"]["scopes"];
        assert!(scopes["items"]["enum"].as_array().unwrap().len() > 40);
        // Every rule names a property that exists, so a rename cannot silently drop one.
        for (schema, property, _) in property_rules() {
            assert!(
                spec["components"]["schemas"][schema]["properties"][property].is_object(),
                "{schema}.{property}"
            );
        }
    }
}
