//! Rows keyed by their ScaiKey id: idempotent upserts, memberships and group deletes.

use super::*;
use crate::support::contract::contract;

contract!(
    Store:
    upserts_by_scaikey_id_are_idempotent,
    memberships_and_group_deletes_in_batches,
);

async fn upserts_by_scaikey_id_are_idempotent(store: &dyn Store) {
    let p = partner("prt_1");
    let mut t = tenant("tnt_1");
    // The row read back carries the partner the change sets.
    t.partner_id = Some(p.id);
    let u = user(t.id, "usr_1");
    let g = group(t.id, "grp_1");
    let changes = vec![
        IdentityChange::Partner(p.clone()),
        IdentityChange::Tenant {
            tenant: t.clone(),
            partner_id: Some(p.id),
        },
        IdentityChange::User(u.clone()),
        IdentityChange::Group(g.clone()),
    ];
    // The same rows from three distinct deliveries (and a sync step): one row each.
    for event_id in ["evt_a", "evt_b", "evt_c"] {
        let batch = IdentityBatch {
            event: processed(event_id, "tenant.updated"),
            changes: changes.clone(),
            audit: vec![],
        };
        assert_eq!(
            store.apply_identity_batch(&batch).await.unwrap(),
            BatchOutcome::Applied
        );
    }
    store
        .apply_identity_batch(&IdentityBatch {
            event: None,
            changes: changes.clone(),
            audit: vec![],
        })
        .await
        .unwrap();
    assert_eq!(store.list_partners().await.unwrap(), vec![p.clone()]);
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_1").await.unwrap(),
        Some(t.clone())
    );
    assert_eq!(
        store.get_user_by_scaikey_id("usr_1").await.unwrap(),
        Some(u.clone())
    );
    assert_eq!(
        store.get_group_by_scaikey_id("grp_1").await.unwrap(),
        Some(g.clone())
    );
    let groups = store
        .list_groups(
            Some(t.id),
            PageRequest {
                page: 1,
                page_size: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(groups.total, 1);

    // An update replaces each row in place (same id), found by the same provider id.
    let later = t0() + Duration::seconds(30);
    let mut p2 = p.clone();
    p2.name = "Partner renamed".into();
    p2.status = PartnerStatus::Suspended;
    p2.updated_at = later;
    let mut t2 = t.clone();
    t2.name = "Tenant renamed".into();
    t2.status = TenantStatus::Suspended;
    t2.updated_at = later;
    t2.partner_id = None;
    let mut u2 = u.clone();
    u2.email = "ada.new@example.com".into();
    u2.status = UserStatus::Inactive;
    u2.last_name = Some("Lovelace".into());
    u2.updated_at = later;
    let mut g2 = g.clone();
    g2.name = "renamed".into();
    g2.group_type = GroupType::DistributionList;
    g2.description = Some("now a list".into());
    g2.updated_at = later;
    let update = IdentityBatch {
        event: processed("evt_update", "tenant.updated"),
        changes: vec![
            IdentityChange::Partner(p2.clone()),
            IdentityChange::Tenant {
                tenant: t2.clone(),
                partner_id: None,
            },
            IdentityChange::User(u2.clone()),
            IdentityChange::Group(g2.clone()),
        ],
        audit: vec![audit("evt_update", "tenant.update", &t.id.to_string())],
    };
    for _ in 0..2 {
        store.apply_identity_batch(&update).await.unwrap();
    }
    assert_eq!(store.list_partners().await.unwrap(), vec![p2.clone()]);
    assert_eq!(
        store.get_partner_by_scaikey_id("prt_1").await.unwrap(),
        Some(p2)
    );
    assert_eq!(
        store.get_tenant_by_scaikey_id("tnt_1").await.unwrap(),
        Some(t2)
    );
    assert_eq!(store.tenant_partner_id(t.id).await.unwrap(), None);
    assert_eq!(
        store.get_user_by_scaikey_id("usr_1").await.unwrap(),
        Some(u2)
    );
    assert!(
        store
            .get_user_by_email("ada.new@example.com")
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.get_user_by_email(&u.email).await.unwrap().is_none());
    assert_eq!(
        store.get_group_by_scaikey_id("grp_1").await.unwrap(),
        Some(g2)
    );
    // The second delivery of the update was a duplicate: one audit entry.
    assert_eq!(audit_rows(store).await.len(), 1);
}

async fn memberships_and_group_deletes_in_batches(store: &dyn Store) {
    let t = tenant("tnt_1");
    let (ada, bob) = (user(t.id, "usr_ada"), user(t.id, "usr_bob"));
    let g = group(t.id, "grp_1");
    let add = |event_id: &str| IdentityBatch {
        event: processed(event_id, "group.member_added"),
        changes: vec![
            IdentityChange::AddMember {
                group: g.id,
                user: ada.id,
            },
            IdentityChange::AddMember {
                group: g.id,
                user: ada.id,
            },
            IdentityChange::AddMember {
                group: g.id,
                user: bob.id,
            },
        ],
        audit: vec![],
    };
    store
        .apply_identity_batch(&IdentityBatch {
            event: None,
            changes: vec![
                IdentityChange::Tenant {
                    tenant: t.clone(),
                    partner_id: None,
                },
                IdentityChange::User(ada.clone()),
                IdentityChange::User(bob.clone()),
                IdentityChange::Group(g.clone()),
            ],
            audit: vec![],
        })
        .await
        .unwrap();
    store.apply_identity_batch(&add("evt_1")).await.unwrap();
    store.apply_identity_batch(&add("evt_2")).await.unwrap();
    let mut both = vec![ada.id, bob.id];
    both.sort();
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), both);

    store
        .apply_identity_batch(&IdentityBatch {
            event: processed("evt_3", "group.member_removed"),
            changes: vec![
                IdentityChange::RemoveMember {
                    group: g.id,
                    user: bob.id,
                },
                IdentityChange::RemoveMember {
                    group: g.id,
                    user: bob.id,
                },
            ],
            audit: vec![],
        })
        .await
        .unwrap();
    assert_eq!(store.group_member_ids(g.id).await.unwrap(), vec![ada.id]);

    let delete = IdentityBatch {
        event: processed("evt_4", "group.deleted"),
        changes: vec![
            IdentityChange::DeleteGroup(g.id),
            IdentityChange::DeleteGroup(g.id),
            IdentityChange::DeleteGroup(GroupId::new()),
        ],
        audit: vec![audit("evt_4", "group.delete", &g.id.to_string())],
    };
    store.apply_identity_batch(&delete).await.unwrap();
    assert!(store.get_group(g.id).await.unwrap().is_none());
    assert!(store.group_member_ids(g.id).await.unwrap().is_empty());
    assert!(store.user_group_ids(ada.id).await.unwrap().is_empty());
    // The users themselves stay.
    assert!(store.get_user(ada.id).await.unwrap().is_some());
    assert_eq!(audit_rows(store).await.len(), 1);
}
