//! Record templates: create, change, apply (one entry for the template plus the bulk path's),
//! preview (nothing) and delete.

use super::*;

pub(super) async fn template_cases(h: &mut Harness, ta: &Caller, zones: &Zones) {
    let c = h
        .case(
            "POST /api/v1/templates",
            ta,
            "/api/v1/templates",
            Some(json!({"name": "audited",
                        "records": [{"name": "tpl", "type": "TXT", "content": "${word}"}],
                        "variables": [{"name": "word", "default": "hello"}]})),
        )
        .await;
    let template = created(&c);
    let e = c.entry("template.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("template"), &json!(template), &json!(ta.tenant_id))
    );
    let path = format!("/api/v1/templates/{template}");
    let c = h
        .case(
            "PATCH /api/v1/templates/{template_id}",
            ta,
            &path,
            Some(json!({"description": "audited"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("template.update", ta);
    assert_eq!(e["details"]["before"]["description"], Value::Null);
    assert_eq!(e["details"]["after"]["description"], "audited");
    let c = h
        .case(
            "POST /api/v1/templates/{template_id}/preview/{domain_id}",
            ta,
            &format!("{path}/preview/{}", zones.active),
            Some(json!({"variables": {}})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let c = h
        .case(
            "POST /api/v1/templates/{template_id}/apply",
            ta,
            &format!("{path}/apply"),
            Some(json!({"domain_id": zones.active, "variables": {"word": "applied"}})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let record = c.body["created_records"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(c.entry("record.create", ta)["resource_id"], record.as_str());
    c.entry("records.bulk", ta);
    let e = c.entry("template.apply", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (&json!("template"), &json!(template), &json!(ta.tenant_id))
    );
    assert_eq!(e["details"]["after"]["domain_id"], zones.active.as_str());
    assert_eq!(e["details"]["after"]["variables"]["word"], "applied");
    assert_eq!(e["details"]["after"]["result"]["created"], 1);
    let c = h
        .case("DELETE /api/v1/templates/{template_id}", ta, &path, None)
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    let e = c.entry("template.delete", ta);
    assert_eq!(e["details"]["before"]["name"], "audited");
}
