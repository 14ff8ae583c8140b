//! The audit log (filters, order, pages) and settings written with their audit entries.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    audit_filters_order_and_pages,
    settings_upsert_with_audit,
);

async fn audit_filters_order_and_pages(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut events = Vec::new();
    for (i, (tenant, action, actor_type, actor)) in [
        (Some(t1), "domain.create", ActorType::User, "u1"),
        (Some(t1), "record.create", ActorType::ApiKey, "k1"),
        (Some(t2), "domain.create", ActorType::User, "u2"),
        (None, "settings.update", ActorType::System, "cli"),
        (Some(t1), "record.delete", ActorType::User, "u1"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut e = event(tenant, action, &format!("res-{i}"));
        e.actor_type = actor_type;
        e.actor_id = Some(actor.into());
        e.created_at = at(i as i64 * 10);
        events.push(e);
    }
    // Two entries in the same microsecond: the later id comes first.
    let mut twin = event(Some(t2), "record.update", "res-9");
    twin.created_at = events[4].created_at;
    twin.before = Some(json!({"content": "192.0.2.1", "ttl": 300}));
    twin.after = Some(json!(null));
    twin.ip_address = Some("2001:db8::1".into());
    twin.user_agent = Some("scaidns-cli/1.0".into());
    twin.request_id = Some("req-1".into());
    twin.resource_name = Some("www.example.com".into());
    twin.actor_email = None;
    if twin.id < events[4].id {
        std::mem::swap(&mut twin.id, &mut events[4].id);
    }
    events.push(twin.clone());
    store.put_setting("audit.test", "x", &events).await.unwrap();

    let all = PageRequest {
        page: 1,
        page_size: 50,
    };
    let list = |f: AuditFilter| async move { store.list_audit(&f, all).await.unwrap() };
    let resources = |page: &scaidns_core::paging::Page<AuditEvent>| {
        page.items
            .iter()
            .map(|e| e.resource_id.clone().unwrap())
            .collect::<Vec<_>>()
    };

    let page = list(AuditFilter::default()).await;
    assert_eq!(
        resources(&page),
        ["res-9", "res-4", "res-3", "res-2", "res-1", "res-0"]
    );
    assert_eq!(page.total, 6);
    assert_eq!(store.get_audit(twin.id).await.unwrap(), Some(twin.clone()));
    assert_eq!(page.items[0], twin);
    assert!(
        store
            .get_audit(AuditEventId::new())
            .await
            .unwrap()
            .is_none()
    );

    let page = list(AuditFilter {
        tenant_id: Some(t1),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4", "res-1", "res-0"]);
    let page = list(AuditFilter {
        action: Some("domain.create".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-2", "res-0"]);
    let page = list(AuditFilter {
        resource_type: Some("record".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-9", "res-4", "res-1"]);
    let page = list(AuditFilter {
        resource_id: Some("res-3".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-3"]);
    let page = list(AuditFilter {
        actor_id: Some("u1".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4", "res-0"]);
    let page = list(AuditFilter {
        actor_type: Some(ActorType::ApiKey),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-1"]);
    // since is inclusive, until exclusive, both to the microsecond.
    let page = list(AuditFilter {
        since: Some(at(10)),
        until: Some(at(30)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-2", "res-1"]);
    let page = list(AuditFilter {
        since: Some(at(10) + Duration::microseconds(1)),
        until: Some(at(30) + Duration::microseconds(1)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-3", "res-2"]);
    let page = list(AuditFilter {
        tenant_id: Some(t1),
        actor_id: Some("u1".into()),
        since: Some(at(1)),
        ..Default::default()
    })
    .await;
    assert_eq!(resources(&page), ["res-4"]);

    let page = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                page: 2,
                page_size: 4,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (resources(&page), page.total),
        (vec!["res-1".to_owned(), "res-0".into()], 6)
    );
}

async fn settings_upsert_with_audit(store: &dyn Store) {
    assert!(store.get_setting("nameservers").await.unwrap().is_none());
    store
        .put_setting(
            "nameservers",
            "ns1.example.net.,ns2.example.net.",
            &[event(None, "settings.update", "ns")],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_setting("nameservers").await.unwrap().as_deref(),
        Some("ns1.example.net.,ns2.example.net.")
    );
    store
        .put_setting(
            "nameservers",
            "ns3.example.net.",
            &[event(None, "settings.update", "ns")],
        )
        .await
        .unwrap();
    store.put_setting("other", "", &[]).await.unwrap();
    assert_eq!(
        store.get_setting("nameservers").await.unwrap().as_deref(),
        Some("ns3.example.net.")
    );
    assert_eq!(
        store.get_setting("other").await.unwrap().as_deref(),
        Some("")
    );
    assert_eq!(all_audit(store).await.len(), 2);
}
