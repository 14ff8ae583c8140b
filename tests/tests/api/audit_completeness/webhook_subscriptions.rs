//! Outbound webhook subscriptions: create, change, test, redeliver and delete; the secret in
//! no entry.

use super::*;

pub(super) async fn webhook_cases(h: &mut Harness, ta: &Caller) {
    let c = h
        .case(
            "POST /api/v1/webhook-subscriptions",
            ta,
            "/api/v1/webhook-subscriptions",
            Some(json!({"url": "http://127.0.0.1:9/audited", "events": ["record.*"]})),
        )
        .await;
    let subscription = created(&c);
    let secret = c.body["secret"].as_str().unwrap().to_owned();
    let e = c.entry("webhook_subscription.create", ta);
    assert_eq!(
        (&e["resource_type"], &e["resource_id"], &e["tenant_id"]),
        (
            &json!("webhook_subscription"),
            &json!(subscription),
            &json!(ta.tenant_id)
        )
    );
    assert!(
        !e.to_string().contains(&secret),
        "no secret in the audit log"
    );
    let path = format!("/api/v1/webhook-subscriptions/{subscription}");
    let c = h
        .case(
            "PATCH /api/v1/webhook-subscriptions/{subscription_id}",
            ta,
            &path,
            Some(json!({"description": "audited"})),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("webhook_subscription.update", ta);
    assert_eq!(e["details"]["after"]["description"], "audited");
    let c = h
        .case(
            "POST /api/v1/webhook-subscriptions/{subscription_id}/test",
            ta,
            &format!("{path}/test"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let delivery = c.body["id"].as_str().unwrap().to_owned();
    c.entry("webhook_subscription.test", ta);
    let c = h
        .case(
            "POST /api/v1/webhook-subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
            ta,
            &format!("{path}/deliveries/{delivery}/redeliver"),
            None,
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let e = c.entry("webhook_delivery.redeliver", ta);
    assert_eq!(e["resource_id"], delivery.as_str());
    let c = h
        .case(
            "DELETE /api/v1/webhook-subscriptions/{subscription_id}",
            ta,
            &path,
            None,
        )
        .await;
    assert_eq!(c.status, 204, "{}", c.body);
    c.entry("webhook_subscription.delete", ta);
}
