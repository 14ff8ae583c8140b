//! RBAC store contract (roles, assignments, access grants), run on SQLite and MariaDB like
//! `store`: the seeded system roles equal the core's table, uniqueness and in-use rules hold,
//! every write leaves its audit entry, and one call returns what a caller holds.

use chrono::{DateTime, Duration, TimeZone, Utc};
use scaidns_core::audit::{ActorType, AuditEvent};
use scaidns_core::error::Result;
use scaidns_core::ids::{
    AuditEventId, GrantId, GroupId, RoleAssignmentId, RoleId, TenantId, UserId, ZoneId,
};
use scaidns_core::name::ZoneName;
use scaidns_core::paging::PageRequest;
use scaidns_core::ports::Store;
use scaidns_core::ports::store::{AuditFilter, NoPublish, ZoneWrite};
use scaidns_core::rbac::{
    AccessGrant, PermSet, Role, RoleAssignment, RoleScope, SYSTEM_ROLES, Subject,
};
use scaidns_core::record::{RecordType, Ttl};
use scaidns_core::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};
use serde_json::json;

use crate::support::contract::contract;

contract!(
    Store:
    system_roles_are_seeded_as_the_core_defines_them,
    custom_roles_crud_names_and_in_use,
    assignments_are_unique_per_role_holder_and_scope,
    grants_round_trip_and_follow_their_zone,
    subject_grants_returns_what_a_caller_holds,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + Duration::microseconds(123_456)
}

fn event(action: &str) -> AuditEvent {
    AuditEvent {
        id: AuditEventId::new(),
        tenant_id: None,
        actor_type: ActorType::System,
        actor_id: None,
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

fn assert_code<T: std::fmt::Debug>(result: Result<T>, code: &str) {
    let err = result.expect_err(&format!("expected {code}"));
    assert_eq!(err.code(), code, "{err:?}");
}

async fn audit_actions(store: &dyn Store) -> Vec<String> {
    let page = PageRequest {
        page: 1,
        page_size: 100,
    };
    let mut actions: Vec<String> = store
        .list_audit(&AuditFilter::default(), page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    actions.sort();
    actions
}

fn custom(tenant: TenantId, name: &str, permissions: &[&str]) -> Role {
    Role {
        id: RoleId::new(),
        tenant_id: Some(tenant),
        name: name.into(),
        description: Some("custom".into()),
        is_system: false,
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn zone(store: &dyn Store, tenant: TenantId, name: &str) -> Zone {
    let zone = Zone {
        id: ZoneId::new(),
        tenant_id: tenant,
        name: ZoneName::parse(name).unwrap(),
        domain_type: DomainType::Primary,
        status: ZoneStatus::Active,
        status_before_delete: None,
        default_ttl: Ttl::new(3600).unwrap(),
        description: None,
        settings: json!({}),
        dnssec_enabled: false,
        generation: 1,
        sync: SyncState {
            status: SyncStatus::InSync,
            error: None,
            last_synced_at: None,
        },
        created_at: t0(),
        updated_at: t0(),
        deleted_at: None,
        secondary: None,
    };
    let write = ZoneWrite {
        zone,
        expected_generation: None,
        new_records: Vec::new(),
        upsert_records: vec![],
        delete_records: vec![],
        validations: vec![],
        audit: vec![],
        changes: Vec::new(),
        comments: Vec::new(),
    };
    store.write_zone(write, &NoPublish).await.unwrap()
}

fn assignment(role: &Role, subject: Subject, scope: RoleScope, tenant: TenantId) -> RoleAssignment {
    RoleAssignment {
        id: RoleAssignmentId::new(),
        role_id: role.id,
        role_name: role.name.clone(),
        subject,
        scope,
        tenant_id: tenant,
        created_by: None,
        created_at: t0(),
    }
}

fn grant(zone: &Zone, subject: Subject, role: &Role) -> AccessGrant {
    AccessGrant {
        id: GrantId::new(),
        zone_id: zone.id,
        tenant_id: zone.tenant_id,
        subject,
        role_id: role.id,
        role_name: role.name.clone(),
        record_pattern: Some("*.dev".into()),
        record_types: vec![RecordType::A, RecordType::AAAA],
        expires_at: Some(t0() + Duration::hours(1)),
        notes: Some("temporary".into()),
        created_by: Some(UserId::new()),
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn system_roles_are_seeded_as_the_core_defines_them(store: &dyn Store) {
    let roles = store.list_roles(None).await.unwrap();
    assert_eq!(roles.len(), SYSTEM_ROLES.len());
    for expected in SYSTEM_ROLES {
        let role = store.get_role(expected.role_id()).await.unwrap().unwrap();
        assert!(role.is_system && role.tenant_id.is_none());
        assert_eq!(role.name, expected.name);
        assert_eq!(role.perm_set(), expected.perm_set(), "{}", expected.name);
        let found = store
            .find_role(TenantId::new(), expected.name)
            .await
            .unwrap();
        assert_eq!(found.map(|r| r.id), Some(expected.role_id()));
    }
}

async fn custom_roles_crud_names_and_in_use(store: &dyn Store) {
    let (t1, t2) = (TenantId::new(), TenantId::new());
    let mut dns = custom(t1, "dns-ops", &["records:*", "domains:read"]);
    store
        .insert_role(&dns, &[event("role.create")])
        .await
        .unwrap();
    // Same name in another tenant is fine; in the same tenant, or a system name, is not.
    store
        .insert_role(&custom(t2, "dns-ops", &["records:read"]), &[])
        .await
        .unwrap();
    assert_code(
        store
            .insert_role(
                &custom(t1, "dns-ops", &["records:read"]),
                &[event("role.create")],
            )
            .await,
        "role_exists",
    );
    assert_code(
        store
            .insert_role(&custom(t1, "read_only", &["records:read"]), &[])
            .await,
        "role_exists",
    );
    assert_eq!(store.get_role(dns.id).await.unwrap().unwrap(), dns);
    assert_eq!(
        store.find_role(t1, "dns-ops").await.unwrap().unwrap().id,
        dns.id
    );
    assert!(
        store
            .find_role(TenantId::new(), "dns-ops")
            .await
            .unwrap()
            .is_none()
    );
    let listed = store.list_roles(Some(t1)).await.unwrap();
    assert_eq!(listed.len(), SYSTEM_ROLES.len() + 1);
    assert!(listed[..SYSTEM_ROLES.len()].iter().all(|r| r.is_system));
    assert_eq!(
        store.list_roles(None).await.unwrap().len(),
        SYSTEM_ROLES.len() + 2
    );

    dns.permissions = vec!["records:read".into()];
    dns.updated_at = t0() + Duration::seconds(5);
    store
        .update_role(&dns, &[event("role.update")])
        .await
        .unwrap();
    assert_eq!(
        store.get_role(dns.id).await.unwrap().unwrap().perm_set(),
        PermSet::parse_all(&["records:read"]).unwrap()
    );
    // System roles cannot be changed or removed through the store either.
    let mut system = store
        .get_role(SYSTEM_ROLES[5].role_id())
        .await
        .unwrap()
        .unwrap();
    system.permissions = vec!["*".into()];
    system.name = "read_only_2".into();
    assert_code(store.update_role(&system, &[]).await, "role_not_found");
    assert_code(store.delete_role(system.id, &[]).await, "role_not_found");

    let user = Subject::User(UserId::new());
    let a = assignment(&dns, user, RoleScope::Tenant(t1), t1);
    store.insert_role_assignment(&a, &[]).await.unwrap();
    assert_code(
        store.delete_role(dns.id, &[event("role.delete")]).await,
        "role_in_use",
    );
    store.delete_role_assignment(a.id, &[]).await.unwrap();
    store
        .delete_role(dns.id, &[event("role.delete")])
        .await
        .unwrap();
    assert!(store.get_role(dns.id).await.unwrap().is_none());
    assert_code(store.delete_role(dns.id, &[]).await, "role_not_found");
    assert_eq!(
        audit_actions(store).await,
        ["role.create", "role.delete", "role.update"]
    );
}

async fn assignments_are_unique_per_role_holder_and_scope(store: &dyn Store) {
    let t = TenantId::new();
    let z = zone(store, t, "assign.example").await;
    let admin = store.find_role(t, "tenant_admin").await.unwrap().unwrap();
    let reader = store.find_role(t, "read_only").await.unwrap().unwrap();
    let user = Subject::User(UserId::new());
    let group = Subject::Group(GroupId::new());
    let first = assignment(&admin, user, RoleScope::Tenant(t), t);
    store
        .insert_role_assignment(&first, &[event("role.assign")])
        .await
        .unwrap();
    assert_code(
        store
            .insert_role_assignment(
                &assignment(&admin, user, RoleScope::Tenant(t), t),
                &[event("role.assign")],
            )
            .await,
        "role_already_assigned",
    );
    // Another scope, role or holder is a different assignment.
    for other in [
        assignment(&admin, user, RoleScope::Platform, t),
        assignment(&reader, user, RoleScope::Tenant(t), t),
        assignment(&reader, user, RoleScope::Domain(z.id), t),
        assignment(&admin, group, RoleScope::Tenant(t), t),
    ] {
        store.insert_role_assignment(&other, &[]).await.unwrap();
    }
    assert_code(
        store
            .insert_role_assignment(&assignment(&admin, user, RoleScope::Platform, t), &[])
            .await,
        "role_already_assigned",
    );
    let listed = store.list_role_assignments(user).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0], first);
    assert_eq!(listed[0].role_name, "tenant_admin");
    assert_eq!(store.list_role_assignments(group).await.unwrap().len(), 1);
    assert_eq!(
        store.get_role_assignment(first.id).await.unwrap(),
        Some(first.clone())
    );
    store
        .delete_role_assignment(first.id, &[event("role.revoke")])
        .await
        .unwrap();
    assert!(store.get_role_assignment(first.id).await.unwrap().is_none());
    assert_code(
        store
            .delete_role_assignment(first.id, &[event("role.revoke")])
            .await,
        "assignment_not_found",
    );
    assert_eq!(audit_actions(store).await, ["role.assign", "role.revoke"]);
}

async fn grants_round_trip_and_follow_their_zone(store: &dyn Store) {
    let t = TenantId::new();
    let z = zone(store, t, "grants.example").await;
    let other = zone(store, t, "other.example").await;
    let editor = store.find_role(t, "record_editor").await.unwrap().unwrap();
    let user = Subject::User(UserId::new());
    let mut g = grant(&z, user, &editor);
    store
        .insert_access_grant(&g, &[event("access_grant.create")])
        .await
        .unwrap();
    let mut open = grant(&z, Subject::Group(GroupId::new()), &editor);
    open.record_pattern = None;
    open.record_types = vec![];
    open.expires_at = None;
    open.notes = None;
    open.created_by = None;
    open.created_at = t0() + Duration::seconds(1);
    store.insert_access_grant(&open, &[]).await.unwrap();
    store
        .insert_access_grant(&grant(&other, user, &editor), &[])
        .await
        .unwrap();
    assert_eq!(store.get_access_grant(g.id).await.unwrap(), Some(g.clone()));
    assert_eq!(
        store.list_access_grants(z.id).await.unwrap(),
        vec![g.clone(), open.clone()]
    );

    g.record_pattern = Some("@".into());
    g.record_types = vec![RecordType::TXT];
    g.expires_at = None;
    g.updated_at = t0() + Duration::seconds(9);
    store
        .update_access_grant(&g, &[event("access_grant.update")])
        .await
        .unwrap();
    assert_eq!(store.get_access_grant(g.id).await.unwrap(), Some(g.clone()));
    store
        .delete_access_grant(g.id, &[event("access_grant.delete")])
        .await
        .unwrap();
    assert_code(
        store.delete_access_grant(g.id, &[]).await,
        "access_grant_not_found",
    );
    assert_code(
        store.update_access_grant(&g, &[]).await,
        "access_grant_not_found",
    );
    // A role named by a grant cannot go.
    let mine = custom(t, "grantable", &["records:read"]);
    store.insert_role(&mine, &[]).await.unwrap();
    store
        .insert_access_grant(&grant(&other, user, &mine), &[])
        .await
        .unwrap();
    assert_code(store.delete_role(mine.id, &[]).await, "role_in_use");
    // Purging the zone takes its grants along.
    store
        .purge_zone(other.id, other.generation, vec![], &NoPublish)
        .await
        .unwrap();
    assert!(store.list_access_grants(other.id).await.unwrap().is_empty());
    assert_eq!(
        audit_actions(store).await,
        [
            "access_grant.create",
            "access_grant.delete",
            "access_grant.update"
        ]
    );
}

async fn subject_grants_returns_what_a_caller_holds(store: &dyn Store) {
    let t = TenantId::new();
    let z = zone(store, t, "holds.example").await;
    let (user, group, stranger) = (
        Subject::User(UserId::new()),
        Subject::Group(GroupId::new()),
        Subject::User(UserId::new()),
    );
    let admin = store.find_role(t, "domain_admin").await.unwrap().unwrap();
    let reader = store.find_role(t, "read_only").await.unwrap().unwrap();
    let mine = custom(t, "ops", &["dnssec:*"]);
    store.insert_role(&mine, &[]).await.unwrap();
    for a in [
        assignment(&admin, user, RoleScope::Domain(z.id), t),
        assignment(&mine, group, RoleScope::Tenant(t), t),
        assignment(&reader, stranger, RoleScope::Tenant(t), t),
    ] {
        store.insert_role_assignment(&a, &[]).await.unwrap();
    }
    store
        .insert_access_grant(&grant(&z, group, &reader), &[])
        .await
        .unwrap();
    store
        .insert_access_grant(&grant(&z, stranger, &reader), &[])
        .await
        .unwrap();

    let held = store.subject_grants(&[user, group]).await.unwrap();
    assert_eq!(held.assignments.len(), 2);
    assert_eq!(held.grants.len(), 1);
    assert_eq!(held.grants[0].subject, group);
    let mut names: Vec<_> = held.roles.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["domain_admin", "ops", "read_only"]);
    assert_eq!(store.subject_grants(&[]).await.unwrap(), Default::default());
}
