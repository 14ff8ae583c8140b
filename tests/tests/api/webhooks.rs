//! ScaiKey webhooks: signatures (missing, wrong, stale, future, secret unset), every event type
//! applied and idempotent, replays answered as duplicates, audit entries per event.

use scaidns_core::audit::ActorType;
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::store::AuditFilter;
use scaidns_core::tenant::{PartnerStatus, TenantStatus, UserStatus};
use scaidns_server::config::Secret;
use scaidns_tests::scaikey::directory::{Delivery, delivery};
use scaidns_tests::{TestApp, TestOptions, spawn_app_configured};
use serde_json::{Value, json};

const SECRET: &str = "whsec_test_secret";

async fn app(secret: Option<&str>) -> TestApp {
    let secret = secret.map(Secret::new);
    spawn_app_configured(TestOptions::default(), move |c| {
        c.identity.webhook_secret = secret;
    })
    .await
}

async fn post(app: &TestApp, d: &Delivery) -> (u16, Value) {
    let mut req = app
        .http
        .post(app.url("/api/v1/webhooks/scaikey"))
        .body(d.body.clone());
    for (k, v) in &d.headers {
        req = req.header(k, v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Sends a signed event and returns the answer body (asserting 200).
async fn send(app: &TestApp, id: &str, event_type: &str, data: Value) -> Value {
    let d = delivery(SECRET, id, event_type, data, Some("tnt_acme"), now());
    let (status, body) = post(app, &d).await;
    assert_eq!(status, 200, "{event_type}: {body}");
    body
}

async fn webhook_audit(app: &TestApp, event_id: Option<&str>) -> u64 {
    app.service()
        .store()
        .list_audit(
            &AuditFilter {
                actor_type: Some(ActorType::Webhook),
                actor_id: event_id.map(str::to_owned),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap()
        .total
}

fn user_data(status: &str) -> Value {
    json!({
        "id": "usr_ada", "email": "Ada@Acme.test", "first_name": "Ada", "last_name": "L",
        "status": status, "tenant": {"id": "tnt_acme", "name": "Acme", "slug": "acme"},
    })
}

async fn user_status(app: &TestApp) -> UserStatus {
    let store = app.service().store();
    store
        .get_user_by_scaikey_id("usr_ada")
        .await
        .unwrap()
        .expect("user cached")
        .status
}

#[tokio::test]
async fn every_event_type_is_applied_once_and_repeats_change_nothing() {
    let app = app(Some(SECRET)).await;
    let store = app.service().store().clone();
    let partner = json!({"id": "prt_msp", "name": "MSP", "slug": "msp", "status": "ACTIVE"});
    let tenant = json!({"id": "tnt_acme", "name": "Acme", "slug": "acme", "partner": partner});
    let group = json!({"id": "grp_ops", "name": "ops", "description": "Operators",
                       "tenant": {"id": "tnt_acme"}});
    let membership = json!({"group_id": "grp_ops", "user_id": "usr_ada"});
    let steps: Vec<(&str, Value)> = vec![
        ("partner.created", partner.clone()),
        ("tenant.created", tenant.clone()),
        ("user.created", user_data("ACTIVE")),
        (
            "user.updated",
            json!({"id": "usr_ada", "first_name": "Augusta"}),
        ),
        ("group.created", group.clone()),
        (
            "group.updated",
            json!({"id": "grp_ops", "name": "operators", "tenant_id": "tnt_acme"}),
        ),
        ("group.member_added", membership.clone()),
        ("group.member_removed", membership.clone()),
        ("group.member_added", membership.clone()),
        ("group.deleted", json!({"id": "grp_ops"})),
        ("user.suspended", json!({"id": "usr_ada"})),
        ("user.activated", json!({"id": "usr_ada"})),
        ("user.deleted", json!({"id": "usr_ada"})),
        (
            "application.user_assigned",
            json!({"application_id": "app_scaidns", "user": user_data("ACTIVE")}),
        ),
        (
            "application.user_unassigned",
            json!({"application_id": "app_scaidns", "user_id": "usr_ada"}),
        ),
        ("user.updated", json!({"id": "usr_ada", "status": "ACTIVE"})),
        (
            "tenant.updated",
            json!({"id": "tnt_acme", "name": "Acme Corp", "status": "SUSPENDED"}),
        ),
        (
            "tenant.updated",
            json!({"id": "tnt_acme", "name": "Acme Corp", "status": "ACTIVE"}),
        ),
        (
            "partner.updated",
            json!({"id": "prt_msp", "name": "MSP", "status": "SUSPENDED"}),
        ),
        ("partner.deleted", json!({"id": "prt_msp", "name": "MSP"})),
        (
            "tenant.deleted",
            json!({"id": "tnt_acme", "name": "Acme Corp"}),
        ),
    ];
    for (i, (event_type, data)) in steps.iter().enumerate() {
        let id = format!("evt_{i}");
        let body = send(&app, &id, event_type, data.clone()).await;
        assert_eq!(body["success"], true, "{event_type}: {body}");
        assert_eq!(body["event_id"], id.as_str());
        assert_eq!(
            body["message"],
            format!("Event {event_type} processed successfully")
        );
        assert!(
            webhook_audit(&app, Some(&id)).await >= 1,
            "{event_type} audited"
        );
        // The same content again under a new id: applied, but nothing changes.
        let before = webhook_audit(&app, None).await;
        let body = send(&app, &format!("{id}_again"), event_type, data.clone()).await;
        assert_eq!(body["success"], true, "{event_type} repeated: {body}");
        assert_eq!(
            webhook_audit(&app, None).await,
            before,
            "{event_type} is idempotent"
        );

        // Spot checks of the state after the steps that define it.
        match (i, *event_type) {
            (1, _) => {
                let t = store
                    .get_tenant_by_scaikey_id("tnt_acme")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!((t.slug.as_str(), t.status), ("acme", TenantStatus::Active));
                assert!(store.tenant_partner_id(t.id).await.unwrap().is_some());
            }
            (3, _) => {
                let u = store
                    .get_user_by_scaikey_id("usr_ada")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(u.email, "ada@acme.test");
                assert_eq!(u.first_name.as_deref(), Some("Augusta"));
            }
            (6, _) => {
                let g = store
                    .get_group_by_scaikey_id("grp_ops")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(g.name, "operators");
                assert_eq!(store.group_member_ids(g.id).await.unwrap().len(), 1);
            }
            (7, _) => {
                let g = store
                    .get_group_by_scaikey_id("grp_ops")
                    .await
                    .unwrap()
                    .unwrap();
                assert!(store.group_member_ids(g.id).await.unwrap().is_empty());
            }
            (9, _) => assert!(
                store
                    .get_group_by_scaikey_id("grp_ops")
                    .await
                    .unwrap()
                    .is_none()
            ),
            (10 | 12 | 14, _) => assert_eq!(user_status(&app).await, UserStatus::Inactive),
            (11 | 13 | 15, _) => assert_eq!(user_status(&app).await, UserStatus::Active),
            (16, _) => {
                let t = store
                    .get_tenant_by_scaikey_id("tnt_acme")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    (t.name.as_str(), t.status),
                    ("Acme Corp", TenantStatus::Suspended)
                );
            }
            (19, _) => {
                let p = store
                    .get_partner_by_scaikey_id("prt_msp")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(p.status, PartnerStatus::Deleted);
            }
            (20, _) => {
                let t = store
                    .get_tenant_by_scaikey_id("tnt_acme")
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(t.status, TenantStatus::Suspended);
            }
            _ => {}
        }
    }
    let tenant_id = store
        .get_tenant_by_scaikey_id("tnt_acme")
        .await
        .unwrap()
        .unwrap()
        .id;
    let entry = store
        .list_audit(
            &AuditFilter {
                actor_id: Some("evt_2".into()),
                ..AuditFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(entry[0].action, "user.create");
    assert_eq!(entry[0].actor_type, ActorType::Webhook);
    assert_eq!(entry[0].tenant_id, Some(tenant_id));
}

#[tokio::test]
async fn a_replayed_event_id_is_a_duplicate_and_changes_nothing() {
    let app = app(Some(SECRET)).await;
    let first = send(&app, "evt_once", "user.created", user_data("ACTIVE")).await;
    assert_eq!(first["success"], true);
    let audit = webhook_audit(&app, None).await;
    // Same id, different content: still a duplicate.
    let body = send(&app, "evt_once", "user.deleted", json!({"id": "usr_ada"})).await;
    assert_eq!(
        body,
        json!({"success": true, "message": "duplicate event ignored", "event_id": "evt_once"})
    );
    assert_eq!(user_status(&app).await, UserStatus::Active);
    assert_eq!(webhook_audit(&app, None).await, audit);
}

#[tokio::test]
async fn unknown_types_are_ignored_and_bad_payloads_answer_success_false() {
    let app = app(Some(SECRET)).await;
    let body = send(&app, "evt_mfa", "user.mfa_enabled", json!({"id": "usr_x"})).await;
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Event user.mfa_enabled ignored");
    // A user event without a tenant cannot create the user: 200, success false, retryable.
    let d = delivery(
        SECRET,
        "evt_bad",
        "user.created",
        json!({"id": "usr_x", "email": "x@y.test"}),
        None,
        now(),
    );
    let (status, body) = post(&app, &d).await;
    assert_eq!((status, &body["success"]), (200, &json!(false)), "{body}");
    assert_eq!(webhook_audit(&app, None).await, 0);
}

#[tokio::test]
async fn bad_missing_stale_and_future_signatures_are_401_and_change_nothing() {
    let app = app(Some(SECRET)).await;
    let data = user_data("ACTIVE");
    let mut cases = Vec::new();
    let mut missing = delivery(SECRET, "evt_1", "user.created", data.clone(), None, now());
    missing.headers.retain(|(k, _)| k != "X-ScaiKey-Signature");
    cases.push(("missing", missing));
    cases.push((
        "wrong secret",
        delivery("other", "evt_2", "user.created", data.clone(), None, now()),
    ));
    cases.push((
        "stale",
        delivery(
            SECRET,
            "evt_3",
            "user.created",
            data.clone(),
            None,
            now() - 310,
        ),
    ));
    cases.push((
        "future",
        delivery(
            SECRET,
            "evt_4",
            "user.created",
            data.clone(),
            None,
            now() + 310,
        ),
    ));
    let mut tampered = delivery(SECRET, "evt_5", "user.created", data.clone(), None, now());
    tampered.body = tampered.body.replace("Ada", "Eve");
    cases.push(("tampered body", tampered));
    let mut garbage = delivery(SECRET, "evt_6", "user.created", data.clone(), None, now());
    for (k, v) in &mut garbage.headers {
        if k == "X-ScaiKey-Signature" {
            *v = "v1=abc".into();
        }
    }
    cases.push(("no timestamp", garbage));
    for (what, d) in cases {
        let (status, body) = post(&app, &d).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["code"], "invalid_webhook_signature", "{what}");
        assert!(body["request_id"].is_string());
    }
    let store = app.service().store();
    assert!(
        store
            .get_user_by_scaikey_id("usr_ada")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_tenant_by_scaikey_id("tnt_acme")
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.webhook_event_seen("evt_2").await.unwrap());
    // Within the window either way is fine.
    let d = delivery(SECRET, "evt_7", "user.created", data, None, now() + 290);
    assert_eq!(post(&app, &d).await.0, 200);
}

#[tokio::test]
async fn without_a_secret_webhooks_are_503() {
    let app = app(None).await;
    let d = delivery(
        SECRET,
        "evt_1",
        "user.created",
        user_data("ACTIVE"),
        None,
        now(),
    );
    let (status, body) = post(&app, &d).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (503, Some("webhook_not_configured"))
    );
    assert!(!body.to_string().contains(SECRET));
}
