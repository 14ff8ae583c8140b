use std::collections::BTreeMap;

use super::*;

fn template(records: Vec<TemplateRecord>, variables: Vec<TemplateVariable>) -> Template {
    Template {
        id: TemplateId::new(),
        tenant_id: Some(TenantId::new()),
        name: "t".into(),
        description: None,
        records,
        variables,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn record(name: &str, rtype: &str, content: &str) -> TemplateRecord {
    TemplateRecord {
        name: name.into(),
        rtype: rtype.into(),
        content: content.into(),
        ttl: None,
    }
}

fn var(
    name: &str,
    required: bool,
    default: Option<&str>,
    pattern: Option<&str>,
) -> TemplateVariable {
    TemplateVariable {
        name: name.into(),
        description: None,
        required,
        default: default.map(Into::into),
        pattern: pattern.map(Into::into),
    }
}

fn builtins() -> Builtins {
    Builtins {
        domain: "example.com".into(),
        zone_id: "z1".into(),
        tenant: "acme".into(),
    }
}

fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

#[test]
fn renders_given_default_and_builtin_values() {
    let t = template(
        vec![
            record("${host}", "A", "${ip}"),
            record("@", "TXT", "owner=${tenant} mail=${contact} cost=$$5 $x"),
        ],
        vec![
            var("host", false, Some("www"), None),
            var("ip", true, None, Some(r"\d+\.\d+\.\d+\.\d+")),
            var("contact", false, Some("hostmaster@${domain}"), None),
        ],
    );
    t.check().unwrap();
    let (records, values) = render(&t, &builtins(), &given(&[("ip", "192.0.2.1")])).unwrap();
    assert_eq!(records[0].name, "www");
    assert_eq!(records[0].content, "192.0.2.1");
    assert_eq!(
        records[1].content,
        "owner=acme mail=hostmaster@example.com cost=$5 $x"
    );
    assert_eq!(values["contact"], "hostmaster@example.com");
}

#[test]
fn refuses_missing_unknown_and_bad_values() {
    let t = template(
        vec![record("@", "A", "${ip}")],
        vec![
            var("ip", true, None, Some(r"\d+\.\d+\.\d+\.\d+")),
            var("other", true, None, None),
        ],
    );
    let err = render(&t, &builtins(), &given(&[])).unwrap_err();
    assert_eq!(err.code(), "missing_variables");
    assert!(err.message().contains("ip, other"), "{}", err.message());
    let err = render(
        &t,
        &builtins(),
        &given(&[("ip", "1.2.3.4"), ("other", "x"), ("nope", "1")]),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("variables.nope"));
    let err = render(
        &t,
        &builtins(),
        &given(&[("ip", "1.2.3.4x"), ("other", "x")]),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("variables.ip"));
    let err = render(
        &t,
        &builtins(),
        &given(&[("ip", "1.2.3.4"), ("other", "a\nb")]),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("variables.other"));
    let err = render(
        &t,
        &builtins(),
        &given(&[("ip", "1.2.3.4"), ("domain", "x")]),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("variables.domain"));
}

#[test]
fn check_refuses_unknown_placeholders_and_bad_declarations() {
    let err = template(vec![record("@", "A", "${nope}")], vec![])
        .check()
        .unwrap_err();
    assert_eq!(err.field(), Some("records[0].content"));
    let err = template(vec![record("@", "A", "${open")], vec![])
        .check()
        .unwrap_err();
    assert_eq!(err.field(), Some("records[0].content"));
    let err = template(vec![record("@", "BOGUS", "x")], vec![])
        .check()
        .unwrap_err();
    assert_eq!(err.field(), Some("records[0].type"));
    let err = template(
        vec![record("@", "A", "1.2.3.4")],
        vec![var("domain", false, None, None)],
    )
    .check()
    .unwrap_err();
    assert_eq!(err.field(), Some("variables[0].name"));
    let err = template(
        vec![record("@", "A", "1.2.3.4")],
        vec![var("a", false, None, Some("(unclosed"))],
    )
    .check()
    .unwrap_err();
    assert_eq!(err.field(), Some("variables[0].pattern"));
    // A pattern whose compiled form is huge is refused, not built.
    let err = template(
        vec![record("@", "A", "1.2.3.4")],
        vec![var("a", false, None, Some(r"(\w{1,100}){1,100}"))],
    )
    .check()
    .unwrap_err();
    assert_eq!(err.field(), Some("variables[0].pattern"));
    assert!(template(vec![], vec![]).check().is_err());
}
