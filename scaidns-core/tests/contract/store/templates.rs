//! Record templates and the template a pending zone waits for: the system templates are
//! listed and read-only, custom ones are their tenant's, every write carries its audit entries,
//! and a purged zone's pending template goes with it.

use std::collections::BTreeMap;

use scaidns_core::ids::TemplateId;
use scaidns_core::ports::template_store::PendingTemplate;
use scaidns_core::template::{Template, TemplateRecord, TemplateType, TemplateVariable};

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    template_store_lists_system_and_own_templates,
    template_store_writes_are_unique_audited_and_spare_system_templates,
    template_store_pending_template_is_replaced_cleared_and_purged,
);

const PAGE: PageRequest = PageRequest {
    page: 1,
    page_size: 100,
};

fn template(tenant: TenantId, name: &str) -> Template {
    Template {
        id: TemplateId::new(),
        tenant_id: Some(tenant),
        name: name.into(),
        description: Some("Office records".into()),
        records: vec![TemplateRecord {
            name: "www".into(),
            rtype: "A".into(),
            content: "${ip}".into(),
            ttl: Some(300),
        }],
        variables: vec![TemplateVariable {
            name: "ip".into(),
            description: None,
            required: true,
            default: None,
            pattern: Some("^[0-9.]+$".into()),
        }],
        created_at: t0(),
        updated_at: t0(),
    }
}

fn names(templates: &[Template]) -> Vec<&str> {
    templates.iter().map(|t| t.name.as_str()).collect()
}

async fn template_store_lists_system_and_own_templates(store: &dyn Store) {
    let (alpha, beta) = (TenantId::new(), TenantId::new());
    let mine = template(alpha, "office");
    store.insert_template(&mine, &[]).await.unwrap();
    store
        .insert_template(&template(beta, "theirs"), &[])
        .await
        .unwrap();

    let all = store.list_templates(alpha, None, PAGE).await.unwrap();
    // The five system templates of migration 0012 first, then the tenant's own.
    assert_eq!(all.total, 6, "{:?}", names(&all.items));
    assert!(all.items[..5].iter().all(|t| t.tenant_id.is_none()));
    assert_eq!(all.items[5], mine);
    assert!(!names(&all.items).contains(&"theirs"));
    let system = store
        .list_templates(alpha, Some(TemplateType::System), PAGE)
        .await
        .unwrap();
    assert_eq!(system.total, 5);
    assert!(names(&system.items).contains(&"caa-letsencrypt"));
    let custom = store
        .list_templates(alpha, Some(TemplateType::Custom), PAGE)
        .await
        .unwrap();
    assert_eq!(custom.items, vec![mine.clone()]);
    let paged = store
        .list_templates(
            alpha,
            None,
            PageRequest {
                page: 2,
                page_size: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!((paged.total, paged.items), (6, vec![mine.clone()]));

    // Read back whole, JSON columns and timestamps included.
    assert_eq!(store.get_template(mine.id).await.unwrap(), Some(mine));
    assert_eq!(store.get_template(TemplateId::new()).await.unwrap(), None);
}

async fn template_store_writes_are_unique_audited_and_spare_system_templates(store: &dyn Store) {
    let (alpha, beta) = (TenantId::new(), TenantId::new());
    let audit_before = all_audit(store).await.len();
    let t = template(alpha, "office");
    store
        .insert_template(&t, &[event(Some(alpha), "template.create", "x")])
        .await
        .unwrap();
    // Names are unique per tenant, not across tenants.
    assert_code(
        store.insert_template(&template(alpha, "office"), &[]).await,
        "template_exists",
    );
    store
        .insert_template(&template(beta, "office"), &[])
        .await
        .unwrap();

    let mut changed = t.clone();
    changed.description = None;
    changed.records[0].ttl = None;
    changed.updated_at = at(60);
    store
        .update_template(&changed, &[event(Some(alpha), "template.update", "x")])
        .await
        .unwrap();
    assert_eq!(store.get_template(t.id).await.unwrap(), Some(changed));
    assert_code(
        store.update_template(&template(alpha, "ghost"), &[]).await,
        "template_not_found",
    );

    // A system template is neither changed nor deleted through the store.
    let system = store
        .list_templates(alpha, Some(TemplateType::System), PAGE)
        .await
        .unwrap()
        .items
        .remove(0);
    let mut hijacked = system.clone();
    hijacked.tenant_id = Some(alpha);
    hijacked.name = "hijacked".into();
    assert_code(
        store.update_template(&hijacked, &[]).await,
        "template_not_found",
    );
    assert_eq!(
        store.get_template(system.id).await.unwrap(),
        Some(system.clone())
    );
    assert_code(
        store.delete_template(system.id, &[]).await,
        "template_not_found",
    );
    assert!(store.get_template(system.id).await.unwrap().is_some());

    store
        .delete_template(t.id, &[event(Some(alpha), "template.delete", "x")])
        .await
        .unwrap();
    assert_eq!(store.get_template(t.id).await.unwrap(), None);
    assert_code(store.delete_template(t.id, &[]).await, "template_not_found");
    let actions: Vec<String> = all_audit(store)
        .await
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("template."))
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert_eq!(all_audit(store).await.len(), audit_before + 3);
}

async fn template_store_pending_template_is_replaced_cleared_and_purged(store: &dyn Store) {
    let tenant = TenantId::new();
    let zone = put(store, create(&new_zone(tenant, "example.com"))).await;
    let first = PendingTemplate {
        zone_id: zone.id,
        template_id: TemplateId::new(),
        variables: BTreeMap::from([("ip".to_owned(), "192.0.2.1".to_owned())]),
    };
    assert_eq!(store.pending_template(zone.id).await.unwrap(), None);
    store.set_pending_template(&first).await.unwrap();
    assert_eq!(
        store.pending_template(zone.id).await.unwrap(),
        Some(first.clone())
    );
    let second = PendingTemplate {
        template_id: TemplateId::new(),
        variables: BTreeMap::new(),
        ..first.clone()
    };
    store.set_pending_template(&second).await.unwrap();
    assert_eq!(
        store.pending_template(zone.id).await.unwrap(),
        Some(second.clone())
    );

    let audit_before = all_audit(store).await.len();
    let failed = event(Some(tenant), "template.apply_failed", &zone.id.to_string());
    store
        .clear_pending_template(zone.id, std::slice::from_ref(&failed))
        .await
        .unwrap();
    assert_eq!(store.pending_template(zone.id).await.unwrap(), None);
    let audit = all_audit(store).await;
    assert_eq!(audit.len(), audit_before + 1);
    assert!(audit.iter().any(|e| e.id == failed.id));
    // Clearing again is a no-op.
    store.clear_pending_template(zone.id, &[]).await.unwrap();

    // A purged zone takes its pending template along.
    store.set_pending_template(&second).await.unwrap();
    store
        .purge_zone(zone.id, zone.generation, Vec::new(), &NoPublish)
        .await
        .unwrap();
    assert_eq!(store.pending_template(zone.id).await.unwrap(), None);
}
