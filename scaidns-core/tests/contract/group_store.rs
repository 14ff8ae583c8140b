//! Identity-cache store contract (groups, memberships, partners, identity batches), run on
//! SQLite and MariaDB like `store`.

use chrono::{DateTime, TimeZone, Utc};
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::error::Result;
use scaidns_core::ids::{AuditEventId, GroupId, TenantId, UserId};
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Store;
use scaidns_core::ports::store::AuditFilter;
use scaidns_core::tenant::{Group, GroupType};

use crate::support::contract::contract;

contract!(
    Store:
    groups_crud_and_uniqueness,
    memberships_are_idempotent_and_audited
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::microseconds(123_456)
}

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: None,
        actor_type: ActorType::Webhook,
        actor_id: Some("evt_1".into()),
        actor_email: None,
        action: action.into(),
        resource_type: action.split('.').next().unwrap().into(),
        resource_id: None,
        resource_name: None,
        before: None,
        after: None,
        ip_address: None,
        user_agent: None,
        request_id: None,
        created_at: t0(),
    }
}

fn group(tenant: TenantId, name: &str) -> Group {
    Group {
        id: GroupId::new(),
        tenant_id: tenant,
        name: name.into(),
        description: Some("Ops people".into()),
        group_type: GroupType::Security,
        scaikey_group_id: Some(format!("grp_{name}")),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn assert_code<T: std::fmt::Debug>(result: Result<T>, code: &str) {
    let err = result.expect_err(code);
    assert_eq!(err.code(), code, "{err:?}");
}

async fn audit_actions(store: &dyn Store) -> Vec<String> {
    let mut actions: Vec<String> = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                page: 1,
                page_size: 100,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.sort();
    actions
}

const ALL: PageRequest = PageRequest {
    page: 1,
    page_size: 100,
};

async fn groups_crud_and_uniqueness(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let ops = group(t1, "ops");
    store
        .insert_group(&ops, &[event("group.create")])
        .await
        .unwrap();
    assert_eq!(store.get_group(ops.id).await.unwrap(), Some(ops.clone()));
    assert_eq!(
        store.get_group_by_scaikey_id("grp_ops").await.unwrap(),
        Some(ops.clone())
    );
    assert!(store.get_group(GroupId::new()).await.unwrap().is_none());

    // Same name in the tenant, or same identity-provider id: refused, nothing audited.
    let mut dup = group(t1, "ops");
    dup.scaikey_group_id = None;
    assert_code(
        store.insert_group(&dup, &[event("group.create")]).await,
        "group_exists",
    );
    let mut dup_idp = group(t2, "other");
    dup_idp.scaikey_group_id = ops.scaikey_group_id.clone();
    assert_code(store.insert_group(&dup_idp, &[]).await, "group_exists");
    assert_eq!(audit_actions(store).await, ["group.create"]);

    // Same name in another tenant, and several local groups: fine.
    let mut other = group(t2, "ops");
    other.scaikey_group_id = None;
    let mut local = group(t1, "admins");
    local.scaikey_group_id = None;
    local.group_type = GroupType::DistributionList;
    local.description = None;
    store.insert_group(&other, &[]).await.unwrap();
    store.insert_group(&local, &[]).await.unwrap();

    let page = store.list_groups(Some(t1), ALL).await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items, vec![local.clone(), ops.clone()]);
    assert_eq!(store.list_groups(None, ALL).await.unwrap().total, 3);
    let second = store
        .list_groups(
            None,
            PageRequest {
                page: 2,
                page_size: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!((second.items.len(), second.total), (1, 3));

    let mut renamed = ops.clone();
    renamed.name = "operations".into();
    renamed.updated_at = t0() + chrono::Duration::seconds(5);
    store
        .update_group(&renamed, &[event("group.update")])
        .await
        .unwrap();
    assert_eq!(store.get_group(ops.id).await.unwrap(), Some(renamed));
    let mut clash = local.clone();
    clash.name = "operations".into();
    assert_code(store.update_group(&clash, &[]).await, "group_exists");
    assert_code(
        store.update_group(&group(t1, "ghost"), &[]).await,
        "not_found",
    );

    store
        .delete_group(ops.id, &[event("group.delete")])
        .await
        .unwrap();
    assert!(store.get_group(ops.id).await.unwrap().is_none());
    assert_code(store.delete_group(ops.id, &[]).await, "not_found");
    assert_eq!(
        audit_actions(store).await,
        ["group.create", "group.delete", "group.update"]
    );
}

async fn memberships_are_idempotent_and_audited(store: &dyn Store) {
    let t = TenantId::new();
    let (ops, devs) = (group(t, "ops"), group(t, "devs"));
    store.insert_group(&ops, &[]).await.unwrap();
    store.insert_group(&devs, &[]).await.unwrap();
    let (ada, bob) = (UserId::new(), UserId::new());

    assert!(
        store
            .add_group_member(ops.id, ada, &[event("group.member_add")])
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_group_member(ops.id, ada, &[event("group.member_add")])
            .await
            .unwrap(),
        "a repeated add changes nothing"
    );
    store.add_group_member(ops.id, bob, &[]).await.unwrap();
    store.add_group_member(devs.id, ada, &[]).await.unwrap();
    assert_code(
        store.add_group_member(GroupId::new(), ada, &[]).await,
        "not_found",
    );
    assert_eq!(audit_actions(store).await, ["group.member_add"]);

    let mut expected = vec![ops.id, devs.id];
    expected.sort();
    assert_eq!(store.user_group_ids(ada).await.unwrap(), expected);
    assert_eq!(store.user_group_ids(bob).await.unwrap(), vec![ops.id]);
    assert!(
        store
            .user_group_ids(UserId::new())
            .await
            .unwrap()
            .is_empty()
    );
    let mut members = vec![ada, bob];
    members.sort();
    assert_eq!(store.group_member_ids(ops.id).await.unwrap(), members);

    assert!(
        store
            .remove_group_member(ops.id, bob, &[event("group.member_remove")])
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_group_member(ops.id, bob, &[event("group.member_remove")])
            .await
            .unwrap()
    );
    assert_eq!(store.group_member_ids(ops.id).await.unwrap(), vec![ada]);
    assert_eq!(
        audit_actions(store).await,
        ["group.member_add", "group.member_remove"]
    );

    // Deleting a group takes its memberships with it.
    store.delete_group(ops.id, &[]).await.unwrap();
    assert_eq!(store.user_group_ids(ada).await.unwrap(), vec![devs.id]);
    assert!(store.group_member_ids(ops.id).await.unwrap().is_empty());
}
